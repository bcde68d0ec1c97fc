"""Faults in a batch run: a document that never ends, a worker killed, the parent killed,
a kill between the output's rename and its manifest's.  The documents are made slow on
purpose by tests/patched_cli.py; every wait below is a guard against a hang, not a timing."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_batch import alive, children
from .test_cli import records, run

PATCHED = str(ROOT / "tests" / "patched_cli.py")
GUARD = 120  # seconds: only ever reached when something hangs
ARTICLES = [
    "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع.",
    "وسيطر مسلحو جبهة تحرير أزواد صباح الأحد على بلدة أنيفيس بعد اشتباكات قصيرة.",
    "واستعاد الجيش المالي السيطرة على بلدة بوني بعد معارك عنيفة مع المسلحين.",
]
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def folder(root: Path, slow: str | None = "d05.txt", n: int = 12) -> Path:
    docs = root / "docs"
    docs.mkdir()
    for i in range(n):
        (docs / f"d{i:02d}.txt").write_text(ARTICLES[i % 3] + f" ({i})\n", encoding="utf-8")
    if slow:
        (docs / slow).write_text("SLOWDOC " + ARTICLES[0] + "\n", encoding="utf-8")
    return docs


def patched(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, PATCHED, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full, **kw)


def wait_for_pid(p: subprocess.Popen[bytes], pids: Path) -> int:
    """The pid of the process that took up the slow document."""
    deadline = time.monotonic() + GUARD
    while not (pids.exists() and pids.read_text().strip()):
        assert p.poll() is None, p.stderr.read() if p.stderr else p.returncode
        assert time.monotonic() < deadline, "the slow document was never reached"
        time.sleep(0.05)
    return int(pids.read_text().split()[0])


def expected_without(docs: Path, name: str, tmp_path: Path) -> bytes:
    """What a plain run writes for the folder without one of its files."""
    other = tmp_path / "without"
    other.mkdir()
    for f in sorted(docs.iterdir()):
        if f.name != name:
            (other / f.name).write_bytes(f.read_bytes())
    r = run("extract", "-q", "-j", "1", str(other))
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_past_its_time_budget_is_named_and_the_run_goes_on(tmp_path: Path, workers: str) -> None:
    docs = folder(tmp_path)
    want = expected_without(docs, "d05.txt", tmp_path)
    p = patched("extract", "-j", workers, "--doc-timeout", "1", str(docs), env={"SLOWDOC_PIDS": str(tmp_path / "pids")})
    out, err = p.communicate(timeout=GUARD)
    assert p.returncode == 1, err
    lines = err.decode().splitlines()
    assert "sahel-events: d05.txt: timed out after 1 s" in lines
    assert b"Traceback" not in err
    assert out == want  # every other document, in order
    assert "11 documents read, 1 failed (12 inputs)" in err.decode()


def test_sigterm_during_an_extraction_in_process_stops_the_run(tmp_path: Path) -> None:
    """-j 1 (and any single document) extracts in the main process, where the signal lands
    inside the extraction: it must stop the run, not count as that document's failure."""
    docs = folder(tmp_path)
    out = tmp_path / "events.jsonl"
    out.write_bytes(b"earlier\n")
    pids = tmp_path / "pids"
    p = patched("extract", "-j", "1", "-o", str(out), str(docs), env={"SLOWDOC_PIDS": str(pids)})
    try:
        assert wait_for_pid(p, pids) == p.pid
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=GUARD)
    finally:
        p.kill()
    assert p.returncode == 143, err
    assert b"interrupted by SIGTERM" in err and b"extraction failed" not in err
    assert out.read_bytes() == b"earlier\n"


def test_doc_timeout_and_max_doc_mb_are_documented() -> None:
    help_text = " ".join(run("extract", "--help").stdout.decode().split())
    assert "--doc-timeout" in help_text and "--max-doc-mb" in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--doc-timeout" in readme and "--max-doc-mb" in readme


