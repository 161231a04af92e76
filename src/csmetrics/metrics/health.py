"""Customer Health Index: a 0–100 score per paying customer from transparent signals (issue 9).

Who: every customer active at the end of the as-of day (netted MRR > 0, SPEC §3; the rule of
renewals). Nothing dated after the as-of day is known. Ticket and survey instants are compared by
their local day in the run's zone (``.dt.date()``), as support and NPS do.

Each signal has a measured ``value`` (None when missing) and a linear sub-score
``s = clamp((value − bad) / (good − bad), 0, 1)``: ``bad`` and worse gives 0, ``good`` and better
gives 1, in either direction (``good < bad`` means lower is better). Over the signals present::

    score  = 100 × Σ weight·s / Σ weight
    points = 100 × weight·s / Σ weight      (one signal's share; a customer's points add up to its score)

A missing signal (no value) is shown as missing (value and points None) and the others are
re-weighted: it never counts as 0. A signal whose input was not given is missing for everyone
(``missing_inputs``). A weight of 0 switches a signal off: its value is still shown, its points
are 0.0 and it does not enter Σ weight. When no signal with a weight above 0 is present the score
(and every points) is None; with the defaults that cannot happen, as tenure is always known.
Rules with every weight 0 are refused.

The signals (``SIGNAL_NAMES``, in display order; defaults in ``DEFAULT_RULES``):

- ``mrr_change`` (20, bad −0.25, good +0.10): (MRR now − MRR then) / MRR then, where then is the
  end of the same day-of-month 3 calendar months before as-of (clamped to the month's last day:
  as-of 2024-05-31 → 2024-02-29). Missing when the customer had no MRR then (MRR ≤ 0: new).
- ``tenure_months`` (10, bad 0, good 24): (as-of − first paid day) in days ÷ 30.4375 (a fractional
  month, the mean Gregorian month); first paid day = the first day the customer's netted MRR was
  above 0, ever (a reactivated customer keeps its first tenure).
- ``ticket_volume`` (10, bad 3.0, good 1.0): the customer's tickets created in the 90 days up to
  and including as-of (local days as-of − 89 … as-of) ÷ the mean of that count over its plan peers:
  the active customers with the same plan, itself included, tickets or not. Peer mean 0 → 0.
  Missing for everyone when no tickets are given.
- ``unresolved_tickets`` (10, bad 3, good 0): the customer's tickets created on or before as-of and
  not solved by the end of as-of. Solved is support's rule: ``solved_at`` on or before as-of, or,
  where an export gives only ``resolution_minutes``, created_at + that duration on or before
  as-of. Missing for everyone when no tickets are given.
- ``csat`` (15, bad 0.5, good 0.9): share of ratings 4–5 among the customer's CSAT-rated tickets
  created in the 180 days up to and including as-of. Missing when it has none rated.
- ``nps`` (15, bad 6, good 9): the score (0–10) of the customer's latest survey answer (by
  ``responded_at``) answered in the 365 days up to and including as-of; several answers at that
  very instant → their mean. Missing when none.
- ``usage`` (15, bad 0.2, good 0.6): used ÷ limit of the customer's latest usage ``date`` in the
  90 days up to and including as-of; several rows on that date are summed (Σ used ÷ Σ limit).
  Missing when none (or when the summed limit is not above 0).
- ``renewal_days`` (5, bad 0, good 90): days from as-of to the nearest ``expires_at`` (last valid
  day, inclusive) on or after as-of among the customer's paying rows (MRR > 0) serving at the end
  of as-of. Missing when there is none (no expiry, or only expiries already past).

Rows of tickets, answers and usage without a customer_id, or of customers not active at as-of,
are ignored (they are nobody's peers either).

Plan: that of the customer's largest paying row serving at the end of as-of (ties: plan name),
the rule of renewals. MRR: the customer's netted MRR at the end of as-of, in integer cents.

Lists: ``customers`` holds everyone, lowest score first (then customer_id); ``at_risk`` the score
below ``at_risk_below``, largest MRR first (then customer_id); ``upsell`` the usage value at or
above ``upsell_usage`` and the score at or above ``healthy_from``, largest MRR first.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import repeat
from types import MappingProxyType

import polars as pl

from csmetrics.metrics.revenue import MRR, OPEN_END, Frame, _serving, to_major

__all__ = [
    "DAYS_PER_MONTH",
    "DEFAULT_RULES",
    "SIGNAL_INPUTS",
    "SIGNAL_NAMES",
    "CustomerHealth",
    "HealthResult",
    "HealthRules",
    "SignalRule",
    "SignalScore",
    "compute_health",
    "months_before",
    "rules_with",
]

SIGNAL_NAMES: tuple[str, ...] = (
    "mrr_change",
    "tenure_months",
    "ticket_volume",
    "unresolved_tickets",
    "csat",
    "nps",
    "usage",
    "renewal_days",
)
"""Every signal, in display order (JSON keys and csm.toml ``[health]`` names)."""

SIGNAL_INPUTS: Mapping[str, str] = MappingProxyType(
    {
        "ticket_volume": "tickets",
        "unresolved_tickets": "tickets",
        "csat": "tickets",
        "nps": "surveys",
        "usage": "usage",
    }
)
"""The optional input each signal needs; the others come from the subscriptions."""

DAYS_PER_MONTH = 30.4375
"""Days in a mean Gregorian month (365.2425 ÷ 12): tenure_months = days ÷ this."""

MRR_CHANGE_MONTHS = 3
TICKET_WINDOW_DAYS = 90
CSAT_WINDOW_DAYS = 180
NPS_WINDOW_DAYS = 365
USAGE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class SignalRule:
    """How one signal scores: its weight (0 = off) and the values that give 0 (bad) and 1 (good)."""

    weight: float
    bad: float
    good: float

    def __post_init__(self) -> None:
        for name in ("weight", "bad", "good"):
            number = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number, not {number!r}")
        if self.weight < 0:
            raise ValueError(f"weight must be 0 or more, not {self.weight}")
        if self.bad == self.good:
            raise ValueError(f"bad and good must differ (both are {self.bad})")

    def sub_score(self, value: float | None) -> float | None:
        """clamp((value − bad) / (good − bad), 0, 1); None for a missing value."""
        return _sub_score(value, self.bad, self.good)


def _sub_score(value: float | None, bad: float, good: float) -> float | None:
    if value is None:
        return None
    low, high = sorted((bad, good))
    if value <= low or value >= high:  # exactly 0 or 1 at and beyond the ends
        return 1.0 if (value >= high) == (good > bad) else 0.0
    return (value - bad) * (1.0 / (good - bad))


def _sub_score_expr(value: pl.Expr, bad: float, good: float) -> pl.Expr:
    """The sub-score of a column of values, computed as :func:`_sub_score` computes it for one.

    It multiplies by the reciprocal rather than divide by a literal (see :func:`_scored`).
    """
    low, high = sorted((float(bad), float(good)))
    at_low, at_high = (0.0, 1.0) if good > bad else (1.0, 0.0)
    return (
        pl.when(value <= low)
        .then(pl.lit(at_low))
        .when(value >= high)
        .then(pl.lit(at_high))
        .otherwise((value - bad) * (1.0 / (good - bad)))
    )


_DEFAULT_SIGNALS: Mapping[str, SignalRule] = MappingProxyType(
    {
        "mrr_change": SignalRule(weight=20, bad=-0.25, good=0.10),
        "tenure_months": SignalRule(weight=10, bad=0, good=24),
        "ticket_volume": SignalRule(weight=10, bad=3.0, good=1.0),
        "unresolved_tickets": SignalRule(weight=10, bad=3, good=0),
        "csat": SignalRule(weight=15, bad=0.5, good=0.9),
        "nps": SignalRule(weight=15, bad=6, good=9),
        "usage": SignalRule(weight=15, bad=0.2, good=0.6),
        "renewal_days": SignalRule(weight=5, bad=0, good=90),
    }
)


@dataclass(frozen=True)
class HealthRules:
    """Weights, bad/good values and the thresholds of the at-risk and upsell lists.

    ``signals`` may name only some signals: the others keep their ``DEFAULT_RULES`` rule. An
    unknown name, a negative weight, bad = good, every weight 0, or at_risk_below > healthy_from
    is a ValueError.
    After construction ``signals`` holds every signal, in ``SIGNAL_NAMES`` order (read-only).
    """

    signals: Mapping[str, SignalRule] = field(default_factory=lambda: _DEFAULT_SIGNALS)
    at_risk_below: float = 50
    healthy_from: float = 70
    upsell_usage: float = 0.8

    def __post_init__(self) -> None:
        unknown = sorted(set(self.signals) - set(SIGNAL_NAMES))
        if unknown:
            raise ValueError(f"unknown health signal {', '.join(unknown)} (known: {', '.join(SIGNAL_NAMES)})")
        for name, rule in self.signals.items():
            if not isinstance(rule, SignalRule):
                raise ValueError(f"health signal {name} must be a SignalRule, not {rule!r}")
        complete = {name: self.signals.get(name, _DEFAULT_SIGNALS[name]) for name in SIGNAL_NAMES}
        object.__setattr__(self, "signals", MappingProxyType(complete))
        if not any(rule.weight > 0 for rule in complete.values()):
            raise ValueError("at least one health signal needs a weight above 0")
        for name in ("at_risk_below", "healthy_from", "upsell_usage"):
            number = getattr(self, name)
            if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number, not {number!r}")
        if self.at_risk_below > self.healthy_from:
            raise ValueError(
                f"at_risk_below ({self.at_risk_below}) must not be above healthy_from ({self.healthy_from})"
            )


DEFAULT_RULES = HealthRules()
"""The defaults (weight, bad, good): mrr_change 20, −0.25, +0.10; tenure_months 10, 0, 24;
ticket_volume 10, 3.0, 1.0; unresolved_tickets 10, 3, 0; csat 15, 0.5, 0.9; nps 15, 6, 9;
usage 15, 0.2, 0.6; renewal_days 5, 0, 90. At risk below 50, healthy from 70, upsell at usage ≥ 0.8."""


def rules_with(
    base: HealthRules = DEFAULT_RULES,
    *,
    weights: Mapping[str, float] | None = None,
    bad: Mapping[str, float] | None = None,
    good: Mapping[str, float] | None = None,
    at_risk_below: float | None = None,
    healthy_from: float | None = None,
    upsell_usage: float | None = None,
) -> HealthRules:
    """``base`` with some weights, bad or good values and thresholds replaced (None keeps base's).

    ``rules_with(weights={"nps": 0}, at_risk_below=40)``. Unknown signal names are a ValueError.
    """
    changes = {"weight": weights or {}, "bad": bad or {}, "good": good or {}}
    unknown = sorted({name for given in changes.values() for name in given} - set(SIGNAL_NAMES))
    if unknown:
        raise ValueError(f"unknown health signal {', '.join(unknown)} (known: {', '.join(SIGNAL_NAMES)})")
    signals = {}
    for name, rule in base.signals.items():
        signals[name] = SignalRule(
            weight=changes["weight"].get(name, rule.weight),
            bad=changes["bad"].get(name, rule.bad),
            good=changes["good"].get(name, rule.good),
        )
    return HealthRules(
        signals=signals,
        at_risk_below=base.at_risk_below if at_risk_below is None else at_risk_below,
        healthy_from=base.healthy_from if healthy_from is None else healthy_from,
        upsell_usage=base.upsell_usage if upsell_usage is None else upsell_usage,
    )


@dataclass(frozen=True, slots=True)
class SignalScore:
    """One signal of one customer: its value and points (None when missing) and the rule used."""

    value: float | None
    points: float | None
    weight: float
    bad: float
    good: float

    @property
    def sub_score(self) -> float | None:
        """clamp((value − bad) / (good − bad), 0, 1), the share of the weight earned; None if missing."""
        return _sub_score(self.value, self.bad, self.good)


@dataclass(frozen=True, slots=True)
class CustomerHealth:
    """One active customer's score (unrounded; None only when no weighted signal is present).

    ``values`` and ``points`` hold one entry per signal in ``SIGNAL_NAMES`` order; ``signals``
    gives them by name with their rule.
    """

    customer_id: str
    plan: str | None
    mrr_cents: int
    score: float | None
    values: tuple[float | None, ...]
    points: tuple[float | None, ...]
    rules: HealthRules = field(repr=False, compare=False)

    @property
    def signals(self) -> dict[str, SignalScore]:
        """Every signal by name, in ``SIGNAL_NAMES`` order: value, points and the rule used."""
        return {
            name: SignalScore(value, points, rule.weight, rule.bad, rule.good)
            for (name, rule), value, points in zip(
                self.rules.signals.items(), self.values, self.points, strict=True
            )
        }

    def signal(self, name: str) -> SignalScore:
        """One signal by name (KeyError for an unknown name)."""
        rule = self.rules.signals[name]
        index = SIGNAL_NAMES.index(name)
        return SignalScore(self.values[index], self.points[index], rule.weight, rule.bad, rule.good)

    def max_points(self) -> dict[str, float | None]:
        """Per signal, the points it would give at its good value: 100 × weight ÷ Σ weight of the
        signals with data (None for a missing signal)."""
        present = [
            rule.weight
            for rule, value in zip(self.rules.signals.values(), self.values, strict=True)
            if value is not None
        ]
        total = sum(present)
        scale = 100.0 / total if total else 0.0  # the factor the points were computed with
        return {
            name: (None if value is None or not total else float(rule.weight) * scale)
            for (name, rule), value in zip(self.rules.signals.items(), self.values, strict=True)
        }

    def weakest(self, count: int = 3) -> list[str]:
        """The signals that cost the most points (max − points), up to ``count``, biggest loss first."""
        best = self.max_points()
        lost = {
            name: most - (points or 0.0)
            for (name, most), points in zip(best.items(), self.points, strict=True)
            if most is not None and most - (points or 0.0) > 1e-9
        }
        return sorted(lost, key=lambda name: (-lost[name], SIGNAL_NAMES.index(name)))[:count]

    def entry(self, *, explain: bool = False) -> dict[str, object]:
        """JSON entry: customer_id, plan, mrr, score, signals {name: {value, points}}; ``explain``
        adds each signal's max_points, weight, bad and good."""
        signals: dict[str, dict[str, float | None]] = {}
        best = self.max_points() if explain else {}
        for name, signal in self.signals.items():
            detail = {"value": signal.value, "points": signal.points}
            if explain:
                detail |= {
                    "max_points": best[name],
                    "weight": signal.weight,
                    "bad": signal.bad,
                    "good": signal.good,
                }
            signals[name] = detail
        return {
            "customer_id": self.customer_id,
            "plan": self.plan,
            "mrr": to_major(self.mrr_cents),
            "score": self.score,
            "signals": signals,
        }


@dataclass(frozen=True)
class HealthResult:
    """The health of every customer active at the end of the as-of day, and the two action lists."""

    as_of: date
    rules: HealthRules
    customers: tuple[CustomerHealth, ...]
    """Everyone, lowest score first, then customer_id."""
    at_risk: tuple[CustomerHealth, ...]
    """Score below ``rules.at_risk_below``; largest MRR first, then customer_id."""
    upsell: tuple[CustomerHealth, ...]
    """Usage ≥ ``rules.upsell_usage`` and score ≥ ``rules.healthy_from``; largest MRR first, then id."""
    missing_inputs: tuple[str, ...]
    """The optional inputs not given ("tickets", "surveys", "usage"): their signals are missing."""
    _index: dict[str, CustomerHealth] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {row.customer_id: row for row in self.customers})

    def find(self, customer_id: str) -> CustomerHealth | None:
        """The customer's health, or None when it is not active at as-of."""
        return self._index.get(customer_id)

    @property
    def mrr_at_risk(self) -> int:
        """The summed MRR (cents) of the at-risk customers."""
        return sum(row.mrr_cents for row in self.at_risk)

    def values(self) -> dict[str, object]:
        """JSON values: customers (every entry), at_risk (with the weakest signals), upsell (with
        usage), mrr_at_risk, the thresholds, the weights and the inputs that were missing."""
        usage = SIGNAL_NAMES.index("usage")

        def short(row: CustomerHealth) -> dict[str, object]:
            return {
                "customer_id": row.customer_id,
                "plan": row.plan,
                "mrr": to_major(row.mrr_cents),
                "score": row.score,
            }

        return {
            "customers": [row.entry() for row in self.customers],
            "at_risk": [short(row) | {"weakest": row.weakest()} for row in self.at_risk],
            "upsell": [short(row) | {"usage": row.values[usage]} for row in self.upsell],
            "mrr_at_risk": to_major(self.mrr_at_risk),
            "at_risk_below": self.rules.at_risk_below,
            "healthy_from": self.rules.healthy_from,
            "upsell_usage": self.rules.upsell_usage,
            "weights": {name: rule.weight for name, rule in self.rules.signals.items()},
            "missing_inputs": list(self.missing_inputs),
        }


