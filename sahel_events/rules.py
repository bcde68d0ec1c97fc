"""Load, validate and compile a rule pack into a frozen, picklable RuleSet.

Like spaCy's Matcher: patterns are data, every problem in every file is
collected (not just the first), and the result is compiled once and run
many times.  A rule pack is a folder:

    blockade.toml advance.toml diplomatic.toml ...   event rules, one family a file
    lexicon/grammar.toml    morphology and phrase heads
    lexicon/cues.toml       negation, speculation, plans, history; clause breakers
    lexicon/countries.toml  countries: names, nationality adjectives, governments
    lexicon/actors.toml     named actors with ACLED names and Arabic aliases
    lexicon/places.toml     Arabic spellings of places (joined to places.tsv)
    lexicon/places.tsv      gazetteer generated from GeoNames
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from .acled import ACLED_TYPES, INTER, PLOVER
from .dates import DateGrammar, load_date_grammar
from .errors import Problem, RuleError
from .numbers import NumberGrammar, load_number_grammar
from .pattern import PatternError, Slot, Variant, Word, Words, compile_pattern
from .scan import LiteralScanner
from .text import normalize_term
from .tomlpos import Locator, TomlProblem, parse_toml, read_pack_file

FAMILIES = ("blockade", "advance", "diplomatic")
ACTOR_KINDS = ("armed", "military", "government", "organisation")
PLACE_KINDS = ("town", "region", "country")
MAX_PRIORITY = 1000
CUE_KINDS = ("negation", "denial", "speculation", "fear", "plan", "history", "request", "condition")
SLOT_KEYS = {"from", "kinds", "search", "within", "required", "fallback", "metonyms", "unless_after"}
RULE_KEYS = {
    "id",
    "event_type",
    "sub_event_type",
    "plover",
    "note",
    "confidence",
    "priority",
    "patterns",
    "slots",
    "example",
    "counter_example",
}

# Literal forms an automaton hit is verified as.
NOUN, NOUN_TA, VERB, VERB_IMPF, VERB_DEF, EXACT = "noun", "noun_ta", "verb", "verb_impf", "verb_def", "exact"
# Past endings of a verb whose last letter ى/ي falls away: استدعت، استدعوا، استدعتا.
DEFECTIVE_SUFFIXES = frozenset({"ت", "تا", "وا", "ته", "تها", "تهم", "وه", "وها", "وهم"})


@dataclass(frozen=True, slots=True)
class SlotSpec:
    role: str
    source: str  # actors | places | numbers
    kinds: tuple[str, ...] = ()
    search: str = "around"  # before | after | around
    within: str = "sentence"  # clause | sentence
    required: bool = False
    fallback: bool = False  # look back through earlier sentences when nothing is near
    metonyms: bool = False  # capitals stand for governments («باماكو ترفض»)
    unless_after: frozenset[str] = frozenset()  # skip entities right after these words («القادمة من غاو»)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    expect: tuple[tuple[str, str], ...]
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    event_type: str
    sub_event_type: str
    plover: str | None
    note: str
    confidence: float
    priority: int
    patterns: tuple[str, ...]
    slots: tuple[SlotSpec, ...]
    file: str
    line: int
    examples: tuple[Example, ...]
    counter_examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    variants: tuple[Variant, ...]
    scope: int
    unless_next: frozenset[int]  # term ids
    families: tuple[str, ...]
    next_imperfect: bool
    next_bi: bool
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    inter: str
    kind: str
    country: str | None


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    iso: int | None
    region: str | None
    government: str
    military: str
    unless_after: frozenset[str]
    needs_context: bool


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    admin1: str | None
    latitude: float | None
    longitude: float | None
    kind: str
    needs_context: bool


@dataclass(frozen=True, slots=True)
class Morphology:
    noun_prefixes: frozenset[str]
    noun_suffixes: frozenset[str]
    ta_suffixes: frozenset[str]
    verb_prefixes: frozenset[str]  # particles and person prefixes, all combinations
    impf_prefixes: frozenset[str]  # those that hold a person prefix
    future_prefixes: frozenset[str]  # those that hold the future س
    verb_suffixes: frozenset[str]
    exact_prefixes: frozenset[str]
    nisba_suffixes: frozenset[str]
    name_prefixes: frozenset[str]  # noun prefixes a name may carry: no article («ال», «لل»)
    # form -> (prefixes, suffixes) a literal of that form may carry inside its token
    affixes: dict[str, tuple[frozenset[str], frozenset[str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        affixes = {
            NOUN: (self.noun_prefixes, self.noun_suffixes),
            NOUN_TA: (self.noun_prefixes, self.ta_suffixes),
            VERB: (self.verb_prefixes, self.verb_suffixes),
            VERB_DEF: (self.verb_prefixes, DEFECTIVE_SUFFIXES),
            VERB_IMPF: (self.impf_prefixes, self.verb_suffixes),
            EXACT: (self.exact_prefixes, frozenset({""})),
        }
        object.__setattr__(self, "affixes", affixes)


Fixed = tuple[tuple[int, frozenset[int]], ...]  # (offset from the anchor token, term ids allowed there)


def _with_ids(v: Variant, term_ids: dict[Word, int]) -> Variant:
    """The variant with the term ids of every word position filled in (matching tests sets, not words)."""
    els = tuple(Words(el.words, frozenset(term_ids[w] for w in el.words)) if isinstance(el, Words) else el for el in v.elements)
    return Variant(els, v.anchor)


def _fixed_words(v: Variant) -> Fixed:
    """The word positions next to the anchor, up to the first gap or slot on each side
    (of a variant from `_with_ids`): most candidate variants fail on them, so matching
    checks them before walking."""
    out: list[tuple[int, frozenset[int]]] = []
    for step in (1, -1):
        k = v.anchor + step
        while 0 <= k < len(v.elements) and isinstance(el := v.elements[k], Words):
            out.append((k - v.anchor, el.ids))
            k += step
    return tuple(out)


@dataclass(frozen=True)
class RuleSet:
    """A compiled rule pack: frozen, picklable, shared by every worker."""

    root: str
    digest: str
    rules: tuple[Rule, ...]
    terms: tuple[Word, ...]
    # anchor term id -> (rule index, variant, the words right next to the anchor)
    variants: dict[int, tuple[tuple[int, Variant, Fixed], ...]]
    anchors: LiteralScanner  # anchor literals, over whole normalised documents
    lexicon: Any  # ahocorasick.Automaton over every literal (one sentence at a time) -> LexiconEntry
    cues: tuple[Cue, ...]
    breakers: frozenset[int]  # term ids that open a new clause
    morph: Morphology
    actors: tuple[Actor, ...]
    countries: tuple[Country, ...]
    places: tuple[Place, ...]
    country_index: dict[str, int] = field(default_factory=dict)
    dates: DateGrammar | None = None
    numbers: NumberGrammar | None = None
    cue_index: dict[int, tuple[tuple[int, Variant], ...]] = field(default_factory=dict)  # first word → (cue, variant)
    history_unless: frozenset[str] = frozenset()  # a year after these dates a noun («الموقعة في 2018»)
    country_names: LiteralScanner | None = None  # country names, capitals and nationalities
    country_of_name: tuple[int, ...] = ()  # country index of each of those literals

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def default_rules_dir() -> Path:
    """The rule pack shipped inside the package (rules/ in a checkout)."""
    here = Path(str(resources.files("sahel_events"))) / "rules"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "rules"


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.terms: list[Word] = []
        self.term_ids: dict[Word, int] = {}
        self.digest = hashlib.sha256()

    # -- helpers ---------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.rel(path), line, message, hint))

    def read(self, path: Path) -> bytes | None:
        """A pack file's bytes (added to the digest), or None with a problem: only a
        regular file of a sane size is read, so a FIFO or /dev/zero cannot hang the load."""
        try:
            raw = read_pack_file(path)
        except OSError as e:
            self.problem(path, 1, f"cannot read: {e.strerror or e}")
            return None
        self.digest.update(path.name.encode() + b"\0" + raw)
        return raw

    def read_toml(self, path: Path) -> tuple[dict[str, Any], Locator] | None:
        raw = self.read(path)
        if raw is None:
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            self.problem(path, text_line(raw, e.start), "not UTF-8", "save the file as UTF-8")
            return None
        try:
            data = parse_toml(text)
        except TomlProblem as e:
            self.problem(path, e.line, e.message, e.hint)
            return None
        return data, Locator(text)

    def term(self, w: Word) -> int:
        if w not in self.term_ids:
            self.term_ids[w] = len(self.terms)
            self.terms.append(w)
        return self.term_ids[w]

    def check_keys(
        self, path: Path, loc: Locator, where: tuple[object, ...], table: dict[str, Any], allowed: Iterable[str]
    ) -> None:
        allowed = set(allowed)
        for k in table:
            if k not in allowed:
                self.problem(path, loc.line(*where, k), f"unknown key '{k}'", "allowed: " + ", ".join(sorted(allowed)))

    def string(
        self, path: Path, loc: Locator, where: tuple[object, ...], table: dict[str, Any], key: str, required: bool = True
    ) -> str | None:
        v = table.get(key)
        if v is None:
            if required:
                self.problem(path, loc.line(*where), f"missing '{key}'")
            return None
        if not isinstance(v, str) or not v.strip():
            self.problem(path, loc.line(*where, key), f"'{key}' must be a non-empty string")
            return None
        return v

    def strings(self, path: Path, loc: Locator, where: tuple[object, ...], table: dict[str, Any], key: str) -> list[str]:
        v = table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.problem(path, loc.line(*where, key), f"'{key}' must be a list of strings")
            return []
        return v


def build_lexicon(entries: Iterable[tuple[str, LexiconEntry]]) -> Any:
    """The lexicon automaton of (literal, entry) pairs in literal order.  The cache
    stores the pairs and rebuilds it with this (~2 ms) rather than keep the
    automaton's own pickle, a binary blob parsed by C code."""
    lexicon = ahocorasick.Automaton()
    for lit, entry in entries:
        lexicon.add_word(lit, entry)
    lexicon.make_automaton()
    return lexicon


