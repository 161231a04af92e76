"""Feature requests: tickets per type, distinct customers, and the MRR behind them at the close."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.requests import DEFAULT_TYPES, feature_requests
from csmetrics.periods import Period, month_period

Q4 = Period("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))
DEC = month_period(date(2023, 12, 1))
AS_OF = date(2024, 1, 15)
OLD = date(2023, 1, 1)
UTC = ZoneInfo("UTC")


def _subs(rows: list[tuple[str, int, date, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subscription_id": [f"s{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "mrr_cents": [r[1] for r in rows],
            "started_at": [r[2] for r in rows],
            "ended_at": [r[3] for r in rows],
        },
        schema={
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "mrr_cents": pl.Int64,
            "started_at": pl.Date,
            "ended_at": pl.Date,
        },
    )


def _tickets(rows: list[tuple[str | None, datetime, str | None]], tz: str = "UTC") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ticket_id": [str(i) for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "created_at": [r[1] for r in rows],
            "type": [r[2] for r in rows],
        },
        schema={
            "ticket_id": pl.String,
            "customer_id": pl.String,
            "created_at": pl.Datetime("us", tz),
            "type": pl.String,
        },
    )


def at(month: int, day: int, hour: int = 12, year: int = 2023) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


SUBS = _subs(
    [
        ("big", 50000, OLD, None),
        ("mid", 20000, OLD, None),
        ("mid", 5000, OLD, None),  # two rows: netted 250.00
        ("small", 1000, OLD, None),
        ("gone", 9000, OLD, date(2023, 12, 20)),  # churned before the close: MRR 0
        ("free", 0, OLD, None),
    ]
)


def test_counts_customers_and_mrr_per_type() -> None:
    tickets = _tickets(
        [
            ("big", at(12, 1), "bug"),
            ("big", at(12, 2), "bug"),  # same customer twice: its MRR once
            ("mid", at(12, 3), "bug"),
            ("small", at(12, 4), "feature_request"),
            ("gone", at(12, 5), "feature_request"),
            ("free", at(12, 6), "feature_request"),
            ("stranger", at(12, 7), "feature_request"),  # not in billing: MRR 0
            (None, at(12, 8), "feature_request"),  # no customer: a ticket, no customer
            ("big", at(12, 9), "question"),  # not an asked type
            ("mid", at(12, 10), None),
        ]
    )
    values = feature_requests(tickets, SUBS, DEC, AS_OF).values()
    assert values["by_type"] == {
        "bug": {"tickets": 3, "customers": 2, "mrr": Decimal("750.00")},
        "improvement": {"tickets": 0, "customers": 0, "mrr": Decimal("0.00")},
        "feature_request": {"tickets": 5, "customers": 4, "mrr": Decimal("10.00")},
    }
    assert list(values["by_type"]) == list(DEFAULT_TYPES)
    assert values["top_customers"] == {
        "bug": [
            {"customer_id": "big", "tickets": 2, "mrr": Decimal("500.00")},
            {"customer_id": "mid", "tickets": 1, "mrr": Decimal("250.00")},
        ],
        "improvement": [],
        "feature_request": [
            {"customer_id": "small", "tickets": 1, "mrr": Decimal("10.00")},
            {"customer_id": "free", "tickets": 1, "mrr": Decimal("0.00")},
            {"customer_id": "gone", "tickets": 1, "mrr": Decimal("0.00")},
            {"customer_id": "stranger", "tickets": 1, "mrr": Decimal("0.00")},
        ],
    }


def test_only_tickets_created_in_the_period_up_to_as_of() -> None:
    tickets = _tickets(
        [
            ("big", at(11, 30, 23), "bug"),  # November
            ("big", at(12, 31, 23), "bug"),
            ("mid", at(1, 1, 0, year=2024), "bug"),  # January
            ("small", at(12, 10), "bug"),
        ]
    )
    values = feature_requests(tickets, SUBS, DEC, AS_OF).values()
    assert values["by_type"]["bug"]["tickets"] == 2
    # as-of inside the period: later tickets are not known; MRR is taken at the end of as-of
    early = feature_requests(tickets, SUBS, DEC, date(2023, 12, 15)).values()
    assert early["by_type"]["bug"] == {"tickets": 1, "customers": 1, "mrr": Decimal("10.00")}


def test_the_local_day_decides() -> None:
    # 23:30 UTC on Nov 30 is Dec 1 in Warsaw; the frame arrives converted to --tz
    tickets = _tickets([("big", at(11, 30, 23), "bug")]).with_columns(
        pl.col("created_at").dt.convert_time_zone("Europe/Warsaw")
    )
    assert feature_requests(tickets, SUBS, DEC, AS_OF).by_type[0].tickets == 1
    assert (
        feature_requests(_tickets([("big", at(11, 30, 23), "bug")]), SUBS, DEC, AS_OF).by_type[0].tickets == 0
    )


def test_mrr_is_taken_at_the_period_close() -> None:
    subs = _subs([("grew", 1000, OLD, date(2023, 11, 15)), ("grew", 4000, date(2023, 11, 15), None)])
    tickets = _tickets([("grew", at(10, 5), "improvement")])
    result = feature_requests(tickets, subs, Q4, AS_OF)
    assert result.values()["by_type"]["improvement"]["mrr"] == Decimal("40.00")


def test_types_are_matched_trimmed_and_case_insensitive_and_keyed_as_asked() -> None:
    tickets = _tickets([("big", at(12, 1), " Feature Request "), ("mid", at(12, 2), "idea")])
    result = feature_requests(tickets, SUBS, DEC, AS_OF, types=("feature request", "idea"))
    assert result.values()["by_type"] == {
        "feature request": {"tickets": 1, "customers": 1, "mrr": Decimal("500.00")},
        "idea": {"tickets": 1, "customers": 1, "mrr": Decimal("250.00")},
    }


def test_top_keeps_the_largest_mrr_first() -> None:
    tickets = _tickets([(c, at(12, 1), "bug") for c in ["small", "mid", "big", "gone"]])
    result = feature_requests(tickets, SUBS, DEC, AS_OF, top=2)
    assert [a.customer_id for a in result.top_customers("bug")] == ["big", "mid"]
    assert result.by_type[0].customers == 4  # totals are over everyone, not the top
    everyone = feature_requests(tickets, SUBS, DEC, AS_OF, top=None)
    assert [a.customer_id for a in everyone.top_customers("bug")] == ["big", "mid", "small", "gone"]


# --- properties ----------------------------------------------------------------------------------

CUSTOMERS = ["big", "mid", "small", "gone", "free", "stranger", None]
TYPES = ["bug", "improvement", "feature_request", "question", "billing", None]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(CUSTOMERS), st.integers(0, 120), st.sampled_from(TYPES)),
        max_size=40,
    )
)
def test_types_partition_the_asked_tickets(drawn: list[tuple[str | None, int, str | None]]) -> None:
    first = datetime(2023, 10, 1, tzinfo=UTC)
    rows = [(customer, first + timedelta(days=offset), kind) for customer, offset, kind in drawn]
    result = feature_requests(_tickets(rows), SUBS, Q4, AS_OF, top=None)
    in_period = [r for r in rows if r[1].date() < Q4.end and r[2] in DEFAULT_TYPES]
    assert sum(entry.tickets for entry in result.by_type) == len(in_period)
    for entry in result.by_type:
        askers = {r[0] for r in in_period if r[2] == entry.type and r[0] is not None}
        assert entry.customers == len(askers) == len(entry.askers)
        assert entry.mrr == sum(asker.mrr for asker in entry.askers) >= 0
        assert sum(asker.tickets for asker in entry.askers) <= entry.tickets
        assert [a.mrr for a in entry.askers] == sorted((a.mrr for a in entry.askers), reverse=True)
