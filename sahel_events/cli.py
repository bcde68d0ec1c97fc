"""Command line: parse arguments, call the library, print.  Nothing else lives here."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from . import __version__
from .cache import load_rules_cached  # compiled once, then unpickled; SAHEL_EVENTS_NO_CACHE=1 disables
from .errors import Exit, SahelEventsError
from .extract import Extractor
from .inputs import Doc, InputError, decode, iter_inputs
from .output import write_jsonl
from .ruletest import run_examples

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
    try:
        return Extractor(load_rules_cached(rules))
    except SahelEventsError as e:
        _err(str(e))
        raise typer.Exit(Exit.USAGE) from None


@app.command()
def extract(
    paths: Annotated[list[str] | None, typer.Argument(help="Files, folders, or - for standard input.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of standard output.")
    ] = None,
    rules: RulesOpt = None,
    published: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD for every document without one.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name for every document without one.")] = None,
    input_format: Annotated[str, typer.Option(help="Standard input as 'text' or 'jsonl' records.")] = "text",
) -> None:
    """Extract events as JSON lines.

    Exit status: 0 all inputs read, 1 some inputs could not be read (each is
    named on standard error; all others are still processed), 2 usage or rule
    errors (nothing is written)."""
    ex = _load(rules)
    paths = paths or ["-"]
    stdin_text = None
    if "-" in paths:
        try:
            stdin_text, warning = decode(sys.stdin.buffer.read())
        except ValueError as e:
            _err(f"stdin: {e}")
            raise typer.Exit(Exit.SOME_FAILED) from None
        if warning:
            _err(f"stdin: {warning}")
    failed = 0
    docs = 0

    def events_of_all(out: BinaryIO) -> None:
        nonlocal failed, docs
        for item in iter_inputs(paths, published, source, stdin_text, input_format == "jsonl"):
            if isinstance(item, InputError):
                failed += 1
                _err(f"sahel-events: {item}")
                continue
            assert isinstance(item, Doc)
            if item.warning:
                _err(f"sahel-events: {item.meta.doc_id}: {item.warning}")
            docs += 1
            write_jsonl(ex.extract(item.text, item.meta), out)

    try:
        if output is None:
            events_of_all(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent or Path("."))
            try:
                with os.fdopen(fd, "wb") as fh:
                    events_of_all(fh)
                os.replace(tmp, output)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(Exit.OK) from None
    raise typer.Exit(Exit.SOME_FAILED if failed else Exit.OK)


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
    app(prog_name="sahel-events")
from . import cli_tools as _cli_tools  # noqa: E402,F401  registers diff, explain, evaluate