# --- days ----------------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day-of-month ``months`` calendar months earlier, clamped to that month's end."""
    index = day.year * 12 + day.month - 1 - months
    if index < 12:
        return date.min
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _window_start(as_of: date, days: int) -> date:
    """The first day of the ``days`` days up to and including as-of."""
    return as_of - timedelta(days=days - 1) if as_of.toordinal() > days else date.min


# --- signals -------------------------------------------------------------------------------------


def _with_columns(frame: Frame, columns: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    """The frame with ``customer_id`` as text, and empty ``columns`` where it has none of them."""
    rows = frame.lazy()
    names = rows.collect_schema().names()
    missing = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in columns.items() if name not in names]
    return rows.with_columns(*missing, pl.col("customer_id").cast(pl.String))


def _accounts(subscriptions: Frame, as_of: date) -> pl.LazyFrame:
    """Active customers: customer_id, mrr_cents, plan, mrr_change, tenure_months, renewal_days."""
    rows = _with_columns(subscriptions, {"plan": pl.String(), "expires_at": pl.Date()})
    then = months_before(as_of, MRR_CHANGE_MONTHS)
    paying = _serving(as_of) & (pl.col(MRR) > 0)
    # MRR is never negative (the reader refuses it), so the first day with a netted MRR above 0
    # is the earliest start of a paying row that serves at least one day.
    paid = (pl.col(MRR) > 0) & (pl.col("ended_at").fill_null(OPEN_END) > pl.col("started_at"))
    accounts = rows.group_by("customer_id").agg(
        pl.col(MRR).filter(_serving(as_of)).sum().alias(MRR),
        pl.col(MRR).filter(_serving(then)).sum().alias("__then"),
        pl.col("started_at").filter(paid).min().alias("__first_paid"),
        pl.col("expires_at").filter(paying & (pl.col("expires_at") >= as_of)).min().alias("__expires"),
    )
    plan = pl.col("plan").cast(pl.String)
    plans = (
        rows.filter(paying)
        .group_by("customer_id")
        .agg(plan.sort_by([pl.col(MRR), plan], descending=[True, False], nulls_last=True).first())
    )
    then_mrr = pl.col("__then")
    return (
        accounts.filter(pl.col(MRR) > 0)
        .join(plans, on="customer_id", how="left")
        .select(
            "customer_id",
            pl.col(MRR).cast(pl.Int64),
            "plan",
            pl.when(then_mrr > 0).then((pl.col(MRR) - then_mrr) / then_mrr).alias("mrr_change"),
            ((pl.lit(as_of) - pl.col("__first_paid")).dt.total_days() * (1.0 / DAYS_PER_MONTH)).alias(
                "tenure_months"
            ),
            (pl.col("__expires") - pl.lit(as_of)).dt.total_days().alias("renewal_days"),
        )
    )


