"""Subscriptions from invoices: each paid invoice buys its service period, and churn is a choice.

An invoices file (``read_invoices``) holds what was billed and paid; the revenue metrics need
subscription rows (SPEC §1: one row per interval of constant MRR). The rules, in
``docs/metrics.md`` ("Invoices"):

- One subscription per customer: ``subscription_id`` = ``customer_id``.
- A paid invoice serves [period_start, period_end + 1 day): ``period_end`` is the last day of its
  service period, inclusive, as invoices print it ("1 Jan – 31 Jan").
- Its MRR is its amount per month of that period: months = round(days / 30.4375), at least 1
  (days counted inclusively; 16·days/487 is never a half, so there are no ties), and
  mrr = amount / months rounded half-even to the cent. 28–45 days → 1 month, 90 → 3, 365 → 12.
- A customer's MRR on a day is the sum of the MRR of its invoices serving that day, as with
  subscription rows; consecutive or overlapping periods become continuous rows, and a change of
  MRR (or of plan) starts a new row. A day no invoice serves is a day without MRR: a month with no
  invoice shows the churn.
- ``churn_on="expiry"``: only paid invoices serve; the customer churns the day after its last
  paid period ends. ``churn_on="nonpayment"``: an unpaid (open or uncollectible) invoice serves
  ``grace_days`` days from its period_start (never past its period_end), so the churn day is
  period_start + grace_days; a payment, however late, makes it a paid invoice. Void and draft
  invoices are ignored either way.
- Only what is known at ``as_of``: an invoice paid after it is unpaid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from typing import BinaryIO, Literal, get_args

import polars as pl

from csmetrics.errors import UsageError
from csmetrics.io.readers import AMOUNT, MRR, Loaded, read_invoices
from csmetrics.io.source import ReadOptions
from csmetrics.schemas import INVOICES, SUBSCRIPTIONS

__all__ = [
    "CHURN_ON",
    "UNPAID_REASON",
    "ChurnOn",
    "churn_note",
    "monthly_cents",
    "service_months",
    "subscriptions_from_invoice_file",
    "subscriptions_from_invoices",
]

ChurnOn = Literal["expiry", "nonpayment"]
CHURN_ON: tuple[str, ...] = get_args(ChurnOn)
UNPAID_REASON = "unpaid invoice"
"""The cancel_reason of a churn that happened while an invoice for the next day was unpaid."""

_OUTPUT = (
    "subscription_id",
    "customer_id",
    "plan",
    "currency",
    "started_at",
    "ended_at",
    "cancel_reason",
    MRR,
    "registered_at",
    "expires_at",
)
_ONE_DAY = pl.duration(days=1)


def service_months(days: pl.Expr) -> pl.Expr:
    """Months in a service period of ``days`` days: round(days / 30.4375), at least 1.

    round(16·days/487) = ⌊(32·days + 487) / 974⌋ exactly, in integers.
    """
    return pl.max_horizontal(pl.lit(1, dtype=pl.Int64), (32 * days.cast(pl.Int64) + 487) // 974)


def monthly_cents(amount_cents: pl.Expr, months: pl.Expr) -> pl.Expr:
    """``amount_cents / months`` rounded half-even to the cent, in integers (amounts ≥ 0)."""
    quotient, remainder = amount_cents // months, amount_cents % months
    up = (2 * remainder > months) | ((2 * remainder == months) & (quotient % 2 == 1))
    return quotient + up.cast(pl.Int64)


def _check_choice(churn_on: str, grace_days: int) -> None:
    if churn_on not in CHURN_ON:
        raise UsageError(f"unknown churn moment '{churn_on}' (use {' or '.join(CHURN_ON)})")
    if grace_days < 0:
        raise UsageError(f"grace days must be 0 or more, not {grace_days}")


def _classified(invoices: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """Each invoice with ``__state`` (paid / unpaid / ignored at as_of), ``__end`` and ``__mrr``."""
    paid_at, status = pl.col("paid_at"), pl.col("status")
    paid = (paid_at.is_not_null() & (paid_at <= as_of)) | (paid_at.is_null() & (status == "paid"))
    state = (
        pl.when(status.is_in(["void", "draft"]))
        .then(pl.lit("ignored"))
        .when(paid)
        .then(pl.lit("paid"))
        .otherwise(pl.lit("unpaid"))
    )
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    return invoices.lazy().with_columns(
        state.alias("__state"),
        (pl.col("period_end") + _ONE_DAY).alias("__end"),
        monthly_cents(pl.col(AMOUNT), service_months(days)).alias("__mrr"),
    )


def _intervals(classified: pl.LazyFrame, churn_on: str, grace_days: int) -> pl.LazyFrame:
    """The days each invoice serves, [period_start, __cover), numbered ``__id`` in a fixed order."""
    state = pl.col("__state")
    grace_end = pl.min_horizontal(pl.col("__end"), pl.col("period_start") + pl.duration(days=grace_days))
    unpaid_end = grace_end if churn_on == "nonpayment" else pl.lit(None, dtype=pl.Date)
    cover = pl.when(state == "paid").then(pl.col("__end")).when(state == "unpaid").then(unpaid_end)
    return (
        classified.with_columns(cover.otherwise(None).alias("__cover"))
        .filter(pl.col("__cover") > pl.col("period_start"))
        .sort("customer_id", "period_start", "period_end", "invoice_id")
        .with_row_index("__id")
        .with_columns(pl.col("__id").cast(pl.Int64))
    )


def _segments(intervals: pl.LazyFrame) -> pl.LazyFrame:
    """Days between consecutive boundaries that some invoice serves: MRR, count and the id sum.

    With one invoice serving (``__count`` 1), ``__ids`` is that invoice's ``__id``.
    """
    starts = intervals.select(
        "customer_id",
        pl.col("period_start").alias("__day"),
        pl.col("__mrr").alias("__delta"),
        pl.lit(1, dtype=pl.Int64).alias("__n"),
        pl.col("__id").alias("__idd"),
    )
    ends = intervals.select(
        "customer_id",
        pl.col("__cover").alias("__day"),
        (-pl.col("__mrr")).alias("__delta"),
        pl.lit(-1, dtype=pl.Int64).alias("__n"),
        (-pl.col("__id")).alias("__idd"),
    )
    by_customer = ["customer_id"]
    return (
        pl.concat([starts, ends])
        .group_by("customer_id", "__day")
        .agg(pl.col("__delta").sum(), pl.col("__n").sum(), pl.col("__idd").sum())
        .sort("customer_id", "__day")
        .with_columns(
            pl.col("__delta").cum_sum().over(by_customer).alias("__level"),
            pl.col("__n").cum_sum().over(by_customer).alias("__count"),
            pl.col("__idd").cum_sum().over(by_customer).alias("__ids"),
            pl.col("__day").shift(-1).over(by_customer).alias("__next"),
        )
        .filter(pl.col("__count") > 0)
        .select("customer_id", "__day", "__next", "__level", "__count", "__ids")
    )


def _picked(segments: pl.LazyFrame, intervals: pl.LazyFrame) -> pl.LazyFrame:
    """Each segment's leading invoice (``__pick``): the only one serving it, or of several the
    largest MRR, then the latest period_start, then the largest invoice_id."""
    single = segments.filter(pl.col("__count") == 1).with_columns(pl.col("__ids").alias("__pick"))
    several = segments.filter(pl.col("__count") > 1)
    serving = (
        several.join(
            intervals.select("customer_id", "period_start", "__cover", "__mrr", "invoice_id", "__id"),
            on="customer_id",
        )
        .filter((pl.col("period_start") <= pl.col("__day")) & (pl.col("__cover") >= pl.col("__next")))
        .sort(
            "customer_id",
            "__day",
            "__mrr",
            "period_start",
            "invoice_id",
            descending=[False, False, True, True, True],
        )
        .group_by("customer_id", "__day", maintain_order=True)
        .agg(pl.col("__id").first().alias("__pick"))
    )
    return pl.concat([single, several.join(serving, on=["customer_id", "__day"], how="left")])


def _rows(picked: pl.LazyFrame, intervals: pl.LazyFrame) -> pl.LazyFrame:
    """Adjacent segments of one customer with the same MRR and plan merged into one row."""
    plans = intervals.select("__id", "plan")
    segments = picked.join(plans, left_on="__pick", right_on="__id", how="left").sort("customer_id", "__day")
    previous = ["customer_id"]
    new_row = (
        (pl.col("customer_id") != pl.col("customer_id").shift(1))
        | (pl.col("__day") != pl.col("__next").shift(1).over(previous))
        | (pl.col("__level") != pl.col("__level").shift(1).over(previous))
        | pl.col("plan").ne_missing(pl.col("plan").shift(1).over(previous))
    ).fill_null(True)
    return (
        segments.with_columns(new_row.cum_sum().alias("__run"))
        .group_by("__run")
        .agg(
            pl.col("customer_id").first(),
            pl.col("plan").first(),
            pl.col("__day").min().alias("started_at"),
            pl.col("__next").max().alias("ended_at"),
            pl.col("__level").first().alias(MRR),
        )
        .drop("__run")
    )


def _reasons(rows: pl.LazyFrame, classified: pl.LazyFrame, intervals: pl.LazyFrame) -> pl.LazyFrame:
    """The cancel_reason of each row after which the customer has no service (its ``ended_at``).

    From the invoices whose service ends that day, or an unpaid invoice for that day (latest
    period_start first); else ``unpaid invoice`` when such an invoice exists; else none.
    """
    starts = rows.select("customer_id", pl.col("started_at").alias("ended_at"))
    ends = rows.select("customer_id", "ended_at").join(starts, on=["customer_id", "ended_at"], how="anti")
    ended = intervals.select(
        "customer_id",
        pl.col("__cover").alias("ended_at"),
        "cancel_reason",
        "period_start",
        "invoice_id",
        pl.lit(False).alias("__unpaid"),
    ).join(ends, on=["customer_id", "ended_at"], how="semi")
    unpaid = (
        classified.filter(pl.col("__state") == "unpaid")
        .join(ends, on="customer_id")
        .filter((pl.col("period_start") <= pl.col("ended_at")) & (pl.col("ended_at") < pl.col("__end")))
        .select(
            "customer_id",
            "ended_at",
            "cancel_reason",
            "period_start",
            "invoice_id",
            pl.lit(True).alias("__unpaid"),
        )
    )
    given = pl.col("cancel_reason").is_not_null()
    return (
        pl.concat([ended, unpaid])
        .sort("period_start", "invoice_id", descending=True)
        .group_by("customer_id", "ended_at")
        .agg(
            pl.col("cancel_reason").filter(given).first().alias("__given"),
            pl.col("__unpaid").any(),
        )
        .select(
            "customer_id",
            "ended_at",
            pl.coalesce(
                "__given", pl.when(pl.col("__unpaid")).then(pl.lit(UNPAID_REASON)).otherwise(None)
            ).alias("cancel_reason"),
        )
    )


def _attributes(invoices: pl.DataFrame, classified: pl.LazyFrame) -> tuple[list[str], pl.LazyFrame]:
    """The file's extra columns per customer, each from its latest invoice that has one."""
    taken = {*INVOICES.names, *_OUTPUT, AMOUNT}
    extras = [name for name in invoices.columns if name not in taken and not name.startswith("__")]
    names = [name if name not in SUBSCRIPTIONS.names else f"{name} (unmapped)" for name in extras]
    values = (
        classified.filter(pl.col("__state") != "ignored")
        .sort("customer_id", "period_start", "period_end", "invoice_id")
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col(name).drop_nulls().last().alias(alias) for name, alias in zip(extras, names, strict=True))
    )
    return names, values


