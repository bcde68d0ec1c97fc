"""A bad rule pack stops the run before any output, naming file:line for every problem."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sahel_events import RuleError, load_rules
from sahel_events.pattern import PatternError, compile_pattern
from sahel_events.rules import default_rules_dir
from tests.conftest import ROOT

BROKEN = """\
family = "blockade"

[[rule]]
id = "broken.one"
event_type = "Battles"
sub_event_type = "Peaceful protest"
note = "{actor9} did something."
colour = "red"
patterns = [
  "~فرض (حصار",
  "<WEAPON:actor1> ~حاصر",
  "...",
  "حصار.*على",
]
[[rule.example]]
text = "فرضت الجماعة حصارا."
[[rule.counter_example]]
text = "لم تفرض الجماعة حصارا."

[[rule]]
id = "broken.one"
event_type = "Skirmish"
sub_event_type = "Other"
note = "x"
patterns = ["حصار"]
"""


@pytest.fixture()
def broken_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(default_rules_dir() / "lexicon", pack / "lexicon")
    (pack / "broken.toml").write_text(BROKEN, encoding="utf-8")
    return pack


def test_every_problem_is_reported_with_its_line(broken_pack: Path) -> None:
    with pytest.raises(RuleError) as err:
        load_rules(broken_pack)
    lines = [str(p) for p in err.value.problems]
    text = "\n".join(lines)
    where = str(broken_pack / "broken.toml")
    expected = {
        6: "not a sub_event_type of 'Battles'",
        7: "note uses {actor9}",
        8: "unknown key 'colour'",
        10: "missing ')'",
        11: "unknown slot type 'WEAPON'",
        12: "empty after expansion",
        13: "unexpected character",
        21: "duplicate rule id 'broken.one'",
        22: "unknown ACLED event_type 'Skirmish'",
        20: "has no [[rule.example]]",
    }
    for line, fragment in expected.items():
        assert any(p.startswith(f"{where}:{line}: ") and fragment in p for p in lines), (
            f"line {line}: {fragment!r} not in\n{text}"
        )


def test_cli_exits_2_and_writes_no_events(broken_pack: Path, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("وفرضت الجماعة حصارا على مدينة نيورو.", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "sahel_events", "extract", "--rules", str(broken_pack), str(article)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "broken.toml:8: unknown key 'colour'" in run.stderr
    check = subprocess.run(
        [sys.executable, "-m", "sahel_events", "rules", "check", str(broken_pack)], capture_output=True, text=True, cwd=ROOT
    )
    assert check.returncode == 2
    assert check.stderr.count("broken.toml:") >= 9


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(default_rules_dir() / "lexicon", pack / "lexicon")
    (pack / "bad.toml").write_text('family = "advance"\n\n[[rule]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules(pack)
    assert any(str(p).startswith(f"{pack / 'bad.toml'}:3: TOML syntax") for p in err.value.problems)


@pytest.mark.parametrize(
    "pattern, fragment",
    [
        ("", "empty pattern"),
        ("حصار [على", "missing ']'"),
        ("(a|b", "missing ')'"),
        ("حصار ...20 على", "gap"),
        ("حصار | فرض", "belongs inside"),
        ("حصار (.*)+", "unexpected character"),
        ("<PLACE:target>", "unknown role"),
        ("[حصار] [على] [في] [من] [عن] [الى] [مع] [ضد] [عبر]", "more than 256"),
        ("حصار ... على ... في ... من ... عن", "more than 3 gaps"),
    ],
)
def test_unsafe_or_malformed_patterns_are_refused(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError, match=re.escape(fragment)):
        compile_pattern(pattern)


def test_optional_words_and_alternatives_expand_to_flat_variants() -> None:
    variants = compile_pattern("(~فرض|~ضرب) [الجماعة] حصار")
    assert len(variants) == 2  # with and without the optional word; one word set for the verbs
    assert all(len(v.elements) in (2, 3) for v in variants)


def test_no_rule_can_run_code(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(default_rules_dir() / "lexicon", pack / "lexicon")
    (pack / "evil.toml").write_text(
        'family = "advance"\n[[rule]]\nid = "evil"\nevent_type = "Battles"\nsub_event_type = "Armed clash"\n'
        'note = "{__import__}"\npatterns = ["__import__(\'os\')"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as err:
        load_rules(pack)
    assert any("unexpected character" in str(p) for p in err.value.problems)
