"""`sahel-events` with test-only faults, switched on by environment variables, for
tests of time budgets, killed processes and interrupted renames:

- SLOWDOC_PIDS=FILE: a document holding "SLOWDOC" is never finished (its
  extraction sleeps); the process on it writes its pid to FILE first.
- KILL_AFTER_RENAME=NAME: the process kills itself (SIGKILL) right after it has
  renamed a file over NAME (a kill between an output's rename and its manifest's).
- FAIL_MANIFEST=1: making the manifest raises, after the output was written.

    python tests/patched_cli.py extract ...   (with the checkout on PYTHONPATH)
"""

from __future__ import annotations

import os
import signal
import sys
import time

MARKER = "SLOWDOC"


def _patch() -> None:
    if os.environ.get("SLOWDOC_PIDS"):
        from sahel_events.extract import Extractor

        extract = Extractor.extract

        def never_done(self, text, meta=None):  # type: ignore[no-untyped-def]
            if MARKER in text:
                with open(os.environ["SLOWDOC_PIDS"], "a", encoding="utf-8") as fh:
                    fh.write(f"{os.getpid()}\n")
                while True:
                    time.sleep(0.05)
            return extract(self, text, meta)

        Extractor.extract = never_done  # type: ignore[method-assign]
    if os.environ.get("KILL_AFTER_RENAME"):
        name = os.environ["KILL_AFTER_RENAME"]
        replace = os.replace

        def replace_then_die(src, dst, *a, **k):  # type: ignore[no-untyped-def]
            replace(src, dst, *a, **k)
            if os.path.basename(os.fspath(dst)) == name:
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace_then_die
    if os.environ.get("FAIL_MANIFEST"):
        from sahel_events.batch import BatchStats

        def broken(*a, **k):  # type: ignore[no-untyped-def]
            raise RuntimeError("manifest failed on purpose")

        BatchStats.manifest = broken  # type: ignore[method-assign]


if __name__ == "__main__":
    _patch()
    from sahel_events.cli import main

    sys.argv[0] = "sahel-events"
    main()
