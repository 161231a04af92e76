"""Generate the demo dataset behind `csm --demo`.

    uv run python -m csmetrics.data.make_demo

writes subscriptions.csv, tickets.csv, surveys.csv, customers.csv (a CRM export) and usage.csv
next to this file. The output is a
pure function of SEED (stdlib `random.Random` only), so a rerun is byte-identical; the
tests regenerate into a temporary directory and compare.

The story: a Polish B2B SaaS (prices in PLN) with ~500 customers acquired between
DEMO_START and DEMO_END, a large first cohort so that there is a base from month one.
Every month each customer may churn, expand, contract, add or drop an "Extra Seats"
add-on; free users convert or leave; churned customers sometimes come back. Tickets and
NPS answers come from customers active on the day, more of them from bigger accounts.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TypeVar

from csmetrics.data import DEMO_DIR, DEMO_END, DEMO_START

# Picked among nearby seeds so that December 2025 (the default --demo period) shows at least
# three churned, new, expanded and contracted customers and a reactivation; tests guard it.
SEED = 20260104
CENT = Decimal("0.01")
CUTOFF = datetime(DEMO_END.year, DEMO_END.month, DEMO_END.day, 23, 59)  # export time

SUBSCRIPTION_COLUMNS = [
    "subscription_id",
    "customer_id",
    "plan",
    "mrr",
    "currency",
    "started_at",
    "ended_at",
    "cancel_reason",
    "registered_at",
    "expires_at",
    "industry",
    "company_size",
]
TICKET_COLUMNS = [
    "ticket_id",
    "customer_id",
    "created_at",
    "first_response_at",
    "solved_at",
    "status",
    "replies",
    "channel",
    "agent",
    "csat",
    "type",
]
SURVEY_COLUMNS = ["response_id", "customer_id", "responded_at", "score", "comment"]
CUSTOMER_COLUMNS = ["customer_id", "name", "industry", "company_size", "owner", "registered_at"]
USAGE_COLUMNS = ["customer_id", "date", "used", "limit"]


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Plan:
    """A price-list entry; `unit_mrr` is per licence pack (rows may hold several)."""

    name: str
    unit_mrr: Decimal
    tier: int
    annual: bool = False


def _monthly(annual_price: int) -> Decimal:
    """MRR of an annual price: ÷12, rounded half-even to cents (SPEC §1)."""
    return (Decimal(annual_price) / 12).quantize(CENT, rounding=ROUND_HALF_EVEN)


FREE = Plan("Free", Decimal("0.00"), 0)
STARTER = Plan("Starter", Decimal("99.00"), 1)
TEAM = Plan("Team", Decimal("299.00"), 2)
TEAM_ANNUAL = Plan("Team Annual", _monthly(3290), 2, annual=True)
BUSINESS = Plan("Business", Decimal("799.00"), 3)
BUSINESS_ANNUAL = Plan("Business Annual", _monthly(8790), 3, annual=True)
ENTERPRISE = Plan("Enterprise", _monthly(29880), 4, annual=True)
EXTRA_SEATS = Plan("Extra Seats", Decimal("49.00"), 0)  # add-on, per seat

SEATED = (TEAM, TEAM_ANNUAL, BUSINESS, BUSINESS_ANNUAL)
UPGRADE = {
    STARTER: TEAM,
    TEAM: BUSINESS,
    BUSINESS: ENTERPRISE,
    TEAM_ANNUAL: BUSINESS_ANNUAL,
    BUSINESS_ANNUAL: ENTERPRISE,
}
DOWNGRADE = {STARTER: FREE, TEAM: STARTER, BUSINESS: TEAM}  # any month
RENEWAL_DOWNGRADE = {BUSINESS_ANNUAL: TEAM_ANNUAL, ENTERPRISE: BUSINESS_ANNUAL}
COMEBACK = {1: STARTER, 2: TEAM, 3: BUSINESS, 4: BUSINESS}  # by tier of the last plan
TO_ANNUAL = {TEAM: TEAM_ANNUAL, BUSINESS: BUSINESS_ANNUAL}

COMPANY_SIZES = {"1-10": 40, "11-50": 33, "51-200": 19, "201-1000": 8}
INDUSTRIES = {
    "SaaS": 30,
    "E-commerce": 22,
    "Fintech": 14,
    "Healthcare": 10,
    "Education": 12,
    "Manufacturing": 12,
}
FIRST_PLAN = {  # company size -> weights of the first plan; bigger companies buy more
    "1-10": {FREE: 30, STARTER: 45, TEAM: 20, TEAM_ANNUAL: 5},
    "11-50": {FREE: 15, STARTER: 25, TEAM: 35, TEAM_ANNUAL: 10, BUSINESS: 10},
    "51-200": {
        FREE: 5,
        STARTER: 5,
        TEAM: 28,
        TEAM_ANNUAL: 10,
        BUSINESS: 30,
        BUSINESS_ANNUAL: 14,
        ENTERPRISE: 8,
    },
    "201-1000": {TEAM: 10, BUSINESS: 35, BUSINESS_ANNUAL: 20, ENTERPRISE: 35},
}
CANCEL_REASONS = {
    "too_expensive": 26,
    "missing_features": 17,
    "switched_service": 15,
    "unused": 14,
    "other": 10,
    "too_complex": 8,
    "customer_service": 5,
    "low_quality": 5,
}

MONTHLY_CHURN = {STARTER: 0.042, TEAM: 0.028, BUSINESS: 0.018}
RENEWAL_CHURN = {TEAM_ANNUAL: 0.16, BUSINESS_ANNUAL: 0.12, ENTERPRISE: 0.08}
EXPAND_P = 0.011  # per month, main subscription (plus add-ons: ~4 % a quarter)
CONTRACT_P = 0.0065  # per month, monthly plans (plus add-on drops: ~2 % a quarter)
REACTIVATE_P = 0.012  # per month, for a churned paying customer gone 2+ months


# ------------------------------------------------------------------- small helpers


T = TypeVar("T")


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    """One key of `weights`, drawn with the given weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    """(first day, first day of next month) for every month from start's to end's."""
    month = date(start.year, start.month, 1)
    while month <= end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        yield month, following
        month = following


