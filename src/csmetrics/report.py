"""What a command hands to rendering: one computation, shown as a table, JSON or CSV (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from csmetrics.periods import Period


@dataclass(frozen=True)
class InputInfo:
    """One input a result was computed from."""

    kind: str
    path: str
    rows: int


@dataclass(frozen=True)
class Listing:
    """Rows shown under a result (churned customers, groups): column keys and their rows."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, object]]


@dataclass(frozen=True)
class Report:
    """A one-period result with everything needed to show it and to say where it came from."""

    command: str
    period: Period
    as_of: date
    inputs: list[InputInfo]
    values: dict[str, object]
    currency: str | None = None
    listing: Listing | None = None
    groups: list[tuple[str, dict[str, object]]] | None = None
    group_by: str | None = None
    notes: list[str] = field(default_factory=list)
    heatmap: tuple[tuple[int, ...], ...] | None = None


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in one input file: where it is, what kind it is, and how bad."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    kind: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class CheckResult:
    """One threshold check evaluated: the value found and what it came to."""

    name: str
    metric: str
    period: Period
    value: object
    warn: str | None
    fail: str | None
    outcome: str
    message: str


@dataclass(frozen=True)
class CheckReport:
    """Every check of a run, with the inputs they were computed from."""

    as_of: date
    inputs: list[InputInfo]
    results: list[CheckResult]

    def count(self, outcome: str) -> int:
        """How many checks came to ``outcome``."""
        return sum(1 for result in self.results if result.outcome == outcome)


@dataclass(frozen=True)
class SeriesReport:
    """A multi-period result: each period's values as the one-period command gives them."""

    command: str
    as_of: date
    inputs: list[InputInfo]
    metrics: list[str]
    periods: list[tuple[Period, dict[str, object]]]
    slopes: dict[str, float | None]
    target: float | None = None
    currency: str | None = None
