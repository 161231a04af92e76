"""``validate_input`` and ``unknown_customers``: every problem of a file at once, with its line.

Lines are 1-based with the header on line 1. Errors are what the strict readers refuse; warnings
are dates after --as-of, MRR 0 on a plan that is not free, and customers unknown to the
subscriptions file. At most ``limit`` findings are kept per rule, but every one is counted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from csmetrics.io.readers import Checked
from csmetrics.io.source import ReadOptions
from csmetrics.io.validate import Validation, unknown_customers, validate_input
from csmetrics.report import Finding

AS_OF = date(2024, 1, 15)

#: One error of each kind a subscriptions file can hold, on known lines.
BROKEN_SUBS = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
S1,A,Pro,100.00,PLN,2023-01-01,
S2,B,Pro,12.5x,PLN,2023-01-01,
S3,C,Pro,-5.00,PLN,2023-01-01,
S4,D,Pro,50.00,PLN,2023-01-01,2023-06-01
S4,D,Pro,60.00,PLN,2023-05-01,
S5,E,Pro,70.00,PLN,2023-06-01,2023-03-01
S6,F,Pro,80.00,EUR,2023-01-01,
S7,G,Pro,abc,PLN,2023-01-01,
S8,H,Pro,90.00,PLN,2023-01-01,
S8,H,Pro,90.00,PLN,2023-01-01,
"""

