"""Reading documents: files, folders, JSON lines and standard input.

Every input yields either a `Doc` or an `InputError` naming the file (and
line); a bad file never stops the others.  Encodings: UTF-8 (with or without
BOM), UTF-16 with a BOM, and windows-1256 as a named fallback.

`plan_inputs` yields what a run will read (folders walked lazily in sorted
order, with sizes for a progress bar); `iter_sources` reads one source at a
time, so memory holds one directory listing and one document (or one JSON
line) however large the folder.  JSON-lines files are read line by line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .extract import DocMeta

TEXT_SUFFIX = ".txt"
JSONL_SUFFIX = ".jsonl"
SKIPPED_SUFFIXES = (".gold.jsonl", ".meta.json")


@dataclass(frozen=True, slots=True)
class Doc:
    text: str
    meta: DocMeta
    warning: str | None = None  # e.g. decoded as windows-1256
    origin: str = ""  # the file it came from, as shown (path, or "stdin")
    nbytes: int = 0  # input bytes it stands for (progress, throughput)


@dataclass(frozen=True, slots=True)
class InputError:
    where: str  # path, or path:line
    message: str
    nbytes: int = 0

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to read: a file (`path`), standard input (`path` None), or a problem found while listing."""

    shown: str  # doc_id fallback and the name used in messages
    path: str | None = None  # the file, as a path string (cheaper than `Path` to make and to ship)
    size: int = 0
    error: str | None = None
    sidecar: bool | None = None  # NAME.meta.json beside it (None: not known, look)


def decode(raw: bytes) -> tuple[str, str | None]:
    """Text and a warning naming the encoding when it was not UTF-8.

    Raises ValueError for binary data or bytes no supported encoding reads."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), None
        except UnicodeDecodeError as e:
            raise ValueError(f"undecodable bytes: UTF-8 byte-order mark but invalid UTF-8 at byte {e.start + 3}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "decoded as UTF-16 (byte-order mark)"
        except UnicodeDecodeError as e:
            raise ValueError(f"undecodable bytes: UTF-16 byte-order mark but invalid UTF-16 at byte {e.start}") from None
    nuls = raw.count(b"\x00") if b"\x00" in raw else 0  # `in` is a memchr; count is not
    if nuls:
        # A stray NUL in text is kept; many of them (or NULs in bytes that are not UTF-8) mean binary.
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("binary file (NUL bytes), not text") from None
        if nuls * 100 > len(raw):
            raise ValueError("binary file (NUL bytes), not text")
        return text, f"holds {nuls} NUL byte{'s' if nuls > 1 else ''} (kept)"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = raw.decode("cp1256")
    except UnicodeDecodeError:
        raise ValueError(f"undecodable bytes: not UTF-8 (byte {utf8_error.start}) nor windows-1256") from None
    if sum("\u0600" <= c <= "\u06ff" for c in text) < len(text) // 10:
        raise ValueError(f"undecodable bytes: not UTF-8 (byte {utf8_error.start}), and not Arabic in windows-1256")
    return text, "decoded as windows-1256 (not UTF-8)"


def stdin_id(text: str) -> str:
    return "stdin:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _meta(record: dict[str, object], doc_id: str, published: str | None, source: str | None) -> DocMeta:
    if not record:  # a text file without a sidecar, the common case
        return DocMeta(doc_id, published, source)

    def s(key: str) -> str | None:
        v = record.get(key)
        return str(v) if isinstance(v, (str, int)) and str(v) else None

    return DocMeta(doc_id=s("id") or doc_id, published=s("published") or published, source=s("source") or source, url=s("url"))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(v: Any) -> tuple[Any, int]:
    """The value with lone surrogates (legal as JSON escapes, not encodable) replaced by U+FFFD, one for one."""
    if isinstance(v, str):
        fixed, n = _SURROGATE.subn("\ufffd", v)
        return fixed, n
    if isinstance(v, dict):
        total = 0
        out = {}
        for k, x in v.items():
            out[k], n = _no_surrogates(x)
            total += n
        return out, total
    if isinstance(v, list):
        items = [_no_surrogates(x) for x in v]
        return [x for x, _ in items], sum(n for _, n in items)
    return v, 0


def _record(line: str | bytes, where: str, nbytes: int, published: str | None, source: str | None) -> Doc | InputError:
    warning = None
    try:
        rec = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        # orjson refuses lone surrogate escapes ("\ud800"); the standard library reads them.
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            return InputError(where, f"broken JSON line ({e})", nbytes)
        rec, n = _no_surrogates(rec)
        if n:
            warning = f"{n} lone surrogate escape{'s' if n > 1 else ''} replaced by U+FFFD"
    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
        return InputError(where, 'record has no "text" string', nbytes)
    if not rec["text"].strip():
        return InputError(where, 'record has an empty "text"', nbytes)
    origin = where.rsplit(":", 1)[0]
    return Doc(rec["text"], _meta(rec, where, published, source), warning, origin, nbytes)


def read_jsonl(data: str, where: str, published: str | None, source: str | None) -> Iterator[Doc | InputError]:
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        yield _record(line, f"{where}:{n}", len(line.encode("utf-8", "surrogatepass")) + 1, published, source)


def read_jsonl_lines(lines: Iterable[bytes], where: str, published: str | None, source: str | None) -> Iterator[Doc | InputError]:
    """Records of JSON lines given as raw UTF-8 lines (a file or a pipe read line by line)."""
    for n, raw in enumerate(lines, 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield InputError(f"{where}:{n}", f"undecodable bytes: not UTF-8 (byte {e.start} of the line)", len(raw))
            continue
        yield _record(line, f"{where}:{n}", len(raw), published, source)


def _suffix(name: str) -> str:
    """The file name's last extension, as `Path.suffix` says it ("" for ".hidden")."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def is_jsonl_path(path: str) -> bool:
    return path.endswith(JSONL_SUFFIX) and _suffix(os.path.basename(path)) == JSONL_SUFFIX


