"""Who churns: segments partition the customers, lift and intervals are right, bands are read right."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csmetrics.cli import app
from csmetrics.metrics.revenue import compute_bridge
from csmetrics.metrics.segments import (
    attribute_trait,
    segment_bridges,
    tenure_trait,
    ticket_trait,
    usage_trait,
    wilson_interval,
)
from csmetrics.periods import Period

DEC = Period("2023-12", date(2023, 12, 1), date(2024, 1, 1))
AS_OF = date(2024, 1, 15)


def subscriptions(rows: list[tuple[str, str, int, date, date | None]]) -> pl.DataFrame:
    """(customer, industry, mrr cents, started_at, ended_at) → a subscriptions frame."""
    return pl.DataFrame(
        {
            "subscription_id": [f"s{i}" for i in range(len(rows))],
            "customer_id": [row[0] for row in rows],
            "plan": ["Team"] * len(rows),
            "industry": [row[1] for row in rows],
            "mrr_cents": [row[2] for row in rows],
            "started_at": [row[3] for row in rows],
            "ended_at": [row[4] for row in rows],
            "cancel_reason": [None] * len(rows),
        },
        schema_overrides={"ended_at": pl.Date, "cancel_reason": pl.String},
    )


SUBS = subscriptions(
    [
        ("a", "SaaS", 10000, date(2023, 1, 1), None),
        ("b", "SaaS", 10000, date(2023, 1, 1), date(2023, 12, 10)),
        ("c", "Retail", 10000, date(2023, 10, 1), date(2023, 12, 5)),
        ("d", "Retail", 10000, date(2021, 1, 1), None),
        ("e", "Retail", 5000, date(2023, 12, 3), None),
    ]
)


def test_wilson_interval_matches_a_hand_computation() -> None:
    low, high = wilson_interval(3, 10)
    assert low == pytest.approx(0.1078, abs=1e-4)
    assert high == pytest.approx(0.6032, abs=1e-4)
    assert wilson_interval(0, 0) == (None, None)


def test_attribute_segments_add_up_and_carry_lift() -> None:
    found = segment_bridges(SUBS, DEC, AS_OF, {"industry": attribute_trait(SUBS, DEC, AS_OF, "industry")})
    by_value = {segment.value: segment for segment in found}
    assert by_value["SaaS"].bridge.customers_start == 2
    assert by_value["SaaS"].bridge.churned_customers == 1
    assert by_value["Retail"].bridge.customers_start == 2
    assert by_value["Retail"].bridge.churned_customers == 1
    total = compute_bridge(SUBS, DEC, AS_OF)
    assert sum(s.bridge.customers_start for s in found) == total.customers_start
    assert sum(s.bridge.mrr_end for s in found) == total.mrr_end
    assert by_value["SaaS"].lift == pytest.approx(1.0)
    assert all(segment.small for segment in found)


def test_tenure_bands_at_the_opening() -> None:
    bands = dict(tenure_trait(SUBS, DEC).collect().iter_rows())
    assert bands["a"] == "6–12 months"
    assert bands["c"] == "0–3 months"
    assert bands["d"] == "24+ months"
    assert bands["e"] == "(new in period)"


def test_ticket_bands_count_the_90_days_before_the_period() -> None:
    tickets = pl.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "created_at": [
                "2023-11-30T10:00:00Z",
                "2023-10-01T10:00:00Z",
                "2023-09-01T10:00:00Z",
                "2023-12-02T10:00:00Z",
                "2023-11-01T10:00:00Z",
            ],
        }
    ).with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC"))
    bands = dict(ticket_trait(SUBS, tickets, DEC).collect().iter_rows())
    assert bands["a"] == "1–2 tickets"
    assert bands["b"] == "0 tickets"
    assert bands["c"] == "1–2 tickets"


def test_usage_bands_take_the_latest_measurement_before_the_period() -> None:
    usage = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "d"],
            "date": [
                date(2023, 10, 1),
                date(2023, 11, 30),
                date(2023, 12, 2),
                date(2023, 11, 1),
                date(2023, 11, 1),
            ],
            "used": [1.0, 9.0, 1.0, 12.0, 2.0],
            "limit": [10.0, 10.0, 10.0, 10.0, 10.0],
        }
    )
    bands = dict(usage_trait(SUBS, usage, DEC).collect().iter_rows())
    assert bands["a"] == "80–100% of limit"
    assert bands["b"] == "(no usage data)"
    assert bands["c"] == "over the limit"
    assert bands["d"] == "under 25% of limit"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            st.sampled_from(["SaaS", "Retail", None]),
            st.integers(0, 20000),
            st.dates(date(2023, 1, 1), date(2024, 1, 31)),
            st.one_of(st.none(), st.integers(0, 200)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_trait_partitions_the_customers(
    rows: list[tuple[str, str | None, int, date, int | None]],
) -> None:
    frame = subscriptions(
        [
            (
                customer,
                industry or "",
                mrr,
                start,
                None if days is None else date.fromordinal(start.toordinal() + days),
            )
            for customer, industry, mrr, start, days in rows
        ]
    )
    traits = {"industry": attribute_trait(frame, DEC, AS_OF, "industry"), "tenure": tenure_trait(frame, DEC)}
    total = compute_bridge(frame, DEC, AS_OF)
    found = segment_bridges(frame, DEC, AS_OF, traits)
    for trait in traits:
        part = [segment.bridge for segment in found if segment.trait == trait]
        assert sum(b.customers_start for b in part) == total.customers_start
        assert sum(b.churned_customers for b in part) == total.churned_customers
        assert sum(b.mrr_start for b in part) == total.mrr_start
        assert sum(b.mrr_end for b in part) == total.mrr_end


def test_segments_through_the_cli_with_usage(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,plan,mrr,started_at,ended_at\n"
        "s1,c1,Team,100,2023-01-01,\ns2,c2,Team,100,2023-01-01,2023-12-10\n",
        encoding="utf-8",
    )
    (tmp_path / "usage.csv").write_text(
        "customer_id,date,used,limit\nc1,2023-11-15,9,10\nc2,2023-11-20,1,10\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app,
        [
            "segments",
            "-s",
            str(tmp_path / "subs.csv"),
            "--usage",
            str(tmp_path / "usage.csv"),
            "--by",
            "usage,plan",
            "-p",
            "2023-12",
            "--as-of",
            "2024-01-15",
            "--format",
            "json",
        ],
    )
    assert result.exception is None, result.output
    assert result.exit_code == 0
    values = json.loads(result.stdout)["values"]
    usage = {entry["value"]: entry for entry in values["segments"] if entry["trait"] == "usage"}
    assert usage["under 25% of limit"]["churned_customers"] == 1
    assert usage["80–100% of limit"]["logo_churn_rate"] == 0.0
    assert values["overall"]["logo_churn_rate"] == 0.5
    assert {entry["trait"] for entry in values["segments"]} == {"usage", "plan"}
