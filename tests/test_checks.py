"""The checks file and its condition grammar (``csm check``): parsed, never evaluated as code.

A condition is one of ``>``, ``>=``, ``<``, ``<=``, ``==``, ``!=`` and a number, or ``between A
and B`` (both ends included); a trailing ``%`` divides by 100, exactly. A bad checks file is a
ConfigError (exit 4) that names the file and the line of the ``[[checks]]`` entry at fault.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics.checks import GRAMMAR, Check, Condition, Outcome, load_checks, parse_condition
from csmetrics.errors import ConfigError, ExitCode
from csmetrics.metrics.catalog import all_metrics

OPERATORS: dict[str, Callable[[object, object], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
METRICS = all_metrics()


# --------------------------------------------------------------------------------------------
# the grammar


@pytest.mark.parametrize(
    ("text", "op", "bound"),
    [
        ("> 0.02", ">", Decimal("0.02")),
        (">= 1", ">=", Decimal("1")),
        ("< 100%", "<", Decimal("1")),
        ("<= -3", "<=", Decimal("-3")),
        ("== 0", "==", Decimal("0")),
        ("!= 0", "!=", Decimal("0")),
        (">.5", ">", Decimal("0.5")),
        ("<5.", "<", Decimal("5")),
        ("> +7", ">", Decimal("7")),
        ("<=14400", "<=", Decimal("14400")),
    ],
)
def test_every_operator(text: str, op: str, bound: Decimal) -> None:
    condition = parse_condition(text)
    assert condition.operator == op
    assert condition.bound == bound
    assert condition.upper is None
    assert str(condition) == text


def test_a_percentage_is_divided_by_100_exactly() -> None:
    condition = parse_condition("> 3.5%")
    assert condition.bound == Decimal("0.035")
    assert condition.bound.as_tuple() == Decimal("0.035").as_tuple()
    assert parse_condition("< 100%").bound == 1
    assert parse_condition("== 0.1%").bound == Decimal("0.001")
    # exact as a decimal: 3.5% holds for the float 0.035, not for its nearest neighbours
    assert parse_condition("== 3.5%").holds(0.035)
    above = math.nextafter(0.035, 1.0)
    assert not parse_condition("== 3.5%").holds(above)
    assert parse_condition("> 3.5%").holds(above)
    assert not parse_condition("> 3.5%").holds(0.035)


def test_between_is_inclusive_at_both_ends() -> None:
    condition = parse_condition("between 0.9 and 1.1")
    assert (condition.operator, condition.bound, condition.upper) == (
        "between",
        Decimal("0.9"),
        Decimal("1.1"),
    )
    assert condition.holds(0.9)
    assert condition.holds(1.1)
    assert condition.holds(1.0)
    assert not condition.holds(math.nextafter(0.9, 0.0))
    assert not condition.holds(math.nextafter(1.1, 2.0))
    percent = parse_condition("between 90% and 110%")
    assert (percent.bound, percent.upper) == (Decimal("0.9"), Decimal("1.1"))
    assert parse_condition("between 5 and 5").holds(5.0)


@pytest.mark.parametrize(
    "text",
    [
        "  >=   5  ",
        "\t>=\t5\t",
        ">=5",
        ">= 5\n",
        "between 1 and 10",
        "  between   1   and   10  ",
        "BETWEEN 1 AND 10",
        "Between\t1\tand\t10",
    ],
)
def test_whitespace_and_case_are_free(text: str) -> None:
    condition = parse_condition(text)
    assert condition.bound in {Decimal(5), Decimal(1)}
    assert condition.holds(5.0)
    assert str(condition) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "> abc",
        ">> 1",
        "=> 1",
        "= 1",
        "> 1 2",
        "1 < 2",
        "> 1e3",
        "> 1_000",
        "> 5%%",
        "> %5",
        "> - 5",
        "__import__('os')",
        "__import__('os').system('true')",
        "> 1 or True",
        "x > 1",
        "between 1 and",
        "between 1 or 2",
        "between and 2",
        "> nan",
        "> inf",
        ">",
        "",
        "   ",
    ],
)
def test_anything_else_is_rejected_naming_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="is not a condition") as caught:
        parse_condition(text)
    message = str(caught.value)
    assert GRAMMAR in message
    for form in ("> 0.02", ">= 1", "< 100%", "== 0", "!= 0", "between 0.9 and 1.1"):
        assert form in message


def test_a_range_that_ends_below_its_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="ends below its start") as caught:
        parse_condition("between 2 and 1")
    assert "between 2 and 1" in str(caught.value)
    with pytest.raises(ValueError, match="ends below its start"):
        parse_condition("between 10% and 0.09")


def test_conditions_are_never_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a condition was evaluated as code")

    monkeypatch.setattr("builtins.eval", forbidden)
    monkeypatch.setattr("builtins.exec", forbidden)
    assert parse_condition("between 1 and 2").holds(1.5)
    with pytest.raises(ValueError):
        parse_condition("__import__('os').system('echo hacked')")


# --------------------------------------------------------------------------------------------
# property-based round trips


def _text(number: Decimal) -> str:
    return format(number, "f")


finite_decimals = st.decimals(allow_nan=False, allow_infinity=False)
plain_decimals = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False, allow_infinity=False
)
spaces = st.text(alphabet=" \t", max_size=3)


@given(op=st.sampled_from(sorted(OPERATORS)), bound=finite_decimals, left=spaces, middle=spaces)
def test_round_trip_of_an_operator_and_a_decimal(op: str, bound: Decimal, left: str, middle: str) -> None:
    condition = parse_condition(f"{left}{op}{middle}{_text(bound)}")
    assert condition.operator == op
    assert condition.bound == bound
    assert condition.upper is None


@given(op=st.sampled_from(sorted(OPERATORS)), number=plain_decimals)
def test_round_trip_of_a_percentage(op: str, number: Decimal) -> None:
    condition = parse_condition(f"{op} {_text(number)}%")
    assert condition.operator == op
    assert condition.bound == number.scaleb(-2)


@given(low=plain_decimals, high=plain_decimals)
def test_round_trip_of_between(low: Decimal, high: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    condition = parse_condition(f"between {_text(low)} and {_text(high)}")
    assert (condition.operator, condition.bound, condition.upper) == ("between", low, high)


@given(
    op=st.sampled_from(sorted(OPERATORS)),
    value=st.floats(allow_nan=False),
    bound=st.floats(allow_nan=False, allow_infinity=False),
)
def test_holds_agrees_with_python_on_floats(op: str, value: float, bound: float) -> None:
    condition = parse_condition(f"{op} {_text(Decimal(repr(bound)))}")
    assert condition.holds(value) is OPERATORS[op](value, bound)


@given(
    op=st.sampled_from(sorted(OPERATORS)),
    value=st.floats(allow_nan=False, allow_infinity=False),
    bound=st.floats(allow_nan=False, allow_infinity=False),
)
def test_holds_agrees_with_python_on_the_same_float(op: str, value: float, bound: float) -> None:
    # a bound written as the value itself compares equal, whatever its digits
    condition = parse_condition(f"{op} {_text(Decimal(repr(value)))}")
    assert condition.holds(value) is OPERATORS[op](value, value)


@given(
    value=st.floats(allow_nan=False),
    ends=st.tuples(
        st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False)
    ),
)
def test_between_agrees_with_python_on_floats(value: float, ends: tuple[float, float]) -> None:
    low, high = sorted(ends)
    condition = parse_condition(f"between {_text(Decimal(repr(low)))} and {_text(Decimal(repr(high)))}")
    assert condition.holds(value) is (low <= value <= high)
    assert condition.holds(low)
    assert condition.holds(high)


# --------------------------------------------------------------------------------------------
# Check.outcome


def _check(warn: str | None, fail: str | None) -> Check:
    return Check(
        "logo_churn_rate",
        "last-month",
        parse_condition(warn) if warn else None,
        parse_condition(fail) if fail else None,
        {},
        "churn",
        1,
    )


@pytest.mark.parametrize(
    ("warn", "fail", "value", "expected"),
    [
        ("> 2%", "> 3.5%", 0.01, Outcome.PASSED),
        ("> 2%", "> 3.5%", 0.02, Outcome.PASSED),
        ("> 2%", "> 3.5%", 0.025, Outcome.WARNED),
        ("> 2%", "> 3.5%", 0.035, Outcome.WARNED),
        ("> 2%", "> 3.5%", 0.04, Outcome.FAILED),
        # fail beats warn when both hold
        ("> 0", "> 0", 1.0, Outcome.FAILED),
        ("between 0 and 1", "< 0.5", 0.25, Outcome.FAILED),
        (None, "< 1", 0.5, Outcome.FAILED),
        (None, "< 1", 1.0, Outcome.PASSED),
        ("< 1", None, 0.5, Outcome.WARNED),
        ("< 1", None, 2.0, Outcome.PASSED),
    ],
)
def test_outcome(warn: str | None, fail: str | None, value: float, expected: Outcome) -> None:
    assert _check(warn, fail).outcome(value) is expected


@pytest.mark.parametrize(("warn", "fail"), [("> 2%", "> 3.5%"), ("> 2%", None), (None, "< 0")])
def test_no_value_fails(warn: str | None, fail: str | None) -> None:
    assert _check(warn, fail).outcome(None) is Outcome.FAILED


def test_outcome_values_are_the_json_words() -> None:
    assert [outcome.value for outcome in Outcome] == ["pass", "warn", "fail"]


def test_condition_is_a_plain_frozen_value() -> None:
    condition = Condition(">", Decimal(1), text="> 1")
    assert condition == parse_condition("> 1")
    assert condition.holds(1.5)


# --------------------------------------------------------------------------------------------
# load_checks


def _write(tmp_path: Path, text: str, name: str = "csm-checks.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _config_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_checks(path, METRICS)
    assert caught.value.exit_code is ExitCode.CONFIG
    assert caught.value.exit_code == 4
    return caught.value


GOOD = """\
# thresholds
[[checks]]
name = "Monthly logo churn"
metric = "logo_churn_rate"
period = "last-month"
warn = "> 2%"
fail = "> 3.5%"

