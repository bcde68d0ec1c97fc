"""Fatality counts and attribution tags from normalised Arabic text.

The word lists live in ``rules/lexicon/numbers.toml`` and
``rules/lexicon/attribution.toml``; this module compiles them into one frozen,
picklable `NumberGrammar` and reads NORMALISED text (see `text.normalize`).

Fatalities follow ACLED: reported deaths only, never the wounded, the most
conservative reading of a vague figure, and "unknown" is not zero.  The
conventions are documented at the top of numbers.toml.

How a count is found (positions are in the normalised text):

1. one regex finds every lexicon word, with its proclitics (و ف ب ل ال);
   the other tokens stay plain words, digits become numbers;
2. number words, multipliers, vague words and modifiers fold into one
   quantity («ما لا يقل عن خمسة وعشرين» = 25, vague);
3. a death word BEFORE a quantity, a dual or a singular noun gives a count
   («مقتل 12 جنديا», «مقتل جنديين», «مقتل جندي»), and «و» + quantity +
   noun continues the list («و3 مدنيين»);
4. a quantity not used yet, followed by a death word, gives a count
   («سقوط 14 قتيلا», «لقي 5 أشخاص حتفهم»).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, RuleError
from .text import normalize_term, tokenize
from .tomlpos import Locator, TomlProblem, parse_toml, read_pack_file

__all__ = [
    "Fatalities",
    "NumberGrammar",
    "find_fatalities",
    "find_tags",
    "load_number_grammar",
    "total_fatalities",
]

_LETTER = "\u0621-\u064a"
# Proclitics: conjunction, then a preposition and/or the article («وبالقتلى», «للقتلى»).
_CLITIC = "(?:[وف]?(?:[بلك]?ال|لل|[بلك])?)"
_WORD = re.compile(f"[{_LETTER}]+")


_CLITIC_FORMS = tuple(a + b for a in ("", "و", "ف") for b in ("", "ال", "بال", "لال", "كال", "لل", "ب", "ل", "ك"))


@dataclass(frozen=True)
class Alternation:
    """`head (alt0|alt1|...) tail`, where head asserts «not after a letter» and takes
    the proclitics, and every alternative opens with a whole word.

    Matching tries a position only where a word starts that can open some
    alternative (that word behind a proclitic), and there only those
    alternatives, in their order: an alternative whose first word is not there
    cannot match, so the result is the whole pattern's.  `re` cannot skip ahead
    on a pattern that opens with a lookbehind (the whole alternation ran at every
    character), and compiling the whole pattern costs ~30 ms a process; each
    small pattern is compiled when first needed."""

    head: str
    alts: tuple[str, ...]
    tail: str
    exact: dict[str, tuple[int, ...]] = field(hash=False)  # opener word -> alternatives
    star: tuple[tuple[str, int], ...] = ()  # (beginning of an opener word, alternative) for «word*»
    anywhere: bool = False  # some alternative opens with no Arabic word: the whole pattern, everywhere
    star_prefixes: tuple[str, ...] = ()  # the beginnings in `star`, for one `str.startswith` test
    # alternatives -> their compiled pattern, filled as matching needs them; never pickled
    _compiled: dict[tuple[int, ...], re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_compiled": {}}

    @classmethod
    def build(cls, head: str, alts: list[str], first_words: list[str], tail: str) -> Alternation:
        exact: dict[str, list[int]] = {}
        star: list[tuple[str, int]] = []
        for k, w in enumerate(first_words):
            for c in _CLITIC_FORMS:
                if w.endswith("*"):
                    star.append((c + w.rstrip("*"), k))
                else:
                    exact.setdefault(c + w, []).append(k)
        anywhere = not all(_WORD.fullmatch(w.rstrip("*")) for w in first_words)
        exact_ks = {w: tuple(sorted(set(ks))) for w, ks in exact.items()}
        return cls(head, tuple(alts), tail, exact_ks, tuple(star), anywhere, tuple(sorted({pre for pre, _ in star})))

    @property
    def source(self) -> str:
        return self.head + "|".join(self.alts) + self.tail

    def _pattern(self, ks: tuple[int, ...]) -> re.Pattern[str]:
        got = self._compiled.get(ks)
        if got is None:
            got = self._compiled[ks] = re.compile(self.head + "|".join(self.alts[k] for k in ks) + self.tail)
        return got

    def finditer(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """The matches of the whole pattern in text[start:end], as `re.finditer` gives them."""
        if self.anywhere:
            yield from self._pattern(tuple(range(len(self.alts)))).finditer(text, start, end)
            return
        last = start
        for w in _WORD.finditer(text, start, end):
            p = w.start()
            if p < last:
                continue
            word = w.group()
            ks = self.exact.get(word, ())
            if self.star_prefixes and word.startswith(self.star_prefixes):
                more = {k for pre, k in self.star if word.startswith(pre)}
                if more:
                    ks = tuple(sorted(more.union(ks)))
            if not ks:
                continue
            m = self._pattern(ks).match(text, p, end)
            if m is not None:
                yield m
                last = m.end()


_BREAK_CHARS = frozenset(".!?؟؛\n")
_WORD_RE = re.compile(f"^[{_LETTER}]+(?: [{_LETTER}]+)*$")
_DIGITS_RE = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)$")
_COUNT_DIGITS = 7  # a stated death toll has at most 7 digits (9,999,999)

# Kinds of lexicon words (and of a few tokens).
NUM, MULT, VAGUE = "num", "mult", "vague"
APPROX, RANGE_OPEN, RANGE_TO, LINK = "approx", "range_open", "range_to", "link"
BEFORE, AFTER, AFTER_ONE = "before", "after", "after_one"
CASUALTY, SINGLE, DUAL = "casualty", "single", "dual"
WOUNDED, NEG, UNIT = "wounded", "negation", "unit"
QTY, CONJ, OF = "qty", "conj", "of"

_NUMBER_PREFIXES = frozenset({"", "و", "ف", "ب"})
_VAGUE_PREFIXES = _NUMBER_PREFIXES | {"ال", "وال", "فال", "بال", "لل", "ولل", "فلل"}
_PARTICLE_PREFIXES = frozenset({"", "و", "ف"})
_ALLOWED_PREFIXES: dict[str, frozenset[str]] = {
    NUM: _NUMBER_PREFIXES,
    MULT: _NUMBER_PREFIXES,
    VAGUE: _VAGUE_PREFIXES,
    APPROX: _PARTICLE_PREFIXES,
    RANGE_OPEN: _PARTICLE_PREFIXES,
    RANGE_TO: _PARTICLE_PREFIXES,
    LINK: _PARTICLE_PREFIXES,
    NEG: _PARTICLE_PREFIXES,
}

# numbers.toml: section -> key -> kind (None: integer keys, the kind is the section's).
_NUMBER_SECTIONS: dict[str, dict[str, str] | str] = {
    "cardinals": NUM,
    "multipliers": MULT,
    "vague": VAGUE,
    "modifiers": {"approximate": APPROX, "range_open": RANGE_OPEN, "range_to": RANGE_TO, "links": LINK},
    "death": {"before": BEFORE, "after": AFTER, "after_one": AFTER_ONE},
    "casualties": {"plural": CASUALTY, "single": SINGLE, "dual": DUAL},
    "wounded": {"words": WOUNDED},
    "negation": {"words": NEG},
    "units": {"words": UNIT},
}
_NUMBER_SETTINGS = {"forward_window": 4, "post_window": 2, "negation_scope": 3}
_TAG_SETTINGS = {"max_gap": 6, "negation_scope": 6}


@dataclass(frozen=True, slots=True)
class _Entry:
    kinds: frozenset[str]
    num: int = 0  # value of a cardinal or multiplier
    vague: int = 0  # value of a vague word


@dataclass(frozen=True)
class NumberGrammar:
    """Compiled numbers.toml and attribution.toml (frozen, picklable)."""

    lexicon: Alternation  # every lexicon word with its proclitics: groups `pre`, `core`
    entries: dict[str, _Entry] = field(hash=False)  # normalised core -> what it is
    forward_window: int
    post_window: int
    negation_scope: int
    tags: Alternation | None  # one alternative per phrase, group name t<i>
    tag_names: tuple[str, ...]  # tag of group t<i>
    tag_negatable: tuple[bool, ...]
    tag_negations: frozenset[str]
    tag_negation_scope: int
    sources: tuple[str, ...] = field(default=())  # the two files, for messages


@dataclass(frozen=True, slots=True)
class Fatalities:
    """One stated death toll: `count` people, at text[start:end] (normalised)."""

    count: int
    start: int
    end: int
    vague: bool


# ---------------------------------------------------------------------------
# Loading


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @staticmethod
    def rel(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.rel(path), line, message, hint))

    def read(self, path: Path) -> tuple[dict[str, Any], Locator]:
        try:
            raw = read_pack_file(path)
        except OSError as e:
            self.problem(path, 1, f"cannot read: {e.strerror or e}")
            return {}, Locator("")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            self.problem(path, raw[: e.start].count(b"\n") + 1, "not UTF-8", "save the file as UTF-8")
            return {}, Locator("")
        try:
            data = parse_toml(text)
        except TomlProblem as e:
            self.problem(path, e.line, e.message, e.hint)
            return {}, Locator(text)
        return data, Locator(text)

    def keys(self, path: Path, loc: Locator, where: tuple[object, ...], table: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for k in table:
            if k not in allowed:
                self.problem(path, loc.line(*where, k), f"unknown key '{k}'", "allowed: " + ", ".join(sorted(allowed)))

    def integer(self, path: Path, loc: Locator, where: tuple[object, ...], table: dict[str, Any], key: str, default: int) -> int:
        v = table.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 20:
            self.problem(path, loc.line(*where, key), f"'{key}' must be a whole number from 0 to 20")
            return default
        return v

    def words(self, path: Path, loc: Locator, where: tuple[object, ...], value: Any, *, phrase: bool = False) -> list[str]:
        """Normalised terms of a list of strings; problems name the line of each bad item."""
        line = loc.line(*where)
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            self.problem(path, line, f"'{where[-1]}' must be a list of strings")
            return []
        out: list[str] = []
        for raw in value:
            term = normalize_term(raw)
            check = term.replace("...", "").replace("*", "") if phrase else term
            check = " ".join(check.split())
            if not check or not _WORD_RE.match(check):
                at = loc.find(raw, line) if raw.strip() else line
                what = "phrase" if phrase else "word"
                self.problem(path, at, f"'{raw}' is not an Arabic {what}", "Arabic letters and single spaces only")
                continue
            out.append(term)
        return out


def _load_numbers(ld: _Loader, path: Path) -> tuple[dict[str, _Entry], dict[str, int]]:
    data, loc = ld.read(path)
    if not data:
        if not ld.problems:
            ld.problem(path, 1, "empty numbers file")
        return {}, dict(_NUMBER_SETTINGS)
    ld.keys(path, loc, (), data, {"settings", *_NUMBER_SECTIONS})
    for required in ("cardinals", "death", "casualties"):
        if required not in data:
            ld.problem(path, 1, f"missing table [{required}]")
    settings = data.get("settings", {})
    values: dict[str, int] = dict(_NUMBER_SETTINGS)
    if isinstance(settings, dict):
        ld.keys(path, loc, ("settings",), settings, _NUMBER_SETTINGS)
        for key, default in _NUMBER_SETTINGS.items():
            values[key] = ld.integer(path, loc, ("settings",), settings, key, default)
    else:
        ld.problem(path, loc.line("settings"), "'settings' must be a table")

    kinds: dict[str, set[str]] = {}
    nums: dict[str, tuple[int, int]] = {}  # term -> (value, line) for cardinals and multipliers
    vague: dict[str, int] = {}
    for section, spec in _NUMBER_SECTIONS.items():
        table = data.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            ld.problem(path, loc.line(section), f"'{section}' must be a table")
            continue
        if isinstance(spec, dict):
            ld.keys(path, loc, (section,), table, spec)
            for key, kind in spec.items():
                if key in table:
                    for term in ld.words(path, loc, (section, key), table[key]):
                        kinds.setdefault(term, set()).add(kind)
            continue
        for key, value in table.items():
            line = loc.line(section, key)
            # ASCII digits only, and few: int() of 4,301 digits fails, and of «²» too
            n = int(key) if key.isascii() and key.isdigit() and len(key) <= 18 else 0
            if n <= 0:
                shown = key if len(key) <= 40 else key[:40] + "…"
                ld.problem(path, line, f"key '{shown}' must be a positive whole number", f'e.g. 3 = ["ثلاثة"] in [{section}]')
                continue
            for term in ld.words(path, loc, (section, key), value):
                kinds.setdefault(term, set()).add(spec)
                if spec == VAGUE:
                    vague[term] = n
                    continue
                old = nums.get(term)
                if old is not None and old[0] != n:
                    ld.problem(path, line, f"'{term}' is both {old[0]} (line {old[1]}) and {n}")
                nums[term] = (n, line)
    for term, ks in kinds.items():
        if NUM in ks and MULT in ks:
            ld.problem(path, nums[term][1], f"'{term}' is both a cardinal and a multiplier")
    entries = {t: _Entry(frozenset(ks), nums.get(t, (0, 0))[0], vague.get(t, 0)) for t, ks in kinds.items()}
    return entries, values


# A gap of «...» in a tag phrase: separators, then up to max_gap words each followed by
# separators.  A gap word holds no separator: were a comma both (as it once was),
# a run of commas could be split between words and separators in exponentially
# many ways (30 commas took 71 s).  With the two character sets disjoint, every
# split is forced and a failing gap costs a walk over it.
_GAP_SEP = "[ ،,]+"
_GAP_WORD = "[^\\s.!?؟؛،,]+"


def _phrase_regex(phrase: str, max_gap: int) -> str:
    """Regex of one phrase; its first word's boundary and proclitics are added by the caller."""
    parts: list[str] = []
    gap = False
    for w in phrase.split():
        if w == "...":
            gap = True
            continue
        core = re.escape(w.rstrip("*")) + (f"[{_LETTER}]*" if w.endswith("*") else "")
        word = f"{core}(?![{_LETTER}])" if not parts else f"(?<![{_LETTER}]){_CLITIC}{core}(?![{_LETTER}])"
        if parts:
            parts.append(f"{_GAP_SEP}(?:{_GAP_WORD}{_GAP_SEP}){{0,{max_gap}}}?" if gap else " +")
        parts.append(word)
        gap = False
    return "".join(parts)


