"""Inputs a careless user or a scraper hands over: /dev/zero, FIFOs, huge documents, endless
standard input, file names that are not UTF-8, UTF-16 without a byte-order mark.
Each run is guarded against hangs (a timeout) and against eating the machine (an
address-space limit); neither is a measurement."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_cli import ARTICLE, records

MiB = 2**20
GUARD = 120  # seconds: only ever reached when something hangs
ADDRESS_SPACE = 2 * 2**30  # a run that reads without bound fails at this, instead of swapping the machine
OTHER = "وسيطر مسلحو جبهة تحرير أزواد صباح الأحد على بلدة أنيفيس بعد اشتباكات قصيرة.\n"
posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero and byte file names")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def guarded(*args: str | bytes, stdin: object = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sahel_events", *args],
        stdin=stdin,  # type: ignore[arg-type]
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=GUARD,
        preexec_fn=_limit,
    )


def start(*args: str, stdin: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sahel_events", *args],
        stdin=stdin,  # type: ignore[arg-type]
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_limit,
    )


@posix
def test_dev_zero_and_a_fifo_are_named_and_skipped_unread(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it to read would wait for ever
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(inner / "pipe.jsonl")
    for name, side in (("with-fifo", None), ("with-zero", "/dev/zero")):  # sidecars that are no files
        (inner / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
        if side is None:
            os.mkfifo(inner / f"{name}.meta.json")
        else:
            (inner / f"{name}.meta.json").symlink_to(side)
    r = guarded("extract", "/dev/zero", str(fifo), str(tmp_path / "good.txt"), str(inner))
    assert r.returncode == 1, r.stderr
    err = r.stderr.decode()
    assert "sahel-events: /dev/zero: not a regular file (a character device)" in err
    assert f"sahel-events: {fifo}: not a regular file (a FIFO)" in err
    assert "sahel-events: zero.txt: not a regular file (a character device)" in err
    assert "sahel-events: pipe.jsonl: not a regular file (a FIFO)" in err
    assert "sahel-events: warning: with-fifo.txt: sidecar with-fifo.meta.json ignored: not a regular file (a FIFO)" in err
    assert "sahel-events: warning: with-zero.txt: sidecar with-zero.meta.json ignored: not a regular file (a character device)" in err
    assert [x["doc_id"] for x in records(r.stdout)] == [str(tmp_path / "good.txt"), "with-fifo.txt", "with-zero.txt"]


@posix
def test_an_output_that_is_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    """As -o /dev/null or -o /dev/stdout: a rename over it would put a regular file in its place."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        r = guarded("extract", "-q", "-o", str(fifo), str(tmp_path / "a.txt"))
        assert r.returncode == 0, r.stderr
        got, _ = reader.communicate(timeout=GUARD)
    finally:
        reader.kill()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [x["doc_id"] for x in records(got)] == [str(tmp_path / "a.txt")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "events.fifo"]


def test_a_document_over_max_doc_mb_is_named_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b-big.txt").write_text((OTHER * 400)[:12_000], encoding="utf-8")  # > 0.01 MiB
    lines = [json.dumps({"id": "r1", "text": ARTICLE}), json.dumps({"id": "r2", "text": OTHER * 400}), json.dumps({"id": "r3", "text": OTHER})]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for workers in ("1", "2"):
        r = guarded("extract", "-j", workers, "--max-doc-mb", "0.01", str(tmp_path))
        assert r.returncode == 1, r.stderr
        err = r.stderr.decode()
        assert "sahel-events: b-big.txt: too large (" in err and "over --max-doc-mb 0.01); skipped" in err
        assert "sahel-events: c.jsonl:2: too large (" in err
        assert [x["doc_id"] for x in records(r.stdout)] == ["a.txt", "r1", "r3"]
    assert guarded("extract", "--max-doc-mb", "0", "-", stdin=subprocess.DEVNULL).returncode == 2


def test_the_default_cap_admits_a_50_mb_document(tmp_path: Path) -> None:
    from sahel_events.fileread import read_regular

    big = tmp_path / "one-line.txt"
    with open(big, "wb") as fh:
        fh.truncate(50_000_000)  # the size is what counts here (sparse: no disk used)
    assert len(read_regular(big)) == 50_000_000


@posix
def test_standard_input_over_the_cap_is_named_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with open("/dev/zero", "rb") as zero:  # standard input that never ends
        r = guarded("extract", "--max-doc-mb", "2", "-", str(tmp_path / "a.txt"), stdin=zero)
    assert r.returncode == 1, r.stderr
    assert "sahel-events: stdin: too large (over --max-doc-mb 2); skipped" in r.stderr.decode()
    assert [x["doc_id"] for x in records(r.stdout)] == [str(tmp_path / "a.txt")]
    # As JSON lines: the endless line is named, read through, never held.
    feed = b'{"id": "r1", "text": "' + ARTICLE.strip().encode() + b'"}\n' + b"x" * (3 * MiB) + b'\n{"id": "r3", "text": "' + OTHER.strip().encode() + b'"}\n'
    p = start("extract", "--input-format", "jsonl", "--max-doc-mb", "2", "-", stdin=subprocess.PIPE)
    out, err = p.communicate(feed, timeout=GUARD)
    assert p.returncode == 1, err
    assert "sahel-events: stdin:2: too large (" in err.decode()
    assert [x["doc_id"] for x in records(out)] == ["r1", "r3"]


