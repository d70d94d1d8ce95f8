"""The exception types users see.

Every error a user can cause derives from :class:`SiteSelectError` (a ``ValueError``), so a
caller can catch one family. Data problems are collected and reported all at once, each one
naming the file, the row and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class SiteSelectError(ValueError):
    """Base class of every error siteselect raises for bad input."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based data row (the header is row 0 in a CSV; features count from 1
    in a GeoJSON); ``None`` when the problem concerns the whole file.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class DataError(SiteSelectError):
    """A data or criteria file is malformed; lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in input data:"
        lines = [head, *(f"  - {p}" for p in self.problems[:50])]
        if count > 50:
            lines.append(f"  ... and {count - 50} more")
        super().__init__("\n".join(lines))


class UnknownNameError(SiteSelectError):
    """A name (sector, profile, method, criterion, policy...) is not one of the valid ones."""

    def __init__(self, kind: str, name: object, valid: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.valid = tuple(sorted(valid))
        super().__init__(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(self.valid)}")


class WeightError(SiteSelectError):
    """Weights are negative, non-numeric, non-finite or all zero."""


def raise_if(problems: Sequence[Problem]) -> None:
    """Raise :class:`DataError` when ``problems`` is not empty."""
    if problems:
        raise DataError(problems)
