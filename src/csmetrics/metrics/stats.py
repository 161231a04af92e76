"""Summary statistics shared by the metric modules (SPEC §4).

Every function takes a polars Series of numbers and treats null and NaN as missing: they are
dropped before the statistic is taken. An input with no values left gives ``None`` (SPEC §5:
null, never NaN).
"""

from __future__ import annotations

import polars as pl

__all__ = ["mean", "median", "percentile_linear"]


def _present(values: pl.Series) -> pl.Series:
    """The values as Float64 with nulls and NaNs removed."""
    cleaned = values.cast(pl.Float64).drop_nulls()
    return cleaned.drop_nans()


def _as_float(value: object) -> float | None:
    """A polars scalar result as a float; None for null (or a non-numeric result)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def mean(values: pl.Series) -> float | None:
    """Arithmetic mean of the present values; None when there are none."""
    present = _present(values)
    if present.len() == 0:
        return None
    return _as_float(present.mean())


def median(values: pl.Series) -> float | None:
    """The usual median: the middle value, or the mean of the two middle ones; None when empty.

    Zendesk Explore and Intercom report response and resolution times as medians by default.
    """
    present = _present(values)
    if present.len() == 0:
        return None
    return _as_float(present.median())


def percentile_linear(values: pl.Series, q: float) -> float | None:
    """Percentile by linear interpolation, R type 7 (SPEC §4).

    h = (n − 1) × q on the sorted values, interpolated between the values at floor(h) and
    ceil(h): the same as numpy's default, polars ``interpolation="linear"`` and Excel
    PERCENTILE.INC. None when there are no values; q must lie in [0, 1].
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"percentile q must lie in [0, 1], got {q}")
    present = _present(values)
    if present.len() == 0:
        return None
    return _as_float(present.quantile(q, interpolation="linear"))
