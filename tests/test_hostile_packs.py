"""Hostile rule packs (issue 12): special files, deep nesting, huge numbers and huge lists
each stop the load with `file:line: problem` and exit 2, never a hang or a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sahel_events import RuleError, load_rules
from sahel_events.rules import default_rules_dir
from sahel_events.tomlpos import MAX_PACK_FILE_MB
from tests.conftest import ROOT

HANG_GUARD = 120  # seconds: a run that hangs is killed and fails, a slow machine is not


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    dst = tmp_path / "pack"
    shutil.copytree(default_rules_dir(), dst)
    return dst


def _problems(pack: Path) -> list[str]:
    with pytest.raises(RuleError) as err:
        load_rules(pack)
    return [str(p) for p in err.value.problems]


def _limit_memory() -> None:
    """A run that reads /dev/zero fails with MemoryError at 4 GiB instead of taking the machine."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def _check(pack: Path) -> subprocess.CompletedProcess[str]:
    """`sahel-events rules check PACK` with the cache on (its key reads every file too)."""
    env = {k: v for k, v in os.environ.items() if k != "SAHEL_EVENTS_NO_CACHE"}
    env["XDG_CACHE_HOME"] = str(pack.parent / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "sahel_events", "rules", "check", str(pack)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=HANG_GUARD, preexec_fn=_limit_memory,
    )  # fmt: skip


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def _line_of(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(needle) + 1


# -- special files ---------------------------------------------------------------


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _zero(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _huge(p: Path) -> None:
    with open(p, "wb") as fh:  # sparse: no disk used
        fh.truncate(MAX_PACK_FILE_MB * 2**20 + 1)


def _folder(p: Path) -> None:
    p.mkdir()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
@pytest.mark.parametrize(
    "make, why",
    [
        (_fifo, "not a regular file (a FIFO)"),
        (_zero, "not a regular file (a device)"),
        (_huge, f"larger than {MAX_PACK_FILE_MB} MiB"),
        (_folder, "not a regular file (a folder)"),
    ],
)
@pytest.mark.parametrize("where", ["extra.toml", "lexicon/actors.toml", "lexicon/places.tsv"])
def test_special_files_are_refused_without_hanging(pack: Path, make: Callable[[Path], None], why: str, where: str) -> None:
    target = pack / where
    target.unlink(missing_ok=True)
    make(target)
    run = _check(pack)
    assert run.returncode == 2, run.stderr
    assert f"{target}:1: cannot read: {why}" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_missing_folder_is_not_a_line_of_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    run = _check(missing)
    assert run.returncode == 2
    assert run.stderr.strip() == f"{missing}: no such folder; give the folder of a rule pack"
    a_file = tmp_path / "file.toml"
    a_file.write_text("", encoding="utf-8")
    run = _check(a_file)
    assert run.returncode == 2
    assert run.stderr.startswith(f"{a_file}: not a folder")


# -- deep nesting and huge numbers -------------------------------------------------


def test_5000_nested_parentheses_in_a_pattern(pack: Path) -> None:
    f = pack / "blockade.toml"
    deep = "(" * 5000 + "حصار" + ")" * 5000
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("patterns = [\n", f'patterns = [\n  "{deep}",\n', 1), encoding="utf-8")
    line = _line_of(f, f'  "{deep}",')
    problems = _problems(pack)
    assert any(p.startswith(f"{f}:{line}: pattern '((((") and "nested more than 8 deep" in p for p in problems), problems
    assert all(len(p) < 300 for p in problems)  # the pattern is quoted, not dumped
    run = _check(pack)
    assert run.returncode == 2 and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "value",
    [
        "[" * 100_000 + "]" * 100_000,  # 100k nested arrays
        "{a = " * 50_000 + "1" + "}" * 50_000,  # 50k nested inline tables
    ],
    ids=["arrays", "inline-tables"],
)
@pytest.mark.parametrize("where", ["advance.toml", "lexicon/dates.toml", "lexicon/numbers.toml"])
def test_deeply_nested_toml(pack: Path, value: str, where: str) -> None:
    f = pack / where
    _append(f, f"\n# nested\ndeep = {value}\n")
    line = _line_of(f, f"deep = {value}")
    problems = _problems(pack)
    assert f"{f}:{line}: values nested more than 32 deep (arrays and inline tables of a rule pack nest 2 or 3 deep)" in problems
    run = _check(pack)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "RecursionError" not in run.stderr


def test_a_key_of_100k_dotted_parts(pack: Path) -> None:
    """tomllib is quadratic in a dotted key's parts (it would take minutes): refused first."""
    f = pack / "advance.toml"
    _append(f, "\n" + ".".join(["a"] * 100_000) + " = 1\n")
    problems = _problems(pack)
    assert any(p.startswith(f"{f}:") and "a key of more than 32 dotted parts" in p for p in problems)


