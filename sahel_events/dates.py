"""When did it happen?  Arabic date expressions resolved to date ranges.

The words live in ``rules/lexicon/dates.toml``; this module holds only the
small grammar that combines them.  Everything works on NORMALISED text
(`text.normalize`), so offsets are normalised offsets.

    «الثلاثاء 28 أكتوبر/تشرين الأول 2025», «28/10/2025»   a day
    «28 أكتوبر», «الأول من أكتوبر»                         a day, year from the reference date
    «أكتوبر 2025», «أكتوبر الماضي», «الشهر الماضي»          a month
    «عام 2017», «في 2017», «العام الماضي»                   a year
    «مساء الأحد», «الثلاثاء الماضي», «أمس», «أول أمس»       a day before the reference date
    «قبل ثلاثة أيام», «منذ أسبوعين», «قبل أيام»             units back from the reference date
    «مطلع سبتمبر», «أواخر الشهر الماضي», «منتصف العام»     part of a month or a year
    «منذ ...»                                              since=True: an ongoing state that began then

The reference date is the publication date.  Without it only expressions that
write their year resolve; nothing ever uses today's date.

A mention is a range [lo, hi] with an ACLED time precision derived from it:
1 a single day, 2 a week or a part of one month, 3 a whole month or coarser.
For «منذ X» the range is that of X (its beginning), with since=True.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any, NamedTuple

from .errors import Problem, RuleError
from .text import normalize_term
from .tomlpos import Locator, TomlProblem, parse_toml, read_pack_file

__all__ = ["DateGrammar", "DateMention", "default_dates_path", "find_dates", "latest_explicit_date", "load_date_grammar"]


def default_dates_path() -> Path:
    """The dates.toml of the shipped rule pack."""
    from .rules import default_rules_dir  # late: rules imports this module

    return default_rules_dir() / "lexicon" / "dates.toml"


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int  # character offsets in the normalised text given
    end: int
    lo: dt.date  # the range the expression denotes (lo == hi for a known day)
    hi: dt.date
    precision: int  # ACLED time_precision: 1 a day, 2 a week or a range inside a month, 3 a month or coarser
    since: bool  # «منذ سبتمبر الماضي»: an ongoing state that began in [lo, hi]
    explicit_year: bool  # the expression wrote its year


# Kinds of phrase.  Payloads are int tuples (picklable, cheap to compare).
_UNITS = ("day", "week", "month", "year")
_FORMS = ("singular", "dual", "plural")
_WORD_KINDS = (
    "month_word", "year_word", "day_word", "this_week", "this_month", "this_year", "this", "last", "current", "next",
    "day_parts", "since", "ago", "approx", "ago_not_before", "hijri_months", "year_intro", "of", "era", "count_units",
    "prefixes",
)  # fmt: skip
_REL = {"last": -1, "current": 0, "next": 1}

Payload = tuple[int, ...]
Entry = dict[str, Payload]


@dataclass(frozen=True)
class DateGrammar:
    """The compiled dates.toml: phrase table keyed by token tuples (picklable)."""

    phrases: dict[tuple[str, ...], Entry]
    max_len: int
    prefixes: tuple[str, ...]
    not_before: tuple[frozenset[str], ...]  # per relative_day entry: words that cancel it
    approx: tuple[tuple[str, ...], ...]  # approx phrases (checked backwards before a bare year)
    week_start: int = 1
    bare_year: tuple[int, int] = (1950, 2099)
    few: tuple[int, int] = (2, 7)
    source: str = field(default="", compare=False)
    firsts: frozenset[str] = frozenset()  # first words of all phrases: most tokens start none
    openers: frozenset[str] = frozenset()  # the first words, bare or behind a prefix («وفي», «بالأمس»)


# ---------------------------------------------------------------------------
# Tokens

# A digit date (same separator twice), a number, a word, or one punctuation mark.
_TOK = re.compile(
    r"(?P<dd>\d{1,4}(?P<sep>[/.\-])\d{1,2}(?P=sep)\d{1,4})(?![\d/])"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<w>[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+|[a-z\u00c0-\u024f]+)"
    r"|(?P<p>[^\s\w])"
)


class _Tok(NamedTuple):
    start: int
    end: int
    text: str
    kind: str  # dd | num | w | p


_NEW = tuple.__new__  # a NamedTuple built by tuple.__new__ skips the Python-level __new__ of its class


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Tok]:
    e = len(text) if end is None else end
    return [_NEW(_Tok, (m.start(), m.end(), m.group(), m.lastgroup or "p")) for m in _TOK.finditer(text, start, e)]


def _key(s: str) -> tuple[str, ...]:
    return tuple(t.text for t in _tokens(normalize_term(s)))


# ---------------------------------------------------------------------------
# Loading


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.loc = Locator("")
        self.phrases: dict[tuple[str, ...], Entry] = {}
        self.owner: dict[tuple[str, tuple[str, ...]], tuple[Payload, str]] = {}

    def problem(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(str(self.path), line, message, hint))

    def keys(self, where: tuple[object, ...], table: Any, allowed: Iterable[str]) -> bool:
        if not isinstance(table, dict):
            self.problem(self.loc.line(*where), f"'{where[0]}' must be a table")
            return False
        allowed = set(allowed)
        for k in table:
            if k not in allowed:
                self.problem(self.loc.line(*where, k), f"unknown key '{k}'", "allowed: " + ", ".join(sorted(allowed)))
        return True

    def integer(self, where: tuple[object, ...], table: dict[str, Any], key: str, lo: int, hi: int) -> int | None:
        v = table.get(key)
        if v is None:
            self.problem(self.loc.line(*where), f"missing '{key}'")
            return None
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            self.problem(self.loc.line(*where, key), f"'{key}' must be a whole number from {lo} to {hi}, not {v!r}")
            return None
        return v

    def pair(self, where: tuple[object, ...], table: dict[str, Any], key: str, lo: int, hi: int) -> tuple[int, int] | None:
        v = table.get(key)
        ok = (
            isinstance(v, list)
            and len(v) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi for x in v)
            and v[0] <= v[1]
        )
        if not ok:
            self.problem(self.loc.line(*where, key), f"'{key}' must be [first, last] with {lo} ≤ first ≤ last ≤ {hi}")
            return None
        return int(v[0]), int(v[1])  # type: ignore[index]

    def names(self, where: tuple[object, ...], table: dict[str, Any], key: str, required: bool = False) -> list[str]:
        v = table.get(key)
        if v is None:
            if required:
                self.problem(self.loc.line(*where), f"missing '{key}'")
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.problem(self.loc.line(*where, key), f"'{key}' must be a list of non-empty strings")
            return []
        return list(v)

    def add(self, where: tuple[object, ...], key: str, name: str, kind: str, payload: Payload, exclusive: bool = True) -> None:
        k = _key(name)
        if not k:
            self.problem(self.loc.line(*where, key), f"'{name}' has no letters or digits")
            return
        entry = self.phrases.setdefault(k, {})
        old = entry.get(kind)
        if old is not None and old != payload and exclusive:
            line = self.loc.find(name, self.loc.line(*where, key))
            self.problem(line, f"'{name}' is listed twice with different meanings ({kind})", "keep it in one entry")
            return
        if exclusive:
            # A month name must not also be a weekday (and so on): one reading per name.
            clash = [c for c in ("month", "weekday", "relday") if c != kind and c in entry]
            if kind in ("month", "weekday", "relday") and clash:
                line = self.loc.find(name, self.loc.line(*where, key))
                self.problem(line, f"'{name}' is both {kind} and {clash[0]}", "keep one")
                return
        entry[kind] = payload


def load_date_grammar(path: Path) -> DateGrammar:
    """Read and check dates.toml; raise RuleError naming file:line for every problem."""
    path = Path(path)
    ld = _Loader(path)
    try:
        text = read_pack_file(path).decode("utf-8")
    except (OSError, UnicodeError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RuleError(f"cannot read {path}", (Problem(str(path), 1, f"cannot read: {why}"),)) from e
    try:
        data = parse_toml(text)
    except TomlProblem as e:
        raise RuleError(f"TOML syntax error in {path}", (Problem(str(path), e.line, e.message, e.hint),)) from e
    ld.loc = Locator(text)
    ld.keys((), data, ("settings", "month", "weekday", "relative_day", "unit", "number", "part", "words"))

    settings = data.get("settings", {})
    week_start, bare, few = 1, (1950, 2099), (2, 7)
    if ld.keys(("settings",), settings, ("week_start", "bare_year_min", "bare_year_max", "few")):
        if "week_start" in settings:
            week_start = ld.integer(("settings",), settings, "week_start", 1, 7) or 1
        bmin = ld.integer(("settings",), settings, "bare_year_min", 1000, 9999) if "bare_year_min" in settings else 1950
        bmax = ld.integer(("settings",), settings, "bare_year_max", 1000, 9999) if "bare_year_max" in settings else 2099
        bare = (bmin or 1950, bmax or 2099)
        if "few" in settings:
            few = ld.pair(("settings",), settings, "few", 1, 99) or few

    def array(name: str) -> list[tuple[tuple[object, ...], dict[str, Any]]]:
        v = data.get(name, [])
        if not isinstance(v, list):
            ld.problem(ld.loc.line(name), f"'{name}' must be an array of tables: write [[{name}]]")
            return []
        out: list[tuple[tuple[object, ...], dict[str, Any]]] = []
        for i, t in enumerate(v):
            if isinstance(t, dict):
                out.append(((name, i), t))
            else:
                ld.problem(ld.loc.line(name), f"'{name}' must be an array of tables: write [[{name}]]")
        return out

    seen_months: set[int] = set()
    for where, t in array("month"):
        ld.keys(where, t, ("number", "names", "guarded"))
        n = ld.integer(where, t, "number", 1, 12)
        names, guarded = ld.names(where, t, "names"), ld.names(where, t, "guarded")
        if not names and not guarded:
            ld.problem(ld.loc.line(*where), "a month needs 'names' or 'guarded'")
        if n is None:
            continue
        seen_months.add(n)
        for s in names:
            ld.add(where, "names", s, "month", (n, 0))
        for s in guarded:
            ld.add(where, "guarded", s, "month", (n, 1))
    for n in sorted(set(range(1, 13)) - seen_months):
        ld.problem(ld.loc.line("month"), f"no [[month]] with number = {n}")

    seen_days: set[int] = set()
    for where, t in array("weekday"):
        ld.keys(where, t, ("number", "names"))
        n = ld.integer(where, t, "number", 1, 7)
        names = ld.names(where, t, "names", required=True)
        if n is None:
            continue
        seen_days.add(n)
        for s in names:
            ld.add(where, "names", s, "weekday", (n,))
    for n in sorted(set(range(1, 8)) - seen_days):
        ld.problem(ld.loc.line("weekday"), f"no [[weekday]] with number = {n}")

    not_before: list[frozenset[str]] = []
    for where, t in array("relative_day"):
        ld.keys(where, t, ("offset", "names", "not_before"))
        off = ld.integer(where, t, "offset", -7, 7)
        names = ld.names(where, t, "names", required=True)
        nb = frozenset(" ".join(_key(s)) for s in ld.names(where, t, "not_before"))
        if off is None:
            continue
        for s in names:
            ld.add(where, "names", s, "relday", (off, len(not_before)))
        not_before.append(nb)

    for where, t in array("unit"):
        ld.keys(where, t, ("unit", *_FORMS))
        u = t.get("unit")
        if u not in _UNITS:
            ld.problem(ld.loc.line(*where, "unit"), f"unknown unit {u!r}", "one of: " + ", ".join(_UNITS))
            continue
        for fi, form in enumerate(_FORMS):
            for s in ld.names(where, t, form):
                ld.add(where, form, s, "unit", (_UNITS.index(u), fi))

    for where, t in array("number"):
        ld.keys(where, t, ("value", "words", "ordinals"))
        v = ld.integer(where, t, "value", 1, 99)
        if v is None:
            continue
        for s in ld.names(where, t, "words"):
            ld.add(where, "words", s, "number", (v,))
        for s in ld.names(where, t, "ordinals"):
            ld.add(where, "ordinals", s, "ordinal", (v,))

    for where, t in array("part"):
        ld.keys(where, t, ("names", "days", "months"))
        days = ld.pair(where, t, "days", 1, 31)
        months = ld.pair(where, t, "months", 1, 12)
        names = ld.names(where, t, "names", required=True)
        if days and months:
            for s in names:
                ld.add(where, "names", s, "part", (*days, *months))

    words = data.get("words", {})
    prefixes: list[str] = []
    if ld.keys(("words",), words, _WORD_KINDS):
        for kind in _WORD_KINDS:
            for s in ld.names(("words",), words, kind):
                if kind == "prefixes":
                    prefixes.append(normalize_term(s))
                else:
                    ld.add(("words",), kind, s, kind, (), exclusive=False)

    if ld.problems:
        raise RuleError(f"{len(ld.problems)} problem(s) in {path}", tuple(ld.problems))
    approx = tuple(k for k, e in ld.phrases.items() if "approx" in e)
    return DateGrammar(
        phrases=ld.phrases,
        max_len=max((len(k) for k in ld.phrases), default=1),
        prefixes=tuple(sorted(set(prefixes), key=len, reverse=True)),
        not_before=tuple(not_before),
        approx=approx,
        week_start=week_start,
        bare_year=bare,
        few=few,
        source=str(path),
        firsts=(firsts := frozenset(k[0] for k in ld.phrases)),
        openers=firsts | {p + f for p in set(prefixes) for f in firsts},
    )


# ---------------------------------------------------------------------------
# Calendar helpers


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _precision(lo: dt.date, hi: dt.date) -> int:
    if lo == hi:
        return 1
    if (hi - lo).days <= 6:
        return 2
    if (lo.year, lo.month) == (hi.year, hi.month) and not (lo.day == 1 and hi == _month_end(hi.year, hi.month)):
        return 2
    return 3


def _year_ok(tok: _Tok, lo: int = 1900, hi: int = 2099) -> int | None:
    if tok.kind == "num" and len(tok.text) == 4 and tok.text.isdigit() and lo <= int(tok.text) <= hi:
        return int(tok.text)
    return None


class _R(NamedTuple):
    """A parsed expression: tokens [i, j) and its range."""

    i: int
    j: int
    lo: dt.date
    hi: dt.date
    explicit_year: bool


# ---------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, toks: list[_Tok], g: DateGrammar, ref: dt.date | None) -> None:
        self.t = toks
        self.g = g
        self.ref = ref
        self._memo: dict[int, list[tuple[int, Entry]]] = {}

    # -- phrase lookup -----------------------------------------------------
    def _at(self, i: int) -> list[tuple[int, Entry]]:
        """(length, entry) of every phrase starting at token i, longest first."""
        got = self._memo.get(i)
        if got is not None:
            return got
        out: list[tuple[int, Entry]] = []
        t, g = self.t, self.g
        if i < len(t) and t[i].kind in ("w", "p") and t[i].text in g.openers:
            first = t[i].text
            heads = [first] + [first[len(p) :] for p in g.prefixes if first.startswith(p) and len(first) > len(p)]
            heads = [h for h in heads if h in g.firsts]
            for n in range(min(g.max_len, len(t) - i), 0, -1) if heads else ():
                rest = tuple(x.text for x in t[i + 1 : i + n])
                for h in heads:
                    e = g.phrases.get((h, *rest))
                    if e is not None:
                        out.append((n, e))
                        break
        self._memo[i] = out
        return out

    def has(self, i: int, kind: str) -> tuple[int, Payload] | None:
        """Longest phrase at token i that has `kind`: (length, payload)."""
        for n, e in self._at(i):
            p = e.get(kind)
            if p is not None:
                return n, p
        return None

    def skip(self, i: int, kind: str) -> int:
        h = self.has(i, kind)
        return i + h[0] if h else i

    def text(self, i: int) -> str:
        return self.t[i].text if i < len(self.t) else ""

    def punct(self, i: int, chars: str) -> bool:
        return i < len(self.t) and self.t[i].kind == "p" and self.t[i].text in chars

    def rel(self, i: int) -> tuple[int, int | None]:
        """A «الماضي/الجاري/المقبل» at i: (next index, -1/0/1) or (i, None)."""
        for kind, v in _REL.items():
            h = self.has(i, kind)
            if h:
                return i + h[0], v
        return i, None

    def year_after(self, i: int) -> tuple[int, int | None]:
        """A written year at i («2025», «2025م»)."""
        if i < len(self.t):
            y = _year_ok(self.t[i])
            if y is not None:
                return self.skip(i + 1, "era"), y
        return i, None

    def is_count(self, i: int) -> bool:
        """Is the number at token i a count (followed by a unit word or preceded by «نحو»)?"""
        if self.has(i + 1, "count_units") or self.punct(i + 1, "%"):
            return True
        return any(i >= len(k) and tuple(x.text for x in self.t[i - len(k) : i]) == k for k in self.g.approx)

    def month(self, i: int) -> tuple[int, int, bool] | None:
        """MONTH [/ MONTH | (MONTH)] at i: (next, month, had alias)."""
        h = self.has(i, "month")
        if not h:
            return None
        n, (m, guarded) = h
        j = i + n
        alias = False
        if self.punct(j, "/(-"):
            h2 = self.has(j + 1, "month")
            if h2 and h2[1][0] == m:
                alias = True
                j = j + 1 + h2[0]
                if self.punct(j, ")"):
                    j += 1
        # A guarded name without an alias comes back negative: the caller checks its context.
        return j, (-m if guarded and not alias else m), alias

    # -- resolution ----------------------------------------------------------
    def resolve_month(self, m: int, year: int | None, rel: int | None) -> tuple[int, int] | None:
        if year is not None:
            return year, m
        r = self.ref
        if r is None:
            return None
        if rel is None:
            return (r.year if m <= r.month else r.year - 1), m
        if rel < 0:
            return (r.year if m < r.month else r.year - 1), m
        if rel == 0:
            return r.year, m
        return (r.year if m > r.month else r.year + 1), m

    def resolve_day(self, d: int, m: int, year: int | None, rel: int | None) -> dt.date | None:
        r = self.ref
        if year is None:
            if r is None:
                return None
            if rel is None:
                year = r.year if (m, d) <= (r.month, r.day) else r.year - 1
            elif rel < 0:
                year = r.year if (m, d) < (r.month, r.day) else r.year - 1
            elif rel == 0:
                year = r.year
            else:
                year = r.year if (m, d) > (r.month, r.day) else r.year + 1
        try:
            return dt.date(year, m, d)
        except ValueError:
            return None

    def week_of(self, d: dt.date) -> tuple[dt.date, dt.date]:
        lo = d - dt.timedelta(days=(d.isoweekday() - self.g.week_start) % 7)
        return lo, lo + dt.timedelta(days=6)

    def unit_range(self, unit: str, back: int) -> tuple[dt.date, dt.date]:
        """The period `back` units before ref (0 = the one holding ref)."""
        r = self.ref
        assert r is not None
        if unit == "day":
            d = r - dt.timedelta(days=back)
            return d, d
        if unit == "week":
            return self.week_of(r - dt.timedelta(days=7 * back))
        if unit == "month":
            y, m = _shift_month(r.year, r.month, -back)
            return dt.date(y, m, 1), _month_end(y, m)
        y = r.year - back
        return dt.date(y, 1, 1), dt.date(y, 12, 31)

    # -- grammar -------------------------------------------------------------
    def anchor(self, i: int, intro: int = 0) -> _R | None:
        """A date expression at token i.  `intro`: 0 nothing before it, 1 after «في/خلال/حتى»
        (a number 1900–2099 is a year unless a count noun follows), 2 after «منذ» (always a year)."""
        if i >= len(self.t) or self.t[i].kind not in ("num", "dd") and not self._at(i):
            return None  # every expression opens with a number or a phrase («في مدينة» after «في»)
        for f in (self.digit_date, self.day_date, self.part, self.month_expr, self.period, self.weekday_or_relday):
            r = f(i)
            if r is not None:
                return r
        return self.year(i, intro)

    def digit_date(self, i: int) -> _R | None:
        if i >= len(self.t) or self.t[i].kind != "dd":
            return None
        a, b, c = re.split(r"[/.\-]", self.t[i].text)
        if len(c) == 4 and len(a) <= 2:
            d, m, y = int(a), int(b), int(c)
        elif len(a) == 4 and len(c) <= 2:
            y, m, d = int(a), int(b), int(c)
        else:
            return None
        if not 1900 <= y <= 2099:
            return None
        try:
            day = dt.date(y, m, d)
        except ValueError:
            return None
        return _R(i, i + 1, day, day, True)

    def day_prefix(self, i: int) -> int:
        """[day part] [«يوم»] before a weekday, a relative day or a date."""
        return self.skip(self.skip(i, "day_parts"), "day_word")

    def day_date(self, i: int) -> _R | None:
        j = self.day_prefix(i)
        w = self.has(j, "weekday")
        if w:
            j += w[0]
            if self.punct(j, "،,"):
                j += 1
        if j >= len(self.t):
            return None
        tok = self.t[j]
        day: int | None = None
        need_of = False
        if tok.kind == "num" and tok.text.isdigit() and len(tok.text) <= 2 and 1 <= int(tok.text) <= 31:
            day = int(tok.text)
            j += 1
        else:
            o = self.has(j, "ordinal")
            if o:
                day, need_of = o[1][0], True
                j += o[0]
        if day is None:
            return None
        k = self.skip(j, "of")
        if need_of and k == j:
            return None
        k = self.skip(k, "month_word")
        mm = self.month(k)
        if mm is None:
            return None
        j, m, _ = mm
        m = abs(m)  # a day number is context enough for a guarded name
        j, year = self.year_after(j)
        rel = None
        if year is None:
            j, rel = self.rel(j)
        d = self.resolve_day(day, m, year, rel)
        if d is None:
            return None
        return _R(i, j, d, d, year is not None)

    def month_core(self, i: int, context: bool) -> tuple[int, tuple[int, int], bool] | None:
        """[«شهر»] MONTH [YEAR | rel]: (next, (year, month), explicit year)."""
        k = self.skip(i, "month_word")
        context = context or k > i
        mm = self.month(k)
        if mm is None:
            return None
        j, m, alias = mm
        j, year = self.year_after(j)
        rel = None
        if year is None:
            j, rel = self.rel(j)
        if m < 0 and not (context or alias or year is not None or rel is not None):
            return None
        ym = self.resolve_month(abs(m), year, rel)
        if ym is None:
            return None
        return j, ym, year is not None

    def month_expr(self, i: int) -> _R | None:
        got = self.month_core(i, False)
        if got is None:
            return None
        j, (y, m), explicit = got
        return _R(i, j, dt.date(y, m, 1), _month_end(y, m), explicit)

    def period_core(self, i: int) -> tuple[int, str, tuple[dt.date, dt.date], bool] | None:
        """«الشهر الماضي», «هذا العام», «العام الجاري», «الأسبوع المقبل» (and the bare
        «الشهر»/«العام» when `bare`): (next, unit, range, explicit)."""
        k = self.skip(i, "this")
        demonstrative = k > i
        for kind, unit in (("this_week", "week"), ("this_month", "month"), ("this_year", "year")):
            h = self.has(k, kind)
            if not h:
                continue
            j, rel = self.rel(k + h[0])
            if demonstrative and rel is None:
                rel = 0
            if rel is None or self.ref is None:
                return None
            return j, unit, self.unit_range(unit, -rel), False
        return None

    def period(self, i: int) -> _R | None:
        got = self.period_core(i)
        if got is None:
            return None
        j, _, (lo, hi), explicit = got
        return _R(i, j, lo, hi, explicit)

    def part(self, i: int) -> _R | None:
        h = self.has(i, "part")
        if not h:
            return None
        n, (d1, d2, m1, m2) = h
        k = i + n
        # a month: «مطلع سبتمبر», «أواخر أكتوبر الماضي»
        got = self.month_core(k, True)
        if got is not None:
            j, (y, m), explicit = got
            end = _month_end(y, m)
            return _R(i, j, dt.date(y, m, d1), min(end, dt.date(y, m, min(d2, end.day))), explicit)
        # a period of the reference date: «مطلع الشهر», «منتصف الشهر الماضي», «نهاية العام»
        k2 = self.skip(k, "this")
        for kind, unit in (("this_month", "month"), ("this_year", "year")):
            hh = self.has(k2, kind)
            if not hh:
                continue
            j, rel = self.rel(k2 + hh[0])
            if j == k2 + hh[0] and kind == "this_year":
                # «مطلع العام 2024»
                j2, year = self.year_after(j)
                if year is not None:
                    return _R(i, j2, dt.date(year, m1, 1), _month_end(year, m2), True)
            if self.ref is None:
                return None
            lo, hi = self.unit_range(unit, -(rel or 0))
            if unit == "month":
                end = hi
                return _R(i, j, lo.replace(day=d1), end.replace(day=min(d2, end.day)), False)
            return _R(i, j, dt.date(lo.year, m1, 1), _month_end(lo.year, m2), False)
        # a year: «مطلع 2024», «نهاية عام 2023»
        k3 = self.skip(k, "year_word")
        if k3 < len(self.t):
            year = _year_ok(self.t[k3])
            if year is not None and (k3 > k or not self.is_count(k3)):
                j = self.skip(k3 + 1, "era")
                return _R(i, j, dt.date(year, m1, 1), _month_end(year, m2), True)
        return None

    def year(self, i: int, intro: int) -> _R | None:
        k = self.skip(i, "year_word")
        if k >= len(self.t):
            return None
        if k > i or intro:
            y = _year_ok(self.t[k])
            if y is None or (k == i and intro < 2 and self.is_count(k)):
                return None
        else:
            y = _year_ok(self.t[k], *self.g.bare_year)
            if y is None or self.is_count(k):
                return None
        j = self.skip(k + 1, "era")
        return _R(i, j, dt.date(y, 1, 1), dt.date(y, 12, 31), True)

    def weekday_or_relday(self, i: int) -> _R | None:
        j = self.day_prefix(i)
        r = self.ref
        w = self.has(j, "weekday")
        if w:
            if r is None:
                return None
            wd = w[1][0]
            j2, rel = self.rel(j + w[0])
            if rel is not None and rel > 0:
                delta = (wd - r.isoweekday()) % 7 or 7
                d = r + dt.timedelta(days=delta)
            else:
                back = (r.isoweekday() - wd) % 7
                if rel is not None and rel < 0 and back == 0:
                    back = 7
                d = r - dt.timedelta(days=back)
            return _R(i, j2, d, d, False)
        h = self.has(j, "relday")
        if h:
            off, nb = h[1]
            j2 = j + h[0]
            if self.text(j2) in self.g.not_before[nb] or r is None:
                return None
            d = r + dt.timedelta(days=off)
            return _R(i, j2, d, d, False)
        return None

    def duration(self, i: int) -> tuple[int, str, int | None] | None:
        """[approx] N UNIT | DUAL | UNIT: (next, unit, count; None = a few)."""
        k = self.skip(i, "approx")
        count: int | None = None
        tok = self.t[k] if k < len(self.t) else None
        if tok is not None and tok.kind == "num" and tok.text.isdigit() and len(tok.text) <= 3:
            count = int(tok.text)
            k += 1
        else:
            num = self.has(k, "number")
            if num:
                count = num[1][0]
                k += num[0]
        u = self.has(k, "unit")
        if not u:
            return None
        unit, form = _UNITS[u[1][0]], _FORMS[u[1][1]]
        j = k + u[0]
        if count is None:
            if form == "dual":
                count = 2
            elif form == "singular":
                count = 1
        elif form == "dual":
            return None
        # «قبل ثلاثة أيام من الهجوم», «منذ شهر رمضان», «قبل عام 2020», «قبل يوم الثلاثاء»
        for kind in ("ago_not_before", "hijri_months", "month", "weekday", "relday", "this_week", "this_month", "this_year"):
            if self.has(j, kind):
                return None
        if j < len(self.t) and self.t[j].kind in ("num", "dd"):
            return None
        if count == 0:
            return None
        return j, unit, count

    def duration_range(self, unit: str, count: int | None) -> tuple[dt.date, dt.date]:
        if count is not None:
            return self.unit_range(unit, count)
        a, b = self.g.few
        return self.unit_range(unit, b)[0], self.unit_range(unit, a)[1]

    def top(self, i: int) -> tuple[_R, bool] | None:
        """The expression starting at token i, with its since flag."""
        s = self.has(i, "since")
        if s:
            j = i + s[0]
            r = self.anchor(j, intro=2)
            if r is not None:
                return r._replace(i=i), True
            d = self.duration(j)
            if d is not None and self.ref is not None:
                lo, hi = self.duration_range(d[1], d[2])
                return _R(i, d[0], lo, hi, False), True
            return None
        a = self.has(i, "ago")
        if a:
            d = self.duration(i + a[0])
            if d is not None and self.ref is not None:
                lo, hi = self.duration_range(d[1], d[2])
                return _R(i, d[0], lo, hi, False), False
            return None
        y = self.has(i, "year_intro")
        if y:
            r = self.anchor(i + y[0], intro=1)
            return (r, False) if r is not None else None
        r = self.anchor(i)
        return (r, False) if r is not None else None


_SPAN = 24  # tokens an expression may run before its number (the longest in corpus and tests: 7)
_NEAR = [True] * (_SPAN + 1)


def _top(p: _Parser, i: int) -> tuple[_R, bool] | None:
    """`p.top(i)`, or None when the expression resolves outside the calendar:
    «أمس» published 0001-01-01, «الشهر المقبل» published 9999-12-31."""
    try:
        return p.top(i)
    except (OverflowError, ValueError):  # date arithmetic past year 1 or 9999
        return None


def find_dates(text: str, grammar: DateGrammar, ref: dt.date | None, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every date expression in text[start:end] (normalised text), resolved against `ref`
    (the publication date; None: only expressions that write their year)."""
    toks = _tokens(text, start, end)
    p = _Parser(toks, grammar, ref)
    out: list[DateMention] = []
    # Without a reference date only expressions that write their year resolve:
    # positions further than _SPAN tokens before the next year (1900-2099, alone or
    # in a digit date) cannot start one.  An undated article is scanned whole this way.
    near: list[bool] | None = None
    if ref is None:
        near = [False] * len(toks)
        for k, t in enumerate(toks):
            if t.kind == "dd" or t.kind == "num" and _year_ok(t) is not None:
                lo = max(0, k - _SPAN)
                near[lo : k + 1] = _NEAR[: k + 1 - lo]  # this year and the _SPAN tokens before it
    openers = grammar.openers
    free = 0  # the first token after the last expression found
    for i in range(len(toks)) if near is None else compress(range(len(toks)), near):
        tok = toks[i]
        # Every expression opens with a number or a grammar phrase: most words open none.
        if i < free or tok.kind not in ("num", "dd") and tok.text not in openers:
            continue
        got = _top(p, i) if tok.kind in ("num", "dd") or p._at(i) else None
        if got is None:
            continue
        r, since = got
        out.append(DateMention(toks[r.i].start, toks[r.j - 1].end, r.lo, r.hi, _precision(r.lo, r.hi), since, r.explicit_year))
        free = r.j
    return out