#: Only warnings: a start after --as-of, and MRR 0 on "Team" (not on "Free" or "Trial").
WARNING_SUBS = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
S1,A,Pro,100.00,PLN,2023-01-01,
S2,B,Free,0,PLN,2023-01-01,
S3,C,Team,0,PLN,2023-01-01,
S4,D,Pro,50.00,PLN,2024-03-01,
S5,E,Trial,0,PLN,2023-01-01,
S6,F,,0,PLN,2023-01-01,
"""

TICKETS = """\
ticket_id,customer_id,created_at,first_response_at,solved_at,replies,csat
1,A,2023-12-01T10:00:00Z,2023-12-01T09:00:00Z,2023-12-01T12:00:00Z,1,5
1,A,2023-12-02T10:00:00Z,2023-12-02T11:00:00Z,2023-12-01T12:00:00Z,1,7
2,ZZ,2023-12-03T10:00:00Z,,,0,
3,A,2023-12-03T10:00:00Z,,,-1,
4,YY,2024-02-03T10:00:00Z,,,0,
5,,2023-12-04T10:00:00Z,,,0,
"""

SURVEYS = """\
response_id,customer_id,responded_at,score
R1,A,2023-12-05,11
R2,QQ,2023-12-06,-1
R3,A,2024-01-16,9
R4,B,2023-12-07,x
"""


def _file(tmp_path: Path, name: str, text: str) -> ReadOptions:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ReadOptions(path=str(path))


def _validate(
    kind: str, options: ReadOptions, limit: int = 100, validation: Validation | None = None
) -> tuple[Validation, Checked | None]:
    validation = validation if validation is not None else Validation([])
    checked = validate_input(kind, options, "UTC", AS_OF, limit, validation)
    return validation, checked


def _seen(findings: list[Finding]) -> list[tuple[int | None, str | None, str | None, str, str]]:
    return [(item.line, item.column, item.value, item.kind, item.severity) for item in findings]


def test_every_error_of_a_subscriptions_file_with_its_line(tmp_path: Path) -> None:
    options = _file(tmp_path, "subs.csv", BROKEN_SUBS)
    validation, checked = _validate("subscriptions", options)
    assert checked is not None
    assert sorted(_seen(validation.findings), key=lambda item: (item[3], item[0] or 0)) == [
        (8, "currency", "EUR", "currency", "error"),
        (7, "ended_at", "2023-03-01", "ended_at_before_started_at", "error"),
        (4, "mrr", "-5.00", "negative_mrr", "error"),
        (6, "started_at", "2023-05-01", "overlap", "error"),
        (11, "started_at", "2023-01-01", "overlap", "error"),
        (3, "mrr", "12.5x", "parse", "error"),
        (9, "mrr", "abc", "parse", "error"),
    ]
    assert (validation.errors, validation.warnings) == (7, 0)
    for item in validation.findings:
        assert item.file == options.path
        assert isinstance(item.line, int)
        assert item.message
    by_kind = {item.kind: item.message for item in validation.findings}
    assert "is not a number" in by_kind["parse"]
    assert by_kind["currency"].startswith("differs from 'PLN' on line 2")
    assert by_kind["ended_at_before_started_at"] == "is before started_at"


def test_each_overlap_names_its_own_subscription_and_line(tmp_path: Path) -> None:
    validation, _ = _validate("subscriptions", _file(tmp_path, "subs.csv", BROKEN_SUBS))
    messages = {item.line: item.message for item in validation.findings if item.kind == "overlap"}
    assert messages[6].startswith("overlaps line 5 of subscription 'S4'")
    assert messages[11].startswith("overlaps line 10 of subscription 'S8'")


def test_the_limit_is_per_rule_and_every_problem_is_counted(tmp_path: Path) -> None:
    rows = "".join(f"S{i},C{i},Pro,x{i},PLN,2023-01-01,\n" for i in range(5))
    rows += "".join(f"N{i},D{i},Pro,-{i + 1},PLN,2023-01-01,\n" for i in range(4))
    options = _file(
        tmp_path, "subs.csv", "subscription_id,customer_id,plan,mrr,currency,started_at,ended_at\n" + rows
    )
    validation, _ = _validate("subscriptions", options, limit=2)
    assert _seen(validation.findings) == [
        (2, "mrr", "x0", "parse", "error"),
        (3, "mrr", "x1", "parse", "error"),
        (7, "mrr", "-1", "negative_mrr", "error"),
        (8, "mrr", "-2", "negative_mrr", "error"),
    ]
    assert validation.errors == 9


def test_warnings_only(tmp_path: Path) -> None:
    validation, checked = _validate("subscriptions", _file(tmp_path, "subs.csv", WARNING_SUBS))
    assert checked is not None
    assert validation.errors == 0
    assert _seen(validation.findings) == [
        (5, "started_at", "2024-03-01", "future_date", "warning"),
        (4, "mrr", "0", "zero_mrr", "warning"),
    ]
    assert validation.warnings == 2
    assert "after --as-of 2024-01-15" in validation.findings[0].message


def test_the_as_of_day_itself_is_not_in_the_future(tmp_path: Path) -> None:
    text = "subscription_id,customer_id,mrr,started_at,ended_at\nS1,A,10,2024-01-15,\nS2,B,10,2024-01-16,\n"
    validation, _ = _validate("subscriptions", _file(tmp_path, "subs.csv", text))
    assert _seen(validation.findings) == [(3, "started_at", "2024-01-16", "future_date", "warning")]


def test_amount_and_billing_period_zero_on_a_paid_plan_is_a_warning(tmp_path: Path) -> None:
    text = (
        "subscription_id,customer_id,plan,amount,billing_period,started_at,ended_at\n"
        "S1,A,Team,0,year,2023-01-01,\nS2,B,Team,1200,year,2023-01-01,\nS3,C,free,0,month,2023-01-01,\n"
    )
    validation, _ = _validate("subscriptions", _file(tmp_path, "subs.csv", text))
    assert _seen(validation.findings) == [(2, "amount", "0", "zero_mrr", "warning")]


def test_lines_count_multi_line_cells(tmp_path: Path) -> None:
    text = (
        "subscription_id,customer_id,mrr,started_at,ended_at,cancel_reason\n"
        'S1,A,10,2023-01-01,2023-02-01,"too\nexpensive\nfor us"\n'
        "S2,B,1O,2023-01-01,,\n"
    )
    validation, _ = _validate("subscriptions", _file(tmp_path, "subs.csv", text))
    assert _seen(validation.findings) == [(5, "mrr", "1O", "parse", "error")]


def test_tickets_errors_and_warnings(tmp_path: Path) -> None:
    validation, checked = _validate("tickets", _file(tmp_path, "tickets.csv", TICKETS))
    assert checked is not None
    assert sorted(_seen(validation.findings), key=lambda item: (item[3], item[0] or 0, item[1] or "")) == [
        (3, "ticket_id", "1", "duplicate_id", "error"),
        (2, "first_response_at", "2023-12-01T09:00:00Z", "first_response_at_before_created_at", "error"),
        (6, "created_at", "2024-02-03T10:00:00Z", "future_date", "warning"),
        (3, "csat", "7", "out_of_range", "error"),
        (5, "replies", "-1", "out_of_range", "error"),
        (3, "solved_at", "2023-12-01T12:00:00Z", "solved_at_before_created_at", "error"),
    ]
    assert (validation.errors, validation.warnings) == (5, 1)


def test_each_duplicate_names_the_line_of_its_own_first_occurrence(tmp_path: Path) -> None:
    text = (
        "ticket_id,customer_id,created_at\n"
        "1,A,2023-12-01T10:00:00Z\n1,A,2023-12-01T10:00:00Z\n"
        "2,A,2023-12-01T10:00:00Z\n2,A,2023-12-01T10:00:00Z\n"
    )
    validation, _ = _validate("tickets", _file(tmp_path, "tickets.csv", text))
    messages = {item.line: item.message for item in validation.findings}
    assert messages == {3: "repeats the ticket_id of line 2", 5: "repeats the ticket_id of line 4"}


def test_surveys_errors(tmp_path: Path) -> None:
    validation, _ = _validate("surveys", _file(tmp_path, "surveys.csv", SURVEYS))
    assert sorted(_seen(validation.findings), key=lambda item: (item[3], item[0] or 0)) == [
        (4, "responded_at", "2024-01-16", "future_date", "warning"),
        (2, "score", "11", "out_of_range", "error"),
        (3, "score", "-1", "out_of_range", "error"),
        (5, "score", "x", "parse", "error"),
    ]
    assert (validation.errors, validation.warnings) == (3, 1)


def test_unknown_customers_are_warnings(tmp_path: Path) -> None:
    validation = Validation([])
    _, subs = _validate("subscriptions", _file(tmp_path, "subs.csv", WARNING_SUBS), validation=validation)
    _, tickets = _validate("tickets", _file(tmp_path, "tickets.csv", TICKETS), validation=validation)
    _, surveys = _validate("surveys", _file(tmp_path, "surveys.csv", SURVEYS), validation=validation)
    assert subs is not None and tickets is not None and surveys is not None
    before = (len(validation.findings), validation.errors, validation.warnings)
    unknown_customers(tickets, subs, 100, validation)
    unknown_customers(surveys, subs, 100, validation)
    added = validation.findings[before[0] :]
    assert _seen(added) == [
        (4, "customer_id", "ZZ", "unknown_customer", "warning"),
        (6, "customer_id", "YY", "unknown_customer", "warning"),
        (3, "customer_id", "QQ", "unknown_customer", "warning"),
    ]
    assert [item.file for item in added] == [str(tmp_path / "tickets.csv")] * 2 + [
        str(tmp_path / "surveys.csv")
    ]
    assert all(item.message == f"is not a customer of {tmp_path / 'subs.csv'}" for item in added)
    assert validation.errors == before[1]
    assert validation.warnings == before[2] + 3


def test_unknown_customers_respect_the_limit(tmp_path: Path) -> None:
    validation = Validation([])
    _, subs = _validate("subscriptions", _file(tmp_path, "subs.csv", WARNING_SUBS), validation=validation)
    _, tickets = _validate("tickets", _file(tmp_path, "tickets.csv", TICKETS), validation=validation)
    assert subs is not None and tickets is not None
    validation = Validation([])
    unknown_customers(tickets, subs, 1, validation)
    assert _seen(validation.findings) == [(4, "customer_id", "ZZ", "unknown_customer", "warning")]
    assert validation.warnings == 2


def test_tickets_without_customer_ids_are_not_compared(tmp_path: Path) -> None:
    validation = Validation([])
    _, subs = _validate("subscriptions", _file(tmp_path, "subs.csv", WARNING_SUBS), validation=validation)
    _, tickets = _validate(
        "tickets",
        _file(tmp_path, "t.csv", "ticket_id,created_at\n1,2023-12-01T10:00:00Z\n"),
        validation=validation,
    )
    assert subs is not None and tickets is not None
    validation = Validation([])
    unknown_customers(tickets, subs, 100, validation)
    assert validation.findings == []
    assert validation.warnings == 0


def test_a_missing_file_is_one_file_problem(tmp_path: Path) -> None:
    validation, checked = _validate("subscriptions", ReadOptions(path=str(tmp_path / "missing.csv")))
    assert checked is None
    assert len(validation.findings) == 1
    item = validation.findings[0]
    assert (item.file, item.line, item.kind, item.severity) == (
        str(tmp_path / "missing.csv"),
        None,
        "file",
        "error",
    )
    assert (validation.errors, validation.warnings) == (1, 0)


def test_a_file_without_a_required_column_is_one_file_problem(tmp_path: Path) -> None:
    validation, checked = _validate(
        "surveys", _file(tmp_path, "s.csv", "response_id,customer_id,score\nR1,A,5\n")
    )
    assert checked is None
    assert _seen(validation.findings) == [(1, None, None, "file", "error")]
    assert "responded_at" in validation.findings[0].message
    assert validation.errors == 1


def test_a_clean_file_has_no_findings(tmp_path: Path) -> None:
    text = "subscription_id,customer_id,plan,mrr,started_at,ended_at\nS1,A,Pro,10,2023-01-01,2023-02-01\n"
    validation, checked = _validate("subscriptions", _file(tmp_path, "subs.csv", text))
    assert checked is not None
    assert checked.frame.height == 1
    assert (validation.findings, validation.errors, validation.warnings) == ([], 0, 0)