def test_a_5000_digit_priority(pack: Path) -> None:
    f = pack / "blockade.toml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("[[rule]]\n", "[[rule]]\npriority = " + "9" * 5000 + "\n", 1), encoding="utf-8")
    line = _line_of(f, "priority = " + "9" * 5000)
    assert f"{f}:{line}: number of 5000 digits (write a number of a few digits)" in _problems(pack)
    run = _check(pack)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "ValueError" not in run.stderr


@pytest.mark.parametrize(
    "where, old, new, fragment",
    [
        ("blockade.toml", "[[rule]]\n", "[[rule]]\npriority = " + "9" * 4000 + "\n", "priority must be a whole number from -1000 to 1000"),
        ("blockade.toml", "[[rule]]\n", "[[rule]]\npriority = true\n", "priority must be a whole number"),
        ("lexicon/countries.toml", "iso = 466", "iso = " + "4" * 4000, "iso must be the ISO 3166-1 numeric code"),
        ("lexicon/numbers.toml", "[cardinals]\n", "[cardinals]\n" + "1" * 5000 + ' = ["ثلاثة"]\n', "must be a positive whole number"),
        ("lexicon/numbers.toml", "[cardinals]\n", '[cardinals]\n"²" = ["ثلاثة"]\n', "must be a positive whole number"),
        ("lexicon/dates.toml", "[settings]\n", "[settings]\nweek_start = " + "7" * 5000 + "\n", "number of 5000 digits"),
    ],
)
def test_other_integer_fields_are_bounded(pack: Path, where: str, old: str, new: str, fragment: str) -> None:
    """An integer that parses but is absurd (4,000 digits would break the JSON writer
    later) is refused where it is written, like one too long to parse."""
    f = pack / where
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = _problems(pack)
    assert any(p.startswith(f"{f}:") and fragment in p for p in problems), problems
    run = _check(pack)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_an_undecodable_gazetteer(pack: Path) -> None:
    tsv = pack / "lexicon" / "places.tsv"
    tsv.write_bytes(tsv.read_bytes() + b"\nBad\xff\tMali\n")
    problems = _problems(pack)
    assert any(p.startswith(f"{tsv}:") and "not UTF-8" in p for p in problems), problems


def test_a_gazetteer_field_over_csv_limit(pack: Path) -> None:
    tsv = pack / "lexicon" / "places.tsv"
    _append(tsv, "X" * 200_000 + "\tMali\n")
    line = _line_of(tsv, "X" * 200_000 + "\tMali")
    assert f"{tsv}:{line}: not a gazetteer row: field larger than field limit (131072)" in _problems(pack)


# -- many aliases: loading is linear --------------------------------------------


def _actor_with_aliases(pack: Path, n: int) -> tuple[Path, int]:
    """One more actor with n aliases one per line, the last one empty (a problem).
    Returns actors.toml and the line of that empty alias."""
    letters = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
    names = [f'  "جماعة {letters[i % 27]}{letters[i // 27 % 27]}{letters[i // 729 % 27]}",' for i in range(n)]
    f = pack / "lexicon" / "actors.toml"
    _append(f, '\n[[actor]]\nname = "Many Names"\ninter = "Rebel group"\naliases = [\n' + "\n".join(names) + '\n  "",\n]\n')
    return f, _line_of(f, '  "",')


def _work(fn: Callable[[], object]) -> int:
    """Lines executed in the rule loader's own modules: an operation count, not a time."""
    count = 0
    mine = ("rules.py", "tomlpos.py", "pattern.py", "dates.py", "numbers.py")

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        return local if frame.f_code.co_filename.endswith(mine) and "sahel_events" in frame.f_code.co_filename else None

    sys.settrace(tracer)
    try:
        fn()
    except RuleError:
        pass
    finally:
        sys.settrace(None)
    return count


def test_loading_is_linear_in_the_number_of_aliases(tmp_path: Path) -> None:
    """10^5 aliases took 27 s, quadrupling per doubling (each alias's line was searched
    from its actor's first line).  Doubling the aliases must about double the loader's work,
    and the problem still names the alias's own line."""
    work = {}
    for n in (0, 1500, 3000):
        pack = tmp_path / f"pack{n}"
        shutil.copytree(default_rules_dir(), pack)
        f, line = _actor_with_aliases(pack, n)
        assert f"{f}:{line}: empty name ''" in _problems(pack)
        work[n] = _work(lambda p=pack: load_rules(p))  # type: ignore[misc]
    growth = (work[3000] - work[0]) / (work[1500] - work[0])
    assert growth < 2.5, work
