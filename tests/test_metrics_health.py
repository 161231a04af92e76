"""Customer Health Index: each signal by hand, weighting, missing signals, lists and properties."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.health import (
    DAYS_PER_MONTH,
    DEFAULT_RULES,
    SIGNAL_NAMES,
    CustomerHealth,
    HealthResult,
    HealthRules,
    SignalRule,
    compute_health,
    months_before,
    rules_with,
)

AS_OF = date(2024, 3, 10)  # 3 months before: 2023-12-10
OLD = date(2022, 1, 1)
TZ = "Europe/Warsaw"


class Sub(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    plan: str | None = "Team"
    expires: date | None = None


class Ticket(NamedTuple):
    customer: str | None
    created: datetime
    solved: datetime | None = None
    csat: int | None = None
    resolution_minutes: float | None = None


class Answer(NamedTuple):
    customer: str
    at: datetime
    score: int


class Use(NamedTuple):
    customer: str
    day: date
    used: float
    limit: float


def ahead(days: int, base: date = AS_OF) -> date:
    return base + timedelta(days=days)


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in TZ (the frames below attach the zone)."""
    return datetime(day.year, day.month, day.day, hour, minute)


def _subs(rows: list[Sub]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subscription_id": [f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": [r.plan for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "expires_at": [r.expires for r in rows],
        },
        schema={
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "plan": pl.String,
            "mrr_cents": pl.Int64,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "expires_at": pl.Date,
        },
    )


def _instants(name: str, values: list[datetime | None]) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Datetime("us")).dt.replace_time_zone(TZ, ambiguous="earliest")


def _tickets(rows: list[Ticket]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            pl.Series("ticket_id", [f"t{i}" for i in range(len(rows))], dtype=pl.String),
            pl.Series("customer_id", [r.customer for r in rows], dtype=pl.String),
            _instants("created_at", [r.created for r in rows]),
            _instants("solved_at", [r.solved for r in rows]),
            pl.Series("csat", [r.csat for r in rows], dtype=pl.Int64),
            pl.Series("resolution_minutes", [r.resolution_minutes for r in rows], dtype=pl.Float64),
        ]
    )


def _surveys(rows: list[Answer]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            pl.Series("response_id", [f"r{i}" for i in range(len(rows))], dtype=pl.String),
            pl.Series("customer_id", [r.customer for r in rows], dtype=pl.String),
            _instants("responded_at", [r.at for r in rows]),
            pl.Series("score", [r.score for r in rows], dtype=pl.Int64),
        ]
    )


def _usage(rows: list[Use]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r.customer for r in rows],
            "date": [r.day for r in rows],
            "used": [r.used for r in rows],
            "limit": [r.limit for r in rows],
        },
        schema={"customer_id": pl.String, "date": pl.Date, "used": pl.Float64, "limit": pl.Float64},
    )


def only(name: str, bad: float | None = None, good: float | None = None, **thresholds: float) -> HealthRules:
    """Rules where only ``name`` weighs (10): the score is 100 × its sub-score, or None if missing."""
    rule = DEFAULT_RULES.signals[name]
    signals = {other: replace(DEFAULT_RULES.signals[other], weight=0) for other in SIGNAL_NAMES}
    signals[name] = SignalRule(10, rule.bad if bad is None else bad, rule.good if good is None else good)
    return HealthRules(signals=signals, **thresholds)


def _get(result: HealthResult, customer: str) -> CustomerHealth:
    found = result.find(customer)
    assert found is not None, customer
    return found


def value(result: HealthResult, customer: str, name: str) -> float | None:
    return _get(result, customer).signal(name).value


def points(result: HealthResult, customer: str, name: str) -> float | None:
    return _get(result, customer).signal(name).points


def _ids(rows: tuple[CustomerHealth, ...]) -> list[str]:
    return [row.customer_id for row in rows]


# --- rules ---------------------------------------------------------------------------------------


def test_sub_score_is_linear_and_clamped_in_both_directions() -> None:
    up = SignalRule(10, bad=6, good=9)
    assert [up.sub_score(v) for v in (6, 7.5, 9, 10, 0)] == [0.0, 0.5, 1.0, 1.0, 0.0]
    down = SignalRule(10, bad=3, good=0)  # fewer is better
    assert [down.sub_score(v) for v in (3, 1.5, 0, 5)] == [0.0, 0.5, 1.0, 0.0]
    assert up.sub_score(None) is None


