"""The pattern language: parse an author's pattern into flat variants.

A pattern is a line of words and operators (rules/README.md documents it):

    ~فرض حصار ...2 على <PLACE:location>
    (~اقترب|~تقدم) [مسلحو] ... من ب<PLACE:location>

Optional parts and phrase alternatives are expanded at load time into flat
variants (a bounded number), so matching never backtracks over nested
structure: a variant is a fixed sequence of word sets, gaps and slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

from .text import normalize_term

MAX_GAP = 8
MAX_GAPS = 3
MAX_VARIANTS = 256
MAX_DEPTH = 8  # groups ( ) and [ ] inside each other (the shipped pack nests 1 deep)
SLOT_TYPES = ("ACTOR", "PLACE", "NUMBER")
ROLES = ("actor1", "actor2", "location", "fatalities")
WORD_KINDS = {"~": "verb", "=": "exact", "": "noun"}

_ARABIC_WORD = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+$|^[a-z0-9]+$")
_SLOT = re.compile(r"^([\u0621-\u064a]*)<([A-Za-z]+)(?::([a-z0-9_]+))?>$")


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class Word:
    kind: str  # noun | verb | exact
    text: str  # normalised


@dataclass(frozen=True, slots=True)
class Words:
    """One token position: any of these words."""

    words: tuple[Word, ...]
    ids: frozenset[int] = field(default=frozenset(), compare=False)  # their term ids, set by the rule loader (matching reads only these)


@dataclass(frozen=True, slots=True)
class Gap:
    max: int


@dataclass(frozen=True, slots=True)
class Slot:
    type: str  # ACTOR | PLACE | NUMBER
    role: str | None
    clitic: str  # a proclitic the slot's first word must carry ("" = any)


Element = Words | Gap | Slot


@dataclass(frozen=True, slots=True)
class _Seq:
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class _Alt:
    options: tuple[_Seq, ...]
    optional: bool


def _lex(src: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif c in "()[]":
            out.append(c)
            i += 1
        else:
            j = i
            while j < n and not src[j].isspace() and src[j] not in "()[]":
                j += 1
            out.append(src[i:j])
            i = j
    return out


def _word(chunk: str) -> Word:
    mark = chunk[0] if chunk[:1] in ("~", "=") else ""
    raw = chunk[len(mark) :]
    if not raw:
        raise PatternError(f"'{chunk}' has a marker but no word (write ~فرض or =ما)")
    text = normalize_term(raw)
    if not _ARABIC_WORD.match(text):
        bad = next((c for c in raw if not _ARABIC_WORD.match(normalize_term(c) or "a")), raw)
        raise PatternError(
            f"unexpected character {bad!r} in word '{chunk}' (a word is letters only; "
            "operators are ~ = ( ) [ ] | ... <TYPE:role>)"
        )
    return Word(WORD_KINDS[mark], text)


def _atom(chunk: str) -> object:
    if chunk.startswith("..."):
        rest = chunk[3:]
        if rest == "":
            return Gap(3)
        if not rest.isdigit() or not 1 <= int(rest) <= MAX_GAP:
            raise PatternError(f"gap '{chunk}' must be ... or ...N with N from 1 to {MAX_GAP}")
        return Gap(int(rest))
    if "<" in chunk or ">" in chunk:
        m = _SLOT.match(chunk)
        if not m:
            raise PatternError(f"slot '{chunk}' must look like <PLACE:location> or ب<ACTOR:actor2>")
        clitic, typ, role = m.group(1), m.group(2), m.group(3)
        if typ not in SLOT_TYPES:
            raise PatternError(f"unknown slot type '{typ}' in '{chunk}' (use one of {', '.join(SLOT_TYPES)})")
        if role is not None and role not in ROLES:
            raise PatternError(f"unknown role '{role}' in '{chunk}' (use one of {', '.join(ROLES)})")
        return Slot(typ, role, normalize_term(clitic) if clitic else "")
    if chunk == "|":
        raise PatternError("'|' between phrases belongs inside ( ) or [ ]")
    if "|" in chunk:
        parts = chunk.split("|")
        if any(not p for p in parts):
            raise PatternError(f"empty alternative in '{chunk}'")
        return Words(tuple(_word(p) for p in parts))
    return Words((_word(chunk),))


def _parse_seq(lex: list[str], i: int, close: str | None, depth: int = 0) -> tuple[object, int]:
    """Parse until `close`; returns an _Alt when '|' separators are present."""
    options: list[_Seq] = []
    items: list[object] = []
    while i < len(lex):
        t = lex[i]
        if t in ("(", "["):
            if depth >= MAX_DEPTH:  # the parser (and the expansion) recurse once per level
                raise PatternError(f"groups nested more than {MAX_DEPTH} deep; write the alternatives as several patterns")
            inner, i = _parse_seq(lex, i + 1, ")" if t == "(" else "]", depth + 1)
            alt = inner if isinstance(inner, _Alt) else _Alt((inner,), False)  # type: ignore[arg-type]
            items.append(_Alt(alt.options, t == "["))
            continue
        if t in (")", "]"):
            if t != close:
                raise PatternError(f"unbalanced '{t}'")
            options.append(_Seq(tuple(items)))
            if any(not o.items for o in options):
                raise PatternError("empty group or alternative")
            return (_Alt(tuple(options), False) if len(options) > 1 else options[0]), i + 1
        if t == "|" and close is not None:
            options.append(_Seq(tuple(items)))
            items = []
            i += 1
            continue
        items.append(_atom(t))
        i += 1
    if close is not None:
        raise PatternError(f"missing '{close}'")
    return _Seq(tuple(items)), i


def _expand(node: object) -> list[tuple[Element, ...]]:
    if isinstance(node, _Seq):
        parts = [_expand(x) for x in node.items]
        out: list[tuple[Element, ...]] = []
        total = 1
        for p in parts:
            total *= len(p)
            if total > MAX_VARIANTS:
                raise PatternError(f"pattern expands to more than {MAX_VARIANTS} variants; split it into several patterns")
        for combo in product(*parts):
            out.append(tuple(e for piece in combo for e in piece))
        return out
    if isinstance(node, _Alt):
        out = [v for o in node.options for v in _expand(o)]
        if node.optional:
            out.append(())
        return out
    return [(node,)]  # type: ignore[list-item]


@dataclass(frozen=True, slots=True)
class Variant:
    elements: tuple[Element, ...]
    anchor: int  # index of the Words element found by the automaton
    # What follows the anchor, and what precedes it read backwards: the two walks of a match.
    right: tuple[Element, ...] = field(init=False, repr=False, compare=False)
    left: tuple[Element, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "right", self.elements[self.anchor + 1 :])
        object.__setattr__(self, "left", self.elements[: self.anchor][::-1])


def compile_pattern(src: str) -> list[Variant]:
    """Parse and expand one pattern; raises PatternError with a hint."""
    if not src.strip():
        raise PatternError("empty pattern")
    tree, _ = _parse_seq(_lex(src), 0, None)
    variants: list[Variant] = []
    seen: set[tuple[Element, ...]] = set()
    for elems in _expand(tree):
        # Merge adjacent gaps, drop leading/trailing gaps (they match nothing useful).
        merged: list[Element] = []
        for e in elems:
            if isinstance(e, Gap) and merged and isinstance(merged[-1], Gap):
                merged[-1] = Gap(min(MAX_GAP, merged[-1].max + e.max))
            else:
                merged.append(e)
        while merged and isinstance(merged[0], Gap):
            merged.pop(0)
        while merged and isinstance(merged[-1], Gap):
            merged.pop()
        key = tuple(merged)
        if not key or key in seen:
            continue
        seen.add(key)
        if sum(isinstance(e, Gap) for e in key) > MAX_GAPS:
            raise PatternError(f"more than {MAX_GAPS} gaps in one pattern; a match must stay short")
        words = [(i, e) for i, e in enumerate(key) if isinstance(e, Words)]
        if not words:
            raise PatternError("pattern has no word to anchor on (every variant needs at least one word)")
        # Anchor on the trigger: the first word set whose words are not short
        # function words (so cues before the anchor are cues before the trigger);
        # failing that, the word set whose shortest word is longest.
        good = [iw for iw in words if min(len(w.text) for w in iw[1].words) >= 3 and any(w.kind != "exact" for w in iw[1].words)]
        anchor = good[0][0] if good else max(words, key=lambda iw: (min(len(w.text) for w in iw[1].words), -iw[0]))[0]
        variants.append(Variant(key, anchor))
    if not variants:
        raise PatternError("pattern is empty after expansion")
    return variants
