"""Hostile inputs: how long they take, so that nothing an attacker writes is quadratic.

    .venv/bin/python benchmarks/hostile.py              # every case
    .venv/bin/python benchmarks/hostile.py --max-aliases 100000

Prints one line per case: what was loaded and how long it took (best of --runs).

- aliases: the shipped rule pack plus one actor with 10^4, 10^5 and 10^6 aliases,
  written one per line and all on one line (`load_rules`, no cache).  Loading
  must stay linear in the pack's size (issue 12, item 12: 10^5 aliases took 27 s).
  10^6 is skipped with --max-aliases below it.
- cache: compiled rules ready from the compiled-rule cache (`load_rules_cached`
  on a warm cache, in-process), which must stay under ~50 ms.

Later cases (regex linearity, large documents) add their own sections here.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sahel_events.cache import load_rules_cached  # noqa: E402
from sahel_events.rules import default_rules_dir, load_rules  # noqa: E402

_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


def aliases(n: int) -> Iterator[str]:
    """n distinct Arabic names of four letters or more after «جماعة»."""
    for k in itertools.count(4):
        for combo in itertools.product(_LETTERS, repeat=k):
            if n == 0:
                return
            n -= 1
            yield "جماعة " + "".join(combo)


def pack_with_aliases(dst: Path, n: int, one_line: bool) -> Path:
    """The shipped pack with one more actor holding n aliases."""
    shutil.copytree(default_rules_dir(), dst)
    quoted = [f'"{a}"' for a in aliases(n)]
    body = ", ".join(quoted) if one_line else "\n  " + ",\n  ".join(quoted) + ",\n"
    with open(dst / "lexicon" / "actors.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[[actor]]\nname = "Many Names Group"\ninter = "Rebel group"\ncountry = "Mali"\naliases = [{body}]\n')
    return dst


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-aliases", type=int, default=1_000_000, help="largest alias count tried (default 10^6)")
    ap.add_argument("--runs", type=int, default=3, help="runs per case; the best is printed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sahel-hostile-") as tmp:
        for n in (10_000, 100_000, 1_000_000):
            if n > args.max_aliases:
                continue
            for one_line in (False, True):
                pack = pack_with_aliases(Path(tmp) / f"pack-{n}-{int(one_line)}", n, one_line)
                size = sum(p.stat().st_size for p in pack.rglob("*") if p.is_file()) / 2**20
                t = best(lambda p=pack: load_rules(p), 1 if n >= 1_000_000 else args.runs)
                layout = "on one line " if one_line else "one per line"
                print(f"aliases  {n:>9,} {layout}  ({size:5.1f} MiB pack)  load_rules {t:8.2f} s", flush=True)
        cache = Path(tmp) / "cache"
        os.environ.pop("SAHEL_EVENTS_NO_CACHE", None)
        load_rules_cached(None, cache)  # warm
        t = best(lambda: load_rules_cached(None, cache), max(args.runs, 5))
        print(f"cache    compiled rules ready from a warm cache        {t * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
