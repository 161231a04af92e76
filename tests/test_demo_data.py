"""The demo dataset shipped in csmetrics.data: reproducible, valid, and with movement.

Uses the stdlib csv module only, so it checks the files independently of the readers.
"""

import csv
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from csmetrics.data import DEMO_DIR, DEMO_END, DEMO_START, demo_path
from csmetrics.data.make_demo import write_demo

KINDS = ("subscriptions", "tickets", "surveys")
HEADERS = {
    "subscriptions": "subscription_id,customer_id,plan,mrr,currency,started_at,ended_at,"
    "cancel_reason,registered_at,expires_at,industry,company_size",
    "tickets": "ticket_id,customer_id,created_at,first_response_at,solved_at,status,"
    "replies,channel,agent,csat,type",
    "surveys": "response_id,customer_id,responded_at,score,comment",
}


def _read(kind: str) -> list[dict[str, str]]:
    with demo_path(kind).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _instant(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def subscriptions() -> list[dict[str, str]]:
    return _read("subscriptions")


@pytest.fixture(scope="module")
def tickets() -> list[dict[str, str]]:
    return _read("tickets")


@pytest.fixture(scope="module")
def surveys() -> list[dict[str, str]]:
    return _read("surveys")


def test_demo_path() -> None:
    assert demo_path("tickets") == DEMO_DIR / "tickets.csv"
    with pytest.raises(ValueError, match="unknown demo input kind"):
        demo_path("invoices")


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    counts = write_demo(tmp_path)
    for kind in KINDS:
        assert (tmp_path / f"{kind}.csv").read_bytes() == demo_path(kind).read_bytes(), (
            f"{kind}.csv is stale: run `uv run python -m csmetrics.data.make_demo`"
        )
    assert counts["subscriptions"] > 400
    assert counts["tickets"] > 4000
    assert counts["surveys"] > 1000


@pytest.mark.parametrize("kind", KINDS)
def test_header_and_size(kind: str) -> None:
    data = demo_path(kind).read_bytes()
    assert data.decode("utf-8").split("\n", 1)[0] == HEADERS[kind]
    assert b"\r" not in data
    assert len(data) < (300_000 if kind == "subscriptions" else 1_000_000)


def test_subscription_rows_are_valid(subscriptions: list[dict[str, str]]) -> None:
    first_start: dict[str, date] = {}
    for row in subscriptions:
        customer, started = row["customer_id"], _day(row["started_at"])
        first_start[customer] = min(started, first_start.get(customer, date.max))
    for row in subscriptions:
        assert re.fullmatch(r"\d+\.\d{2}", row["mrr"]), row
        assert Decimal(row["mrr"]) >= 0
        assert row["currency"] == "PLN"
        started = _day(row["started_at"])
        assert DEMO_START <= started <= DEMO_END
        first = first_start[row["customer_id"]]
        assert first - timedelta(days=20) <= _day(row["registered_at"]) <= first
        if row["ended_at"]:
            assert started <= _day(row["ended_at"]) <= DEMO_END + timedelta(days=1)
        else:
            assert row["cancel_reason"] == ""
        if row["expires_at"]:
            assert _day(row["expires_at"]) > started


def test_subscription_rows_never_overlap(subscriptions: list[dict[str, str]]) -> None:
    by_subscription: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for row in subscriptions:
        end = _day(row["ended_at"]) if row["ended_at"] else date.max
        by_subscription[row["subscription_id"]].append((_day(row["started_at"]), end))
    for sid, intervals in by_subscription.items():
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            assert end <= start, sid


def test_customer_attributes_are_constant(subscriptions: list[dict[str, str]]) -> None:
    seen: dict[str, tuple[str, str, str]] = {}
    for row in subscriptions:
        attrs = (row["registered_at"], row["industry"], row["company_size"])
        assert seen.setdefault(row["customer_id"], attrs) == attrs


def test_ticket_rows_are_valid(tickets: list[dict[str, str]]) -> None:
    ids = [t["ticket_id"] for t in tickets]
    assert len(ids) == len(set(ids))
    for t in tickets:
        created = _instant(t["created_at"])
        assert DEMO_START <= created.date() <= DEMO_END
        if t["first_response_at"]:
            assert _instant(t["first_response_at"]) >= created
            assert 1 <= int(t["replies"]) <= 8
        else:
            assert t["replies"] == "0"
        if t["solved_at"]:
            assert _instant(t["solved_at"]) >= created
            assert t["status"] in ("solved", "closed")
        else:
            assert t["status"] in ("open", "pending")
        assert t["csat"] == "" or 1 <= int(t["csat"]) <= 5


def test_survey_rows_are_valid(surveys: list[dict[str, str]]) -> None:
    ids = [s["response_id"] for s in surveys]
    assert len(ids) == len(set(ids))
    for s in surveys:
        assert DEMO_START <= _day(s["responded_at"]) <= DEMO_END
        assert 0 <= int(s["score"]) <= 10
        assert "\n" not in s["comment"]


def _mrr_by_customer(rows: list[dict[str, str]], day: date) -> dict[str, Decimal]:
    """Customer MRR at the end of `day` (SPEC §3)."""
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        started = _day(row["started_at"])
        ended = _day(row["ended_at"]) if row["ended_at"] else None
        if started <= day and (ended is None or day < ended):
            mrr[row["customer_id"]] += Decimal(row["mrr"])
    return mrr


def _paid_before(rows: list[dict[str, str]], day: date) -> set[str]:
    """Customers with MRR > 0 at the end of some day before `day`.

    MRR only rises on a day some row starts, so those days are enough to look at.
    """
    starts = {_day(r["started_at"]) for r in rows if _day(r["started_at"]) < day}
    return {c for d in starts for c, m in _mrr_by_customer(rows, d).items() if m > 0}


def test_december_2025_has_movement(subscriptions: list[dict[str, str]]) -> None:
    opening, closing = date(2025, 11, 30), date(2025, 12, 31)
    m0 = _mrr_by_customer(subscriptions, opening)
    m1 = _mrr_by_customer(subscriptions, closing)
    paid_before = _paid_before(subscriptions, opening + timedelta(days=1))
    counts: dict[str, int] = defaultdict(int)
    for customer in {r["customer_id"] for r in subscriptions}:
        start, end = m0[customer], m1[customer]
        if start > 0 and end == 0:
            counts["churned"] += 1
        elif start == 0 and end > 0:
            counts["reactivated" if customer in paid_before else "new"] += 1
        elif 0 < start < end:
            counts["expanded"] += 1
        elif 0 < end < start:
            counts["contracted"] += 1
    for movement in ("churned", "new", "expanded", "contracted", "reactivated"):
        assert counts[movement] >= 1, (movement, dict(counts))


# --- customers.csv (a CRM export) and usage.csv ----------------------------------------------------

NEW_HEADERS = {
    "customers": "customer_id,name,industry,company_size,owner,registered_at",
    "usage": "customer_id,date,used,limit",
}
NEVER_PAID = 70
USAGE_MONTHS = [date(2025, month, 1) for month in range(1, 13)]  # the months of the last 12 month ends


@pytest.fixture(scope="module")
def customers() -> list[dict[str, str]]:
    return _read("customers")


@pytest.fixture(scope="module")
def usage() -> list[dict[str, str]]:
    return _read("usage")


@pytest.mark.parametrize("kind", ["customers", "usage"])
def test_new_demo_files_header_and_bytes(kind: str) -> None:
    assert demo_path(kind) == DEMO_DIR / f"{kind}.csv"
    data = demo_path(kind).read_bytes()
    assert data.decode("utf-8").split("\n", 1)[0] == NEW_HEADERS[kind]
    assert b"\r" not in data
    assert data.endswith(b"\n")


def test_regenerating_gives_identical_customers_and_usage(tmp_path: Path) -> None:
    counts = write_demo(tmp_path)
    for kind in ("customers", "usage"):
        assert (tmp_path / f"{kind}.csv").read_bytes() == demo_path(kind).read_bytes(), (
            f"{kind}.csv is stale: run `uv run python -m csmetrics.data.make_demo`"
        )
    assert counts["customers"] == len({row["customer_id"] for row in _read("subscriptions")}) + NEVER_PAID


def test_customer_ids_are_unique_and_every_cell_is_filled(customers: list[dict[str, str]]) -> None:
    ids = [row["customer_id"] for row in customers]
    assert len(ids) == len(set(ids))
    for row in customers:
        assert re.fullmatch(r"C\d{4}", row["customer_id"]), row
        assert all(value.strip() for value in row.values()), row
        assert row["owner"] in {"Magda", "Bartek", "Ewa"}, row
        _day(row["registered_at"])  # an ISO day


def test_every_subscription_customer_is_in_the_customers_file(
    subscriptions: list[dict[str, str]], customers: list[dict[str, str]]
) -> None:
    billed = {row["customer_id"] for row in subscriptions}
    listed = {row["customer_id"] for row in customers}
    assert billed <= listed, sorted(billed - listed)[:5]


def test_the_crm_agrees_with_billing_on_billed_customers(
    subscriptions: list[dict[str, str]], customers: list[dict[str, str]]
) -> None:
    """The customers file wins over the subscriptions' attributes: in the demo both say the same."""
    crm = {row["customer_id"]: row for row in customers}
    for row in subscriptions:
        entry = crm[row["customer_id"]]
        assert (entry["registered_at"], entry["industry"], entry["company_size"]) == (
            row["registered_at"],
            row["industry"],
            row["company_size"],
        ), row["customer_id"]


def test_there_are_never_paid_crm_accounts_in_the_demo_range(
    subscriptions: list[dict[str, str]], customers: list[dict[str, str]]
) -> None:
    billed = {row["customer_id"] for row in subscriptions}
    never_paid = [row for row in customers if row["customer_id"] not in billed]
    assert len(never_paid) == NEVER_PAID
    for row in never_paid:
        assert DEMO_START <= _day(row["registered_at"]) <= DEMO_END, row
    # spread over the demo: some in 2025, the period the onboarding examples use
    assert sum(_day(row["registered_at"]).year == 2025 for row in never_paid) >= 5


def test_usage_rows_are_valid_month_end_snapshots(usage: list[dict[str, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    for row in usage:
        used, limit = int(row["used"]), int(row["limit"])
        assert limit > 0, row
        assert 0 <= used <= limit, row
        day = _day(row["date"])
        assert (day + timedelta(days=1)).day == 1, row  # a month's last day
        assert day.replace(day=1) in USAGE_MONTHS, row  # the last 12 months of the demo
        key = (row["customer_id"], row["date"])
        assert key not in seen, key
        seen.add(key)
    assert {_day(row["date"]) for row in usage} == {
        (month + timedelta(days=32)).replace(day=1) - timedelta(days=1) for month in USAGE_MONTHS
    }


def test_usage_is_only_for_customers_paying_on_that_day(
    subscriptions: list[dict[str, str]], usage: list[dict[str, str]]
) -> None:
    by_day: dict[str, dict[str, Decimal]] = {}
    for row in usage:
        if row["date"] not in by_day:
            by_day[row["date"]] = _mrr_by_customer(subscriptions, _day(row["date"]))
        assert by_day[row["date"]][row["customer_id"]] > 0, row
    # and most of the customers paying at the last month end report their seats
    paying = {c for c, m in _mrr_by_customer(subscriptions, DEMO_END).items() if m > 0}
    reported = {row["customer_id"] for row in usage if row["date"] == DEMO_END.isoformat()}
    assert reported <= paying
    assert len(reported) >= 0.9 * len(paying)
