"""Invoices in (io/invoices.py): paid service periods become subscriptions, churn is a choice.

Every case is small and checked by hand: monthly invoices merge into one row, an annual invoice
is a twelfth a month, an upgrade is expansion, a month with no invoice is churn, an unpaid invoice
churns after its grace days unless it is paid, void and draft invoices are ignored. Bad files
are exit 3 naming line, column and value; the row order of a file never changes the result.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csmetrics.config import input_settings, load_config
from csmetrics.errors import ConfigError, DataError, ExitCode, UsageError
from csmetrics.io.columns import describe_columns
from csmetrics.io.invoices import (
    UNPAID_REASON,
    ChurnOn,
    monthly_cents,
    service_months,
    subscriptions_from_invoice_file,
    subscriptions_from_invoices,
)
from csmetrics.io.readers import Loaded, read_checked, read_invoices
from csmetrics.io.source import ReadOptions
from csmetrics.metrics.revenue import Bridge, churned_customers, compute_bridge
from csmetrics.periods import month_period

EXAMPLES = Path(__file__).parent.parent / "examples"
HEADER = ["customer_id", "invoice_id", "period_start", "period_end", "amount", "status", "paid_at"]
MAR = month_period(date(2024, 3, 1))
LATE = date(2025, 12, 31)


# --------------------------------------------------------------------------------------------
# helpers


def invoice(
    customer: str,
    number: str,
    start: str,
    end: str,
    amount: str = "100.00",
    status: str = "paid",
    paid_at: str | None = None,
) -> list[str]:
    """One invoice row; a paid one is paid on its first day unless ``paid_at`` says otherwise."""
    if paid_at is None:
        paid_at = start if status == "paid" else ""
    return [customer, number, start, end, amount, status, paid_at]


def csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    return "\n".join(",".join(cells) for cells in [header, *rows]) + "\n"


def write(tmp_path: Path, text: str, name: str = "invoices.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def derive(
    tmp_path: Path,
    rows: list[list[str]],
    *,
    as_of: date = LATE,
    churn_on: ChurnOn = "expiry",
    grace_days: int = 0,
    **options: object,
) -> Loaded:
    path = write(tmp_path, csv(rows))
    read = ReadOptions(path=path, **options)  # type: ignore[arg-type]
    return subscriptions_from_invoice_file(read, "UTC", churn_on=churn_on, grace_days=grace_days, as_of=as_of)


def spans(loaded: Loaded) -> list[tuple[str, date, date, int]]:
    """(customer, started_at, ended_at, mrr_cents) of every row, in order."""
    frame = loaded.frame.select("customer_id", "started_at", "ended_at", "mrr_cents")
    return [tuple(row) for row in frame.iter_rows()]  # type: ignore[misc]


def bridge(loaded: Loaded, month: date, as_of: date = LATE) -> Bridge:
    return compute_bridge(loaded.frame, month_period(month), as_of)


def data_error(tmp_path: Path, text: str, **options: object) -> DataError:
    """Read expecting a DataError that keeps SPEC §7: exit 3, one line, file first."""
    with pytest.raises(DataError) as info:
        read_invoices(ReadOptions(path=write(tmp_path, text), **options), "UTC")  # type: ignore[arg-type]
    error = info.value
    assert error.exit_code == ExitCode.DATA == 3
    assert "\n" not in str(error)
    assert str(error).startswith(error.path)
    return error


PAID_JAN_FEB = [
    invoice("A", "1", "2024-01-01", "2024-01-31"),
    invoice("A", "2", "2024-02-01", "2024-02-29"),
]


# --------------------------------------------------------------------------------------------
# MRR of one invoice: months of its service period, half-even cents


@pytest.mark.parametrize(
    ("days", "months"),
    [
        *[(1, 1), (14, 1), (28, 1), (31, 1), (45, 1), (46, 2), (59, 2), (62, 2), (90, 3), (92, 3)],
        *[(181, 6), (184, 6), (365, 12), (366, 12), (730, 24)],
    ],
)
def test_service_months_are_days_over_30_4375_rounded_and_at_least_one(days: int, months: int) -> None:
    assert pl.select(service_months(pl.lit(days))).item() == months


def test_service_months_match_plain_rounding_and_never_tie() -> None:
    days = pl.Series("d", range(1, 3000))
    computed = pl.select(service_months(pl.lit(days))).to_series().to_list()
    for d, months in zip(days.to_list(), computed, strict=True):
        assert (32 * d) % 974 != 487  # 16d/487 = k + ½ would need 32d to be an odd multiple of 487
        assert months == max(1, round(d / 30.4375))


@pytest.mark.parametrize(
    ("cents", "months", "mrr"),
    [(10000, 1, 10000), (100000, 12, 8333), (30, 12, 2), (18, 12, 2), (42, 12, 4), (0, 3, 0), (5, 2, 2)],
)
def test_monthly_cents_round_half_even(cents: int, months: int, mrr: int) -> None:
    # 30/12 = 2.5 → 2, 18/12 = 1.5 → 2, 42/12 = 3.5 → 4, 5/2 = 2.5 → 2
    assert pl.select(monthly_cents(pl.lit(cents), pl.lit(months))).item() == mrr


# --------------------------------------------------------------------------------------------
# paid periods → subscription rows


def test_monthly_invoices_merge_into_one_row_of_constant_mrr(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31")]
    loaded = derive(tmp_path, rows, as_of=date(2024, 3, 15))
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 4, 1), 10000)]
    row = loaded.frame.row(0, named=True)
    assert row["subscription_id"] == "A"  # one subscription per customer
    assert row["expires_at"] == date(2024, 3, 31)  # the last paid day
    assert row["cancel_reason"] is None
    assert loaded.frame.schema["mrr_cents"] == pl.Int64
    assert bridge(loaded, date(2024, 2, 1)) == Bridge(
        customers_start=1, customers_end=1, mrr_start=10000, mrr_end=10000
    )


def test_the_frame_has_every_column_the_revenue_metrics_read(tmp_path: Path) -> None:
    loaded = derive(tmp_path, PAID_JAN_FEB)
    assert loaded.kind == "subscriptions"
    assert loaded.frame.schema == pl.Schema(
        {
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "plan": pl.String,
            "currency": pl.String,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "cancel_reason": pl.String,
            "mrr_cents": pl.Int64,
            "registered_at": pl.Date,
            "expires_at": pl.Date,
        }
    )
    assert loaded.rows == 2  # the invoices the file held, not the rows derived from them
    assert loaded.path.endswith("invoices.csv")


def test_an_annual_invoice_is_a_twelfth_a_month_for_365_days(tmp_path: Path) -> None:
    loaded = derive(tmp_path, [invoice("B", "1", "2023-01-01", "2023-12-31", "1000.00")])
    # 365 days / 30.4375 = 11.99 → 12 months; 100000 / 12 = 8333.33 → 8333 cents
    assert spans(loaded) == [("B", date(2023, 1, 1), date(2024, 1, 1), 8333)]
    for month in range(1, 13):
        assert bridge(loaded, date(2023, month, 1)).mrr_end == 8333
    assert bridge(loaded, date(2024, 1, 1)).churned_mrr == 8333  # not renewed: churn in January


def test_a_quarterly_invoice_is_a_third_a_month(tmp_path: Path) -> None:
    loaded = derive(tmp_path, [invoice("Q", "1", "2024-01-01", "2024-03-31", "300.00")])
    # 91 days → 2.99 → 3 months
    assert spans(loaded) == [("Q", date(2024, 1, 1), date(2024, 4, 1), 10000)]


def test_an_upgrade_is_expansion_in_the_bridge(tmp_path: Path) -> None:
    rows = [
        invoice("C", "1", "2024-01-01", "2024-01-31", "100.00"),
        invoice("C", "2", "2024-02-01", "2024-02-29", "150.00"),
        invoice("C", "3", "2024-03-01", "2024-03-31", "150.00"),
    ]
    loaded = derive(tmp_path, rows, as_of=date(2024, 3, 15))
    assert spans(loaded) == [
        ("C", date(2024, 1, 1), date(2024, 2, 1), 10000),
        ("C", date(2024, 2, 1), date(2024, 4, 1), 15000),
    ]
    feb = bridge(loaded, date(2024, 2, 1), date(2024, 3, 15))
    assert (feb.expanded_customers, feb.expansion_mrr, feb.mrr_start, feb.mrr_end) == (1, 5000, 10000, 15000)
    assert feb.net_new_mrr == feb.mrr_end - feb.mrr_start


def test_a_plan_change_at_the_same_price_starts_a_new_row(tmp_path: Path) -> None:
    header = [*HEADER, "plan"]
    rows = [
        [*invoice("P", "1", "2024-01-01", "2024-01-31"), "Pro"],
        [*invoice("P", "2", "2024-02-01", "2024-02-29"), "Team"],
    ]
    path = write(tmp_path, csv(rows, header))
    loaded = subscriptions_from_invoice_file(
        ReadOptions(path=path), "UTC", churn_on="expiry", grace_days=0, as_of=LATE
    )
    assert loaded.frame.select("plan", "started_at", "ended_at").rows() == [
        ("Pro", date(2024, 1, 1), date(2024, 2, 1)),
        ("Team", date(2024, 2, 1), date(2024, 3, 1)),
    ]


def test_overlapping_invoices_add_up_like_subscription_rows(tmp_path: Path) -> None:
    """An add-on billed monthly beside an annual plan: the customer's MRR is the sum."""
    header = [*HEADER, "plan"]
    rows = [
        [*invoice("D", "1", "2024-01-01", "2024-12-31", "1200.00"), "Annual"],
        [*invoice("D", "2", "2024-03-01", "2024-03-31", "20.00"), "Seats"],
        [*invoice("D", "3", "2024-04-01", "2024-04-30", "20.00"), "Seats"],
    ]
    loaded = subscriptions_from_invoice_file(
        ReadOptions(path=write(tmp_path, csv(rows, header))),
        "UTC",
        churn_on="expiry",
        grace_days=0,
        as_of=LATE,
    )
    assert loaded.frame.select("started_at", "ended_at", "mrr_cents", "plan").rows() == [
        (date(2024, 1, 1), date(2024, 3, 1), 10000, "Annual"),
        (date(2024, 3, 1), date(2024, 5, 1), 12000, "Annual"),  # the largest invoice names the plan
        (date(2024, 5, 1), date(2025, 1, 1), 10000, "Annual"),
    ]
    may = bridge(loaded, date(2024, 5, 1))
    assert (may.contraction_mrr, may.churned_customers) == (2000, 0)


