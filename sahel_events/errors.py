"""The one domain exception and the exit codes the CLI turns it into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Exit(IntEnum):
    """Exit statuses, like diff(1): 0 fine, 1 something differed or failed, 2 trouble."""

    OK = 0
    SOME_FAILED = 1  # extract: some inputs could not be read; diff: differences found
    USAGE = 2  # bad arguments, bad rule files, unusable input


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file, at one line (0: the path itself is wrong, e.g. no such folder)."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}{hint}"


class SahelEventsError(Exception):
    """Every error the library raises on purpose; `problems` lists them all."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__()


class RuleError(SahelEventsError):
    """The rule pack is invalid; nothing may be extracted with it."""
