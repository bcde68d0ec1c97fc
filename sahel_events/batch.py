"""Batch runs: many documents, every core, ordered output, never a half-written file.

    run = BatchRun(rules, BatchOptions(workers=4, fmt="csv", dedupe=True))
    stats = run.run(sources, out)          # out: a binary stream; see outfiles.write_atomically()

Design:
- The parent reads the inputs (one document, or one JSON line, at a time) and
  owns the output, the progress bar and the counts.  Workers only extract: each
  gets the compiled RuleSet once (with fork it is inherited, not even pickled)
  and returns, for a chunk of documents, the records as JSON-lines bytes plus
  counts per family.  The processes are managed by `workers.Pool`.
- Documents go out in chunks (a few dozen small documents, or one large one)
  and at most `4 × workers` chunks are in flight: memory stays flat however
  large the folder.  Results are taken in submission order, so the output is
  byte-identical whatever the number of workers (`-j 1` runs in-process).
- A bad input is an `InputError` in the stream, reported in input order; a
  document the engine fails on is reported the same way and the run goes on.
  So is a document still being extracted after `doc_timeout` seconds (a worker
  is killed and replaced; in-process, SIGALRM raises `DocTimeout` inside the
  extraction and the Extractor is made anew), and a document whose worker died.
- `--dedupe` holds records keyed by event_id (first appearance order) and
  writes them at the end; see `Deduper`.
- SIGINT, SIGTERM and SIGHUP stop the workers and raise `Interrupted`;
  `write_atomically` then removes its temporary file, so an earlier output file
  stays as it was.  `outfiles.commit_in_order` renames the output, then its
  manifest, which records the output's SHA-256: a pair left half-renamed is
  seen to differ.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import orjson

from . import __version__
from .extract import DocMeta, Extractor
from .fileread import DEFAULT_MAX_DOC_BYTES
from .inputs import Doc, InputError, Source, file_meta, is_jsonl_path, iter_sources, read_file
from .outfiles import BinarySink
from .output import RecordWriter, make_writer
from .rules import RuleSet
from .workers import Lost, Pool, timed_out

MiB = 2**20
CHUNK_DOCS = 64  # documents per task at most
CHUNK_CHARS = 512 * 1024  # characters of text per task at most (one larger document goes alone)
IN_FLIGHT_PER_WORKER = 4
# A document still being extracted after this many seconds is named as failed.  The
# largest document admitted (--max-doc-mb 64) of event-dense news takes about a minute.
DEFAULT_DOC_TIMEOUT = 120.0


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# -- extraction (in a worker or in-process) ----------------------------------------


@dataclass(frozen=True, slots=True)
class DocResult:
    """What a worker returns for one document: records as JSON lines, counts, or an error."""

    records: bytes = b""
    families: tuple[tuple[str, int], ...] = ()
    error: str | None = None

    @property
    def events(self) -> int:
        return sum(n for _, n in self.families)


def extract_one(ex: Extractor, text: str, meta: DocMeta, budget: Budget | None = None) -> DocResult:
    """One document's records; an engine failure (or the budget running out) becomes an error, never an exception."""
    try:
        if budget is not None:
            budget.started = time.monotonic()
        try:
            events = ex.extract(text, meta)
            records = b"".join(orjson.dumps(e.to_record(), option=orjson.OPT_APPEND_NEWLINE) for e in events)
        finally:
            if budget is not None:
                budget.started = None
    except DocTimeout as e:
        return DocResult(error=str(e))
    except Exception as e:  # noqa: BLE001 - a document must not stop the run
        return DocResult(error=f"extraction failed: {type(e).__name__}: {e}")
    fam = Counter(e.family for e in events)
    return DocResult(records, tuple(sorted(fam.items())))


class DocTimeout(BaseException):
    """Raised inside an extraction past its budget.  A BaseException, so that no
    `except Exception` in the engine takes it for a failure of its own."""