def test_a_gap_between_paid_periods_is_churn_then_reactivation(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "4", "2024-04-01", "2024-04-30")]
    loaded = derive(tmp_path, rows)
    assert spans(loaded) == [
        ("A", date(2024, 1, 1), date(2024, 3, 1), 10000),
        ("A", date(2024, 4, 1), date(2024, 5, 1), 10000),
    ]
    assert bridge(loaded, date(2024, 3, 1)).churned_customers == 1
    assert bridge(loaded, date(2024, 4, 1)).reactivated_customers == 1


# --------------------------------------------------------------------------------------------
# when a customer churns


@pytest.mark.parametrize(("churn_on", "grace_days"), [("expiry", 0), ("nonpayment", 14)])
def test_a_month_with_no_invoice_still_shows_the_churn(
    tmp_path: Path, churn_on: ChurnOn, grace_days: int
) -> None:
    """Regression: paid January and February, no March invoice → churned in March, on March 1."""
    loaded = derive(tmp_path, PAID_JAN_FEB, as_of=date(2024, 4, 15), churn_on=churn_on, grace_days=grace_days)
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 3, 1), 10000)]
    assert bridge(loaded, date(2024, 2, 1), date(2024, 4, 15)).churned_customers == 0
    march = bridge(loaded, date(2024, 3, 1), date(2024, 4, 15))
    assert (march.customers_start, march.churned_customers, march.churned_mrr) == (1, 1, 10000)
    assert (march.customers_end, march.mrr_end) == (0, 0)
    churned = churned_customers(loaded.frame, MAR, date(2024, 4, 15))
    assert churned["churned_on"].to_list() == [date(2024, 3, 1)]


