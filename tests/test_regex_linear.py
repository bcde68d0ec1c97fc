"""No regex of ours can backtrack catastrophically (issue 12, item 2).

A tag phrase's gap once split a run of commas between its words and its
separators in exponentially many ways: 30 Arabic commas after «أعلن» took
71 s, and one such file stalled a batch.  The patterns checked here are
gathered, not listed, so a new one is checked the day it is written:

- every compiled pattern at module level of every `sahel_events` module;
- every literal pattern handed to `re.*` in the package's source;
- every pattern the rule pack builds (the numbers and tags grammars: each
  alternative with its head and tail, as matching compiles them, and whole).

A call of `re.*` on a pattern built elsewhere fails
`test_every_regex_call_site_is_gathered` until it is gathered here.

Two checks: a static one (no quantifier is followed, or repeated, into the
characters it can itself end with), and a run of each pattern over a few
thousand copies of its own gap characters, in a subprocess with a generous
guard: an exponential pattern never finishes that run, a linear one takes
milliseconds.  Nothing here is timed.
"""

from __future__ import annotations

import ast
import functools
import importlib
import itertools
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from re import _constants as C  # noqa: N812 - the parser's node codes
from re import _parser

import sahel_events
from sahel_events import load_rules
from sahel_events.numbers import Alternation

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sahel_events"
RUN = 3000  # characters of each hostile run
# Characters hostile runs are made of: separators, punctuation, digits, letters, marks.
BASE = " \n\t،,.؛;:!?؟-/()«»\"'%0123456789اعلنتويبهءمسaz\u064e\u0640\u200f"
# The calls whose pattern is computed in a function: None, gathered from the rule
# pack's Alternations below; or the values its expression is evaluated with here.
COMPUTED: dict[str, dict[str, object] | None] = {
    "numbers.py:Alternation._pattern": None,  # each alternative of every Alternation
    "numbers.py:load_number_grammar": None,  # Alternation.source
    "tomlpos.py:parse_toml": {"limit": sys.get_int_max_str_digits() or 4300},
}
_RE_FUNCS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


# -- gathering ------------------------------------------------------------------


def _modules() -> Iterator[object]:
    for info in pkgutil.iter_modules(sahel_events.__path__):
        if info.name == "__main__":  # runs the command line when imported
            continue
        yield importlib.import_module(f"sahel_events.{info.name}")


def _source_calls() -> Iterator[tuple[str, str, ast.Call]]:
    """(file, enclosing qualified name, call) of every `re.X(...)` call of the package."""
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, where: str, file: str = path.name) -> Iterator[tuple[str, str, ast.Call]]:
            for child in ast.iter_child_nodes(node):
                name = where
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{where}.{child.name}" if where else child.name
                if (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and isinstance(child.func.value, ast.Name)
                    and child.func.value.id == "re"
                    and child.func.attr in _RE_FUNCS
                    and child.args
                ):
                    yield file, where, child
                yield from visit(child, name, file)

        yield from visit(tree, "")