def _ticket_counts(tickets: Frame, as_of: date) -> pl.LazyFrame:
    """customer_id → recent tickets (__recent), unresolved_tickets, csat."""
    instant = tickets.lazy().collect_schema().get("created_at", pl.Datetime("us", "UTC"))
    rows = _with_columns(
        tickets,
        {
            "customer_id": pl.String(),
            "solved_at": instant,
            "resolution_minutes": pl.Float64(),
            "csat": pl.Int64(),
        },
    )
    day = pl.col("__day")
    solved_at = pl.col("solved_at")
    minutes = pl.col("resolution_minutes")
    solved_later = pl.col("created_at") + pl.duration(
        microseconds=(minutes * 60 * 1_000_000).round().cast(pl.Int64)
    )
    solved = (solved_at.is_not_null() & (solved_at.dt.date() <= as_of)) | (
        solved_at.is_null() & minutes.is_not_null() & (solved_later.dt.date() <= as_of)
    )
    rated = pl.col("csat").is_not_null() & (day >= _window_start(as_of, CSAT_WINDOW_DAYS))
    counts = (
        rows.with_columns(pl.col("created_at").dt.date().alias("__day"))
        .filter(pl.col("customer_id").is_not_null() & (day <= as_of))
        .group_by("customer_id")
        .agg(
            (day >= _window_start(as_of, TICKET_WINDOW_DAYS)).sum().alias("__recent"),
            (~solved).sum().alias("unresolved_tickets"),
            rated.sum().alias("__rated"),
            (rated & (pl.col("csat") >= 4)).sum().alias("__satisfied"),
        )
    )
    return counts.select(
        "customer_id",
        "__recent",
        "unresolved_tickets",
        pl.when(pl.col("__rated") > 0).then(pl.col("__satisfied") / pl.col("__rated")).alias("csat"),
    )


