"""Onboarding: from registration to the first payment, and trials (issue 10).

Rules:

- Registration day: the account's ``registered_at`` (the earliest, if its rows disagree); an
  account without one uses the day of its first subscription row, and an account never starts
  after its first row (the earlier of the two wins, so days to first payment are never negative).
- The cohort: accounts whose registration day lies in the period and on or before as-of.
- First payment: the first day the customer's netted MRR at the end of the day is > 0 (SPEC §3,
  free plans and trials at 0 never count). Days to first payment = first paid day − registration
  day (same day = 0).
- Converted: days to first payment ≤ ``window_days`` (day 30 converts with the default window,
  day 31 does not) and the first paid day is on or before as-of.
- Trial: the customer's first row at MRR 0 (free or trial) that starts before its first paid day
  and serves at least one day; trials are counted by the day they start (in the period, on or
  before as-of). A trial converts when the customer's first paid day is within ``window_days`` of
  the trial start and on or before as-of.
- Accounts of a customers file (CRM) that have no subscription rows registered but never paid:
  they count as registered on their ``registered_at`` and never convert; one without
  ``registered_at`` cannot be placed in a period and is only counted in ``crm_undated``.
- Medians and means are over converted accounts only; rates are ``None`` when nobody is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from csmetrics.metrics.revenue import MRR, OPEN_END, Frame
from csmetrics.metrics.trend import FIRST_PAID, first_paid, month_periods, mrr_steps
from csmetrics.periods import Period

DEFAULT_WINDOW_DAYS = 30

_REGISTERED = "registered_on"
_TRIAL = "trial_started_on"
_FROM_FIRST_ROW = "registered_from_first_row"
_CRM_ONLY = "crm_only"

Row = dict[str, Any]


@dataclass(frozen=True)
class Conversion:
    """Registrations and their conversion to paying, for the whole period or one month."""

    registered_accounts: int
    converted_accounts: int
    days_to_first_payment_median: float | None
    days_to_first_payment_mean: float | None
    trial_starts: int | None = None
    """None when trials were not asked for."""
    trial_conversions: int | None = None

    @property
    def conversion_rate(self) -> float | None:
        """converted_accounts / registered_accounts; None when nobody registered."""
        return _ratio(self.converted_accounts, self.registered_accounts)

    @property
    def trial_conversion_rate(self) -> float | None:
        """trial_conversions / trial_starts; None without trials or when no trial started."""
        if self.trial_starts is None or self.trial_conversions is None:
            return None
        return _ratio(self.trial_conversions, self.trial_starts)

    def values(self) -> dict[str, object]:
        """JSON values: the five onboarding keys, plus the three trial keys when trials were asked for."""
        out: dict[str, object] = {
            "registered_accounts": self.registered_accounts,
            "converted_accounts": self.converted_accounts,
            "conversion_rate": self.conversion_rate,
            "days_to_first_payment_median": self.days_to_first_payment_median,
            "days_to_first_payment_mean": self.days_to_first_payment_mean,
        }
        if self.trial_starts is not None:
            out["trial_starts"] = self.trial_starts
            out["trial_conversions"] = self.trial_conversions
            out["trial_conversion_rate"] = self.trial_conversion_rate
        return out


@dataclass(frozen=True)
class OnboardingResult:
    """The period's onboarding numbers, the same per month of registration, and the run's choices."""

    total: Conversion
    months: tuple[tuple[str, Conversion], ...]
    window_days: int
    registered_from_first_row: int
    """Accounts of the cohort without ``registered_at`` (their first row's day stood in)."""
    open_windows: int
    """Accounts of the cohort not converted whose window was still open at as-of (may still convert)."""
    crm_only: int = 0
    """Accounts of the cohort known only from the customers file (registered, never paid)."""
    crm_undated: int = 0
    """Accounts of the customers file with no subscription rows and no registered_at (left out)."""

    def values(self) -> dict[str, object]:
        """JSON values of the whole period (keys as :meth:`Conversion.values`)."""
        return self.total.values()

    def by_month(self) -> list[tuple[str, dict[str, object]]]:
        """(month label, values) for every month of the period up to as-of, zeros included."""
        return [(label, month.values()) for label, month in self.months]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _with_optional(subscriptions: Frame) -> pl.LazyFrame:
    """The rows, with an empty ``registered_at`` when the frame has none."""
    rows = subscriptions.lazy()
    if "registered_at" not in rows.collect_schema().names():
        rows = rows.with_columns(pl.lit(None, dtype=pl.Date).alias("registered_at"))
    return rows


def crm_only_accounts(subscriptions: Frame, customers: Frame) -> pl.LazyFrame:
    """The customers file's accounts without any subscription row: customer_id, registered_at."""
    known = subscriptions.lazy().select("customer_id").unique()
    rows = customers.lazy()
    if "registered_at" not in rows.collect_schema().names():
        rows = rows.with_columns(pl.lit(None, dtype=pl.Date).alias("registered_at"))
    return rows.select("customer_id", "registered_at").join(known, on="customer_id", how="anti")


def _never_paid(accounts: pl.LazyFrame) -> pl.LazyFrame:
    """CRM-only accounts in the timeline's shape: registered, no first payment, no trial."""
    return accounts.filter(pl.col("registered_at").is_not_null()).select(
        "customer_id",
        pl.col("registered_at").alias(_REGISTERED),
        pl.lit(False).alias(_FROM_FIRST_ROW),
        pl.lit(None, dtype=pl.Date).alias(FIRST_PAID),
        pl.lit(None, dtype=pl.Date).alias(_TRIAL),
        pl.lit(True).alias(_CRM_ONLY),
    )


def account_timeline(subscriptions: Frame, customers: Frame | None = None) -> pl.LazyFrame:
    """One row per customer: registered_on, registered_from_first_row, first_paid_on, trial_started_on.

    first_paid_on and trial_started_on are null for a customer who never paid / had no trial. With
    ``customers``, the file's accounts without subscriptions are added (``crm_only`` true).
    """
    rows = _with_optional(subscriptions)
    serves = pl.col("ended_at").fill_null(OPEN_END) > pl.col("started_at")
    accounts = rows.group_by("customer_id").agg(
        pl.col("registered_at").min().alias("__given"),
        pl.col("started_at").min().alias("__first_row"),
    )
    paid = first_paid(mrr_steps(rows)).select("customer_id", FIRST_PAID)
    free = rows.filter((pl.col(MRR) == 0) & serves).select("customer_id", "started_at")
    timeline = accounts.join(paid, on="customer_id", how="left")
    trials = (
        free.join(timeline.select("customer_id", FIRST_PAID), on="customer_id", how="left")
        .filter(pl.col(FIRST_PAID).is_null() | (pl.col("started_at") < pl.col(FIRST_PAID)))
        .group_by("customer_id")
        .agg(pl.col("started_at").min().alias(_TRIAL))
    )
    given = pl.col("__given")
    billed = timeline.join(trials, on="customer_id", how="left").select(
        "customer_id",
        pl.min_horizontal(given, pl.col("__first_row")).alias(_REGISTERED),
        given.is_null().alias(_FROM_FIRST_ROW),
        FIRST_PAID,
        _TRIAL,
        pl.lit(False).alias(_CRM_ONLY),
    )
    if customers is None:
        return billed
    return pl.concat([billed, _never_paid(crm_only_accounts(rows, customers))], how="vertical_relaxed")


def _month_label(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m")


def onboarding(
    subscriptions: Frame,
    period: Period,
    as_of: date,
    window_days: int = DEFAULT_WINDOW_DAYS,
    trials: bool = False,
    customers: Frame | None = None,
) -> OnboardingResult:
    """Accounts registered in the period and how many paid within ``window_days`` (rules: module doc).

    With ``trials``, also trials started in the period and how many of them converted; with
    ``customers`` (a CRM file), its accounts that never had a subscription count as registered.
    """
    if window_days < 0:
        raise ValueError(f"window_days must be 0 or more, not {window_days}")
    closing = period.closing_day(as_of)
    timeline = account_timeline(subscriptions, customers).collect()
    undated = 0
    if customers is not None:
        crm_only = crm_only_accounts(subscriptions, customers)
        undated = int(crm_only.filter(pl.col("registered_at").is_null()).select(pl.len()).collect().item())

    def in_period(column: str) -> pl.Expr:
        return pl.col(column).is_between(period.start, closing)

    def converted_from(column: str) -> pl.Expr:
        days = (pl.col(FIRST_PAID) - pl.col(column)).dt.total_days()
        return (pl.col(FIRST_PAID) <= as_of) & (days <= window_days)

    days = (pl.col(FIRST_PAID) - pl.col(_REGISTERED)).dt.total_days()
    cohort = timeline.filter(in_period(_REGISTERED)).with_columns(
        converted_from(_REGISTERED).fill_null(False).alias("__converted"),
        days.alias("__days"),
        _month_label(_REGISTERED).alias("__month"),
    )
    conversion = [
        pl.len().cast(pl.Int64).alias("registered_accounts"),
        pl.col("__converted").sum().cast(pl.Int64).alias("converted_accounts"),
        pl.col("__days").filter(pl.col("__converted")).median().alias("median"),
        pl.col("__days").filter(pl.col("__converted")).mean().alias("mean"),
    ]
    by_month = cohort.group_by("__month").agg(conversion)
    total = cohort.select(conversion).row(0, named=True)

    trial_total: Row = {}
    trial_months: dict[str, Row] = {}
    if trials:
        started = timeline.filter(in_period(_TRIAL)).with_columns(
            converted_from(_TRIAL).fill_null(False).alias("__converted"),
            _month_label(_TRIAL).alias("__month"),
        )
        counting = [
            pl.len().cast(pl.Int64).alias("trial_starts"),
            pl.col("__converted").sum().cast(pl.Int64).alias("trial_conversions"),
        ]
        trial_total = started.select(counting).row(0, named=True)
        trial_months = {
            str(row["__month"]): row
            for row in started.group_by("__month").agg(counting).iter_rows(named=True)
        }

    def build(counts: Row | None, trial_counts: Row | None) -> Conversion:
        counts = counts or {}
        trial_counts = trial_counts or {}
        return Conversion(
            registered_accounts=int(counts.get("registered_accounts") or 0),
            converted_accounts=int(counts.get("converted_accounts") or 0),
            days_to_first_payment_median=_float(counts.get("median")),
            days_to_first_payment_mean=_float(counts.get("mean")),
            trial_starts=int(trial_counts.get("trial_starts") or 0) if trials else None,
            trial_conversions=int(trial_counts.get("trial_conversions") or 0) if trials else None,
        )

    month_counts = {str(row["__month"]): row for row in by_month.iter_rows(named=True)}
    months = tuple(
        (month.label, build(month_counts.get(month.label), trial_months.get(month.label)))
        for month in month_periods(period.start, closing)
    )
    # the window's last day (registration + window_days) is after as-of: it may still convert
    open_window = ~pl.col("__converted") & (
        (pl.lit(as_of) - pl.col(_REGISTERED)).dt.total_days() < window_days
    )
    return OnboardingResult(
        total=build(total, trial_total),
        months=months,
        window_days=window_days,
        registered_from_first_row=int(cohort[_FROM_FIRST_ROW].sum()),
        open_windows=int(cohort.select(open_window.sum()).item()),
        crm_only=int(cohort[_CRM_ONLY].sum()),
        crm_undated=undated,
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
