"""Reading documents: files, folders, JSON lines and standard input.

Every input yields either a `Doc` or an `InputError` naming the file (and
line); a bad file never stops the others.  Encodings: UTF-8 (with or without
BOM), UTF-16 with a BOM or recognised without one, and windows-1256 as a named
fallback.  Only regular files (and standard input) are read, each document up
to a size cap (see fileread).  File names that are not UTF-8 are shown with
their odd bytes escaped (`shown_name`), the same in doc_id, messages and manifest.

`plan_inputs` yields what a run will read (folders walked lazily in sorted
order, with sizes for a progress bar); `iter_sources` reads one source at a
time, so memory holds one directory listing and one document (or one JSON
line) however large the folder.  JSON-lines files are read line by line.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from .extract import DocMeta
from .fileread import (
    DEFAULT_MAX_DOC_BYTES,
    ReadError,
    capped_lines,
    not_regular,
    open_regular,
    read_capped,
    read_regular,
    too_large,
)

TEXT_SUFFIX = ".txt"
JSONL_SUFFIX = ".jsonl"
SKIPPED_SUFFIXES = (".gold.jsonl", ".meta.json")
SIDECAR_MAX_BYTES = 2**20  # a NAME.meta.json holds a few fields


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


# Characters of the text this tool reads (ASCII, Latin-1, Arabic, punctuation): how
# UTF-16 without a byte-order mark is told from binary data with NULs.
_NOT_TEXT = "[^\t\n\r\f\v\x20-\x7e\xa0-\xff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u2000-\u206f\ufb50-\ufdff\ufe70-\ufeff]"  # compiled on first use (re's cache)
_SNIFF = 8192  # bytes looked at


def sniff_utf16(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when bytes without a byte-order mark look like UTF-16:
    NULs in one of the two byte lanes only (the high bytes of ASCII characters, and
    of nothing else this tool reads) and, decoded so, nine characters in ten of the
    scripts above.  Binary data has its NULs in both lanes, or decodes to controls."""
    sample = raw[:_SNIFF]
    sample = sample[: len(sample) & ~1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    low, high = sample[0::2].count(0), sample[1::2].count(0)
    for enc, nuls, other in (("utf-16-le", high, low), ("utf-16-be", low, high)):
        if nuls * 20 >= pairs and other * 10 <= nuls:
            text = sample.decode(enc, "replace")
            if len(re.findall(_NOT_TEXT, text)) * 10 <= len(text):
                return enc
    return None


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
    if nuls and nuls * 40 >= len(raw):
        enc = sniff_utf16(raw)
        if enc is not None:
            name = "UTF-16LE" if enc == "utf-16-le" else "UTF-16BE"
            try:
                return raw.decode(enc), f"decoded as {name} (no byte-order mark)"
            except UnicodeDecodeError as e:
                raise ValueError(f"undecodable bytes: looks like {name} without a byte-order mark, but invalid at byte {e.start}") from None
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


_ODD_IN_NAME = "[\x00-\x1f\x7f\ud800-\udfff]"  # compiled on first use (re's cache): most names are printable


def shown_name(name: str) -> str:
    """A file name as doc_id, messages and the manifest show it.

    A name's bytes that are not UTF-8 reach Python as lone surrogates (surrogate
    escapes), which no UTF-8 output can hold; they, and control characters (a
    newline would split a message), are shown as \\xNN.  Other names are unchanged."""
    if name.isprintable() or re.search(_ODD_IN_NAME, name) is None:
        return name
    try:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name's byte gives: shown as \\udNNN
        shown = name.encode("utf-8", "backslashreplace").decode("ascii")
    return re.sub(_ODD_IN_NAME, lambda m: f"\\x{ord(m.group()):02x}", shown)


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
    """Records of JSON lines given as decoded text."""
    return _text_records(data.splitlines(), where, published, source)


def _text_records(
    lines: Iterable[str | int], where: str, published: str | None, source: str | None, max_bytes: int = DEFAULT_MAX_DOC_BYTES
) -> Iterator[Doc | InputError]:
    """Records of decoded lines (an int: a line over the cap, of that many bytes)."""
    n = 0
    try:
        for n, line in enumerate(lines, 1):  # noqa: B007 - n is read after a decoding error
            if isinstance(line, int):
                yield InputError(f"{where}:{n}", too_large(line, max_bytes), line)
                continue
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            yield _record(line, f"{where}:{n}", len(line.encode("utf-8", "surrogatepass")) + 1, published, source)
    except UnicodeDecodeError as e:  # decoded as it is read (UTF-16)
        yield InputError(f"{where}:{n + 1}", f"undecodable bytes: {e.reason} ({e.encoding.upper()}); the rest of the file skipped")


def read_jsonl_lines(
    lines: Iterable[bytes | int], where: str, published: str | None, source: str | None, max_bytes: int = DEFAULT_MAX_DOC_BYTES
) -> Iterator[Doc | InputError]:
    """Records of JSON lines given as raw UTF-8 lines (a file or a pipe read line by
    line, see `capped_lines`: a line over the cap comes as its length)."""
    for n, raw in enumerate(lines, 1):
        if isinstance(raw, int):
            yield InputError(f"{where}:{n}", too_large(raw, max_bytes), raw)
            continue
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
        loaded = orjson.loads(read_regular(side, SIDECAR_MAX_BYTES))  # a FIFO or /dev/zero there is not read
    except (ReadError, orjson.JSONDecodeError) as e:
        return {}, f"sidecar {shown_name(side_name)} ignored: {e}"
    if not isinstance(loaded, dict):
        return {}, f"sidecar {shown_name(side_name)} ignored: not a JSON object"
    return loaded, None


def read_file(
    path: str | os.PathLike[str],
    shown: str,
    published: str | None = None,
    source: str | None = None,
    sidecar: bool | None = None,
    max_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> Iterator[Doc | InputError]:
    """Documents of one file; `shown` is the doc_id when no metadata names one.
    `sidecar`: whether NAME.meta.json exists, when a folder listing already told.
    Only a regular file is read; a text file (or a line of JSON lines) over
    `max_bytes` is an InputError, left unread."""
    path = os.fspath(path)
    if is_jsonl_path(path):
        yield from _read_jsonl_file(path, shown, published, source, max_bytes)
        return
    try:
        raw = read_regular(path, max_bytes)
    except ReadError as e:
        yield InputError(shown, str(e))
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


def file_meta(path: str, shown: str, published: str | None, source: str | None, sidecar: bool | None = None) -> DocMeta:
    """The metadata `read_file` gives a text file's document (its sidecar read, the text not)."""
    return _meta(_read_sidecar(path, sidecar)[0], shown, published, source)


def _read_jsonl_file(path: str, shown: str, published: str | None, source: str | None, max_bytes: int) -> Iterator[Doc | InputError]:
    """Records of a JSON-lines file, read line by line (each line capped): UTF-8, or
    UTF-16 decoded as it is read; a file with NULs that is not UTF-16 is read whole."""
    try:
        fd, size = open_regular(path, 2**62)  # the cap is per line here
    except ReadError as e:
        yield InputError(shown, str(e))
        return
    with open(fd, "rb") as fh:
        try:
            head = fh.read(_SNIFF)
            fh.seek(0)
        except OSError as e:
            yield InputError(shown, f"cannot read: {e.strerror or e}")
            return
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        enc = "utf-16" if utf16 else sniff_utf16(head) if b"\x00" in head[:4] else None
        if enc is not None:
            named = "decoded as UTF-16 (byte-order mark)" if utf16 else f"decoded as {_utf16_name(enc)} (no byte-order mark)"
            lines = _utf16_lines(fh, enc, max_bytes)
            yield from (_warned(d, named) for d in _text_records(lines, shown, published, source, max_bytes))
            return
        if b"\x00" in head[:4] and not head.startswith(b"\xef\xbb\xbf"):  # binary, most likely: one message for the file
            try:
                raw = read_capped(fh.read, max_bytes, size)
                text, warning = decode(raw)
            except (ReadError, ValueError) as e:
                yield InputError(shown, str(e), size)
                return
            yield from (_warned(d, warning) for d in read_jsonl(text, shown, published, source))
            return
        empty = True
        try:
            for item in read_jsonl_lines(capped_lines(fh, max_bytes), shown, published, source, max_bytes):
                empty = False
                yield item
        except OSError as e:
            yield InputError(shown, f"cannot read: {e.strerror or e}")
            return
        if empty:
            yield InputError(shown, "empty file")


def _utf16_name(enc: str) -> str:
    return "UTF-16LE" if enc == "utf-16-le" else "UTF-16BE" if enc == "utf-16-be" else "UTF-16"


def _utf16_lines(fh: IO[bytes], enc: str, max_bytes: int) -> Iterator[str | int]:
    """Lines of a UTF-16 stream decoded as they are read, each capped like `capped_lines`
    (in characters: two bytes each, most of them)."""
    text = io.TextIOWrapper(fh, encoding=enc, newline=None)  # type: ignore[type-var]
    limit = max_bytes // 2 + 1
    while line := text.readline(limit):
        if len(line) < limit or line.endswith("\n"):
            yield line
            continue
        n = len(line)
        while (rest := text.readline(limit)) and not rest.endswith("\n"):
            n += len(rest)
        yield 2 * (n + len(rest))


def _warned(item: Doc | InputError, warning: str | None) -> Doc | InputError:
    if isinstance(item, Doc) and warning:
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
            yield Source(shown_name(rel or str(folder)), error=f"cannot read folder: {e.strerror or e}")
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
                yield Source(shown_name(r), p, error="broken link" if os.path.islink(p) else f"cannot read: {e.strerror or e}")
                continue
            if (st.st_dev, st.st_ino) in skip_ids:
                continue
            if not stat.S_ISREG(st.st_mode):
                yield Source(shown_name(r), p, error=not_regular(st.st_mode))
                continue
            yield Source(shown_name(r), p, st.st_size, sidecar=name.rsplit(".", 1)[0] + ".meta.json" in names)

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
    output file inside an input folder).  Anything but a folder or a regular
    file (a FIFO, /dev/zero) comes with an error, unread."""
    skip = tuple(skip)
    for p in paths:
        if p == "-":
            yield Source("stdin")
            continue
        shown = shown_name(p)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            yield Source(shown, p, error="broken link" if os.path.islink(p) else "no such file or folder")
            continue
        except OSError as e:
            yield Source(shown, p, error=f"cannot read: {e.strerror or e}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from walk(Path(p), skip)
        elif stat.S_ISREG(st.st_mode):
            yield Source(shown, p, st.st_size)
        else:
            yield Source(shown, p, error=not_regular(st.st_mode, named=True))


def iter_sources(
    sources: Iterable[Source],
    published: str | None = None,
    source: str | None = None,
    stdin_text: str | None = None,
    stdin_jsonl: bool = False,
    stdin_lines: Iterable[bytes | int] | None = None,
    stdin_error: str | None = None,
    max_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> Iterator[Doc | InputError]:
    """Every document of every source, in order.

    Standard input is `stdin_text` (already read and decoded; `stdin_error` when it
    could not be) or, for JSON lines, `stdin_lines` (raw lines, read as they come,
    see `capped_lines`)."""
    for src in sources:
        if src.error is not None:
            yield InputError(src.shown, src.error)
        elif src.path is not None:
            yield from read_file(src.path, src.shown, published, source, src.sidecar, max_bytes)
        elif stdin_jsonl:
            if stdin_lines is not None:
                yield from read_jsonl_lines(stdin_lines, "stdin", published, source, max_bytes)
            else:
                yield from read_jsonl(stdin_text or "", "stdin", published, source)
        elif stdin_error is not None:
            yield InputError("stdin", stdin_error)
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