def test_nonpayment_churns_grace_days_after_the_unpaid_period_starts(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="open")]
    as_of = date(2024, 4, 15)
    nonpayment = derive(tmp_path, rows, as_of=as_of, churn_on="nonpayment", grace_days=14)
    assert spans(nonpayment) == [("A", date(2024, 1, 1), date(2024, 3, 15), 10000)]  # served Mar 1–14
    assert nonpayment.frame["cancel_reason"].to_list() == [UNPAID_REASON]
    assert bridge(nonpayment, date(2024, 3, 1), as_of).churned_customers == 1
    expiry = derive(tmp_path, rows, as_of=as_of, churn_on="expiry")
    assert spans(expiry) == [("A", date(2024, 1, 1), date(2024, 3, 1), 10000)]
    assert expiry.frame["cancel_reason"].to_list() == [UNPAID_REASON]


def test_the_churn_moment_can_move_the_churn_to_another_month(tmp_path: Path) -> None:
    """Billed on the 25th: expiry churns on March 25, 14 days of grace on April 8."""
    rows = [
        invoice("E", "1", "2024-02-25", "2024-03-24"),
        invoice("E", "2", "2024-03-25", "2024-04-24", status="uncollectible"),
    ]
    expiry = derive(tmp_path, rows, churn_on="expiry")
    nonpayment = derive(tmp_path, rows, churn_on="nonpayment", grace_days=14)
    assert expiry.frame["ended_at"].to_list() == [date(2024, 3, 25)]
    assert nonpayment.frame["ended_at"].to_list() == [date(2024, 4, 8)]
    assert (
        bridge(expiry, date(2024, 3, 1)).churned_customers,
        bridge(expiry, date(2024, 4, 1)).churned_customers,
    ) == (
        1,
        0,
    )
    assert bridge(nonpayment, date(2024, 3, 1)).churned_customers == 0
    assert bridge(nonpayment, date(2024, 4, 1)).churned_customers == 1


