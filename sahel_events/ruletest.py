"""Run the examples every rule carries (semgrep-style rule tests)."""

from __future__ import annotations

from dataclasses import dataclass

from .extract import DocMeta, Extractor
from .rules import Example, Rule


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    rule: Rule
    example: Example
    must_match: bool
    reason: str

    def __str__(self) -> str:
        kind = "example" if self.must_match else "counter_example"
        return f"{self.rule.file}:{self.example.line}: {self.rule.id} {kind}: {self.reason}\n    {self.example.text}"


def run_examples(ex: Extractor) -> tuple[int, list[ExampleFailure]]:
    """(examples run, failures): must-match examples give an event from their
    rule with the expected fields; counter-examples give none from their rule."""
    failures: list[ExampleFailure] = []
    count = 0
    meta = DocMeta(doc_id="example")
    for rule in ex.rules.rules:
        for e in rule.examples:
            count += 1
            cands = [c for c in ex.candidates(e.text, meta) if c.rule.id == rule.id]
            ok = [c for c in cands if c.dropped is None]
            if not ok:
                why = "; ".join(f"{c.dropped}" + (f" by «{c.cue}»" if c.cue else "") for c in cands) or "no match"
                failures.append(ExampleFailure(rule, e, True, f"no event ({why})"))
                continue
            if e.expect:
                events = ex.extract(e.text, meta)
                spans = {c.span for c in ok}
                mine = [ev for ev in events if any((m.start, m.end) in spans for m in ev.mentions)]
                recs = [ev.to_record() for ev in mine]
                if not any(all(str(r.get(k)) == v for k, v in e.expect) for r in recs):
                    got = [{k: r.get(k) for k, _ in e.expect} for r in recs]
                    failures.append(ExampleFailure(rule, e, True, f"expected {dict(e.expect)}, got {got}"))
        for e in rule.counter_examples:
            count += 1
            bad = [c for c in ex.candidates(e.text, meta) if c.rule.id == rule.id and c.dropped is None]
            if bad:
                failures.append(ExampleFailure(rule, e, False, f"gave an event: «{e.text[bad[0].span[0] : bad[0].span[1]]}»"))
    return count, failures