def _add_year(day: date) -> date:
    """Same day next year; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def _term_end(start: date) -> date:
    """Last valid day (inclusive) of an annual term starting on `start`."""
    return _add_year(start) - timedelta(days=1)


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's Poisson sampler (fine for the small rates used here)."""
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# ------------------------------------------------------------------- subscriptions


@dataclass
class Row:
    """One interval of constant MRR of one subscription."""

    subscription_id: str
    plan: Plan
    quantity: int
    started_at: date
    ended_at: date | None = None
    cancel_reason: str = ""
    expires_at: date | None = None

    @property
    def mrr(self) -> Decimal:
        return self.plan.unit_mrr * self.quantity

    def serves(self, day: date) -> bool:
        """True when the row serves at the end of `day`."""
        return self.started_at <= day and (self.ended_at is None or day < self.ended_at)


@dataclass
class Customer:
    """A customer account with its subscription rows and simulation state."""

    customer_id: str
    industry: str
    company_size: str
    registered_at: date
    rows: list[Row] = field(default_factory=list)
    main: Row | None = None  # the open row of the main subscription
    addon: Row | None = None  # the open row of an Extra Seats add-on
    last_paid: Plan | None = None
    churned_on: date | None = None
    reactivations: int = 0

    def mrr_on(self, day: date) -> Decimal:
        """Customer MRR at the end of `day` (SPEC §3)."""
        return sum((r.mrr for r in self.rows if r.serves(day)), Decimal(0))