def test_grace_never_serves_past_the_invoiced_period(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="open")]
    loaded = derive(tmp_path, rows, churn_on="nonpayment", grace_days=60)
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 4, 1), 10000)]


def test_nonpayment_with_no_grace_churns_on_the_unpaid_period_start(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="open")]
    loaded = derive(tmp_path, rows, churn_on="nonpayment", grace_days=0)
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 3, 1), 10000)]


def test_a_late_payment_within_grace_is_no_churn(tmp_path: Path) -> None:
    late = invoice("A", "3", "2024-03-01", "2024-03-31", status="paid", paid_at="2024-03-10")
    rows = [*PAID_JAN_FEB, late]
    paid = derive(tmp_path, rows, as_of=date(2024, 3, 31), churn_on="nonpayment", grace_days=14)
    assert spans(paid) == [("A", date(2024, 1, 1), date(2024, 4, 1), 10000)]
    assert bridge(paid, date(2024, 3, 1), date(2024, 3, 31)).churned_customers == 0
    # before the payment: still inside the grace days, so not churned yet either
    waiting = derive(tmp_path, rows, as_of=date(2024, 3, 5), churn_on="nonpayment", grace_days=14)
    assert bridge(waiting, date(2024, 3, 1), date(2024, 3, 5)).churned_customers == 0
    # with expiry, the unpaid period is churn until the payment is known
    expiry = derive(tmp_path, rows, as_of=date(2024, 3, 5), churn_on="expiry")
    assert bridge(expiry, date(2024, 3, 1), date(2024, 3, 5)).churned_customers == 1


def test_a_payment_after_the_grace_days_is_still_no_churn_once_known(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="paid", paid_at="2024-03-28")]
    before = derive(tmp_path, rows, as_of=date(2024, 3, 20), churn_on="nonpayment", grace_days=14)
    assert bridge(before, date(2024, 3, 1), date(2024, 3, 20)).churned_customers == 1
    after = derive(tmp_path, rows, as_of=date(2024, 3, 31), churn_on="nonpayment", grace_days=14)
    assert bridge(after, date(2024, 3, 1), date(2024, 3, 31)).churned_customers == 0


def test_an_invoice_paid_after_as_of_is_unpaid_on_as_of(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="paid", paid_at="2024-04-02")]
    loaded = derive(tmp_path, rows, as_of=date(2024, 3, 31))
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 3, 1), 10000)]
    assert any("1 invoice unpaid on 2024-03-31" in note for note in loaded.notes)
    later = derive(tmp_path, rows, as_of=date(2024, 4, 2))
    assert spans(later) == [("A", date(2024, 1, 1), date(2024, 4, 1), 10000)]


