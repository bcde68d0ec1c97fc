"""Reading a rule pack's files safely, and line numbers for values of a TOML file.

tomllib gives values without positions; validation must still say
`file:line: problem`.  This scanner records the line of every table header
and every `key =` under it, which is all the rule format needs, and on demand
the line of every item of an array (`Locator.item`).

Rule packs come from anywhere (a scraped bundle, a shared folder), so reading
one must not hang or crash: `read_pack_file` opens only regular files of at
most `MAX_PACK_FILE_MB` without blocking on a FIFO or a device, and
`parse_toml` turns everything tomllib can fail with (deep nesting, an integer
too long for `int`) into one `TomlProblem` with a line.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from bisect import bisect_right
from pathlib import Path
from typing import Any

__all__ = ["MAX_NESTING", "MAX_PACK_FILE_MB", "Locator", "TomlProblem", "decode_error_line", "parse_toml", "read_pack_file"]

MAX_PACK_FILE_MB = 64  # one rule-pack file (the shipped pack's largest is 35 KB)
MAX_NESTING = 32  # arrays and inline tables inside each other (the shipped pack nests 2 deep)

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
# The tokens of TOML values, enough to follow brackets and find where array items begin.
_TOKEN = re.compile(
    r'(?P<skip>[ \t\r\n]+|#[^\n]*)'
    r'|(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""(?:""?)?|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\'(?:\'\'?)?|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
    r"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<comma>,)"
    r'|(?P<bare>[^\s\[\]{},#"\']+|.)',
    re.S,
)
_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"\n]*"|'[^'\n]*')"""
# A key begins a line (or a table header), or follows «{» or «,» in an inline table.
_DOTTED = re.compile(rf"(?:^|[{{,])[ \t]*(?:\[{{1,2}}[ \t]*)?{_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_NESTING}}}", re.M)
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def read_pack_file(path: Path | str, limit_mb: int = MAX_PACK_FILE_MB) -> bytes:
    """The bytes of a regular file of at most `limit_mb` MiB.

    A FIFO is opened without blocking and refused like a device, a socket or a
    folder; so is a larger file (also one that grows while read).  Raises
    OSError whose `strerror` says why, as a failed open would."""
    limit = limit_mb * 2**20
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "a special file")
            raise OSError(0, f"not a regular file ({kind})", str(path))
        data = b"" if st.st_size > limit else os.read(fd, limit + 1)
        while 0 < len(data) <= limit and (more := os.read(fd, limit + 1 - len(data))):
            data += more  # os.read may return less than asked
        if st.st_size > limit or len(data) > limit:
            raise OSError(0, f"larger than {limit_mb} MiB, the limit for one rule-pack file", str(path))
    finally:
        os.close(fd)
    return data


class TomlProblem(ValueError):
    """A TOML text that tomllib cannot (or must not) read, with the line that says where."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def parse_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)`, failing only as TomlProblem: a syntax error, values nested
    too deep for tomllib's recursion, or an integer too long for `int`."""
    import tomllib  # here, not at import: a cached rule pack never parses TOML

    # tomllib takes time quadratic in the parts of a dotted key (20,000 parts: 6 s).
    for n, row in enumerate(text.split("\n"), 1):
        if row.count(".") >= MAX_NESTING and _DOTTED.search(row):  # a cheap test first: most lines have few dots
            raise TomlProblem(n, f"a key of more than {MAX_NESTING} dotted parts", "keys of a rule pack have 1 to 3")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # "(at line 3, column 7)", or "(at end of document)": the last line
        line = decode_error_line(str(e)) if "line" in str(e) else max(1, len(text.splitlines()))
        raise TomlProblem(line, f"TOML syntax: {e}", "check quotes, brackets and commas") from None
    except RecursionError:
        line = nesting_line(text, MAX_NESTING) or 1
        raise TomlProblem(
            line, f"values nested more than {MAX_NESTING} deep", "arrays and inline tables of a rule pack nest 2 or 3 deep"
        ) from None
    except ValueError as e:  # int() refuses more than sys.get_int_max_str_digits() digits
        limit = sys.get_int_max_str_digits()
        m = re.search(rf"(?:\d_?){{{limit + 1},}}", text) if limit else None
        if m is None:
            raise TomlProblem(1, f"TOML: {e}", "check the values") from None
        raise TomlProblem(
            text.count("\n", 0, m.start()) + 1, f"number of {len(m.group().replace('_', ''))} digits", "write a number of a few digits"
        ) from None


