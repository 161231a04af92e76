"""Helpers shared by the CLI tests: the hand-made file, a runner that keeps stdout and stderr apart,
and assertions for the SPEC §7 outcomes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from typer.testing import CliRunner, Result

from csmetrics.cli import app

#: Every variable csm reads; none of them may leak in from the shell running the tests.
CSM_VARIABLES = (
    "CSM_SUBSCRIPTIONS",
    "CSM_TICKETS",
    "CSM_SURVEYS",
    "CSM_CUSTOMERS",
    "CSM_USAGE",
    "CSM_INVOICES",
    "CSM_SPEND",
    "CSM_FORMAT",
    "CSM_TZ",
    "CSM_CONFIG",
)

#: Five customers, one of each movement in 2023-12, and one that stays put.
#: A churns (100.00), B is new (250.50), C expands 100.00 → 300.25, D contracts 200.00 → 49.99,
#: E paid in the first half of 2023 and comes back in December (120.10), F pays 500.00 throughout.
HAND_CSV = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at,cancel_reason
S1,A,Basic,100.00,PLN,2023-01-01,2023-12-15,too expensive
S2,B,Pro,250.50,PLN,2023-12-10,,
S3,C,Basic,100.00,PLN,2023-06-01,2023-12-20,
S4,C,Pro,300.25,PLN,2023-12-20,,
S5,D,Pro,200.00,PLN,2023-03-01,2023-12-05,
S6,D,Basic,49.99,PLN,2023-12-05,,
S7,E,Basic,80.00,PLN,2023-01-01,2023-06-01,
S8,E,Basic,120.10,PLN,2023-12-03,,
S9,F,Pro,500.00,PLN,2022-01-01,,
"""

#: The period and as-of day every hand-made test uses unless it says otherwise.
DEC_2023 = ["-p", "2023-12", "--as-of", "2024-01-15"]


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None, **extra: Any) -> Result:
    """Run ``csm ARGS`` in-process; this typer's runner always keeps stderr apart (``result.stderr``)."""
    return CliRunner().invoke(app, list(args), env=env, prog_name="csm", **extra)


def ok(result: Result, *, warns: bool = False) -> Result:
    """Assert a successful run: no exception, exit 0, and stderr empty unless a warning is expected."""
    assert result.exception is None, (result.exception, result.stderr)
    assert result.exit_code == 0, result.stderr
    if not warns:
        assert result.stderr == "", result.stderr
    return result


def failed(result: Result, code: int) -> str:
    """Assert a run that exits with ``code`` via SystemExit, nothing on stdout; return its stderr."""
    assert isinstance(result.exception, SystemExit), (result.exception, result.stderr)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == "", result.stdout
    return result.stderr


def one_line(stderr: str) -> str:
    """The single line a csm error is, without its newline."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def as_json(result: Result) -> dict[str, Any]:
    """The JSON object on stdout; floats kept as Decimal so money can be checked to the cent."""
    data: dict[str, Any] = json.loads(result.stdout, parse_float=Decimal)
    return data
