"""Net Promoter Score (SPEC §4; Bain & Company / Reichheld).

Responses count when their local responded day (in ``--tz``) lies in the period and not after
the as-of day. Every response counts, including several from one customer (SPEC counts
responses, not customers). Promoters score 9–10, passives 7–8, detractors 0–6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from csmetrics.periods import Period

__all__ = [
    "MIN_RESPONSES_FOR_WALD",
    "NONE_GROUP",
    "NpsResult",
    "compute_nps",
    "is_margin_too_wide",
    "nps_by",
    "responses_needed",
]

NONE_GROUP = "(none)"
"""Group of responses whose customer has no value for the attribute (or no attribute row)."""

_Z_95_TIMES_100 = 196.0
"""1.96 (two-sided 95 % normal quantile) × 100 (NPS points per unit share)."""

MIN_RESPONSES_FOR_WALD = 30
"""Below this many responses the Wald (normal) margin is not trusted (usual rule of thumb)."""


@dataclass(frozen=True)
class NpsResult:
    """Counts of one NPS cohort, the score and its 95 % margin of error in NPS points."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    margin_of_error_95: float | None

    @classmethod
    def from_counts(cls, promoters: int, passives: int, detractors: int) -> NpsResult:
        """Build the result from the three counts.

        nps = 100 × (promoters − detractors) / responses (Bain); margin_of_error_95 =
        196 × sqrt((p + d − (p − d)²) / n) with p, d the shares (Wald, SPEC §4). None when n = 0.
        """
        responses = promoters + passives + detractors
        if responses == 0:
            return cls(0, 0, 0, 0, None, None)
        p = promoters / responses
        d = detractors / responses
        variance = max(p + d - (p - d) ** 2, 0.0)
        return cls(
            responses=responses,
            promoters=promoters,
            passives=passives,
            detractors=detractors,
            nps=100.0 * (promoters - detractors) / responses,
            margin_of_error_95=_Z_95_TIMES_100 * math.sqrt(variance / responses),
        )

    def values(self) -> dict[str, object]:
        """The SPEC §5 ``values`` keys: counts, then unrounded nps and margin (None, not NaN)."""
        return {
            "responses": self.responses,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "nps": self.nps,
            "margin_of_error_95": self.margin_of_error_95,
        }


def _in_period(surveys: pl.DataFrame | pl.LazyFrame, period: Period, as_of: date) -> pl.LazyFrame:
    """Responses whose local responded day lies in [start, min(end, as_of + 1 day))."""
    upper = min(period.end, as_of + timedelta(days=1))
    day = pl.col("responded_at").dt.date()
    return surveys.lazy().filter((day >= period.start) & (day < upper))


def _category_counts() -> list[pl.Expr]:
    """Aggregations counting promoters (9–10), passives (7–8) and detractors (0–6)."""
    score = pl.col("score")
    return [
        (score >= 9).sum().cast(pl.Int64).alias("promoters"),
        score.is_between(7, 8).sum().cast(pl.Int64).alias("passives"),
        (score <= 6).sum().cast(pl.Int64).alias("detractors"),
    ]


def compute_nps(surveys: pl.DataFrame | pl.LazyFrame, period: Period, as_of: date) -> NpsResult:
    """NPS of the responses given in the period, up to the as-of day (SPEC §4).

    45 % promoters, 25 % passives, 30 % detractors → NPS 15. Rows with a null score are not
    responses (the surveys reader never produces them).
    """
    counts = (
        _in_period(surveys, period, as_of)
        .filter(pl.col("score").is_not_null())
        .select(_category_counts())
        .collect()
        .row(0, named=True)
    )
    return NpsResult.from_counts(
        int(counts["promoters"] or 0),
        int(counts["passives"] or 0),
        int(counts["detractors"] or 0),
    )


def nps_by(
    surveys: pl.DataFrame | pl.LazyFrame,
    attributes: pl.DataFrame,
    by: str,
    period: Period,
    as_of: date,
) -> list[tuple[str, NpsResult]]:
    """NPS per value of a customer attribute (``attributes`` has ``customer_id`` and ``by``).

    Responses of customers without the attribute (no row, or a null value) go to ``(none)``.
    A customer listed twice keeps its first row, so each response lands in exactly one group and
    the group counts add up to the total. Groups are sorted by responses descending, then by name;
    groups with no responses in the period are not listed.
    """
    if by not in attributes.columns or "customer_id" not in attributes.columns:
        raise ValueError(f"attributes need the columns 'customer_id' and '{by}'")
    lookup = (
        attributes.lazy()
        .select(
            pl.col("customer_id").cast(pl.String),
            pl.col(by).cast(pl.String).alias("_group"),
        )
        .unique(subset="customer_id", keep="first", maintain_order=True)
    )
    grouped = (
        _in_period(surveys, period, as_of)
        .filter(pl.col("score").is_not_null())
        .select(pl.col("customer_id").cast(pl.String), "score")
        .join(lookup, on="customer_id", how="left")
        .with_columns(pl.col("_group").fill_null(NONE_GROUP))
        .group_by("_group")
        .agg(_category_counts())
        .collect()
    )
    results = [
        (
            str(row["_group"]),
            NpsResult.from_counts(row["promoters"], row["passives"], row["detractors"]),
        )
        for row in grouped.iter_rows(named=True)
    ]
    return sorted(results, key=lambda item: (-item[1].responses, item[0]))


def responses_needed(
    margin_points: float = 10.0,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
) -> int:
    """Responses needed for a Wald 95 % margin of at most ``margin_points`` NPS points.

    n = ceil((196 / margin)² × (p + d − (p − d)²)); without observed shares the worst case
    p = d = 0.5 (variance 1) is used: ±10 points needs 385 responses.
    """
    if margin_points <= 0:
        raise ValueError(f"margin_points must be positive, got {margin_points}")
    if promoter_share is None or detractor_share is None:
        variance = 1.0
    else:
        variance = max(
            promoter_share + detractor_share - (promoter_share - detractor_share) ** 2,
            0.0,
        )
    return max(1, math.ceil((_Z_95_TIMES_100 / margin_points) ** 2 * variance - 1e-9))


def is_margin_too_wide(
    result: NpsResult, limit: float = 10.0, min_responses: int = MIN_RESPONSES_FOR_WALD
) -> bool:
    """True when the NPS is too uncertain to quote to ±``limit`` points.

    That is: no responses, a Wald margin above ``limit``, or fewer than ``min_responses``
    responses (below ~30 the Wald margin is unreliable: 5 promoters out of 5 give a margin of 0).
    """
    if result.margin_of_error_95 is None:
        return True
    return result.responses < min_responses or result.margin_of_error_95 > limit