def test_void_and_draft_invoices_are_ignored_and_counted(tmp_path: Path) -> None:
    rows = [
        *PAID_JAN_FEB,
        invoice("A", "3", "2024-03-01", "2024-03-31", "500.00", status="void"),
        invoice("A", "4", "2024-04-01", "2024-04-30", status="Draft"),
        invoice("Z", "5", "2024-01-01", "2024-01-31", status="VOID"),
    ]
    for churn_on in ("expiry", "nonpayment"):
        loaded = derive(tmp_path, rows, churn_on=churn_on, grace_days=30)  # type: ignore[arg-type]
        assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 3, 1), 10000)]
        assert loaded.frame["cancel_reason"].to_list() == [None]
        assert "3 invoices ignored (2 void, 1 draft)" in loaded.notes


def test_the_notes_say_how_churn_was_decided(tmp_path: Path) -> None:
    expiry = derive(tmp_path, PAID_JAN_FEB)
    assert any(note.startswith("churn when a paid period ends") for note in expiry.notes)
    assert any("2 invoices" in note and "one subscription per customer" in note for note in expiry.notes)
    nonpayment = derive(tmp_path, PAID_JAN_FEB, churn_on="nonpayment", grace_days=14)
    assert any(
        note.startswith("churn 14 days after an unpaid invoice's period starts") for note in nonpayment.notes
    )
    assert not any("ignored" in note for note in nonpayment.notes)


def test_a_cancel_reason_on_the_last_invoice_is_the_churn_reason(tmp_path: Path) -> None:
    header = [*HEADER, "Cancellation reason"]
    rows = [[*PAID_JAN_FEB[0], ""], [*PAID_JAN_FEB[1], "too expensive"]]
    loaded = subscriptions_from_invoice_file(
        ReadOptions(path=write(tmp_path, csv(rows, header))),
        "UTC",
        churn_on="expiry",
        grace_days=0,
        as_of=LATE,
    )
    assert loaded.frame["cancel_reason"].to_list() == ["too expensive"]


def test_invoices_that_touch_on_one_day_are_pointed_out(tmp_path: Path) -> None:
    """period_end written as the next period's first day: read inclusively, that day counts twice."""
    rows = [invoice("A", "1", "2024-01-01", "2024-02-01"), invoice("A", "2", "2024-02-01", "2024-03-01")]
    loaded = derive(tmp_path, rows)
    assert any("1 invoice start on the last day" in note for note in loaded.notes)
    assert (date(2024, 2, 1), date(2024, 2, 2), 20000) in [row[1:] for row in spans(loaded)]
    clean = derive(tmp_path, PAID_JAN_FEB)
    assert not any("last day" in note for note in clean.notes)


def test_a_customer_who_never_paid_has_no_rows(tmp_path: Path) -> None:
    rows = [invoice("N", "9", "2024-01-01", "2024-01-31", status="open"), *PAID_JAN_FEB]
    loaded = derive(tmp_path, rows, churn_on="expiry")
    assert loaded.frame["customer_id"].unique().to_list() == ["A"]


def test_bad_choices_are_usage_errors(tmp_path: Path) -> None:
    frame = read_invoices(ReadOptions(path=write(tmp_path, csv(PAID_JAN_FEB))), "UTC").frame
    with pytest.raises(UsageError, match="grace days"):
        subscriptions_from_invoices(frame, churn_on="nonpayment", grace_days=-1, as_of=LATE)
    with pytest.raises(UsageError, match="expiry or nonpayment"):
        subscriptions_from_invoices(frame, churn_on="cancel", as_of=LATE)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# reading: statuses, units, mapping


def test_statuses_are_case_insensitive_and_empty_means_by_paid_at(tmp_path: Path) -> None:
    rows = [
        invoice("A", "1", "2024-01-01", "2024-01-31", status="PAID"),
        invoice("A", "2", "2024-02-01", "2024-02-29", status="Opłacona"),
        invoice("A", "3", "2024-03-01", "2024-03-31", status="", paid_at="2024-03-02"),
        invoice("A", "4", "2024-04-01", "2024-04-30", status="Past_Due"),
        invoice("A", "5", "2024-05-01", "2024-05-31", status="", paid_at=""),
        invoice("A", "6", "2024-06-01", "2024-06-30", status="written off"),
    ]
    frame = read_invoices(ReadOptions(path=write(tmp_path, csv(rows))), "UTC").frame
    assert frame["status"].to_list() == ["paid", "paid", "paid", "open", "open", "uncollectible"]
    assert frame["amount_cents"].to_list() == [10000] * 6
    assert "amount" not in frame.columns


