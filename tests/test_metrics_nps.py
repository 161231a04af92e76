"""NPS (SPEC §4): categories, the 45/25/30 → 15 example, the Wald margin, groups."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.nps import (
    NpsResult,
    compute_nps,
    is_margin_too_wide,
    nps_by,
    responses_needed,
)
from csmetrics.periods import Period

DEC = Period("2023-12", date(2023, 12, 1), date(2024, 1, 1))
AS_OF = date(2024, 1, 15)
VALUE_KEYS = ["responses", "promoters", "passives", "detractors", "nps", "margin_of_error_95"]


def _surveys(
    scores: list[int],
    *,
    when: list[datetime] | None = None,
    customers: list[str] | None = None,
    tz: str = "UTC",
) -> pl.DataFrame:
    """Surveys frame; ``when`` are UTC instants (default mid-December), shown in ``tz``."""
    n = len(scores)
    instants = when if when is not None else [datetime(2023, 12, 10, 12)] * n
    return pl.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "customer_id": customers if customers is not None else [f"c{i}" for i in range(n)],
            "responded_at": pl.Series(instants, dtype=pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(tz),
            "score": pl.Series(scores, dtype=pl.Int64),
            "comment": pl.Series([None] * n, dtype=pl.String),
        }
    )


def test_worked_example_45_25_30_gives_15() -> None:
    scores = [10] * 5 + [9] * 4 + [8] * 3 + [7] * 2 + [0, 3, 5, 6, 6, 2]
    result = compute_nps(_surveys(scores), DEC, AS_OF)
    assert (result.responses, result.promoters, result.passives, result.detractors) == (
        20,
        9,
        5,
        6,
    )
    assert result.nps == pytest.approx(15.0)
    # 196 × sqrt((0.45 + 0.30 − 0.15²) / 20) = 196 × sqrt(0.036375) ≈ 37.3815
    assert result.margin_of_error_95 == pytest.approx(196 * math.sqrt(0.7275 / 20))
    assert result.margin_of_error_95 == pytest.approx(37.3815, abs=1e-4)


def test_category_boundaries() -> None:
    result = compute_nps(_surveys([6, 7, 8, 9]), DEC, AS_OF)
    assert (result.promoters, result.passives, result.detractors) == (1, 2, 1)
    assert result.nps == 0.0


def test_all_promoters_gives_100_and_zero_wald_margin() -> None:
    result = compute_nps(_surveys([9, 10, 10]), DEC, AS_OF)
    assert result.nps == 100.0
    assert result.margin_of_error_95 == 0.0


def test_no_responses_gives_none_not_nan() -> None:
    result = compute_nps(_surveys([]), DEC, AS_OF)
    assert result.values() == dict.fromkeys(VALUE_KEYS[:4], 0) | {
        "nps": None,
        "margin_of_error_95": None,
    }
    json.dumps(result.values(), allow_nan=False)


def test_values_has_exactly_the_spec_keys() -> None:
    assert list(compute_nps(_surveys([10]), DEC, AS_OF).values()) == VALUE_KEYS


def test_local_day_decides_the_period() -> None:
    # 2023-11-30 23:30Z is 2023-12-01 00:30 in Warsaw: December there, November in UTC.
    when = [datetime(2023, 11, 30, 23, 30)]
    assert compute_nps(_surveys([10], when=when, tz="Europe/Warsaw"), DEC, AS_OF).responses == 1
    assert compute_nps(_surveys([10], when=when, tz="UTC"), DEC, AS_OF).responses == 0


def test_period_end_is_exclusive_and_as_of_cuts() -> None:
    when = [datetime(2023, 12, 31, 23, 59), datetime(2024, 1, 1, 0, 0), datetime(2023, 12, 20)]
    frame = _surveys([10, 0, 0], when=when)
    assert compute_nps(frame, DEC, AS_OF).values()["detractors"] == 1
    # as-of 2023-12-19: the response of the 20th is not known yet
    early = compute_nps(frame, DEC, date(2023, 12, 19))
    assert (early.responses, early.promoters) == (0, 0)
    on_the_day = compute_nps(frame, DEC, date(2023, 12, 20))
    assert on_the_day.responses == 1


def test_lazy_frame_input() -> None:
    assert compute_nps(_surveys([10, 0]).lazy(), DEC, AS_OF).nps == 0.0


def test_nps_by_groups_and_none_group() -> None:
    frame = _surveys([10, 9, 0, 10, 5, 8], customers=["a", "a", "b", "c", "d", "e"])
    attributes = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "a"],
            "plan": ["pro", "pro", "basic", None, "basic"],  # 'a' twice: first row wins
        }
    )
    groups = nps_by(frame, attributes, "plan", DEC, AS_OF)
    assert [name for name, _ in groups] == ["pro", "(none)", "basic"]
    pro = dict(groups)["pro"]
    assert (pro.responses, pro.promoters, pro.detractors) == (3, 2, 1)
    none = dict(groups)["(none)"]  # 'd' has a null plan, 'e' has no row
    assert (none.responses, none.passives, none.detractors) == (2, 1, 1)
    assert sum(result.responses for _, result in groups) == 6


def test_nps_by_needs_the_attribute_column() -> None:
    with pytest.raises(ValueError, match="plan"):
        nps_by(_surveys([10]), pl.DataFrame({"customer_id": ["c0"]}), "plan", DEC, AS_OF)


def test_responses_needed() -> None:
    assert responses_needed() == 385  # (196 / 10)² = 384.16, worst case p = d = 0.5
    assert responses_needed(10.0, 0.45, 0.30) == 280  # 384.16 × 0.7275 = 279.48
    assert responses_needed(5.0) == 1537


def test_is_margin_too_wide() -> None:
    twenty = NpsResult.from_counts(9, 5, 6)
    assert is_margin_too_wide(twenty)  # ±37 points
    thousand = NpsResult.from_counts(450, 250, 300)  # ±5.3 points
    assert not is_margin_too_wide(thousand)
    assert is_margin_too_wide(thousand, limit=5.0)
    assert is_margin_too_wide(NpsResult.from_counts(5, 0, 0))  # Wald says 0: too few answers
    assert is_margin_too_wide(NpsResult.from_counts(0, 0, 0))


_groups = st.sampled_from(["a", "b", "c", None])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), _groups), max_size=40))
def test_nps_bounds_and_group_counts_add_up(rows: list[tuple[int, str | None]]) -> None:
    scores = [score for score, _ in rows]
    frame = _surveys(scores, customers=[f"c{i}" for i in range(len(rows))])
    total = compute_nps(frame, DEC, AS_OF)
    assert total.responses == len(rows)
    assert total.promoters + total.passives + total.detractors == total.responses
    if total.nps is None:
        assert total.responses == 0
    else:
        assert -100.0 <= total.nps <= 100.0
        assert total.margin_of_error_95 is not None and total.margin_of_error_95 >= 0.0
    attributes = pl.DataFrame(
        {"customer_id": [f"c{i}" for i in range(len(rows))], "segment": [g for _, g in rows]},
        schema={"customer_id": pl.String, "segment": pl.String},
    )
    groups = nps_by(frame, attributes, "segment", DEC, AS_OF)
    for field in ("responses", "promoters", "passives", "detractors"):
        assert sum(getattr(result, field) for _, result in groups) == getattr(total, field)
    assert [r.responses for _, r in groups] == sorted((r.responses for _, r in groups), reverse=True)
