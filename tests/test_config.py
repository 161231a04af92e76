"""csm.toml (config.py): input sections with presets, sheets, units and zones; errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from csmetrics.config import FileConfig, InputSection, input_settings, load_config
from csmetrics.errors import ConfigError
from csmetrics.io.readers import read_subscriptions, read_tickets
from csmetrics.io.source import ReadOptions

EXAMPLES = Path(__file__).parent.parent / "examples"


def config_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "csm.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def config_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file(tmp_path, text))
    assert caught.value.exit_code == 4
    assert "\n" not in str(caught.value)
    return caught.value


def test_every_input_setting(tmp_path: Path) -> None:
    config, file = load_config(
        config_file(
            tmp_path,
            """
tz = "Europe/Warsaw"
[subscriptions]
path = "export.xlsx"
input_format = "xlsx"
sheet = "Subskrypcje"
preset = "baremetrics"
money_unit = "cents"
[tickets]
preset = "zendesk"
source_tz = "America/New_York"
[tickets.csat_labels]
"Satisfied" = 5
"Dissatisfied" = 1
[surveys]
preset = "typeform"
[surveys.columns]
score = "How likely are you to recommend us?"
""",
        )
    )
    assert file == tmp_path / "csm.toml"
    subscriptions = config.section("subscriptions")
    assert (subscriptions.preset, subscriptions.sheet, subscriptions.money_unit) == (
        "baremetrics",
        "Subskrypcje",
        "cents",
    )
    assert subscriptions.input_format == "xlsx"
    tickets = config.section("tickets")
    assert tickets.source_tz == "America/New_York"
    assert tickets.csat_labels == {"Satisfied": 5, "Dissatisfied": 1}
    assert config.section("surveys").columns == {"score": "How likely are you to recommend us?"}


def test_a_section_becomes_read_options_as_the_cli_builds_them() -> None:
    section = InputSection(path="s.csv", preset="stripe", sheet="S", money_unit="major", source_tz="UTC")
    options = ReadOptions(**section.model_dump())
    assert (options.preset, options.sheet, options.money_unit, options.source_tz) == (
        "stripe",
        "S",
        "major",
        "UTC",
    )
    assert set(InputSection.model_fields) <= set(ReadOptions.__dataclass_fields__)


def test_unknown_preset_names_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[subscriptions]\npath = "s.csv"\npreset = "paddle"\n')
    assert error.line == 3
    assert "subscriptions.preset" in str(error)
    assert "stripe" in str(error)


def test_preset_for_another_kind_names_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[tickets]\npath = "t.csv"\n\n[subscriptions]\npreset = "zendesk"\n')
    assert error.line == 5
    assert "the zendesk preset reads tickets exports" in str(error)
    assert "stripe, chargebee, baremetrics" in str(error)


def test_preset_for_a_kind_without_presets(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[invoices]\npreset = "stripe"\n')
    assert error.line == 2
    assert "invoices have no presets" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[tickets]\nsource_tz = "Mars/Olympus"\n', 2, "unknown time zone 'Mars/Olympus'"),
        ('[subscriptions]\nmoney_unit = "pennies"\n', 2, "money_unit"),
        ('[subscriptions]\nsheet = ""\n', 2, "sheet"),
        ('[subscriptions]\ninput_format = "xls"\n', 2, "input_format"),
        ("[tickets]\n[tickets.csat_labels]\nGood = 7\n", 3, "less than or equal to 5"),
        ('[tickets]\n[tickets.csat_labels]\nGood = "5"\n', 3, "csat_labels"),
    ],
)
def test_bad_values_name_their_line(text: str, line: int, words: str, tmp_path: Path) -> None:
    error = config_error(tmp_path, text)
    assert error.line == line, str(error)
    assert words in str(error)


def test_mapping_to_an_unknown_column_still_names_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[subscriptions]\n[subscriptions.columns]\nklient = "ID klienta"\n')
    assert error.line == 3


def test_no_file_is_the_defaults(tmp_path: Path) -> None:
    config, file = load_config(None, cwd=tmp_path)
    assert file is None
    assert config == FileConfig()
    assert config.section("subscriptions").preset is None


def test_example_configs_read_their_exports() -> None:
    for folder, kind in (("stripe", "subscriptions"), ("zendesk", "tickets"), ("freshdesk", "tickets")):
        config, file = load_config(str(EXAMPLES / folder / "csm.toml"))
        settings = input_settings(config, kind, None, file)
        assert settings is not None
        assert settings.preset == folder
        options = ReadOptions(**settings.model_dump())
        reader = read_subscriptions if kind == "subscriptions" else read_tickets
        loaded = reader(options, "UTC")
        assert loaded.rows > 0


def test_polish_example_config_still_reads() -> None:
    config, file = load_config(str(EXAMPLES / "polish" / "csm.toml"))
    settings = input_settings(config, "subscriptions", None, file)
    assert settings is not None
    loaded = read_subscriptions(ReadOptions(**settings.model_dump()), "Europe/Warsaw")
    assert loaded.rows > 0
    assert loaded.notes == ()
