"""Onboarding: registration cohort, conversion within the window, days to first payment, trials."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.onboarding import Conversion, OnboardingResult, crm_only_accounts, onboarding
from csmetrics.metrics.revenue import with_customer_attributes
from csmetrics.periods import Period, month_period

Q1 = Period("2024-Q1", date(2024, 1, 1), date(2024, 4, 1))
JAN = month_period(date(2024, 1, 1))
AS_OF = date(2024, 6, 30)
KEYS = [
    "registered_accounts",
    "converted_accounts",
    "conversion_rate",
    "days_to_first_payment_median",
    "days_to_first_payment_mean",
]
TRIAL_KEYS = ["trial_starts", "trial_conversions", "trial_conversion_rate"]


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    registered: date | None = None


def _subs(rows: list[Row], *, with_registered: bool = True) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "subscription_id": [f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "registered_at": [r.registered for r in rows],
        },
        schema={
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "mrr_cents": pl.Int64,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "registered_at": pl.Date,
        },
    )
    return frame if with_registered else frame.drop("registered_at")


def d(month: int, day: int, year: int = 2024) -> date:
    return date(year, month, day)


def test_same_day_payment_is_zero_days() -> None:
    result = onboarding(_subs([Row("a", 5000, d(1, 10), registered=d(1, 10))]), JAN, AS_OF)
    assert result.values() == {
        "registered_accounts": 1,
        "converted_accounts": 1,
        "conversion_rate": 1.0,
        "days_to_first_payment_median": 0.0,
        "days_to_first_payment_mean": 0.0,
    }
    assert list(result.values()) == KEYS


def test_day_30_converts_and_day_31_does_not_with_the_default_window() -> None:
    rows = [
        Row("in", 5000, d(1, 1) + timedelta(days=30), registered=d(1, 1)),
        Row("late", 5000, d(1, 2) + timedelta(days=31), registered=d(1, 2)),
    ]
    values = onboarding(_subs(rows), JAN, AS_OF).values()
    assert values["registered_accounts"] == 2
    assert values["converted_accounts"] == 1
    assert values["conversion_rate"] == 0.5
    assert values["days_to_first_payment_median"] == 30.0
    # a wider window takes the late one in
    wide = onboarding(_subs(rows), JAN, AS_OF, window_days=31).values()
    assert wide["converted_accounts"] == 2
    assert wide["days_to_first_payment_mean"] == 30.5


def test_median_and_mean_are_over_converted_accounts_only() -> None:
    rows = [
        Row("a", 100, d(1, 5), registered=d(1, 5)),  # 0 days
        Row("b", 100, d(1, 14), registered=d(1, 10)),  # 4 days
        Row("c", 100, d(1, 31), registered=d(1, 20)),  # 11 days
        Row("never", 0, d(1, 20), registered=d(1, 20)),  # free forever
    ]
    values = onboarding(_subs(rows), JAN, AS_OF).values()
    assert values["registered_accounts"] == 4
    assert values["converted_accounts"] == 3
    assert values["conversion_rate"] == 0.75
    assert values["days_to_first_payment_median"] == 4.0
    assert values["days_to_first_payment_mean"] == 5.0


def test_registered_before_or_after_the_period_is_not_counted() -> None:
    rows = [
        Row("before", 100, d(1, 3), registered=d(12, 28, 2023)),
        Row("after", 100, d(2, 1), registered=d(2, 1)),
        Row("inside", 100, d(1, 31), registered=d(1, 31)),
    ]
    values = onboarding(_subs(rows), JAN, AS_OF).values()
    assert values["registered_accounts"] == 1
    assert values["converted_accounts"] == 1


def test_nothing_registered_gives_null_rate_and_days() -> None:
    values = onboarding(
        _subs([Row("old", 100, d(1, 1, 2023), registered=d(1, 1, 2023))]), JAN, AS_OF
    ).values()
    assert values == {
        "registered_accounts": 0,
        "converted_accounts": 0,
        "conversion_rate": None,
        "days_to_first_payment_median": None,
        "days_to_first_payment_mean": None,
    }


def test_payment_after_as_of_is_not_known_yet() -> None:
    rows = [Row("a", 100, d(1, 20), registered=d(1, 10))]
    early = onboarding(_subs(rows), JAN, as_of=d(1, 15))
    assert early.values()["registered_accounts"] == 1
    assert early.values()["converted_accounts"] == 0
    assert early.open_windows == 1  # its window runs to 2024-02-09: it may still convert
    later = onboarding(_subs(rows), JAN, as_of=d(1, 20))
    assert later.values()["converted_accounts"] == 1
    assert later.open_windows == 0


def test_registration_after_as_of_is_not_known_yet() -> None:
    rows = [Row("a", 100, d(1, 20), registered=d(1, 20))]
    assert onboarding(_subs(rows), JAN, as_of=d(1, 19)).values()["registered_accounts"] == 0


def test_without_registered_at_the_first_row_stands_in() -> None:
    rows = [Row("a", 0, d(1, 5)), Row("a", 2000, d(1, 12))]  # free from Jan 5, paid from Jan 12
    result = onboarding(_subs(rows, with_registered=False), JAN, AS_OF)
    assert result.values()["registered_accounts"] == 1
    assert result.values()["days_to_first_payment_mean"] == 7.0
    assert result.registered_from_first_row == 1
    # the same with an empty column
    assert onboarding(_subs(rows), JAN, AS_OF).registered_from_first_row == 1


def test_registration_is_never_after_the_first_row() -> None:
    # registered_at later than the first paid row (bad data): the first row's day is used, never < 0 days
    rows = [Row("a", 100, d(1, 5), registered=d(1, 9))]
    values = onboarding(_subs(rows), JAN, AS_OF).values()
    assert values["days_to_first_payment_median"] == 0.0


def test_first_payment_is_the_first_day_with_netted_mrr_above_zero() -> None:
    # a row serving nothing (start = end) and a free row do not count as paid
    rows = [
        Row("a", 5000, d(1, 3), d(1, 3), registered=d(1, 1)),
        Row("a", 0, d(1, 3), d(1, 8), registered=d(1, 1)),
        Row("a", 5000, d(1, 8), registered=d(1, 1)),
    ]
    assert onboarding(_subs(rows), JAN, AS_OF).values()["days_to_first_payment_mean"] == 7.0


def test_trial_then_paid_converts() -> None:
    rows = [
        Row("t", 0, d(1, 10), d(1, 24), registered=d(1, 10)),  # 14-day trial
        Row("t", 9900, d(1, 24), registered=d(1, 10)),
    ]
    values = onboarding(_subs(rows), JAN, AS_OF, trials=True).values()
    assert list(values) == KEYS + TRIAL_KEYS
    assert values["trial_starts"] == 1
    assert values["trial_conversions"] == 1
    assert values["trial_conversion_rate"] == 1.0
    assert values["days_to_first_payment_mean"] == 14.0


def test_trials_never_paid_paid_late_and_free_after_paying() -> None:
    rows = [
        Row("never", 0, d(1, 2), registered=d(1, 2)),  # trial, never paid
        Row("late", 0, d(1, 3), d(2, 10), registered=d(1, 3)),  # trial, paid on day 38
        Row("late", 100, d(2, 10), registered=d(1, 3)),
        Row("down", 100, d(1, 4), d(1, 20), registered=d(1, 4)),  # paid first: its free row is no trial
        Row("down", 0, d(1, 20), registered=d(1, 4)),
        Row("same", 0, d(1, 5), registered=d(1, 5)),  # free row starting with the paid one: no trial
        Row("same", 100, d(1, 5), registered=d(1, 5)),
        Row("dec", 0, d(12, 20, 2023), d(1, 6), registered=d(12, 20, 2023)),  # trial began before the period
        Row("dec", 100, d(1, 6), registered=d(12, 20, 2023)),
    ]
    result = onboarding(_subs(rows), JAN, AS_OF, trials=True)
    values = result.values()
    assert values["trial_starts"] == 2
    assert values["trial_conversions"] == 0
    assert values["trial_conversion_rate"] == 0.0
    assert values["registered_accounts"] == 4
    assert values["converted_accounts"] == 2  # down (0 days) and same (0 days)
    assert list(onboarding(_subs(rows), JAN, AS_OF).values()) == KEYS  # no trial keys unless asked


def test_a_free_row_serving_nothing_is_no_trial() -> None:
    rows = [
        Row("z", 0, d(1, 5), d(1, 5), registered=d(1, 5)),  # start = end: serves no day
        Row("z", 100, d(1, 9), registered=d(1, 5)),
    ]
    values = onboarding(_subs(rows), JAN, AS_OF, trials=True).values()
    assert values["trial_starts"] == 0
    assert values["converted_accounts"] == 1


def test_by_month_lists_every_month_up_to_as_of_with_zeros() -> None:
    rows = [
        Row("a", 100, d(1, 5), registered=d(1, 5)),
        Row("b", 100, d(3, 9), registered=d(3, 1)),
        Row("c", 0, d(3, 2), registered=d(3, 2)),
    ]
    result = onboarding(_subs(rows), Q1, AS_OF, trials=True)
    months = result.by_month()
    assert [label for label, _ in months] == ["2024-01", "2024-02", "2024-03"]
    assert months[0][1]["registered_accounts"] == 1
    assert months[1][1] == {
        "registered_accounts": 0,
        "converted_accounts": 0,
        "conversion_rate": None,
        "days_to_first_payment_median": None,
        "days_to_first_payment_mean": None,
        "trial_starts": 0,
        "trial_conversions": 0,
        "trial_conversion_rate": None,
    }
    assert months[2][1]["registered_accounts"] == 2
    assert months[2][1]["days_to_first_payment_mean"] == 8.0
    assert months[2][1]["trial_starts"] == 1
    # a period not over at as-of stops at as-of's month
    assert [label for label, _ in onboarding(_subs(rows), Q1, d(2, 15)).by_month()] == ["2024-01", "2024-02"]


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window_days"):
        onboarding(_subs([Row("a", 100, d(1, 1))]), JAN, AS_OF, window_days=-1)


def test_conversion_rates_are_none_without_denominators() -> None:
    assert Conversion(0, 0, None, None).conversion_rate is None
    assert Conversion(0, 0, None, None, 0, 0).trial_conversion_rate is None
    assert Conversion(0, 0, None, None).trial_conversion_rate is None


# --- properties ----------------------------------------------------------------------------------

BASE = date(2023, 11, 1)


@st.composite
def account_rows(draw: st.DrawFn) -> list[Row]:
    rows: list[Row] = []
    for index in range(draw(st.integers(0, 8))):
        name = f"c{index}"
        registered = BASE + timedelta(days=draw(st.integers(0, 150)))
        given_registration = draw(st.booleans())
        day = registered + timedelta(days=draw(st.integers(0, 10)))
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.integers(0, 60))
            open_ended = draw(st.booleans())
            end = None if open_ended else day + timedelta(days=length)
            mrr = draw(st.sampled_from([0, 0, 100, 2500]))
            rows.append(Row(name, mrr, day, end, registered if given_registration else None))
            day = day + timedelta(days=draw(st.integers(0, 40)))
    return rows


@settings(max_examples=60, deadline=None)
@given(
    rows=account_rows(),
    window=st.integers(0, 45),
    as_of=st.dates(date(2024, 1, 1), date(2024, 5, 1)),
)
def test_counts_and_rates_are_consistent(rows: list[Row], window: int, as_of: date) -> None:
    result = onboarding(_subs(rows), Q1, as_of, window_days=window, trials=True)
    total = result.total
    assert 0 <= total.converted_accounts <= total.registered_accounts
    assert 0 <= (total.trial_conversions or 0) <= (total.trial_starts or 0)
    for rate in (total.conversion_rate, total.trial_conversion_rate):
        assert rate is None or 0.0 <= rate <= 1.0
    median, mean = total.days_to_first_payment_median, total.days_to_first_payment_mean
    if total.converted_accounts:
        assert median is not None and mean is not None
        assert 0 <= median <= window and 0 <= mean <= window
    else:
        assert median is None and mean is None
    # the months add up to the whole period
    months = [month for _, month in result.months]
    assert sum(m.registered_accounts for m in months) == total.registered_accounts
    assert sum(m.converted_accounts for m in months) == total.converted_accounts
    assert sum(m.trial_starts or 0 for m in months) == total.trial_starts
    assert sum(m.trial_conversions or 0 for m in months) == total.trial_conversions
    # a wider window never converts fewer
    wider = onboarding(_subs(rows), Q1, as_of, window_days=window + 5).total
    assert wider.converted_accounts >= total.converted_accounts


def test_the_documented_example() -> None:
    rows = [
        Row("A", 100, d(1, 5), registered=d(1, 5)),
        Row("B", 100, d(1, 14), registered=d(1, 10)),
        Row("C", 100, d(1, 31), registered=d(1, 20)),
        Row("D", 0, d(1, 20), registered=d(1, 20)),
        Row("E", 100, d(2, 2), registered=d(1, 2)),
    ]
    values = onboarding(_subs(rows), JAN, AS_OF, trials=True).values()
    assert values == {
        "registered_accounts": 5,
        "converted_accounts": 3,
        "conversion_rate": 0.6,
        "days_to_first_payment_median": 4.0,
        "days_to_first_payment_mean": 5.0,
        "trial_starts": 1,
        "trial_conversions": 0,
        "trial_conversion_rate": 0.0,
    }


# --- with a customers (CRM) file -----------------------------------------------------------------
#
# The CLI lays the customers file over the subscription rows (with_customer_attributes: the CRM's
# registered_at wins) and passes the file itself as ``customers`` so that its accounts without any
# subscription row count as registered, never paid. ``_crm_run`` does the same.


def _crm(entries: list[tuple[str, date | None]], *, with_registered: bool = True) -> pl.DataFrame:
    """A customers frame as read_customers gives it: customer_id, registered_at, and an attribute."""
    frame = pl.DataFrame(
        {
            "customer_id": [customer for customer, _ in entries],
            "registered_at": [registered for _, registered in entries],
            "industry": ["Retail"] * len(entries),
        },
        schema={"customer_id": pl.String, "registered_at": pl.Date, "industry": pl.String},
    )
    return frame if with_registered else frame.drop("registered_at")


def _crm_run(
    rows: list[Row],
    crm: pl.DataFrame,
    period: Period = JAN,
    as_of: date = AS_OF,
    *,
    with_registered: bool = False,
    **options: object,
) -> OnboardingResult:
    subscriptions = with_customer_attributes(_subs(rows, with_registered=with_registered), crm)
    return onboarding(subscriptions, period, as_of, customers=crm, **options)  # type: ignore[arg-type]


def test_a_crm_only_account_is_registered_and_never_converts_in_its_month() -> None:
    # "paid" registers on Jan 5 and pays the same day; "lead" is only in the CRM, registered Feb 14
    rows = [Row("paid", 5000, d(1, 5))]
    crm = _crm([("paid", d(1, 5)), ("lead", d(2, 14))])
    result = _crm_run(rows, crm, Q1)
    assert result.values() == {
        "registered_accounts": 2,
        "converted_accounts": 1,
        "conversion_rate": 0.5,
        "days_to_first_payment_median": 0.0,  # over the converted account only
        "days_to_first_payment_mean": 0.0,
    }
    months = dict(result.by_month())
    assert [months[m]["registered_accounts"] for m in ("2024-01", "2024-02", "2024-03")] == [1, 1, 0]
    assert [months[m]["converted_accounts"] for m in ("2024-01", "2024-02", "2024-03")] == [1, 0, 0]
    assert months["2024-02"]["conversion_rate"] == 0.0
    assert months["2024-02"]["days_to_first_payment_median"] is None
    assert (result.crm_only, result.crm_undated, result.registered_from_first_row) == (1, 0, 0)
    assert result.open_windows == 0  # Feb 14 + 30 days is long before as-of (Jun 30)


def test_a_crm_only_account_registered_recently_may_still_convert() -> None:
    crm = _crm([("lead", d(1, 25))])
    result = _crm_run([Row("other", 100, d(6, 1, 2023))], crm, as_of=d(2, 10))
    assert result.values()["registered_accounts"] == 1
    assert result.values()["converted_accounts"] == 0
    assert result.crm_only == 1
    assert result.open_windows == 1  # 16 days since registration, within the 30-day window


def test_crm_only_accounts_registered_outside_the_period_are_not_counted() -> None:
    crm = _crm(
        [
            ("dec", d(12, 31, 2023)),  # the day before January
            ("feb", d(2, 1)),  # the day after
            ("jan", d(1, 31)),  # the last day of January: counted
        ]
    )
    result = _crm_run([Row("old", 100, d(1, 1, 2023), registered=d(1, 1, 2023))], crm, with_registered=True)
    assert result.values()["registered_accounts"] == 1
    assert result.values()["converted_accounts"] == 0
    assert result.values()["conversion_rate"] == 0.0
    assert (result.crm_only, result.crm_undated) == (1, 0)


def test_a_crm_only_account_registered_after_as_of_is_not_known_yet() -> None:
    crm = _crm([("early", d(1, 10)), ("late", d(1, 20))])
    result = _crm_run([Row("old", 100, d(1, 1, 2023))], crm, as_of=d(1, 15))
    assert result.values()["registered_accounts"] == 1
    assert result.crm_only == 1


def test_a_crm_only_account_without_registered_at_is_left_out_and_counted_as_undated() -> None:
    crm = _crm([("paid", d(1, 5)), ("dated", d(1, 7)), ("undated", None), ("also", None)])
    result = _crm_run([Row("paid", 100, d(1, 5))], crm)
    assert result.values()["registered_accounts"] == 2  # paid and dated
    assert result.values()["converted_accounts"] == 1
    assert (result.crm_only, result.crm_undated) == (1, 2)
    assert sum(month["registered_accounts"] for _, month in result.by_month()) == 2


def test_a_customers_file_without_registered_at_leaves_every_crm_only_account_undated() -> None:
    crm = _crm([("paid", None), ("lead", None)], with_registered=False)
    rows = [Row("paid", 100, d(1, 9), registered=d(1, 2))]
    result = _crm_run(rows, crm, with_registered=True)
    assert result.values()["registered_accounts"] == 1
    assert result.values()["days_to_first_payment_mean"] == 7.0  # the subscriptions' registered_at
    assert (result.crm_only, result.crm_undated) == (0, 1)


def test_an_account_in_both_files_is_counted_once() -> None:
    # two subscription rows (a free start, then paid) and one CRM row for the same account
    rows = [Row("both", 0, d(1, 10), d(1, 17)), Row("both", 100, d(1, 17))]
    crm = _crm([("both", d(1, 8))])
    result = _crm_run(rows, crm)
    assert result.values() == {
        "registered_accounts": 1,
        "converted_accounts": 1,
        "conversion_rate": 1.0,
        "days_to_first_payment_median": 9.0,  # Jan 17 − Jan 8 (the CRM's registration)
        "days_to_first_payment_mean": 9.0,
    }
    assert (result.crm_only, result.crm_undated, result.registered_from_first_row) == (0, 0, 0)


def test_the_crm_registration_wins_over_the_subscriptions() -> None:
    # billing says Jan 20, the CRM Dec 28: the account registered in December, not in January
    rows = [Row("a", 100, d(1, 20), registered=d(1, 20))]
    crm = _crm([("a", d(12, 28, 2023))])
    assert _crm_run(rows, crm, with_registered=True).values()["registered_accounts"] == 0
    december = month_period(d(12, 1, 2023))
    values = _crm_run(rows, crm, december, with_registered=True).values()
    assert values["registered_accounts"] == 1
    assert values["days_to_first_payment_mean"] == 23.0  # Dec 28 → Jan 20


def test_a_crm_registration_after_the_first_row_gives_way_to_the_first_row() -> None:
    # the company was created in the CRM after billing started: never a negative number of days
    rows = [Row("a", 100, d(1, 20))]
    result = _crm_run(rows, _crm([("a", d(2, 10))]))
    assert result.values()["registered_accounts"] == 1
    assert result.values()["days_to_first_payment_median"] == 0.0


def test_same_day_registration_and_payment_with_a_customers_file_is_zero_days() -> None:
    crm = _crm([("a", d(1, 31)), ("lead", d(1, 2))])
    values = _crm_run([Row("a", 4900, d(1, 31))], crm).values()
    assert values == {
        "registered_accounts": 2,
        "converted_accounts": 1,
        "conversion_rate": 0.5,
        "days_to_first_payment_median": 0.0,
        "days_to_first_payment_mean": 0.0,
    }


def test_paid_on_day_31_with_the_default_window_is_not_converted() -> None:
    # registered in the CRM on Jan 1 (billing has no registered_at): day 30 = Jan 31, day 31 = Feb 1
    rows = [Row("d30", 100, d(1, 31)), Row("d31", 100, d(2, 1))]
    crm = _crm([("d30", d(1, 1)), ("d31", d(1, 1))])
    result = _crm_run(rows, crm)
    assert result.values() == {
        "registered_accounts": 2,
        "converted_accounts": 1,
        "conversion_rate": 0.5,
        "days_to_first_payment_median": 30.0,
        "days_to_first_payment_mean": 30.0,
    }
    assert result.registered_from_first_row == 0
    assert _crm_run(rows, crm, window_days=31).values()["converted_accounts"] == 2
    # without the CRM's date, d31's first row (Feb 1) would be its registration: not in January
    alone = onboarding(_subs(rows, with_registered=False), JAN, AS_OF).values()
    assert alone["registered_accounts"] == 1


def test_a_trial_row_then_paid_with_a_customers_file() -> None:
    # t: registered Jan 3 (CRM), trial (MRR 0) Jan 10 – Jan 24, paid from Jan 24
    #    days to first payment = Jan 24 − Jan 3 = 21; the trial converts (Jan 24 − Jan 10 = 14 ≤ 30)
    # lead: CRM only, registered Jan 20: registered, no trial, never paid
    rows = [Row("t", 0, d(1, 10), d(1, 24)), Row("t", 9900, d(1, 24))]
    crm = _crm([("t", d(1, 3)), ("lead", d(1, 20))])
    result = _crm_run(rows, crm, trials=True)
    assert result.values() == {
        "registered_accounts": 2,
        "converted_accounts": 1,
        "conversion_rate": 0.5,
        "days_to_first_payment_median": 21.0,
        "days_to_first_payment_mean": 21.0,
        "trial_starts": 1,
        "trial_conversions": 1,
        "trial_conversion_rate": 1.0,
    }
    assert result.crm_only == 1


def test_a_trial_paid_too_late_does_not_convert_the_trial() -> None:
    # registered Jan 3, trial from Jan 5, paid Feb 10: 38 days after registering, 36 after the trial
    rows = [Row("t", 0, d(1, 5), d(2, 10)), Row("t", 9900, d(2, 10))]
    result = _crm_run(rows, _crm([("t", d(1, 3))]), trials=True)
    values = result.values()
    assert (values["registered_accounts"], values["converted_accounts"]) == (1, 0)
    assert (values["trial_starts"], values["trial_conversions"]) == (1, 0)
    assert values["days_to_first_payment_median"] is None


def test_crm_only_accounts_lists_accounts_without_subscription_rows() -> None:
    crm = _crm([("a", d(1, 1)), ("b", None), ("c", d(1, 3))])
    frame = crm_only_accounts(_subs([Row("a", 100, d(1, 1))]), crm).collect().sort("customer_id")
    assert frame.columns == ["customer_id", "registered_at"]
    assert frame.rows() == [("b", None), ("c", d(1, 3))]
    undated = crm_only_accounts(_subs([Row("a", 100, d(1, 1))]), crm.drop("registered_at")).collect()
    assert undated.sort("customer_id").rows() == [("b", None), ("c", None)]