def _latest_nps(surveys: Frame, as_of: date) -> pl.LazyFrame:
    """customer_id → nps: the score of its latest answer in the window (mean at a tied instant)."""
    day = pl.col("responded_at").dt.date()
    latest = pl.col("responded_at") == pl.col("responded_at").max()
    return (
        _with_columns(surveys, {})
        .filter(
            pl.col("customer_id").is_not_null()
            & pl.col("score").is_not_null()
            & (day >= _window_start(as_of, NPS_WINDOW_DAYS))
            & (day <= as_of)
        )
        .group_by("customer_id")
        .agg(pl.col("score").filter(latest).cast(pl.Float64).mean().alias("nps"))
    )


def _latest_usage(usage: Frame, as_of: date) -> pl.LazyFrame:
    """customer_id → usage: Σ used ÷ Σ limit on its latest date in the window."""
    latest = pl.col("date") == pl.col("date").max()
    used = pl.col("used").filter(latest).cast(pl.Float64).sum()
    limit = pl.col("limit").filter(latest).cast(pl.Float64).sum()
    return (
        _with_columns(usage, {})
        .filter(
            pl.col("customer_id").is_not_null()
            & pl.col("used").is_not_null()
            & pl.col("limit").is_not_null()
            & (pl.col("date") >= _window_start(as_of, USAGE_WINDOW_DAYS))
            & (pl.col("date") <= as_of)
        )
        .group_by("customer_id")
        .agg(used.alias("__used"), limit.alias("__limit"))
        .select(
            "customer_id",
            pl.when(pl.col("__limit") > 0).then(pl.col("__used") / pl.col("__limit")).alias("usage"),
        )
    )


