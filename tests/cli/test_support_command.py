"""`csm support` end to end through the CLI (SPEC §1 tickets, §4 support rules, §5 output, §7).

The hand-made file below has ten tickets created in 2023-12 (UTC) plus one created in November
and solved in December, and one created and solved in January. Every expected number is worked
out by hand in the comments next to the file.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CSM_VARIABLES, failed, invoke, ok, one_line
from typer.testing import Result

# id   created (UTC)    day  first response  resolution      replies channel agent  csat type
# T1   12-04 09:00      Mon  30 m  =   1800  1 h   =   3600  1       email   Anna   5    question
# T2   12-05 10:00      Tue  1h12m =   4320  4 h   =  14400  2       email   Anna   4    bug
# T3   12-06 11:00      Wed  15 m  =    900  1 d   =  86400  3       chat    Piotr  2    question
# T4   12-07 12:00      Thu  2 h   =   7200  4 h   =  14400  1       chat    Piotr  -    question
# T5   12-08 09:00      Fri  3 h   =  10800  (open)          1       phone   Ola    -    bug
# T6   12-09 12:00      Sat  (none)          (open)          0       web     -      -    question
# T7   12-11 09:00      Mon  5 m   =    300  1h12m =   4320  1       email   Ola    3    feature_request
# T8   12-12 15:00      Tue  1h12m =   4320  2 d   = 172800  4       email   Anna   5    bug
# T9   12-31 23:00      Sun  1h30m =   5400  2 h   =   7200  1       chat    Piotr  4    question
# T10  12-18 23:30      Mon  30 m  =   1800  2 h   =   7200  2       web     Ola    -    question
# T11  11-28 10:00 Nov  Tue  1 h   =   3600  3 d   = 259200  2       email   Anna   4    question
# T12  01-02 10:00 Jan  Tue  30 m  =   1800  1 d   =  86400  1       chat    Kasia  5    bug
TICKETS_CSV = """\
ticket_id,customer_id,created_at,first_response_at,solved_at,status,replies,channel,agent,csat,type
T1,C1,2023-12-04T09:00:00Z,2023-12-04T09:30:00Z,2023-12-04T10:00:00Z,closed,1,email,Anna,5,question
T2,C2,2023-12-05T10:00:00Z,2023-12-05T11:12:00Z,2023-12-05T14:00:00Z,closed,2,email,Anna,4,bug
T3,C3,2023-12-06T11:00:00Z,2023-12-06T11:15:00Z,2023-12-07T11:00:00Z,closed,3,chat,Piotr,2,question
T4,C1,2023-12-07T12:00:00Z,2023-12-07T14:00:00Z,2023-12-07T16:00:00Z,closed,1,chat,Piotr,,question
T5,C4,2023-12-08T09:00:00Z,2023-12-08T12:00:00Z,,open,1,phone,Ola,,bug
T6,C5,2023-12-09T12:00:00Z,,,new,0,web,,,question
T7,C2,2023-12-11T09:00:00Z,2023-12-11T09:05:00Z,2023-12-11T10:12:00Z,closed,1,email,Ola,3,feature_request
T8,C3,2023-12-12T15:00:00Z,2023-12-12T16:12:00Z,2023-12-14T15:00:00Z,closed,4,email,Anna,5,bug
T9,C4,2023-12-31T23:00:00Z,2024-01-01T00:30:00Z,2024-01-01T01:00:00Z,closed,1,chat,Piotr,4,question
T10,C5,2023-12-18T23:30:00Z,2023-12-19T00:00:00Z,2023-12-19T01:30:00Z,closed,2,web,Ola,,question
T11,C1,2023-11-28T10:00:00Z,2023-11-28T11:00:00Z,2023-12-01T10:00:00Z,closed,2,email,Anna,4,question
T12,C2,2024-01-02T10:00:00Z,2024-01-02T10:30:00Z,2024-01-03T10:00:00Z,closed,1,chat,Kasia,5,bug
"""

DEC = ["-p", "2023-12", "--as-of", "2024-01-15"]
JAN = ["-p", "2024-01", "--as-of", "2024-02-15"]

TOP_KEYS = {"command", "csm_version", "period", "as_of", "inputs", "values"}
VALUE_KEYS = [
    "tickets",
    "solved_tickets",
    "unanswered_tickets",
    "resolution_rate",
    "replies_per_solved_ticket",
    "one_touch_rate",
    "first_response_seconds_median",
    "first_response_seconds_mean",
    "first_response_seconds_p90",
    "resolution_seconds_median",
    "resolution_seconds_mean",
    "resolution_seconds_p90",
    "csat_responses",
    "csat_score",
    "csat_average",
    "by_channel",
    "by_weekday",
    "by_hour",
    "by_agent",
    "clock",
]
SCALAR_KEYS = [key for key in VALUE_KEYS if not key.startswith("by_")]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = [str(hour) for hour in range(24)]

# --- expected values of the December 2023 creation cohort (UTC), worked by hand ----------------
# T1–T10 are created in December; T9 is solved on 2024-01-01, before the as-of day, so it counts.
# Solved: all but T5 and T6 → 8 of 10. Unanswered: T6 only.
# Replies of the solved: 1 2 3 1 1 4 1 2 = 15 → 15/8; one reply: T1 T4 T7 T9 → 4/8.
# First responses (9): 300 900 1800 1800 4320 4320 5400 7200 10800 (sum 36840)
#   median = 4320; mean = 36840/9; p90: h = 8 × 0.9 = 7.2 → 7200 + 0.2 × 3600 = 7920.
# Resolutions (8): 3600 4320 7200 7200 14400 14400 86400 172800 (sum 310320)
#   median = (7200 + 14400)/2 = 10800; mean = 38790; p90: h = 7 × 0.9 = 6.3 → 86400 + 0.3 × 86400.
# CSAT: 5 4 2 3 5 4 → 6 rated, 4 of them 4–5; mean 23/6.
DEC_EXPECTED: dict[str, Any] = {
    "tickets": 10,
    "solved_tickets": 8,
    "unanswered_tickets": 1,
    "resolution_rate": 0.8,
    "replies_per_solved_ticket": 15 / 8,
    "one_touch_rate": 0.5,
    "first_response_seconds_median": 4320.0,
    "first_response_seconds_mean": 36840 / 9,
    "first_response_seconds_p90": 7920.0,
    "resolution_seconds_median": 10800.0,
    "resolution_seconds_mean": 38790.0,
    "resolution_seconds_p90": 112320.0,
    "csat_responses": 6,
    "csat_score": 4 / 6,
    "csat_average": 23 / 6,
    "clock": "calendar",
}
DEC_BY_CHANNEL = {"email": 4, "chat": 3, "web": 2, "phone": 1}
DEC_BY_WEEKDAY = {"Mon": 3, "Tue": 2, "Wed": 1, "Thu": 1, "Fri": 1, "Sat": 1, "Sun": 1}
DEC_BY_HOUR = {**dict.fromkeys(HOURS, 0), "9": 3, "10": 1, "11": 1, "12": 2, "15": 1, "23": 2}
DEC_BY_AGENT = {
    # T1 T2 T8: all solved, CSAT 5 4 5, first responses 1800 4320 4320
    "Anna": {
        "tickets": 3,
        "solved": 3,
        "csat_responses": 3,
        "csat_score": 1.0,
        "first_response_seconds_median": 4320.0,
    },
    # T3 T4 T9: all solved, CSAT 2 4, first responses 900 7200 5400
    "Piotr": {
        "tickets": 3,
        "solved": 3,
        "csat_responses": 2,
        "csat_score": 0.5,
        "first_response_seconds_median": 5400.0,
    },
    # T5 T7 T10: T7 and T10 solved, CSAT 3, first responses 10800 300 1800
    "Ola": {
        "tickets": 3,
        "solved": 2,
        "csat_responses": 1,
        "csat_score": 0.0,
        "first_response_seconds_median": 1800.0,
    },
    # T6: no agent, no answer
    "(unassigned)": {
        "tickets": 1,
        "solved": 0,
        "csat_responses": 0,
        "csat_score": None,
        "first_response_seconds_median": None,
    },
}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tickets_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "tickets.csv", TICKETS_CSV)


def data(result: Result) -> dict[str, Any]:
    """The JSON object on stdout (floats as floats: durations and rates are unrounded floats)."""
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def values_of(args: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = data(ok(invoke(["support", *args, "-f", "json"])))["values"]
    return values


def csv_rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def assert_scalars(values: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        got = values[key]
        if isinstance(want, float):
            assert isinstance(got, float), (key, got)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-9), key
        else:
            assert got == want, key


# --- the hand-made file: every value, in JSON ----------------------------------------------------


def test_json_has_exactly_the_spec_shape(tickets_csv: Path) -> None:
    out = data(ok(invoke(["support", "-t", "tickets.csv", *DEC, "-f", "json"])))
    assert set(out) == TOP_KEYS
    assert out["command"] == "support"
    assert isinstance(out["csm_version"], str) and out["csm_version"]
    assert out["period"] == {"label": "2023-12", "start": "2023-12-01", "end": "2024-01-01"}
    assert out["as_of"] == "2024-01-15"
    assert out["inputs"] == [{"kind": "tickets", "path": "tickets.csv", "rows": 12}]
    assert list(out["values"]) == VALUE_KEYS


def test_hand_made_december_values(tickets_csv: Path) -> None:
    values = values_of(["-t", "tickets.csv", *DEC])
    assert_scalars(values, DEC_EXPECTED)
    assert values["by_channel"] == DEC_BY_CHANNEL
    assert values["by_weekday"] == DEC_BY_WEEKDAY
    assert list(values["by_weekday"]) == WEEKDAYS
    assert values["by_hour"] == DEC_BY_HOUR
    assert list(values["by_hour"]) == HOURS
    assert values["by_agent"] == DEC_BY_AGENT
    assert sum(values["by_channel"].values()) == values["tickets"]
    assert sum(values["by_weekday"].values()) == values["tickets"]
    assert sum(values["by_hour"].values()) == values["tickets"]
    assert sum(line["tickets"] for line in values["by_agent"].values()) == values["tickets"]


def test_json_durations_and_rates_are_unrounded_floats(tickets_csv: Path) -> None:
    values = values_of(["-t", "tickets.csv", *DEC])
    for key in VALUE_KEYS:
        if "_seconds_" in key or key.endswith("_rate") or key in {"csat_score", "csat_average"}:
            assert isinstance(values[key], float), key
    assert values["first_response_seconds_mean"] != round(values["first_response_seconds_mean"], 2)


def test_by_weekday_and_by_hour_list_every_key_even_when_empty(tmp_path: Path) -> None:
    write(
        tmp_path / "one.csv",
        "ticket_id,created_at\nX1,2023-12-06T14:20:00Z\n",
    )
    values = values_of(["-t", "one.csv", *DEC])
    assert values["by_weekday"] == {**dict.fromkeys(WEEKDAYS, 0), "Wed": 1}
    assert values["by_hour"] == {**dict.fromkeys(HOURS, 0), "14": 1}
    assert values["first_response_seconds_median"] is None
    assert values["resolution_rate"] == 0.0
    assert values["replies_per_solved_ticket"] is None
    assert values["one_touch_rate"] is None
    assert values["csat_score"] is None
    assert values["csat_average"] is None
    assert values["unanswered_tickets"] == 1


# --- cohorts, --as-of and time zones -------------------------------------------------------------


def test_a_ticket_created_on_new_years_eve_is_in_decembers_created_cohort(tickets_csv: Path) -> None:
    december = values_of(["-t", "tickets.csv", *DEC])
    assert december["tickets"] == 10
    assert december["by_agent"]["Piotr"]["tickets"] == 3  # T3 T4 T9
    assert december["by_weekday"]["Sun"] == 1  # T9, 2023-12-31
    january = values_of(["-t", "tickets.csv", *JAN])
    assert january["tickets"] == 1  # T12 only
    assert january["by_agent"] == {
        "Kasia": {
            "tickets": 1,
            "solved": 1,
            "csat_responses": 1,
            "csat_score": 1.0,
            "first_response_seconds_median": 1800.0,
        }
    }


def test_cohort_solved_december(tickets_csv: Path) -> None:
    # Solved in December: T1 T2 T3 T4 T7 T8 T10 and T11 (created in November), not T9 (January).
    # Replies 1 2 3 1 1 4 2 2 = 16; one reply: T1 T4 T7.
    # Resolutions: 3600 4320 7200 14400 14400 86400 172800 259200 (sum 562320)
    #   median 14400, mean 70290, p90: h = 6.3 → 172800 + 0.3 × 86400 = 198720.
    # First responses: 300 900 1800 1800 3600 4320 4320 7200 → median 2700, mean 24240/8.
    # CSAT: T1 5, T2 4, T3 2, T7 3, T8 5, T11 4 → 4 of 6.
    values = values_of(["-t", "tickets.csv", *DEC, "--cohort", "solved"])
    assert_scalars(
        values,
        {
            "tickets": 8,
            "solved_tickets": 8,
            "unanswered_tickets": 0,
            "resolution_rate": 1.0,
            "replies_per_solved_ticket": 2.0,
            "one_touch_rate": 0.375,
            "first_response_seconds_median": 2700.0,
            "first_response_seconds_mean": 24240 / 8,
            "resolution_seconds_median": 14400.0,
            "resolution_seconds_mean": 70290.0,
            "resolution_seconds_p90": 198720.0,
            "csat_responses": 6,
            "csat_score": 4 / 6,
        },
    )
    # by_weekday still counts creation days: T11 was created on Tuesday 2023-11-28.
    assert values["by_weekday"] == {"Mon": 3, "Tue": 3, "Wed": 1, "Thu": 1, "Fri": 0, "Sat": 0, "Sun": 0}
    assert values["by_agent"]["Anna"]["tickets"] == 4  # T1 T2 T8 T11
    assert "(unassigned)" not in values["by_agent"]


def test_a_ticket_solved_on_new_years_day_is_in_januarys_solved_cohort(tickets_csv: Path) -> None:
    # Solved in January: T9 (created 2023-12-31 23:00, solved 2024-01-01 01:00) and T12.
    values = values_of(["-t", "tickets.csv", *JAN, "--cohort", "solved"])
    assert values["tickets"] == 2
    assert values["solved_tickets"] == 2
    assert set(values["by_agent"]) == {"Piotr", "Kasia"}
    assert values["by_weekday"]["Sun"] == 1  # T9 was created on a Sunday
    assert values["by_hour"]["23"] == 1
    assert values["resolution_seconds_median"] == pytest.approx((7200 + 86400) / 2)


def test_what_happens_after_as_of_is_not_known_yet(tickets_csv: Path) -> None:
    # As of 2023-12-31, T9's response and solve (2024-01-01) have not happened: unanswered, open.
    values = values_of(["-t", "tickets.csv", "-p", "2023-12", "--as-of", "2023-12-31"])
    assert values["tickets"] == 10
    assert values["solved_tickets"] == 7
    assert values["unanswered_tickets"] == 2
    assert values["resolution_rate"] == pytest.approx(0.7)


def test_tz_warsaw_moves_a_late_ticket_to_the_next_day_and_hour(tickets_csv: Path) -> None:
    # Warsaw is UTC+1 in December: T10 (Mon 23:30Z) is Tue 00:30 there, and T9 (12-31 23:00Z) is
    # 2024-01-01 00:00 there, so it leaves December altogether.
    values = values_of(["-t", "tickets.csv", *DEC, "--tz", "Europe/Warsaw"])
    assert values["tickets"] == 9
    assert values["by_weekday"] == {"Mon": 2, "Tue": 3, "Wed": 1, "Thu": 1, "Fri": 1, "Sat": 1, "Sun": 0}
    assert values["by_hour"] == {
        **dict.fromkeys(HOURS, 0),
        "0": 1,
        "10": 3,
        "11": 1,
        "12": 1,
        "13": 2,
        "16": 1,
    }
    assert values["by_agent"]["Piotr"]["tickets"] == 2
    january = values_of(["-t", "tickets.csv", *JAN, "--tz", "Europe/Warsaw"])
    assert january["tickets"] == 2  # T9 and T12
    assert january["by_hour"]["0"] == 1


def test_naive_times_are_read_in_tz(tmp_path: Path) -> None:
    write(tmp_path / "naive.csv", "ticket_id,created_at\nN1,2023-12-04 23:30:00\n")
    utc = values_of(["-t", "naive.csv", *DEC])
    warsaw = values_of(["-t", "naive.csv", *DEC, "--tz", "Europe/Warsaw"])
    # A naive time is wall-clock time in --tz: 23:30 on Monday either way.
    assert utc["by_hour"]["23"] == warsaw["by_hour"]["23"] == 1
    assert utc["by_weekday"]["Mon"] == warsaw["by_weekday"]["Mon"] == 1


# --- business hours and holidays -----------------------------------------------------------------

# Europe/Warsaw is UTC+1 in December 2023.
# B1: created Fri 12-08 16:00, first response Mon 12-11 10:00, solved Tue 12-12 10:00 (Warsaw)
#     business: response = Fri 16–17 + Mon 9–10 = 2 h; resolution = Fri 1 h + Mon 8 h + Tue 1 h = 10 h
#     with 2023-12-11 a holiday: response 1 h (the Friday hour), resolution 2 h
#     calendar: response 66 h
# B2: created Sat 12-09 12:00, first response Sat 13:00, solved Mon 12-11 09:30 (Warsaw)
#     business: response 0, resolution 30 m; with the Monday a holiday: 0 and 0
BUSINESS_CSV = """\
ticket_id,created_at,first_response_at,solved_at,replies
B1,2023-12-08T15:00:00Z,2023-12-11T09:00:00Z,2023-12-12T09:00:00Z,2
B2,2023-12-09T11:00:00Z,2023-12-09T12:00:00Z,2023-12-11T08:30:00Z,1
"""
BUSINESS = ["--business-hours", "Mon-Fri 09:00-17:00", "--tz", "Europe/Warsaw"]


@pytest.fixture
def business_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "business.csv", BUSINESS_CSV)


def test_business_hours_across_a_weekend(business_csv: Path) -> None:
    values = values_of(["-t", "business.csv", *DEC, *BUSINESS])
    # responses [0, 7200]: p90 h = 0.9 → 0 + 0.9 × 7200; resolutions [1800, 36000]
    assert_scalars(
        values,
        {
            "tickets": 2,
            "solved_tickets": 2,
            "first_response_seconds_median": 3600.0,
            "first_response_seconds_mean": 3600.0,
            "first_response_seconds_p90": 6480.0,
            "resolution_seconds_median": 18900.0,
            "resolution_seconds_mean": 18900.0,
            "resolution_seconds_p90": 1800 + 0.9 * 34200,
            "clock": "business Mon-Fri 09:00-17:00 Europe/Warsaw",
        },
    )


def test_without_business_hours_the_same_file_is_calendar_time(business_csv: Path) -> None:
    values = values_of(["-t", "business.csv", *DEC, "--tz", "Europe/Warsaw"])
    assert values["clock"] == "calendar"
    # responses [3600, 237600] (1 h on Saturday; Fri 16:00 → Mon 10:00 = 66 h)
    assert values["first_response_seconds_median"] == pytest.approx((3600 + 237600) / 2)
    assert values["first_response_seconds_p90"] == pytest.approx(3600 + 0.9 * 234000)


def test_a_holiday_removes_a_working_day(business_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "holidays.txt", "2023-12-11\n")
    values = values_of(["-t", "business.csv", *DEC, *BUSINESS, "--holidays", "holidays.txt"])
    # responses [0, 3600]; resolutions [0, 7200]
    assert_scalars(
        values,
        {
            "first_response_seconds_median": 1800.0,
            "first_response_seconds_p90": 3240.0,
            "resolution_seconds_median": 3600.0,
            "resolution_seconds_mean": 3600.0,
            "resolution_seconds_p90": 6480.0,
        },
    )
    assert values["clock"].startswith("business Mon-Fri 09:00-17:00 Europe/Warsaw")
    assert "1 holiday" in values["clock"]


def test_business_hours_with_an_unanswered_ticket_in_the_cohort(tickets_csv: Path) -> None:
    # T6 has no response and T5, T6 no solve: business time must skip them, not fail.
    values = values_of(["-t", "tickets.csv", *DEC, *BUSINESS])
    assert values["tickets"] == 9
    assert values["unanswered_tickets"] == 1
    assert values["solved_tickets"] == 7
    assert values["clock"] == "business Mon-Fri 09:00-17:00 Europe/Warsaw"
    # T1: Mon 10:00 → 10:30 Warsaw, all inside the window.
    assert values["first_response_seconds_median"] is not None


def test_business_hours_table_says_business_time(business_csv: Path) -> None:
    out = ok(invoke(["support", "-t", "business.csv", *DEC, *BUSINESS])).stdout
    assert "Durations in business Mon-Fri 09:00-17:00 Europe/Warsaw time" in out
    assert "5 h 15 m" in out  # resolution median 18900 s


def test_holidays_without_business_hours_is_a_usage_error(tickets_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "holidays.txt", "2023-12-11\n")
    line = one_line(failed(invoke(["support", "-t", "tickets.csv", *DEC, "--holidays", "holidays.txt"]), 2))
    assert line == "csm: error: --holidays needs --business-hours"


@pytest.mark.parametrize(
    "schedule",
    [
        "Mon-Fri 9-17",
        "weekdays 09:00-17:00",
        "Mon-Fri 17:00-09:00",
        "Mon-Fri 09:00-25:00",
        "Mon-Xyz 09:00-17:00",
    ],
)
def test_a_bad_business_hours_is_a_usage_error_naming_the_form(tickets_csv: Path, schedule: str) -> None:
    line = one_line(failed(invoke(["support", "-t", "tickets.csv", *DEC, "--business-hours", schedule]), 2))
    assert line.startswith(f"csm: error: invalid business hours '{schedule}'")
    assert "DAYS HH:MM-HH:MM" in line and "Mon-Fri 09:00-17:00" in line


def test_a_bad_holidays_line_is_a_data_error(tickets_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "holidays.txt", "2023-12-11\nnot a day\n")
    line = one_line(
        failed(
            invoke(["support", "-t", "tickets.csv", *DEC, *BUSINESS, "--holidays", "holidays.txt"]),
            3,
        )
    )
    assert line.startswith("csm: error: holidays.txt:2:")
    assert "'not a day'" in line


def test_holidays_file_with_a_header_and_dotted_dates(business_csv: Path, tmp_path: Path) -> None:
    # A first line that is not a day is a header; 25.12.2023 is a Monday holiday with no tickets.
    write(tmp_path / "holidays.csv", "date\n11.12.2023\n\n2023-12-25\n")
    values = values_of(["-t", "business.csv", *DEC, *BUSINESS, "--holidays", "holidays.csv"])
    assert values["resolution_seconds_median"] == pytest.approx(3600.0)
    assert values["clock"] == "business Mon-Fri 09:00-17:00 Europe/Warsaw, 2 holidays"


def test_a_missing_holidays_file_is_a_data_error(business_csv: Path) -> None:
    line = one_line(
        failed(invoke(["support", "-t", "business.csv", *DEC, *BUSINESS, "--holidays", "nope.txt"]), 3)
    )
    assert line.startswith("csm: error: nope.txt")


@pytest.mark.parametrize("line", ["2023-13-45", "12/11/2023"])
def test_a_bad_date_on_the_first_holidays_line_is_not_silently_a_header(
    business_csv: Path, tmp_path: Path, line: str
) -> None:
    write(tmp_path / "holidays.txt", f"{line}\n")
    stderr = failed(
        invoke(["support", "-t", "business.csv", *DEC, *BUSINESS, "--holidays", "holidays.txt"]), 3
    )
    assert one_line(stderr).startswith("csm: error: holidays.txt:1:")


# --- --by agent | channel | type -----------------------------------------------------------------

BY_EXPECTED = {
    "agent": {"Anna": 3, "Piotr": 3, "Ola": 3, "(unassigned)": 1},
    "channel": {"email": 4, "chat": 3, "web": 2, "phone": 1},
    "type": {"question": 6, "bug": 3, "feature_request": 1},
}


@pytest.mark.parametrize("by", ["agent", "channel", "type"])
def test_by_json_groups_add_up_to_the_total(tickets_csv: Path, by: str) -> None:
    out = data(ok(invoke(["support", "-t", "tickets.csv", *DEC, "--by", by, "-f", "json"])))
    assert set(out) == TOP_KEYS | {"by", "groups"}
    assert out["by"] == by
    groups = {group["group"]: group["values"] for group in out["groups"]}
    assert {name: values["tickets"] for name, values in groups.items()} == BY_EXPECTED[by]
    # groups are listed by tickets, most first
    counts = [group["values"]["tickets"] for group in out["groups"]]
    assert counts == sorted(counts, reverse=True)
    for key in ("tickets", "solved_tickets", "unanswered_tickets", "csat_responses"):
        assert sum(values[key] for values in groups.values()) == out["values"][key], key
    for values in groups.values():
        assert list(values) == VALUE_KEYS
    assert_scalars(out["values"], DEC_EXPECTED)


def test_by_agent_group_values(tickets_csv: Path) -> None:
    out = data(ok(invoke(["support", "-t", "tickets.csv", *DEC, "--by", "agent", "-f", "json"])))
    groups = {group["group"]: group["values"] for group in out["groups"]}
    anna = groups["Anna"]
    # T1 T2 T8: replies 1 2 4; resolutions 3600 14400 172800; responses 1800 4320 4320
    assert_scalars(
        anna,
        {
            "tickets": 3,
            "solved_tickets": 3,
            "resolution_rate": 1.0,
            "replies_per_solved_ticket": 7 / 3,
            "one_touch_rate": 1 / 3,
            "first_response_seconds_median": 4320.0,
            "resolution_seconds_median": 14400.0,
            "resolution_seconds_mean": (3600 + 14400 + 172800) / 3,
            "csat_score": 1.0,
        },
    )
    assert groups["(unassigned)"]["unanswered_tickets"] == 1
    assert groups["(unassigned)"]["first_response_seconds_median"] is None


@pytest.mark.parametrize("by", ["agent", "channel", "type"])
def test_by_csv_one_row_per_group(tickets_csv: Path, by: str) -> None:
    result = ok(invoke(["support", "-t", "tickets.csv", *DEC, "--by", by, "-f", "csv"]))
    rows = csv_rows(result)
    header = result.stdout.splitlines()[0].split(",")
    assert header == ["period", "period_start", "period_end", "as_of", by, *SCALAR_KEYS]
    assert {row[by]: int(row["tickets"]) for row in rows} == BY_EXPECTED[by]
    assert sum(int(row["tickets"]) for row in rows) == 10
    assert all(row["period"] == "2023-12" for row in rows)


@pytest.mark.parametrize("by", ["agent", "channel", "type"])
def test_by_table_has_a_row_per_group_and_a_total(tickets_csv: Path, by: str) -> None:
    out = ok(invoke(["support", "-t", "tickets.csv", *DEC, "--by", by])).stdout
    lines = out.splitlines()
    for name, count in BY_EXPECTED[by].items():
        row = next(line for line in lines if line.strip().startswith(name + " "))
        assert row.split()[len(name.split())] == str(count), row
    total = next(line for line in lines if line.strip().startswith("Total"))
    assert total.split()[1] == "10"
    assert "80.0%" in total  # resolution rate


def test_by_an_unknown_group_is_a_usage_error(tickets_csv: Path) -> None:
    result = invoke(["support", "-t", "tickets.csv", *DEC, "--by", "customer"])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "customer" in result.stderr


# --- table and CSV ---------------------------------------------------------------------------------


def test_table_on_the_hand_made_file(tickets_csv: Path) -> None:
    out = ok(invoke(["support", "-t", "tickets.csv", *DEC])).stdout
    assert "csm support · 2023-12 (2023-12-01 – 2023-12-31), as of 2024-01-15" in out

    def row(label: str) -> str:
        return next(line.strip() for line in out.splitlines() if line.strip().startswith(label))

    assert row("Tickets").split()[-1] == "10"
    assert row("Resolution rate").split()[-1] == "80.0%"
    assert row("Replies per solved ticket").split()[-1] == "1.88"
    assert row("One-touch rate").split()[-1] == "50.0%"
    assert row("First response, median").endswith("1 h 12 m")
    assert row("First response, 90th percentile").endswith("2 h 12 m")
    assert row("Resolution, median").endswith("3 h")
    assert row("Resolution, mean").endswith("10 h 46 m")
    assert row("Resolution, 90th percentile").endswith("1 d 7 h")
    assert row("CSAT (share of 4–5)").endswith("66.7%")
    assert row("CSAT average").endswith("3.83 / 5")
    assert "Busiest hour: 09:00–10:00 (3 tickets); busiest weekday: Mon (3)" in out
    assert "Channels: email 40% · chat 30% · web 20% · phone 10%" in out
    assert "Tickets by weekday and hour of creation" in out
    heat = [line for line in out.splitlines() if line.startswith(("  Mon ", "  Sun "))]
    assert len(heat) == 2
    assert heat[0][6 + 9] == "█"  # Monday 09:00 is the busiest cell
    assert heat[1][6 + 23] != " "  # Sunday 23:00 has T9
    assert "By agent" in out
    assert "(unassigned)" in out
    assert "Inputs: tickets tickets.csv (12 rows)" in out
    assert "Durations in calendar time" in out


def test_csv_on_the_hand_made_file(tickets_csv: Path) -> None:
    result = ok(invoke(["support", "-t", "tickets.csv", *DEC, "-f", "csv"]))
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split(",") == ["period", "period_start", "period_end", "as_of", *SCALAR_KEYS]
    (row,) = csv_rows(result)
    assert row["period"] == "2023-12"
    assert row["period_start"] == "2023-12-01"
    assert row["period_end"] == "2024-01-01"
    assert row["as_of"] == "2024-01-15"
    assert int(row["tickets"]) == 10
    assert float(row["resolution_rate"]) == pytest.approx(0.8)
    assert float(row["first_response_seconds_mean"]) == pytest.approx(36840 / 9)
    assert float(row["resolution_seconds_p90"]) == pytest.approx(112320)
    assert row["clock"] == "calendar"


# --- the demo dataset ------------------------------------------------------------------------------


def test_demo_json() -> None:
    out = data(ok(invoke(["support", "--demo", "-f", "json"])))
    assert set(out) == TOP_KEYS
    assert out["period"] == {"label": "2025-12", "start": "2025-12-01", "end": "2026-01-01"}
    assert out["as_of"] == "2026-01-01"
    assert out["inputs"][0]["kind"] == "tickets"
    assert out["inputs"][0]["path"] == "demo:tickets.csv"
    values = out["values"]
    assert list(values) == VALUE_KEYS
    assert values["tickets"] > 0
    assert 0 <= values["solved_tickets"] <= values["tickets"]
    assert values["resolution_rate"] == pytest.approx(values["solved_tickets"] / values["tickets"])
    assert list(values["by_weekday"]) == WEEKDAYS
    assert list(values["by_hour"]) == HOURS
    assert sum(values["by_weekday"].values()) == values["tickets"]
    assert sum(values["by_hour"].values()) == values["tickets"]
    assert sum(values["by_channel"].values()) == values["tickets"]
    assert sum(line["tickets"] for line in values["by_agent"].values()) == values["tickets"]
    assert values["first_response_seconds_median"] <= values["first_response_seconds_p90"]
    assert values["resolution_seconds_median"] <= values["resolution_seconds_p90"]


def test_demo_table() -> None:
    out = ok(invoke(["support", "--demo"])).stdout
    assert out.startswith("csm support · 2025-12")
    assert "Busiest hour:" in out and "busiest weekday:" in out
    assert "Channels: " in out
    assert "Tickets by weekday and hour of creation" in out
    assert "Inputs: tickets demo:tickets.csv" in out


def test_demo_csv() -> None:
    result = ok(invoke(["support", "--demo", "-f", "csv"]))
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    (row,) = csv_rows(result)
    assert row["period"] == "2025-12"
    assert int(row["tickets"]) > 0


def test_demo_by_channel_adds_up() -> None:
    out = data(ok(invoke(["support", "--demo", "--by", "channel", "-f", "json"])))
    assert sum(group["values"]["tickets"] for group in out["groups"]) == out["values"]["tickets"]


def test_demo_with_a_tickets_file_is_a_usage_error(tickets_csv: Path) -> None:
    line = one_line(failed(invoke(["support", "--demo", "-t", "tickets.csv"]), 2))
    assert "--demo" in line and "--tickets" in line


# --- bad input (exit 3, one line, stdout empty) ---------------------------------------------------

HEADER = "ticket_id,customer_id,created_at,first_response_at,solved_at,replies,csat\n"
GOOD_ROW = "G1,C1,2023-12-04T09:00:00Z,2023-12-04T09:30:00Z,2023-12-04T10:00:00Z,1,5\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEADER + GOOD_ROW + "G2,C1,2023-12-04T09:00:00Z,,2023-12-04T08:00:00Z,1,\n",
            "csm: error: bad.csv:3: column 'solved_at': '2023-12-04T08:00:00Z' is before created_at",
        ),
        (
            HEADER + GOOD_ROW + "G2,C1,2023-12-04T09:00:00Z,,,1,6\n",
            "csm: error: bad.csv:3: column 'csat': '6' is out of range (expected 1–5)",
        ),
        (
            HEADER + GOOD_ROW + GOOD_ROW,
            "csm: error: bad.csv:3: column 'ticket_id': 'G1' repeats the ticket_id of line 2",
        ),
    ],
    ids=["solved-before-created", "csat-6", "duplicate-id"],
)
def test_bad_values_are_one_line_data_errors(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path / "bad.csv", text)
    assert one_line(failed(invoke(["support", "-t", "bad.csv", *DEC]), 3)) == expected


def test_a_bad_row_outside_the_period_is_still_an_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + GOOD_ROW + "G2,C1,2021-01-04T09:00:00Z,,,1,0\n")
    line = one_line(failed(invoke(["support", "-t", "bad.csv", *DEC]), 3))
    assert line.startswith("csm: error: bad.csv:3: column 'csat': '0'")


def test_a_missing_required_column(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", "ticket_id,customer_id\nG1,C1\n")
    line = one_line(failed(invoke(["support", "-t", "bad.csv", *DEC]), 3))
    assert line.startswith("csm: error: bad.csv:1: missing required column 'created_at'")


def test_an_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "empty.csv", "")
    line = one_line(failed(invoke(["support", "-t", "empty.csv", *DEC]), 3))
    assert line.startswith("csm: error: empty.csv")
    assert "empty" in line.removeprefix("csm: error: empty.csv")


def test_a_missing_file() -> None:
    line = one_line(failed(invoke(["support", "-t", "nowhere.csv", *DEC]), 3))
    assert line.startswith("csm: error: nowhere.csv")
    assert "no such file" in line


def test_no_tickets_file_at_all_is_a_usage_error() -> None:
    line = one_line(failed(invoke(["support", *DEC]), 2))
    assert "--tickets" in line and "CSM_TICKETS" in line


def test_tickets_from_stdin() -> None:
    result = ok(invoke(["support", "-t", "-", *DEC, "-f", "json"], input=TICKETS_CSV.encode()))
    out = data(result)
    assert out["inputs"][0]["kind"] == "tickets"
    assert out["inputs"][0]["rows"] == 12
    assert_scalars(out["values"], DEC_EXPECTED)


def test_first_response_before_creation_and_negative_replies(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + "G1,C1,2023-12-04T09:00:00Z,2023-12-04T08:59:00Z,,1,\n")
    line = one_line(failed(invoke(["support", "-t", "bad.csv", *DEC]), 3))
    assert (
        line
        == "csm: error: bad.csv:2: column 'first_response_at': '2023-12-04T08:59:00Z' is before created_at"
    )
    write(tmp_path / "bad.csv", HEADER + "G1,C1,2023-12-04T09:00:00Z,,,-1,\n")
    line = one_line(failed(invoke(["support", "-t", "bad.csv", *DEC]), 3))
    assert line == "csm: error: bad.csv:2: column 'replies': '-1' is out of range (expected 0 or more)"


def test_csv_group_names_that_look_like_formulas_are_escaped(tmp_path: Path) -> None:
    write(
        tmp_path / "formula.csv",
        "ticket_id,created_at,agent\nF1,2023-12-04T09:00:00Z,=HYPERLINK(1)\nF2,2023-12-04T10:00:00Z,@x\n",
    )
    rows = csv_rows(ok(invoke(["support", "-t", "formula.csv", *DEC, "--by", "agent", "-f", "csv"])))
    assert sorted(row["agent"] for row in rows) == ["'=HYPERLINK(1)", "'@x"]


def test_an_unfinished_period_warns_on_stderr_only(tickets_csv: Path) -> None:
    # As of 2023-12-10 only T1–T6 exist; T1–T4 are solved; T6 is unanswered.
    result = ok(
        invoke(["support", "-t", "tickets.csv", "-p", "2023-12", "--as-of", "2023-12-10", "-f", "json"]),
        warns=True,
    )
    assert result.stderr.startswith("csm: warning: period 2023-12 is not over")
    values = data(result)["values"]
    assert (values["tickets"], values["solved_tickets"], values["unanswered_tickets"]) == (6, 4, 1)


# --- environment and csm.toml ----------------------------------------------------------------------


def test_csm_tickets_variable(tickets_csv: Path) -> None:
    values = data(ok(invoke(["support", *DEC, "-f", "json"], env={"CSM_TICKETS": "tickets.csv"})))
    assert values["inputs"][0]["path"] == "tickets.csv"
    assert_scalars(values["values"], DEC_EXPECTED)


def test_the_flag_beats_csm_tickets(tickets_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "other.csv", "ticket_id,created_at\nX1,2023-12-06T14:20:00Z\n")
    out = data(
        ok(invoke(["support", "-t", "other.csv", *DEC, "-f", "json"], env={"CSM_TICKETS": "tickets.csv"}))
    )
    assert out["values"]["tickets"] == 1


def test_csm_tickets_variable_with_demo_is_not_an_error(tickets_csv: Path) -> None:
    out = data(ok(invoke(["support", "--demo", "-f", "json"], env={"CSM_TICKETS": "tickets.csv"})))
    assert out["inputs"][0]["path"] == "demo:tickets.csv"


def test_demo_with_an_explicit_tickets_flag_equal_to_the_variable_is_still_an_error(
    tickets_csv: Path,
) -> None:
    result = invoke(["support", "--demo", "-t", "tickets.csv"], env={"CSM_TICKETS": "tickets.csv"})
    line = one_line(failed(result, 2))
    assert "--demo" in line and "--tickets" in line


def test_tickets_path_in_csm_toml(tickets_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "csm.toml", '[tickets]\npath = "tickets.csv"\n')
    out = data(ok(invoke(["support", *DEC, "-f", "json"])))
    assert out["values"]["tickets"] == 10
    assert_scalars(out["values"], DEC_EXPECTED)


def test_tickets_path_in_csm_toml_relative_to_the_toml(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "data" / "tickets.csv", TICKETS_CSV)
    write(tmp_path / "conf" / "csm.toml", '[tickets]\npath = "data/tickets.csv"\n')
    out = data(ok(invoke(["support", "--config", "conf/csm.toml", *DEC, "-f", "json"])))
    assert out["values"]["tickets"] == 10


def test_csm_format_and_tz_variables(tickets_csv: Path) -> None:
    result = ok(
        invoke(
            ["support", "-t", "tickets.csv", *DEC],
            env={"CSM_FORMAT": "json", "CSM_TZ": "Europe/Warsaw"},
        )
    )
    assert data(result)["values"]["tickets"] == 9


# --- the installed console script ------------------------------------------------------------------

CSM = Path(sys.executable).parent / "csm"


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_installed_csm_support_demo_json(tmp_path: Path) -> None:
    import os

    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        [str(CSM), "support", "--demo", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = json.loads(result.stdout)
    assert out["command"] == "support"
    assert out["period"]["label"] == "2025-12"
    assert list(out["values"]) == VALUE_KEYS