def _load_tags(
    ld: _Loader, path: Path
) -> tuple[Alternation | None, tuple[str, ...], tuple[bool, ...], frozenset[str], int]:
    data, loc = ld.read(path)
    ld.keys(path, loc, (), data, {"settings", "tag"})
    settings = data.get("settings", {})
    max_gap, scope = _TAG_SETTINGS["max_gap"], _TAG_SETTINGS["negation_scope"]
    negations: list[str] = []
    if isinstance(settings, dict):
        ld.keys(path, loc, ("settings",), settings, {*_TAG_SETTINGS, "negations"})
        max_gap = ld.integer(path, loc, ("settings",), settings, "max_gap", max_gap)
        scope = ld.integer(path, loc, ("settings",), settings, "negation_scope", scope)
        negations = ld.words(path, loc, ("settings", "negations"), settings.get("negations", []))
    else:
        ld.problem(path, loc.line("settings"), "'settings' must be a table")
    tags = data.get("tag", [])
    if data and not tags:
        ld.problem(path, 1, "no [[tag]] tables")
    if not isinstance(tags, list):
        ld.problem(path, loc.line("tag"), "'tag' must be an array of tables ([[tag]])")
        tags = []
    phrases: list[tuple[str, int]] = []  # (normalised phrase, tag index)
    names: list[str] = []
    negatable: list[bool] = []
    for i, tag in enumerate(tags):
        where: tuple[object, ...] = ("tag", i)
        if not isinstance(tag, dict):
            ld.problem(path, loc.line(*where), "each [[tag]] must be a table")
            continue
        ld.keys(path, loc, where, tag, {"name", "patterns", "negatable"})
        name = tag.get("name")
        if not isinstance(name, str) or not name.strip():
            ld.problem(path, loc.line(*where, "name"), "'name' must be a non-empty string")
            continue
        if name in names:
            ld.problem(path, loc.line(*where, "name"), f"tag '{name}' is defined twice")
            continue
        neg = tag.get("negatable", False)
        if not isinstance(neg, bool):
            ld.problem(path, loc.line(*where, "negatable"), "'negatable' must be true or false")
            neg = False
        raw = tag.get("patterns")
        if not raw:
            ld.problem(path, loc.line(*where), f"tag '{name}' has no patterns")
        for p in ld.words(path, loc, (*where, "patterns"), raw or [], phrase=True):
            ws = p.split()
            if (
                ws[0] == "..."
                or ws[-1] == "..."
                or any(a == b == "..." for a, b in zip(ws, ws[1:], strict=False))
                or any("*" in w.rstrip("*") or "." in w.replace("...", "") for w in ws)
            ):
                line = loc.line(*where, "patterns")
                ld.problem(path, line, f"bad pattern '{p}'", "'...' only between words, '*' only at the end of a word")
                continue
            phrases.append((p, len(names)))
        names.append(name)
        negatable.append(neg)
    if not phrases:
        return None, tuple(names), tuple(negatable), frozenset(negations), scope
    # Longest phrases first: where two start at one place, the longer wins.
    phrases.sort(key=lambda x: (-len(x[0].replace("...", "").replace("*", "")), x[0]))
    alts = [f"(?P<t{k}>{_phrase_regex(p, max_gap)})" for k, (p, _) in enumerate(phrases)]
    tag_of = tuple(names[t] for _, t in phrases)
    neg_of = tuple(negatable[t] for _, t in phrases)
    # The boundary and proclitics of the first word are shared: a position inside a word fails at once.
    firsts = [p.split()[0] for p, _ in phrases]
    tags = Alternation.build(f"(?<![{_LETTER}]){_CLITIC}(?:", alts, firsts, ")")
    return tags, tag_of, neg_of, frozenset(negations), scope