class SubscriptionSimulator:
    """Month-by-month simulation of acquisition, churn, expansion and contraction."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.customers: list[Customer] = []
        self._next_subscription = 1

    def run(self) -> list[Customer]:
        """Simulate DEMO_START..DEMO_END and return the customers."""
        for index, (first, following) in enumerate(_months(DEMO_START, DEMO_END)):
            for customer in self.customers:
                self._step(customer, first, following)
            for _ in range(self._acquisitions(index)):
                self._acquire(first, following)
        return self.customers

    # -- building blocks

    def _new_id(self) -> str:
        sid = f"S{self._next_subscription:05d}"
        self._next_subscription += 1
        return sid

    def _open(self, c: Customer, sid: str, plan: Plan, qty: int, day: date) -> Row:
        row = Row(sid, plan, qty, day, expires_at=_term_end(day) if plan.annual else None)
        c.rows.append(row)
        if plan.tier > 0:
            c.last_paid = plan
        return row

    def _change(self, c: Customer, row: Row, plan: Plan, qty: int, day: date) -> Row:
        """A plan or seat change: close `row` on `day`, continue the same subscription."""
        row.ended_at = day
        new = self._open(c, row.subscription_id, plan, qty, day)
        if plan.annual and row.plan.annual and plan.tier == row.plan.tier:
            new.expires_at = row.expires_at  # seats added mid-term keep the term
        return new

    def _reason(self) -> str:
        return "" if self.rng.random() < 0.15 else _pick(self.rng, CANCEL_REASONS)

    def _churn(self, c: Customer, day: date, reason: str | None = None) -> None:
        """The customer cancels everything on `day`."""
        reason = self._reason() if reason is None else reason
        for row in (c.main, c.addon):
            if row is not None:
                row.ended_at, row.cancel_reason = day, reason
        c.main = c.addon = None
        c.churned_on = day

    def _event_day(self, first: date, following: date, after: date) -> date | None:
        """When this month's event happens: usually the 1st, else mid-month."""
        if self.rng.random() < 0.7:
            day = first
        else:
            day = first + timedelta(days=self.rng.randrange(1, (following - first).days))
        return day if day > after else None

    # -- acquisition

    def _acquisitions(self, month_index: int) -> int:
        """New customers per month: a big first cohort, then a slowly falling inflow."""
        if month_index == 0:
            return 80
        return max(6, round(20 - month_index / 3 + self.rng.gauss(0, 2.5)))

    def _acquire(self, first: date, following: date) -> None:
        rng = self.rng
        start = first + timedelta(days=rng.randrange((following - first).days))
        size = _pick(rng, COMPANY_SIZES)
        registered = start - timedelta(days=0 if rng.random() < 0.4 else rng.randint(1, 20))
        c = Customer(f"C{len(self.customers) + 1:04d}", _pick(rng, INDUSTRIES), size, registered)
        plan = _pick(rng, FIRST_PLAN[size])
        c.main = self._open(c, self._new_id(), plan, self._seats(plan, size), start)
        self.customers.append(c)

    def _seats(self, plan: Plan, size: str) -> int:
        """Licence packs on a first row: bigger companies sometimes buy several."""
        if plan not in SEATED:
            return 1
        big = size in ("51-200", "201-1000")
        return _pick(self.rng, {1: 70, 2: 20, 3: 10} if big else {1: 90, 2: 10})

    # -- monthly step

    def _step(self, c: Customer, first: date, following: date) -> None:
        if c.main is None:
            self._maybe_reactivate(c, first, following)
        elif c.main.plan is FREE:
            self._step_free(c, first, following)
        elif c.main.plan.annual:
            self._step_annual(c, first, following)
        else:
            self._step_monthly(c, first, following)
        if c.main is not None and c.main.plan.tier >= 2:
            self._step_addon(c, first, following)

    def _step_free(self, c: Customer, first: date, following: date) -> None:
        """Free users convert (mostly in their first half-year), leave, or stay."""
        row = c.main
        assert row is not None
        day = self._event_day(first, following, row.started_at)
        if day is None:
            return
        young = (first - row.started_at).days < 183
        r = self.rng.random()
        if r < (0.07 if young else 0.012):
            plan = _pick(self.rng, {STARTER: 60, TEAM: 35, BUSINESS: 5})
            c.main = self._change(c, row, plan, 1, day)
        elif r < (0.09 if young else 0.027):
            self._churn(c, day, "" if self.rng.random() < 0.3 else "unused")

    def _step_monthly(self, c: Customer, first: date, following: date) -> None:
        row = c.main
        assert row is not None
        day = self._event_day(first, following, row.started_at)
        if day is None:
            return
        churn = MONTHLY_CHURN[row.plan]
        r = self.rng.random()
        if r < churn:
            self._churn(c, day)
        elif r < churn + EXPAND_P:
            self._expand(c, row, day)
        elif r < churn + EXPAND_P + CONTRACT_P:
            self._contract(c, row, day)

    def _step_annual(self, c: Customer, first: date, following: date) -> None:
        """Annual plans churn or downgrade only at renewal; they may upgrade any time."""
        row = c.main
        assert row is not None and row.expires_at is not None
        renewal = row.expires_at + timedelta(days=1)
        r = self.rng.random()
        if first <= renewal < following:
            churn = RENEWAL_CHURN[row.plan]
            if r < churn:
                self._churn(c, renewal)
            elif r < churn + 0.3 and renewal > DEMO_END - timedelta(days=60):
                pass  # renewal invoice still open at export time: expires_at lapses
            elif r < churn + 0.06 and row.plan in RENEWAL_DOWNGRADE:
                c.main = self._change(c, row, RENEWAL_DOWNGRADE[row.plan], 1, renewal)
            else:
                row.expires_at = _term_end(renewal)
        elif r < EXPAND_P:
            day = self._event_day(first, following, row.started_at)
            if day is not None:
                self._expand(c, row, day)

    def _expand(self, c: Customer, row: Row, day: date) -> None:
        if row.plan in SEATED and row.quantity < 4 and self.rng.random() < 0.35:
            c.main = self._change(c, row, row.plan, row.quantity + 1, day)
        elif row.plan in UPGRADE:
            c.main = self._change(c, row, UPGRADE[row.plan], 1, day)

    def _contract(self, c: Customer, row: Row, day: date) -> None:
        r = self.rng.random()
        if row.quantity > 1 and r < 0.5:
            c.main = self._change(c, row, row.plan, row.quantity - 1, day)
        elif row.plan in TO_ANNUAL and r > 0.85:  # cheaper per month when paid yearly
            c.main = self._change(c, row, TO_ANNUAL[row.plan], row.quantity, day)
        else:
            c.main = self._change(c, row, DOWNGRADE[row.plan], 1, day)
        if c.addon is not None and c.main.plan.tier < 2:  # add-on needs Team or up
            c.addon.ended_at, c.addon = day, None

    def _step_addon(self, c: Customer, first: date, following: date) -> None:
        """Extra Seats: a parallel subscription, bought, resized and dropped."""
        rng = self.rng
        if c.addon is None:
            if rng.random() < 0.005:
                day = first + timedelta(days=rng.randrange((following - first).days))
                if c.main is not None and day > c.main.started_at:
                    c.addon = self._open(c, self._new_id(), EXTRA_SEATS, rng.randint(1, 5), day)
            return
        when = self._event_day(first, following, c.addon.started_at)
        r = rng.random()
        if when is None or r > 0.06:
            return
        if r < 0.03 or (c.addon.quantity == 1 and r < 0.045):
            c.addon.ended_at, c.addon.cancel_reason = when, self._reason()
            c.addon = None
        else:
            qty = c.addon.quantity + (1 if r < 0.045 else -1)
            c.addon = self._change(c, c.addon, EXTRA_SEATS, qty, when)

    def _maybe_reactivate(self, c: Customer, first: date, following: date) -> None:
        """A churned paying customer comes back with a new subscription."""
        if c.churned_on is None or c.last_paid is None or c.reactivations >= 2:
            return
        if (first - c.churned_on).days < 60 or self.rng.random() >= REACTIVATE_P:
            return
        day = first + timedelta(days=self.rng.randrange((following - first).days))
        plan = COMEBACK[c.last_paid.tier]
        if self.rng.random() < 0.3 and DOWNGRADE[plan] is not FREE:
            plan = DOWNGRADE[plan]
        c.main = self._open(c, self._new_id(), plan, 1, day)
        c.reactivations += 1


