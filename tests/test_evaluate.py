"""evaluate: the same figures as ../shared/tools/score.py, from the installed tool alone."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sahel_events import Extractor
from sahel_events.evaluate import load_gold, prf, score, summary
from sahel_events.inputs import Doc, iter_inputs

from .conftest import SAMPLES
from .test_cli import run


@pytest.fixture(scope="module")
def predictions(extractor: Extractor) -> list[dict]:
    docs = [d for d in iter_inputs([str(p) for p in sorted(SAMPLES.glob("*.txt"))]) if isinstance(d, Doc)]
    return [e.to_record() for d in docs for e in extractor.extract(d.text, d.meta)]


def _perturbed(preds: list[dict]) -> list[dict]:
    """Misses, duplicates and a spurious event, so every count is exercised."""
    out = copy.deepcopy(preds[::2])
    out += copy.deepcopy(preds[1:6])
    out += copy.deepcopy(preds[1:3])  # duplicates
    for r in out[-2:]:
        r["actor1"], r["location"] = "Nobody", None
    stray = copy.deepcopy(preds[0])
    stray["family"] = "advance" if stray["family"] != "advance" else "blockade"
    return [*out, stray]


@pytest.mark.parametrize("variant", ["as_is", "perturbed"])
def test_same_figures_as_the_shared_scorer(scorer, predictions: list[dict], variant: str) -> None:  # type: ignore[no-untyped-def]
    preds = predictions if variant == "as_is" else _perturbed(predictions)
    docs, gold = scorer.load_gold(SAMPLES)
    fam_ref, total_ref, attrs_ref, errors_ref, ignored, unknown, ntraps = scorer.score(
        docs, gold, copy.deepcopy(preds), scorer.DEFAULT_FAMILIES
    )
    ours = score(load_gold(SAMPLES), copy.deepcopy(preds))
    for name, ref in [*fam_ref.items(), ("ALL", total_ref)]:
        mine = ours.families[name] if name != "ALL" else ours.total
        for k in ("tp", "pred", "gold", "duplicate", "trap", "spurious", "ambiguous"):
            assert mine[k] == ref[k], (name, k)
        assert prf(mine) == scorer.prf(ref), name
    assert {k: list(v) for k, v in attrs_ref.items()} == ours.attributes
    assert [tuple(e) for e in errors_ref] == [(e.kind, e.doc, e.family, e.what) for e in ours.errors]
    assert (ignored, unknown, ntraps) == (ours.ignored, ours.unknown_doc, ours.traps)
    if variant == "perturbed":
        assert total_ref["duplicate"] and total_ref["spurious"] and total_ref["tp"] < total_ref["gold"]


def test_cli_json_matches_the_shared_scorer_cli(tmp_path: Path, predictions: list[dict], scorer) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    pred = tmp_path / "events.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _perturbed(predictions)), encoding="utf-8")
    ref = subprocess.run(
        [sys.executable, scorer.__file__, "--gold", str(SAMPLES), "--pred", str(pred), "--json"], capture_output=True, check=True
    )
    r = run("evaluate", "--gold", str(SAMPLES), "--json", str(pred))
    assert r.returncode == 0, r.stderr
    a, b = json.loads(ref.stdout), json.loads(r.stdout)
    for part in ("micro", "families"):
        for fam, figs in [("micro", a["micro"])] if part == "micro" else a["families"].items():
            mine = b["micro"] if part == "micro" else b["families"][fam]
            assert {k: mine.get(k, 0) for k in figs} == figs
    assert a["attributes"] == b["attributes"] and a["traps"] == b["traps"] and a["docs"] == b["docs"]


def test_cli_table_errors_and_threshold(tmp_path: Path, predictions: list[dict]) -> None:
    pred = tmp_path / "events.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _perturbed(predictions)), encoding="utf-8")
    r = run("evaluate", "--gold", str(SAMPLES), "--errors", str(pred))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.splitlines()[0].split()[:4] == ["family", "gold", "pred", "tp"]
    assert "missed | " in out and "duplicate | " in out and "micro F1" in out
    assert run("evaluate", "--gold", str(SAMPLES), "--min-f1", "0.99", str(pred)).returncode == 1
    assert run("evaluate", "--gold", str(SAMPLES), "--min-f1", "0.1", str(pred)).returncode == 0


def test_unusable_input_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "a"}\nnot json\n', encoding="utf-8")
    r = run("evaluate", "--gold", str(SAMPLES), str(bad))
    assert r.returncode == 2 and f"{bad}:2:" in r.stderr.decode()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("evaluate", "--gold", str(empty), str(bad)).returncode == 2
    (empty / "a.txt").write_text("نص قصير.", encoding="utf-8")
    (empty / "a.gold.jsonl").write_text(
        '{"family": "blockade", "evidence": "ليس في النص", "polarity": "asserted"}\n', encoding="utf-8"
    )
    r = run("evaluate", "--gold", str(empty), str(bad))
    assert r.returncode == 2 and "a.gold.jsonl:1:" in r.stderr.decode()


def test_summary_layout(predictions: list[dict]) -> None:
    s = summary(score(load_gold(SAMPLES), predictions))
    assert set(s) >= {"micro", "families", "attributes", "traps", "docs"}
    assert 0.0 <= s["micro"]["f1"] <= 1.0