def test_default_rules_are_the_documented_ones() -> None:
    table = {name: (r.weight, r.bad, r.good) for name, r in DEFAULT_RULES.signals.items()}
    assert table == {
        "mrr_change": (20, -0.25, 0.10),
        "tenure_months": (10, 0, 24),
        "ticket_volume": (10, 3.0, 1.0),
        "unresolved_tickets": (10, 3, 0),
        "csat": (15, 0.5, 0.9),
        "nps": (15, 6, 9),
        "usage": (15, 0.2, 0.6),
        "renewal_days": (5, 0, 90),
    }
    assert tuple(DEFAULT_RULES.signals) == SIGNAL_NAMES
    assert (DEFAULT_RULES.at_risk_below, DEFAULT_RULES.healthy_from, DEFAULT_RULES.upsell_usage) == (
        50,
        70,
        0.8,
    )
    assert HealthRules() == DEFAULT_RULES


def test_partial_signals_keep_the_defaults_and_rules_with_overrides() -> None:
    rules = HealthRules(signals={"nps": SignalRule(30, 5, 10)}, at_risk_below=40)
    assert tuple(rules.signals) == SIGNAL_NAMES
    assert rules.signals["nps"] == SignalRule(30, 5, 10)
    assert rules.signals["csat"] == DEFAULT_RULES.signals["csat"]
    changed = rules_with(weights={"nps": 0}, bad={"usage": 0.1}, good={"usage": 0.7}, healthy_from=80)
    assert changed.signals["nps"] == SignalRule(0, 6, 9)
    assert changed.signals["usage"] == SignalRule(15, 0.1, 0.7)
    assert (changed.at_risk_below, changed.healthy_from, changed.upsell_usage) == (50, 80, 0.8)
    assert rules_with() == DEFAULT_RULES


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SignalRule(-1, 0, 1), "weight must be 0 or more"),
        (lambda: SignalRule(1, 2, 2), "bad and good must differ"),
        (lambda: SignalRule(1, float("nan"), 2), "finite"),
        (lambda: HealthRules(signals={"happiness": SignalRule(1, 0, 1)}), "unknown health signal happiness"),
        (lambda: rules_with(weights={"happiness": 1}), "unknown health signal happiness"),
        (lambda: rules_with(weights=dict.fromkeys(SIGNAL_NAMES, 0)), "at least one"),
        (lambda: HealthRules(at_risk_below=80, healthy_from=70), "must not be above healthy_from"),
        (lambda: HealthRules(upsell_usage=float("inf")), "finite"),
    ],
)
def test_bad_rules_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(AS_OF, 3) == date(2023, 12, 10)
    assert months_before(date(2024, 5, 31), 3) == date(2024, 2, 29)
    assert months_before(date(2023, 5, 31), 3) == date(2023, 2, 28)
    assert months_before(date(2024, 1, 15), 3) == date(2023, 10, 15)


# --- who is scored -------------------------------------------------------------------------------


def test_only_customers_active_at_the_end_of_as_of_are_scored() -> None:
    rows = [
        Sub("ended_on_as_of", 1000, OLD, AS_OF),  # ended_at is the first day not served
        Sub("ends_tomorrow", 1000, OLD, ahead(1)),  # still served at the end of as-of
        Sub("starts_tomorrow", 1000, ahead(1)),
        Sub("starts_today", 1000, AS_OF),
        Sub("free", 0, OLD),
        Sub("zero_length", 1000, AS_OF, AS_OF),
    ]
    result = compute_health(_subs(rows), AS_OF)
    assert sorted(_ids(result.customers)) == ["ends_tomorrow", "starts_today"]
    assert result.find("ended_on_as_of") is None and result.find("free") is None
    assert result.missing_inputs == ("tickets", "surveys", "usage")


def test_mrr_is_netted_and_the_plan_is_that_of_the_largest_paying_row() -> None:
    rows = [
        Sub("a", 3000, OLD, plan="Seats"),
        Sub("a", 7000, OLD, plan="Enterprise"),
        Sub("a", 0, OLD, plan="Free add-on"),
        Sub("a", 9000, OLD, AS_OF, plan="Old"),
        Sub("b", 500, OLD, plan=None),
    ]
    result = compute_health(_subs(rows), AS_OF)
    assert (_get(result, "a").mrr_cents, _get(result, "a").plan) == (10000, "Enterprise")
    assert (_get(result, "b").mrr_cents, _get(result, "b").plan) == (500, None)


def test_subscriptions_without_plan_or_expires_at_columns() -> None:
    frame = _subs([Sub("a", 1000, OLD, expires=ahead(10))]).drop("plan", "expires_at")
    (row,) = compute_health(frame, AS_OF).customers
    assert row.plan is None
    assert row.signal("renewal_days").value is None


# --- each signal ---------------------------------------------------------------------------------