def load_number_grammar(numbers_toml: Path, attribution_toml: Path) -> NumberGrammar:
    """Load and compile both files; RuleError lists every problem as file:line."""
    ld = _Loader()
    numbers_toml, attribution_toml = Path(numbers_toml), Path(attribution_toml)
    entries, settings = _load_numbers(ld, numbers_toml)
    tags, tag_names, tag_neg, tag_negations, tag_scope = _load_tags(ld, attribution_toml)
    if ld.problems:
        raise RuleError(f"{len(ld.problems)} problem(s) in {numbers_toml} / {attribution_toml}", tuple(ld.problems))
    cores = sorted(entries, key=lambda t: (-len(t), t))
    lexicon = Alternation.build(
        f"(?<![{_LETTER}])(?P<pre>{_CLITIC})(?P<core>",
        [re.escape(c).replace("\\ ", " +").replace(" ", " +") for c in cores] or ["(?!)"],
        [c.split()[0] for c in cores] or ["-"],
        f")(?![{_LETTER}])",
    )
    for alt in (lexicon, tags):
        if alt is not None:
            re.compile(alt.source)  # fails here, at load, if ever wrong
    return NumberGrammar(
        lexicon=lexicon,
        entries=entries,
        forward_window=settings["forward_window"],
        post_window=settings["post_window"],
        negation_scope=settings["negation_scope"],
        tags=tags,
        tag_names=tag_names,
        tag_negatable=tag_neg,
        tag_negations=tag_negations,
        tag_negation_scope=tag_scope,
        sources=(str(numbers_toml), str(attribution_toml)),
    )


