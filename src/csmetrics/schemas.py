"""Canonical columns of each input kind (SPEC §1): declared once, used by the readers and docs.

Readers turn whatever a file holds into these columns and types. Money arrives as text and
leaves as integer cents (``mrr_cents``), so sums are exact; days are ``pl.Date``; instants are
``pl.Datetime("us", tz)`` in the run's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds, which decides how its text is parsed."""

    TEXT = "text"
    MONEY = "money"
    DECIMAL = "decimal"
    DAY = "day"
    INSTANT = "instant"
    INTEGER = "integer"
    NUMBER = "number"
    BILLING_PERIOD = "billing_period"


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, what it holds, and whether it must be there."""

    name: str
    kind: Kind
    required: bool = False
    not_empty: bool = False
    meaning: str = ""


@dataclass(frozen=True)
class Schema:
    """The canonical columns of one input kind."""

    name: str
    columns: tuple[Column, ...]
    id_column: str

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every canonical column name, in schema order."""
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have."""
        return tuple(column.name for column in self.columns if column.required)


SUBSCRIPTIONS = Schema(
    name="subscriptions",
    id_column="subscription_id",
    columns=(
        Column("subscription_id", Kind.TEXT, required=True, not_empty=True),
        Column("customer_id", Kind.TEXT, required=True, not_empty=True),
        Column("plan", Kind.TEXT),
        Column("mrr", Kind.MONEY, not_empty=True, meaning="monthly recurring revenue, tax excluded"),
        Column("amount", Kind.DECIMAL, not_empty=True, meaning="price per billing period"),
        Column("billing_period", Kind.BILLING_PERIOD, not_empty=True),
        Column("currency", Kind.TEXT),
        Column("started_at", Kind.DAY, required=True, not_empty=True),
        Column("ended_at", Kind.DAY, required=True, meaning="first day not served; empty = running"),
        Column("cancel_reason", Kind.TEXT),
        Column("registered_at", Kind.DAY),
        Column("expires_at", Kind.DAY),
    ),
)

TICKETS = Schema(
    name="tickets",
    id_column="ticket_id",
    columns=(
        Column("ticket_id", Kind.TEXT, required=True, not_empty=True),
        Column("customer_id", Kind.TEXT),
        Column("created_at", Kind.INSTANT, required=True, not_empty=True),
        Column("first_response_at", Kind.INSTANT),
        Column("solved_at", Kind.INSTANT),
        Column("status", Kind.TEXT),
        Column("replies", Kind.INTEGER),
        Column("channel", Kind.TEXT),
        Column("agent", Kind.TEXT),
        Column("csat", Kind.INTEGER),
        Column("type", Kind.TEXT),
        Column("first_response_minutes", Kind.NUMBER),
        Column("resolution_minutes", Kind.NUMBER),
    ),
)

SURVEYS = Schema(
    name="surveys",
    id_column="response_id",
    columns=(
        Column("response_id", Kind.TEXT, required=True, not_empty=True),
        Column("customer_id", Kind.TEXT, required=True),
        Column("responded_at", Kind.INSTANT, required=True, not_empty=True),
        Column("score", Kind.INTEGER, required=True, not_empty=True),
        Column("comment", Kind.TEXT),
    ),
)

SCHEMAS: dict[str, Schema] = {schema.name: schema for schema in (SUBSCRIPTIONS, TICKETS, SURVEYS)}

BILLING_PERIODS: dict[str, str] = {
    "month": "month",
    "monthly": "month",
    "mo": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "week": "week",
    "weekly": "week",
}
"""Accepted billing_period spellings (case-insensitive) and the period each one means."""