def test_mrr_change_against_the_same_day_three_months_before() -> None:
    then = date(2023, 12, 10)
    rows = [
        Sub("down_quarter", 10000, OLD, then + timedelta(days=1)),  # 10000 at the end of `then`
        Sub("down_quarter", 7500, then + timedelta(days=1)),  # −25 %: exactly bad
        Sub("up_tenth", 10000, OLD, ahead(-5)),
        Sub("up_tenth", 11000, ahead(-5)),  # +10 %: exactly good
        Sub("up_fifth", 10000, OLD, ahead(-5)),
        Sub("up_fifth", 12000, ahead(-5)),  # beyond good: clamped
        Sub("flat", 4000, OLD),
        Sub("new", 4000, then + timedelta(days=1)),  # no MRR at the end of `then`
        Sub("started_then", 4000, then),  # served at the end of `then`
        Sub("back", 4000, OLD, date(2023, 11, 1)),  # reactivated: nothing then
        Sub("back", 4000, date(2024, 1, 1)),
    ]
    result = compute_health(_subs(rows), AS_OF, only("mrr_change"))
    assert value(result, "down_quarter", "mrr_change") == -0.25
    assert points(result, "down_quarter", "mrr_change") == 0.0
    assert value(result, "up_tenth", "mrr_change") == pytest.approx(0.1)
    assert points(result, "up_tenth", "mrr_change") == 100.0
    assert value(result, "up_fifth", "mrr_change") == pytest.approx(0.2)
    assert points(result, "up_fifth", "mrr_change") == 100.0
    assert value(result, "flat", "mrr_change") == 0.0
    assert points(result, "flat", "mrr_change") == pytest.approx(100 * 0.25 / 0.35)
    assert value(result, "started_then", "mrr_change") == 0.0
    for missing in ("new", "back"):
        assert value(result, missing, "mrr_change") is None
        assert points(result, missing, "mrr_change") is None
        assert _get(result, missing).score is None  # the only weighted signal is missing


def test_mrr_change_month_end_is_clamped() -> None:
    as_of = date(2024, 5, 31)  # 3 months before: 2024-02-29
    rows = [Sub("leap_day", 1000, date(2024, 2, 29)), Sub("march", 1000, date(2024, 3, 1))]
    result = compute_health(_subs(rows), as_of, only("mrr_change"))
    assert value(result, "leap_day", "mrr_change") == 0.0
    assert value(result, "march", "mrr_change") is None


def test_tenure_months_from_the_first_paid_day() -> None:
    rows = [
        Sub("year", 0, OLD, date(2023, 3, 10), plan="Free"),  # free days are not tenure
        Sub("year", 1000, date(2023, 3, 10)),  # 366 days (2024 is a leap year)
        Sub("back", 1000, date(2021, 1, 1), date(2021, 6, 1)),  # the first paid day counts
        Sub("back", 1000, date(2024, 1, 1)),
        Sub("today", 1000, date(2023, 1, 1), date(2023, 1, 1)),  # serves nothing: not paid
        Sub("today", 1000, AS_OF),
    ]
    result = compute_health(_subs(rows), AS_OF, only("tenure_months"))
    assert value(result, "year", "tenure_months") == pytest.approx(366 / DAYS_PER_MONTH)
    assert points(result, "year", "tenure_months") == pytest.approx(100 * 366 / DAYS_PER_MONTH / 24)
    assert value(result, "back", "tenure_months") == pytest.approx((AS_OF - date(2021, 1, 1)).days / 30.4375)
    assert points(result, "back", "tenure_months") == 100.0  # beyond 24 months: clamped
    assert value(result, "today", "tenure_months") == 0.0
    assert points(result, "today", "tenure_months") == 0.0


def test_ticket_volume_against_plan_peers() -> None:
    rows = [
        Sub("a", 1000, OLD),
        Sub("b", 1000, OLD),
        Sub("c", 1000, OLD),
        Sub("d", 1000, OLD),
        Sub("gone", 1000, OLD, ahead(-1)),  # not active: not a peer
        Sub("solo", 1000, OLD, plan="Business"),
    ]
    tickets = [
        *[Ticket("a", local(ahead(-i))) for i in range(3)],
        Ticket("a", local(ahead(-90))),  # day 91 back: outside the window
        Ticket("a", local(ahead(1), 0, 30)),  # after as-of
        Ticket("b", local(ahead(-89))),  # the first day of the 90
        Ticket("d", local(AS_OF, 23, 30)),  # late on the as-of day, in TZ
        Ticket("d", local(ahead(-30))),
        *[Ticket("gone", local(ahead(-5))) for _ in range(10)],
        Ticket("solo", local(ahead(-200))),
        Ticket(None, local(ahead(-3))),  # no customer: nobody's
    ]
    result = compute_health(_subs(rows), AS_OF, only("ticket_volume"), tickets=_tickets(tickets))
    # Team: 3, 1, 0, 2 tickets → peer mean 1.5
    assert value(result, "a", "ticket_volume") == 2.0
    assert points(result, "a", "ticket_volume") == pytest.approx(50.0)
    assert value(result, "b", "ticket_volume") == pytest.approx(1 / 1.5)
    assert points(result, "b", "ticket_volume") == 100.0  # below good: clamped
    assert value(result, "c", "ticket_volume") == 0.0
    assert value(result, "d", "ticket_volume") == pytest.approx(2 / 1.5)
    assert value(result, "solo", "ticket_volume") == 0.0  # peer mean 0 → 0
    assert result.missing_inputs == ("surveys", "usage")


