"""The cells of one input that break a rule: collected per rule, raised as one DataError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from csmetrics.errors import DataError
from csmetrics.io.source import ROW, RawTable, as_text


@dataclass(frozen=True)
class Problem:
    """One cell that breaks a rule: its row, the user's column name, its text, kind and reason."""

    row: int
    column: str | None
    value: str | None
    kind: str
    reason: str


class Problems:
    """Collects the cells that break rules: up to ``limit`` rows per rule, and how many in all."""

    def __init__(self, table: RawTable, limit: int = 1) -> None:
        self.table = table
        self.limit = limit
        self.found: list[Problem] = []
        self.total = 0
        self._rows: list[pl.Series] = []

    def add(
        self,
        frame: pl.DataFrame,
        mask: pl.Series | pl.Expr,
        column: str,
        reason: str,
        kind: str,
        per_row: Callable[[int], str] | None = None,
    ) -> None:
        """Record the rows of ``frame`` where ``mask`` holds; values are shown as the file wrote them.

        ``per_row`` gives a row its own reason (naming the other line of a pair, say).
        """
        if isinstance(mask, pl.Series):
            if not bool(mask.any()):
                return
            hits = frame.select(ROW).filter(mask)
        else:
            hits = frame.lazy().filter(mask).select(ROW).collect()
        if hits.height == 0:
            return
        self.total += hits.height
        self._rows.append(hits[ROW])
        rows = hits.sort(ROW).head(self.limit)
        if column in self.table.frame.columns:
            cells = rows.join(self.table.frame.select(ROW, column), on=ROW, how="left")[column]
            shown = as_text(cells).to_list()
        else:
            shown = [None] * rows.height
        for row, value in zip(rows[ROW].to_list(), shown, strict=True):
            text = per_row(int(row)) if per_row is not None else reason
            self.found.append(Problem(int(row), column, value, kind, text))

    def line_of(self, problem: Problem) -> int:
        """The 1-based line of a problem's row in its file."""
        return self.table.line_of(problem.row)

    def path_of(self, problem: Problem) -> str:
        """The file of a problem's row (one of several when the input is a directory or pattern)."""
        return self.table.path_of(problem.row)

    def bad_rows(self) -> pl.Series:
        """Every row that breaks at least one rule (``__row`` values, each once)."""
        if not self._rows:
            return pl.Series(ROW, [], dtype=pl.UInt32)
        return pl.concat(self._rows).unique()

    def error(self) -> DataError | None:
        """The problem on the earliest line as one DataError counting the others; None if none."""
        if not self.found:
            return None
        first = min(self.found, key=lambda problem: problem.row)
        more = self.total - 1
        where = "in this file" if not self.table.parts else "in these files"
        reason = first.reason + (
            f" (and {more} more problem{'s' if more > 1 else ''} {where}; csm validate lists them)"
            if more
            else ""
        )
        return DataError(
            self.path_of(first),
            reason,
            line=self.line_of(first),
            column=first.column,
            value=first.value if first.value is not None else "",
        )

    def raise_first(self) -> None:
        """Raise the problem on the earliest line, if there is any, counting the others."""
        error = self.error()
        if error is not None:
            raise error