def test_paid_at_alone_tells_paid_from_unpaid(tmp_path: Path) -> None:
    header = ["customer_id", "invoice_id", "period_start", "period_end", "amount", "paid_at"]
    rows = [
        ["A", "1", "2024-01-01", "2024-01-31", "10", "2024-01-03"],
        ["A", "2", "2024-02-01", "2024-02-29", "10", ""],
    ]
    frame = read_invoices(ReadOptions(path=write(tmp_path, csv(rows, header))), "UTC").frame
    assert frame["status"].to_list() == ["paid", "open"]


def test_amounts_in_cents_and_decimal_commas(tmp_path: Path) -> None:
    cents = derive(tmp_path, [invoice("A", "1", "2024-01-01", "2024-12-31", "120000")], money_unit="cents")
    assert spans(cents)[0][3] == 10000
    text = (
        "customer_id;invoice_id;period_start;period_end;amount;status\n"
        "A;1;01.01.2024;31.12.2024;1 200,00;paid\n"
    )
    path = write(tmp_path, text, "pl.csv")
    loaded = subscriptions_from_invoice_file(
        ReadOptions(path=path), "Europe/Warsaw", churn_on="expiry", grace_days=0, as_of=LATE
    )
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2025, 1, 1), 10000)]


def test_extra_columns_are_customer_attributes_from_the_latest_invoice(tmp_path: Path) -> None:
    header = [*HEADER, "plan", "currency", "industry"]
    rows = [
        [*invoice("A", "1", "2024-01-01", "2024-01-31"), "Pro", "eur", "Retail"],
        [*invoice("A", "2", "2024-02-01", "2024-02-29"), "Pro", "EUR", "E-commerce"],
    ]
    loaded = subscriptions_from_invoice_file(
        ReadOptions(path=write(tmp_path, csv(rows, header))),
        "UTC",
        churn_on="expiry",
        grace_days=0,
        as_of=LATE,
    )
    assert loaded.attributes == ("industry",)
    assert loaded.frame.select("plan", "currency", "industry").rows() == [("Pro", "EUR", "E-commerce")]


def test_columns_are_mapped_like_every_other_input(tmp_path: Path) -> None:
    header = ["Klient", "Numer faktury", "Okres od", "Okres do", "Kwota netto", "Status", "Zapłacono"]
    rows = [["A", "FV/1", "2024-01-01", "2024-01-31", "100.00", "zapłacona", "2024-01-05"]]
    mapping = dict(zip(HEADER, header, strict=True))
    options = ReadOptions(path=write(tmp_path, csv(rows, header)), columns=mapping)
    loaded = subscriptions_from_invoice_file(options, "UTC", churn_on="expiry", grace_days=0, as_of=LATE)
    assert spans(loaded) == [("A", date(2024, 1, 1), date(2024, 2, 1), 10000)]
    report = describe_columns("invoices", options, "UTC")
    assert report.missing == ()