def test_ticket_volume_bounds() -> None:
    rows = [Sub("busy", 1000, OLD), Sub("calm", 1000, OLD)]
    tickets = [*[Ticket("busy", local(ahead(-1))) for _ in range(6)]]
    tickets += [Ticket("calm", local(ahead(-1))) for _ in range(2)]
    result = compute_health(_subs(rows), AS_OF, only("ticket_volume"), tickets=_tickets(tickets))
    # peer mean 4: busy 1.5, calm 0.5
    assert value(result, "busy", "ticket_volume") == 1.5
    assert points(result, "busy", "ticket_volume") == 75.0
    three = [*[Ticket("busy", local(ahead(-1))) for _ in range(3)]]
    result = compute_health(
        _subs(rows[:1]), AS_OF, only("ticket_volume", bad=1.0, good=0.0), tickets=_tickets(three)
    )
    assert value(result, "busy", "ticket_volume") == 1.0  # alone: its own mean
    assert points(result, "busy", "ticket_volume") == 0.0  # exactly bad


def test_unresolved_tickets_known_at_the_end_of_as_of() -> None:
    rows = [Sub(name, 1000, OLD) for name in ("open", "clean", "none", "three")]
    tickets = [
        Ticket("open", local(ahead(-400))),  # never solved, however old
        Ticket("open", local(ahead(-3)), solved=local(AS_OF, 23, 59)),  # solved on as-of
        Ticket("open", local(ahead(-3)), solved=local(ahead(1), 0, 10)),  # solved after as-of
        Ticket("open", local(ahead(-3)), resolution_minutes=60),  # duration-only export: solved
        Ticket("open", local(AS_OF, 23), resolution_minutes=120),  # solved only tomorrow
        Ticket("open", local(ahead(1))),  # created after as-of: not known
        Ticket("clean", local(ahead(-3)), solved=local(ahead(-2))),
        *[Ticket("three", local(ahead(-i))) for i in range(3)],
    ]
    result = compute_health(_subs(rows), AS_OF, only("unresolved_tickets"), tickets=_tickets(tickets))
    assert value(result, "open", "unresolved_tickets") == 3
    assert points(result, "open", "unresolved_tickets") == 0.0  # exactly bad
    assert value(result, "clean", "unresolved_tickets") == 0
    assert points(result, "clean", "unresolved_tickets") == 100.0  # exactly good
    assert value(result, "none", "unresolved_tickets") == 0  # no tickets at all: none open
    assert value(result, "three", "unresolved_tickets") == 3


def test_csat_share_of_satisfied_in_180_days() -> None:
    rows = [Sub(name, 1000, OLD) for name in ("mixed", "edge", "unrated", "happy")]
    tickets = [
        *[Ticket("mixed", local(ahead(-10)), csat=score) for score in (5, 4, 3, 1)],
        Ticket("mixed", local(ahead(-10))),  # not rated
        Ticket("edge", local(ahead(-179)), csat=2),  # the first day of the 180
        Ticket("edge", local(ahead(-180)), csat=5),  # outside
        Ticket("edge", local(ahead(-1)), csat=4),
        *[Ticket("edge", local(ahead(-1)), csat=5) for _ in range(8)],  # 9 of 10 satisfied
        Ticket("unrated", local(ahead(-1))),
        Ticket("happy", local(ahead(1)), csat=1),  # created after as-of
        Ticket("happy", local(ahead(-2)), csat=4),
    ]
    result = compute_health(_subs(rows), AS_OF, only("csat"), tickets=_tickets(tickets))
    assert value(result, "mixed", "csat") == 0.5
    assert points(result, "mixed", "csat") == 0.0  # exactly bad
    assert value(result, "edge", "csat") == 0.9  # 9 of 10
    assert points(result, "edge", "csat") == 100.0  # exactly good
    assert value(result, "happy", "csat") == 1.0
    assert points(result, "happy", "csat") == 100.0
    assert value(result, "unrated", "csat") is None
    assert points(result, "unrated", "csat") is None


