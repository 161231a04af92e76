"""Presets (io/presets.py): vendor exports read as they are, per ../shared/FORMATS.md.

The examples/ exports are made up with the vendors' real headers; the smaller files are written
here. Every row a preset leaves out, and every value it reads as empty, must show in a note.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from csmetrics.config import PRESET_KINDS as CONFIG_PRESET_KINDS
from csmetrics.errors import DataError, UsageError
from csmetrics.io.presets import PRESET_KINDS, PRESETS
from csmetrics.io.readers import (
    Loaded,
    read_checked,
    read_customers,
    read_subscriptions,
    read_surveys,
    read_tickets,
)
from csmetrics.io.source import ReadOptions

EXAMPLES = Path(__file__).parent.parent / "examples"
WARSAW = ZoneInfo("Europe/Warsaw")


def write(tmp_path: Path, lines: list[str], name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def subs(path: str, tz: str = "UTC", **options: object) -> Loaded:
    return read_subscriptions(ReadOptions(path=path, **options), tz)  # type: ignore[arg-type]


def tickets(path: str, tz: str = "UTC", **options: object) -> Loaded:
    return read_tickets(ReadOptions(path=path, **options), tz)  # type: ignore[arg-type]


def surveys(path: str, tz: str = "UTC", **options: object) -> Loaded:
    return read_surveys(ReadOptions(path=path, **options), tz)  # type: ignore[arg-type]


def error_of(read: object, path: str, **options: object) -> DataError:
    with pytest.raises(DataError) as caught:
        read(path, **options)  # type: ignore[operator]
    assert caught.value.exit_code == 3
    assert "\n" not in str(caught.value)
    return caught.value


def test_the_config_and_the_loader_agree_on_presets() -> None:
    assert CONFIG_PRESET_KINDS == PRESET_KINDS
    assert set(PRESETS) == {
        "stripe",
        "chargebee",
        "baremetrics",
        "zendesk",
        "freshdesk",
        "delighted",
        "typeform",
        "hubspot",
        "salesforce",
    }


def test_a_preset_for_another_kind_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, ["a", "1"])
    with pytest.raises(UsageError, match="the zendesk preset reads tickets exports, not subscriptions"):
        subs(path, preset="zendesk")
    with pytest.raises(UsageError, match="unknown preset 'paddle'"):
        tickets(path, preset="paddle")


# --------------------------------------------------------------------------------------------
# Stripe

STRIPE_HEADER = "id,Customer ID,Status,Created (UTC),Start (UTC),Trial End (UTC),Ended At (UTC),Plan,Quantity,Amount,Currency,Interval"  # noqa: E501


def test_stripe_example_gives_the_canonical_frame() -> None:
    loaded = subs(str(EXAMPLES / "stripe" / "subscriptions.csv"), preset="stripe")
    expected = pl.DataFrame(
        {
            "subscription_id": [f"sub_1OaA2bC3dE4fG5h{x}" for x in "ABCDFGHI"],
            "customer_id": [f"cus_PaA1b2C3d4E5f{x}" for x in "ABCDFGCI"],
            "plan": ["Pro", "Team", "Pro", "Pro", "Business", "Pro", "Team", "Pro"],
            "currency": ["USD"] * 8,
            "started_at": [
                date(2023, 10, 5),
                date(2023, 11, 20),
                date(2023, 9, 1),
                date(2024, 2, 15),  # trial 2024-02-01 → 2024-02-15: MRR starts at the trial end
                date(2023, 6, 15),
                date(2023, 12, 1),
                date(2024, 3, 2),
                date(2024, 3, 20),
            ],
            "ended_at": [None, None, date(2024, 2, 1), None, None, date(2024, 2, 10), None, None],
            "cancel_reason": [None, None, "too_expensive", None, None, "payment_failed", None, None],
            "mrr_cents": [4900, 5000, 4900, 4900, 8250, 4900, 3000, 4900],
        },
        schema_overrides={"started_at": pl.Date, "ended_at": pl.Date},
    )
    assert_frame_equal(loaded.frame.select(expected.columns), expected)
    assert loaded.notes == (
        "1 subscription never started and was left out (status incomplete_expired: 1)",
        "2 subscriptions had a trial: MRR starts at 'Trial End (UTC)', not at the start date "
        "(trials pay nothing)",
        "expansion and contraction history is not in a Stripe subscriptions export (one row per "
        "subscription, current plan only): only new, churned and reactivated MRR are shown, and "
        "expansion/contraction only where a customer adds or ends a whole subscription",
    )
    assert "plan_tier (metadata)" in loaded.attributes
    assert "Status" in loaded.attributes
    assert not any(name.startswith("__") for name in loaded.frame.columns)


def test_stripe_times_are_utc_whatever_the_run_zone(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            STRIPE_HEADER,
            "sub_1,cus_1,canceled,2024-01-31 23:30,2024-01-31 23:30,,2024-03-31 22:15,Pro,1,10.00,eur,month",
        ],
    )
    warsaw = subs(path, "Europe/Warsaw", preset="stripe").frame
    assert warsaw["started_at"].to_list() == [date(2024, 2, 1)]
    assert warsaw["ended_at"].to_list() == [date(2024, 4, 1)]
    utc = subs(path, "UTC", preset="stripe").frame
    assert utc["started_at"].to_list() == [date(2024, 1, 31)]
    in_warsaw = subs(path, "UTC", preset="stripe", source_tz="Europe/Warsaw").frame
    assert in_warsaw["started_at"].to_list() == [date(2024, 1, 31)]


@pytest.mark.parametrize(
    "start",
    ["2025-01-09 00:00", "2025-01-09 00:00:00", "2025-01-09T00:00:00+00:00", "2025-01-09"],
)
def test_stripe_date_forms(start: str, tmp_path: Path) -> None:
    path = write(tmp_path, [STRIPE_HEADER, f"sub_1,cus_1,active,{start},{start},,,Pro,1,10.00,usd,month"])
    assert subs(path, preset="stripe").frame["started_at"].to_list() == [date(2025, 1, 9)]


def test_stripe_old_and_new_headers_both_work(tmp_path: Path) -> None:
    old = write(
        tmp_path,
        [
            "id,Customer Description,Customer Email,Status,Created (UTC),Start (UTC),Plan,Amount,Interval",
            "sub_1,Acme,a@acme.example,active,2024-01-01 10:00,2024-01-02 10:00,Pro,10.00,month",
        ],
        "old.csv",
    )
    new = write(
        tmp_path,
        [
            "id,Customer ID,Status,Created (UTC),Start Date (UTC),Product,Amount,Interval",
            "sub_1,cus_1,active,2024-01-01 10:00,2024-01-02 10:00,Pro,10.00,month",
        ],
        "new.csv",
    )
    from_old, from_new = subs(old, preset="stripe").frame, subs(new, preset="stripe").frame
    assert from_old["customer_id"].to_list() == ["a@acme.example"]
    assert from_new["customer_id"].to_list() == ["cus_1"]
    for frame in (from_old, from_new):
        assert frame["started_at"].to_list() == [date(2024, 1, 2)]
        assert frame["plan"].to_list() == ["Pro"]


def test_stripe_created_is_the_start_only_without_a_start_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "id,Customer ID,Status,Created (UTC),Amount,Interval",
            "sub_1,cus_1,active,2024-01-05 10:00,10,month",
        ],
    )
    assert subs(path, preset="stripe").frame["started_at"].to_list() == [date(2024, 1, 5)]


@pytest.mark.parametrize(
    ("quantity", "amount", "interval", "cents"),
    [
        ("1", "49.00", "month", 4900),
        ("3", "10.00", "month", 3000),
        ("", "10.00", "month", 1000),
        ("1", "990.00", "year", 8250),
        ("2", "12.00", "week", 10400),
        ("1", "0.00", "month", 0),
    ],
)
def test_stripe_amount_times_quantity_per_interval(
    quantity: str, amount: str, interval: str, cents: int, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [
            STRIPE_HEADER,
            f"sub_1,cus_1,active,2024-01-01 10:00,2024-01-01 10:00,,,Pro,{quantity},{amount},usd,{interval}",
        ],
    )
    assert subs(path, preset="stripe").frame["mrr_cents"].to_list() == [cents]


def test_stripe_interval_count_makes_a_quarter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "id,Customer ID,Status,Start (UTC),Amount,Interval,Interval Count",
            "sub_1,cus_1,active,2024-01-01 10:00,300.00,month,3",
            "sub_2,cus_2,active,2024-01-01 10:00,300.00,month,",
        ],
    )
    assert subs(path, preset="stripe").frame["mrr_cents"].to_list() == [10000, 30000]


def test_stripe_daily_plans_are_an_error_not_a_guess(tmp_path: Path) -> None:
    path = write(
        tmp_path, [STRIPE_HEADER, "sub_1,cus_1,active,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,1.00,usd,day"]
    )
    error = error_of(subs, path, preset="stripe")
    assert (error.line, error.column, error.value) == (2, "Interval", "day")


def test_stripe_status_map(tmp_path: Path) -> None:
    rows = [
        "sub_a,cus_a,active,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month",
        "sub_b,cus_b,trialing,2024-01-01 10:00,2024-01-01 10:00,2024-01-15 10:00,,Pro,1,10,usd,month",
        "sub_c,cus_c,past_due,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month",
        "sub_d,cus_d,unpaid,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month",
        "sub_e,cus_e,canceled,2024-01-01 10:00,2024-01-01 10:00,,2024-02-01 10:00,Pro,1,10,usd,month",
        "sub_f,cus_f,incomplete,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month",
        "sub_g,cus_g,incomplete_expired,2024-01-01 10:00,2024-01-01 10:00,,2024-01-02 10:00,Pro,1,10,usd,month",  # noqa: E501
        "sub_h,cus_h,paused,2024-01-01 10:00,2024-01-01 10:00,2024-01-15 10:00,,Pro,1,10,usd,month",
        "sub_i,cus_i,incomplete_expired,2024-01-01 10:00,,,,Pro,1,10,usd,month",
    ]
    loaded = subs(write(tmp_path, [STRIPE_HEADER, *rows]), preset="stripe")
    frame = loaded.frame
    assert frame["subscription_id"].to_list() == ["sub_a", "sub_b", "sub_c", "sub_d", "sub_e"]
    assert frame["ended_at"].to_list() == [None, None, None, None, date(2024, 2, 1)]
    assert loaded.notes[0] == (
        "4 subscriptions never started and were left out "
        "(status incomplete_expired: 2, incomplete: 1, paused: 1)"
    )


def test_stripe_canceled_at_is_not_the_end(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "id,Customer ID,Status,Start (UTC),Canceled At (UTC),Ended At (UTC),Cancel At Period End,Amount,Interval",  # noqa: E501
            "sub_1,cus_1,active,2024-01-01 10:00,2024-02-10 09:00,,true,10,month",
        ],
    )
    loaded = subs(path, preset="stripe")
    assert loaded.frame["ended_at"].to_list() == [None]
    assert "Canceled At (UTC)" in loaded.attributes


def test_stripe_canceled_without_an_end_date_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [STRIPE_HEADER, "sub_1,cus_1,canceled,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month"],
    )
    error = error_of(subs, path, preset="stripe")
    assert (error.line, error.column, error.value) == (2, "Ended At (UTC)", "")
    assert "end date" in error.reason


def test_stripe_canceled_rows_need_the_ended_at_column(tmp_path: Path) -> None:
    header = "id,Customer ID,Status,Start (UTC),Amount,Interval"
    running = write(tmp_path, [header, "sub_1,cus_1,active,2024-01-01 10:00,10,month"], "running.csv")
    assert subs(running, preset="stripe").frame["ended_at"].to_list() == [None]
    ended = write(
        tmp_path,
        [
            header,
            "sub_1,cus_1,active,2024-01-01 10:00,10,month",
            "sub_2,cus_2,canceled,2024-01-01 10:00,10,month",
        ],
        "ended.csv",
    )
    error = error_of(subs, ended, preset="stripe")
    assert error.line == 1
    assert "line 3" in error.reason
    assert "'Ended At (UTC)'" in error.reason


def test_stripe_unknown_or_empty_status_is_an_error(tmp_path: Path) -> None:
    row = "sub_1,cus_1,{},2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month"
    error = error_of(subs, write(tmp_path, [STRIPE_HEADER, row.format("zombie")]), preset="stripe")
    assert (error.line, error.column, error.value) == (2, "Status", "zombie")
    assert "past_due" in error.reason
    error = error_of(subs, write(tmp_path, [STRIPE_HEADER, row.format("")]), preset="stripe")
    assert (error.line, error.column) == (2, "Status")


def test_stripe_needs_its_status_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, ["id,Customer ID,Start (UTC),Amount,Interval", "sub_1,cus_1,2024-01-01 10:00,10,month"]
    )
    error = error_of(subs, path, preset="stripe")
    assert error.line == 1
    assert "status" in error.reason


def test_stripe_trial_that_ended_without_paying_serves_nothing(tmp_path: Path) -> None:
    row = "sub_1,cus_1,canceled,2024-01-01 10:00,2024-01-01 10:00,2024-01-15 10:00,2024-01-10 10:00,Pro,1,10,usd,month"  # noqa: E501
    frame = subs(write(tmp_path, [STRIPE_HEADER, row]), preset="stripe").frame
    assert frame["started_at"].to_list() == [date(2024, 1, 10)]
    assert frame["ended_at"].to_list() == [date(2024, 1, 10)]


def test_stripe_ended_before_it_started_is_still_reported(tmp_path: Path) -> None:
    row = "sub_1,cus_1,canceled,2024-01-05 10:00,2024-01-05 10:00,2024-01-15 10:00,2024-01-01 10:00,Pro,1,10,usd,month"  # noqa: E501
    error = error_of(subs, write(tmp_path, [STRIPE_HEADER, row]), preset="stripe")
    assert (error.line, error.column) == (2, "Ended At (UTC)")
    assert "before started_at" in error.reason


def test_a_mapping_wins_over_the_preset(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            STRIPE_HEADER + ",Customer Email",
            "sub_1,cus_1,active,2024-01-01 10:00,2024-01-01 10:00,,,Pro,1,10,usd,month,a@x.example",
        ],
    )
    frame = subs(path, preset="stripe", columns={"customer_id": "customer email"}).frame
    assert frame["customer_id"].to_list() == ["a@x.example"]


def test_the_stripe_example_validates_cleanly() -> None:
    options = ReadOptions(path=str(EXAMPLES / "stripe" / "subscriptions.csv"), preset="stripe")
    checked = read_checked("subscriptions", options, "UTC", limit=10)
    assert checked.problems.found == []
    assert len(checked.notes) == 3
    assert checked.matched["ended_at"] == "Ended At (UTC)"


# --------------------------------------------------------------------------------------------
# Chargebee

CHARGEBEE_HEADER = (
    "subscriptions.id,subscriptions.plan_id,subscriptions.plan_quantity,subscriptions.plan_unit_price,"
    "subscriptions.status,subscriptions.start_date,subscriptions.trial_end,subscriptions.current_term_end,"
    "subscriptions.created_at,subscriptions.started_at,subscriptions.cancelled_at,"
    "subscriptions.billing_period,subscriptions.billing_period_unit,subscriptions.currency_code,"
    "customers.id,customers.email"
)


def test_chargebee_export(tmp_path: Path) -> None:
    rows = [
        "cb_1,pro,1,49.00,Active,,,2024-03-01 00:00:00,2023-10-01 10:00:00,2023-10-01 10:00:00,,1,month,EUR,cust_1,a@x.example",  # noqa: E501
        "cb_2,team,5,10.00,In Trial,,2024-02-15 10:00:00,2024-02-15 10:00:00,2024-02-01 10:00:00,2024-02-01 10:00:00,,1,month,EUR,cust_2,b@x.example",  # noqa: E501
        "cb_3,pro,1,49.00,Non Renewing,,,2024-03-01 00:00:00,2023-10-01 10:00:00,2023-10-01 10:00:00,2024-03-01 00:00:00,1,month,EUR,cust_3,c@x.example",  # noqa: E501
        "cb_4,pro,1,49.00,Cancelled,,,2024-02-01 00:00:00,2023-10-01 10:00:00,2023-10-01 10:00:00,2024-01-20 09:00:00,1,month,EUR,cust_4,d@x.example",  # noqa: E501
        "cb_5,biz,1,300.00,Paused,,,2024-03-01 00:00:00,2023-10-01 10:00:00,2023-10-01 10:00:00,,3,month,EUR,cust_5,e@x.example",  # noqa: E501
        "cb_6,pro,1,49.00,Future,2024-04-01 00:00:00,,,2024-02-20 10:00:00,,,1,month,EUR,cust_6,f@x.example",
        "cb_7,biz,1,1200.00,non_renewing,,,2024-12-01 00:00:00,2023-12-01 10:00:00,2023-12-01 10:00:00,2024-12-01 00:00:00,1,year,EUR,cust_7,g@x.example",  # noqa: E501
    ]
    loaded = subs(write(tmp_path, [CHARGEBEE_HEADER, *rows]), preset="chargebee")
    frame = loaded.frame
    assert frame["subscription_id"].to_list() == ["cb_1", "cb_2", "cb_3", "cb_4", "cb_5", "cb_7"]
    assert frame["customer_id"].to_list() == ["cust_1", "cust_2", "cust_3", "cust_4", "cust_5", "cust_7"]
    assert frame["plan"].to_list() == ["pro", "team", "pro", "pro", "biz", "biz"]
    assert frame["mrr_cents"].to_list() == [4900, 5000, 4900, 4900, 10000, 10000]
    assert frame["started_at"].to_list() == [
        date(2023, 10, 1),
        date(2024, 2, 15),
        date(2023, 10, 1),
        date(2023, 10, 1),
        date(2023, 10, 1),
        date(2023, 12, 1),
    ]
    # cancelled_at is an end only for Cancelled; for Non Renewing it is a scheduled date
    assert frame["ended_at"].to_list() == [None, None, None, date(2024, 1, 20), None, None]
    assert loaded.notes == (
        "1 subscription never started and was left out (status Future: 1)",
        "1 paused subscription is counted as running: Chargebee's export does not say when billing paused",
        "1 subscription had a trial: MRR starts at 'subscriptions.trial_end', not at the start date "
        "(trials pay nothing)",
        "expansion and contraction history is not in a Chargebee subscriptions export (one row per "
        "subscription, current plan only): only new, churned and reactivated MRR are shown, and "
        "expansion/contraction only where a customer adds or ends a whole subscription",
    )


def test_chargebee_plan_amount_already_holds_the_quantity(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "subscriptions.id,customers.id,subscriptions.status,subscriptions.started_at,subscriptions.plan_quantity,"
            "subscriptions.plan_unit_price,subscriptions.plan_amount,subscriptions.billing_period_unit",
            "cb_1,c1,active,2024-01-01 00:00:00,5,10.00,50.00,month",
        ],
    )
    loaded = subs(path, preset="chargebee")
    assert loaded.frame["mrr_cents"].to_list() == [5000]
    assert loaded.frame["subscriptions.plan_quantity"].to_list() == ["5"]


def test_chargebee_import_layout_is_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "customer[id],subscription[id],subscription[plan_id],subscription[plan_quantity],"
            "subscription[plan_unit_price],subscription[status],subscription[started_at],"
            "subscription[cancelled_at],subscription[billing_period_unit],currency",
            "c1,s1,pro,2,25.50,cancelled,2024-01-01 00:00:00,2024-02-01 00:00:00,month,PLN",
        ],
    )
    frame = subs(path, preset="chargebee").frame
    assert frame["mrr_cents"].to_list() == [5100]
    assert frame["ended_at"].to_list() == [date(2024, 2, 1)]
    assert frame["currency"].to_list() == ["PLN"]


def test_chargebee_money_unit_can_be_set_to_cents(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "subscriptions.id,customers.id,subscriptions.status,subscriptions.started_at,"
            "subscriptions.plan_unit_price,subscriptions.billing_period_unit",
            "cb_1,c1,Active,2024-01-01 00:00:00,4900,month",
        ],
    )
    assert subs(path, preset="chargebee", money_unit="cents").frame["mrr_cents"].to_list() == [4900]
    assert subs(path, preset="chargebee").frame["mrr_cents"].to_list() == [490000]


# --------------------------------------------------------------------------------------------
# Baremetrics

BAREMETRICS_HEADER = (
    "plan_oid,plan_name,plan_currency,plan_amount,plan_interval,plan_interval_count,customer_oid,"
    "customer_name,customer_email,subscription_oid,subscription_started_at,subscription_canceled_at,"
    "subscription_quantity"
)


def test_baremetrics_template_in_cents(tmp_path: Path) -> None:
    rows = [
        "p_pro,Pro,USD,5000,month,1,c1,Acme,a@x.example,s1,2024-01-01,,1",
        "p_team,Team,USD,1000,month,1,c2,Borealis,b@x.example,s2,2024-01-05,2024-03-01,4",
        "p_q,Quarterly,USD,30000,month,3,c3,Cobalt,c@x.example,s3,2024-01-10,,",
        "p_y,Yearly,USD,120050,year,1,c4,Delta,d@x.example,s4,2024-01-15,,1",
    ]
    loaded = subs(write(tmp_path, [BAREMETRICS_HEADER, *rows]), preset="baremetrics")
    frame = loaded.frame
    assert frame["subscription_id"].to_list() == ["s1", "s2", "s3", "s4"]
    assert frame["plan"].to_list() == ["Pro", "Team", "Quarterly", "Yearly"]
    assert frame["mrr_cents"].to_list() == [5000, 4000, 10000, 10004]
    assert frame["ended_at"].to_list() == [None, date(2024, 3, 1), None, None]
    assert loaded.notes == ()


def test_baremetrics_bad_interval_count(tmp_path: Path) -> None:
    path = write(tmp_path, [BAREMETRICS_HEADER, "p,Pro,USD,5000,month,0,c1,A,a@x,s1,2024-01-01,,1"])
    error = error_of(subs, path, preset="baremetrics")
    assert (error.line, error.column, error.value) == (2, "plan_interval_count", "0")


def test_money_unit_cents_for_a_canonical_mrr_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "subscription_id,customer_id,mrr,started_at,ended_at",
            "s1,c1,4999,2024-01-01,",
            "s2,c2,100.5,2024-01-01,",
        ],
    )
    assert subs(path, money_unit="cents").frame["mrr_cents"].to_list() == [4999, 100]
    with pytest.raises(UsageError, match="money unit"):
        subs(path, money_unit="pennies")


# --------------------------------------------------------------------------------------------
# Zendesk


def test_zendesk_example_gives_the_canonical_frame() -> None:
    loaded = tickets(str(EXAMPLES / "zendesk" / "tickets.csv"), "Europe/Warsaw", preset="zendesk")
    frame = loaded.frame

    def at(day: int, hour: int, minute: int) -> datetime:
        return datetime(2024, 2, day, hour, minute, tzinfo=WARSAW)

    expected = pl.DataFrame(
        {
            "ticket_id": ["4101", "4102", "4103", "4104", "4105", "4106"],
            "customer_id": [f"1030060001234{d}" for d in "567895"],
            "created_at": [
                at(5, 9, 12),
                at(7, 13, 5),
                at(12, 22, 40),
                at(15, 7, 55),
                at(20, 18, 30),
                at(22, 10, 0),
            ],
            "solved_at": [at(5, 15, 42), at(7, 14, 5), None, at(16, 11, 25), None, at(22, 10, 45)],
            "status": ["Solved", "Closed", "Open", "Solved", "New", "Solved"],
            "replies": [2, 1, 1, 4, 0, 1],
            "channel": ["Mail", "Web form", "Mail", "API", "Chat", "Mail"],
            "agent": ["Marek Lis", "Ewa Wróbel", "Marek Lis", "Ewa Wróbel", None, "Marek Lis"],
            "csat": [5, None, None, 1, None, 4],
            "type": ["bug", "question", "other", "bug", None, "question"],
            "first_response_minutes": [38.0, 12.0, 560.0, 25.0, None, 5.0],
            "resolution_minutes": [390.0, 60.0, None, 1650.0, None, 45.0],
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "Europe/Warsaw"),
            "solved_at": pl.Datetime("us", "Europe/Warsaw"),
        },
    )
    assert_frame_equal(frame.select(expected.columns), expected)
    assert frame["first_response_at"].to_list() == [None] * 6
    assert loaded.notes == (
        "2 tickets with 'Solved at' = 1900-01-01 (Zendesk's empty date) are read as not solved",
    )
    assert loaded.durations == {"first_response_minutes": "calendar", "resolution_minutes": "calendar"}
    assert "Plan [list]" in loaded.attributes


def test_zendesk_times_are_read_in_the_account_zone(tmp_path: Path) -> None:
    path = write(tmp_path, ["Id,Requester id,Created at", "1,2,2024-02-05 09:12:00"])
    utc = tickets(path, "UTC", preset="zendesk", source_tz="America/New_York").frame
    assert utc["created_at"].to_list() == [datetime(2024, 2, 5, 14, 12, tzinfo=UTC)]


def test_zendesk_business_hours_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ["Id,Created at,First reply time in minutes within business hours", "1,2024-02-05 09:12:00,30"],
    )
    loaded = tickets(path, preset="zendesk")
    assert loaded.frame["first_response_minutes"].to_list() == [30.0]
    assert loaded.durations == {"first_response_minutes": "business"}
    assert loaded.notes == (
        "first_response_minutes are business-hours minutes "
        "(from 'First reply time in minutes within business hours')",
    )


def test_zendesk_summation_column_and_unknown_satisfaction(tmp_path: Path) -> None:
    lines = [
        "Summation column,Id,Created at,Satisfaction Score",
        ",1,2024-02-05 09:12:00,Good",
        ",2,2024-02-05 09:12:00,Meh",
    ]
    error = error_of(tickets, write(tmp_path, lines), preset="zendesk")
    assert (error.line, error.column, error.value) == (3, "Satisfaction Score", "Meh")
    assert "csat_labels" in error.reason
    relabelled = tickets(write(tmp_path, lines), preset="zendesk", csat_labels={"MEH": 3})
    assert relabelled.frame["csat"].to_list() == [5, 3]


def test_zendesk_satisfaction_numbers_pass_and_are_range_checked(tmp_path: Path) -> None:
    lines = [
        "Id,Created at,Satisfaction Score",
        "1,2024-02-05 09:12:00,3",
        "2,2024-02-05 09:12:00,Not Offered",
    ]
    assert tickets(write(tmp_path, lines), preset="zendesk").frame["csat"].to_list() == [3, None]
    lines.append("3,2024-02-05 09:12:00,7")
    error = error_of(tickets, write(tmp_path, lines), preset="zendesk")
    assert (error.line, error.value) == (4, "7")


def test_zendesk_ids_rounded_by_excel_are_an_error(tmp_path: Path) -> None:
    lines = ["Id,Requester id,Created at", "1,1.03006E+13,2024-02-05 09:12:00"]
    error = error_of(tickets, write(tmp_path, lines), preset="zendesk")
    assert (error.line, error.column, error.value) == (2, "Requester id", "1.03006E+13")
    assert "Excel" in error.reason


def test_zendesk_solved_at_sentinel_is_never_a_negative_duration(tmp_path: Path) -> None:
    lines = ["Id,Created at,Solved at", "1,2024-02-05 09:12:00,1900-01-01 00:00:00", "2,2024-02-05 09:12:00,"]
    loaded = tickets(write(tmp_path, lines), preset="zendesk")
    assert loaded.frame["solved_at"].to_list() == [None, None]
    assert loaded.notes == (
        "1 ticket with 'Solved at' = 1900-01-01 (Zendesk's empty date) is read as not solved",
    )
    error = error_of(tickets, write(tmp_path, lines))  # without the preset: a real date, before creation
    assert (error.line, error.column) == (2, "Solved at")


# --------------------------------------------------------------------------------------------
# Freshdesk


def test_freshdesk_example_gives_the_canonical_frame() -> None:
    loaded = tickets(str(EXAMPLES / "freshdesk" / "tickets.csv"), "Europe/Warsaw", preset="freshdesk")
    frame = loaded.frame

    def at(day: int, hour: int, minute: int) -> datetime:
        return datetime(2024, 2, day, hour, minute, tzinfo=WARSAW)

    expected = pl.DataFrame(
        {
            "ticket_id": ["1001", "1002", "1003", "1004", "1005"],
            "customer_id": ["70000000101", "70000000102", "70000000103", "70000000104", "70000000105"],
            "created_at": [at(5, 9, 12), at(7, 13, 5), at(12, 22, 40), at(15, 7, 55), at(20, 18, 30)],
            "first_response_at": [at(5, 9, 50), at(7, 13, 17), None, at(15, 8, 20), at(21, 9, 0)],
            "solved_at": [at(5, 16, 0), at(7, 14, 5), None, at(20, 11, 25), None],
            "status": ["Closed", "Resolved", "Open", "Resolved", "Pending"],
            "replies": [3, 1, 0, 5, 1],
            "channel": ["Email", "Portal", "Email", "Phone", "Feedback Widget"],
            "agent": ["Marek Lis", "Ewa Wróbel", None, "Ewa Wróbel", "Marek Lis"],
            "csat": [5, 3, None, 1, None],
            "type": ["bug", "question", "refund", "bug", "feature_request"],
            "first_response_minutes": [38.0, 12.0, None, 25.0, 870.0],
            "resolution_minutes": [408.0, 60.0, None, 7410.0, None],
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "Europe/Warsaw"),
            "first_response_at": pl.Datetime("us", "Europe/Warsaw"),
            "solved_at": pl.Datetime("us", "Europe/Warsaw"),
        },
    )
    assert_frame_equal(frame.select(expected.columns), expected)
    assert loaded.durations == {"first_response_minutes": "business", "resolution_minutes": "business"}
    assert len(loaded.notes) == 2
    assert "Closed time" in loaded.attributes


def test_freshdesk_closed_time_fills_a_missing_resolved_time(tmp_path: Path) -> None:
    lines = [
        "Ticket ID,Created time,Resolved time,Closed time",
        "1,2024-02-05 09:00:00,,2024-02-06 10:00:00",
        "2,2024-02-05 09:00:00,2024-02-05 12:00:00,2024-02-07 10:00:00",
        "3,2024-02-05 09:00:00,,",
    ]
    frame = tickets(write(tmp_path, lines), preset="freshdesk").frame
    assert frame["solved_at"].to_list() == [
        datetime(2024, 2, 6, 10, tzinfo=UTC),
        datetime(2024, 2, 5, 12, tzinfo=UTC),
        None,
    ]


def test_freshdesk_bad_closed_time_names_its_own_column(tmp_path: Path) -> None:
    lines = ["Ticket ID,Created time,Resolved time,Closed time", "1,2024-02-05 09:00:00,,soon"]
    error = error_of(tickets, write(tmp_path, lines), preset="freshdesk")
    assert (error.line, error.column, error.value) == (2, "Closed time", "soon")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:38:00", 38.0), ("123:30:00", 7410.0), ("01:30", 90.0), ("1.5", 90.0), ("0.25", 15.0)],
)
def test_freshdesk_durations_in_hours(text: str, minutes: float, tmp_path: Path) -> None:
    lines = [
        "Ticket ID,Created time,Initial response time,First response time (in hrs)",
        f"1,2024-02-05 09:00:00,2024-02-05 10:00:00,{text}",
    ]
    assert tickets(write(tmp_path, lines), preset="freshdesk").frame["first_response_minutes"].to_list() == [
        minutes
    ]


def test_freshdesk_zero_duration_with_a_response_is_a_real_zero(tmp_path: Path) -> None:
    lines = [
        "Ticket ID,Created time,Initial response time,First response time (in hrs)",
        "1,2024-02-03 09:00:00,2024-02-03 09:30:00,00:00:00",
        "2,2024-02-03 09:00:00,,00:00:00",
    ]
    loaded = tickets(write(tmp_path, lines), preset="freshdesk")
    assert loaded.frame["first_response_minutes"].to_list() == [0.0, None]
    assert not any("00:00:00" in note for note in loaded.notes)


def test_freshdesk_zero_duration_without_a_timestamp_column_is_counted(tmp_path: Path) -> None:
    lines = [
        "Ticket ID,Created time,First response time (in hrs)",
        "1,2024-02-03 09:00:00,00:00:00",
        "2,2024-02-03 09:00:00,00:45:00",
    ]
    loaded = tickets(write(tmp_path, lines), preset="freshdesk")
    assert loaded.frame["first_response_minutes"].to_list() == [None, 45.0]
    assert loaded.notes[0].startswith(
        "1 ticket with 'First response time (in hrs)' = 00:00:00 is read as having no first response"
    )


def test_freshdesk_custom_survey_labels_need_csat_labels(tmp_path: Path) -> None:
    lines = ["Ticket ID,Created time,Survey results", "1,2024-02-03 09:00:00,Extremely happy"]
    error = error_of(tickets, write(tmp_path, lines), preset="freshdesk")
    assert (error.column, error.value) == ("Survey results", "Extremely happy")
    assert "Freshdesk" in error.reason and "csat_labels" in error.reason
    loaded = tickets(write(tmp_path, lines), preset="freshdesk", csat_labels={"Extremely happy": 5})
    assert loaded.frame["csat"].to_list() == [5]


def test_csat_labels_without_a_preset(tmp_path: Path) -> None:
    lines = ["ticket_id,created_at,csat", "1,2024-02-03 09:00,Satisfied", "2,2024-02-03 09:00,2"]
    frame = tickets(write(tmp_path, lines), csat_labels={"satisfied": 5}).frame
    assert frame["csat"].to_list() == [5, 2]


# --------------------------------------------------------------------------------------------
# Delighted and Typeform

NPS_QUESTION = "How likely are you to recommend Acme to a friend or colleague?"


def test_delighted_export(tmp_path: Path) -> None:
    lines = [
        "id,person,survey_type,score,comment,created_at",
        "r1,p1,nps,9,great,1706781600",
        "r2,p2,nps,3,slow,2024-02-02 10:00:00",
        "r3,p3,csat,5,,1706781600",
    ]
    loaded = surveys(write(tmp_path, lines), preset="delighted")
    frame = loaded.frame
    assert frame["response_id"].to_list() == ["r1", "r2"]
    assert frame["customer_id"].to_list() == ["p1", "p2"]
    assert frame["score"].to_list() == [9, 3]
    assert frame["responded_at"].to_list() == [
        datetime(2024, 2, 1, 10, tzinfo=UTC),
        datetime(2024, 2, 2, 10, tzinfo=UTC),
    ]
    assert loaded.notes == (
        "1 response was left out: 'survey_type' is not 'nps' (csat: 1); only NPS answers count",
    )


def test_typeform_export(tmp_path: Path) -> None:
    lines = [
        f'#,"{NPS_QUESTION}",What could we do better?,email,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags',  # noqa: E501
        "a1b2,10,Nothing,ann@x.example,completed,2024-02-01 23:50:00,null,2024-02-01 23:55:00,n1,",
        "c3d4,4,Speed,bob@x.example,completed,2024-02-02 08:00:00,null,2024-02-02 08:05:00,n2,",
        "e5f6,,,cid@x.example,partial,2024-02-03 08:00:00,2024-02-03 08:01:00,,n3,",
    ]
    path = write(tmp_path, lines)
    columns = {"score": NPS_QUESTION, "comment": "what could we do better?"}
    loaded = surveys(path, "Europe/Warsaw", preset="typeform", columns=columns)
    frame = loaded.frame
    assert frame["response_id"].to_list() == ["a1b2", "c3d4"]
    assert frame["customer_id"].to_list() == ["ann@x.example", "bob@x.example"]
    assert frame["score"].to_list() == [10, 4]
    assert frame["comment"].to_list() == ["Nothing", "Speed"]
    assert frame["responded_at"].to_list() == [
        datetime(2024, 2, 2, 0, 55, tzinfo=WARSAW),
        datetime(2024, 2, 2, 9, 5, tzinfo=WARSAW),
    ]
    assert loaded.notes == (
        "1 response was left out: 'Response Type' is not 'completed' (partial: 1); "
        "partial answers are not responses",
    )


def test_typeform_without_a_score_mapping_points_at_the_question(tmp_path: Path) -> None:
    lines = [
        f'#,"{NPS_QUESTION}",Team size,email,Submit Date (UTC)',
        "a1,10,51-200,ann@x.example,2024-02-01 23:55:00",
        "a2,7,11-50,bob@x.example,2024-02-01 23:55:00",
    ]
    error = error_of(surveys, write(tmp_path, lines), preset="typeform")
    assert error.line == 1
    assert "missing required column 'score'" in error.reason
    assert error.reason.endswith(f"(columns holding only 0–10: '{NPS_QUESTION}'))")
    assert "--map score=" in error.reason


# --------------------------------------------------------------------------------------------
# HubSpot companies and Salesforce accounts (customers exports)

HUBSPOT_HEADER = (
    "Record ID,Company name,Company Domain Name,Create Date,Industry,Number of Employees,"
    "Company owner,Lifecycle Stage,Country/Region"
)
SALESFORCE_HEADER = (
    '"Account ID","Account Name","Account Owner","Industry","Employees","Type","Billing Country",'
    '"Created Date"'
)


def crm(path: str, tz: str = "UTC", **options: object) -> Loaded:
    return read_customers(ReadOptions(path=path, **options), tz)  # type: ignore[arg-type]


def test_hubspot_companies_export(tmp_path: Path) -> None:
    lines = [
        HUBSPOT_HEADER,
        "9001,Acme Retail,acme.example,2024-01-03 09:30,Retail,120,Anna Nowak,Customer,Poland",
        "9002,Borealis Soft,borealis.example,2024-01-10 23:59,Computer Software,35,Piotr Wiśniewski,Lead,",
    ]
    loaded = crm(write(tmp_path, lines, "companies.csv"), preset="hubspot")
    expected = pl.DataFrame(
        {
            "customer_id": ["9001", "9002"],
            "registered_at": [date(2024, 1, 3), date(2024, 1, 10)],  # Create Date read as its day
            "name": ["Acme Retail", "Borealis Soft"],
            "Company Domain Name": ["acme.example", "borealis.example"],  # not an attribute csm names
            "industry": ["Retail", "Computer Software"],
            "company_size": ["120", "35"],
            "owner": ["Anna Nowak", "Piotr Wiśniewski"],
            "lifecycle_stage": ["Customer", "Lead"],
            "country": ["Poland", None],
        },
        schema_overrides={"registered_at": pl.Date},
    )
    assert_frame_equal(loaded.frame, expected)
    assert loaded.attributes == (
        "name",
        "Company Domain Name",
        "industry",
        "company_size",
        "owner",
        "lifecycle_stage",
        "country",
    )
    assert loaded.notes == ()
    assert loaded.rows == 2


@pytest.mark.parametrize("tz", ["UTC", "Europe/Warsaw", "America/Los_Angeles", "Pacific/Auckland"])
def test_hubspot_create_date_is_read_as_its_day_in_every_zone(tmp_path: Path, tz: str) -> None:
    """A naive ``2024-01-03 09:30`` (or 23:30) is a time on 2024-01-03 wherever csm runs."""
    lines = ["Record ID,Create Date", "1,2024-01-03 09:30", "2,2024-01-03 23:30", "3,2024-01-03"]
    loaded = crm(write(tmp_path, lines), tz, preset="hubspot")
    assert loaded.frame["registered_at"].to_list() == [date(2024, 1, 3)] * 3


def test_hubspot_alternative_headers_from_the_api(tmp_path: Path) -> None:
    lines = ["hs_object_id,createdate,Industry", "77,2024-02-29,Retail"]
    loaded = crm(write(tmp_path, lines), preset="hubspot")
    assert loaded.frame.rows(named=True) == [
        {"customer_id": "77", "registered_at": date(2024, 2, 29), "industry": "Retail"}
    ]


def test_the_example_hubspot_companies() -> None:
    loaded = crm(str(EXAMPLES / "hubspot" / "companies.csv"), preset="hubspot")
    frame = loaded.frame
    assert frame["customer_id"].to_list() == [str(n) for n in range(9001, 9007)]
    assert frame["registered_at"].to_list() == [
        date(2024, 1, 3),
        date(2024, 1, 10),
        date(2024, 1, 20),
        date(2024, 2, 2),
        date(2024, 2, 14),
        date(2024, 2, 20),
    ]
    assert frame["owner"].to_list() == ["Anna Nowak", "Piotr Wiśniewski"] * 3
    assert frame["industry"].to_list()[:2] == ["Retail", "Computer Software"]
    assert frame["company_size"].to_list() == ["120", "35", "250", "12", "60", "80"]
    assert set(loaded.attributes) == {
        "name",
        "Company Domain Name",
        "industry",
        "company_size",
        "owner",
        "lifecycle_stage",
        "country",
    }


def test_salesforce_accounts_report(tmp_path: Path) -> None:
    lines = [
        SALESFORCE_HEADER,
        '"0015g00000Ab001","Acme Retail","Jane Doe","Retail","120","Customer","Poland","1/20/2024"',
        '"0015g00000Ab002","Borealis Soft","Pat Lee","Technology","35","Prospect","","12/3/2023"',
    ]
    loaded = crm(write(tmp_path, lines, "accounts.csv"), preset="salesforce")
    expected = pl.DataFrame(
        {
            "customer_id": ["0015g00000Ab001", "0015g00000Ab002"],
            "registered_at": [date(2024, 1, 20), date(2023, 12, 3)],  # US month/day/year
            "name": ["Acme Retail", "Borealis Soft"],
            "owner": ["Jane Doe", "Pat Lee"],
            "industry": ["Retail", "Technology"],
            "company_size": ["120", "35"],
            "account_type": ["Customer", "Prospect"],
            "country": ["Poland", None],
        },
        schema_overrides={"registered_at": pl.Date},
    )
    assert_frame_equal(loaded.frame, expected)
    assert loaded.attributes == ("name", "owner", "industry", "company_size", "account_type", "country")
    assert loaded.notes == ()


def test_salesforce_data_loader_headers(tmp_path: Path) -> None:
    lines = [
        "Id,Name,NumberOfEmployees,Owner.Name,BillingCountry,CreatedDate",
        "0015g00000Ab001AAA,Acme,10,Jane Doe,PL,2024-01-20T10:00:00.000+0000",
    ]
    loaded = crm(write(tmp_path, lines), preset="salesforce")
    assert loaded.frame.rows(named=True) == [
        {
            "customer_id": "0015g00000Ab001AAA",
            "registered_at": date(2024, 1, 20),
            "name": "Acme",
            "company_size": "10",
            "owner": "Jane Doe",
            "country": "PL",
        }
    ]


def test_salesforce_slashed_dates_that_fit_both_orders_need_a_date_format(tmp_path: Path) -> None:
    path = write(tmp_path, ["Account ID,Created Date", "A,2/1/2024", "B,3/4/2024"])
    error = error_of(crm, path, preset="salesforce")
    assert (error.line, error.column, error.value) == (2, "Created Date", "2/1/2024")
    assert error.reason.startswith("is an ambiguous date (day/month or month/day?): set date_format")
    loaded = crm(path, preset="salesforce", date_format="%m/%d/%Y")
    assert loaded.frame["registered_at"].to_list() == [date(2024, 2, 1), date(2024, 3, 4)]


def test_a_column_already_named_like_the_attribute_keeps_it(tmp_path: Path) -> None:
    """``company_size`` in the file wins over ``Number of Employees``, which keeps its header; a
    lower-case ``industry`` stays; ``Company owner`` comes before ``Owner Name`` whatever the order."""
    lines = [
        "Record ID,industry,Number of Employees,company_size,Owner Name,Company owner,Type",
        "1,Own industry,120,Enterprise,Someone,Anna Nowak,Partner",
    ]
    loaded = crm(write(tmp_path, lines), preset="hubspot")
    assert loaded.frame.row(0, named=True) == {
        "customer_id": "1",
        "industry": "Own industry",
        "Number of Employees": "120",
        "company_size": "Enterprise",
        "Owner Name": "Someone",
        "owner": "Anna Nowak",
        "account_type": "Partner",
        "registered_at": None,
    }


def test_without_a_preset_the_vendor_headers_stay_as_they_are(tmp_path: Path) -> None:
    lines = ["customer_id,Industry,Company owner", "1,Retail,Anna Nowak"]
    loaded = crm(write(tmp_path, lines))
    assert loaded.attributes == ("Industry", "Company owner")
    assert loaded.frame["registered_at"].to_list() == [None]


def test_hubspot_duplicate_record_id_is_one_line_naming_file_line_column_and_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            HUBSPOT_HEADER,
            "9001,A,a.example,2024-01-03 09:30,,,,,",
            "9002,B,b.example,2024-01-04 09:30,,,,,",
            "9001,C,c.example,2024-01-05 09:30,,,,,",
        ],
        "companies.csv",
    )
    error = error_of(crm, path, preset="hubspot")
    assert str(error) == f"{path}:4: column 'Record ID': '9001' repeats the customer_id of line 2"
    assert (error.line, error.column, error.value) == (4, "Record ID", "9001")


def test_salesforce_duplicate_account_id(tmp_path: Path) -> None:
    row = '"0015g00000Ab001","Acme","Jane","Retail","1","Customer","PL","1/20/2024"'
    path = write(tmp_path, [SALESFORCE_HEADER, row, row], "accounts.csv")
    error = error_of(crm, path, preset="salesforce")
    assert str(error) == f"{path}:3: column 'Account ID': '0015g00000Ab001' repeats the customer_id of line 2"


def test_hubspot_without_record_id_is_a_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, ["Company name,Create Date,Industry", "Acme,2024-01-03 09:30,Retail"])
    error = error_of(crm, path, preset="hubspot")
    assert error.line == 1
    assert str(error) == (
        f"{path}:1: missing required column 'customer_id' (the header has: Company name, Create Date, "
        "Industry; the hubspot preset looks for 'Record ID', 'Company ID', 'hs_object_id': map another "
        'header with --map customer_id="<header>" or [customers.columns] in csm.toml)'
    )


def test_salesforce_without_account_id_is_a_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, ["Account Name,Created Date", "Acme,1/20/2024"])
    error = error_of(crm, path, preset="salesforce")
    assert error.line == 1
    assert error.reason == (
        "missing required column 'customer_id' (the header has: Account Name, Created Date; the "
        "salesforce preset looks for 'Account ID', 'Id', 'Account ID (18)', 'Account ID (15)': map "
        'another header with --map customer_id="<header>" or [customers.columns] in csm.toml)'
    )


def test_a_mapped_customer_id_wins_over_the_preset(tmp_path: Path) -> None:
    lines = ["Record ID,Stripe Customer ID,Create Date", "9001,cus_A,2024-01-03 09:30"]
    loaded = crm(write(tmp_path, lines), preset="hubspot", columns={"customer_id": "Stripe Customer ID"})
    assert loaded.frame["customer_id"].to_list() == ["cus_A"]
    assert "Record ID" in loaded.attributes


def test_hubspot_empty_record_id_and_bad_create_date(tmp_path: Path) -> None:
    empty = write(tmp_path, ["Record ID,Create Date", ",2024-01-03 09:30"], "empty.csv")
    error = error_of(crm, empty, preset="hubspot")
    assert (error.line, error.column) == (2, "Record ID")
    assert error.reason == "is empty: every row needs a customer_id"
    bad = write(tmp_path, ["Record ID,Create Date", "1,2024-01-03 09:30", "2,2024-02-30 10:00"], "bad.csv")
    error = error_of(crm, bad, preset="hubspot")
    assert (error.line, error.column, error.value) == (3, "Create Date", "2024-02-30 10:00")
    assert error.reason.startswith("is not a date")


def test_a_crm_preset_on_subscriptions_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, ["Record ID", "1"])
    with pytest.raises(UsageError, match="the hubspot preset reads customers exports, not subscriptions"):
        subs(path, preset="hubspot")
    with pytest.raises(UsageError, match="the stripe preset reads subscriptions exports, not customers"):
        crm(path, preset="stripe")


def test_a_chargebee_export_without_the_billing_period_unit_says_how_to_get_it(tmp_path: Path) -> None:
    path = tmp_path / "Subscriptions.csv"
    path.write_text(
        "subscriptions.id,customers.id,subscriptions.plan_amount,subscriptions.status,subscriptions.start_date\n"
        "s1,c1,49.00,Active,2024-01-05\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"subscriptions\.billing_period_unit are selected in Export data"):
        read_subscriptions(ReadOptions(path=str(path), preset="chargebee"), "UTC")
