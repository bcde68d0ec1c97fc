"""Output files: written to a temporary file and renamed whole, and an output and its
manifest written as a pair.

Why a pair: a run killed between the two renames would leave the new output beside
the previous run's manifest, and nothing would tell.  So the manifest records the
output's SHA-256 and size (`HashingWriter`), both files are complete on disk
before either is renamed, and the output is renamed first: a manifest whose
`output.sha256` is not the output's says the pair is stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

import orjson


class BinarySink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class AtomicFile:
    """A temporary file beside `target` (made now, so an unwritable place fails before
    any work); `commit()` renames it over the target, `discard()` removes it.

    A target that exists and is not a regular file (`-o /dev/null`, `/dev/stdout`,
    a FIFO) is written in place: a rename would put a regular file where the device
    was (as root, in /dev)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.committed = False
        self.tmp: str | None = None
        try:
            in_place = not stat.S_ISREG(os.stat(target).st_mode)
        except FileNotFoundError:
            in_place = False
        if in_place:
            self.fh: IO[bytes] = open(target, "wb")  # noqa: SIM115 - closed by finish() or discard()
            return
        parent = target.parent if str(target.parent) else Path(".")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        self.fh = os.fdopen(fd, "wb")

    def finish(self) -> None:
        """Everything written is on disk (not yet renamed)."""
        if not self.fh.closed:
            self.fh.flush()
            if self.tmp is not None:
                os.fsync(self.fh.fileno())
            self.fh.close()
            if self.tmp is not None:
                with contextlib.suppress(OSError):
                    os.chmod(self.tmp, 0o666 & ~_umask())

    def commit(self) -> None:
        self.finish()
        if self.tmp is not None:
            os.replace(self.tmp, self.target)
        self.committed = True

    def discard(self) -> None:
        """Remove the temporary file unless committed; the target stays as it was."""
        if not self.committed:
            with contextlib.suppress(OSError):
                self.fh.close()
            if self.tmp is not None:
                Path(self.tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def write_atomically(target: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside `target`, renamed over it only when the block ends normally.

    On any exception (a signal, --fail-fast, a crash) the temporary file is removed and
    an existing `target` is left as it was."""
    f = AtomicFile(target)
    try:
        yield f.fh
        f.commit()
    finally:
        f.discard()


def commit_in_order(files: Iterable[AtomicFile | None], hold: Iterable[int] = ()) -> None:
    """Rename each file in turn (the output, then its manifest), with the signals
    `hold` held back meanwhile, so that no handled signal falls between the renames."""
    todo = [f for f in files if f is not None]
    for f in todo:
        f.finish()
    held = tuple(hold) if hasattr(signal, "pthread_sigmask") else ()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held) if held else None
    try:
        for f in todo:
            f.commit()
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


class HashingWriter:
    """A binary sink that counts and hashes what goes through it to another."""

    def __init__(self, out: BinarySink) -> None:
        self._out = out
        self._sha = hashlib.sha256()
        self.nbytes = 0

    def write(self, data: bytes) -> object:
        self._sha.update(data)
        self.nbytes += len(data)
        return self._out.write(data)

    def info(self, path: str | None) -> dict[str, Any]:
        """The manifest's "output": where (None: standard output), SHA-256 and size."""
        return {"path": path, "sha256": self._sha.hexdigest(), "bytes": self.nbytes}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
