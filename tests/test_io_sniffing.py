"""Sniffing stays strict: where a file could mean two things, it is an error naming the option.

Decimal comma vs point, slashed dates and delimiters: each is detected from the file, and a file
that does not settle the question never gets a guess (a wrong guess is a silently wrong number).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csmetrics.errors import DataError
from csmetrics.io.readers import read_subscriptions, read_tickets
from csmetrics.io.source import ReadOptions, sniff_delimiter

HEADER = ["subscription_id", "customer_id", "mrr", "started_at", "ended_at"]


def subs_file(tmp_path: Path, mrr: list[str], sep: str = ";", name: str = "subs.csv") -> str:
    lines = [sep.join(HEADER)]
    for i, value in enumerate(mrr):
        cell = f'"{value}"' if sep in value else value
        lines.append(sep.join([f"s{i}", f"c{i}", cell, "2024-01-01", ""]))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def cents(path: str, **options: object) -> list[int]:
    loaded = read_subscriptions(ReadOptions(path=path, **options), "UTC")  # type: ignore[arg-type]
    return [int(value) for value in loaded.frame["mrr_cents"].to_list()]


# --------------------------------------------------------------------------------------------
# decimal comma


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_lone_thousands_looking_number_is_an_error_naming_decimal_comma(sep: str, tmp_path: Path) -> None:
    path = subs_file(tmp_path, ["1.234", "2.500"], sep)
    with pytest.raises(DataError) as caught:
        cents(path)
    error = caught.value
    assert (error.line, error.column, error.value) == (2, "mrr", "1.234")
    assert "decimal_comma = true or false" in error.reason
    assert cents(path, decimal_comma=True) == [123400, 250000]
    assert cents(path, decimal_comma=False) == [123, 250]


def test_another_number_settles_it(tmp_path: Path) -> None:
    assert cents(subs_file(tmp_path, ["1.234", "99,50"])) == [123400, 9950]
    assert cents(subs_file(tmp_path, ["1.234", "99.50"])) == [123, 9950]
    assert cents(subs_file(tmp_path, ["1.234", "1.234.567"])) == [123400, 123456700]
    assert cents(subs_file(tmp_path, ["1.234", "0,5"])) == [123400, 50]
    assert cents(subs_file(tmp_path, ["1.234", "12345,678"])) == [123400, 1234568]


def test_evidence_may_come_from_another_column(tmp_path: Path) -> None:
    lines = [
        "ticket_id;created_at;first_response_minutes;resolution_minutes",
        "t1;2024-01-01 10:00;1.500;2,5",
    ]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    frame = read_tickets(ReadOptions(path=str(path)), "UTC").frame
    assert frame["first_response_minutes"].to_list() == [1500.0]
    assert frame["resolution_minutes"].to_list() == [2.5]


def test_numbers_that_read_the_same_either_way_are_no_problem(tmp_path: Path) -> None:
    assert cents(subs_file(tmp_path, ["1234", "1 234", "0", "12"])) == [123400, 123400, 0, 1200]
    assert cents(subs_file(tmp_path, ["0.123"])) == [12]
    assert cents(subs_file(tmp_path, ["0,125"])) == [12]


def test_a_comma_delimited_file_is_no_evidence(tmp_path: Path) -> None:
    """A decimal-comma writer may use ',' between cells: its whole numbers need no quotes."""
    path = subs_file(tmp_path, ["1.000", "2.500"], ",")
    with pytest.raises(DataError, match="decimal_comma"):
        cents(path)
    assert cents(path, decimal_comma=False) == [100, 250]
    assert cents(subs_file(tmp_path, ["1.000", "2.50"], ",")) == [100, 250]


def test_a_quoted_thousands_comma_is_ambiguous_even_in_a_comma_file(tmp_path: Path) -> None:
    path = subs_file(tmp_path, ["1,234"], ",")
    with pytest.raises(DataError, match="decimal_comma"):
        cents(path)
    assert cents(path, decimal_comma=True) == [123]


def test_mixed_conventions_are_an_error_on_the_point_cell(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        cents(subs_file(tmp_path, ["1,5", "99.50"]))
    assert (caught.value.line, caught.value.value) == (3, "99.50")


_VALUES = st.lists(
    st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2, allow_nan=False),
    min_size=1,
    max_size=4,
)


def _written(value: Decimal, comma: bool, thousands: str, places: int) -> str:
    text = f"{value:,.{places}f}"
    whole, _, fraction = text.partition(".")
    whole = whole.replace(",", thousands)
    return whole + ((("," if comma else ".") + fraction) if fraction else "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=_VALUES,
    comma=st.booleans(),
    thousands=st.sampled_from(["", " ", "\u00a0", "."]),
    places=st.sampled_from([0, 2]),
    sep=st.sampled_from([";", "\t", ","]),
)
def test_a_wrong_guess_is_impossible(
    values: list[Decimal], comma: bool, thousands: str, places: int, sep: str, tmp_path: Path
) -> None:
    """Whatever the file's convention, csm reads the numbers exactly as meant, or stops."""
    if thousands == "." and not comma:
        thousands = ","  # a point writer's thousands separator; csm does not accept it: an error
    written = [_written(value, comma, thousands, places) for value in values]
    path = subs_file(tmp_path, written, sep, "prop.csv")
    meant = [int((value.quantize(Decimal(1) / 10**places)) * 100) for value in values]
    try:
        got = cents(path)
    except DataError:
        return
    assert got == meant, (written, sep)


# --------------------------------------------------------------------------------------------
# dates


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), min_size=1, max_size=5),
    day_first=st.booleans(),
)
def test_slashed_dates_are_read_as_meant_or_not_at_all(
    days: list[date], day_first: bool, tmp_path: Path
) -> None:
    form = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    lines = [",".join(HEADER)] + [f"s{i},c{i},1,{day.strftime(form)}," for i, day in enumerate(days)]
    path = tmp_path / "dates.csv"
    path.write_text("\n".join(lines) + "\n")
    try:
        got = read_subscriptions(ReadOptions(path=str(path)), "UTC").frame["started_at"].to_list()
    except DataError as error:
        assert "date_format" in error.reason or "not a date" in error.reason
        return
    assert got == days


def test_day_first_dashes_are_not_guessed(tmp_path: Path) -> None:
    """Zendesk files re-saved by Excel show 08-04-2023: neither ISO nor dd.mm.yyyy."""
    path = tmp_path / "s.csv"
    path.write_text(",".join(HEADER) + "\ns1,c1,1,08-04-2023,\n")
    with pytest.raises(DataError, match="date_format"):
        read_subscriptions(ReadOptions(path=str(path)), "UTC")
    loaded = read_subscriptions(ReadOptions(path=str(path), date_format="%d-%m-%Y"), "UTC")
    assert loaded.frame["started_at"].to_list() == [date(2023, 4, 8)]


# --------------------------------------------------------------------------------------------
# delimiters


def test_a_quoted_header_name_does_not_vote_for_its_delimiter() -> None:
    text = '"MRR, zł";ID klienta;Plan\n"1,5";K1;Pro\n'
    assert sniff_delimiter("f", text) == ";"


def test_a_tie_is_settled_by_the_data() -> None:
    text = "a;b,c\n1;2,3\n4;5,6\n"  # both split the header in two; both split the rows in two
    with pytest.raises(DataError) as caught:
        sniff_delimiter("f", text)
    assert "set delimiter" in caught.value.reason
    assert caught.value.line == 1
    assert sniff_delimiter("f", "a;b,c\n1;2\n3;4\n") == ";"
    assert sniff_delimiter("f", "a;b,c\n1,2\n3,4\n") == ","