# ---------------------------------------------------------------------------
# Fatalities


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    pre: str
    kinds: frozenset[str]
    num: int = 0
    vague_value: int = 0
    brk: bool = False  # a sentence break stands between the previous item and this one
    vague: bool = False  # of a quantity


def _items(text: str, g: NumberGrammar, start: int, end: int) -> list[_Item]:
    """Lexicon words (with the kinds their proclitic allows) and plain tokens, in order."""
    matches: dict[int, _Item] = {}
    for m in g.lexicon.finditer(text, start, end):
        pre = m.group("pre")
        entry = g.entries[" ".join(m.group("core").split())]
        kinds = frozenset(k for k in entry.kinds if pre in _ALLOWED_PREFIXES.get(k, frozenset({pre})))
        if kinds:
            matches[m.start()] = _Item(m.start(), m.end(), pre, kinds, entry.num, entry.vague)
    out: list[_Item] = []
    skip_to = start
    for tok in tokenize(text, start, end):
        if tok.start < skip_to:
            continue
        item = matches.get(tok.start)
        if item is None:
            tkinds: frozenset[str] = frozenset()
            num = 0
            if _DIGITS_RE.match(tok.text) and not text.startswith("%", tok.end):
                digits = tok.text.replace(",", "")
                if len(digits) <= _COUNT_DIGITS:  # a longer run is no head count (and `int` refuses 4,301 digits)
                    tkinds, num = frozenset({NUM}), int(digits)
                if tok.end < len(text) and text[tok.end] in ".," and text[tok.end + 1 : tok.end + 2].isdigit():
                    tkinds, num = frozenset(), 0  # 3.5 or 1,5: not a head count
            elif tok.text in ("و", "ف"):
                tkinds = frozenset({CONJ})
            elif tok.text == "من":
                tkinds = frozenset({OF})
            item = _Item(tok.start, tok.end, "digit" if num else "", tkinds, num)
        prev_end = out[-1].end if out else start
        item.brk = any(c in _BREAK_CHARS for c in text[prev_end : item.start])
        out.append(item)
        skip_to = item.end
    return out