def _complete(invoices: pl.DataFrame) -> pl.DataFrame:
    """The optional invoice columns a hand-made frame may lack, empty."""
    optional = {"status": pl.String, "paid_at": pl.Date, "plan": pl.String, "currency": pl.String}
    optional["cancel_reason"] = pl.String
    missing = [
        pl.lit(None, dtype=dtype).alias(name) for name, dtype in optional.items() if name not in invoices
    ]
    return invoices.with_columns(missing) if missing else invoices


def _currency(invoices: pl.DataFrame) -> str | None:
    currencies = invoices["currency"].drop_nulls().str.to_uppercase().unique().sort().to_list()
    if len(currencies) > 1:
        raise UsageError(f"invoices in more than one currency ({', '.join(currencies)}): convert first")
    return currencies[0] if currencies else None


def subscriptions_from_invoices(
    invoices: pl.DataFrame,
    *,
    churn_on: ChurnOn = "expiry",
    grace_days: int = 0,
    as_of: date,
) -> pl.DataFrame:
    """A canonical subscriptions frame from an invoices frame (``read_invoices``), as known at as_of.

    Columns: subscription_id (= customer_id), customer_id, plan, currency, started_at, ended_at
    (exclusive; always set: the first day no invoice serves), cancel_reason, mrr_cents (Int64),
    registered_at (empty), expires_at (the customer's last paid day), then the file's extra
    columns per customer. Rows sorted by customer_id and started_at; the row order of
    ``invoices`` does not matter. See the module docstring for the rules.
    """
    _check_choice(churn_on, grace_days)
    invoices = _complete(invoices)
    # the shared steps are collected once: each is read by several later ones
    classified = _classified(invoices, as_of).collect().lazy()
    intervals = _intervals(classified, churn_on, grace_days).collect().lazy()
    segments = _segments(intervals)
    rows = _rows(_picked(segments, intervals), intervals).collect().lazy()
    reasons = _reasons(rows, classified, intervals)
    expires = (
        classified.filter(pl.col("__state") == "paid")
        .group_by("customer_id")
        .agg(pl.col("period_end").max().alias("expires_at"))
    )
    names, attributes = _attributes(invoices, classified)
    frame = (
        rows.join(reasons, on=["customer_id", "ended_at"], how="left")
        .join(expires, on="customer_id", how="left")
        .join(attributes, on="customer_id", how="left")
        .with_columns(
            pl.col("customer_id").alias("subscription_id"),
            pl.lit(_currency(invoices), dtype=pl.String).alias("currency"),
            pl.lit(None, dtype=pl.Date).alias("registered_at"),
            pl.col(MRR).cast(pl.Int64),
        )
        .select(*_OUTPUT, *names)
        .sort("customer_id", "started_at")
        .collect()
    )
    return frame


