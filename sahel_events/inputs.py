"""Reading documents: files, folders, JSON lines and standard input.

Every input yields either a `Doc` or an `InputError` naming the file (and
line); a bad file never stops the others.  Encodings: UTF-8 (with or without
BOM), UTF-16 with a BOM, and windows-1256 as a named fallback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from .extract import DocMeta


@dataclass(frozen=True, slots=True)
class Doc:
    text: str
    meta: DocMeta
    warning: str | None = None  # e.g. decoded as windows-1256


@dataclass(frozen=True, slots=True)
class InputError:
    where: str  # path, or path:line
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def decode(raw: bytes) -> tuple[str, str | None]:
    """Text and a warning naming the encoding when it was not UTF-8.

    Raises ValueError for binary data or bytes no supported encoding reads."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "decoded as UTF-16 (byte-order mark)"
    if b"\x00" in raw:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = raw.decode("cp1256")
    except UnicodeDecodeError:
        raise ValueError(f"not UTF-8 (byte {utf8_error.start}) nor windows-1256") from None
    if sum("\u0600" <= c <= "\u06ff" for c in text) < len(text) // 10:
        raise ValueError(f"not UTF-8 (byte {utf8_error.start}), and not Arabic in windows-1256")
    return text, "decoded as windows-1256"


def stdin_id(text: str) -> str:
    return "stdin:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _meta(record: dict[str, object], doc_id: str, published: str | None, source: str | None) -> DocMeta:
    def s(key: str) -> str | None:
        v = record.get(key)
        return str(v) if isinstance(v, (str, int)) and str(v) else None

    return DocMeta(doc_id=s("id") or doc_id, published=s("published") or published, source=s("source") or source, url=s("url"))


def read_jsonl(data: str, where: str, published: str | None, source: str | None) -> Iterator[Doc | InputError]:
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield InputError(f"{where}:{n}", f"not JSON ({e})")
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            yield InputError(f"{where}:{n}", 'record has no "text" string')
            continue
        yield Doc(rec["text"], _meta(rec, f"{where}:{n}", published, source))


def read_file(path: Path, shown: str, published: str | None = None, source: str | None = None) -> Iterator[Doc | InputError]:
    """Documents of one file; `shown` is the doc_id when no metadata names one."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        yield InputError(shown, f"cannot read: {e.strerror or e}")
        return
    if not raw.strip():
        yield InputError(shown, "empty file")
        return
    try:
        text, warning = decode(raw)
    except ValueError as e:
        yield InputError(shown, str(e))
        return
    if path.suffix == ".jsonl":
        yield from read_jsonl(text, shown, published, source)
        return
    record: dict[str, object] = {}
    side = path.with_name(path.stem + ".meta.json")
    if side.exists():
        try:
            loaded = orjson.loads(side.read_bytes())
            if isinstance(loaded, dict):
                record = loaded
        except (OSError, orjson.JSONDecodeError) as e:
            yield InputError(str(side), f"sidecar ignored: {e}")
    yield Doc(text, _meta(record, shown, published, source), warning)


def iter_inputs(
    paths: list[str],
    published: str | None = None,
    source: str | None = None,
    stdin_text: str | None = None,
    stdin_jsonl: bool = False,
) -> Iterator[Doc | InputError]:
    """Every document of every path, in order; folders walked in sorted order."""
    for p in paths:
        if p == "-":
            text = stdin_text or ""
            if stdin_jsonl:
                yield from read_jsonl(text, "stdin", published, source)
            elif not text.strip():
                yield InputError("stdin", "empty input")
            else:
                yield Doc(text, DocMeta(stdin_id(text), published, source))
            continue
        path = Path(p)
        if path.is_dir():
            files = sorted(
                f
                for f in path.rglob("*")
                if f.suffix in (".txt", ".jsonl") and f.is_file() and not f.name.endswith(".gold.jsonl")
            )
            for f in files:
                yield from read_file(f, f.relative_to(path).as_posix(), published, source)
        elif path.exists():
            yield from read_file(path, p, published, source)
        else:
            yield InputError(p, "no such file or folder")