def _is_number(it: _Item) -> bool:
    return bool(it.kinds & {NUM, MULT, VAGUE})


def _read_number(seq: list[_Item], j: int) -> tuple[int, int, bool]:
    """(value, index after the number, vague) of the number starting at seq[j]."""
    first = seq[j]
    if first.pre == "digit":
        k = j + 1
        if k < len(seq) and not seq[k].brk and MULT in seq[k].kinds and seq[k].pre == "":
            return first.num * seq[k].num, k + 1, False
        return first.num, k, False
    if NUM not in first.kinds and MULT not in first.kinds:  # a vague word: «عشرات», «عشرات الآلاف»
        value = first.vague_value
        k = j + 1
        if k < len(seq) and not seq[k].brk and VAGUE in seq[k].kinds and seq[k].vague_value >= 100 and seq[k].pre in ("", "ال"):
            return value * seq[k].vague_value, k + 1, True
        return value, k, True
    total, cur, last = 0, 0, 0
    vague = False
    if MULT in first.kinds:
        vague = VAGUE in first.kinds and first.vague_value > 0  # «آلاف» alone is vague
        if first.num >= 1000:
            total, last = first.num, first.num
        else:
            cur, last = first.num, first.num
    else:
        cur, last = first.num, first.num
    k = j + 1
    while k < len(seq) and not seq[k].brk:
        it = seq[k]
        if MULT in it.kinds and it.pre == "" and cur > 0 and last < (1000 if it.num >= 1000 else 10):
            if it.num >= 1000:
                total += cur * it.num
                cur = 0
            else:
                cur *= it.num
            last = it.num
            vague = False
            k += 1
            continue
        conj = it.pre == "و" or (CONJ in it.kinds and k + 1 < len(seq) and it.end == seq[k + 1].start - 1)
        nxt = it if it.pre == "و" else (seq[k + 1] if CONJ in it.kinds and k + 1 < len(seq) else None)
        if conj and nxt is not None and NUM in nxt.kinds and nxt.pre != "digit":
            v = nxt.num
            ok = (
                (1 <= last <= 9 and v % 10 == 0 and 20 <= v <= 90)
                or (last >= 100 and v < last)
                or (total and not cur and v < 1000)
            )
            if ok:
                cur += v
                last = v
                k += 1 if nxt is it else 2
                continue
        break
    return total + cur, k, vague


