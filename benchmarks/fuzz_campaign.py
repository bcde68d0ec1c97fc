"""A long fuzzing campaign (outside CI): extraction over ≥100,000 random inputs.

    .venv/bin/python benchmarks/fuzz_campaign.py                # 100,000 inputs on every core
    .venv/bin/python benchmarks/fuzz_campaign.py -n 5000 -j 1    # a quick look

Inputs come from tests/test_fuzz.py's generator (mixed scripts, Arabic
presentation forms, bidi and zero-width marks, combining marks on any letter,
lone surrogates, NUL, real sentences with events, long lines), seeded, so a
campaign is repeatable.  Every input is extracted with and without a
publication date on alternate inputs; each record's evidence and mention
offsets are checked against the text.  Prints counts (inputs, events,
exceptions, offset mismatches) and time; exit 1 when anything failed, with
the first failing seeds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT)]

from sahel_events import DocMeta, Extractor, load_rules  # noqa: E402
from tests.test_fuzz import fuzz_text  # noqa: E402

_ex: Extractor | None = None


def _init() -> None:
    global _ex
    _ex = Extractor(load_rules())


def _batch(seeds: range) -> tuple[int, int, int, int, int, list[str]]:
    """(inputs, characters, events, exceptions, bad offsets, first failures)."""
    assert _ex is not None
    inputs = chars = events = errors = bad = 0
    failures: list[str] = []
    for seed in seeds:
        rng = random.Random(seed)
        text = fuzz_text(rng, rng.choice((4, 12, 40)))
        inputs += 1
        chars += len(text)
        try:
            recs = [e.to_record() for e in _ex.extract(text, DocMeta(doc_id="fuzz", published="2025-11-05" if seed % 2 else None))]
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors += 1
            if len(failures) < 5:
                failures.append(f"seed {seed}: {type(e).__name__}: {e}")
            continue
        for rec in recs:
            events += 1
            spans = [rec["evidence"], *rec["mentions"]]
            if any(not (0 <= s["start"] < s["end"] <= len(text)) or text[s["start"] : s["end"]] != s["text"] for s in spans):
                bad += 1
                if len(failures) < 5:
                    failures.append(f"seed {seed}: offsets of {rec['event_id']}")
    return inputs, chars, events, errors, bad, failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="inputs (default 100000)")
    ap.add_argument("-j", type=int, default=0, help="processes (default: every core)")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    a = ap.parse_args()
    import os

    jobs = a.j or os.cpu_count() or 1
    step = 500
    chunks = [range(s, min(s + step, a.seed + a.n)) for s in range(a.seed, a.seed + a.n, step)]
    t = time.perf_counter()
    totals = [0, 0, 0, 0, 0]
    failures: list[str] = []
    if jobs == 1:
        _init()
        results = map(_batch, chunks)
    else:
        pool = ProcessPoolExecutor(jobs, initializer=_init)
        results = pool.map(_batch, chunks)
    for i, (*counts, fails) in enumerate(results, 1):
        totals = [x + y for x, y in zip(totals, counts, strict=True)]
        failures += fails
        if i % 20 == 0:
            print(f"  {totals[0]:,} inputs, {time.perf_counter() - t:.0f} s", file=sys.stderr)
    dt = time.perf_counter() - t
    inputs, chars, events, errors, bad = totals
    print(f"fuzz campaign: {inputs:,} inputs ({chars / 1e6:.1f} M characters), {events:,} events checked")
    print(f"  exceptions: {errors}, offset mismatches: {bad}")
    print(f"  {dt:.1f} s on {jobs} process(es), {inputs / dt:,.0f} inputs/s")
    for f in failures[:10]:
        print("  " + f)
    raise SystemExit(1 if errors or bad else 0)


if __name__ == "__main__":
    main()