def _call_pattern(file: str, where: str, arg: ast.expr) -> str | None:
    """The pattern a call of `re.*` hands over, when this test can know it: a literal,
    a module-level string, or an expression of `COMPUTED` evaluated with its values."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    module = vars(importlib.import_module(f"sahel_events.{file[:-3]}"))
    if isinstance(arg, ast.Name) and isinstance(module.get(arg.id), str):
        return str(module[arg.id])
    values = COMPUTED.get(f"{file}:{where}")
    if values is not None:
        got = eval(compile(ast.Expression(arg), file, "eval"), dict(module), dict(values))  # noqa: S307 - our own source
        return got if isinstance(got, str) else None
    return None


def _alternations(rules: object) -> Iterator[Alternation]:
    g = getattr(rules, "numbers", None)
    for name in ("lexicon", "tags"):
        alt = getattr(g, name, None)
        if isinstance(alt, Alternation):
            yield alt


@functools.cache
def gather() -> dict[str, re.Pattern[str]]:
    """Every pattern of ours, by where it comes from."""
    out: dict[str, re.Pattern[str]] = {}
    for mod in _modules():
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                out[f"{mod.__name__}.{name}"] = value
    for file, where, call in _source_calls():
        got = _call_pattern(file, where, call.args[0])
        if got is not None:
            out[f"{file}:{call.lineno}"] = re.compile(got)
    for alt in _alternations(load_rules()):
        out[f"rules:whole:{alt.alts[0][:20]}…"] = re.compile(alt.source)
        for k in range(len(alt.alts)):
            out[f"rules:{alt.alts[k][:40]}"] = alt._pattern((k,))
    return out


# -- what a pattern is made of ------------------------------------------------------

_CATEGORY = {
    C.CATEGORY_DIGIT: re.compile(r"\d"),
    C.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    C.CATEGORY_SPACE: re.compile(r"\s"),
    C.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    C.CATEGORY_WORD: re.compile(r"\w"),
    C.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


class Shape:
    """First and last characters of a parsed pattern's parts, over a sample alphabet."""

    def __init__(self, pattern: str) -> None:
        self.tree = _parser.parse(pattern)
        self.groups: dict[int, _parser.SubPattern] = {}
        literals = set()
        for op, av in self._nodes(self.tree):
            if op == C.LITERAL:
                literals.add(chr(av))
            elif op == C.RANGE:
                literals.update((chr(av[0]), chr(av[1])))
            elif op == C.SUBPATTERN and av[0] is not None:
                self.groups[av[0]] = av[3]
        self.alphabet = frozenset(BASE) | literals

    def _nodes(self, seq: object) -> Iterator[tuple[object, object]]:
        for op, av in seq:  # type: ignore[attr-defined]
            yield op, av
            if op == C.IN:
                yield from av
            elif op in _REPEATS:
                yield from self._nodes(av[2])
            elif op == C.SUBPATTERN:
                yield from self._nodes(av[3])
            elif op in (C.ASSERT, C.ASSERT_NOT):
                yield from self._nodes(av[1])
            elif op == C.ATOMIC_GROUP:
                yield from self._nodes(av)
            elif op == C.BRANCH:
                for alt in av[1]:
                    yield from self._nodes(alt)
            elif op == C.GROUPREF_EXISTS:
                for alt in av[1:]:
                    if alt is not None:
                        yield from self._nodes(alt)

    def chars(self, op: object, av: object) -> frozenset[str]:
        """The characters of the alphabet a one-character node accepts."""
        if op == C.LITERAL:
            return frozenset({chr(av)})  # type: ignore[arg-type]
        if op == C.NOT_LITERAL:
            return self.alphabet - {chr(av)}  # type: ignore[arg-type]
        if op == C.ANY:
            return self.alphabet - {"\n"}
        assert op == C.IN, op
        got: set[str] = set()
        negate = False
        for iop, iav in av:  # type: ignore[attr-defined]
            if iop == C.NEGATE:
                negate = True
            elif iop == C.LITERAL:
                got.add(chr(iav))
            elif iop == C.RANGE:
                got.update(c for c in self.alphabet if iav[0] <= ord(c) <= iav[1])
            elif iop == C.CATEGORY:
                got.update(c for c in self.alphabet if _CATEGORY[iav].match(c))
            else:
                raise AssertionError(f"class item {iop}")
        return frozenset(self.alphabet - got if negate else got & self.alphabet)

    def edge(self, seq: object, last: bool) -> tuple[frozenset[str], bool]:
        """(characters a match of `seq` can start with, or end with when `last`; whether it can be empty)."""
        out: set[str] = set()
        items = list(seq)  # type: ignore[call-overload]
        for op, av in reversed(items) if last else items:
            got, empty = self.item_edge(op, av, last)
            out |= got
            if not empty:
                return frozenset(out), False
        return frozenset(out), True

    def item_edge(self, op: object, av: object, last: bool) -> tuple[frozenset[str], bool]:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return self.chars(op, av), False
        if op in _ZERO_WIDTH:
            return frozenset(), True
        if op in _REPEATS:
            got, empty = self.edge(av[2], last)  # type: ignore[index]
            return got, empty or av[0] == 0  # type: ignore[index]
        if op == C.SUBPATTERN:
            return self.edge(av[3], last)  # type: ignore[index]
        if op == C.ATOMIC_GROUP:
            return self.edge(av, last)
        if op == C.BRANCH:
            parts = [self.edge(alt, last) for alt in av[1]]  # type: ignore[index]
            return frozenset().union(*(p for p, _ in parts)), any(e for _, e in parts)
        if op == C.GROUPREF:
            return self.edge(self.groups[av], last)  # type: ignore[index]
        if op == C.GROUPREF_EXISTS:
            parts = [self.edge(alt, last) for alt in av[1:] if alt is not None]  # type: ignore[index]
            return frozenset().union(*(p for p, _ in parts)), True
        raise AssertionError(f"node {op}")

    def var_tail(self, seq: object) -> frozenset[str]:
        """Characters the variable end of a match of `seq` may hold (what its last
        quantifiers could give back); empty when it ends with fixed characters
        («\\.» in `(?:[^"\\]|\\.)*`, «\\d» in `(?:\\d_?)+` before an empty «_?»)."""
        out: set[str] = set()
        for op, av in reversed(list(seq)):  # type: ignore[call-overload]
            if op in _ZERO_WIDTH:
                continue
            if op in _REPEATS:
                lo, hi, body = av
                if hi > lo:
                    out |= self.edge(body, True)[0]
                else:
                    out |= self.var_tail(body)
                if lo > 0:
                    break
                continue
            if op == C.SUBPATTERN:
                out |= self.var_tail(av[3])
            elif op == C.ATOMIC_GROUP:
                out |= self.var_tail(av)
            elif op == C.BRANCH:
                for alt in av[1]:
                    out |= self.var_tail(alt)
            break
        return frozenset(out)

    def lead(self, seq: object) -> tuple[frozenset[str], bool]:
        """(characters the quantifiers that open `seq` can take; whether `seq` can be
        passed over by them, so that what follows it opens too).  A fixed character
        ends the lead: `a+a` or `.*?\'\'\'` give back one character at a time to a
        literal, linear; `a+a+` could split a run of «a» in many ways."""
        out: set[str] = set()
        for op, av in seq:  # type: ignore[attr-defined]
            if op in _ZERO_WIDTH:
                continue
            if op in _REPEATS:
                lo, hi, body = av
                lo_w, hi_w = body.getwidth()
                if hi > lo or lo_w != hi_w:
                    out |= self.edge(body, False)[0]
                    if lo == 0:
                        continue
                    return frozenset(out), False
                sub, through = self.lead(body)
            elif op == C.SUBPATTERN:
                sub, through = self.lead(av[3])
            elif op == C.ATOMIC_GROUP:
                sub, through = self.lead(av)
            elif op == C.BRANCH:
                parts = [self.lead(alt) for alt in av[1]]
                sub, through = frozenset().union(*(p for p, _ in parts)), all(t for _, t in parts)
            else:
                return frozenset(out), False
            out |= sub
            if not through:
                return frozenset(out), False
        return frozenset(out), True

    def branches(self, seq: object) -> list[object]:
        """The alternatives of a body that is one alternation (in a group or not), else []."""
        items = [(op, av) for op, av in seq if op not in _ZERO_WIDTH]  # type: ignore[attr-defined]
        if len(items) != 1:
            return []
        op, av = items[0]
        if op == C.BRANCH:
            return list(av[1])  # type: ignore[index]
        if op == C.SUBPATTERN:
            return self.branches(av[3])  # type: ignore[index]
        return []

    def overlaps(self) -> list[str]:
        """Quantifiers that can give characters to what follows them, or to their own next round."""
        found: list[str] = []

        def walk(seq: object, follow: frozenset[str]) -> None:
            """`follow`: what the quantifiers that may come right after `seq` can take."""
            items = list(seq)  # type: ignore[call-overload]
            for i, (op, av) in enumerate(items):
                rest, through = self.lead(items[i + 1 :])
                after = rest | follow if through else rest
                if op in _REPEATS:
                    lo, hi, body = av
                    lo_w, hi_w = body.getwidth()
                    if hi > 1:
                        head, _ = self.edge(body, False)
                        # What the quantifier can give back, a character at a time: its
                        # characters (one a round), or what a round's variable end holds.
                        give = head if lo_w == hi_w == 1 else self.var_tail(body)
                        what = f"a quantifier over [{_show_chars(head)}…]"
                        if give & after:  # `[ ،,]+[^\s]+`, `\s*\s*`: the text between them splits many ways
                            found.append(f"{what} can give [{_show_chars(give & after)}] to a quantifier after it")
                        tail = self.var_tail(body)
                        if tail & head and lo_w != hi_w:  # `(?:a+b?)+`: so can a text between rounds
                            found.append(f"{what}: a round can end with [{_show_chars(tail & head)}], which starts one")
                        heads = [self.edge(alt, False)[0] for alt in self.branches(body)]
                        if any(a & b for a, b in itertools.combinations(heads, 2)):  # `(?:x|xy)+`: so can a round
                            found.append(f"{what}: two ways of a round start alike")
                    walk(body, after | self.lead(body)[0] if hi > 1 else after)
                elif op == C.SUBPATTERN:
                    walk(av[3], after)
                elif op == C.ATOMIC_GROUP:
                    walk(av, after)
                elif op in (C.ASSERT, C.ASSERT_NOT):
                    walk(av[1], frozenset())
                elif op == C.BRANCH:
                    for alt in av[1]:
                        walk(alt, after)
                elif op == C.GROUPREF_EXISTS:
                    for alt in av[1:]:
                        if alt is not None:
                            walk(alt, after)

        walk(self.tree, frozenset())
        return found

    def runs(self) -> Iterator[str]:
        """Hostile texts: what leads up to each quantifier, then a few thousand of
        its own characters (alone and in pairs), left unfinished."""
        seen: set[str] = set()

        def witness(seq: object) -> str:
            out = []
            for op, av in seq:  # type: ignore[attr-defined]
                if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                    cs = self.chars(op, av)
                    out.append(min(cs) if cs else "")
                elif op in _REPEATS:
                    out.append(witness(av[2]) * av[0])
                elif op == C.SUBPATTERN:
                    out.append(witness(av[3]))
                elif op == C.ATOMIC_GROUP:
                    out.append(witness(av))
                elif op == C.BRANCH:
                    out.append(witness(av[1][0]))
                elif op == C.GROUPREF:
                    out.append(witness(self.groups[av]))
            return "".join(out)

        def walk(seq: object, prefix: str) -> Iterator[str]:
            for op, av in seq:  # type: ignore[attr-defined]
                if op in _REPEATS:
                    lo, hi, body = av
                    if hi > 1:
                        own = sorted(self.edge(body, False)[0] | self.edge(body, True)[0])
                        for a, b in itertools.product(own, repeat=2):
                            text = prefix + (a + b) * (RUN // 2) if a != b else prefix + a * RUN
                            if text not in seen:
                                seen.add(text)
                                yield text
                    yield from walk(body, prefix)
                elif op == C.SUBPATTERN:
                    yield from walk(av[3], prefix)
                elif op == C.ATOMIC_GROUP:
                    yield from walk(av, prefix)
                elif op == C.BRANCH:
                    for alt in av[1]:
                        yield from walk(alt, prefix)
                prefix += witness([(op, av)])

        yield from walk(self.tree, "")


def _show_chars(cs: frozenset[str]) -> str:
    return "".join(sorted(cs)).encode("unicode_escape").decode()[:40]


def attack_all() -> None:
    """Run every gathered pattern over its hostile texts (in the subprocess), saying which first.

    A whole alternation is left to the static check: at a position it tries its
    alternatives one after the other, each of which is run here on its own."""
    for name, pat in gather().items():
        if name.startswith("rules:whole:"):
            continue
        print(name, flush=True)
        for text in Shape(pat.pattern).runs():
            for _ in pat.finditer(text):
                pass
    print("done", flush=True)


# -- tests ------------------------------------------------------------------------


def test_every_regex_call_site_is_gathered() -> None:
    """A pattern built at run time must come from a place `gather` reads."""
    loose = []
    for file, where, call in _source_calls():
        if where == "" or _call_pattern(file, where, call.args[0]) is not None:  # module level: read from the module
            continue
        if f"{file}:{where}" not in COMPUTED:
            loose.append(f"{file}:{call.lineno} in {where}")
    assert not loose, f"re.* on a computed pattern not gathered by this test: {loose}"


def test_gathering_finds_module_source_and_rule_patterns() -> None:
    names = gather()
    assert "sahel_events.text._SENT_END" in names
    assert any(n.startswith("events.py:") for n in names)  # fill_note's literal pattern
    tags = [p for n, p in names.items() if n.startswith("rules:") and "..." not in n and "{0," in p.pattern]
    assert tags, "the attribution gap «أعلن* ... مسؤوليت*» is among the gathered patterns"


def test_no_quantifier_overlaps_what_follows_it_or_its_next_round() -> None:
    bad = {}
    for name, pat in gather().items():
        found = Shape(pat.pattern).overlaps()
        if found:
            bad[name] = found[:2]
    assert not bad, bad


def test_the_old_attribution_gap_is_caught_by_both_checks() -> None:
    """The checks themselves: the gap as it was is flagged, and its hostile runs include a run of commas."""
    old = "اعلن[ء-ي]*(?![ء-ي])(?:[ ،,]+[^\\s.!?؟؛]+){0,6}?[ ،,]+مسءوليت"
    shape = Shape(old)
    assert shape.overlaps()
    assert any(t.endswith("،" * 100) and t.startswith("اعلن") for t in shape.runs())


def test_every_pattern_finishes_on_runs_of_its_own_gap_characters() -> None:
    """Each pattern over thousands of its own gap characters: linear ones finish in
    milliseconds; the guard (minutes) is there only so that a failure ends."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); from tests.test_regex_linear import attack_all; attack_all()"
    try:
        done = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
        last = out.strip().splitlines()[-1:] or ["?"]
        raise AssertionError(f"pattern {last[0]} did not finish on runs of its gap characters") from None
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("done")
