"""Errors a user can act on, and the exit code each one maps to (SPEC §7)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes: scripts and CI rely on these numbers."""

    SUCCESS = 0
    CHECK_FAILED = 1
    USAGE = 2
    DATA = 3
    CONFIG = 4
    INTERNAL = 70
    INTERRUPTED = 130


class CsmError(Exception):
    """Base of every error csm reports as one line on stderr."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CsmError):
    """A bad flag value: an unknown period form, a period after --as-of, a bad time zone."""

    exit_code = ExitCode.USAGE


class ConfigError(CsmError):
    """A bad csm.toml or checks file; the message names its line when known."""

    exit_code = ExitCode.CONFIG

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line


class DataError(CsmError):
    """An input file that is missing, unreadable or holds a value that breaks a rule.

    Rendered as ``subs.csv:17: column 'mrr': '12.5x' is not a number``: file, 1-based line
    (header = line 1), column, value, and what would have been accepted.
    """

    exit_code = ExitCode.DATA

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        parts = [f"{path}:{line}" if line is not None else path]
        if column is not None:
            parts.append(f"column '{column}'")
        text = reason if value is None else f"{_quote(value)} {reason}"
        super().__init__(": ".join([*parts, text]))


def _quote(value: str, limit: int = 60) -> str:
    """Show a cell value in quotes, shortened so the error stays one line."""
    flat = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"
