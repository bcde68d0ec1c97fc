"""Every example in every rule file runs as a test (like semgrep's rule tests)."""

from __future__ import annotations

import subprocess
import sys

from sahel_events.ruletest import run_examples
from tests.conftest import ROOT


def test_every_rule_has_both_kinds_of_example(rules) -> None:  # type: ignore[no-untyped-def]
    assert rules.rules
    for r in rules.rules:
        assert r.examples, r.id
        assert r.counter_examples, r.id


def test_every_counter_example_holds_a_trigger_of_its_rule(extractor) -> None:  # type: ignore[no-untyped-def]
    """A must-not-match example must hold the rule's own trigger (negated,
    speculative, historical, or another sense), not an unrelated sentence."""
    for r in extractor.rules.rules:
        for ex in r.counter_examples:
            assert any(c.rule.id == r.id for c in extractor.candidates(ex.text)), (
                f"{r.id}: counter-example never matches: {ex.text}"
            )


def test_all_rule_examples_pass(extractor) -> None:  # type: ignore[no-untyped-def]
    count, failures = run_examples(extractor)
    assert count >= 2 * len(extractor.rules.rules)
    assert not failures, "\n".join(str(f) for f in failures)


def test_rules_test_command_reports_and_exits_0() -> None:
    run = subprocess.run([sys.executable, "-m", "sahel_events", "rules", "test"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed, 0 failed" in run.stdout
