"""Reading input bytes safely: regular files only, a size cap, reads a signal can interrupt.

Why: unattended runs over scraped folders meet `/dev/zero`, FIFOs, sockets and
files of gigabytes.  Reading those whole grows memory until the kernel kills the
run, and opening a FIFO waits for a writer for ever.  So a file is opened without
blocking (O_NONBLOCK), read only when `fstat` says it is a regular file, refused
unread when it is larger than the cap, and read in pieces of bounded size, so a
signal handler (SIGTERM, SIGINT) runs between them.  A line of JSON lines is
capped the same way; a longer one is read through without being kept.

Errors are `ReadError` with the message to show after the file's name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from typing import IO

MiB = 2**20
DEFAULT_MAX_DOC_MB = 64.0  # admits a 50 MB single-line document
DEFAULT_MAX_DOC_BYTES = int(DEFAULT_MAX_DOC_MB * MiB)
PIECE = 16 * MiB  # bytes per read once the expected size is passed (stdin, growing files)


class ReadError(Exception):
    """Why an input could not be read (shown after its name)."""


def _size(nbytes: int) -> str:
    return f"{nbytes / MiB:.1f} MiB" if nbytes >= MiB else f"{nbytes} bytes"


def too_large(nbytes: int, max_bytes: int, more: bool = False) -> str:
    """The message for a document over the cap (`more`: reading stopped past the cap, size unknown)."""
    size = "" if more else f"{_size(nbytes)}, "
    return f"too large ({size}over --max-doc-mb {max_bytes / MiB:.3g}); skipped"


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(mode: int, named: bool = False) -> str:
    """The message for something that is not a regular file, saying what it is
    (`named`: on the command line, where a FIFO could be given as standard input)."""
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    hint = "; give a pipe as standard input (-) to read it" if named and kind == "a FIFO" else ""
    return f"not a regular file ({kind}){hint}"


def open_regular(path: str | os.PathLike[str], max_bytes: int) -> tuple[int, int]:
    """A file descriptor open for reading and the file's size; ReadError unless a
    regular file of at most `max_bytes` (the descriptor is then closed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(not_regular(st.st_mode))
        if st.st_size > max_bytes:
            raise ReadError(too_large(st.st_size, max_bytes))
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def read_capped(read: Callable[[int], bytes], max_bytes: int, expect: int = 0) -> bytes:
    """Everything `read(n)` gives until it returns b"", at most `max_bytes` (ReadError
    past that, without holding more than max_bytes + 1).  `expect`: the size known
    in advance, read in one call when it fits."""
    parts: list[bytes] = []
    total = 0
    want = expect + 1 if expect else PIECE
    while True:
        piece = read(min(want, max_bytes + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
        if total > max_bytes:
            raise ReadError(too_large(total, max_bytes, more=True))
        want = PIECE
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_regular(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_DOC_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; ReadError otherwise."""
    fd, size = open_regular(path, max_bytes)
    try:
        return read_capped(lambda n: _read(fd, n), max_bytes, size)
    finally:
        os.close(fd)


def _read(fd: int, n: int) -> bytes:
    try:
        return os.read(fd, n)
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror or e}") from None


def read_stream(stream: IO[bytes], max_bytes: int = DEFAULT_MAX_DOC_BYTES) -> bytes:
    """All of a binary stream (standard input), at most `max_bytes`: a regular file
    behind it is sized first, a pipe is read in pieces and left unread past the cap."""
    try:
        st = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError):
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        left = st.st_size - _tell(stream)
        if left > max_bytes:
            raise ReadError(too_large(left, max_bytes))

    def read(n: int) -> bytes:
        try:
            return stream.read(n)
        except OSError as e:
            raise ReadError(f"cannot read: {e.strerror or e}") from None

    return read_capped(read, max_bytes)


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except OSError:
        return 0


def capped_lines(stream: IO[bytes], max_bytes: int = DEFAULT_MAX_DOC_BYTES) -> Iterator[bytes | int]:
    """The lines of a binary stream, each of at most `max_bytes` (newline not counted);
    a longer line is read through to its end without being kept and comes as its
    length in bytes (an int), so the lines after it are still read."""
    limit = max_bytes + 1
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if len(line) < limit or line.endswith(b"\n"):
            yield line
            continue
        n = len(line)
        while True:  # the rest of the long line, in pieces, dropped
            rest = stream.readline(PIECE)
            n += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
        yield n