def _read_sidecar(path: str, known: bool | None = None) -> tuple[dict[str, object], str | None]:
    if known is False:
        return {}, None
    folder, name = os.path.split(path)
    side_name = name[: len(name) - len(_suffix(name))] + ".meta.json"
    side = os.path.join(folder, side_name)
    if known is None and not os.path.exists(side):
        return {}, None
    try:
        with open(side, "rb") as fh:
            loaded = orjson.loads(fh.read())
    except (OSError, orjson.JSONDecodeError) as e:
        return {}, f"sidecar {side_name} ignored: {e}"
    if not isinstance(loaded, dict):
        return {}, f"sidecar {side_name} ignored: not a JSON object"
    return loaded, None


def read_file(
    path: str | os.PathLike[str], shown: str, published: str | None = None, source: str | None = None, sidecar: bool | None = None
) -> Iterator[Doc | InputError]:
    """Documents of one file; `shown` is the doc_id when no metadata names one.
    `sidecar`: whether NAME.meta.json exists, when a folder listing already told."""
    path = os.fspath(path)
    if is_jsonl_path(path):
        yield from _read_jsonl_file(path, shown, published, source)
        return
    try:
        with open(path, "rb", buffering=0) as fh:  # read whole: no buffer object needed
            raw = fh.read()
    except OSError as e:
        yield InputError(shown, f"cannot read: {e.strerror or e}")
        return
    if not raw or raw.isspace():
        yield InputError(shown, "empty file", len(raw))
        return
    try:
        text, warning = decode(raw)
    except ValueError as e:
        yield InputError(shown, str(e), len(raw))
        return
    record, side_warning = _read_sidecar(path, sidecar)
    warning = "; ".join(w for w in (warning, side_warning) if w) or None
    yield Doc(text, _meta(record, shown, published, source), warning, shown, len(raw))


def _read_jsonl_file(path: str, shown: str, published: str | None, source: str | None) -> Iterator[Doc | InputError]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the `with` below, after the error is reported
    except OSError as e:
        yield InputError(shown, f"cannot read: {e.strerror or e}")
        return
    with fh:
        try:
            head = fh.read(4)
        except OSError as e:
            yield InputError(shown, f"cannot read: {e.strerror or e}")
            return
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in head and not head.startswith(b"\xef\xbb\xbf")):
            # UTF-16 (or binary): decode the whole file, then read its lines.
            raw = head + fh.read()
            try:
                text, warning = decode(raw)
            except ValueError as e:
                yield InputError(shown, str(e), len(raw))
                return
            if warning:
                yield from (_warned(d, warning) for d in read_jsonl(text, shown, published, source))
            else:
                yield from read_jsonl(text, shown, published, source)
            return
        fh.seek(0)
        empty = True
        try:
            for item in read_jsonl_lines(fh, shown, published, source):
                empty = False
                yield item
        except OSError as e:
            yield InputError(shown, f"cannot read: {e.strerror or e}")
            return
        if empty:
            yield InputError(shown, "empty file")


def _warned(item: Doc | InputError, warning: str) -> Doc | InputError:
    if isinstance(item, Doc):
        w = "; ".join(x for x in (warning, item.warning) if x)
        return Doc(item.text, item.meta, w, item.origin, item.nbytes)
    return item