def _signal_values(
    subscriptions: Frame,
    as_of: date,
    tickets: Frame | None,
    surveys: Frame | None,
    usage: Frame | None,
) -> pl.LazyFrame:
    """One row per active customer: customer_id, mrr_cents, plan and every signal's value."""
    table = _accounts(subscriptions, as_of)
    empty = pl.lit(None, dtype=pl.Float64)
    if tickets is None:
        table = table.with_columns(
            empty.alias("ticket_volume"), empty.alias("unresolved_tickets"), empty.alias("csat")
        )
    else:
        recent = pl.col("__recent").fill_null(0).cast(pl.Float64)
        peers = recent.mean().over("plan")
        table = (
            table.join(_ticket_counts(tickets, as_of), on="customer_id", how="left")
            .with_columns(
                pl.when(peers > 0).then(recent / peers).otherwise(0.0).alias("ticket_volume"),
                pl.col("unresolved_tickets").fill_null(0),
            )
            .drop("__recent")
        )
    if surveys is None:
        table = table.with_columns(empty.alias("nps"))
    else:
        table = table.join(_latest_nps(surveys, as_of), on="customer_id", how="left")
    if usage is None:
        table = table.with_columns(empty.alias("usage"))
    else:
        table = table.join(_latest_usage(usage, as_of), on="customer_id", how="left")
    return table.select("customer_id", MRR, "plan", *[pl.col(name).cast(pl.Float64) for name in SIGNAL_NAMES])