def _compose(seq: list[_Item]) -> list[_Item]:
    """Fold numbers with their modifiers and compounds into QTY items."""
    out: list[_Item] = []
    i, n = 0, len(seq)
    while i < n:
        it = seq[i]
        j, vague, ranged = i, False, False
        if it.kinds & {APPROX, RANGE_OPEN} and i + 1 < n and not seq[i + 1].brk and _is_number(seq[i + 1]):
            j, vague, ranged = i + 1, True, RANGE_OPEN in it.kinds
        if _is_number(seq[j]):
            value, k, v2 = _read_number(seq, j)
            vague = vague or v2
            # The upper end of a range: «بين 10 و15», «10 إلى 15».
            if k < n and not seq[k].brk:
                nk = seq[k]
                if ranged and (nk.pre == "و" or CONJ in nk.kinds) and (_is_number(nk) or (k + 1 < n and _is_number(seq[k + 1]))):
                    _, k, _ = _read_number(seq, k if _is_number(nk) else k + 1)
                    vague = True
                elif RANGE_TO in nk.kinds and k + 1 < n and not seq[k + 1].brk and _is_number(seq[k + 1]):
                    _, k, _ = _read_number(seq, k + 1)
                    vague = True
            if value > 0:
                q = _Item(it.start, seq[k - 1].end, it.pre if it.pre != "digit" else "", frozenset({QTY}), value)
                q.vague, q.brk = vague, it.brk
                out.append(q)
                i = k
                continue
        out.append(it)
        i += 1
    return out