def test_a_killed_worker_costs_only_the_document_it_was_on(tmp_path: Path) -> None:
    docs = folder(tmp_path, n=200)
    want = expected_without(docs, "d05.txt", tmp_path)
    pids = tmp_path / "pids"
    p = patched("extract", "-j", "2", str(docs), env={"SLOWDOC_PIDS": str(pids)})
    try:
        os.kill(wait_for_pid(p, pids), signal.SIGKILL)
        out, err = p.communicate(timeout=GUARD)
    finally:
        p.kill()
    assert p.returncode == 1, err
    assert b"Traceback" not in err and b"BrokenProcessPool" not in err
    named = [line for line in err.decode().splitlines() if "killed by SIGKILL" in line]
    assert named == ["sahel-events: d05.txt: the worker extracting it was killed by SIGKILL"]
    assert out == want
    assert "199 documents read, 1 failed (200 inputs)" in err.decode()


@linux
def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path) -> None:
    docs = folder(tmp_path, n=200)
    pids = tmp_path / "pids"
    p = patched("extract", "-j", "2", str(docs), env={"SLOWDOC_PIDS": str(pids)})
    workers: list[int] = []
    try:
        wait_for_pid(p, pids)
        workers = children(p.pid)
        assert len(workers) == 2
        p.kill()
        p.communicate(timeout=GUARD)  # a reader of its output and errors sees their end: no worker holds them open
        deadline = time.monotonic() + GUARD
        while any(alive(w) for w in workers):
            assert time.monotonic() < deadline, "workers outlived their parent"
            time.sleep(0.05)
    finally:
        for w in workers:  # on a failure, leave nothing running
            if alive(w):
                os.kill(w, signal.SIGKILL)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_records_the_output_it_goes_with(tmp_path: Path) -> None:
    docs = folder(tmp_path, slow=None)
    out, man = tmp_path / "events.jsonl", tmp_path / "run.json"
    r = run("extract", "-q", "-o", str(out), "--manifest", str(man), str(docs))
    assert r.returncode == 0, r.stderr
    m = json.loads(man.read_text(encoding="utf-8"))
    assert m["output"] == {"path": str(out), "sha256": sha256(out), "bytes": out.stat().st_size}
    # To standard output as well: the bytes written there.
    r = run("extract", "-q", "--manifest", str(man), str(docs))
    m = json.loads(man.read_text(encoding="utf-8"))
    assert m["output"] == {"path": None, "sha256": hashlib.sha256(r.stdout).hexdigest(), "bytes": len(r.stdout)}


def test_a_kill_between_the_two_renames_leaves_a_pair_seen_to_be_stale(tmp_path: Path) -> None:
    docs = folder(tmp_path, slow=None)
    out, man = tmp_path / "events.jsonl", tmp_path / "run.json"
    assert run("extract", "-q", "-o", str(out), "--manifest", str(man), str(docs / "d00.txt")).returncode == 0
    earlier = man.read_bytes()
    assert json.loads(earlier)["output"]["sha256"] == sha256(out)
    p = patched("extract", "-q", "-o", str(out), "--manifest", str(man), str(docs), env={"KILL_AFTER_RENAME": out.name})
    p.communicate(timeout=GUARD)
    assert p.returncode == -signal.SIGKILL
    # The output was renamed first (it is the new one); the manifest, still the earlier
    # one, says another output: the pair is seen to be stale.
    assert [x["doc_id"] for x in records(out.read_bytes())][-1] == "d11.txt"
    assert man.read_bytes() == earlier
    assert json.loads(earlier)["output"]["sha256"] != sha256(out)


def test_nothing_is_replaced_when_the_manifest_fails(tmp_path: Path) -> None:
    docs = folder(tmp_path, slow=None)
    out, man = tmp_path / "events.jsonl", tmp_path / "run.json"
    out.write_bytes(b"earlier events\n")
    man.write_bytes(b"{}\n")
    p = patched("extract", "-q", "-o", str(out), "--manifest", str(man), str(docs), env={"FAIL_MANIFEST": "1"})
    p.communicate(timeout=GUARD)
    assert p.returncode != 0
    assert out.read_bytes() == b"earlier events\n" and man.read_bytes() == b"{}\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["docs", "events.jsonl", "run.json"]
