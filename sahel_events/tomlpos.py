"""Line numbers for values of a TOML file.

tomllib gives values without positions; validation must still say
`file:line: problem`.  This scanner records the line of every table header
and every `key =` under it, which is all the rule format needs.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


class Locator:
    """Maps (table path, key) to a 1-based line number."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._pos: dict[tuple[object, ...], int] = {}
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
