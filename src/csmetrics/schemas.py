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
    MINUTES = "minutes"
    BILLING_PERIOD = "billing_period"


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, what it holds, and whether it must be there."""

    name: str
    kind: Kind
    required: bool = False
    not_empty: bool = False
    meaning: str = ""
    aliases: tuple[str, ...] = ()
    """Other header names that mean this column when no header names it (case-insensitive)."""


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


_CUSTOMER = ("customer", "customer id", "account_id", "account id", "client_id", "client id", "id klienta")

SUBSCRIPTIONS = Schema(
    name="subscriptions",
    id_column="subscription_id",
    columns=(
        Column(
            "subscription_id",
            Kind.TEXT,
            required=True,
            not_empty=True,
            aliases=("subscription", "subscription id", "id"),
        ),
        Column("customer_id", Kind.TEXT, required=True, not_empty=True, aliases=_CUSTOMER),
        Column("plan", Kind.TEXT, aliases=("plan name", "plan_name")),
        Column(
            "mrr",
            Kind.MONEY,
            not_empty=True,
            meaning="monthly recurring revenue, tax excluded",
            aliases=("monthly recurring revenue",),
        ),
        Column("amount", Kind.DECIMAL, not_empty=True, meaning="price per billing period"),
        Column(
            "billing_period",
            Kind.BILLING_PERIOD,
            not_empty=True,
            aliases=("billing period", "interval", "billing interval", "billing_interval"),
        ),
        Column("currency", Kind.TEXT, aliases=("currency code", "currency_code")),
        Column(
            "started_at",
            Kind.DAY,
            required=True,
            not_empty=True,
            aliases=("start", "start date", "start_date", "started", "started at", "started on"),
        ),
        Column(
            "ended_at",
            Kind.DAY,
            required=True,
            meaning="first day not served; empty = running",
            aliases=(
                "end",
                "end date",
                "end_date",
                "ended",
                "ended at",
                "ended on",
                "cancelled_at",
                "canceled_at",
                "cancelled at",
                "canceled at",
                "churned at",
                "churned_at",
            ),
        ),
        Column(
            "cancel_reason",
            Kind.TEXT,
            aliases=(
                "cancel reason",
                "cancellation reason",
                "cancellation_reason",
                "churn reason",
                "churn_reason",
            ),
        ),
        Column(
            "registered_at",
            Kind.DAY,
            aliases=("registered", "registration date", "signup date", "sign up date", "signed up at"),
        ),
        Column(
            "expires_at",
            Kind.DAY,
            aliases=("expires", "expires on", "expiry date", "expiration date", "valid until"),
        ),
    ),
)

TICKETS = Schema(
    name="tickets",
    id_column="ticket_id",
    columns=(
        Column(
            "ticket_id",
            Kind.TEXT,
            required=True,
            not_empty=True,
            aliases=("ticket", "ticket id", "ticket number", "id"),
        ),
        Column("customer_id", Kind.TEXT, aliases=_CUSTOMER),
        Column(
            "created_at",
            Kind.INSTANT,
            required=True,
            not_empty=True,
            aliases=("created", "created at", "created time", "opened at"),
        ),
        Column(
            "first_response_at",
            Kind.INSTANT,
            aliases=("first response", "first response at", "first reply at", "first replied at"),
        ),
        Column("solved_at", Kind.INSTANT, aliases=("solved", "solved at", "resolved at", "resolved_at")),
        Column("status", Kind.TEXT, aliases=("state", "ticket status")),
        Column("replies", Kind.INTEGER, aliases=("agent replies", "public replies", "reply count")),
        Column("channel", Kind.TEXT, aliases=("via", "ticket channel")),
        Column("agent", Kind.TEXT, aliases=("assignee", "assigned to", "assignee name", "agent name")),
        Column("csat", Kind.INTEGER, aliases=("satisfaction", "satisfaction score", "csat score")),
        Column("type", Kind.TEXT, aliases=("ticket type",)),
        Column(
            "first_response_minutes",
            Kind.MINUTES,
            aliases=("first reply time in minutes", "first response time in minutes"),
        ),
        Column(
            "resolution_minutes",
            Kind.MINUTES,
            aliases=("full resolution time in minutes", "resolution time in minutes"),
        ),
    ),
)

SURVEYS = Schema(
    name="surveys",
    id_column="response_id",
    columns=(
        Column(
            "response_id", Kind.TEXT, required=True, not_empty=True, aliases=("response", "response id", "id")
        ),
        Column("customer_id", Kind.TEXT, required=True, aliases=_CUSTOMER),
        Column(
            "responded_at",
            Kind.INSTANT,
            required=True,
            not_empty=True,
            aliases=("responded", "response date", "submitted at", "submit date", "submitted"),
        ),
        Column("score", Kind.INTEGER, required=True, not_empty=True, aliases=("nps", "nps score")),
        Column("comment", Kind.TEXT, aliases=("comments", "feedback")),
    ),
)

INVOICES = Schema(
    name="invoices",
    id_column="invoice_id",
    columns=(
        Column("customer_id", Kind.TEXT, required=True, not_empty=True, aliases=_CUSTOMER),
        Column("invoice_id", Kind.TEXT, required=True, not_empty=True, meaning="unique per file"),
        Column(
            "period_start",
            Kind.DAY,
            required=True,
            not_empty=True,
            meaning="first day of the service period the invoice bills",
        ),
        Column(
            "period_end",
            Kind.DAY,
            required=True,
            not_empty=True,
            meaning="LAST day of the service period, inclusive (1 Jan – 31 Jan: 2024-01-31)",
        ),
        Column(
            "amount",
            Kind.MONEY,
            required=True,
            not_empty=True,
            meaning="net amount billed for the service period, tax excluded, 0 or more",
        ),
        Column(
            "status",
            Kind.TEXT,
            meaning="paid, open, uncollectible, void or draft (INVOICE_STATUSES); empty = by paid_at",
        ),
        Column("paid_at", Kind.DAY, meaning="the day the invoice was paid; empty = not paid"),
        Column("plan", Kind.TEXT, aliases=("plan name", "plan_name")),
        Column("currency", Kind.TEXT, aliases=("currency code", "currency_code")),
        Column(
            "cancel_reason",
            Kind.TEXT,
            aliases=(
                "cancel reason",
                "cancellation reason",
                "cancellation_reason",
                "churn reason",
                "churn_reason",
            ),
        ),
    ),
)

USAGE = Schema(
    name="usage",
    id_column="customer_id",
    columns=(
        Column("customer_id", Kind.TEXT, required=True, not_empty=True, aliases=_CUSTOMER),
        Column("date", Kind.DAY, required=True, not_empty=True, meaning="the day the usage was measured"),
        Column("used", Kind.NUMBER, required=True, not_empty=True, meaning="seats, projects, … in use"),
        Column("limit", Kind.NUMBER, required=True, not_empty=True, meaning="what the plan allows, above 0"),
    ),
)

CUSTOMERS = Schema(
    name="customers",
    id_column="customer_id",
    columns=(
        Column("customer_id", Kind.TEXT, required=True, not_empty=True, aliases=_CUSTOMER),
        Column("registered_at", Kind.DAY, meaning="account registration (wins over the subscriptions')"),
    ),
)

SPEND = Schema(
    name="spend",
    id_column="date",
    columns=(
        Column(
            "date",
            Kind.DAY,
            required=True,
            not_empty=True,
            aliases=("day", "month", "data", "miesiąc"),
            meaning="when the money was spent (a month's spend may be dated on its first day)",
        ),
        Column(
            "amount",
            Kind.MONEY,
            required=True,
            not_empty=True,
            aliases=("spend", "cost", "kwota", "koszt"),
            meaning="sales and marketing spend, 0 or more, in major units",
        ),
    ),
)
"""What winning customers cost (``csm ltv --spend``): one row per expense or per month."""

SCHEMAS: dict[str, Schema] = {
    schema.name: schema for schema in (SUBSCRIPTIONS, TICKETS, SURVEYS, INVOICES, USAGE, CUSTOMERS, SPEND)
}

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

INVOICE_STATUSES: dict[str, str] = {
    "paid": "paid",
    "settled": "paid",
    "opłacona": "paid",
    "zapłacona": "paid",
    "open": "open",
    "unpaid": "open",
    "not_paid": "open",
    "not paid": "open",
    "due": "open",
    "payment_due": "open",
    "payment due": "open",
    "overdue": "open",
    "past_due": "open",
    "past due": "open",
    "posted": "open",
    "pending": "open",
    "nieopłacona": "open",
    "niezapłacona": "open",
    "uncollectible": "uncollectible",
    "written_off": "uncollectible",
    "written off": "uncollectible",
    "nieściągalna": "uncollectible",
    "void": "void",
    "voided": "void",
    "cancelled": "void",
    "canceled": "void",
    "anulowana": "void",
    "draft": "draft",
    "szkic": "draft",
}
"""Accepted invoice status spellings (case-insensitive) and the status each one means.

``paid`` buys its service period; ``open`` and ``uncollectible`` are unpaid (they matter with
``churn_on="nonpayment"``); ``void`` and ``draft`` were never owed and are ignored."""