def _short(s: str, n: int = 80) -> str:
    """A value quoted in a problem, cut to a readable length (a hostile pattern may be megabytes)."""
    return s if len(s) <= n else s[:n] + "…"


def text_line(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def _combos(first: Iterable[str], second: Iterable[str]) -> frozenset[str]:
    a = [""] + list(first)
    b = [""] + list(second)
    return frozenset(x + y for x in a for y in b)


def _load_grammar(ld: _Loader) -> tuple[Morphology, dict[str, list[str]]]:
    path = ld.root / "lexicon" / "grammar.toml"
    got = ld.read_toml(path)
    data, loc = got if got else ({}, Locator(""))
    m = data.get("morphology", {})
    ph = data.get("phrases", {})
    ld.check_keys(path, loc, (), data, {"morphology", "phrases"})
    mkeys = {
        "noun_prefixes",
        "noun_suffixes",
        "ta_marbuta_suffixes",
        "verb_particles",
        "verb_person",
        "verb_suffixes",
        "exact_prefixes",
        "nisba_suffixes",
    }
    ld.check_keys(path, loc, ("morphology",), m, mkeys)
    pkeys = {
        "place_heads",
        "government_heads",
        "military_heads",
        "head_links",
        "bare_government",
        "bare_military",
        "place_context",
        "armed_anaphora",
        "armed_generic",
    }
    ld.check_keys(path, loc, ("phrases",), ph, pkeys)

    def norm(key: str, table: dict[str, Any], where: str) -> list[str]:
        return [normalize_term(x) for x in ld.strings(path, loc, (where,), table, key)]

    particles = norm("verb_particles", m, "morphology")
    person = norm("verb_person", m, "morphology")
    verb_prefixes = _combos(particles, person)
    noun_prefixes = frozenset([""] + norm("noun_prefixes", m, "morphology"))
    morph = Morphology(
        noun_prefixes=noun_prefixes,
        noun_suffixes=frozenset([""] + norm("noun_suffixes", m, "morphology")),
        ta_suffixes=frozenset(norm("ta_marbuta_suffixes", m, "morphology")),
        verb_prefixes=verb_prefixes,
        impf_prefixes=frozenset(p for p in verb_prefixes if p and p[-1] in person),
        future_prefixes=frozenset(p for p in verb_prefixes if "س" in p),
        verb_suffixes=frozenset([""] + norm("verb_suffixes", m, "morphology")),
        exact_prefixes=frozenset([""] + norm("exact_prefixes", m, "morphology")),
        nisba_suffixes=frozenset([""] + norm("nisba_suffixes", m, "morphology")),
        name_prefixes=frozenset(p for p in noun_prefixes if "ال" not in p and "لل" not in p),
    )
    phrases = {k: norm(k, ph, "phrases") for k in pkeys}
    return morph, phrases


def _compile_patterns(
    ld: _Loader, path: Path, loc: Locator, where: tuple[object, ...], patterns: list[str], allow_slots: bool
) -> list[Variant]:
    """The variants of the patterns at `where` (a key holding a list); a bad one is
    a problem at its own line."""
    out: list[Variant] = []
    for j, p in enumerate(patterns):
        try:
            vs = compile_pattern(p)
        except PatternError as e:
            ld.problem(path, loc.item(*where, j), f"pattern '{_short(p)}': {e}")
            continue
        if not allow_slots and any(isinstance(e, Slot) for v in vs for e in v.elements):
            ld.problem(path, loc.item(*where, j), f"pattern '{_short(p)}': cues cannot have slots")
            continue
        out.extend(vs)
    return out


def _load_rules_file(
    ld: _Loader, path: Path, rules: list[Rule], variants: list[tuple[int, Variant]], seen: dict[str, str]
) -> None:
    got = ld.read_toml(path)
    if not got:
        return
    data, loc = got
    ld.check_keys(path, loc, (), data, {"family", "version", "rule"})
    family = data.get("family")
    if family not in FAMILIES:
        ld.problem(path, loc.line("family"), f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
        family = "?"
    table = data.get("rule", [])
    if not isinstance(table, list) or not table:
        ld.problem(path, loc.line("rule"), "no [[rule]] tables", "a rule file holds one or more [[rule]] tables")
        return
    for i, r in enumerate(table):
        where = ("rule", i)
        line = loc.line(*where)
        if not isinstance(r, dict):
            ld.problem(path, line, "[[rule]] must be a table")
            continue
        ld.check_keys(path, loc, where, r, RULE_KEYS)
        rid = ld.string(path, loc, where, r, "id") or f"<rule {i + 1}>"
        if rid in seen:
            ld.problem(path, loc.line(*where, "id"), f"duplicate rule id '{rid}'", f"first defined in {seen[rid]}")
        seen[rid] = f"{ld.rel(path)}:{loc.line(*where, 'id')}"
        et = ld.string(path, loc, where, r, "event_type") or ""
        st = ld.string(path, loc, where, r, "sub_event_type") or ""
        if et and et not in ACLED_TYPES:
            ld.problem(
                path, loc.line(*where, "event_type"), f"unknown ACLED event_type '{et}'", "one of: " + ", ".join(ACLED_TYPES)
            )
        elif et and st and st not in ACLED_TYPES[et]:
            ld.problem(
                path,
                loc.line(*where, "sub_event_type"),
                f"'{st}' is not a sub_event_type of '{et}'",
                "one of: " + ", ".join(ACLED_TYPES[et]),
            )
        plover = r.get("plover")
        if family == "diplomatic" and plover is None:
            ld.problem(path, line, "diplomatic rule without 'plover'", "one of: " + ", ".join(PLOVER))
        if plover is not None and plover not in PLOVER:
            ld.problem(path, loc.line(*where, "plover"), f"unknown PLOVER code {plover!r}", "one of: " + ", ".join(PLOVER))
        note = ld.string(path, loc, where, r, "note") or ""
        conf = r.get("confidence", 0.7)
        if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
            ld.problem(path, loc.line(*where, "confidence"), "confidence must be a number from 0 to 1")
            conf = 0.7
        prio = r.get("priority", 0)
        if not isinstance(prio, int) or isinstance(prio, bool) or not -MAX_PRIORITY <= prio <= MAX_PRIORITY:
            ld.problem(path, loc.line(*where, "priority"), f"priority must be a whole number from {-MAX_PRIORITY} to {MAX_PRIORITY}")
            prio = 0
        pats = ld.strings(path, loc, where, r, "patterns")
        if not pats:
            ld.problem(path, loc.line(*where, "patterns"), "rule has no patterns")
        rvars = _compile_patterns(ld, path, loc, (*where, "patterns"), pats, allow_slots=True)
        slots = _load_slots(ld, path, loc, where, r.get("slots", {}))
        roles = {s.role for s in slots} | {e.role for v in rvars for e in v.elements if isinstance(e, Slot) and e.role}
        for name in _placeholders(note):
            if name not in roles and name not in ("country",):
                ld.problem(path, loc.line(*where, "note"), f"note uses {{{name}}} but no slot fills '{name}'")
        exs = _load_examples(ld, path, loc, where, r, "example")
        cexs = _load_examples(ld, path, loc, where, r, "counter_example")
        if not exs:
            ld.problem(path, line, f"rule '{rid}' has no [[rule.example]]", "every rule needs a sentence it must match")
        if not cexs:
            ld.problem(
                path,
                line,
                f"rule '{rid}' has no [[rule.counter_example]]",
                "add a sentence with the trigger that must NOT give an event",
            )
        idx = len(rules)
        rules.append(
            Rule(rid, family, et, st, plover, note, float(conf), prio, tuple(pats), slots, ld.rel(path), line, exs, cexs)
        )
        variants.extend((idx, v) for v in rvars)


def _placeholders(note: str) -> list[str]:
    import re

    return [m.split("|")[0] for m in re.findall(r"\{([^{}]+)\}", note)]


def _load_slots(ld: _Loader, path: Path, loc: Locator, where: tuple[object, ...], table: Any) -> tuple[SlotSpec, ...]:
    out: list[SlotSpec] = []
    if not isinstance(table, dict):
        ld.problem(path, loc.line(*where, "slots"), "slots must be a table")
        return ()
    from .pattern import ROLES

    for role, spec in table.items():
        w = (*where, "slots", role)
        if role not in ROLES:
            ld.problem(path, loc.line(*w), f"unknown role '{role}'", "one of: " + ", ".join(ROLES))
            continue
        if not isinstance(spec, dict):
            ld.problem(path, loc.line(*w), f"slot '{role}' must be a table like {{ from = \"actors\" }}")
            continue
        bad = set(spec) - SLOT_KEYS
        for k in sorted(bad):
            ld.problem(path, loc.line(*w), f"unknown key '{k}' in slot '{role}'", "allowed: " + ", ".join(sorted(SLOT_KEYS)))
        src = spec.get("from")
        if src not in ("actors", "places", "numbers"):
            ld.problem(path, loc.line(*w), f"slot '{role}': 'from' must be actors, places or numbers, not {src!r}")
            continue
        kinds = spec.get("kinds", [])
        allowed = ACTOR_KINDS if src == "actors" else PLACE_KINDS
        if not isinstance(kinds, list) or any(k not in allowed for k in kinds):
            ld.problem(path, loc.line(*w), f"slot '{role}': kinds must be a list of {', '.join(allowed)}")
            kinds = []
        search = spec.get("search", "around")
        if search not in ("before", "after", "around"):
            ld.problem(path, loc.line(*w), f"slot '{role}': search must be before, after or around")
        within = spec.get("within", "sentence")
        if within not in ("clause", "sentence"):
            ld.problem(path, loc.line(*w), f"slot '{role}': within must be clause or sentence")
        flags = {}
        for k in ("required", "fallback", "metonyms"):
            v = spec.get(k, False)
            if not isinstance(v, bool):
                ld.problem(path, loc.line(*w), f"slot '{role}': {k} must be true or false")
                v = False
            flags[k] = v
        ua = spec.get("unless_after", [])
        if not isinstance(ua, list) or not all(isinstance(x, str) for x in ua):
            ld.problem(path, loc.line(*w), f"slot '{role}': unless_after must be a list of words")
            ua = []
        out.append(
            SlotSpec(role, src, tuple(kinds), search, within, unless_after=frozenset(normalize_term(x) for x in ua), **flags)
        )
    return tuple(out)


def _load_examples(
    ld: _Loader, path: Path, loc: Locator, where: tuple[object, ...], r: dict[str, Any], key: str
) -> tuple[Example, ...]:
    items = r.get(key, [])
    if not isinstance(items, list):
        ld.problem(path, loc.line(*where, key), f"'{key}' must be [[rule.{key}]] tables")
        return ()
    out = []
    for j, ex in enumerate(items):
        w = (*where, key, j)
        line = loc.line(*w)
        if not isinstance(ex, dict):
            ld.problem(path, line, f'[[rule.{key}]] must be a table with text = "..."')
            continue
        ld.check_keys(path, loc, w, ex, {"text", "expect", "why"})
        text = ex.get("text")
        if not isinstance(text, str) or not text.strip():
            ld.problem(path, line, f"[[rule.{key}]] needs a non-empty text")
            continue
        expect = ex.get("expect", {})
        if not isinstance(expect, dict) or not all(isinstance(v, str) for v in expect.values()):
            ld.problem(path, loc.line(*w, "expect"), 'expect must be a table of field = "value"')
            expect = {}
        out.append(Example(text, tuple(sorted(expect.items())), line))
    return tuple(out)


def _load_cues(ld: _Loader, cues: list[Cue], breakers: set[int], history_unless: set[str]) -> None:
    path = ld.root / "lexicon" / "cues.toml"
    got = ld.read_toml(path)
    if not got:
        return
    data, loc = got
    ld.check_keys(path, loc, (), data, {"cue", "clauses", "history"})
    hist = data.get("history", {})
    ld.check_keys(path, loc, ("history",), hist, {"unless_after"})
    history_unless.update(normalize_term(w) for w in ld.strings(path, loc, ("history",), hist, "unless_after"))
    cl = data.get("clauses", {})
    ld.check_keys(path, loc, ("clauses",), cl, {"breakers"})
    for j, w in enumerate(ld.strings(path, loc, ("clauses",), cl, "breakers")):
        try:
            for v in compile_pattern(w):
                for el in v.elements:
                    if isinstance(el, Words):
                        breakers.update(ld.term(x) for x in el.words)
        except PatternError as e:
            ld.problem(path, loc.item("clauses", "breakers", j), f"breaker '{_short(w)}': {e}")
    keys = {"kind", "patterns", "scope", "unless_next", "families", "next_imperfect", "next_bi"}
    for i, c in enumerate(data.get("cue", [])):
        where = ("cue", i)
        ld.check_keys(path, loc, where, c, keys)
        kind = c.get("kind")
        if kind not in CUE_KINDS:
            ld.problem(path, loc.line(*where, "kind"), f"cue kind must be one of {', '.join(CUE_KINDS)}, not {kind!r}")
        scope = c.get("scope", 4)
        if not isinstance(scope, int) or not 0 <= scope <= 12:
            ld.problem(path, loc.line(*where, "scope"), "scope must be a whole number of words from 0 to 12")
            scope = 4
        fams = ld.strings(path, loc, where, c, "families")
        for f in fams:
            if f not in FAMILIES:
                ld.problem(path, loc.line(*where, "families"), f"unknown family '{f}'")
        pats = ld.strings(path, loc, where, c, "patterns")
        if not pats:
            ld.problem(path, loc.line(*where), "cue has no patterns")
        vs = _compile_patterns(ld, path, loc, (*where, "patterns"), pats, allow_slots=False)
        unless: set[int] = set()
        for w in ld.strings(path, loc, where, c, "unless_next"):
            try:
                for v in compile_pattern(w):
                    for el in v.elements:
                        if isinstance(el, Words):
                            unless.update(ld.term(x) for x in el.words)
            except PatternError as e:
                ld.problem(path, loc.line(*where, "unless_next"), f"unless_next '{w}': {e}")
        for v in vs:
            for el in v.elements:
                if isinstance(el, Words):
                    for x in el.words:
                        ld.term(x)
        cues.append(
            Cue(
                str(kind),
                tuple(vs),
                scope,
                frozenset(unless),
                tuple(fams),
                bool(c.get("next_imperfect", False)),
                bool(c.get("next_bi", False)),
                ld.rel(path),
                loc.line(*where),
            )
        )


def _load_countries(ld: _Loader) -> tuple[list[Country], list[tuple[str, int, dict[str, Any]]]]:
    """Countries, plus (kind, index, names) entries for the lexicon automaton."""
    path = ld.root / "lexicon" / "countries.toml"
    got = ld.read_toml(path)
    out: list[Country] = []
    names: list[tuple[str, int, dict[str, Any]]] = []
    if not got:
        return out, names
    data, loc = got
    keys = {
        "name",
        "iso",
        "iso2",
        "region",
        "names",
        "adjectives",
        "capitals",
        "government",
        "military",
        "unless_after",
        "needs_context",
    }
    for i, c in enumerate(data.get("country", [])):
        where = ("country", i)
        ld.check_keys(path, loc, where, c, keys)
        name = ld.string(path, loc, where, c, "name") or f"<country {i + 1}>"
        iso = c.get("iso")
        if iso is not None and (not isinstance(iso, int) or isinstance(iso, bool) or not 1 <= iso <= 999):
            ld.problem(path, loc.line(*where, "iso"), "iso must be the ISO 3166-1 numeric code (1 to 999)")
            iso = None
        gov = c.get("government") or f"Government of {name}"
        mil = c.get("military") or f"Military Forces of {name}"
        idx = len(out)
        out.append(
            Country(
                name,
                iso,
                c.get("region"),
                gov,
                mil,
                frozenset(normalize_term(x) for x in ld.strings(path, loc, where, c, "unless_after")),
                bool(c.get("needs_context", False)),
            )
        )
        for kind, key in (("country", "names"), ("nisba", "adjectives"), ("capital", "capitals")):
            for j, n in enumerate(ld.strings(path, loc, where, c, key)):
                names.append((kind, idx, {"text": n, "path": path, "loc": loc, "at": (*where, key, j)}))
    return out, names


def _load_actors(ld: _Loader) -> tuple[list[Actor], list[tuple[str, int, dict[str, Any]]]]:
    path = ld.root / "lexicon" / "actors.toml"
    got = ld.read_toml(path)
    out: list[Actor] = []
    names: list[tuple[str, int, dict[str, Any]]] = []
    if not got:
        return out, names
    data, loc = got
    for i, a in enumerate(data.get("actor", [])):
        where = ("actor", i)
        ld.check_keys(path, loc, where, a, {"name", "inter", "kind", "country", "aliases", "note"})
        name = ld.string(path, loc, where, a, "name") or f"<actor {i + 1}>"
        inter = a.get("inter")
        if inter not in INTER:
            ld.problem(path, loc.line(*where, "inter"), f"inter must be one of {', '.join(INTER)}, not {inter!r}")
            inter = "External/Other forces"
        kind = a.get("kind") or _actor_kind(name, inter)
        if kind not in ACTOR_KINDS:
            ld.problem(path, loc.line(*where, "kind"), f"kind must be one of {', '.join(ACTOR_KINDS)}")
            kind = "organisation"
        idx = len(out)
        out.append(Actor(name, inter, kind, a.get("country")))
        aliases = ld.strings(path, loc, where, a, "aliases")
        if not aliases:
            ld.problem(path, loc.line(*where), f"actor '{name}' has no aliases")
        for j, n in enumerate(aliases):
            names.append(("actor", idx, {"text": n, "path": path, "loc": loc, "at": (*where, "aliases", j)}))
    return out, names


def _actor_kind(name: str, inter: str) -> str:
    if name.startswith("Government of"):
        return "government"
    if name.startswith(("Military Forces of", "Police Forces of")):
        return "military"
    if inter in ("Rebel group", "Political militia", "Identity militia"):
        return "armed"
    return "organisation"


def _load_places(ld: _Loader, countries: list[Country]) -> tuple[list[Place], list[tuple[str, int, dict[str, Any]]]]:
    tsv = ld.root / "lexicon" / "places.tsv"
    rows: dict[tuple[str, str], dict[str, str]] = {}
    raw = ld.read(tsv) if os.path.lexists(tsv) else None
    try:
        tsv_text = raw.decode("utf-8") if raw is not None else ""
    except UnicodeDecodeError as e:
        ld.problem(tsv, text_line(raw or b"", e.start), "not UTF-8", "save the file as UTF-8")
        tsv_text = ""
    if tsv_text:
        numbered = [(n, ln) for n, ln in enumerate(tsv_text.splitlines(), 1) if ln and not ln.startswith("#")]
        import csv

        reader = csv.DictReader((ln for _, ln in numbered), delimiter="\t")
        try:
            for row in reader:
                rows.setdefault((row.get("name", ""), row.get("country", "")), row)
        except csv.Error as e:  # a NUL byte, a field over csv's 128 KiB limit
            ld.problem(tsv, numbered[min(reader.line_num, len(numbered) - 1)][0], f"not a gazetteer row: {e}")  # line_num: rows read before
    path = ld.root / "lexicon" / "places.toml"
    out: list[Place] = []
    names: list[tuple[str, int, dict[str, Any]]] = []
    got = ld.read_toml(path)
    if not got:
        return out, names
    data, loc = got
    known = {c.name for c in countries}
    keys = {"name", "country", "names", "needs_context", "admin1", "latitude", "longitude", "kind", "note"}
    for table in ("place", "region"):
        for i, p in enumerate(data.get(table, [])):
            where = (table, i)
            ld.check_keys(path, loc, where, p, keys)
            name = ld.string(path, loc, where, p, "name") or f"<place {i + 1}>"
            country = ld.string(path, loc, where, p, "country") or ""
            if country and known and country not in known:
                ld.problem(path, loc.line(*where, "country"), f"unknown country '{country}'", "add it to countries.toml")
            row = rows.get((name, country), {})
            lat = p.get("latitude", _float(row.get("latitude")))
            lon = p.get("longitude", _float(row.get("longitude")))
            if lat is None and table == "place":
                ld.problem(
                    path,
                    loc.line(*where, "name"),
                    f"place '{name}' ({country}) is not in places.tsv and has no latitude/longitude",
                    "check the spelling against places.tsv or give coordinates",
                )
            kind = p.get("kind", "region" if table == "region" else "town")
            idx = len(out)
            out.append(
                Place(
                    name,
                    country,
                    p.get("admin1", row.get("admin1") or (name if table == "region" else None)),
                    lat,
                    lon,
                    kind if kind in PLACE_KINDS else "town",
                    bool(p.get("needs_context", False)),
                )
            )
            for j, n in enumerate(ld.strings(path, loc, where, p, "names")):
                names.append(("place", idx, {"text": n, "path": path, "loc": loc, "at": (*where, "names", j)}))
    return out, names


def _float(s: str | None) -> float | None:
    try:
        return float(s) if s not in (None, "") else None
    except ValueError:
        return None


def load_rules(root: str | Path | None = None) -> RuleSet:
    """Load and compile the rule pack at `root` (default: the shipped pack).

    Raises RuleError listing every problem as `file:line: message (hint)`."""
    rootp = Path(root) if root is not None else default_rules_dir()
    ld = _Loader(rootp)
    if not rootp.is_dir():
        what = "not a folder" if rootp.exists() else "no such folder"
        raise RuleError(f"{rootp}: {what}", (Problem(str(rootp), 0, f"{what}; give the folder of a rule pack"),))
    morph, phrases = _load_grammar(ld)
    rules: list[Rule] = []
    rvariants: list[tuple[int, Variant]] = []
    seen: dict[str, str] = {}
    files = sorted(p for p in rootp.glob("*.toml"))
    if not files:
        ld.problem(rootp, 1, "no rule files (*.toml) in this folder")
    for f in files:
        _load_rules_file(ld, f, rules, rvariants, seen)
    cues: list[Cue] = []
    breakers: set[int] = set()
    history_unless: set[str] = set()
    _load_cues(ld, cues, breakers, history_unless)
    countries, cnames = _load_countries(ld)
    actors, anames = _load_actors(ld)
    places, pnames = _load_places(ld, countries)
    dates: DateGrammar | None = None
    dates_path = rootp / "lexicon" / "dates.toml"
    try:
        if ld.read(dates_path) is not None:
            dates = load_date_grammar(dates_path)
    except RuleError as e:
        ld.problems.extend(e.problems)
    numbers: NumberGrammar | None = None
    num_path, attr_path = rootp / "lexicon" / "numbers.toml", rootp / "lexicon" / "attribution.toml"
    try:
        if ld.read(num_path) is not None and ld.read(attr_path) is not None:
            numbers = load_number_grammar(num_path, attr_path)
    except RuleError as e:
        ld.problems.extend(e.problems)

    # Terms of rule variants, and the anchor index.
    by_anchor: dict[int, list[tuple[int, Variant, Fixed]]] = {}
    for ridx, v in rvariants:
        for el in v.elements:
            if isinstance(el, Words):
                for w in el.words:
                    ld.term(w)
        anchor = v.elements[v.anchor]
        assert isinstance(anchor, Words)
        v = _with_ids(v, ld.term_ids)
        fixed = _fixed_words(v)
        for w in anchor.words:
            by_anchor.setdefault(ld.term_ids[w], []).append((ridx, v, fixed))

    if ld.problems:
        raise RuleError(f"{len(ld.problems)} problem(s) in rule pack {rootp}", tuple(ld.problems))

    anchor_lits: set[str] = set()
    lex = _Lexicon(morph)
    for tid, w in enumerate(ld.terms):
        for lit, form in _literals(w):
            lex.add_word(lit, tid, form)
            if tid in by_anchor:
                anchor_lits.add(lit)
    for kind, idx, info in cnames + anames + pnames:
        t = normalize_term(info["text"])
        if not t:
            ld.problem(info["path"], info["loc"].item(*info["at"]), f"empty name {info['text']!r}")
            continue
        lex.add_name(t, kind, idx)
    for kind, key in (
        ("place_head", "place_heads"),
        ("gov_head", "government_heads"),
        ("mil_head", "military_heads"),
        ("link", "head_links"),
        ("bare_gov", "bare_government"),
        ("bare_mil", "bare_military"),
        ("place_ctx", "place_context"),
        ("armed_ana", "armed_anaphora"),
        ("armed_gen", "armed_generic"),
    ):
        for t in phrases.get(key, []):
            lex.add_name(t, kind, -1)
    if ld.problems:
        raise RuleError(f"{len(ld.problems)} problem(s) in rule pack {rootp}", tuple(ld.problems))
    lexicon = build_lexicon(lex.entries())
    anchors = LiteralScanner(sorted(anchor_lits))
    cue_index: dict[int, list[tuple[int, Variant]]] = {}
    for ci, cue in enumerate(cues):
        for v in map(lambda v: _with_ids(v, ld.term_ids), cue.variants):
            first = v.elements[0]
            assert isinstance(first, Words)
            for w in first.words:
                cue_index.setdefault(ld.term_ids[w], []).append((ci, v))
    country_of_name: dict[str, int] = {}
    for kind, idx, info in cnames:
        t = normalize_term(info["text"])
        if t and kind in ("country", "capital", "nisba"):
            country_of_name.setdefault(t, idx)
    return RuleSet(
        root=str(rootp),
        digest=ld.digest.hexdigest()[:16],
        rules=tuple(rules),
        terms=tuple(ld.terms),
        variants={k: tuple(v) for k, v in by_anchor.items()},
        anchors=anchors,
        lexicon=lexicon,
        cues=tuple(cues),
        breakers=frozenset(breakers),
        morph=morph,
        actors=tuple(actors),
        countries=tuple(countries),
        places=tuple(places),
        country_index={c.name: i for i, c in enumerate(countries)},
        dates=dates,
        numbers=numbers,
        country_names=LiteralScanner(list(country_of_name)),
        country_of_name=tuple(country_of_name.values()),
        cue_index={k: tuple(v) for k, v in cue_index.items()},
        history_unless=frozenset(history_unless),
    )


_LAM_PREFIXES = frozenset({"ل", "ول", "فل"})  # before a name whose «ال» the ل absorbed («للنيجر»)
_NO_SUFFIX = frozenset({""})

# What a lexicon hit may be: (literal length, rule words, names), each with the
# prefixes and suffixes its token may add around the literal.
WordEntry = tuple[int, str, frozenset[str], frozenset[str]]  # term id, form, prefixes, suffixes
NameEntry = tuple[str, int, frozenset[str], frozenset[str]]  # kind, index, prefixes, suffixes
LexiconEntry = tuple[int, tuple[WordEntry, ...], tuple[NameEntry, ...]]


class _Lexicon:
    """Every literal a sentence is read for, with what a hit of it may be.  The
    affixes each may carry are worked out here, once per rule pack, so reading a
    sentence only tests set membership."""

    def __init__(self, morph: Morphology) -> None:
        self.morph = morph
        self._words: dict[str, list[WordEntry]] = {}
        self._names: dict[str, list[NameEntry]] = {}

    def add_word(self, lit: str, tid: int, form: str) -> None:
        pre, suf = self.morph.affixes[form]
        self._words.setdefault(lit, []).append((tid, form, pre, suf))

    def add_name(self, t: str, kind: str, idx: int) -> None:
        """A name or phrase head; names with ال also match after ل («للنيجر», «للحكومة»)."""
        m = self.morph
        suf = m.nisba_suffixes if kind == "nisba" else _NO_SUFFIX
        self._names.setdefault(t, []).append((kind, idx, m.noun_prefixes if kind == "nisba" else m.name_prefixes, suf))
        if t.startswith("ال") and len(t) > 3:
            self._names.setdefault(t[1:], []).append((kind, idx, _LAM_PREFIXES, suf))

    def entries(self) -> list[tuple[str, LexiconEntry]]:
        lits = sorted(self._words.keys() | self._names.keys())
        return [(lit, (len(lit), tuple(self._words.get(lit, ())), tuple(self._names.get(lit, ())))) for lit in lits]


def _literals(w: Word) -> list[tuple[str, str]]:
    """The strings the automaton looks for, with the form each is verified as."""
    t = w.text
    if w.kind == "exact":
        return [(t, EXACT)]
    if w.kind == "verb":
        out = [(t, VERB)]
        # Verbs that begin with alef drop it in the present: انسحب → ينسحب,
        # استولى → يستولي, أحرق → يحرق.  Not hollow four-letter verbs, whose
        # present changes its vowel (أشاد → يشيد): «شاد» would match «تشاد».
        if t[0] == "ا" and (len(t) >= 5 or len(t) == 4 and t[2] not in "اوي"):
            out.append((t[1:], VERB_IMPF))
        if len(t) >= 4 and t.endswith("ي"):  # استدعى → استدعت
            out.append((t[:-1], VERB_DEF))
        return out
    out = [(t, NOUN)]
    if len(t) > 2 and t.endswith("ه"):  # ة: سيطرة → سيطرتهم, سيطرات
        out.append((t[:-1], NOUN_TA))
    return out
