"""diff: records of two runs, or two rule packs over one corpus."""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from sahel_events import Extractor
from sahel_events.diff import brief_lines, changed_fields, diff_records, parse_records
from sahel_events.errors import SahelEventsError
from sahel_events.inputs import Doc, iter_inputs
from sahel_events.rules import default_rules_dir

from .conftest import SAMPLES
from .test_cli import run

ARTICLE = (
    "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع.\n"
    "وأفادت مصادر محلية بأن الجيش المالي انسحب من بلدة ليري.\n"
    "وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس.\n"
)


@pytest.fixture(scope="module")
def sample_records(extractor: Extractor) -> list[dict]:
    docs = [d for d in iter_inputs([str(SAMPLES)]) if isinstance(d, Doc)]
    return [e.to_record() for d in docs for e in extractor.extract(d.text, d.meta)]


def write(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def changes(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines() if line.strip()]


def test_identical_files_exit_0(tmp_path: Path, sample_records: list[dict]) -> None:
    a = write(tmp_path / "a.jsonl", sample_records)
    b = write(tmp_path / "b.jsonl", sample_records)
    r = run("diff", str(a), str(b))
    assert r.returncode == 0, r.stderr
    assert "no differences" in r.stdout.decode()
    r = run("diff", "--format", "json", str(a), str(b))
    assert r.returncode == 0 and r.stdout == b""


def test_one_field_changed_is_one_changed_entry(tmp_path: Path, sample_records: list[dict]) -> None:
    new = copy.deepcopy(sample_records)
    i = next(k for k, x in enumerate(new) if x["location"])
    new[i]["location"] = "Somewhere Else"
    a, b = write(tmp_path / "a.jsonl", sample_records), write(tmp_path / "b.jsonl", new)
    r = run("diff", "--format", "json", str(a), str(b))
    assert r.returncode == 1, r.stderr
    got = changes(r.stdout)
    assert len(got) == 1 and got[0]["change"] == "changed"
    assert got[0]["fields"] == {"location": {"old": sample_records[i]["location"], "new": "Somewhere Else"}}
    text = run("diff", str(a), str(b))
    assert text.returncode == 1
    out = text.stdout.decode()
    assert "changed" in out and "location:" in out and "Somewhere Else" in out
    assert "added" not in out.split("\n\n")[0] and "removed" not in out.split("\n\n")[0]


def test_changed_identity_pairs_by_overlapping_span(sample_records: list[dict]) -> None:
    """The actor changed, so the event_id changed too: still one *changed* event, not a removal and an addition."""
    new = copy.deepcopy(sample_records)
    i = next(k for k, x in enumerate(new) if x["actor1"])
    new[i]["actor1"] = "Another Group"
    new[i]["event_id"] = "0000000000000000"
    res = diff_records(sample_records, new)
    assert [(c.kind, [f.name for f in c.fields]) for c in res.changes] == [("changed", ["actor1"])]
    assert res.changes[0].to_json()["new_event_id"] == "0000000000000000"


def test_removed_and_added(sample_records: list[dict]) -> None:
    gone = sample_records[3]
    extra = dict(sample_records[0], doc_id="another-article")
    new = [r for r in sample_records if r is not gone] + [extra]
    res = diff_records(sample_records, new)
    assert sorted((c.kind, c.record["event_id"], c.doc_id) for c in res.changes) == [
        ("added", extra["event_id"], "another-article"),
        ("removed", gone["event_id"], gone["doc_id"]),
    ]
    fam = res.families[gone["family"]]
    assert fam.removed == 1 and fam.old == sum(r["family"] == gone["family"] for r in sample_records)


def test_rule_version_is_noise_unless_strict(sample_records: list[dict]) -> None:
    new = copy.deepcopy(sample_records)
    for r in new:
        r["rule"]["version"] = "ffffffffffffffff"
    assert diff_records(sample_records, new).equal
    strict = diff_records(sample_records, new, strict=True)
    assert len(strict.changes) == len(sample_records)
    assert all([f.name for f in c.fields] == ["rule.version"] for c in strict.changes)
    assert changed_fields(sample_records[0], new[0]) == ()


def test_malformed_line_is_named(tmp_path: Path, sample_records: list[dict]) -> None:
    a = write(tmp_path / "a.jsonl", sample_records[:3])
    b = tmp_path / "b.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in sample_records[:3]]
    lines.insert(2, '{"event_id": "x", broken')
    b.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("diff", str(a), str(b))
    assert r.returncode == 2
    assert f"{b}:3:" in r.stderr.decode(), r.stderr
    assert r.stdout == b""
    with pytest.raises(SahelEventsError) as e:
        parse_records('{"a": 1}\n\n[1]\n', "x.jsonl")
    assert [p.line for p in e.value.problems] == [1, 3]


def test_missing_file_is_trouble(tmp_path: Path) -> None:
    r = run("diff", str(tmp_path / "nope.jsonl"), str(tmp_path / "nope2.jsonl"))
    assert r.returncode == 2 and b"nope.jsonl" in r.stderr


def _weakened(tmp_path: Path, rule_id: str) -> Path:
    """A copy of the shipped pack without the [[rule]] table of `rule_id`."""
    src = default_rules_dir()
    dst = tmp_path / "rules"
    shutil.copytree(src, dst)
    for f in sorted(dst.glob("*.toml")):
        text = f.read_text(encoding="utf-8")
        if rule_id not in {r.get("id") for r in tomllib.loads(text).get("rule", [])}:
            continue
        blocks = re.split(r"(?m)^(?=\[\[rule\]\]\s*$)", text)
        kept = [b for b in blocks if not re.search(rf'(?m)^id\s*=\s*"{re.escape(rule_id)}"', b)]
        assert len(kept) == len(blocks) - 1
        f.write_text("".join(kept), encoding="utf-8")
        assert rule_id not in {r.get("id") for r in tomllib.loads(f.read_text(encoding="utf-8")).get("rule", [])}
        return dst
    pytest.skip(f"the shipped pack has no rule {rule_id}")


def test_rule_pack_diff_lists_the_lost_events(tmp_path: Path, sample_records: list[dict]) -> None:
    gone = "advance.withdraw"
    weak = _weakened(tmp_path, gone)
    r = run("diff", "--format", "json", "--rules-new", str(weak), str(SAMPLES))
    assert r.returncode == 1, r.stderr
    got = changes(r.stdout)
    lost = [x for x in sample_records if x["rule"]["id"] == gone]
    assert lost, "the samples hold no event of the removed rule"
    assert all(c["change"] == "removed" and c["record"]["rule"]["id"] == gone for c in got), got
    assert sorted(c["old_event_id"] for c in got) == sorted(x["event_id"] for x in lost)
    # Both packs the same: no differences.
    same = run("diff", "--rules-old", str(weak), "--rules-new", str(weak), str(SAMPLES))
    assert same.returncode == 0 and b"no differences" in same.stdout


def test_rule_pack_diff_text_report(tmp_path: Path) -> None:
    weak = _weakened(tmp_path, "advance.withdraw")
    r = run("diff", "--rules-old", str(default_rules_dir()), "--rules-new", str(weak), "-", stdin=ARTICLE.encode())
    assert r.returncode == 1, r.stderr
    out = r.stdout.decode()
    assert "removed" in out and "advance.withdraw" in out and "Lere" in out
    assert "advance" in out.split("\n\n")[-1]  # the per-family summary


def test_brief_lines_hold_nothing_path_dependent(extractor: Extractor) -> None:
    from sahel_events import DocMeta

    a = [e.to_record() for e in extractor.extract(ARTICLE, DocMeta(doc_id="/tmp/x/one.txt"))]
    b = [e.to_record() for e in extractor.extract(ARTICLE, DocMeta(doc_id="/var/other/two.txt"))]
    assert brief_lines(a) == brief_lines(b)
    lines = brief_lines(a)
    assert len(lines) == 3
    assert lines[0].startswith("blockade") and "JNIM" in lines[0] and "Nioro du Sahel" in lines[0]
    assert "one.txt" not in "\n".join(lines)
    assert all("\n" not in x for x in lines)