def subscription_rows(customers: Sequence[Customer]) -> list[dict[str, str]]:
    """CSV rows, ordered by customer, start day and subscription."""
    out = []
    for c in customers:
        for row in sorted(c.rows, key=lambda r: (r.started_at, r.subscription_id)):
            out.append(
                {
                    "subscription_id": row.subscription_id,
                    "customer_id": c.customer_id,
                    "plan": row.plan.name,
                    "mrr": f"{row.mrr.quantize(CENT)}",
                    "currency": "PLN",
                    "started_at": row.started_at.isoformat(),
                    "ended_at": row.ended_at.isoformat() if row.ended_at else "",
                    "cancel_reason": row.cancel_reason,
                    "registered_at": c.registered_at.isoformat(),
                    "expires_at": row.expires_at.isoformat() if row.expires_at else "",
                    "industry": c.industry,
                    "company_size": c.company_size,
                }
            )
    return out


# ------------------------------------------------------------------------- tickets

AGENTS = {"Anna": 24, "Piotr": 20, "Kasia": 18, "Marek": 15, "Ola": 13, "Tomasz": 10}
CHANNELS = {"email": 45, "web": 25, "chat": 22, "phone": 8}
TICKET_TYPES = {
    "question": 40,
    "bug": 20,
    "billing": 16,
    "feature_request": 13,
    "improvement": 11,
}
FIRST_RESPONSE_MEDIAN = {"chat": 3, "phone": 5, "web": 150, "email": 180}  # minutes
SOLVE_MEDIAN = {  # minutes after the first response
    "question": 120,
    "billing": 240,
    "bug": 1440,
    "feature_request": 960,
    "improvement": 2880,
}
REPLIES_SOLVED = {1: 40, 2: 24, 3: 15, 4: 9, 5: 5, 6: 3, 7: 2, 8: 2}
CSAT = {5: 52, 4: 24, 3: 9, 2: 6, 1: 9}


