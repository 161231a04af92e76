"""Threshold checks for CI and cron (``csm check``): the checks file and the condition grammar.

A condition is parsed, never evaluated as code: ``> 0.02``, ``>= 1``, ``< 100%``, ``== 0``,
``!= 0``, ``between 0.9 and 1.1`` (both ends included). A trailing ``%`` divides by 100, so
``3.5%`` is 0.035, the way rates are written in JSON. Outcomes follow Soda and dbt: a check fails
when its fail condition holds, warns when only its warn condition holds, and passes otherwise.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from csmetrics.errors import ConfigError

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)%?"
_COMPARISON = re.compile(rf"^\s*(>=|<=|==|!=|>|<)\s*({_NUMBER})\s*$")
_BETWEEN = re.compile(rf"^\s*between\s+({_NUMBER})\s+and\s+({_NUMBER})\s*$", re.IGNORECASE)
GRAMMAR = "'> 0.02', '>= 1', '< 100%', '== 0', '!= 0' or 'between 0.9 and 1.1'"
CHECKS_FILE = "csm-checks.toml"


class Outcome(StrEnum):
    """What a check came to."""

    PASSED = "pass"
    WARNED = "warn"
    FAILED = "fail"


def _number(text: str) -> Decimal:
    """A threshold as an exact decimal: ``3.5%`` → 0.035."""
    percent = text.endswith("%")
    value = Decimal(text.rstrip("%"))
    return value / 100 if percent else value


@dataclass(frozen=True)
class Condition:
    """A parsed threshold: an operator and one bound, or an inclusive range."""

    operator: str
    bound: Decimal
    upper: Decimal | None = None
    text: str = ""

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the condition (compared exactly as decimals)."""
        number = Decimal(repr(value))
        if self.operator == "between":
            assert self.upper is not None
            return self.bound <= number <= self.upper
        comparisons = {
            ">": number > self.bound,
            ">=": number >= self.bound,
            "<": number < self.bound,
            "<=": number <= self.bound,
            "==": number == self.bound,
            "!=": number != self.bound,
        }
        return comparisons[self.operator]

    def __str__(self) -> str:
        return self.text


def parse_condition(text: str) -> Condition:
    """Parse one condition; a ValueError names the accepted forms."""
    try:
        if match := _COMPARISON.match(text):
            return Condition(match.group(1), _number(match.group(2)), text=text.strip())
        if match := _BETWEEN.match(text):
            low, high = _number(match.group(1)), _number(match.group(2))
            if high < low:
                raise ValueError(f"'{text}': the range ends below its start")
            return Condition("between", low, high, text=text.strip())
    except InvalidOperation:
        pass
    raise ValueError(f"'{text}' is not a condition (use {GRAMMAR})")


@dataclass(frozen=True)
class Check:
    """One check of the checks file, with the line it starts on for messages."""

    metric: str
    period: str
    warn: Condition | None
    fail: Condition | None
    where: dict[str, str]
    name: str
    line: int
    path: str = ""

    def outcome(self, value: float | None) -> Outcome:
        """fail when the fail condition holds (or there is no value), warn when warn holds."""
        if value is None:
            return Outcome.FAILED
        if self.fail is not None and self.fail.holds(value):
            return Outcome.FAILED
        if self.warn is not None and self.warn.holds(value):
            return Outcome.WARNED
        return Outcome.PASSED


_KEYS = {"metric", "period", "warn", "fail", "where", "name"}


def load_checks(path: Path, metrics: frozenset[str]) -> list[Check]:
    """Read ``[[checks]]`` from a TOML file; a bad entry is a ConfigError with its line."""
    if not path.is_file():
        raise ConfigError("no checks file (write [[checks]] entries there, or give a path)", path=str(path))
    text = _read_utf8(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"at line (\d+)", str(error))
        reason = re.sub(r"\s*\(at .*\)$", "", str(error))
        raise ConfigError(
            f"not valid TOML: {reason}", str(path), int(line.group(1)) if line else None
        ) from None
    entries = data.get("checks")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("no [[checks]] entries", path=str(path))
    starts = _entry_lines(text)
    return [_check(entry, index, starts, path, metrics) for index, entry in enumerate(entries)]


def _entry_lines(text: str) -> list[int]:
    """The line of each ``[[checks]]`` header, in order."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*checks\s*\]\]", line)
    ]


def _check(entry: object, index: int, starts: list[int], path: Path, metrics: frozenset[str]) -> Check:
    line = starts[index] if index < len(starts) else None

    def fail(message: str) -> ConfigError:
        return ConfigError(f"check {index + 1}: {message}", path=str(path), line=line)

    if not isinstance(entry, dict):
        raise fail("expected a table of metric, period, warn, fail")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise fail(f"unknown key '{unknown[0]}' (use {', '.join(sorted(_KEYS))})")
    metric = entry.get("metric")
    if not isinstance(metric, str):
        raise fail('needs metric = "…"')
    if metric not in metrics:
        raise fail(f"unknown metric '{metric}' (use one of {', '.join(sorted(metrics))})")
    conditions: dict[str, Condition | None] = {}
    for key in ("warn", "fail"):
        value = entry.get(key)
        if value is None:
            conditions[key] = None
        elif isinstance(value, str):
            try:
                conditions[key] = parse_condition(value)
            except ValueError as error:
                raise fail(f"{key}: {error}") from None
        else:
            raise fail(f'{key} must be a string such as "> 0.02"')
    if conditions["warn"] is None and conditions["fail"] is None:
        raise fail("needs warn or fail")
    period = entry.get("period", "last-month")
    where = entry.get("where", {})
    name = entry.get("name", "")
    if not isinstance(period, str) or not isinstance(name, str):
        raise fail("period and name must be strings")
    if not isinstance(where, dict) or not all(isinstance(v, str) for v in where.values()):
        raise fail('where must be a table of attribute = "value"')
    label = name or metric + (" where " + ", ".join(f"{k}={v}" for k, v in where.items()) if where else "")
    return Check(
        metric, period, conditions["warn"], conditions["fail"], dict(where), label, line or 1, str(path)
    )


def _read_utf8(file: Path) -> str:
    """A TOML file's text; TOML is UTF-8, so anything else is a configuration error."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"is not UTF-8 (byte 0x{data[error.start]:02x}): save it as UTF-8", path=str(file), line=line
        ) from None