def _wanted(name: str) -> bool:
    return name.endswith((TEXT_SUFFIX, JSONL_SUFFIX)) and not name.endswith(SKIPPED_SUFFIXES)


def walk(folder: Path, skip: Iterable[Path] = ()) -> Iterator[Source]:
    """The `*.txt` and `*.jsonl` files under a folder (recursively), in sorted order;
    doc ids relative to it.  Unreadable sub-folders and broken links come as
    sources with an error.

    Lazy: one directory listing is held at a time, so a folder of millions of
    files costs the memory of its largest directory, not of the whole tree.
    Symbolic links to folders are not followed (as `os.walk`)."""
    # Files to skip are known by device and inode: one stat per file, no path resolution.
    skip_ids = set()
    for q in skip:
        with contextlib.suppress(OSError):
            sq = q.stat()
            skip_ids.add((sq.st_dev, sq.st_ino))

    def visit(ds: str, rel: str) -> Iterator[Source]:
        try:
            with os.scandir(ds) as it:
                entries = sorted((e.name, _is_real_dir(e)) for e in it)
        except OSError as e:
            yield Source(rel or str(folder), error=f"cannot read folder: {e.strerror or e}")
            return
        names = {name for name, _ in entries}
        for name, kind in entries:
            r = f"{rel}/{name}" if rel else name
            p = os.path.join(ds, name)
            if kind == "dir":
                yield from visit(p, r)
                continue
            if kind == "dir-link" or not _wanted(name):
                continue
            try:
                st = os.stat(p)
            except OSError as e:
                yield Source(r, p, error="broken link" if os.path.islink(p) else f"cannot read: {e.strerror or e}")
                continue
            if (st.st_dev, st.st_ino) in skip_ids:
                continue
            if not stat.S_ISREG(st.st_mode):
                yield Source(r, p, error="not a regular file")
                continue
            yield Source(r, p, st.st_size, sidecar=name.rsplit(".", 1)[0] + ".meta.json" in names)

    yield from visit(os.fspath(folder), "")


def _is_real_dir(e: os.DirEntry[str]) -> str:
    """"dir", "dir-link" (a link to a folder: not walked) or "" for anything else."""
    try:
        if not e.is_dir():
            return ""
        return "dir-link" if e.is_symlink() else "dir"
    except OSError:
        return ""


def plan_inputs(paths: list[str], skip: Iterable[Path] = ()) -> Iterator[Source]:
    """What a run reads, in order: files, folders walked (sorted), and "-" for standard input.

    Lazy, like `walk`.  `skip` names files never to read (e.g. the run's own
    output file inside an input folder)."""
    skip = tuple(skip)
    for p in paths:
        if p == "-":
            yield Source("stdin")
            continue
        path = Path(p)
        if path.is_dir():
            yield from walk(path, skip)
        elif path.exists():
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            yield Source(p, p, size)
        elif path.is_symlink():
            yield Source(p, p, error="broken link")
        else:
            yield Source(p, error="no such file or folder")


def iter_sources(
    sources: Iterable[Source],
    published: str | None = None,
    source: str | None = None,
    stdin_text: str | None = None,
    stdin_jsonl: bool = False,
    stdin_lines: Iterable[bytes] | None = None,
) -> Iterator[Doc | InputError]:
    """Every document of every source, in order.

    Standard input is `stdin_text` (already read and decoded) or, for JSON lines,
    `stdin_lines` (raw lines, read as they come)."""
    for src in sources:
        if src.error is not None:
            yield InputError(src.shown, src.error)
        elif src.path is not None:
            yield from read_file(src.path, src.shown, published, source, src.sidecar)
        elif stdin_jsonl:
            if stdin_lines is not None:
                yield from read_jsonl_lines(stdin_lines, "stdin", published, source)
            else:
                yield from read_jsonl(stdin_text or "", "stdin", published, source)
        else:
            text = stdin_text or ""
            if not text.strip():
                yield InputError("stdin", "empty input")
            else:
                yield Doc(
                    text, DocMeta(stdin_id(text), published, source), None, "stdin", len(text.encode("utf-8", "surrogatepass"))
                )


def iter_inputs(
    paths: list[str],
    published: str | None = None,
    source: str | None = None,
    stdin_text: str | None = None,
    stdin_jsonl: bool = False,
) -> Iterator[Doc | InputError]:
    """Every document of every path, in order; folders walked in sorted order."""
    yield from iter_sources(plan_inputs(paths), published, source, stdin_text, stdin_jsonl)