def _ticket_rate(mrr: Decimal) -> float:
    """Expected tickets per customer-month: bigger plans ask more."""
    if mrr == 0:
        return 0.12
    if mrr < 200:
        return 0.45
    if mrr < 700:
        return 0.8
    if mrr < 2000:
        return 1.3
    return 2.2


def _working(moment: datetime) -> bool:
    """Mon–Fri 07:00–17:00 UTC."""
    return moment.weekday() < 5 and 7 <= moment.hour < 17


def _next_working(moment: datetime) -> datetime:
    """The moment itself inside working hours, else the next opening (07:00 UTC)."""
    if _working(moment):
        return moment
    day = moment.date() + timedelta(days=0 if moment.hour < 7 else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 7, 0)


def _created_at(rng: random.Random, days: Sequence[date]) -> datetime:
    """A creation time on one of `days`: mostly European working hours."""
    weights = [1.0 if d.weekday() < 5 else 0.12 for d in days]
    day = rng.choices(days, weights=weights)[0]
    if day.weekday() >= 5:
        hour = rng.randint(8, 20)
    elif rng.random() < 0.86:
        hour = rng.randint(7, 16)
    else:
        hour = rng.choice([5, 6, 17, 18, 19, 20, 21, 22])
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60))


def _minutes(rng: random.Random, median: float, sigma: float, cap: int) -> timedelta:
    """A log-normal duration in whole minutes, between 1 and `cap`."""
    value = rng.lognormvariate(math.log(median), sigma)
    return timedelta(minutes=max(1, min(cap, round(value))))


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _ticket(rng: random.Random, customer_id: str, created: datetime) -> dict[str, str]:
    """One ticket; responses and solutions after the export time are not known yet."""
    channel, kind = _pick(rng, CHANNELS), _pick(rng, TICKET_TYPES)
    responded = solved = None
    if rng.random() >= 0.03:
        clock = created if channel == "phone" else _next_working(created)
        sigma = 0.9 if channel in ("chat", "phone") else 1.2
        responded = clock + _minutes(rng, FIRST_RESPONSE_MEDIAN[channel], sigma, 4320)
        if responded > CUTOFF:
            responded = None
    if responded is not None and rng.random() < 0.93:
        scale = 0.3 if channel == "chat" else 1.0
        solved = responded + _minutes(rng, SOLVE_MEDIAN[kind] * scale, 1.2, 30240)
        if solved > CUTOFF:
            solved = None
    if solved is not None:
        status = "closed" if CUTOFF - solved > timedelta(days=4) else "solved"
        replies = _pick(rng, REPLIES_SOLVED)
        csat = str(_pick(rng, CSAT)) if rng.random() < 0.33 else ""
    else:
        status = "pending" if responded is not None and rng.random() < 0.5 else "open"
        replies = rng.randint(1, 3) if responded is not None else 0
        csat = ""
    return {
        "customer_id": customer_id,
        "created_at": _iso(created),
        "first_response_at": _iso(responded),
        "solved_at": _iso(solved),
        "status": status,
        "replies": str(replies),
        "channel": channel,
        "agent": _pick(rng, AGENTS),
        "csat": csat,
        "type": kind,
    }