class _Scan:
    def __init__(self, seq: list[_Item], g: NumberGrammar) -> None:
        self.seq = seq
        self.g = g
        self.used: set[int] = set()
        self.found: list[Fatalities] = []

    def ok(self, k: int) -> bool:
        """seq[k] exists, follows without a sentence break and is not used yet."""
        return k < len(self.seq) and not self.seq[k].brk and k not in self.used

    def has(self, k: int, *kinds: str) -> bool:
        return self.ok(k) and bool(self.seq[k].kinds & set(kinds))

    def negated(self, i: int) -> bool:
        k = i - 1
        while k >= 0 and i - k <= self.g.negation_scope + 1:
            if self.seq[k + 1].brk:
                return False
            if NEG in self.seq[k].kinds:
                return True
            k -= 1
        return False

    def wounded_next(self, k: int) -> bool:
        """«قتيلا وجريحا», «قتلى وجرحى»: deaths and wounded in one figure."""
        if self.has(k, WOUNDED):
            return True
        return self.has(k, CONJ) and self.has(k + 1, WOUNDED)

    def emit(self, count: int, a: int, b: int, vague: bool) -> None:
        self.used.update(range(a, b + 1))
        self.found.append(Fatalities(count, self.seq[a].start, self.seq[b].end, vague))

    def victims(self, k: int) -> int:
        """Index of the last word of «جنديا», «من الجنود», «قتيلا» after a quantity at k-1 (k-1 when none)."""
        if self.has(k, CASUALTY, AFTER, DUAL):
            # «12 جنديا قتلوا», «5 أشخاص حتفهم» — the death word after the noun belongs here too.
            if self.has(k + 1, AFTER) and not (self.seq[k].kinds & {AFTER}):
                return k + 1
            return k
        if self.has(k, OF) and self.has(k + 1, CASUALTY, AFTER):
            return k + 1
        return k - 1

    def continuation(self, p: int) -> None:
        """«مقتل 5 جنود و3 مدنيين»: و + quantity + victims continues the list."""
        while p < len(self.seq):
            q = p + 1 if self.has(p, CONJ) else p
            if not self.has(q, QTY) or (q == p and self.seq[q].pre != "و"):
                return
            last = self.victims(q + 1)
            if last == q or self.has(q + 1, UNIT):
                return
            if AFTER in self.seq[last].kinds and self.wounded_next(last + 1):
                return
            self.emit(self.seq[q].num, q, last, self.seq[q].vague)
            p = last + 1

    def forward(self, i: int) -> None:
        """A death word before its victims: «مقتل 12 جنديا», «مقتل جنديين», «مقتل جندي»."""
        seq, j = self.seq, i + 1
        if not self.ok(j) or self.negated(i) or self.wounded_next(j):
            return
        if DUAL in seq[j].kinds:
            self.emit(2, i, j + (1 if self.has(j + 1, QTY) and seq[j + 1].num == 2 else 0), False)
            self.continuation(max(self.used) + 1)
            return
        if SINGLE in seq[j].kinds and not (self.has(j + 1, QTY) and seq[j + 1].pre != "و" and self.victims(j + 2) > j + 1):
            one = j + 1 if self.has(j + 1, QTY) and seq[j + 1].num == 1 else j  # «جندي واحد»
            self.emit(1, i, one, False)
            self.continuation(one + 1)
            return
        k = j
        while k < len(seq) and k - j <= self.g.forward_window:
            if not self.ok(k) or seq[k].kinds & {WOUNDED, NEG, BEFORE, UNIT}:
                return
            if QTY in seq[k].kinds:
                break
            k += 1
        else:
            return
        if self.has(k + 1, UNIT):
            return
        last = self.victims(k + 1)
        if last == k and not all(LINK in seq[x].kinds for x in range(j, k)):
            return
        if AFTER in seq[last].kinds and self.wounded_next(last + 1):
            return
        self.emit(seq[k].num, i, last, seq[k].vague)
        self.continuation(last + 1)

    def backward(self, i: int) -> None:
        """A quantity before its death word: «سقوط 14 قتيلا», «لقي 5 أشخاص حتفهم», «قتيلين»."""
        seq = self.seq
        it = seq[i]
        if self.negated(i):
            return
        if DUAL in it.kinds and AFTER in it.kinds:  # «سقوط قتيلين»
            if not self.wounded_next(i + 1):
                self.emit(2, i, i, False)
            return
        if SINGLE in it.kinds:  # «لقي جندي حتفه»
            if self.has(i + 1, AFTER_ONE) and not self.wounded_next(i + 2):
                self.emit(1, i, i + 1, False)
            return
        count = it.num if QTY in it.kinds else 2
        k, steps = i + 1, 0
        while self.ok(k) and steps <= self.g.post_window:
            kinds = seq[k].kinds
            if AFTER in kinds:
                between = range(i + 1, k)
                if self.wounded_next(k + 1) or any(RANGE_OPEN in seq[x].kinds for x in between):
                    return
                self.emit(count, i, k, it.vague)
                return
            if not kinds & {CASUALTY, OF, RANGE_OPEN}:
                return
            k += 1
            steps += 1

    def run(self) -> list[Fatalities]:
        for i, it in enumerate(self.seq):
            if i not in self.used and BEFORE in it.kinds:
                self.forward(i)
        for i, it in enumerate(self.seq):
            if i in self.used:
                continue
            if (
                QTY in it.kinds
                or (DUAL in it.kinds and CASUALTY not in it.kinds)
                or it.kinds >= {DUAL, AFTER}
                or SINGLE in it.kinds
            ):
                self.backward(i)
        return sorted(self.found, key=lambda f: (f.start, f.end))