def test_a_mapping_to_no_invoice_column_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "csm.toml"
    path.write_text('[invoices]\npath = "f.csv"\n[invoices.columns]\nmrr = "MRR"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a invoices column") as info:
        load_config(str(path))
    assert info.value.exit_code == ExitCode.CONFIG
    assert info.value.line == 4


def test_the_example_gives_the_bridge_worked_out_in_its_csm_toml() -> None:
    config, file = load_config(str(EXAMPLES / "invoices" / "csm.toml"))
    settings = input_settings(config, "invoices", None, file)
    assert settings is not None
    options = ReadOptions(**settings.model_dump())
    as_of, december = date(2024, 1, 15), date(2023, 12, 1)
    expiry = subscriptions_from_invoice_file(options, "UTC", churn_on="expiry", grace_days=0, as_of=as_of)
    assert expiry.rows == 19
    assert "2 invoices ignored (1 void, 1 draft)" in expiry.notes
    dec = bridge(expiry, december, as_of)
    # opening: Acme 49 + Globex 1188/12 + Initech 99 + Umbrella 29 + Hooli 79 + Wayne 39 = 394
    assert (dec.customers_start, dec.mrr_start) == (6, 39400)
    assert (dec.new_customers, dec.new_mrr) == (1, 5900)  # Stark (its void invoice ignored)
    assert (dec.expanded_customers, dec.expansion_mrr) == (1, 10000)  # Initech 99 → 199
    assert (dec.churned_customers, dec.churned_mrr) == (2, 2900 + 7900)  # Umbrella, Hooli (open)
    assert dec.mrr_end == 44500
    nonpayment = subscriptions_from_invoice_file(
        options, "UTC", churn_on="nonpayment", grace_days=14, as_of=as_of
    )
    dec = bridge(nonpayment, december, as_of)
    assert (dec.churned_customers, dec.churned_mrr, dec.mrr_end) == (1, 2900, 52400)  # Hooli until Jan 3
    # January so far: Hooli's grace ends on Jan 3; Stark (a draft) and Wayne have no January invoice
    january = churned_customers(nonpayment.frame, month_period(date(2024, 1, 1)), as_of)
    assert dict(january.select("customer_id", "churned_on").iter_rows()) == {
        "Hooli": date(2024, 1, 3),
        "Stark": date(2024, 1, 1),
        "Wayne": date(2024, 1, 1),
    }
    assert january.filter(pl.col("customer_id") == "Hooli")["cancel_reason"].to_list() == [UNPAID_REASON]


# --------------------------------------------------------------------------------------------
# bad files: exit 3 with line, column and value


def test_a_repeated_invoice_id_names_both_lines(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("B", "2", "2024-03-01", "2024-03-31")]
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column, error.value) == (4, "invoice_id", "2")
    assert "repeats the invoice_id of line 3" in error.reason


def test_period_end_before_period_start(tmp_path: Path) -> None:
    rows = [PAID_JAN_FEB[0], invoice("A", "2", "2024-02-29", "2024-02-01")]
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column, error.value) == (3, "period_end", "2024-02-01")
    assert "is before period_start" in error.reason and "inclusive" in error.reason


def test_a_negative_amount(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", "-100.00")]
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column, error.value) == (4, "amount", "-100.00")
    assert "negative" in error.reason


def test_a_missing_required_column_names_the_header_line(tmp_path: Path) -> None:
    header = [name for name in HEADER if name != "amount"]
    rows = [
        [cell for name, cell in zip(HEADER, row, strict=True) if name != "amount"] for row in PAID_JAN_FEB
    ]
    error = data_error(tmp_path, csv(rows, header))
    assert error.line == 1
    assert "missing required column 'amount'" in error.reason
    assert "[invoices.columns]" in error.reason


def test_without_status_or_paid_at_nothing_tells_paid_from_unpaid(tmp_path: Path) -> None:
    header = HEADER[:5]
    error = data_error(tmp_path, csv([row[:5] for row in PAID_JAN_FEB], header))
    assert error.line == 1
    assert "'status' or 'paid_at'" in error.reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("period_start", "2024-13-01", "is not a date"),
        ("period_end", "soon", "is not a date"),
        ("paid_at", "01/02/2024", "ambiguous date"),
        ("amount", "12.5x", "is not a number"),
        ("status", "sent", "is not an invoice status"),
    ],
)
def test_a_bad_value_names_line_column_and_value(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    rows = [list(row) for row in PAID_JAN_FEB]
    rows[1][HEADER.index(column)] = value
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column, error.value) == (3, column, value)
    assert reason in error.reason


def test_an_empty_required_cell(tmp_path: Path) -> None:
    rows = [list(row) for row in PAID_JAN_FEB]
    rows[0][HEADER.index("period_end")] = ""
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column) == (2, "period_end")
    assert "is empty" in error.reason


def test_a_payment_on_a_void_invoice(tmp_path: Path) -> None:
    rows = [*PAID_JAN_FEB, invoice("A", "3", "2024-03-01", "2024-03-31", status="void", paid_at="2024-03-02")]
    error = data_error(tmp_path, csv(rows))
    assert (error.line, error.column, error.value) == (4, "paid_at", "2024-03-02")


def test_mixed_currencies(tmp_path: Path) -> None:
    header = [*HEADER, "currency"]
    rows = [[*PAID_JAN_FEB[0], "EUR"], [*PAID_JAN_FEB[1], "PLN"]]
    error = data_error(tmp_path, csv(rows, header))
    assert (error.line, error.column, error.value) == (3, "currency", "PLN")
    assert "one currency per run" in error.reason