def ticket_rows(customers: Sequence[Customer], rng: random.Random) -> list[dict[str, str]]:
    """Tickets month by month from customers active on the day, ordered by creation."""
    tickets: list[tuple[datetime, str, dict[str, str]]] = []
    for first, following in _months(DEMO_START, DEMO_END):
        month_days = [first + timedelta(days=i) for i in range((following - first).days)]
        for c in customers:
            days = [d for d in month_days if any(r.serves(d) for r in c.rows)]
            if not days:
                continue
            peak = max(c.mrr_on(d) for d in days)
            share = len(days) / len(month_days)
            for _ in range(_poisson(rng, _ticket_rate(peak) * share)):
                created = _created_at(rng, days)
                tickets.append((created, c.customer_id, _ticket(rng, c.customer_id, created)))
    tickets.sort(key=lambda t: (t[0], t[1]))
    return [{"ticket_id": str(10001 + i), **t[2]} for i, t in enumerate(tickets)]


# ------------------------------------------------------------------------- surveys

PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"
SCORES = {
    PROMOTER: {9: 50, 10: 50},
    PASSIVE: {7: 45, 8: 55},
    DETRACTOR: {0: 3, 1: 2, 2: 3, 3: 5, 4: 7, 5: 12, 6: 14},
}
MOOD = {  # the customer's mood; at risk = churns within 180 days of answering
    "happy": {PROMOTER: 48, PASSIVE: 37, DETRACTOR: 15},
    "at_risk": {PROMOTER: 15, PASSIVE: 30, DETRACTOR: 55},
}
COMMENT_P = {PROMOTER: 0.27, PASSIVE: 0.25, DETRACTOR: 0.45}
COMMENTS = {
    PROMOTER: [
        "Great support, fast answers",
        "Saves us hours every week",
        "Easy to set up and the team loves it",
        "Świetne wsparcie, szybkie odpowiedzi",
        "Bardzo intuicyjne narzędzie",
        "Polecam, działa bez zarzutu",
        'The "Reports" tab alone is worth it',
    ],
    PASSIVE: [
        "Good, but reporting could be better",
        "Works fine; the mobile app is slow",
        "Solid product, a bit pricey",
        "Dobre, ale brakuje integracji z Allegro",
        "Ok, choć interfejs mógłby być prostszy",
        "Would like more export options (CSV, XLSX)",
    ],
    DETRACTOR: [
        "Too expensive for what we use",
        "Support took days to reply",
        "Missing features we need, looking at alternatives",
        "Za drogie, rozważamy inne rozwiązanie",
        "Wolne działanie i częste błędy",
        "Brakuje funkcji, o które prosiliśmy",
        'Billing was a mess: charged twice, "refund pending" for weeks',
    ],
}


