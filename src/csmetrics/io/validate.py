"""``csm validate``: every problem of every input at once, as errors and warnings with lines.

Errors are what the strict readers refuse (a value that does not parse, a duplicate id, an
overlap, …). Warnings are what they accept but a person should look at: dates after the as-of
day, MRR 0 on a plan that is not free, customers in tickets or surveys that no subscription has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

import polars as pl

from csmetrics.errors import DataError
from csmetrics.io.readers import MRR, Checked, Problems, read_checked
from csmetrics.io.source import ROW, ReadOptions
from csmetrics.report import Finding, Severity

FREE_PLAN = r"(?i)free|trial|darmow|bezpłat|test"
_WHEN = {
    "subscriptions": "started_at",
    "tickets": "created_at",
    "surveys": "responded_at",
    "invoices": "period_start",
    "customers": "registered_at",
    "usage": "date",
    "spend": "date",
}


@dataclass
class Validation:
    """Findings (up to the limit per rule) and how many errors and warnings there were in all."""

    findings: list[Finding]
    errors: int = 0
    warnings: int = 0

    def extend(self, problems: Problems, severity: Severity) -> None:
        """Add a file's collected problems with one severity."""
        for problem in problems.found:
            self.findings.append(
                Finding(
                    problems.path_of(problem),
                    problems.line_of(problem),
                    problem.column,
                    problem.value,
                    problem.kind,
                    severity,
                    problem.reason,
                )
            )
        if severity == "error":
            self.errors += problems.total
        else:
            self.warnings += problems.total


def validate_input(
    kind: str,
    options: ReadOptions,
    tz: str,
    as_of: date,
    limit: int,
    validation: Validation,
    stdin: BinaryIO | None = None,
) -> Checked | None:
    """Check one input into ``validation``; the checked file, or None when it cannot be read."""
    try:
        checked = read_checked(kind, options, tz, stdin, limit=limit)
    except DataError as error:
        validation.findings.append(
            Finding(error.path, error.line, error.column, error.value, "file", "error", error.reason)
        )
        validation.errors += 1
        return None
    validation.extend(checked.problems, "error")
    warnings = Problems(checked.table, limit)
    _future(checked, as_of, warnings)
    if kind == "subscriptions":
        _zero_mrr_on_paid_plans(checked, warnings)
    validation.extend(warnings, "warning")
    return checked


def _future(checked: Checked, as_of: date, warnings: Problems) -> None:
    column = _WHEN[checked.kind]
    if column not in checked.matched or column not in checked.frame.columns:
        return
    values = pl.col(column)
    day = values if checked.frame.schema[column] == pl.Date else values.dt.date()
    warnings.add(
        checked.frame,
        day > as_of,
        checked.matched[column],
        f"is after --as-of {as_of.isoformat()}: not known yet on that day",
        "future_date",
    )


def _zero_mrr_on_paid_plans(checked: Checked, warnings: Problems) -> None:
    header = checked.matched.get("mrr") or checked.matched.get("amount")
    if header is None or "plan" not in checked.matched:
        return
    paid_plan = pl.col("plan").is_not_null() & ~pl.col("plan").str.contains(FREE_PLAN)
    warnings.add(
        checked.frame,
        (pl.col(MRR) == 0) & paid_plan,
        header,
        "is 0 on a plan that does not look free: such a customer counts as not paying",
        "zero_mrr",
    )


def unknown_customers(checked: Checked, subscriptions: Checked, limit: int, validation: Validation) -> None:
    """Warn about tickets or surveys from customers that no subscription row has."""
    if "customer_id" not in checked.matched:
        return
    known = subscriptions.frame["customer_id"].unique().implode()
    warnings = Problems(checked.table, limit)
    warnings.add(
        checked.frame.select(ROW, "customer_id"),
        pl.col("customer_id").is_not_null() & ~pl.col("customer_id").is_in(known),
        checked.matched["customer_id"],
        f"is not a customer of {subscriptions.table.path}",
        "unknown_customer",
    )
    validation.extend(warnings, "warning")
