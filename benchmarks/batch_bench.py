"""Batch throughput and memory of `sahel-events extract` at one and two workers.

    .venv/bin/python benchmarks/batch_bench.py             # ~200 MiB corpus under benchmarks/data/ (built once)
    .venv/bin/python benchmarks/batch_bench.py --mb 20     # a quick run

The corpus is built by benchmarks/corpus.py (seeded): news-sized documents made
of event-free filler paragraphs generated from a vocabulary checked to hold no
rule anchor, with paragraphs of samples/*.txt mixed in at random (about 4 %),
some documents with diacritics, tatweel or Arabic-Indic digits.

For -j 1 and -j 2 it runs `sahel-events extract DIR -o FILE --published …` in a
new process and reports wall time, MiB/s, the peak RSS of the largest process
(wait4's ru_maxrss covers the CLI and the workers it waited for) and the peak
of the whole process tree's RSS (sampled from /proc every 0.1 s), then the
ratios; it checks that both runs wrote the same bytes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from corpus import build, clean_vocabulary, sample_paragraphs  # noqa: E402

from sahel_events import load_rules  # noqa: E402
from sahel_events.text import normalize  # noqa: E402

MiB = 2**20


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(d))
        rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int, int]:
    """(wall seconds, peak RSS of the largest process, peak RSS of the tree, exit status)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, tree_rss(p.pid))
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    done.set()
    th.join()
    return wall, ru.ru_maxrss * 1024, peak_tree, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200, help="corpus size in MiB (default 200)")
    ap.add_argument("--data", type=Path, default=HERE / "data", help="where the corpus and outputs go (gitignored)")
    ap.add_argument("--no-published", action="store_true", help="leave documents undated (much slower engine path)")
    a = ap.parse_args()
    a.data.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    vocab = clean_vocabulary(lambda w: bool(rules.anchors.spans(normalize(w).text)))
    corpus = a.data / f"corpus-{a.mb:g}mib"
    t = time.perf_counter()
    files, nbytes = build(corpus, a.mb, vocab, sample_paragraphs(ROOT / "samples"))
    print(f"corpus: {corpus} — {files} documents, {nbytes / MiB:.1f} MiB (ready in {time.perf_counter() - t:.1f} s)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pub = [] if a.no_published else ["--published", "2025-11-05"]
    subprocess.run([sys.executable, "-m", "sahel_events", "rules", "check"], env=env, check=True, capture_output=True)
    res = {}
    for j in (1, 2):
        out = a.data / f"batch-j{j}.jsonl"
        cmd = [sys.executable, "-m", "sahel_events", "extract", str(corpus), "-o", str(out), "-j", str(j), "-q", *pub]
        wall, peak, tree, code = run(cmd, env)
        if code not in (0, 1):
            raise SystemExit(f"-j {j} failed with exit status {code}")
        res[j] = (wall, peak, tree)
        print(
            f"-j {j}: {wall:7.1f} s  {nbytes / MiB / wall:6.2f} MiB/s  peak RSS largest process {peak / MiB:6.1f} MiB"
            f"  whole tree {tree / MiB:6.1f} MiB"
        )
    same = (a.data / "batch-j1.jsonl").read_bytes() == (a.data / "batch-j2.jsonl").read_bytes()
    print(f"-j 2 / -j 1 speed-up: {res[1][0] / res[2][0]:.2f}×   peak RSS ratio (largest process): {res[2][1] / res[1][1]:.2f}")
    print(f"outputs byte-identical: {'yes' if same else 'NO'}")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
