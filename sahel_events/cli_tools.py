"""Commands for rule authors and analysts: diff, brief, explain, evaluate, report.

Registered on the main `app` when `cli` is imported (the last line of cli.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from .cli import app
from .diff import DiffResult, RecordError, brief_lines, diff_records, parse_records, summary_lines, text_report
from .errors import Exit, SahelEventsError
from .evaluate import DEFAULT_FAMILIES, EvaluationError, load_gold, prf, read_predictions, score, summary, table_lines
from .explain import explain as explain_text
from .explain import plain_lines, rich_markup
from .extract import Extractor
from .fileread import ReadError, read_stream
from .inputs import Doc, InputError, decode, iter_inputs
from .rules import load_rules

_PathsArg = Annotated[list[str] | None, typer.Argument(help="Files, folders, or - for standard input.", show_default=False)]
_Published = Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD for every document without one.")]
_Source = Annotated[str | None, typer.Option(help="Source name for every document without one.")]
_InputFormat = Annotated[str, typer.Option(help="Standard input as 'text' or 'jsonl' records.")]
_Rules = Annotated[Path | None, typer.Option("--rules", "-r", help="Rule pack folder (default: the shipped pack).")]


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _fail(e: SahelEventsError | str) -> typer.Exit:
    _err(str(e))
    return typer.Exit(Exit.USAGE)


def _extractor(rules: Path | None) -> Extractor:
    """The rule pack loaded the way `extract` loads it (with its cache, when cli provides one)."""
    from . import cli

    load = getattr(cli, "_load", None)
    if callable(load):
        ex = load(rules)
        if isinstance(ex, Extractor):
            return ex
    try:
        return Extractor(load_rules(rules))
    except SahelEventsError as e:
        raise _fail(e) from None


def _stdin_text(paths: list[str]) -> str | None:
    if "-" not in paths:
        return None
    try:
        text, warning = decode(read_stream(sys.stdin.buffer))  # at most --max-doc-mb's default
    except (ReadError, ValueError) as e:
        raise _fail(f"stdin: {e}") from None
    if warning:
        _err(f"stdin: {warning}")
    return text


def _docs(paths: list[str], published: str | None, source: str | None, input_format: str) -> tuple[list[Doc], int]:
    """Every readable document; every unreadable input named on stderr (and counted)."""
    if input_format not in ("text", "jsonl"):
        raise _fail(f"--input-format must be 'text' or 'jsonl', not {input_format!r}")
    stdin_text = _stdin_text(paths)
    docs: list[Doc] = []
    failed = 0
    for item in iter_inputs(paths, published, source, stdin_text, input_format == "jsonl"):
        if isinstance(item, InputError):
            failed += 1
            _err(f"sahel-events: {item}")
            continue
        if item.warning:
            _err(f"sahel-events: {item.meta.doc_id}: {item.warning}")
        docs.append(item)
    return docs, failed


def _guard_pipe(body: Callable[[], int]) -> int:
    """Run `body`; a reader that goes away (| head) is no error."""
    try:
        code = body()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.OK


def _is_terminal() -> bool:
    return sys.stdout.isatty()


# -- diff -----------------------------------------------------------------------------
def _read_records(path: str, stdin: bytes | None) -> list[dict[str, Any]]:
    if path == "-":
        return parse_records(stdin or b"", "stdin")
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise RecordError(f"{path}: cannot read: {e.strerror or e}") from None
    return parse_records(raw, path)


def _print_diff(result: DiffResult, fmt: str, old_name: str, new_name: str) -> None:
    if fmt == "json":
        out = sys.stdout.buffer
        for c in result.changes:
            out.write(orjson.dumps(c.to_json(), option=orjson.OPT_APPEND_NEWLINE))
        return
    lines = text_report(result, old_name, new_name)
    if not _is_terminal():
        for line in lines:
            print(line)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    con = Console(highlight=False, soft_wrap=True)
    if result.equal:
        con.print("[green]no differences[/]")
        return
    style = {"+": "green", "-": "red", "~": "yellow", "=": "bold"}
    for line in lines:
        if not line:
            break
        s = style.get(line[:1], "dim")
        con.print(f"[{s}]{escape(line)}[/]")
    rows = summary_lines(result, old_name, new_name)
    table = Table(title="per family", title_justify="left")
    for i, col in enumerate(("family", old_name, new_name, "added", "removed", "changed", "same")):
        table.add_column(col, justify="left" if i == 0 else "right")
    for fam, fc in result.families.items():
        table.add_row(
            fam,
            str(fc.old),
            str(fc.new),
            f"[green]{fc.added}[/]",
            f"[red]{fc.removed}[/]",
            f"[yellow]{fc.changed}[/]",
            str(fc.unchanged),
        )
    table.add_row(*rows[-1].split(), style="bold")
    con.print(table)


@app.command("diff")
def diff_cmd(
    paths: _PathsArg = None,
    rules_old: Annotated[
        Path | None, typer.Option("--rules-old", help="Compare two rule packs over a corpus: the old pack (default: shipped).")
    ] = None,
    rules_new: Annotated[Path | None, typer.Option("--rules-new", help="The new rule pack (default: shipped).")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="'text' (a report; rich at a terminal) or 'json' (one object per change).")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Also count rule.version (the rule pack's hash) as a change.")] = False,
    published: _Published = None,
    source: _Source = None,
    input_format: _InputFormat = "text",
) -> None:
    """What events appeared, vanished or changed between two record files, or two rule packs.

    sahel-events diff OLD.jsonl NEW.jsonl
    sahel-events diff --rules-old OLD_DIR --rules-new NEW_DIR CORPUS...

    Events pair by event_id, then by document, family and overlapping spans, so
    an event whose actor, place or date changed shows as changed (with old → new).
    rule.version is ignored unless --strict.  Exit status: 0 no differences,
    1 differences, 2 trouble (bad lines are named as file:line on stderr)."""
    paths = paths or []
    if fmt not in ("text", "json"):
        raise _fail(f"--format must be 'text' or 'json', not {fmt!r}")
    trouble = 0
    if rules_old is not None or rules_new is not None:
        if not paths:
            raise _fail("diff --rules-old/--rules-new: name the corpus (files, folders or -)")
        ex_old, ex_new = _extractor(rules_old), _extractor(rules_new)
        docs, trouble = _docs(paths, published, source, input_format)
        old: list[dict[str, Any]] = []
        new: list[dict[str, Any]] = []
        for d in docs:
            old += [e.to_record() for e in ex_old.extract(d.text, d.meta)]
            new += [e.to_record() for e in ex_new.extract(d.text, d.meta)]
        names = ("old", "new")
    else:
        if len(paths) != 2:
            raise _fail("usage: sahel-events diff OLD.jsonl NEW.jsonl  (or --rules-old DIR --rules-new DIR CORPUS...)")
        if paths.count("-") > 1:
            raise _fail("diff: only one side can be standard input")
        stdin = sys.stdin.buffer.read() if "-" in paths else None
        problems: list[str] = []
        sides: list[list[dict[str, Any]]] = []
        for p in paths:
            try:
                sides.append(_read_records(p, stdin))
            except RecordError as e:
                problems.append(str(e))
        if problems:
            for msg in problems:
                _err(msg)
            raise typer.Exit(Exit.USAGE)
        old, new = sides
        names = ("old", "new")
    result = diff_records(old, new, strict)

    def body() -> int:
        _print_diff(result, fmt, *names)
        return 0

    code = _guard_pipe(body)
    raise typer.Exit(Exit.USAGE if trouble else code or (Exit.OK if result.equal else Exit.SOME_FAILED))


# -- brief ----------------------------------------------------------------------------
@app.command("brief")
def brief_cmd(
    paths: _PathsArg = None,
    rules: _Rules = None,
    published: _Published = None,
    source: _Source = None,
    input_format: _InputFormat = "text",
) -> None:
    """One line per event: family (type) | date | actor1 → actor2 | place | «evidence».

    Nothing in a line depends on the file's path, so it serves as a git textconv
    driver: `git config diff.sahel.textconv "sahel-events brief"` with
    `*.txt diff=sahel` in .gitattributes makes `git diff` show event changes.
    An empty file gives no lines.  Exit 1 when some input could not be read."""
    paths = paths or ["-"]
    ex = _extractor(rules)
    # Git hands the driver an empty file for an added or deleted article: no events, no error.
    paths = [p for p in paths if p == "-" or not (Path(p).is_file() and not Path(p).read_bytes().strip())]
    if not paths:
        raise typer.Exit(Exit.OK)
    docs, failed = _docs(paths, published, source, input_format)

    def body() -> int:
        for d in docs:
            if len(docs) > 1:
                print(f"== {d.meta.doc_id}")
            for line in brief_lines(e.to_record() for e in ex.extract(d.text, d.meta)):
                print(line)
        return 0

    _guard_pipe(body)
    raise typer.Exit(Exit.SOME_FAILED if failed else Exit.OK)


# -- explain --------------------------------------------------------------------------
@app.command("explain")
def explain_cmd(
    paths: _PathsArg = None,
    rules: _Rules = None,
    published: _Published = None,
    source: _Source = None,
    plain: Annotated[bool, typer.Option("--plain", help="Plain text with [[…]] marks even at a terminal.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per document, for machines.")] = False,
    input_format: _InputFormat = "text",
) -> None:
    """Every rule match in a text: rule id and file:line, slots, and why a match gave no event.

    The text is shown with each match marked ([[…]]{n} in plain text, colours at a
    terminal); then each candidate n with its rule, the words it matched, its slots
    (role = words → name), and its verdict: the event it gave, or why not
    (negation, speculation, plan, history, fear, denial, …, with the cue words;
    "merged into RULE"; "no actor1")."""
    paths = paths or ["-"]
    ex = _extractor(rules)
    docs, failed = _docs(paths, published, source, input_format)
    use_rich = not plain and not as_json and _is_terminal()

    def body() -> int:
        for i, d in enumerate(docs):
            exp = explain_text(ex, d.text, d.meta)
            if as_json:
                obj = {
                    "doc_id": exp.doc_id,
                    "candidates": [c.to_json() for c in exp.candidates],
                    "events": exp.events,
                }
                sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
                continue
            if len(docs) > 1:
                print(("\n" if i else "") + f"== {d.meta.doc_id}")
            if use_rich:
                from rich.console import Console

                Console(highlight=False, soft_wrap=True).print(rich_markup(exp))
            else:
                for line in plain_lines(exp):
                    print(line)
        return 0

    _guard_pipe(body)
    raise typer.Exit(Exit.SOME_FAILED if failed else Exit.OK)


# -- evaluate -------------------------------------------------------------------------
def _error_lines(errors: Iterable[Any]) -> Iterable[str]:
    for e in errors:
        yield " | ".join((e.kind, e.doc, e.family, e.what))


@app.command("evaluate")
def evaluate_cmd(
    events: Annotated[str, typer.Argument(help="Event records (JSON lines), or - for standard input.")],
    gold: Annotated[Path, typer.Option("--gold", help="Folder of NAME.txt and NAME.gold.jsonl.")],
    families: Annotated[str, typer.Option(help="Families to score, comma-separated.")] = ",".join(DEFAULT_FAMILIES),
    as_json: Annotated[bool, typer.Option("--json", help="The figures as one JSON object.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="List misses and false events (duplicate, trap, spurious).")] = False,
    min_f1: Annotated[float | None, typer.Option("--min-f1", help="Exit 1 when micro F1 falls below this.")] = None,
) -> None:
    """Precision, recall and F1 per family, duplicates and trap hits, against gold annotations.

    The same matching as ../shared/tools/score.py: a prediction matches a gold
    event of its family when its evidence or a mention overlaps a clause that
    holds the gold evidence; one to one.  Exit status: 0; 1 when --min-f1 is
    given and micro F1 falls below it; 2 on unusable input."""
    fams = tuple(x for x in families.split(",") if x)
    if not fams:
        raise _fail("evaluate: --families names no family")
    if not gold.is_dir():
        raise _fail(f"{gold}: no such folder")
    try:
        g = load_gold(gold)
        if not g.docs:
            raise _fail(f"evaluate: no NAME.txt documents in {gold}")
        if events == "-":
            raw = sys.stdin.buffer.read().decode("utf-8", "replace")
        else:
            try:
                raw = Path(events).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise _fail(f"{events}: cannot read: {e}") from None
        preds = read_predictions(raw, events if events != "-" else "stdin")
    except EvaluationError as e:
        raise _fail(e) from None
    s = score(g, preds, fams)
    f1 = prf(s.total)[2]

    def body() -> int:
        if as_json:
            obj = summary(s)
            if errors:
                obj["errors"] = [{"kind": e.kind, "doc": e.doc, "family": e.family, "text": e.what} for e in s.errors]
            sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
            return 0
        for line in table_lines(s):
            print(line)
        if errors:
            for line in _error_lines(s.errors):
                print(line)
        print(f"micro F1 {f1:.3f}")
        return 0

    _guard_pipe(body)
    raise typer.Exit(Exit.SOME_FAILED if min_f1 is not None and f1 < min_f1 else Exit.OK)


# -- report ---------------------------------------------------------------------------
def _texts_beside(doc_ids: Iterable[str]) -> dict[str, str]:
    """Texts of documents whose doc_id is a relative path to a .txt file here (extract's doc_id for a file given).

    Only relative paths below this folder, ending in .txt: a records file names no other file to be read."""
    out: dict[str, str] = {}
    for doc_id in doc_ids:
        p = Path(doc_id)
        if p.is_absolute() or ".." in p.parts or p.suffix != ".txt" or not p.is_file():
            continue
        try:
            out[doc_id] = decode(p.read_bytes())[0]
        except (OSError, ValueError):
            continue
    return out


@app.command("report")
def report_cmd(
    events: Annotated[list[str] | None, typer.Argument(help="Event records (JSON lines), or - for standard input.", show_default=False)] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Write the HTML here (atomically); - is standard output.")] = "-",
    texts: Annotated[
        list[str] | None,
        typer.Option("--texts", help="The articles the events came from (files or folders, read as extract reads them), to show each evidence in its sentence."),
    ] = None,
    title: Annotated[str, typer.Option(help="The page's title.")] = "Sahel events",
) -> None:
    """One self-contained HTML page: counts, a weekly timeline, a map and a sortable table of events.

    sahel-events extract articles/ | sahel-events report - --texts articles/ -o report.html

    Everything is inline (no network, no fonts or tiles to fetch); it prints.  Each
    evidence is shown in its sentence when its article is at hand (--texts, or a
    doc_id that is a relative path to a .txt file), else alone.  Exit status: 0;
    1 when some input could not be read (named on stderr); 2 when no records could."""
    paths = events or ["-"]
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    records: list[dict[str, Any]] = []
    failed = 0
    for p in paths:
        try:
            records += _read_records(p, stdin)
        except RecordError as e:
            failed += 1
            _err(f"sahel-events: {e}")
    if failed == len(paths):
        raise typer.Exit(Exit.USAGE)
    docs: dict[str, str] = {}
    if texts:
        found, bad = _docs(texts, None, None, "text")
        failed += bad
        docs = {d.meta.doc_id: d.text for d in found}
    else:
        ids = {r.get("doc_id") for r in records} | {m.get("doc_id") for r in records for m in r.get("mentions") or [] if isinstance(m, dict)}
        docs = _texts_beside(sorted(i for i in ids if isinstance(i, str)))
    from .report import render_report  # only this command needs it

    page = render_report(records, docs, title).encode("utf-8", "replace")
    if output == "-":

        def body() -> int:
            sys.stdout.buffer.write(page)
            return 0

        _guard_pipe(body)
    else:
        from .outfiles import write_atomically

        try:
            with write_atomically(Path(output)) as fh:
                fh.write(page)
        except OSError as e:
            raise _fail(f"sahel-events: {output}: cannot write: {e.strerror or e}") from None
    raise typer.Exit(Exit.SOME_FAILED if failed else Exit.OK)