class Budget:
    """A time budget per document in this process: a SIGALRM every second (or a
    quarter of the budget) raises DocTimeout inside the extraction that has run too
    long.  The handler raises only while `started` is set, i.e. inside extract_one's
    guarded block, never in the code that reads inputs or writes output.  An
    extraction changes the compiled rules only to add a lazily compiled pattern, in
    one assignment, so stopping one leaves them whole; the Extractor is made anew
    after a timeout all the same.

    Signals exist only in the main thread: elsewhere (and without setitimer) the
    budget does nothing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: float | None = None
        self._old: Any = None
        self._armed = False

    def __enter__(self) -> Budget:
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGALRM, self._tick)
            every = min(1.0, self.seconds / 4)
            signal.setitimer(signal.ITIMER_REAL, every, every)
            self._armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            self._armed = False

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        t = self.started
        if t is not None and time.monotonic() - t > self.seconds:
            self.started = None
            raise DocTimeout(timed_out(self.seconds))


_worker_extractor: Extractor | None = None
_worker_max_bytes = DEFAULT_MAX_DOC_BYTES


def _init_worker(rules: RuleSet, max_bytes: int) -> None:
    """Worker initializer: compile nothing, keep the RuleSet (signals: see workers.Pool)."""
    global _worker_extractor, _worker_max_bytes
    _worker_extractor = Extractor(rules)
    _worker_max_bytes = max_bytes


@dataclass(frozen=True, slots=True)
class FileJob:
    """A text file for a worker to read itself: the parent, which also writes the
    output, then never reads, decodes or ships article text (with two workers on
    two cores it would otherwise be a third busy process)."""

    source: Source
    published: str | None = None
    source_name: str | None = None


# Between the processes jobs and results travel as plain tuples: pickling a frozen
# slotted dataclass runs Python code on both sides (~10 µs a document each way,
# a tenth of the parent's time with two workers); a tuple pickles in C.
# A job: (text, DocMeta) for a document read here, or (path, shown, sidecar,
# published, source) for a file the worker reads.  A result: (records, families,
# error) for a document sent, and for a text file (one document):
# (doc_id, published, source, url, warning, nbytes, records, families, error),
# or (where, message, nbytes) when it could not be read.  A job lost with its
# worker comes back as a workers.Lost.
Job = tuple[str, DocMeta] | tuple[str, str, bool | None, str | None, str | None]
Wire = tuple[Any, ...]


def _wire(res: DocResult) -> tuple[bytes, tuple[tuple[str, int], ...], str | None]:
    return res.records, res.families, res.error


def _work(job: Job) -> Wire:
    ex = _worker_extractor
    assert ex is not None, "worker not initialised"
    if len(job) == 2:
        text, meta = job
        assert isinstance(text, str) and isinstance(meta, DocMeta)
        return _wire(extract_one(ex, text, meta))
    path, shown, sidecar, published, source_name = job
    assert isinstance(path, str) and isinstance(shown, str)
    for got in read_file(path, shown, published, source_name, sidecar, _worker_max_bytes):  # a text file: one item
        if isinstance(got, Doc):
            m = got.meta
            return (m.doc_id, m.published, m.source, m.url, got.warning, got.nbytes, *_wire(extract_one(ex, got.text, m)))
        return (got.where, got.message, got.nbytes)
    raise AssertionError("read_file gives every text file one item")


def file_jobs(
    sources: Iterable[Source],
    opts: BatchOptions,
    stdin_text: str | None,
    stdin_lines: Iterable[bytes | int] | None,
    stdin_error: str | None = None,
) -> Iterator[Item | FileJob]:
    """The run's items for a pool: a `FileJob` for each text file, documents read
    here for standard input and JSON lines (read line by line, as they come)."""
    for src in sources:
        if src.error is None and src.path is not None and not is_jsonl_path(src.path):
            yield FileJob(src, opts.published, opts.source)
        else:
            yield from iter_sources(
                [src], opts.published, opts.source, stdin_text, opts.stdin_jsonl, stdin_lines, stdin_error, opts.max_doc_bytes
            )


Item = Doc | InputError


def ordered_results(
    items: Iterable[Item | FileJob],
    rules: RuleSet,
    workers: int,
    doc_timeout: float | None = None,
    max_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> Generator[tuple[Item, DocResult | None], None, None]:
    """(item, result) for every item in input order; an InputError comes with None.
    A `FileJob` is read by a worker and comes back as its document (without its text)
    or its InputError.  A document past `doc_timeout` seconds, or whose worker died,
    comes with an error result (a file's: as an InputError).

    With workers > 1 a process pool extracts; at most IN_FLIGHT_PER_WORKER × workers
    chunks are pending at any time.  Closing the generator early (an error, a signal,
    a closed pipe) kills the workers."""
    if workers <= 1:
        ex = Extractor(rules)
        with Budget(doc_timeout) if doc_timeout else contextlib.nullcontext() as budget:
            for item in items:
                assert not isinstance(item, FileJob), "files are read here only through iter_sources"
                if not isinstance(item, Doc):
                    yield item, None
                    continue
                res = extract_one(ex, item.text, item.meta, budget)
                if budget is not None and res.error == timed_out(budget.seconds):
                    ex = Extractor(rules)  # nothing of the stopped extraction is kept
                yield item, res
        return

    pool = Pool(workers, _init_worker, (rules, max_bytes), _work, doc_timeout)
    pending: deque[tuple[list[Item | FileJob], Any]] = deque()
    clean = False

    def job(item: Doc | FileJob) -> Job:
        if isinstance(item, Doc):
            return item.text, item.meta
        src = item.source
        assert src.path is not None
        return src.path, src.shown, src.sidecar, item.published, item.source_name

    def flush(chunk: list[Item | FileJob], chars: int) -> None:
        jobs = [job(d) for d in chunk if not isinstance(d, InputError)]
        pending.append((chunk, pool.submit(jobs, chars) if jobs else None))

    def take() -> Iterator[tuple[Item, DocResult | None]]:
        chunk, ticket = pending.popleft()
        results = iter(pool.result(ticket) if ticket is not None else ())
        for item in chunk:
            if isinstance(item, InputError):
                yield item, None
            elif isinstance(item, Doc):
                got = next(results)
                yield item, DocResult(error=got.reason) if isinstance(got, Lost) else DocResult(*got)
            else:  # a file: the documents it held, each with its result, or why it could not be read
                got = next(results)
                if isinstance(got, Lost):  # named as -j 1 names it: by its doc_id (the sidecar's, or the path)
                    src = item.source
                    assert src.path is not None
                    where = file_meta(src.path, src.shown, item.published, item.source_name, src.sidecar).doc_id
                    yield InputError(where, got.reason, src.size), None
                elif len(got) == 3:
                    yield InputError(*got), None
                else:
                    doc_id, published, source, url, warning, nbytes, *res = got
                    yield Doc("", DocMeta(doc_id, published, source, url), warning, item.source.shown, nbytes), DocResult(*res)

    def size(item: Item | FileJob) -> int:  # characters a task will handle (a file's bytes, near enough)
        return len(item.text) if isinstance(item, Doc) else item.source.size if isinstance(item, FileJob) else 0

    try:
        chunk: list[Item | FileJob] = []
        chars = 0
        ndocs = 0
        for item in items:
            n = size(item)
            if n and chunk and chars + n > CHUNK_CHARS:
                flush(chunk, chars)
                chunk, chars, ndocs = [], 0, 0
            chunk.append(item)
            chars += n
            ndocs += not isinstance(item, InputError)
            if ndocs >= CHUNK_DOCS or chars >= CHUNK_CHARS:
                flush(chunk, chars)
                chunk, chars, ndocs = [], 0, 0
            while len(pending) > IN_FLIGHT_PER_WORKER * workers:
                yield from take()
        if chunk:
            flush(chunk, chars)
        while pending:
            yield from take()
        clean = True
    finally:
        if clean:
            pool.close()
        else:
            pool.kill()


# -- across documents ---------------------------------------------------------------


class Deduper:
    """One record per event_id over all documents, in order of first appearance.

    The first report's record is kept, with:
    - `source`: every distinct source, in order of appearance, joined with "; " (as ACLED does);
    - `mentions`: every report's mentions, each with its `doc_id` (the record's
      `doc_id` and `evidence` stay those of the first report);
    - fields the first report left null (fatalities, actors' associates, …) taken
      from the first later report that has them; `tags` united; `confidence` the highest.
    """

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self._sources: dict[str, list[str]] = {}
        self.reports = 0

    def add(self, rec: dict[str, Any]) -> None:
        self.reports += 1
        doc_id = rec.get("doc_id")
        mentions = [{**m, "doc_id": doc_id} for m in rec.get("mentions") or ()]
        eid = rec["event_id"]
        held = self.records.get(eid)
        src = rec.get("source")
        if held is None:
            self.records[eid] = {**rec, "mentions": mentions}
            self._sources[eid] = [src] if src else []
            return
        held["mentions"].extend(mentions)
        if src and src not in self._sources[eid]:
            self._sources[eid].append(src)
            held["source"] = "; ".join(self._sources[eid])
        for k, v in rec.items():
            if held.get(k) is None and v is not None:
                held[k] = v
        held["tags"] = sorted(set(held.get("tags") or ()) | set(rec.get("tags") or ()))
        if (rec.get("confidence") or 0) > (held.get("confidence") or 0):
            held["confidence"] = rec["confidence"]

    @property
    def merged(self) -> int:
        """Reports folded into an earlier record."""
        return self.reports - len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records.values())


# -- a run --------------------------------------------------------------------------


@dataclass
class BatchOptions:
    workers: int = 1
    fmt: str = "jsonl"
    dedupe: bool = False
    fail_fast: bool = False
    published: str | None = None
    source: str | None = None
    stdin_jsonl: bool = False
    # List every input read in the stats (for --manifest).  Off by default: the
    # list grows with the number of files, everything else stays flat.
    list_inputs: bool = False
    doc_timeout: float | None = None  # seconds per document (None: no limit); the CLI's default is DEFAULT_DOC_TIMEOUT
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES  # a larger document (or JSON line) is named and skipped, unread


@dataclass
class BatchStats:
    inputs_read: list[str] = field(default_factory=list)  # with list_inputs: files (or "stdin") documents came from
    failed: list[InputError] = field(default_factory=list)
    documents: int = 0
    events: int = 0  # records written
    reports: int = 0  # events found, before --dedupe
    families: Counter[str] = field(default_factory=Counter)
    bytes_done: int = 0
    bytes_total: int = 0
    seconds: float = 0.0
    note: str | None = None  # from the writer, e.g. geojson records left out

    @property
    def inputs(self) -> int:
        return self.documents + len(self.failed)

    @property
    def mib_per_s(self) -> float:
        return self.bytes_done / MiB / self.seconds if self.seconds > 0 else 0.0

    def summary_lines(self) -> list[str]:
        fams = ", ".join(f"{k} {v}" for k, v in sorted(self.families.items())) or "none"
        lines = [
            f"sahel-events: {self.documents} documents read, {len(self.failed)} failed ({self.inputs} inputs)",
            f"  events: {self.events} ({fams})"
            + (f"; {self.reports - self.events} duplicate reports merged" if self.reports != self.events else ""),
            f"  {self.bytes_done / MiB:.2f} MiB in {self.seconds:.1f} s ({self.mib_per_s:.2f} MiB/s)",
        ]
        if self.note:
            lines.append(f"  {self.note}")
        return lines

    def progress_line(self) -> str:
        total = f" of {self.bytes_total / MiB:.1f}" if self.bytes_total else ""
        return (
            f"{self.documents} documents read, {len(self.failed)} failed, {self.reports} events found, "
            f"{self.bytes_done / MiB:.1f}{total} MiB"
        )

    def manifest(self, rules: RuleSet, opts: BatchOptions, output: dict[str, Any]) -> dict[str, Any]:
        """What a run read and wrote; nothing that changes from run to run on the same inputs.
        `output`: {"path" (None: standard output), "sha256", "bytes"}, see HashingWriter.info()."""
        return {
            "tool": "sahel-events",
            "version": __version__,
            "rules": {"digest": rules.digest, "rules": len(rules.rules)},
            "options": {
                "format": opts.fmt,
                "dedupe": opts.dedupe,
                "published": opts.published,
                "source": opts.source,
                "max_doc_mb": opts.max_doc_bytes / MiB,
                "doc_timeout": opts.doc_timeout,
            },
            "output": output,
            "inputs": {
                "read": self.inputs_read,
                "failed": [{"where": e.where, "message": e.message} for e in self.failed],
            },
            "counts": {
                "inputs": self.inputs,
                "documents": self.documents,
                "failed": len(self.failed),
                "events": self.events,
                "reports": self.reports,
                "bytes": self.bytes_done,
            },
            "events_per_family": dict(sorted(self.families.items())),
        }


class Interrupted(BaseException):
    """The run was stopped by a signal; `code` is the conventional exit status 128 + signal.
    A BaseException: raised wherever the main thread is, often inside an extraction,
    whose `except Exception` would otherwise take it for that document's failure."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def code(self) -> int:
        return 128 + self.signum


class FailFast(Exception):
    """--fail-fast: the first bad input stops the run."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP (a closed terminal or session) raise Interrupted in
    the main thread for the duration."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


class Reporter:
    """Messages, the progress bar and the summary, all on standard error."""

    def __init__(self, progress: bool, total_bytes: int, console: Any = None) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._console = console
        if progress:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]extract"),
                BarColumn(),
                TextColumn("{task.fields[docs]} docs"),
                TextColumn("{task.fields[failed]} failed"),
                DownloadColumn(binary_units=True),
                TransferSpeedColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._bar.add_task("extract", total=total_bytes or None, docs=0, failed=0)
            self._bar.start()

    def message(self, msg: str) -> None:
        if self._bar is not None:
            self._bar.console.print(msg, markup=False, highlight=False, soft_wrap=True)
        else:
            import sys

            print(msg, file=sys.stderr, flush=True)

    def advance(self, stats: BatchStats) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=stats.bytes_done, docs=stats.documents, failed=len(stats.failed))

    def stop(self, stats: BatchStats | None = None) -> None:
        if self._bar is not None:
            if stats is not None:
                total = max(stats.bytes_done, stats.bytes_total)
                self._bar.update(self._task, total=total, completed=total, docs=stats.documents, failed=len(stats.failed))
            self._bar.stop()
            self._bar = None


class BatchRun:
    """Documents in, records out, in input order; counts in `stats` (valid even after an interruption)."""

    def __init__(self, rules: RuleSet, opts: BatchOptions, reporter: Reporter | None = None, writer: RecordWriter | None = None):
        self.rules = rules
        self.opts = opts
        self.reporter = reporter
        self.writer = writer or make_writer(opts.fmt)
        self.stats = BatchStats()

    def _say(self, msg: str) -> None:
        if self.reporter is not None:
            self.reporter.message(msg)

    def run(
        self,
        sources: Iterable[Source],
        out: BinarySink,
        stdin_text: str | None = None,
        stdin_lines: Iterable[bytes | int] | None = None,
        bytes_total: int = 0,
        stdin_error: str | None = None,
    ) -> BatchStats:
        """Read `sources` (an iterable: a lazy folder walk is never listed whole) and write
        records to `out`.  `bytes_total`, when known, sizes the progress bar.  Standard
        input: see `iter_sources`."""
        opts, st, writer = self.opts, self.stats, self.writer
        st.bytes_total = bytes_total + (len(stdin_text.encode("utf-8", "surrogatepass")) if stdin_text else 0)
        t0 = time.perf_counter()
        it = iter(sources)
        head = list(itertools.islice(it, 2))  # one document is extracted in-process, without a pool
        one_doc = len(head) == 1 and (head[0].path is None or not is_jsonl_path(head[0].path)) and not opts.stdin_jsonl
        workers = 1 if one_doc else opts.workers
        items: Iterable[Item | FileJob]
        if workers > 1:
            items = file_jobs(itertools.chain(head, it), opts, stdin_text, stdin_lines, stdin_error)
        else:
            items = iter_sources(
                itertools.chain(head, it),
                opts.published,
                opts.source,
                stdin_text,
                opts.stdin_jsonl,
                stdin_lines,
                stdin_error,
                opts.max_doc_bytes,
            )
        dedupe = Deduper() if opts.dedupe else None
        raw_ok = writer.streams_jsonl and dedupe is None
        seen: list[str] = [""]  # the last input a document came from (a file's documents are consecutive)
        out.write(writer.header())
        try:
            results = ordered_results(items, self.rules, workers, opts.doc_timeout, opts.max_doc_bytes)
            with contextlib.closing(results):
                for item, res in results:
                    st.bytes_done += item.nbytes
                    if isinstance(item, InputError):
                        self._fail(item)
                    else:
                        assert res is not None
                        if res.error is not None:
                            self._fail(InputError(item.meta.doc_id, res.error, 0))
                        else:
                            self._read(item, seen)
                            st.reports += res.events
                            if dedupe is not None:
                                for line in res.records.splitlines():
                                    dedupe.add(orjson.loads(line))
                            elif raw_ok:
                                if res.records:
                                    out.write(res.records)
                                st.events += res.events
                                st.families.update(dict(res.families))
                            else:
                                for line in res.records.splitlines():
                                    out.write(writer.record(orjson.loads(line)))
                                st.events += res.events
                                st.families.update(dict(res.families))
                    if self.reporter is not None:
                        self.reporter.advance(st)
        finally:
            st.seconds = time.perf_counter() - t0
        if dedupe is not None:
            for rec in dedupe:
                out.write(writer.record(rec))
                st.events += 1
                st.families[rec["family"]] += 1
        out.write(writer.footer())
        st.note = writer.note()
        st.seconds = time.perf_counter() - t0
        return st

    def _read(self, doc: Doc, seen: list[str]) -> None:
        self.stats.documents += 1
        if doc.origin and doc.origin != seen[0]:
            seen[0] = doc.origin
            if self.opts.list_inputs:
                self.stats.inputs_read.append(doc.origin)
        if doc.warning:
            self._say(f"sahel-events: warning: {doc.meta.doc_id}: {doc.warning}")

    def _fail(self, err: InputError) -> None:
        self.stats.failed.append(err)
        self._say(f"sahel-events: {err}")
        if self.opts.fail_fast:
            raise FailFast(err)