def _spells(c: Customer) -> list[tuple[date, date]]:
    """Continuous active intervals [start, end) of a customer, capped at DEMO_END+1."""
    end_cap = DEMO_END + timedelta(days=1)
    intervals = sorted((r.started_at, r.ended_at or end_cap) for r in c.rows)
    spells: list[tuple[date, date]] = []
    for start, end in intervals:
        if spells and start <= spells[-1][1]:
            spells[-1] = (spells[-1][0], max(spells[-1][1], end))
        else:
            spells.append((start, end))
    return spells


def _churn_days(c: Customer) -> list[date]:
    """Days on which the customer's MRR dropped from > 0 to 0."""
    ends = sorted({r.ended_at for r in c.rows if r.ended_at is not None})
    return [d for d in ends if c.mrr_on(d - timedelta(days=1)) > 0 and c.mrr_on(d) == 0]


def _answer(rng: random.Random, at_risk: bool) -> tuple[int, str]:
    category = _pick(rng, MOOD["at_risk" if at_risk else "happy"])
    score = _pick(rng, SCORES[category])
    comment = rng.choice(COMMENTS[category]) if rng.random() < COMMENT_P[category] else ""
    return score, comment


def survey_rows(customers: Sequence[Customer], rng: random.Random) -> list[dict[str, str]]:
    """Relationship NPS: asked 30 days in and then about every 91 days while active."""
    answers: list[tuple[date, str, int, str]] = []
    for c in customers:
        churns = _churn_days(c)
        for start, end in _spells(c):
            asked = start + timedelta(days=30 + rng.randint(-5, 5))
            while asked < end:
                day = asked + timedelta(days=min(rng.randrange(7), rng.randrange(7)))
                rate = 0.62 if c.mrr_on(asked) > 0 else 0.3
                if day < end and day <= DEMO_END and rng.random() < rate:
                    at_risk = any(day < d <= day + timedelta(days=180) for d in churns)
                    answers.append((day, c.customer_id, *_answer(rng, at_risk)))
                asked += timedelta(days=91 + rng.randint(-7, 7))
    answers.sort(key=lambda a: (a[0], a[1]))
    return [
        {
            "response_id": f"R{i + 1:05d}",
            "customer_id": customer_id,
            "responded_at": day.isoformat(),
            "score": str(score),
            "comment": comment,
        }
        for i, (day, customer_id, score, comment) in enumerate(answers)
    ]


# ------------------------------------------------------------------------- CRM and usage

OWNERS = {"Magda": 35, "Bartek": 35, "Ewa": 30}
NAME_STARTS = ("Nowa", "Pol", "Tech", "Data", "Bio", "Eko", "Mega", "Smart", "Info", "Green")
NAME_ENDS = ("soft", "med", "sklep", "logistyka", "edu", "fin", "serwis", "tech", "lab", "media")
NAME_FORMS = ("sp. z o.o.", "S.A.", "s.c.", "sp.j.")
NEVER_PAID = 70  # CRM accounts that registered and never started a subscription

SEAT_LIMITS = {"Starter": 3, "Team": 10, "Team Annual": 10, "Business": 25, "Business Annual": 25}
ENTERPRISE_SEATS = 100
USAGE_MONTHS = 12  # usage snapshots for the last months of the demo


def _company_name(rng: random.Random, index: int) -> str:
    """A made-up Polish company name, unique by its number."""
    return f"{rng.choice(NAME_STARTS)}{rng.choice(NAME_ENDS)} {index} {rng.choice(NAME_FORMS)}"


