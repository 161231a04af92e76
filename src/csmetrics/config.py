"""Configuration: flag > CSM_* environment variable > csm.toml > default (SPEC §6).

Flags and variables are resolved by the CLI (each option names its variable); this module reads
csm.toml into pydantic models and merges its input sections under the flags.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from csmetrics.errors import ConfigError
from csmetrics.schemas import SCHEMAS

PresetName = Literal[
    "stripe",
    "chargebee",
    "baremetrics",
    "zendesk",
    "freshdesk",
    "delighted",
    "typeform",
    "hubspot",
    "salesforce",
]
PRESET_KINDS = {
    "stripe": "subscriptions",
    "chargebee": "subscriptions",
    "baremetrics": "subscriptions",
    "zendesk": "tickets",
    "freshdesk": "tickets",
    "delighted": "surveys",
    "typeform": "surveys",
    "hubspot": "customers",
    "salesforce": "customers",
}
"""Which input kind each preset reads (the same table as ``csmetrics.io.presets``)."""

CONFIG_NAME = "csm.toml"
INPUT_KINDS = ("subscriptions", "tickets", "surveys", "customers", "usage", "invoices", "spend")


def _zone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (e.g. Europe/Warsaw, UTC)") from None
    return value


class InputSection(BaseModel):
    """One input's settings: where it is and how its text is written; absent = detected."""

    model_config = ConfigDict(extra="forbid", strict=True)

    path: str | None = None
    input_format: Literal["csv", "tsv", "parquet", "xlsx"] | None = None
    encoding: str | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    decimal_comma: bool | None = None
    date_format: str | None = None
    columns: dict[str, str] = {}
    preset: PresetName | None = None
    sheet: str | None = Field(default=None, min_length=1)
    money_unit: Literal["major", "cents"] | None = None
    source_tz: str | None = None
    csat_labels: dict[str, Annotated[int, Field(ge=1, le=5)]] = {}
    glob: bool = False
    """Expand ``*``, ``?``, ``[…]`` and ``**`` in ``path`` (as ``--glob``)."""
    skip_bad_rows: bool = False
    """Leave out rows that break a rule, with a counted warning (as ``--skip-bad-rows``)."""

    @field_validator("source_tz")
    @classmethod
    def _known_source_zone(cls, value: str | None) -> str | None:
        return _zone(value)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding '{value}' (e.g. utf-8, cp1250)") from None
        return value


HealthSignal = Literal[
    "mrr_change",
    "tenure_months",
    "ticket_volume",
    "unresolved_tickets",
    "csat",
    "nps",
    "usage",
    "renewal_days",
]
"""The signals of ``csm health`` (the same names as ``csmetrics.metrics.health``)."""