def _scales(rules: HealthRules) -> dict[int, float]:
    """100 ÷ Σ weight of the present signals, for every pattern of presence with Σ weight > 0.

    A pattern is a bit mask: bit i set when signal ``SIGNAL_NAMES[i]`` is present.
    """
    weights = [float(rule.weight) for rule in rules.signals.values()]
    scales = {}
    for mask in range(1 << len(weights)):
        total = sum(weight for bit, weight in enumerate(weights) if mask >> bit & 1)
        if total > 0:
            scales[mask] = 100.0 / total
    return scales


def _scored(values: pl.LazyFrame, rules: HealthRules) -> pl.LazyFrame:
    """Add ``__points_<name>`` per signal and ``score`` (module doc); None where not computable.

    Only multiplications and sums, no float division: polars divides a column by one it treats
    as a scalar through the reciprocal, and which one it treats so depends on how the streaming
    engine cuts the rows, so a quotient's last bit could depend on the input's row order.
    Hence 100 ÷ Σ weight comes from a table computed here, one entry per pattern of presence.
    """
    mask = pl.sum_horizontal(
        pl.col(name).is_not_null().cast(pl.Int64) * (1 << bit) for bit, name in enumerate(SIGNAL_NAMES)
    )
    scale = mask.replace_strict(_scales(rules), default=None, return_dtype=pl.Float64)
    scored = values.with_columns(scale.alias("__scale"))
    points = []
    for name, rule in rules.signals.items():
        value = pl.col(name)
        share = pl.lit(float(rule.weight)) * _sub_score_expr(value, rule.bad, rule.good) * pl.col("__scale")
        points.append(pl.when(value.is_not_null()).then(share).alias(f"__points_{name}"))
    scored = scored.with_columns(points)
    score = pl.sum_horizontal(pl.col(f"__points_{name}") for name in SIGNAL_NAMES)
    return scored.with_columns(pl.when(pl.col("__scale").is_not_null()).then(score).alias("score"))


