"""What a command hands to rendering: one computation, shown as a table, JSON or CSV (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
