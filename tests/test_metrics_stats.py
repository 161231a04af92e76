"""Median, mean and the R type 7 percentile (SPEC §4)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics.metrics.stats import mean, median, percentile_linear


def _series(values: list[float | None]) -> pl.Series:
    return pl.Series("x", values, dtype=pl.Float64)


def _type7(values: list[float], q: float) -> float:
    """Hand formula: h = (n − 1) q, interpolate between the sorted values at floor(h), ceil(h)."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    low, high = math.floor(h), math.ceil(h)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def test_median_odd_and_even_counts() -> None:
    assert median(_series([3.0, 1.0, 2.0])) == 2.0
    assert median(_series([4.0, 1.0, 3.0, 2.0])) == 2.5


def test_p90_by_hand() -> None:
    # 1..10: h = 9 × 0.9 = 8.1 → 9 + 0.1 × (10 − 9) = 9.1
    assert percentile_linear(_series([float(v) for v in range(1, 11)]), 0.9) == pytest.approx(9.1)
    # [1, 2, 3, 10]: h = 3 × 0.9 = 2.7 → 3 + 0.7 × 7 = 7.9
    assert percentile_linear(_series([10.0, 2.0, 1.0, 3.0]), 0.9) == pytest.approx(7.9)


def test_percentile_ends_and_single_value() -> None:
    values = _series([5.0, 1.0, 9.0])
    assert percentile_linear(values, 0.0) == 1.0
    assert percentile_linear(values, 1.0) == 9.0
    assert percentile_linear(_series([42.0]), 0.9) == 42.0


def test_mean_by_hand() -> None:
    assert mean(_series([1.0, 2.0, 3.0, 10.0])) == 4.0
    assert mean(pl.Series("n", [1, 2], dtype=pl.Int64)) == 1.5


def test_empty_input_gives_none() -> None:
    empty = _series([])
    assert median(empty) is None
    assert mean(empty) is None
    assert percentile_linear(empty, 0.9) is None


def test_nulls_and_nans_are_missing_values() -> None:
    values = _series([None, 1.0, float("nan"), 3.0])
    assert median(values) == 2.0
    assert mean(values) == 2.0
    assert percentile_linear(values, 0.5) == 2.0
    assert median(_series([None, float("nan")])) is None


def test_results_are_python_floats() -> None:
    result = median(pl.Series("n", [1, 3], dtype=pl.Int64))
    assert type(result) is float


def test_q_outside_unit_interval_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        percentile_linear(_series([1.0]), 1.5)


_values = st.lists(st.integers(min_value=-(10**9), max_value=10**9).map(float), min_size=1, max_size=40)


@given(_values, st.floats(min_value=0.0, max_value=1.0))
def test_percentile_matches_hand_formula(values: list[float], q: float) -> None:
    assert percentile_linear(_series(values), q) == pytest.approx(_type7(values, q), rel=1e-9, abs=1e-6)


@given(_values)
def test_min_le_median_le_p90_le_max(values: list[float]) -> None:
    series = _series(values)
    mid = median(series)
    p90 = percentile_linear(series, 0.9)
    assert mid is not None and p90 is not None
    tolerance = 1e-9 * max(1.0, max(abs(v) for v in values))
    assert min(values) - tolerance <= mid <= p90 + tolerance
    assert p90 <= max(values) + tolerance
    assert mid == pytest.approx(_type7(values, 0.5), rel=1e-9, abs=1e-6)