def _customers(table: pl.DataFrame, rules: HealthRules) -> list[CustomerHealth]:
    """CustomerHealth objects for the rows of ``table``, in its order."""
    values = zip(*(table.get_column(name).to_list() for name in SIGNAL_NAMES), strict=True)
    points = zip(*(table.get_column(f"__points_{name}").to_list() for name in SIGNAL_NAMES), strict=True)
    return list(
        map(
            CustomerHealth,
            table.get_column("customer_id").to_list(),
            table.get_column("plan").to_list(),
            table.get_column(MRR).to_list(),
            table.get_column("score").to_list(),
            values,
            points,
            repeat(rules, table.height),
        )
    )


def compute_health(
    subscriptions: Frame,
    as_of: date,
    rules: HealthRules = DEFAULT_RULES,
    *,
    tickets: Frame | None = None,
    surveys: Frame | None = None,
    usage: Frame | None = None,
) -> HealthResult:
    """The health score of every customer active at the end of the as-of day (module doc).

    ``subscriptions`` in canonical columns (``mrr_cents``; ``plan`` and ``expires_at`` optional);
    ``tickets``, ``surveys`` and ``usage`` are optional: a signal whose input is None is missing
    for everyone and named in ``missing_inputs``.
    """
    values = _signal_values(subscriptions, as_of, tickets, surveys, usage)
    table = (
        _scored(values, rules)
        .sort("score", "customer_id", nulls_last=True)
        .with_row_index("__position")
        .collect()
    )
    customers = _customers(table, rules)
    by_mrr = [MRR, "customer_id"]
    risky = table.filter(pl.col("score") < rules.at_risk_below).sort(by_mrr, descending=[True, False])
    upsell = table.filter(
        (pl.col("usage") >= rules.upsell_usage) & (pl.col("score") >= rules.healthy_from)
    ).sort(by_mrr, descending=[True, False])
    given = {"tickets": tickets, "surveys": surveys, "usage": usage}
    return HealthResult(
        as_of=as_of,
        rules=rules,
        customers=tuple(customers),
        at_risk=tuple(customers[i] for i in risky.get_column("__position").to_list()),
        upsell=tuple(customers[i] for i in upsell.get_column("__position").to_list()),
        missing_inputs=tuple(name for name, frame in given.items() if frame is None),
    )