def test_nps_latest_answer_within_365_days() -> None:
    rows = [Sub(name, 1000, OLD) for name in ("changed", "edge", "stale", "tied", "future")]
    answers = [
        Answer("changed", local(ahead(-100)), 10),
        Answer("changed", local(ahead(-3)), 6),  # the latest: exactly bad
        Answer("edge", local(ahead(-364)), 9),  # the first day of the 365
        Answer("stale", local(ahead(-365)), 10),  # outside
        Answer("tied", local(ahead(-1), 9), 7),
        Answer("tied", local(ahead(-1), 9), 10),  # same instant: the mean, 8.5
        Answer("tied", local(ahead(-1), 8), 0),
        Answer("future", local(AS_OF, 23, 30), 9),  # late on as-of in TZ: known
        Answer("future", local(ahead(1), 0, 30), 0),  # tomorrow: not known
    ]
    result = compute_health(_subs(rows), AS_OF, only("nps"), surveys=_surveys(answers))
    assert value(result, "changed", "nps") == 6
    assert points(result, "changed", "nps") == 0.0
    assert value(result, "edge", "nps") == 9
    assert points(result, "edge", "nps") == 100.0
    assert value(result, "stale", "nps") is None
    assert value(result, "tied", "nps") == 8.5
    assert points(result, "tied", "nps") == pytest.approx(100 * 2.5 / 3)
    assert value(result, "future", "nps") == 9
    assert result.missing_inputs == ("tickets", "usage")


def test_usage_latest_date_within_90_days_summed() -> None:
    rows = [Sub(name, 1000, OLD) for name in ("seats", "edge", "stale", "low", "full")]
    usage = [
        Use("seats", ahead(-20), 50, 50),
        Use("seats", ahead(-2), 10, 40),  # the latest date: two rows summed, 30 / 50
        Use("seats", ahead(-2), 20, 10),
        Use("seats", ahead(1), 0, 10),  # after as-of
        Use("edge", ahead(-89), 12, 20),  # the first day of the 90
        Use("stale", ahead(-90), 12, 20),  # outside
        Use("low", AS_OF, 2, 10),
        Use("full", AS_OF, 15, 10),  # over the limit
    ]
    result = compute_health(_subs(rows), AS_OF, only("usage"), usage=_usage(usage))
    assert value(result, "seats", "usage") == 0.6
    assert points(result, "seats", "usage") == 100.0  # exactly good
    assert value(result, "edge", "usage") == 0.6
    assert value(result, "stale", "usage") is None
    assert value(result, "low", "usage") == 0.2
    assert points(result, "low", "usage") == 0.0  # exactly bad
    assert value(result, "full", "usage") == 1.5
    assert points(result, "full", "usage") == 100.0


def test_renewal_days_to_the_nearest_coming_expiry() -> None:
    rows = [
        Sub("today", 1000, OLD, expires=AS_OF),  # last valid day is as-of: 0 days
        Sub("quarter", 1000, OLD, expires=ahead(90)),
        Sub("two", 1000, OLD, expires=ahead(40)),
        Sub("two", 1000, OLD, expires=ahead(20), plan="Seats"),  # the nearer one
        Sub("two", 0, OLD, expires=ahead(2), plan="Free"),  # MRR 0: not a licence
        Sub("two", 1000, OLD, ahead(-1), expires=ahead(1)),  # not serving
        Sub("past", 1000, OLD, expires=ahead(-1)),  # already past: missing
        Sub("none", 1000, OLD),
    ]
    result = compute_health(_subs(rows), AS_OF, only("renewal_days"))
    assert value(result, "today", "renewal_days") == 0
    assert points(result, "today", "renewal_days") == 0.0
    assert value(result, "quarter", "renewal_days") == 90
    assert points(result, "quarter", "renewal_days") == 100.0
    assert value(result, "two", "renewal_days") == 20
    assert value(result, "past", "renewal_days") is None
    assert value(result, "none", "renewal_days") is None


# --- the score -----------------------------------------------------------------------------------


def _three_customers() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    subs = [
        Sub("alpha", 10000, date(2022, 3, 10), expires=ahead(45)),
        Sub("beta", 5000, date(2024, 1, 2)),
        Sub("gamma", 40000, date(2023, 1, 1), date(2024, 1, 15), plan="Business"),
        Sub("gamma", 20000, date(2024, 1, 15), plan="Business"),
    ]
    tickets = [
        Ticket("alpha", local(ahead(-5)), solved=local(ahead(-4)), csat=5),
        Ticket("alpha", local(ahead(-6)), solved=local(ahead(-4)), csat=4),
        Ticket("alpha", local(ahead(-7)), csat=2),
        Ticket("beta", local(ahead(-1))),
        *[Ticket("gamma", local(ahead(-100))) for _ in range(4)],
    ]
    answers = [Answer("alpha", local(ahead(-30)), 8), Answer("gamma", local(ahead(-30)), 3)]
    usage = [Use("alpha", ahead(-3), 30, 50), Use("beta", ahead(-3), 9, 10)]
    return _subs(subs), _tickets(tickets), _surveys(answers), _usage(usage)


def _by_hand(parts: dict[str, tuple[int, Fraction]]) -> tuple[float, dict[str, float]]:
    """Score and points from {signal: (weight, sub-score)} of the present signals."""
    total = sum(weight for weight, _ in parts.values())
    shares = {name: Fraction(100 * weight) * s / total for name, (weight, s) in parts.items()}
    return float(sum(shares.values())), {name: float(share) for name, share in shares.items()}


