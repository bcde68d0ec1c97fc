"""Batch runs: many files, bad inputs named and survived, order whatever the workers, signals, dedupe, manifest."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sahel_events import DocMeta, Extractor

from .conftest import ROOT, SEED
from .test_cli import records, run

# News-style sentences written for these tests; the first few report events, the rest are filler.
EVENTS = [
    "وتفرض جماعة نصرة الإسلام والمسلمين منذ أسابيع حصارا على مدينة نيورو.",
    "وسيطر مسلحو جبهة تحرير أزواد صباح الأحد على بلدة أنيفيس بعد اشتباكات قصيرة.",
    "وفرض مسلحو الجماعة حصارا خانقا على بلدة ديافارابي وسط البلاد.",
    "واستعاد الجيش المالي السيطرة على بلدة بوني بعد معارك عنيفة مع المسلحين.",
]
FILLER = [
    "وارتفعت أسعار الأرز والسكر في أسواق العاصمة هذا الأسبوع بنسبة طفيفة.",
    "وافتتحت وزارة التعليم ثلاث مدارس جديدة في الأحياء الشرقية.",
    "وفاز المنتخب الوطني في مباراته الودية أمام جمهور غفير في الملعب الكبير.",
    "وتوقعت الأرصاد هطول أمطار غزيرة على المناطق الجنوبية خلال الأيام المقبلة.",
]


def article(i: int) -> str:
    paras = [FILLER[(i + k) % len(FILLER)] for k in range(3)]
    if i % 3 == 0:
        paras.insert(1, EVENTS[i % len(EVENTS)])
    return "\n\n".join(paras) + "\n"


def build_folder(root: Path) -> dict[str, object]:
    """A folder of good and bad inputs; returns what a run over it must report."""
    good: dict[str, str] = {}  # doc_id -> text
    bad: list[str] = []  # what stderr must name
    for i in range(170):
        rel = f"sub{i % 4}/art-{i:03d}.txt"
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(article(i), encoding="utf-8")
        if i % 25 == 0:  # a sidecar naming the document
            p.with_name(p.stem + ".meta.json").write_text(json.dumps({"id": f"side-{i}", "source": "Wire"}), encoding="utf-8")
            good[f"side-{i}"] = article(i)
        else:
            good[rel] = article(i)
    lines = []
    for i in range(40):
        lines.append(json.dumps({"id": f"rec-{i}", "text": article(i + 1000), "published": "2025-11-05"}, ensure_ascii=False))
        good[f"rec-{i}"] = article(i + 1000)
    lines.insert(10, '{"id": "broken", "text": ')  # line 11: broken JSON
    lines.insert(20, '{"id": "no-text"}')  # line 21: a record without text
    (root / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad += ["records.jsonl:11", "records.jsonl:21"]
    (root / "old.txt").write_bytes(EVENTS[0].encode("cp1256"))
    good["old.txt"] = EVENTS[0]
    (root / "wide.txt").write_bytes(EVENTS[1].encode("utf-16"))  # with BOM
    good["wide.txt"] = EVENTS[1]
    (root / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (root / "empty.txt").write_bytes(b"")
    (root / "latin.txt").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e ".encode("latin-1") * 20)  # not UTF-8, not Arabic
    (root / "gone.txt").symlink_to(root / "nowhere.txt")  # broken link: unreadable even for root
    bad += ["binary.txt", "empty.txt", "latin.txt", "gone.txt"]
    if os.geteuid() != 0:  # root reads a chmod 000 file anyway
        locked = root / "locked.txt"
        locked.write_text(EVENTS[2], encoding="utf-8")
        locked.chmod(0)
        bad.append("locked.txt")
    # Never read: gold annotations and sidecars on their own.
    (root / "x.gold.jsonl").write_text('{"broken', encoding="utf-8")
    (root / "lonely.meta.json").write_text("{", encoding="utf-8")
    return {"good": good, "bad": bad}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("batch") / "articles"
    root.mkdir()
    return root, build_folder(root)


@pytest.fixture(scope="module")
def j2(folder: tuple[Path, dict[str, object]]) -> subprocess.CompletedProcess[bytes]:
    return run("extract", "-j", "2", "--published", "2025-11-05", str(folder[0]))


def summary_counts(stderr: str) -> tuple[int, int, int]:
    m = re.search(r"(\d+) documents read, (\d+) failed \((\d+) inputs\)", stderr)
    assert m, stderr
    read, failed, inputs = (int(x) for x in m.groups())
    return read, failed, inputs


def test_mixed_folder_every_good_document_in_every_bad_named(folder, j2, extractor: Extractor) -> None:  # type: ignore[no-untyped-def]
    root, want = folder
    good: dict[str, str] = want["good"]  # type: ignore[assignment]
    bad: list[str] = want["bad"]  # type: ignore[assignment]
    assert len(good) + len(bad) >= 200
    assert j2.returncode == 1, j2.stderr
    err = j2.stderr.decode()
    for name in bad:
        assert re.search(rf"^sahel-events: {re.escape(name)}: ", err, re.M), (name, err)
    assert "windows-1256" in err and "UTF-16" in err
    assert "gold" not in err and "lonely" not in err
    got: dict[str, set[str]] = {}
    for r in records(j2.stdout):
        got.setdefault(r["doc_id"], set()).add(r["event_id"])
    expected_events = 0
    for doc_id, text in good.items():
        published = "2025-11-05"
        want_ids = {e.event_id for e in extractor.extract(text, DocMeta(doc_id=doc_id, published=published))}
        expected_events += len(want_ids)
        assert got.get(doc_id, set()) == want_ids, doc_id
    assert expected_events >= 60
    read, failed, inputs = summary_counts(err)
    assert (read, failed) == (len(good), len(bad))
    assert read + failed == inputs


def test_one_and_two_workers_write_the_same_bytes(folder, j2) -> None:  # type: ignore[no-untyped-def]
    j1 = run("extract", "-j", "1", "--published", "2025-11-05", str(folder[0]))
    assert j1.returncode == 1
    assert j1.stdout == j2.stdout and j1.stdout
    # stderr names the same inputs in the same order, whatever the workers
    names = [line for line in j1.stderr.decode().splitlines() if line.startswith("sahel-events: ") and "documents read" not in line]
    assert names == [line for line in j2.stderr.decode().splitlines() if line in names]


def test_manifest_counts_and_is_the_same_for_any_worker_count(folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, want = folder
    m1, m2 = tmp_path / "m1.json", tmp_path / "m2.json"
    out = tmp_path / "events.jsonl"
    r1 = run("extract", "-q", "-j", "1", "--manifest", str(m1), "-o", str(out), str(root), cwd=tmp_path)
    r2 = run("extract", "-q", "-j", "2", "--manifest", str(m2), "-o", str(out), str(root), cwd=tmp_path)
    assert r1.returncode == r2.returncode == 1
    assert r1.stderr == r2.stderr
    assert m1.read_bytes() == m2.read_bytes()
    man = json.loads(m1.read_text(encoding="utf-8"))
    assert man["tool"] == "sahel-events" and man["version"] and len(man["rules"]["digest"]) >= 8
    c = man["counts"]
    assert c["documents"] == len(want["good"]) and c["failed"] == len(want["bad"])  # type: ignore[arg-type]
    assert c["inputs"] == c["documents"] + c["failed"]
    assert c["events"] == len(records(out.read_bytes())) == sum(man["events_per_family"].values())
    assert {f["where"] for f in man["inputs"]["failed"]} == set(want["bad"])  # type: ignore[arg-type]
    assert "records.jsonl" in man["inputs"]["read"] and "old.txt" in man["inputs"]["read"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl", "m1.json", "m2.json"]


def test_fail_fast_stops_at_the_first_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(30):
        (docs / f"a{i:02d}.txt").write_text(article(i), encoding="utf-8")
    (docs / "b-empty.txt").write_bytes(b"")
    (docs / "c.txt").write_text(EVENTS[0], encoding="utf-8")
    out = tmp_path / "events.jsonl"
    out.write_bytes(b"earlier run\n")
    r = run("extract", "-j", "2", "--fail-fast", "-o", str(out), str(docs))
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "b-empty.txt: empty file" in err and "--fail-fast" in err
    assert out.read_bytes() == b"earlier run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "events.jsonl"]


def _interrupt(tmp_path: Path, sig: int) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    filler = "\n\n".join(FILLER * 12)
    for i in range(1500):  # ~10 MiB with no publication date: many seconds of work on 2 workers
        (docs / f"d{i:04d}.txt").write_text(filler + "\n\n" + EVENTS[i % len(EVENTS)] + "\n", encoding="utf-8")
    out = tmp_path / "events.jsonl"
    out.write_bytes(b"the earlier run's events\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen(
        [sys.executable, "-m", "sahel_events", "extract", "--workers", "2", "-o", str(out), str(docs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 15
    while not list(tmp_path.glob(".events.jsonl.*.tmp")):  # the run has started writing
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read() if p.stderr else ""
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are busy
    workers = children(p.pid)
    p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=15)
    finally:
        p.kill()  # on a failure, leave nothing running
        for w in workers:
            if alive(w):
                with contextlib.suppress(OSError):
                    os.kill(w, signal.SIGKILL)
    assert p.returncode == 128 + sig, err
    assert b"interrupted by " + signal.Signals(sig).name.encode() in err
    assert b"documents read" in err and b"Traceback" not in err
    assert out.read_bytes() == b"the earlier run's events\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["docs", "events.jsonl"]
    assert not [w for w in workers if alive(w)], "workers left running"


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:  # not Linux
        return []


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigint_leaves_the_earlier_output_and_no_temporary_file(tmp_path: Path) -> None:
    _interrupt(tmp_path, signal.SIGINT)


def test_sigterm_leaves_the_earlier_output_and_no_temporary_file(tmp_path: Path) -> None:
    _interrupt(tmp_path, signal.SIGTERM)


def test_sighup_is_handled_like_sigterm(tmp_path: Path) -> None:
    """A closed terminal or session: the run stops as for SIGTERM (exit 129), workers stopped."""
    _interrupt(tmp_path, signal.SIGHUP)


def test_closed_pipe_exits_quietly(folder) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen(
        [sys.executable, "-m", "sahel_events", "extract", "-j", "2", "-q", str(folder[0])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.read(100)
    p.stdout.close()  # like `| head -c 100`
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("the run did not end after its output pipe was closed") from None
    assert p.returncode == 0, err
    assert b"Traceback" not in err and b"Broken pipe" not in err


def test_dedupe_merges_one_article_read_twice(tmp_path: Path) -> None:
    seed = SEED / "mali-bamako-us.txt"
    if not seed.exists():
        pytest.skip("../shared/corpus/seed is not beside this checkout")
    text = seed.read_bytes()
    for name, src in (("first.txt", "Wire A"), ("second.txt", "Wire B")):
        (tmp_path / name).write_bytes(text)
        side = {"published": "2025-11-05", "source": src}  # as the accuracy test reads the seed
        (tmp_path / name.replace(".txt", ".meta.json")).write_text(json.dumps(side), encoding="utf-8")
    plain = records(run("extract", "-q", "first.txt", cwd=tmp_path).stdout)
    r = run("extract", "-q", "--dedupe", "-j", "2", "first.txt", "second.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    merged = records(r.stdout)
    assert plain and len(merged) == len(plain)
    assert [x["event_id"] for x in merged] == [x["event_id"] for x in plain]  # first appearance order
    for rec, one in zip(merged, plain, strict=True):
        assert rec["source"] == "Wire A; Wire B"
        assert rec["doc_id"] == "first.txt" and rec["evidence"] == one["evidence"]
        assert {m["doc_id"] for m in rec["mentions"]} == {"first.txt", "second.txt"}
        assert len(rec["mentions"]) == 2 * len(one["mentions"])
        for m in rec["mentions"]:
            assert text.decode("utf-8")[m["start"] : m["end"]] == m["text"]
    assert "duplicate reports merged" in run("extract", "--dedupe", "first.txt", "second.txt", cwd=tmp_path).stderr.decode()


def test_stdin_json_lines_and_single_line_file(tmp_path: Path) -> None:
    # One long line (no newline at all): processed like any other document.
    line = " ".join(FILLER * 400) + " " + EVENTS[0] + " " + " ".join(FILLER * 400)
    (tmp_path / "one-line.txt").write_text(line, encoding="utf-8")
    r = run("extract", "-q", "--published", "2025-11-05", "one-line.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [x["doc_id"] for x in records(r.stdout)] == ["one-line.txt"]
    recs = "\n".join(json.dumps({"id": f"s{i}", "text": EVENTS[i]}, ensure_ascii=False) for i in range(3)) + "\n{oops\n"
    r = run("extract", "--input-format", "jsonl", "-", stdin=recs.encode())
    assert r.returncode == 1
    assert "stdin:4: broken JSON line" in r.stderr.decode()
    assert [x["doc_id"] for x in records(r.stdout)] == ["s0", "s1", "s2"]


def test_output_inside_an_input_folder_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EVENTS[0], encoding="utf-8")
    out = tmp_path / "events.jsonl"
    for _ in range(2):
        r = run("extract", "-q", "-o", str(out), str(tmp_path))
        assert r.returncode == 0, r.stderr
    assert [x["doc_id"] for x in records(out.read_bytes())] == ["a.txt"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("extract", "--published", "5 Nov", "-", stdin=b"x").returncode == 2
    assert run("extract", "--format", "xml", "-", stdin=b"x").returncode == 2
    assert run("extract", "--workers", "-1", "-", stdin=b"x").returncode == 2
    bad_rules = tmp_path / "rules"
    bad_rules.mkdir()
    (bad_rules / "blockade.toml").write_text("[[rule]]\nid = 3\n", encoding="utf-8")
    r = run("extract", "--rules", str(bad_rules), "-o", str(tmp_path / "out.jsonl"), "-", stdin=EVENTS[0].encode())
    assert r.returncode == 2
    assert not (tmp_path / "out.jsonl").exists()
    help_text = run("extract", "--help").stdout.decode()
    assert "Exit status" in help_text and "--workers" in help_text


def test_folder_walk_is_sorted_by_path_and_lazy(tmp_path: Path) -> None:
    """Files and sub-folders interleave in name order (a.txt, b/…, c.txt), a link to
    a folder is not followed, and the walk yields before it has listed the whole tree."""
    from sahel_events.inputs import plan_inputs

    for rel in ("c.txt", "a.txt", "b/z.txt", "b/y/x.txt", "b/a.jsonl", "d/e.txt", "notes.md"):
        p = tmp_path / "in" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("نص", encoding="utf-8")
    (tmp_path / "in" / "linked").symlink_to(tmp_path / "in" / "d")
    shown = [s.shown for s in plan_inputs([str(tmp_path / "in")])]
    assert shown == ["a.txt", "b/a.jsonl", "b/y/x.txt", "b/z.txt", "c.txt", "d/e.txt"]
    walk = plan_inputs([str(tmp_path / "in")])
    assert next(walk).shown == "a.txt"
    (tmp_path / "in" / "d" / "late.txt").write_text("نص", encoding="utf-8")  # d/ is listed only when reached
    assert [s.shown for s in walk][-1] == "d/late.txt"
