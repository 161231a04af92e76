"""Customer lifetime value and CAC payback (issue 9): what a customer is worth, and how fast the
money spent to win one comes back.

Rules:

- **ARPA** = MRR at the period's close ÷ customers active at the close (ChartMogul's ARPA, the
  ``arpa`` of SPEC §3). The close is the end of the period's last day, or of the as-of day when
  the period is not over yet (SPEC §2, like every one-period command). None (with a note) when
  nobody pays at the close. Money as an unrounded Decimal in major units.
- **Monthly churn** = the mean of the monthly logo churn rates (churned customers ÷ customers at
  the month's start, :class:`csmetrics.metrics.revenue.Bridge`) of the calendar months of the
  period: the months holding a day of the period, as ``csm trend --from/--to`` counts them. Only
  months that have ended by as-of count: the month in progress would give the churn of part of a
  month and make customers look like they stay longer; months after as-of are unknown. A month
  with no paying customer at its start has no rate and is left out of the mean. No month left →
  None (with a note).
- **Lifetime** = 1 ÷ monthly churn, in months. A monthly churn of 0 (nobody churned) gives no
  lifetime and no CLV: the lifetime is unbounded, and a note says so.
- **CLV** = ARPA × gross margin × lifetime = ARPA × margin ÷ monthly churn, an unrounded Decimal
  in major units: it is money and is shown as money. It is computed without floats: ARPA is
  cents ÷ customers in Decimal, the measured churn is the exact fraction (a mean of ratios of
  counts), a given margin or churn is read as written (0.8 is 8/10), so 150 ÷ (1/3) is 450, not
  450.0000000000000249.
- **CAC**: given (major units), or from spend: spend in the period ÷ new customers in the period,
  the new logos of each month of the period summed (each month as the bridge counts them: first
  paid month, never paid before; reactivations are not acquisitions; a customer who joins and
  leaves inside one month is no movement). Here the month in progress counts too (its closing
  state is as-of), since the spend given is what was spent so far. None when neither is given.
- **CAC payback** = CAC ÷ (ARPA × margin), in months; **LTV:CAC** = CLV ÷ CAC. Each is None when
  an input is None or the divisor is 0 (ARPA 0, or CAC 0 for LTV:CAC).
- **Overrides** (what-if): ``arpa`` and ``monthly_churn`` replace the measured values; with both
  (and no spend) no subscriptions are needed. The measured figures are kept in the result.
- **Gross margin** defaults to 1 (ChartMogul's LTV = ARPA ÷ churn, no margin) and must be in
  (0, 1]; CAC, spend and ARPA must be 0 or more; monthly churn in [0, 1]. Anything else is a
  ValueError.
- **Segments** (:func:`compute_ltv_by`): each customer is in one segment for the whole period, by
  the rule of ``csm mrr --by`` (:func:`csmetrics.metrics.revenue.customer_attribute`), and the
  rules above run on that segment's customers. Spend is not split by segment, so a segment gets
  the given CAC or none (a note says so when spend was given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import polars as pl

from csmetrics.metrics.revenue import NO_GROUP, Bridge, Frame, customer_attribute, to_major
from csmetrics.metrics.trend import bridge_series, month_periods
from csmetrics.periods import Period

DEFAULT_GROSS_MARGIN = 1.0

Number = Decimal | int | float


@dataclass(frozen=True)
class LtvResult:
    """Lifetime value and CAC payback of one period (or one segment), and what they came from.

    Money (``arpa``, ``clv``, ``cac``) is Decimal in major units; ``mrr_end`` and ``spend`` are
    integer cents; rates and months are floats. None where a figure is undefined (see ``notes``).
    """

    arpa: Decimal | None
    monthly_churn: float | None
    lifetime_months: float | None
    clv: Decimal | None
    cac: Decimal | None
    cac_payback_months: float | None
    ltv_to_cac: float | None
    gross_margin: float
    customers_end: int | None
    """Customers active at the close (ARPA's divisor); None without subscriptions."""
    mrr_end: int | None
    """MRR at the close in cents (ARPA's numerator); None without subscriptions."""
    new_customers: int | None
    """New logos summed over the months of the period up to as-of; None without subscriptions."""
    spend: int | None
    """The spend CAC came from, in cents; None when CAC was given or not asked for."""
    monthly_churn_rates: tuple[tuple[str, float | None], ...]
    """Each ended month of the period and its logo churn rate (None: no customer at its start)."""
    arpa_given: bool
    monthly_churn_given: bool
    cac_source: str | None
    """``"given"``, ``"spend"``, or None when there is no CAC."""
    notes: tuple[str, ...]

    def values(self) -> dict[str, object]:
        """JSON values: the seven LTV keys, then the inputs they came from."""
        return {
            "arpa": _cents(self.arpa),
            "monthly_churn": self.monthly_churn,
            "lifetime_months": self.lifetime_months,
            "clv": _cents(self.clv),
            "cac": _cents(self.cac),
            "cac_payback_months": self.cac_payback_months,
            "ltv_to_cac": self.ltv_to_cac,
            "gross_margin": self.gross_margin,
            "customers_end": self.customers_end,
            "mrr_end": None if self.mrr_end is None else to_major(self.mrr_end),
            "new_customers": self.new_customers,
            "spend": None if self.spend is None else to_major(self.spend),
            "monthly_churn_rates": dict(self.monthly_churn_rates),
            "arpa_given": self.arpa_given,
            "monthly_churn_given": self.monthly_churn_given,
            "cac_source": self.cac_source,
        }


def _cents(amount: Decimal | None) -> Decimal | None:
    """Money for output: rounded half-even to the cent (the figures stay exact in the result)."""
    return None if amount is None else amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class _Measured:
    """What the subscriptions say: the period's bridge and the bridge of each month of it."""

    period: Bridge
    ended: tuple[tuple[Period, Bridge], ...]
    in_progress: tuple[Period, ...]
    new_customers: int
    has_customers: bool
    """Somebody paid at the opening, the close, or a month boundary of the period."""


def _decimal(value: Number) -> Decimal:
    """A Decimal as written: a float goes through its shortest repr (0.8 → Decimal('0.8'))."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _non_negative(value: Number) -> bool:
    amount = _decimal(value)
    return amount.is_finite() and amount >= 0


def _check_inputs(
    gross_margin: float,
    cac: Number | None,
    spend_cents: int | None,
    arpa: Number | None,
    monthly_churn: Number | None,
) -> None:
    if not 0 < gross_margin <= 1:
        raise ValueError(f"gross margin must be more than 0 and at most 1, not {gross_margin}")
    if cac is not None and spend_cents is not None:
        raise ValueError("give either a CAC or a spend, not both")
    if cac is not None and not _non_negative(cac):
        raise ValueError(f"CAC must be 0 or more, not {cac}")
    if spend_cents is not None and spend_cents < 0:
        raise ValueError(f"spend must be 0 or more, not {to_major(spend_cents)}")
    if arpa is not None and not _non_negative(arpa):
        raise ValueError(f"ARPA must be 0 or more, not {arpa}")
    if monthly_churn is not None and not (_non_negative(monthly_churn) and _decimal(monthly_churn) <= 1):
        raise ValueError(f"monthly churn must be between 0 and 1, not {monthly_churn}")


def _measure(subscriptions: Frame, period: Period, as_of: date) -> _Measured:
    """The period's bridge and its months' bridges, in one pass over the subscriptions."""
    if period.start > as_of:
        raise ValueError(f"period {period.label} starts after as-of {as_of.isoformat()}")
    started = [m for m in month_periods(period.start, period.last_day) if m.start <= as_of]
    series = bridge_series(subscriptions, [period, *started], as_of)
    months = series[1:]
    bridges = [bridge for _, bridge in series]
    return _Measured(
        period=series[0][1],
        ended=tuple((m, b) for m, b in months if m.is_complete(as_of)),
        in_progress=tuple(m for m, _ in months if not m.is_complete(as_of)),
        new_customers=sum(b.new_customers for _, b in months),
        has_customers=any(b.customers_start or b.customers_end for b in bridges),
    )


def _result(
    measured: _Measured | None,
    *,
    gross_margin: float,
    cac: Number | None,
    spend_cents: int | None,
    arpa: Number | None,
    monthly_churn: Number | None,
    segment: bool = False,
) -> LtvResult:
    """The figures from what was measured and what was given (the rules in the module doc)."""
    notes: list[str] = []
    margin = _decimal(gross_margin)

    # ARPA
    measured_arpa: Decimal | None = None
    if measured is not None and measured.period.customers_end:
        measured_arpa = to_major(measured.period.mrr_end) / measured.period.customers_end
    if arpa is not None:
        arpa_value: Decimal | None = _decimal(arpa)
    else:
        arpa_value = measured_arpa
        if measured is not None and measured_arpa is None:
            notes.append("no paying customer at the close of the period: ARPA is undefined")

    # monthly churn
    rates: tuple[tuple[str, float | None], ...] = ()
    measured_churn: Fraction | None = None
    if measured is not None:
        rates = tuple((m.label, b.rates()["logo_churn_rate"]) for m, b in measured.ended)
        known = [
            Fraction(b.churned_customers, b.customers_start) for _, b in measured.ended if b.customers_start
        ]
        measured_churn = sum(known, Fraction(0)) / len(known) if known else None
    if monthly_churn is not None:
        churn: Fraction | None = Fraction(_decimal(monthly_churn))
    else:
        churn = measured_churn
        if measured is not None:
            notes.extend(_churn_notes(measured, rates))

    # lifetime and CLV
    lifetime: float | None = None
    clv: Decimal | None = None
    if churn == 0 and monthly_churn is not None:
        notes.append("monthly churn is 0: lifetime is unbounded, so there is no CLV")
    elif churn == 0:
        notes.append("no customer churned in the period: lifetime is unbounded, so there is no CLV")
    elif churn is not None:
        lifetime = float(1 / churn)
        if arpa_value is not None:
            clv = arpa_value * margin * churn.denominator / churn.numerator

    # CAC
    cac_value: Decimal | None = None
    cac_source: str | None = None
    spend: int | None = None
    if cac is not None:
        cac_value, cac_source = _decimal(cac), "given"
    elif spend_cents is not None and segment:
        notes.append("spend is not split by segment: no CAC per segment (give --cac for one)")
    elif spend_cents is not None and measured is not None:
        spend = spend_cents
        if measured.new_customers:
            cac_value, cac_source = to_major(spend_cents) / measured.new_customers, "spend"
        else:
            notes.append("no new customers in the period: CAC from spend is undefined")

    payback: float | None = None
    ltv_to_cac: float | None = None
    if cac_value is not None:
        if arpa_value is not None and arpa_value > 0:
            payback = float(cac_value / (arpa_value * margin))
        elif arpa_value is not None:
            notes.append("ARPA is 0: the CAC is never paid back")
        if clv is not None and cac_value > 0:
            ltv_to_cac = float(clv / cac_value)

    return LtvResult(
        arpa=arpa_value,
        monthly_churn=None if churn is None else float(churn),
        lifetime_months=lifetime,
        clv=clv,
        cac=cac_value,
        cac_payback_months=payback,
        ltv_to_cac=ltv_to_cac,
        gross_margin=gross_margin,
        customers_end=None if measured is None else measured.period.customers_end,
        mrr_end=None if measured is None else measured.period.mrr_end,
        new_customers=None if measured is None else measured.new_customers,
        spend=spend,
        monthly_churn_rates=rates,
        arpa_given=arpa is not None,
        monthly_churn_given=monthly_churn is not None,
        cac_source=cac_source,
        notes=tuple(notes),
    )


def _churn_notes(measured: _Measured, rates: Sequence[tuple[str, float | None]]) -> list[str]:
    notes = [
        f"{label}: no paying customer at the month's start, left out of the monthly churn"
        for label, rate in rates
        if rate is None
    ]
    for month in measured.in_progress:
        notes.append(f"{month.label} is not over at as-of: left out of the monthly churn")
    if not any(rate is not None for _, rate in rates):
        notes.append(
            "no month of the period with paying customers at its start has ended by as-of: "
            "monthly churn is unknown"
        )
    return notes


def compute_ltv(
    subscriptions: Frame | None,
    period: Period,
    as_of: date,
    *,
    gross_margin: float = DEFAULT_GROSS_MARGIN,
    cac: Number | None = None,
    spend_cents: int | None = None,
    arpa: Number | None = None,
    monthly_churn: Number | None = None,
) -> LtvResult:
    """Lifetime value and CAC payback of ``period`` as known at the end of ``as_of`` (module doc).

    ARPA = MRR at the close ÷ customers active at the close (ChartMogul's ARPA); monthly churn =
    the mean of the logo churn rates of the period's months ended by as-of; CLV = ARPA × margin ÷
    monthly churn; CAC = ``cac`` (major units) or ``spend_cents`` ÷ new customers in the period;
    payback = CAC ÷ (ARPA × margin) months; LTV:CAC = CLV ÷ CAC. ``arpa`` and ``monthly_churn``
    replace the measured values; with both (and no spend) ``subscriptions`` may be None.
    A ValueError for a margin outside (0, 1], a negative CAC, spend or ARPA, a churn outside
    [0, 1], both a CAC and a spend, missing subscriptions that are needed, or a period that starts
    after as-of.
    """
    _check_inputs(gross_margin, cac, spend_cents, arpa, monthly_churn)
    if subscriptions is None:
        if arpa is None or monthly_churn is None:
            raise ValueError("without subscriptions both ARPA and monthly churn must be given")
        if spend_cents is not None:
            raise ValueError("CAC from spend needs the subscriptions (to count new customers)")
        measured = None
    else:
        measured = _measure(subscriptions, period, as_of)
    return _result(
        measured,
        gross_margin=gross_margin,
        cac=cac,
        spend_cents=spend_cents,
        arpa=arpa,
        monthly_churn=monthly_churn,
    )


def compute_ltv_by(
    subscriptions: Frame,
    period: Period,
    as_of: date,
    attribute: str,
    *,
    gross_margin: float = DEFAULT_GROSS_MARGIN,
    cac: Number | None = None,
    spend_cents: int | None = None,
    arpa: Number | None = None,
    monthly_churn: Number | None = None,
) -> list[tuple[str, LtvResult]]:
    """:func:`compute_ltv` per segment of ``attribute`` (plan, industry, …), largest MRR at close first.

    Each customer is in one segment for the whole period, the one ``csm mrr --by`` gives it
    (:func:`csmetrics.metrics.revenue.customer_attribute`; no value → ``(none)``). Every segment
    gets the given CAC; CAC from spend is not split by segment, so with ``spend_cents`` the
    segments have no CAC (and a note). Overrides apply to every segment. Segments whose customers
    never paid at a month boundary of the period (free plans only) are left out, as in
    ``compute_bridge_by``.
    """
    _check_inputs(gross_margin, cac, spend_cents, arpa, monthly_churn)
    if period.start > as_of:
        raise ValueError(f"period {period.label} starts after as-of {as_of.isoformat()}")
    groups = customer_attribute(subscriptions, period, as_of, attribute).rename({"group": "__ltv_group"})
    rows = (
        subscriptions.lazy()
        .join(groups, on="customer_id", how="left")
        .with_columns(pl.col("__ltv_group").fill_null(NO_GROUP))
        .collect()
    )
    found: list[tuple[str, _Measured]] = []
    for (name,), part in rows.partition_by("__ltv_group", as_dict=True).items():
        measured = _measure(part.drop("__ltv_group"), period, as_of)
        if measured.has_customers:
            found.append((str(name), measured))
    found.sort(key=lambda item: (-item[1].period.mrr_end, -item[1].period.mrr_start, item[0]))
    return [
        (
            name,
            _result(
                measured,
                gross_margin=gross_margin,
                cac=cac,
                spend_cents=spend_cents,
                arpa=arpa,
                monthly_churn=monthly_churn,
                segment=True,
            ),
        )
        for name, measured in found
    ]