def _read_so_far(pid: int) -> int:
    with open(f"/proc/{pid}/io", encoding="ascii") as fh:
        return int(next(line for line in fh if line.startswith("rchar:")).split()[1])


def _stopped_by_sigterm(p: subprocess.Popen[bytes]) -> None:
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=GUARD)
    assert p.returncode == 143, err
    assert b"interrupted by SIGTERM" in err and b"Traceback" not in err


def test_sigterm_while_waiting_on_standard_input_exits_143() -> None:
    p = start("extract", "-", stdin=subprocess.PIPE)
    try:
        assert p.stdin is not None
        p.stdin.write(ARTICLE.encode() * 8000)  # ~1 MiB: returns once the run has read most of it
        p.stdin.flush()
        _stopped_by_sigterm(p)  # standard input still open: the run is waiting for the rest
    finally:
        p.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_while_reading_an_endless_json_line_exits_143() -> None:
    with open("/dev/zero", "rb") as zero:
        p = start("extract", "--input-format", "jsonl", "-", stdin=zero)
    try:
        deadline = time.monotonic() + GUARD
        # A line longer than the cap is read through, not kept: the run reads more than
        # it may ever hold (its address-space limit) and is still there.
        while _read_so_far(p.pid) < ADDRESS_SPACE + 2**29:
            assert p.poll() is None, p.communicate()
            assert time.monotonic() < deadline, "standard input was never read"
            time.sleep(0.05)
        _stopped_by_sigterm(p)
    finally:
        p.kill()


@pytest.mark.skipif(sys.platform != "linux", reason="file names as bytes")
def test_file_names_that_are_not_utf8_are_read_and_shown_escaped(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path)
    docs = root + b"/docs"
    os.mkdir(docs)
    with open(docs + b"/caf\xff.txt", "w", encoding="utf-8") as fh:
        fh.write(ARTICLE)
    with open(docs + b"/empty\xfe.txt", "wb"):
        pass
    with open(root + b"/alone\xff.txt", "w", encoding="utf-8") as fh:
        fh.write(OTHER)
    out, man = tmp_path / "events.jsonl", tmp_path / "run.json"
    out.write_bytes(b"earlier\n")
    r = guarded("extract", "-q", "-o", str(out), "--manifest", str(man), docs, root + b"/alone\xff.txt")
    assert r.returncode == 1, r.stderr  # the empty file
    assert b"Traceback" not in r.stderr
    err = r.stderr.decode()
    assert "sahel-events: empty\\xfe.txt: empty file" in err
    alone = str(tmp_path) + "/alone\\xff.txt"
    assert [x["doc_id"] for x in records(out.read_bytes())] == ["caf\\xff.txt", alone]
    m = json.loads(man.read_text(encoding="utf-8"))
    assert m["inputs"]["read"] == ["caf\\xff.txt", alone]
    assert m["inputs"]["failed"] == [{"where": "empty\\xfe.txt", "message": "empty file"}]


def test_utf16_without_a_byte_order_mark_is_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text(ARTICLE + OTHER, encoding="utf-8")
    (tmp_path / "le.txt").write_bytes((ARTICLE + OTHER).encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes((ARTICLE + OTHER).encode("utf-16-be"))
    rec = json.dumps({"id": "r1", "text": ARTICLE}, ensure_ascii=False) + "\r\n"
    (tmp_path / "recs.jsonl").write_bytes(rec.encode("utf-16-le"))
    (tmp_path / "zbinary.txt").write_bytes(bytes(range(256)) * 8)
    r = guarded("extract", "-j", "1", str(tmp_path))
    assert r.returncode == 1, r.stderr
    err = r.stderr.decode()
    assert "sahel-events: warning: le.txt: decoded as UTF-16LE (no byte-order mark)" in err
    assert "sahel-events: warning: be.txt: decoded as UTF-16BE (no byte-order mark)" in err
    assert "sahel-events: warning: r1: decoded as UTF-16LE (no byte-order mark)" in err
    assert "sahel-events: zbinary.txt: binary file (NUL bytes), not text" in err
    by_doc: dict[str, list[tuple[str, str, str]]] = {}
    for x in records(r.stdout):
        by_doc.setdefault(x["doc_id"], []).append((x["family"], x["location"], x["evidence"]["text"]))
    assert by_doc["le.txt"] == by_doc["be.txt"] == by_doc["plain.txt"] and len(by_doc["plain.txt"]) == 2
    assert len(by_doc["r1"]) == 1