def customer_rows(customers: Sequence[Customer], rng: random.Random) -> list[dict[str, str]]:
    """The CRM's companies: every billed customer with an owner, plus accounts that never paid."""
    rows = [
        {
            "customer_id": c.customer_id,
            "name": _company_name(rng, i + 1),
            "industry": c.industry,
            "company_size": c.company_size,
            "owner": _pick(rng, OWNERS),
            "registered_at": c.registered_at.isoformat(),
        }
        for i, c in enumerate(customers)
    ]
    span = (DEMO_END - DEMO_START).days
    for index in range(NEVER_PAID):
        number = len(customers) + index + 1
        rows.append(
            {
                "customer_id": f"C{number:04d}",
                "name": _company_name(rng, number),
                "industry": _pick(rng, INDUSTRIES),
                "company_size": _pick(rng, COMPANY_SIZES),
                "owner": _pick(rng, OWNERS),
                "registered_at": (DEMO_START + timedelta(days=rng.randrange(span))).isoformat(),
            }
        )
    return rows


def _seat_limit(c: Customer, day: date) -> int:
    """Seats the customer's paid rows allow at the end of `day` (add-on seats included)."""
    limit = 0
    for row in c.rows:
        if row.serves(day) and row.plan.tier > 0:
            per_pack = ENTERPRISE_SEATS if row.plan is ENTERPRISE else SEAT_LIMITS[row.plan.name]
            limit += per_pack * row.quantity
        elif row.serves(day) and row.plan is EXTRA_SEATS:
            limit += row.quantity
    return limit


def usage_rows(customers: Sequence[Customer], rng: random.Random) -> list[dict[str, str]]:
    """Seats in use at each month's end for paying customers; usage fades before a churn."""
    months = list(_months(DEMO_START, DEMO_END))[-USAGE_MONTHS:]
    out: list[tuple[date, str, int, int]] = []
    for c in customers:
        engagement = rng.betavariate(4, 2.5)
        churns = _churn_days(c)
        for _, following in months:
            day = following - timedelta(days=1)
            limit = _seat_limit(c, day)
            if limit == 0:
                continue
            fading = any(day < d <= day + timedelta(days=120) for d in churns)
            share = engagement * (0.45 if fading else 1.0) * rng.uniform(0.85, 1.15)
            used = max(1 if share > 0.05 else 0, min(limit, round(limit * share)))
            out.append((day, c.customer_id, used, limit))
    out.sort(key=lambda u: (u[0], u[1]))
    return [
        {"customer_id": customer_id, "date": day.isoformat(), "used": str(used), "limit": str(limit)}
        for day, customer_id, used, limit in out
    ]


# ------------------------------------------------------------------------- writing


def _write(path: Path, columns: Sequence[str], rows: Sequence[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_demo(out_dir: Path = DEMO_DIR, seed: int = SEED) -> dict[str, int]:
    """Write the demo CSVs into `out_dir`; returns the row count of each."""
    customers = SubscriptionSimulator(random.Random(seed)).run()
    tables = {
        "subscriptions": (SUBSCRIPTION_COLUMNS, subscription_rows(customers)),
        "tickets": (TICKET_COLUMNS, ticket_rows(customers, random.Random(seed + 1))),
        "surveys": (SURVEY_COLUMNS, survey_rows(customers, random.Random(seed + 2))),
        "customers": (CUSTOMER_COLUMNS, customer_rows(customers, random.Random(seed + 3))),
        "usage": (USAGE_COLUMNS, usage_rows(customers, random.Random(seed + 4))),
    }
    for kind, (columns, rows) in tables.items():
        _write(out_dir / f"{kind}.csv", columns, rows)
    return {kind: len(rows) for kind, (_, rows) in tables.items()}


def main() -> None:
    counts = write_demo()
    print(
        ", ".join(f"{kind}.csv: {n} rows" for kind, n in counts.items()),
        f"-> {DEMO_DIR}",
    )


if __name__ == "__main__":
    main()