[[checks]]
metric = "nrr"
period = "2023-Q4"
fail = "< 100%"
where = { plan = "Enterprise", industry = "Retail" }

[[checks]]
metric = "first_response_seconds_median"
warn = "between 0 and 3600"
"""


def test_load_a_good_file(tmp_path: Path) -> None:
    checks = load_checks(_write(tmp_path, GOOD), METRICS)
    assert [check.line for check in checks] == [2, 9, 15]
    first, second, third = checks
    assert first.name == "Monthly logo churn"
    assert (first.metric, first.period) == ("logo_churn_rate", "last-month")
    assert first.warn == parse_condition("> 2%")
    assert first.fail == parse_condition("> 3.5%")
    assert first.where == {}
    assert second.name == "nrr where plan=Enterprise, industry=Retail"
    assert second.where == {"plan": "Enterprise", "industry": "Retail"}
    assert second.warn is None
    assert second.period == "2023-Q4"
    assert third.period == "last-month"
    assert third.fail is None
    assert third.name == "first_response_seconds_median"


def test_invalid_toml_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[checks]]\nmetric = "nrr"\nfail = < 1\n')
    error = _config_error(path)
    assert error.line == 3
    assert str(error).startswith(f"{path}:3: not valid TOML")


def test_a_file_without_checks(tmp_path: Path) -> None:
    for text in ("", "# nothing\n", "[other]\nx = 1\n", "checks = []\n", 'checks = "x"\n'):
        error = _config_error(_write(tmp_path, text))
        assert "no [[checks]] entries" in str(error)
        assert error.path == str(tmp_path / "csm-checks.toml")


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ('metric = "nrr"\nfial = "< 1"', "unknown key 'fial' (use fail, metric, name, period, warn, where)"),
        ('metric = "nrx"\nfail = "< 1"', "unknown metric 'nrx' (use one of "),
        ('metric = "nrr"\nfail = "<< 1"', "fail: '<< 1' is not a condition"),
        ('metric = "nrr"\nwarn = "between 2 and 1"', "warn: 'between 2 and 1': the range ends below"),
        ('metric = "nrr"\nfail = 1.0', 'fail must be a string such as "> 0.02"'),
        ('metric = "nrr"\nperiod = "2023-12"', "needs warn or fail"),
        ('metric = "nrr"\nfail = "< 1"\nwhere = "plan"', 'where must be a table of attribute = "value"'),
        ('metric = "nrr"\nfail = "< 1"\nwhere = { size = 5 }', "where must be a table"),
        ('metric = "nrr"\nfail = "< 1"\nperiod = 2023', "period and name must be strings"),
        ('fail = "< 1"', 'needs metric = "…"'),
        ('metric = 3\nfail = "< 1"', 'needs metric = "…"'),
    ],
)
def test_a_bad_entry_names_the_line_of_its_header(tmp_path: Path, entry: str, needle: str) -> None:
    text = f'# checks\n\n[[checks]]\nmetric = "nrr"\nfail = "< 1"\n\n[[checks]]\n{entry}\n'
    path = _write(tmp_path, text)
    error = _config_error(path)
    assert error.line == 7
    assert str(error).startswith(f"{path}:7: check 2: ")
    assert needle in str(error)


def test_an_unknown_metric_lists_the_names_that_exist(tmp_path: Path) -> None:
    error = _config_error(_write(tmp_path, '[[checks]]\nmetric = "logo_churn"\nfail = "> 1"\n'))
    for name in ("logo_churn_rate", "nrr", "grr", "csat_score", "first_response_seconds_median", "nps"):
        assert name in str(error)
    assert error.line == 1


def test_inline_array_of_checks_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path, 'checks = [{ metric = "nrr", fail = "< 1" }, { metric = "grr", warn = "< 0.9" }]\n'
    )
    checks = load_checks(path, METRICS)
    assert [check.metric for check in checks] == ["nrr", "grr"]


def test_a_missing_checks_file(tmp_path: Path) -> None:
    error = _config_error(tmp_path / "nowhere.toml")
    assert "no checks file" in str(error)
    assert str(tmp_path / "nowhere.toml") in str(error)
    directory = tmp_path / "folder.toml"
    directory.mkdir()
    assert "no checks file" in str(_config_error(directory))