def test_every_problem_is_listed_for_csm_validate(tmp_path: Path) -> None:
    rows = [
        invoice("A", "1", "2024-01-01", "2024-01-31", "-1"),
        invoice("A", "1", "2024-02-10", "2024-02-01"),
    ]
    checked = read_checked("invoices", ReadOptions(path=write(tmp_path, csv(rows))), "UTC", limit=10)
    kinds = sorted(problem.kind for problem in checked.problems.found)
    assert kinds == ["duplicate_id", "negative_amount", "period_end_before_period_start"]


# --------------------------------------------------------------------------------------------
# properties: row order, and the MRR of every day


def _reference_mrr(
    rows: list[list[str]], day: date, as_of: date, churn_on: str, grace: int
) -> dict[str, int]:
    """Each customer's MRR at the end of ``day``, straight from the rules, one invoice at a time."""
    total: dict[str, int] = {}
    for customer, _, start_text, end_text, amount, status, paid_text in rows:
        start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
        paid_at = date.fromisoformat(paid_text) if paid_text else None
        if status in ("void", "draft"):
            continue
        paid = paid_at <= as_of if paid_at is not None else status == "paid"
        served_until = end + timedelta(days=1)
        if not paid:
            if churn_on != "nonpayment":
                continue
            served_until = min(served_until, start + timedelta(days=grace))
        if start <= day < served_until:
            cents = round(float(amount) * 100)
            months = max(1, round(((end - start).days + 1) / 30.4375))
            q, r = divmod(cents, months)
            mrr = q + (1 if 2 * r > months or (2 * r == months and q % 2) else 0)
            total[customer] = total.get(customer, 0) + mrr
    return total


@st.composite
def invoice_files(draw: st.DrawFn) -> list[list[str]]:
    rows: list[list[str]] = []
    base = date(2024, 1, 1)
    for number in range(draw(st.integers(1, 12))):
        customer = draw(st.sampled_from(["A", "B", "C"]))
        start = base + timedelta(days=draw(st.integers(0, 150)))
        end = start + timedelta(days=draw(st.sampled_from([0, 13, 27, 29, 30, 89, 364])))
        status = draw(st.sampled_from(["paid", "paid", "open", "uncollectible", "void", "draft"]))
        paid_at = ""
        if status in ("paid", "open") and draw(st.booleans()):
            paid_at = (start + timedelta(days=draw(st.integers(-5, 40)))).isoformat()
        amount = f"{draw(st.integers(0, 50000)) / 100:.2f}"
        rows.append([customer, f"I{number}", start.isoformat(), end.isoformat(), amount, status, paid_at])
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=invoice_files(), seed=st.integers(0, 10**6), grace=st.integers(0, 40), nonpayment=st.booleans())
def test_row_order_does_not_matter_and_every_day_has_the_reference_mrr(
    tmp_path: Path, rows: list[list[str]], seed: int, grace: int, nonpayment: bool
) -> None:
    churn_on: ChurnOn = "nonpayment" if nonpayment else "expiry"
    as_of = date(2024, 4, 1)
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    first = derive(tmp_path, rows, as_of=as_of, churn_on=churn_on, grace_days=grace)
    second = derive(tmp_path, shuffled, as_of=as_of, churn_on=churn_on, grace_days=grace)
    assert first.frame.equals(second.frame)
    frame = first.frame
    for day in (date(2024, 1, 1) + timedelta(days=offset) for offset in range(0, 520, 3)):
        serving = frame.filter((pl.col("started_at") <= day) & (pl.col("ended_at") > day))
        got = dict(serving.group_by("customer_id").agg(pl.col("mrr_cents").sum()).iter_rows())
        assert got == _reference_mrr(rows, day, as_of, churn_on, grace), day
    # rows of one customer never overlap, and neighbours differ (else they would be one row)
    for _, group in frame.group_by("customer_id"):
        ordered = group.sort("started_at").rows(named=True)
        for before, after in itertools.pairwise(ordered):
            assert before["ended_at"] <= after["started_at"]
            if before["ended_at"] == after["started_at"]:
                assert (before["mrr_cents"], before["plan"]) != (after["mrr_cents"], after["plan"])
