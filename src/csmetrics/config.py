"""Configuration: flag > CSM_* environment variable > csm.toml > default (SPEC §6).

Flags and variables are resolved by the CLI (each option names its variable); this module reads
csm.toml into pydantic models and merges its input sections under the flags.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from csmetrics.errors import ConfigError

CONFIG_NAME = "csm.toml"
INPUT_KINDS = ("subscriptions", "tickets", "surveys", "customers", "usage", "invoices")


class InputSection(BaseModel):
    """One input's settings: where it is and how its text is written; absent = detected."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = None
    input_format: Literal["csv", "tsv", "parquet"] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool | None = None
    date_format: str | None = None
    columns: dict[str, str] = {}


class FileConfig(BaseModel):
    """The whole csm.toml."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["table", "json", "csv"] | None = None
    tz: str | None = None
    subscriptions: InputSection = InputSection()
    tickets: InputSection = InputSection()
    surveys: InputSection = InputSection()
    customers: InputSection = InputSection()
    usage: InputSection = InputSection()
    invoices: InputSection = InputSection()

    def section(self, kind: str) -> InputSection:
        """The settings of input ``kind``."""
        section: InputSection = getattr(self, kind)
        return section


def load_config(path: str | None, cwd: Path | None = None) -> tuple[FileConfig, Path | None]:
    """Read ``--config PATH``, else ``csm.toml`` in the working directory, else the defaults."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError("no such config file", path=path)
    else:
        file = (cwd or Path.cwd()) / CONFIG_NAME
        if not file.is_file():
            return FileConfig(), None
    text = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"not valid TOML: {_toml_reason(error)}", path=str(file), line=_toml_line(error)
        ) from None
    try:
        return FileConfig.model_validate(data), file
    except ValidationError as error:
        first = error.errors()[0]
        location = [str(part) for part in first["loc"]]
        message = f"{'.'.join(location)}: {_pydantic_reason(first)}"
        raise ConfigError(message, path=str(file), line=_key_line(text, location)) from None


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
    return str(detail.get("msg", "invalid value")).replace("Input should be", "expected")


def _key_line(text: str, location: list[str]) -> int | None:
    """The line where the offending key stands: its section header, then the key itself."""
    lines = text.splitlines()
    start = 0
    sections = [part for part in location[:-1] if not part.isdigit()]
    if sections:
        header = re.compile(r"^\s*\[\s*" + re.escape(".".join(sections)) + r"\s*\]")
        start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    key = re.compile(r"^\s*\"?" + re.escape(location[-1]) + r"\"?\s*=")
    for index in range(start, len(lines)):
        if key.match(lines[index]):
            return index + 1
    return start + 1 if sections else None


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