def test_full_scores_by_hand() -> None:
    subs, tickets, surveys, usage = _three_customers()
    result = compute_health(subs, AS_OF, tickets=tickets, surveys=surveys, usage=usage)
    assert result.missing_inputs == ()
    tenure_days = {"alpha": 731, "beta": 68, "gamma": 434}
    expected = {
        # every signal present: Σ weight = 100
        "alpha": {
            "mrr_change": (20, Fraction(25, 35)),  # 0 %
            "tenure_months": (10, Fraction(1)),  # 731 days > 24 months
            "ticket_volume": (10, Fraction(3, 4)),  # 3 / mean(3, 1) = 1.5
            "unresolved_tickets": (10, Fraction(2, 3)),  # 1
            "csat": (15, Fraction(5, 12)),  # 2 of 3 satisfied
            "nps": (15, Fraction(2, 3)),  # 8
            "usage": (15, Fraction(1)),  # 30 / 50 = 0.6
            "renewal_days": (5, Fraction(1, 2)),  # 45 days
        },
        # new (no MRR 3 months ago), no ratings, no answer, no expiry: Σ weight = 45
        "beta": {
            "tenure_months": (10, Fraction(68) / Fraction("730.5")),
            "ticket_volume": (10, Fraction(1)),  # 1 / 2 = 0.5: better than good
            "unresolved_tickets": (10, Fraction(2, 3)),
            "usage": (15, Fraction(1)),  # 0.9
        },
        # MRR halved, alone on Business with no recent ticket, 4 open, NPS 3: Σ weight = 65
        "gamma": {
            "mrr_change": (20, Fraction(0)),
            "tenure_months": (10, Fraction(434) / Fraction("730.5")),
            "ticket_volume": (10, Fraction(1)),  # peer mean 0 → 0
            "unresolved_tickets": (10, Fraction(0)),
            "nps": (15, Fraction(0)),
        },
    }
    for customer, parts in expected.items():
        score, shares = _by_hand(parts)
        row = _get(result, customer)
        assert row.score == pytest.approx(score, rel=1e-12), customer
        for name in SIGNAL_NAMES:
            signal = row.signal(name)
            if name in shares:
                assert signal.points == pytest.approx(shares[name], rel=1e-12, abs=1e-12), (customer, name)
            else:
                assert signal.value is None and signal.points is None, (customer, name)
        present = [p for p in row.points if p is not None]
        assert sum(present) == pytest.approx(row.score, rel=1e-12)
        assert _get(result, customer).signal("tenure_months").value == pytest.approx(
            tenure_days[customer] / DAYS_PER_MONTH
        )
    assert _get(result, "alpha").score == pytest.approx(72.20238095238095)
    assert _ids(result.customers) == ["gamma", "alpha", "beta"]  # lowest score first
    assert _ids(result.at_risk) == ["gamma"]
    assert _ids(result.upsell) == ["beta"]  # usage 0.9 and score 72.4; alpha's usage is 0.6


def test_signals_view_matches_the_tuples() -> None:
    subs, tickets, surveys, usage = _three_customers()
    row = _get(compute_health(subs, AS_OF, tickets=tickets, surveys=surveys, usage=usage), "alpha")
    signals = row.signals
    assert tuple(signals) == SIGNAL_NAMES
    assert [s.value for s in signals.values()] == list(row.values)
    assert [s.points for s in signals.values()] == list(row.points)
    assert signals["nps"].weight == 15 and signals["nps"].bad == 6 and signals["nps"].good == 9
    assert signals["nps"].sub_score == pytest.approx(2 / 3)
    with pytest.raises(KeyError):
        row.signal("happiness")


def test_a_missing_signal_reweights_the_others() -> None:
    subs, tickets, surveys, usage = _three_customers()
    result = compute_health(subs, AS_OF, tickets=tickets, surveys=surveys, usage=usage)
    without_nps = compute_health(
        subs, AS_OF, rules_with(weights={"nps": 0}), tickets=tickets, surveys=surveys, usage=usage
    )
    # beta answered no survey: the same score as with the nps weight removed
    assert _get(result, "beta").score == pytest.approx(_get(without_nps, "beta").score, rel=1e-12)
    # and as if no surveys were given at all, which makes nps missing for everyone
    no_surveys = compute_health(subs, AS_OF, tickets=tickets, usage=usage)
    assert no_surveys.missing_inputs == ("surveys",)
    for customer in ("alpha", "beta", "gamma"):
        assert _get(no_surveys, customer).signal("nps").value is None
        assert _get(no_surveys, customer).score == pytest.approx(_get(without_nps, customer).score, rel=1e-12)
    # a missing signal is not a zero: with an NPS of 6 (sub-score 0) beta would score lower
    detractor = _surveys([Answer("beta", local(ahead(-1)), 6)])
    zero = compute_health(subs, AS_OF, tickets=tickets, surveys=detractor, usage=usage)
    assert _get(zero, "beta").signal("nps").points == 0.0
    assert _get(zero, "beta").score < _get(result, "beta").score  # type: ignore[operator]


