"""The command line as a user drives it: pipes, several files, bad inputs, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, SAMPLES

ARTICLE = "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع.\n"


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the checkout's code, wherever the test runs
    return subprocess.run([sys.executable, "-m", "sahel_events", *args], input=stdin, capture_output=True, cwd=cwd, env=env)


def records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


def test_pipe_one_article() -> None:
    r = run("extract", "-", stdin=ARTICLE.encode())
    assert r.returncode == 0, r.stderr
    recs = records(r.stdout)
    assert [x["family"] for x in recs] == ["blockade"]
    assert recs[0]["location"] == "Nioro du Sahel"
    assert recs[0]["doc_id"].startswith("stdin:")
    assert "حصارا".encode() in r.stdout  # Arabic evidence is written as is, not \u-escaped


def test_several_files_and_sidecar_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس.", encoding="utf-8")
    (tmp_path / "b.meta.json").write_text('{"id": "doc-b", "published": "2025-08-01", "source": "Wire"}', encoding="utf-8")
    r = run("extract", "a.txt", "b.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    recs = records(r.stdout)
    assert [(x["doc_id"], x["family"]) for x in recs] == [("a.txt", "blockade"), ("doc-b", "advance")]
    assert recs[1]["source"] == "Wire"


def test_output_is_byte_identical_between_runs() -> None:
    files = [str(p) for p in sorted(SAMPLES.glob("*.txt"))]
    a, b = run("extract", *files), run("extract", *files)
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout


def test_bad_file_is_named_and_the_others_are_processed(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 10)
    (tmp_path / "recs.jsonl").write_text(
        '{"id": "r1", "text": "' + ARTICLE.strip() + '"}\n{broken\n{"id": "r3"}\n', encoding="utf-8"
    )
    r = run("extract", str(tmp_path), "missing.txt")
    assert r.returncode == 1
    err = r.stderr.decode()
    for name in ("empty.txt", "binary.txt", "recs.jsonl:2", "recs.jsonl:3", "missing.txt"):
        assert name in err, err
    assert sorted(x["doc_id"] for x in records(r.stdout)) == ["good.txt", "r1"]


def test_windows_1256_is_decoded_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_bytes(ARTICLE.encode("cp1256"))
    r = run("extract", str(tmp_path / "old.txt"))
    assert r.returncode == 0
    assert "windows-1256" in r.stderr.decode()
    assert [x["family"] for x in records(r.stdout)] == ["blockade"]


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    r = run("extract", "-o", str(out), "-", stdin=ARTICLE.encode())
    assert r.returncode == 0 and r.stdout == b""
    assert [x["family"] for x in records(out.read_bytes())] == ["blockade"]
    assert [p.name for p in tmp_path.iterdir()] == ["events.jsonl"]


def test_published_flag_and_version() -> None:
    r = run("extract", "--published", "2027-06-01", "-", stdin="وسيطرت الجماعة على بلدة ديافارابي في 2025.".encode())
    assert records(r.stdout) == []  # 2025 is history two years on
    v = run("--version")
    assert v.returncode == 0 and b"sahel-events" in v.stdout


def test_installed_package_ships_its_rule_pack(tmp_path: Path) -> None:
    """Run from outside the checkout with no PYTHONPATH: the installed wheel must find its rules."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = subprocess.run(
        [sys.executable, "-c", "import sahel_events, sys; print(sahel_events.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    if probe.returncode != 0:
        import pytest

        pytest.skip("sahel-events is not installed in this interpreter (run the README's test command)")
    r = subprocess.run(
        [sys.executable, "-m", "sahel_events", "rules", "check"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert r.returncode == 0, r.stderr
    assert "ok:" in r.stdout