class HealthSection(BaseModel):
    """``[health]``: the score's thresholds, and per signal its weight and its bad/good values."""

    model_config = ConfigDict(extra="forbid", strict=True)

    at_risk_below: float | None = Field(default=None, ge=0, le=100)
    healthy_from: float | None = Field(default=None, ge=0, le=100)
    upsell_usage: float | None = Field(default=None, gt=0)
    weights: dict[HealthSignal, Annotated[float, Field(ge=0)]] = {}
    thresholds: dict[HealthSignal, Annotated[list[float], Field(min_length=2, max_length=2)]] = {}
    """signal → [bad, good]: the value worth 0 points and the value worth full points."""

    @field_validator("thresholds")
    @classmethod
    def _distinct(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, (bad, good) in value.items():
            if bad == good:
                raise ValueError(f"{name}: bad and good must differ (got [{bad}, {good}])")
        return value


class LtvSection(BaseModel):
    """``[ltv]``: defaults for ``csm ltv`` that flags override."""

    model_config = ConfigDict(extra="forbid", strict=True)

    gross_margin: float | None = Field(default=None, gt=0, le=1)
    cac: float | None = Field(default=None, ge=0)


class FileConfig(BaseModel):
    """The whole csm.toml."""

    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal["table", "json", "csv"] | None = None
    tz: str | None = None
    subscriptions: InputSection = InputSection()
    tickets: InputSection = InputSection()
    surveys: InputSection = InputSection()
    customers: InputSection = InputSection()
    usage: InputSection = InputSection()
    invoices: InputSection = InputSection()
    spend: InputSection = InputSection()
    health: HealthSection = HealthSection()
    ltv: LtvSection = LtvSection()
    checks: list[dict[str, object]] = []
    """``[[checks]]`` for ``csm check`` when there is no checks file (validated by csm check)."""

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone(value)

    def section(self, kind: str) -> InputSection:
        """The settings of input ``kind``."""
        section: InputSection = getattr(self, kind)
        return section


def _check_mappings(config: FileConfig) -> list[str] | None:
    """The location of the first ``[kind.columns]`` key that names no column of that kind."""
    for kind, schema in SCHEMAS.items():
        for canonical in config.section(kind).columns:
            if canonical not in schema.names:
                return [kind, "columns", canonical]
    return None


def _check_presets(config: FileConfig) -> tuple[list[str], str] | None:
    """The first ``preset = …`` written under an input it does not read, and what was expected."""
    for kind in INPUT_KINDS:
        preset = config.section(kind).preset
        if preset is not None and PRESET_KINDS[preset] != kind:
            names = [name for name, reads in PRESET_KINDS.items() if reads == kind]
            expected = f"use one of {', '.join(names)}" if names else f"{kind} have no presets"
            return [kind, "preset"], f"the {preset} preset reads {PRESET_KINDS[preset]} exports ({expected})"
    return None


def load_config(path: str | None, cwd: Path | None = None) -> tuple[FileConfig, Path | None]:
    """Read ``--config PATH``, else ``csm.toml`` in the working directory, else the defaults."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError("no such config file", path=path)
    else:
        file = cwd / CONFIG_NAME if cwd is not None else Path(CONFIG_NAME)
        if not file.is_file():
            return FileConfig(), None
    text = _read_utf8(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"not valid TOML: {_toml_reason(error)}", path=str(file), line=_toml_line(error)
        ) from None
    try:
        config = FileConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = [str(part) for part in first["loc"] if part != "[key]"]
        message = f"{'.'.join(location)}: {_pydantic_reason(first)}"
        raise ConfigError(message, path=str(file), line=_key_line(text, location)) from None
    if (mapping := _check_mappings(config)) is not None:
        kind = mapping[0]
        names = ", ".join(SCHEMAS[kind].names)
        message = f"{'.'.join(mapping)}: not a {kind} column (use one of {names})"
        raise ConfigError(message, path=str(file), line=_key_line(text, mapping))
    if (wrong := _check_presets(config)) is not None:
        location, reason = wrong
        raise ConfigError(f"{'.'.join(location)}: {reason}", path=str(file), line=_key_line(text, location))
    return config, file


def section_line(file: Path, name: str) -> int | None:
    """The line of ``[name]`` in a config file, for an error about that section as a whole."""
    return _key_line(_read_utf8(file), [name])


def _toml_line(error: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"at line (\d+)", str(error))
    return int(match.group(1)) if match else None


def _toml_reason(error: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at .*\)$", "", str(error))


def _pydantic_reason(detail: object) -> str:
    """A short reason from one pydantic error, saying what was expected."""
    assert isinstance(detail, dict)
    kind = detail.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    message = str(detail.get("msg", "invalid value")).removeprefix("Value error, ")
    return message.replace("Input should be", "expected")


def _key_line(text: str, location: list[str]) -> int | None:
    """The line where the offending key stands: as ``key =``, ``a.b.key =`` or ``[a.key]``."""
    lines = text.splitlines()
    parts = [part for part in location if not part.isdigit()]
    dotted = re.escape(".".join(parts))
    exact_patterns = [
        re.compile(r"^\s*" + dotted + r"\s*="),
        re.compile(r"^\s*\[\s*" + dotted + r"\s*[\].]"),
    ]
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in exact_patterns):
            return index + 1
    start = 0
    if len(parts) > 1:
        header = re.compile(r"^\s*\[\s*" + re.escape(".".join(parts[:-1])) + r"\s*\]")
        start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    key = re.compile(r"^\s*\"?" + re.escape(parts[-1]) + r"\"?\s*=")
    for index in range(start, len(lines)):
        if key.match(lines[index]):
            return index + 1
    return start + 1 if len(parts) > 1 else None


def input_settings(
    config: FileConfig, kind: str, flag_path: str | None, config_file: Path | None = None
) -> InputSection | None:
    """One input's settings; a flag or variable path wins over csm.toml's.

    A relative path written in csm.toml is taken from the folder the file is in.
    """
    section = config.section(kind)
    if flag_path is not None:
        return section.model_copy(update={"path": flag_path})
    if section.path is None:
        return None
    path = Path(section.path)
    folder = config_file.parent.resolve() if config_file is not None else Path.cwd().resolve()
    if not path.is_absolute() and section.path != "-" and folder != Path.cwd().resolve():
        path = folder / path
    return section.model_copy(update={"path": str(path)})


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