def test_weight_zero_shows_the_value_with_zero_points() -> None:
    subs, tickets, surveys, usage = _three_customers()
    rules = rules_with(weights={"nps": 0})
    result = compute_health(subs, AS_OF, rules, tickets=tickets, surveys=surveys, usage=usage)
    alpha = _get(result, "alpha").signal("nps")
    assert (alpha.value, alpha.points, alpha.weight) == (8, 0.0, 0)
    assert _get(result, "beta").signal("nps").points is None  # missing stays missing
    better = _surveys([Answer("alpha", local(ahead(-30)), 10)])
    again = compute_health(subs, AS_OF, rules, tickets=tickets, surveys=better, usage=usage)
    assert _get(again, "alpha").score == _get(result, "alpha").score


def test_no_weighted_signal_present_gives_no_score() -> None:
    result = compute_health(_subs([Sub("a", 1000, OLD)]), AS_OF, only("nps"))
    (row,) = result.customers
    assert row.score is None
    assert all(p is None for p in row.points)
    assert row.signal("tenure_months").value is not None  # values are still shown
    assert result.at_risk == () and result.upsell == ()


# --- the lists -----------------------------------------------------------------------------------


def test_at_risk_by_mrr_at_stake_then_customer_id() -> None:
    rows = [
        Sub("small", 1000, AS_OF),
        Sub("big", 9000, AS_OF),
        Sub("b_tie", 5000, AS_OF),
        Sub("a_tie", 5000, AS_OF),
        Sub("fine", 99999, OLD),
    ]
    result = compute_health(_subs(rows), AS_OF, only("tenure_months"))
    assert _ids(result.at_risk) == ["big", "a_tie", "b_tie", "small"]
    assert _ids(result.customers) == ["a_tie", "b_tie", "big", "small", "fine"]  # score 0 ties: by id


def test_list_thresholds_are_inclusive_where_documented() -> None:
    rows = [Sub(name, 1000 * (i + 1), OLD) for i, name in enumerate(("half", "three_q", "full"))]
    usage = [Use("half", AS_OF, 1, 2), Use("three_q", AS_OF, 3, 4), Use("full", AS_OF, 4, 4)]
    rules = only("usage", bad=0.0, good=1.0, at_risk_below=50, healthy_from=75, upsell_usage=0.75)
    result = compute_health(_subs(rows), AS_OF, rules, usage=_usage(usage))
    assert [row.score for row in result.customers] == [50.0, 75.0, 100.0]
    assert result.at_risk == ()  # 50 is not below 50
    assert _ids(result.upsell) == ["full", "three_q"]  # usage ≥ 0.75 and score ≥ 75, larger MRR first
    stricter = compute_health(_subs(rows), AS_OF, replace(rules, at_risk_below=50.5), usage=_usage(usage))
    assert _ids(stricter.at_risk) == ["half"]


def test_upsell_needs_a_usage_value() -> None:
    rows = [Sub("a", 1000, OLD, expires=ahead(200))]
    result = compute_health(_subs(rows), AS_OF, rules_with(upsell_usage=0))
    assert _get(result, "a").score > 70  # type: ignore[operator]
    assert result.upsell == ()  # no usage data: never an upsell candidate


def test_empty_inputs() -> None:
    result = compute_health(_subs([]), AS_OF, tickets=_tickets([]), surveys=_surveys([]), usage=_usage([]))
    assert result.customers == () and result.at_risk == () and result.upsell == ()
    lazy = compute_health(_subs([Sub("a", 1000, OLD)]).lazy(), AS_OF, tickets=_tickets([]).lazy())
    (row,) = lazy.customers
    assert row.signal("unresolved_tickets").value == 0 and row.signal("ticket_volume").value == 0
    assert row.signal("csat").value is None


# --- properties ----------------------------------------------------------------------------------

CUSTOMERS = [f"c{i}" for i in range(6)]
HOURS = st.sampled_from([h for h in range(24) if h != 2])  # 02:00 may not exist on a DST day in TZ


class Inputs(NamedTuple):
    subs: list[Sub]
    tickets: list[Ticket]
    answers: list[Answer]
    usage: list[Use]