def find_fatalities(text: str, g: NumberGrammar, start: int = 0, end: int | None = None) -> list[Fatalities]:
    """Every death toll stated in the normalised text[start:end], in text order.

    Wounded never count; a figure that mixes deaths and wounded («مقتل وإصابة
    20») gives nothing; a number without a death word gives nothing."""
    stop = len(text) if end is None else end
    seq = _compose(_items(text, g, start, stop))
    return _Scan(seq, g).run()


def total_fatalities(found: list[Fatalities]) -> int | None:
    """Sum of the distinct counts (by span) of one event; None when none was stated."""
    if not found:
        return None
    spans: dict[tuple[int, int], int] = {}
    for f in found:
        spans[(f.start, f.end)] = f.count
    # A span inside another (the same toll found twice through overlapping clauses) counts once.
    keys = sorted(spans, key=lambda s: (s[0], -s[1]))
    total, reach = 0, -1
    for s, e in keys:
        if e <= reach:
            continue
        total += spans[(s, e)]
        reach = max(reach, e)
    return total


# ---------------------------------------------------------------------------
# Attribution tags


def _tag_negated(text: str, g: NumberGrammar, pos: int, start: int) -> bool:
    window = text[max(start, pos - 400) : pos]
    cut = max(window.rfind(c) for c in _BREAK_CHARS)
    window = window[cut + 1 :]
    words = [t.text for t in tokenize(window)][-g.tag_negation_scope :] if g.tag_negation_scope else []
    return any(w in g.tag_negations or (w[:1] in ("و", "ف") and w[1:] in g.tag_negations) for w in words)


def find_tags(text: str, g: NumberGrammar, start: int = 0, end: int | None = None) -> tuple[str, ...]:
    """Sorted, unique attribution tags found in the normalised text[start:end]."""
    if g.tags is None:
        return ()
    stop = len(text) if end is None else end
    found: set[str] = set()
    for m in g.tags.finditer(text, start, stop):
        k = int((m.lastgroup or "t0")[1:])
        name = g.tag_names[k]
        if name in found:
            continue
        if g.tag_negatable[k] and _tag_negated(text, g, m.start(), start):
            continue
        found.add(name)
    return tuple(sorted(found))
