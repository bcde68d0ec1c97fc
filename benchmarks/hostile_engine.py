"""Hostile inputs for the engine (issue 12, items 2 and 7), in one run.

    .venv/bin/python benchmarks/hostile_engine.py                         # everything (~10 min)
    .venv/bin/python benchmarks/hostile_engine.py --skip big              # the regex timings only
    .venv/bin/python benchmarks/hostile_engine.py --before ../main-checkout   # and the same at another checkout

Prints:
- the attribution gap «أعلن* ... مسؤوليت*» on 20, 25, 30 and 1,000 Arabic commas:
  before (the gap as it was at 4a3c0ef, rebuilt here) and now (the shipped
  grammar through `find_tags`); each timing runs in a subprocess stopped after
  --cap seconds;
- peak RSS (the largest process) and MiB/s, wall and CPU, of
  `sahel-events extract -j 1` on a 16 MiB document, a 50 MB single line,
  16 MiB on standard input, and the same 16 MiB as a folder of files; for
  sparse text (the benchmark corpus: events in 4% of paragraphs) and dense
  text (samples/ only), with and without --published.  With --before, the
  same commands at that checkout (PYTHONPATH), run in turn with ours.
Inputs are built once under benchmarks/data/hostile/ (seeded: the same on every machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]
# Nothing of the package is imported here: a child's peak RSS (wait4) starts from
# its parent's size at fork, so the measuring process stays small and the inputs
# are built by a child (--build-only).

MiB = 2**20
COMMAS = (20, 25, 30, 1000)
# The gap of a tag phrase at 4a3c0ef: a gap word could hold a comma, so a run of
# commas split between words and separators in exponentially many ways.
OLD_GAP = "(?:[ ،,]+[^\\s.!?؟؛]+){0,6}?[ ،,]+"
_LETTER = "\u0621-\u064a"
_CLITIC = "(?:[وف]?(?:[بلك]?ال|لل|[بلك])?)"
OLD_CLAIM = f"(?<![{_LETTER}]){_CLITIC}اعلن[{_LETTER}]*(?![{_LETTER}]){OLD_GAP}(?<![{_LETTER}]){_CLITIC}مسءوليت[{_LETTER}]*(?![{_LETTER}])"


def comma_text(n: int) -> str:
    """A claim phrase whose gap is a run of n Arabic commas and never closes (136–156 bytes at 20–30)."""
    return "وأعلنت الجماعة" + "،" * n + " في الهجوم الأخير على البلدة."


_TIME_OLD = """
import re, sys, time
sys.path.insert(0, sys.argv[3])
from sahel_events.text import normalize
pat = re.compile(sys.argv[1]); text = normalize(sys.argv[2]).text
pat.search("")  # compiled
t = time.perf_counter(); pat.search(text); print(time.perf_counter() - t)
"""
_TIME_NOW = """
import sys, time
sys.path.insert(0, sys.argv[1])
from sahel_events import load_rules
from sahel_events.numbers import find_tags
from sahel_events.text import normalize
g = load_rules().numbers; text = normalize(sys.argv[2]).text
find_tags(text, g)  # compiles the alternatives that open here
t = time.perf_counter(); find_tags(text, g); print(time.perf_counter() - t)
"""


def timed(code: list[str], cap: float) -> str:
    try:
        done = subprocess.run([sys.executable, "-c", *code], capture_output=True, text=True, timeout=cap, check=True)
    except subprocess.TimeoutExpired:
        return f"> {cap:g} s (stopped)"
    return f"{float(done.stdout):.6f} s"


def regex_timings(cap: float) -> None:
    print("attribution gap «أعلن* ... مسؤوليت*», a run of Arabic commas that never closes:")
    print(f"{'commas':>8} {'bytes':>6} {'before (4a3c0ef gap)':>22} {'now (find_tags)':>18}")
    for n in COMMAS:
        text = comma_text(n)
        old = timed([_TIME_OLD, OLD_CLAIM, text, str(ROOT)], cap)
        now = timed([_TIME_NOW, str(ROOT), text], cap)
        print(f"{n:>8} {len(text.encode()):>6} {old:>22} {now:>18}")


# -- large documents -------------------------------------------------------------------


def paths(data: Path) -> dict[str, Path]:
    """The documents and folders measured."""
    return {
        "sparse folder": data / "sparse-folder",
        "dense folder": data / "dense-folder",
        "sparse document": data / "sparse-16mib.txt",
        "dense document": data / "dense-16mib.txt",
        "sparse line": data / "sparse-50mb-line.txt",
        "sparse line folder": data / "sparse-50mb-line-folder",
    }


def inputs(data: Path) -> dict[str, Path]:
    """Build the documents and folders measured (once)."""
    from corpus import build, clean_vocabulary, sample_paragraphs

    from sahel_events import load_rules
    from sahel_events.text import normalize

    rules = load_rules()
    vocab = clean_vocabulary(lambda w: bool(rules.anchors.spans(normalize(w).text)))
    samples = sample_paragraphs(ROOT / "samples")
    out: dict[str, Path] = {}
    sparse = data / "sparse-folder"
    build(sparse, 16, vocab, samples)
    out["sparse folder"] = sparse
    dense = data / "dense-folder"
    if not (dense / ".complete").exists():
        dense.mkdir(parents=True, exist_ok=True)
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
        size = i = 0
        while size < 16 * MiB:
            t = texts[i % len(texts)]
            (dense / f"doc-{i:06d}.txt").write_text(t, encoding="utf-8")
            size += len(t.encode())
            i += 1
        (dense / ".complete").write_text(f"{i} {size}\n")
    out["dense folder"] = dense
    for kind, folder in (("sparse", sparse), ("dense", dense)):
        doc = data / f"{kind}-16mib.txt"
        if not doc.exists():
            files = sorted(folder.rglob("*.txt"))
            doc.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in files), encoding="utf-8")
        out[f"{kind} document"] = doc
    line = data / "sparse-50mb-line.txt"
    if not line.exists():
        big = data / "sparse-48mib-folder"
        build(big, 48, vocab, samples, seed=2026)
        parts = [p.read_text(encoding="utf-8").replace("\n", " ").strip() for p in sorted(big.rglob("*.txt"))]
        text = " ".join(parts)
        line.write_text(text, encoding="utf-8")
        folder = data / "sparse-50mb-line-folder"
        folder.mkdir(exist_ok=True)
        for i, t in enumerate(parts):
            (folder / f"doc-{i:06d}.txt").write_text(t, encoding="utf-8")
    out["sparse line"] = line
    out["sparse line folder"] = data / "sparse-50mb-line-folder"
    assert out == paths(data)
    return out


def size_of(p: Path) -> int:
    return p.stat().st_size if p.is_file() else sum(q.stat().st_size for q in p.rglob("*.txt"))


def run(tree: Path, args: list[str], stdin: Path | None, cache: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS bytes of the largest process) of one `sahel-events extract -j 1` run."""
    env = dict(os.environ, PYTHONPATH=str(tree), XDG_CACHE_HOME=str(cache))
    # Records go to standard output, thrown away: an older checkout would replace an -o file by a rename.
    cmd = [sys.executable, "-m", "sahel_events", "extract", "-j", "1", "--no-progress", *args]
    t = time.perf_counter()
    with open(stdin or os.devnull, "rb") as fh:
        p = subprocess.Popen(cmd, env=env, stdin=fh, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def big_documents(data: Path, runs: int, before: Path | None, published: list[bool]) -> None:
    subprocess.run([sys.executable, __file__, "--build-only", "--data", str(data)], check=True)
    where = paths(data)
    cases = [
        ("16 MiB document, sparse", ["sparse document"], None, "sparse folder"),
        ("16 MiB on stdin, sparse", ["-"], "sparse document", "sparse folder"),
        ("16 MiB as a folder, sparse", ["sparse folder"], None, None),
        ("50 MB single line, sparse", ["sparse line"], None, "sparse line folder"),
        ("50 MB as a folder, sparse", ["sparse line folder"], None, None),
        ("16 MiB document, dense", ["dense document"], None, "dense folder"),
        ("16 MiB on stdin, dense", ["-"], "dense document", "dense folder"),
        ("16 MiB as a folder, dense", ["dense folder"], None, None),
    ]
    trees = [("now", ROOT)] + ([("before", before)] if before else [])
    for dated in published:
        pub = ["--published", "2025-11-05"] if dated else []
        print(f"\nsahel-events extract -j 1 {' '.join(pub)} (median of {runs}; MiB/s by wall and by CPU time):")
        print(f"{'input':<28} {'tree':<7} {'peak MB':>8} {'wall s':>8} {'MiB/s':>7} {'cpu MiB/s':>9} {'cpu vs folder':>13}")
        cpu_of: dict[tuple[str, str], float] = {}
        for name, args, stdin, folder in sorted(cases, key=lambda c: c[3] is not None):  # folders first
            src = where[stdin] if stdin else where[args[0]]
            argv = [str(where[a]) if a in where else a for a in args] + pub
            mib = size_of(src) / MiB
            for label, tree in trees:
                got = [run(tree, argv, where[stdin] if stdin else None, data / f"cache-{label}") for _ in range(runs)]
                wall = statistics.median(g[0] for g in got)
                cpu = statistics.median(g[1] for g in got)
                peak = max(g[2] for g in got)
                cpu_of[(label, name)] = cpu / mib
                ratio = ""
                if folder:
                    ref = cpu_of.get((label, next(c[0] for c in cases if c[1] == [folder])))
                    ratio = f"{cpu / mib / ref:.2f}x" if ref else ""
                print(f"{name:<28} {label:<7} {peak / 1e6:>8.0f} {wall:>8.2f} {mib / wall:>7.2f} {mib / cpu:>9.2f} {ratio:>13}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap", type=float, default=20, help="seconds before a regex timing is stopped (default 20)")
    ap.add_argument("--runs", type=int, default=1, help="runs per large-input timing; the median is printed (default 1)")
    ap.add_argument("--before", type=Path, help="another checkout (e.g. main) to measure the same way")
    ap.add_argument("--data", type=Path, default=HERE / "data" / "hostile", help="where the inputs go")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: regex,big,dated,undated")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.build_only:
        a.data.mkdir(parents=True, exist_ok=True)
        inputs(a.data)
        return
    skip = set(filter(None, a.skip.split(",")))
    if "regex" not in skip:
        regex_timings(a.cap)
    if "big" not in skip:
        a.data.mkdir(parents=True, exist_ok=True)
        published = [d for d, k in ((True, "dated"), (False, "undated")) if k not in skip]
        big_documents(a.data, a.runs, a.before.resolve() if a.before else None, published)


if __name__ == "__main__":
    main()