@st.composite
def inputs(draw: st.DrawFn) -> Inputs:
    customer = st.sampled_from(CUSTOMERS)
    subs = []
    for _ in range(draw(st.integers(0, 10))):
        start = ahead(draw(st.integers(-900, 10)))
        end = None if draw(st.booleans()) else start + timedelta(days=draw(st.integers(0, 900)))
        expires = None if draw(st.booleans()) else ahead(draw(st.integers(-30, 200)))
        plan = draw(st.sampled_from(["Team", "Business", None]))
        subs.append(
            Sub(draw(customer), draw(st.sampled_from([0, 100, 2500, 9900])), start, end, plan, expires)
        )
    tickets = []
    for _ in range(draw(st.integers(0, 15))):
        created = local(ahead(draw(st.integers(-200, 3))), draw(HOURS))
        solved = None if draw(st.booleans()) else created + timedelta(hours=draw(st.integers(0, 200)))
        csat = draw(st.none() | st.integers(1, 5))
        tickets.append(Ticket(draw(customer), created, solved, csat))
    answers = [
        Answer(draw(customer), local(ahead(draw(st.integers(-400, 3))), draw(HOURS)), score)
        for score in draw(st.lists(st.integers(0, 10), max_size=8))
    ]
    usage = [
        Use(draw(customer), ahead(draw(st.integers(-100, 3))), float(used), float(draw(st.integers(1, 20))))
        for used in draw(st.lists(st.integers(0, 25), max_size=8))
    ]
    return Inputs(subs, tickets, answers, usage)


def _run(data: Inputs, rules: HealthRules = DEFAULT_RULES, *, shuffle: int | None = None) -> HealthResult:
    frames = [_subs(data.subs), _tickets(data.tickets), _surveys(data.answers), _usage(data.usage)]
    if shuffle is not None:
        frames = [frame.sample(fraction=1.0, shuffle=True, seed=shuffle) for frame in frames]
    subs, tickets, surveys, usage = frames
    return compute_health(subs, AS_OF, rules, tickets=tickets, surveys=surveys, usage=usage)


weights = st.fixed_dictionaries({name: st.sampled_from([0, 1, 5, 20]) for name in SIGNAL_NAMES}).filter(
    lambda given: any(given.values())
)


@settings(max_examples=80, deadline=None)
@given(data=inputs(), chosen=weights)
def test_scores_are_bounded_and_add_up(data: Inputs, chosen: dict[str, int]) -> None:
    rules = rules_with(weights=chosen)
    result = _run(data, rules)
    active = {
        s.customer
        for s in data.subs
        if s.start <= AS_OF and (s.end is None or s.end > AS_OF) and s.mrr > 0  # mrr is never negative
    }
    assert {row.customer_id for row in result.customers} == active
    for row in result.customers:
        assert row.mrr_cents > 0
        present = [p for p in row.points if p is not None]
        if row.score is None:
            assert present == []
            continue
        assert 0.0 <= row.score <= 100.0 + 1e-9
        assert sum(present) == pytest.approx(row.score, rel=1e-9, abs=1e-9)
        for name, signal in row.signals.items():
            assert (signal.value is None) == (signal.points is None), name
            if signal.points is not None and rules.signals[name].weight == 0:
                assert signal.points == 0.0
    keys = [(row.score is None, row.score or 0, row.customer_id) for row in result.customers]
    assert keys == sorted(keys)
    risky = [(-row.mrr_cents, row.customer_id) for row in result.at_risk]
    assert risky == sorted(risky)
    assert all(row.score is not None and row.score < rules.at_risk_below for row in result.at_risk)
    assert {row.customer_id for row in result.at_risk} == {
        row.customer_id
        for row in result.customers
        if row.score is not None and row.score < rules.at_risk_below
    }
    for row in result.upsell:
        usage = row.signal("usage").value
        assert usage is not None and usage >= rules.upsell_usage
        assert row.score is not None and row.score >= rules.healthy_from


@settings(max_examples=60, deadline=None)
@given(data=inputs(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(data: Inputs, seed: int) -> None:
    assert _run(data) == _run(data, shuffle=seed)


@settings(max_examples=60, deadline=None)
@given(data=inputs(), who=st.sampled_from(CUSTOMERS), raise_by=st.integers(1, 10))
def test_a_better_nps_answer_never_lowers_the_score(data: Inputs, who: str, raise_by: int) -> None:
    before = _run(data)
    mine = [a for a in data.answers if a.customer == who]
    better = [a._replace(score=min(a.score + raise_by, 10)) if a.customer == who else a for a in data.answers]
    after = _run(data._replace(answers=better))
    for row in before.customers:
        other = _get(after, row.customer_id)
        if row.customer_id != who or not mine:
            assert other == row
        elif row.score is not None:
            assert other.score is not None and other.score >= row.score - 1e-9


@settings(max_examples=60, deadline=None)
@given(data=inputs(), who=st.sampled_from(CUSTOMERS), used=st.integers(1, 20))
def test_more_usage_never_lowers_the_score(data: Inputs, who: str, used: int) -> None:
    before = _run(data)
    more = [u._replace(used=u.used + used) if u.customer == who else u for u in data.usage]
    after = _run(data._replace(usage=more))
    for row in before.customers:
        if row.score is not None:
            score = _get(after, row.customer_id).score
            assert score is not None and score >= row.score - 1e-9