def nesting_line(text: str, limit: int) -> int | None:
    """The line where arrays and inline tables first nest deeper than `limit`, if they do."""
    depth, pos = 0, 0
    while m := _TOKEN.match(text, pos):
        pos = m.end()
        if m.lastgroup == "open":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, m.start()) + 1
        elif m.lastgroup == "close":
            depth = max(depth - 1, 0)
    return None


class Locator:
    """Maps (table path, key) to a 1-based line number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")  # TOML's lines (splitlines would also break at U+2028 and friends)
        self._pos: dict[tuple[object, ...], int] = {}
        self._items: dict[tuple[object, ...], list[int]] = {}
        self._starts: list[int] = []
        counters: dict[tuple[object, ...], int] = {}
        current: tuple[object, ...] = ()
        for n, line in enumerate(self.lines, 1):
            m = _HEADER.match(line)
            if m:
                parts = m.group(2).split(".")
                # Resolve the parent path with the latest index of every array table.
                path: list[object] = []
                for depth, name in enumerate(parts):
                    path.append(name)
                    last = depth == len(parts) - 1
                    if last and m.group(1) == "[[":
                        key = tuple(path)
                        counters[key] = counters.get(key, -1) + 1
                        path.append(counters[key])
                        for child in [c for c in counters if len(c) > len(key) and c[: len(key)] == key]:
                            del counters[child]  # a new parent restarts its children's numbering
                    elif not last and tuple(path) in counters:
                        path.append(counters[tuple(path)])
                current = tuple(path)
                self._pos[current] = n
                continue
            km = _KEY.match(line)
            if km:
                self._pos.setdefault(current + (km.group(1),), n)

    def line(self, *path: object) -> int:
        """Line of the deepest known prefix of `path` (1 when nothing is known)."""
        p = tuple(path)
        while p:
            if p in self._pos:
                return self._pos[p]
            p = p[:-1]
        return 1

    def item(self, *path: object) -> int:
        """Line of item `path[-1]` of the array `key = [...]` at `path[:-1]`; the
        line of the key when the array cannot be followed.  Each array is scanned
        once, so the lines of all its items cost one pass over it."""
        where, index = tuple(path[:-1]), path[-1]
        lines = self._items.get(where)
        if lines is None:
            lines = self._items[where] = self._scan_items(where)
        if isinstance(index, int) and 0 <= index < len(lines):
            return lines[index]
        return self.line(*where)

    def _scan_items(self, where: tuple[object, ...]) -> list[int]:
        n = self._pos.get(where)
        km = _KEY.match(self.lines[n - 1]) if n else None
        if n is None or km is None:
            return []
        if not self._starts:
            at = 0
            for ln in self.lines:
                self._starts.append(at)
                at += len(ln) + 1
        text, pos = self.text, self._starts[n - 1] + km.end()
        out: list[int] = []
        depth, expect = 0, False
        while m := _TOKEN.match(text, pos):
            pos, kind = m.end(), m.lastgroup
            if kind == "skip":
                continue
            if depth == 0 and m.group() != "[":
                break  # not an array
            if depth == 1 and expect and kind not in ("comma", "close"):
                out.append(bisect_right(self._starts, m.start()))
                expect = False
            if kind == "open":
                depth += 1
                expect = depth == 1
            elif kind == "close":
                depth -= 1
                if depth == 0:
                    break
            elif kind == "comma" and depth == 1:
                expect = True
        return out

    def find(self, needle: str, start: int) -> int:
        """First line at or after `start` that contains `needle` (for array items)."""
        probe = needle[:40]
        for i in range(max(start - 1, 0), len(self.lines)):
            if probe and probe in self.lines[i]:
                return i + 1
        return start


def decode_error_line(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 1
