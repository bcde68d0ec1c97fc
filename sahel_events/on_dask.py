"""Run the extractor on a Dask cluster (optional extra: ``pip install 'sahel-events[dask]'``).

    import dask.bag as db
    from dask.distributed import Client
    from sahel_events.on_dask import events_bag, articles_bag

    client = Client("tcp://scheduler:8786")              # or Client() for a local cluster
    docs = articles_bag("s3://bucket/articles/**/*.txt")  # needs s3fs; gcs: gcsfs; azure: adlfs
    events = events_bag(docs)                             # a Bag of event records (dicts)
    events.map(orjson.dumps).to_textfiles("s3://bucket/events/part-*.jsonl")

The rule pack is compiled once, on the client (from the compiled-rule cache
when fresh), and enters the task graph as ONE keyed piece of data
(``sahel-rules-<digest>``): each worker fetches it once and keeps it, and
every partition task on that worker reuses it.  The Extractor built from it
is kept per worker process, keyed by the pack's digest.  Records are exactly
what ``sahel-events extract`` writes for the same documents.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import dask
import dask.bag as db

from .extract import DocMeta, Extractor
from .inputs import Doc, InputError, _meta, decode, read_file, read_jsonl, stdin_id
from .rules import RuleSet

__all__ = ["articles_bag", "events_bag", "flat_record", "to_dataframe"]

log = logging.getLogger(__name__)

InputKind = Literal["auto", "text", "path"]

_EXTRACTORS: dict[str, Extractor] = {}  # per worker process, by rule-pack digest


def _extractor(rules: RuleSet) -> Extractor:
    ex = _EXTRACTORS.get(rules.digest)
    if ex is None or ex.rules.root != rules.root:
        ex = _EXTRACTORS[rules.digest] = Extractor(rules)
    return ex


def _is_url(s: str) -> bool:
    return "://" in s.split("\n", 1)[0][:64]


def _read_url(url: str, shown: str, published: str | None, source: str | None) -> Iterator[Doc | InputError]:
    """Like inputs.read_file, through fsspec (s3://, gs://, https://, …)."""
    import fsspec
    import orjson

    try:
        with fsspec.open(url, "rb") as fh:
            raw = fh.read()
    except (OSError, ValueError) as e:
        yield InputError(shown, f"cannot read: {e}")
        return
    if not raw.strip():
        yield InputError(shown, "empty file")
        return
    try:
        text, warning = decode(raw)
    except ValueError as e:
        yield InputError(shown, str(e))
        return
    if url.endswith(".jsonl"):
        yield from read_jsonl(text, shown, published, source)
        return
    record: dict[str, object] = {}
    stem, dot, _ = url.rpartition(".")
    if dot:
        try:
            with fsspec.open(stem + ".meta.json", "rb") as fh:
                loaded = orjson.loads(fh.read())
            if isinstance(loaded, dict):
                record = loaded
        except (OSError, ValueError):
            pass  # no sidecar
    yield Doc(text, _meta(record, shown, published, source), warning)


def _docs(item: Any, kind: InputKind, base: str | None, published: str | None, source: str | None) -> Iterable[Doc | InputError]:
    if isinstance(item, dict):
        text = item.get("text")
        if not isinstance(text, str):
            return [InputError(str(item.get("id", "?")), 'record has no "text" string')]
        return [Doc(text, _meta(item, stdin_id(text), published, source))]
    if hasattr(item, "open") and hasattr(item, "path") and not isinstance(item, Path):  # an fsspec OpenFile
        with item.open() as fh:
            raw = fh.read()
        text, _ = decode(raw) if isinstance(raw, bytes) else (raw, None)
        return [Doc(text, DocMeta(str(item.path), published, source))]
    if isinstance(item, os.PathLike) or (kind == "path" and isinstance(item, str)):
        p = os.fspath(item)
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        shown = p
        if base is not None and not _is_url(p):
            try:
                shown = Path(p).relative_to(base).as_posix()
            except ValueError:
                shown = p
        elif base is not None and p.startswith(base.rstrip("/") + "/"):
            shown = p[len(base.rstrip("/")) + 1 :]
        if _is_url(p) and not p.startswith("file://"):
            return _read_url(p, shown, published, source)
        return read_file(Path(p.removeprefix("file://")), shown, published, source)
    if isinstance(item, str):
        return [Doc(item, DocMeta(stdin_id(item), published, source))]
    return [InputError(repr(item)[:60], f"not a document: {type(item).__name__}")]


class _Shipped:
    """The compiled rules as graph data: dask names it by the pack's digest instead of hashing the automata."""

    __slots__ = ("rules",)

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def __dask_tokenize__(self) -> tuple[str, str, str]:
        return ("sahel-rules", self.rules.digest, self.rules.root)

    def __reduce__(self) -> tuple[type[_Shipped], tuple[RuleSet]]:
        return (_Shipped, (self.rules,))


def _extract_partition(
    items: Iterable[Any],
    shipped: _Shipped,
    kind: InputKind,
    base: str | None,
    published: str | None,
    source: str | None,
) -> list[dict[str, Any]]:
    ex = _extractor(shipped.rules)
    out: list[dict[str, Any]] = []
    for item in items:
        for doc in _docs(item, kind, base, published, source):
            if isinstance(doc, InputError):
                log.warning("sahel-events: %s", doc)
                continue
            out.extend(e.to_record() for e in ex.extract(doc.text, doc.meta))
    return out


def events_bag(
    docs: db.Bag,
    rules_dir: str | Path | None = None,
    *,
    rules: RuleSet | None = None,
    input: InputKind = "auto",
    base: str | Path | None = None,
    published: str | None = None,
    source: str | None = None,
) -> db.Bag:
    """A Bag of event records (dicts, the JSON-lines schema) from a Bag of documents.

    Each document is one of:
    - a string: the article's text (its id is ``stdin:<hash>`` as for standard input);
    - a dict ``{"id", "text", "published", "source", "url"}`` (a JSON-lines record);
    - a path: ``pathlib.Path``, an fsspec ``OpenFile``, or a string when ``input="path"``
      (local or a URL such as ``s3://bucket/a.txt``; ``*.jsonl`` files give one document a line,
      ``NAME.meta.json`` sidecars are read as by the CLI).  The doc id is the path, relative to
      ``base`` when given (the CLI names files of a folder relative to that folder).

    ``rules`` (a compiled RuleSet) wins over ``rules_dir`` (a rule pack folder on the client;
    default: the shipped pack).  ``published``/``source`` apply to documents without their own,
    like ``--published``/``--source``.  Unreadable documents are logged and skipped."""
    from .cache import load_rules_cached

    rs = rules if rules is not None else load_rules_cached(rules_dir)
    # One graph key for the compiled rules: serialised once, fetched once per worker.
    shipped = dask.delayed(_Shipped(rs), name=f"sahel-rules-{rs.digest}", traverse=False)
    return docs.map_partitions(
        _extract_partition,
        shipped,
        input,
        None if base is None else os.fspath(base),
        published,
        source,
    )


def articles_bag(urlpath: str | list[str], npartitions: int | None = None, **storage_options: Any) -> db.Bag:
    """A Bag of article paths (``*.txt`` / ``*.jsonl``) for ``events_bag``, from a glob on any fsspec filesystem.

    ``articles_bag("s3://bucket/articles/**/*.txt", anon=False)`` needs ``s3fs``; local globs work as they are.
    Items are full URLs (``s3://…``) or local paths, so events carry them as ``id``."""
    import fsspec

    fs, _, paths = fsspec.get_fs_token_paths(urlpath, storage_options=storage_options)
    protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
    full = sorted(p if protocol in ("file", "local") else f"{protocol}://{p}" for p in paths if not p.endswith(".gold.jsonl"))
    n = npartitions or max(1, min(len(full), 4 * (os.cpu_count() or 1), len(full) // 64 + 1))
    # URLs stay strings, marked as paths so that events_bag(input="auto") reads them.
    return db.from_sequence([Path(p) if protocol in ("file", "local") else _Url(p) for p in full], npartitions=n)


class _Url(str):
    """A string that names a document rather than holding one (os.PathLike through __fspath__)."""

    __slots__ = ()

    def __fspath__(self) -> str:
        return str(self)


def flat_record(rec: dict[str, Any]) -> dict[str, Any]:
    """One event record with its nested fields as flat columns (evidence_*, rule_*, mentions as JSON)."""
    import orjson

    out = {k: v for k, v in rec.items() if k not in ("evidence", "mentions", "rule", "tags")}
    ev = rec.get("evidence") or {}
    rule = rec.get("rule") or {}
    out["tags"] = "; ".join(rec.get("tags") or [])
    out["evidence_text"], out["evidence_start"], out["evidence_end"] = ev.get("text"), ev.get("start"), ev.get("end")
    out["rule_id"], out["rule_file"], out["rule_version"] = rule.get("id"), rule.get("file"), rule.get("version")
    out["mentions"] = orjson.dumps(rec.get("mentions") or []).decode()
    return out


def to_dataframe(events: db.Bag, rules: RuleSet | None = None) -> Any:
    """The records as a dask DataFrame, one flat column per field (needs ``dask[dataframe]``).

    Column names and order come from a record of the rule pack's first example, so that
    empty partitions (news is sparse in events) need no inference."""
    from .cache import load_rules_cached

    rs = rules if rules is not None else load_rules_cached()
    sample = next(
        (e.to_record() for r in rs.rules for x in r.examples for e in Extractor(rs).extract(x.text)),
        None,
    )
    if sample is None:  # pragma: no cover - every rule has an example that matches
        return events.map(flat_record).to_dataframe()
    meta = {k: "object" for k in flat_record(sample)}
    return events.map(flat_record).to_dataframe(meta=meta)