def latest_explicit_date(text: str, grammar: DateGrammar, floor: dt.date | None = None) -> dt.date | None:
    """The latest date the text names with its year (a month → its last day, a year → 31 December).

    `floor`: a date already found (in the windows before this one of a large
    document).  Then only the neighbourhoods of the years that could beat it are
    read: an expression that writes its year Y ends in year Y, and lies within a
    few dozen tokens of it.  The answer may then be a date earlier than `floor`;
    the caller keeps the later of the two."""
    if floor is None:
        his = [m.hi for m in find_dates(text, grammar, None) if m.explicit_year]
        return max(his) if his else None
    best: dt.date | None = None
    for a, b in _year_stretches(text, grammar, floor.year):
        for m in find_dates(text, grammar, None, a, b):
            if m.explicit_year and (best is None or m.hi > best):
                best = m.hi
    return best


_YEAR_RUN = re.compile(r"(?<!\d)\d{4}(?!\d)")  # a year alone or in a digit date
_SPACE = re.compile(r"\s+")


def _year_stretches(text: str, g: DateGrammar, since: int) -> list[tuple[int, int]]:
    """Stretches of `text` around every four-digit number from `since` on, each reaching
    `reach` tokens before and after it (more than an expression spans), merged where
    they overlap.  Each starts after a space and ends at one: tokens never hold a
    space, so the stretch has the tokens the whole text has there."""
    reach = max(_SPAN, 12 * g.max_len + 6) + g.max_len
    out: list[tuple[int, int]] = []
    for m in _YEAR_RUN.finditer(text):
        if int(m.group()) < since:
            continue
        p = m.start()
        if out and p < out[-1][1]:
            a = out[-1][0]  # inside the last stretch: it only needs to reach further
        else:
            back = 256
            while True:
                q = max(0, p - back)
                sp = _SPACE.search(text, q, p) if q else None
                if q == 0 or sp is not None and len(_TOK.findall(text, sp.end(), p)) > reach:
                    a = sp.end() if sp is not None else 0
                    break
                back *= 4
        b, ahead = m.end(), 256
        while b < len(text) and len(_TOK.findall(text, m.end(), b)) <= reach:
            sp = _SPACE.search(text, min(len(text), m.end() + ahead))
            b = sp.start() if sp else len(text)
            ahead *= 4
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