def _one_day_overlaps(invoices: pl.DataFrame) -> int:
    """Invoices that start on the last day of another invoice of the same customer."""
    used = invoices.filter(~pl.col("status").is_in(["void", "draft"]))
    ends = used.select("customer_id", pl.col("period_end").alias("period_start"), pl.lit(True).alias("__x"))
    touching = used.join(ends.unique(), on=["customer_id", "period_start"], how="semi")
    return touching.filter(pl.col("period_end") > pl.col("period_start")).height


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def churn_note(churn_on: ChurnOn, grace_days: int) -> str:
    """How churn was decided, in one sentence for the output."""
    if churn_on == "expiry":
        return "churn when a paid period ends (--churn-on expiry): the first day no paid invoice serves"
    return (
        f"churn {_plural(grace_days, 'day')} after an unpaid invoice's period starts "
        f"(--churn-on nonpayment --grace-days {grace_days}), or when the last invoiced period ends"
    )


def subscriptions_from_invoice_file(
    options: ReadOptions,
    tz: str,
    *,
    churn_on: ChurnOn,
    grace_days: int,
    as_of: date,
    stdin: BinaryIO | None = None,
) -> Loaded:
    """Read an invoices file and derive its subscriptions: a Loaded of kind ``subscriptions``.

    Its ``path`` is the invoices file, ``rows`` the invoices it held, and ``notes`` say how the
    subscriptions were derived, how churn was decided and which invoices were left out.
    """
    _check_choice(churn_on, grace_days)
    invoices = read_invoices(replace(options, skip_bad_rows=False), tz, stdin)  # a bad invoice stays an error
    frame = subscriptions_from_invoices(invoices.frame, churn_on=churn_on, grace_days=grace_days, as_of=as_of)
    notes = [
        *invoices.notes,
        f"subscriptions derived from {_plural(invoices.rows, 'invoice')}: one subscription per "
        "customer, MRR = each paid invoice's amount per month of its service period",
        churn_note(churn_on, grace_days),
    ]
    statuses = Counter(invoices.frame["status"].to_list())
    ignored = statuses["void"] + statuses["draft"]
    if ignored:
        kinds = ", ".join(f"{statuses[name]} {name}" for name in ("void", "draft") if statuses[name])
        notes.append(f"{_plural(ignored, 'invoice')} ignored ({kinds})")
    classified = _classified(invoices.frame, as_of).collect()
    unpaid = classified.filter(pl.col("__state") == "unpaid").height
    if unpaid:
        effect = "buy no service" if churn_on == "expiry" else f"serve {_plural(grace_days, 'day')} of grace"
        notes.append(
            f"{_plural(unpaid, 'invoice')} unpaid on {as_of.isoformat()} (open, uncollectible, or "
            f"paid after that day): they {effect}"
        )
    touching = _one_day_overlaps(invoices.frame)
    if touching:
        notes.append(
            f"{_plural(touching, 'invoice')} start on the last day of the customer's previous invoice: "
            "period_end is read as the last day served (inclusive), so that day counts both; if the "
            "file writes the next period's first day there, subtract a day before reading it"
        )
    attributes = tuple(name for name in frame.columns if name not in _OUTPUT)
    return Loaded(
        "subscriptions",
        invoices.path,
        frame,
        attributes,
        tuple(notes),
        file_rows=invoices.rows,
    )
