"""Command line: parse arguments, call the library, print.  Nothing else lives here."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .batch import (
    DEFAULT_DOC_TIMEOUT,
    STOP_SIGNALS,
    BatchOptions,
    BatchRun,
    FailFast,
    Interrupted,
    Reporter,
    cpu_count,
    signals_raise,
)
from .cache import CacheWarning, load_rules_cached  # compiled once, then unpickled; SAHEL_EVENTS_NO_CACHE=1 disables
from .errors import Exit, SahelEventsError
from .extract import Extractor
from .fileread import DEFAULT_MAX_DOC_MB, MiB, ReadError, capped_lines, read_stream
from .inputs import decode, plan_inputs, shown_name
from .outfiles import AtomicFile, HashingWriter, commit_in_order, manifest_bytes
from .output import make_writer
from .workers import PoolError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Conflict events (ACLED-like JSON lines) from Arabic news about the Sahel.",
)
rules_app = typer.Typer(no_args_is_help=True, help="Check and test rule packs.")
app.add_typer(rules_app, name="rules")

RulesOpt = Annotated[Path | None, typer.Option("--rules", "-r", help="Rule pack folder (default: the shipped pack).")]


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _load(rules: Path | None) -> Extractor:
    error: SahelEventsError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)  # the cache warns once per process itself
        try:
            ex = Extractor(load_rules_cached(rules))
        except SahelEventsError as e:
            error = e
    for w in caught:  # an unsafe cache folder: named, and the run goes on without it
        if issubclass(w.category, CacheWarning):
            _err(f"sahel-events: warning: {w.message}")
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if error is not None:
        _err(str(error))
        raise typer.Exit(Exit.USAGE) from None
    return ex


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"
    table = "table"


def _positive(value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"{value:g} is not a size above 0")
    return value


def _stdin(paths: list[str], input_format: str, max_bytes: int) -> tuple[str | None, object, str | None]:
    """Standard input for a run: (text, None, None), (None, lines, None) for JSON lines
    read as they come, or (None, None, why it cannot be read)."""
    if "-" not in paths:
        return None, None, None
    if input_format == "jsonl":
        return None, capped_lines(sys.stdin.buffer, max_bytes), None
    try:
        text, warning = decode(read_stream(sys.stdin.buffer, max_bytes))
    except (ReadError, ValueError) as e:
        return None, None, str(e)
    if warning:
        _err(f"sahel-events: warning: stdin: {warning}")
    return text, None, None


def _check_date(value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None
    return value


@app.command()
def extract(
    paths: Annotated[list[str] | None, typer.Argument(help="Files, folders (walked recursively), or - for standard input.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically: a temporary file renamed at the end).")
    ] = None,
    rules: RulesOpt = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD for every document without one.", callback=_check_date)
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source name for every document without one.")] = None,
    input_format: Annotated[str, typer.Option(help="Standard input as 'text' or 'jsonl' records.")] = "text",
    workers: Annotated[
        int, typer.Option("--workers", "-j", min=0, help="Worker processes (0: one per CPU). -j 1 runs in-process.")
    ] = 0,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="jsonl, csv (ACLED columns first), geojson, or table.")
    ] = OutputFormat.jsonl,
    dedupe: Annotated[
        bool, typer.Option("--dedupe", help="One record per event_id across documents; sources joined, mentions keep doc_id.")
    ] = False,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="Write a JSON manifest: version, rule digest, the output's SHA-256 and size, inputs read/failed, counts.")
    ] = None,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first bad input (exit 1).")] = False,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar on standard error (default: when it is a terminal)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary (bad inputs are still named).")] = False,
    doc_timeout: Annotated[
        float,
        typer.Option(
            "--doc-timeout",
            min=0,
            help="Seconds one document may take; a document still being extracted then is named on standard error "
            "as failed ('timed out') and the run goes on. 0: no limit.",
        ),
    ] = DEFAULT_DOC_TIMEOUT,
    max_doc_mb: Annotated[
        float,
        typer.Option(
            "--max-doc-mb",
            callback=_positive,
            help="Largest document (a file, a JSON line, standard input) read, in MiB; a larger one is named on "
            "standard error and skipped, unread.",
        ),
    ] = DEFAULT_MAX_DOC_MB,
) -> None:
    """Extract events (JSON lines by default) from files, folders and standard input.

    Folders are walked recursively in sorted order: *.txt (with NAME.meta.json
    sidecars) and *.jsonl records {"id","text","published","source","url"}.
    Output order is the input order, whatever the number of workers.

    Only regular files (and - for standard input) are read: a FIFO or a device is
    named and skipped.  --manifest records the output's SHA-256 and size, and is
    renamed after the output: a manifest whose output.sha256 differs from the
    output's is stale.

    Exit status: 0 every input read; 1 some inputs could not be read, were too
    large or timed out (each is named on standard error, every other document is
    still processed), or --fail-fast stopped at one; 2 usage or rule errors
    (nothing is written); 130 / 143 / 129 when interrupted by SIGINT / SIGTERM /
    SIGHUP (an earlier -o FILE is left untouched)."""
    if input_format not in ("text", "jsonl"):
        _err(f"sahel-events: --input-format must be 'text' or 'jsonl', not {input_format!r}")
        raise typer.Exit(Exit.USAGE)
    ex = _load(rules)
    paths = paths or ["-"]
    max_bytes = int(max_doc_mb * MiB)
    opts = BatchOptions(
        workers=workers or cpu_count(),
        fmt=fmt.value,
        dedupe=dedupe,
        fail_fast=fail_fast,
        published=published,
        source=shown_name(source) if source is not None else None,  # a byte that is not UTF-8 cannot go in a record
        stdin_jsonl=input_format == "jsonl",
        list_inputs=manifest is not None,
        doc_timeout=doc_timeout or None,
        max_doc_bytes=max_bytes,
    )
    skip = [p for p in (output, manifest) if p is not None]
    sources = plan_inputs(paths, skip=skip)
    show_bar = (progress if progress is not None else sys.stderr.isatty()) and not quiet
    # The bar's total needs every size first: a second, counting walk (memory stays flat).
    total = sum(s.size for s in plan_inputs(paths, skip=skip)) if show_bar else 0
    console = None
    if show_bar:
        from rich.console import Console

        console = Console(stderr=True, force_terminal=True if progress else None)
    stdout_tty = output is None and sys.stdout.isatty()
    writer = make_writer(opts.fmt, width=shutil.get_terminal_size().columns if stdout_tty else None, color=stdout_tty)
    shown_out = shown_name(str(output)) if output is not None else None
    out_file = man_file = None
    try:
        out_file = AtomicFile(output) if output is not None else None
        man_file = AtomicFile(manifest) if manifest is not None else None
    except OSError as e:
        _err(f"sahel-events: cannot write {shown_name(e.filename or str(output))}: {e.strerror or e}")
        for f in (out_file, man_file):
            if f is not None:
                f.discard()
        raise typer.Exit(Exit.USAGE) from None
    reporter = Reporter(show_bar, total, console)
    run = BatchRun(ex.rules, opts, reporter, writer)
    code = Exit.OK

    def kept() -> str:
        replaced = out_file is not None and out_file.tmp is not None  # not a device or a FIFO written in place
        return f"; {shown_out} left as it was" if replaced and not out_file.committed else ""  # type: ignore[union-attr]

    try:
        with signals_raise():
            stdin_text, stdin_lines, stdin_error = _stdin(paths, input_format, max_bytes)
            sink = out_file.fh if out_file is not None else sys.stdout.buffer
            hashed = HashingWriter(sink) if man_file is not None else None
            run.run(sources, hashed or sink, stdin_text, stdin_lines, total, stdin_error)  # type: ignore[arg-type]
            if out_file is None:
                sys.stdout.buffer.flush()
            reporter.stop(run.stats)
            if man_file is not None and hashed is not None:
                try:
                    man_file.fh.write(manifest_bytes(run.stats.manifest(ex.rules, opts, hashed.info(shown_out))))
                    man_file.finish()
                except OSError as e:
                    _err(f"sahel-events: cannot write manifest {shown_name(str(manifest))}: {e.strerror or e}{kept()}")
                    raise typer.Exit(Exit.USAGE) from None
            commit_in_order((out_file, man_file), STOP_SIGNALS)  # the output first: see outfiles
    except BrokenPipeError:
        reporter.stop()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(Exit.OK) from None
    except Interrupted as e:
        reporter.stop()
        _err(f"sahel-events: interrupted by {signal.Signals(e.signum).name}: {run.stats.progress_line()}{kept()}")
        raise typer.Exit(e.code) from None
    except FailFast:
        reporter.stop()
        _err(f"sahel-events: stopped at the first bad input (--fail-fast): {run.stats.progress_line()}{kept()}")
        raise typer.Exit(Exit.SOME_FAILED) from None
    except PoolError as e:
        reporter.stop()
        _err(f"sahel-events: {e}: {run.stats.progress_line()}{kept()}")
        raise typer.Exit(Exit.USAGE) from None
    except OSError as e:
        reporter.stop()
        _err(f"sahel-events: cannot write {shown_out or 'standard output'}: {e.strerror or e}{kept()}")
        raise typer.Exit(Exit.USAGE) from None
    finally:
        for f in (out_file, man_file):
            if f is not None:
                f.discard()
    stats = run.stats
    if stats.note:
        _err(f"sahel-events: {stats.note}")
    if not quiet:
        for line in stats.summary_lines():
            _err(line)
    if stats.failed and code == Exit.OK:
        code = Exit.SOME_FAILED
    raise typer.Exit(code)


@rules_app.command("check")
def rules_check(
    folder: Annotated[Path | None, typer.Argument(help="Rule pack folder (default: the shipped pack).")] = None,
) -> None:
    """Validate a rule pack; every problem as file:line: problem (hint). Exit 2 on any."""
    ex = _load(folder)
    rs = ex.rules
    print(
        f"ok: {len(rs.rules)} rules, {len(rs.cues)} cues, {len(rs.actors)} actors, "
        f"{len(rs.countries)} countries, {len(rs.places)} places ({rs.root})"
    )


@rules_app.command("test")
def rules_test(
    folder: Annotated[Path | None, typer.Argument(help="Rule pack folder (default: the shipped pack).")] = None,
) -> None:
    """Run every rule's examples and counter-examples. Exit 1 when any fails."""
    ex = _load(folder)
    from .ruletest import run_examples

    count, failures = run_examples(ex)
    for f in failures:
        print(f)
    print(f"{count - len(failures)} passed, {len(failures)} failed")
    raise typer.Exit(Exit.SOME_FAILED if failures else Exit.OK)


def _version(value: bool) -> None:
    if value:
        print(f"sahel-events {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Conflict events (ACLED-like JSON lines) from Arabic news about the Sahel."""


def main() -> None:
    """The `sahel-events` program.  It ends the process itself (call `app` to run the
    commands inside another program)."""
    # The analysts' commands (diff, brief, explain, evaluate) bring three more modules;
    # `extract`, often run once per article, needs none of them.
    if sys.argv[1:2] != ["extract"]:
        from . import cli_tools  # noqa: F401  registers its commands on `app`
    try:
        app(prog_name="sahel-events")
        code: int = Exit.OK
    except SystemExit as e:
        if isinstance(e.code, str):
            _err(e.code)
        code = e.code if isinstance(e.code, int) else Exit.OK if e.code is None else Exit.SOME_FAILED
    # Every output is closed and every worker stopped by now: skip the interpreter's
    # teardown of the compiled rules' objects (~30 ms, a tenth of a one-article run).
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
