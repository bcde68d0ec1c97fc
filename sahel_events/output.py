"""Writing records: JSON lines with orjson, Arabic unescaped, fields in schema order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import orjson

from .events import Event


def jsonl_bytes(events: Iterable[Event]) -> bytes:
    return b"".join(orjson.dumps(e.to_record(), option=orjson.OPT_APPEND_NEWLINE) for e in events)


def write_jsonl(events: Iterable[Event], out: IO[bytes]) -> int:
    n = 0
    for e in events:
        out.write(orjson.dumps(e.to_record(), option=orjson.OPT_APPEND_NEWLINE))
        n += 1
    return n
