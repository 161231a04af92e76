"""docs/cli.md is the real ``--help`` of csm and of each command, so the docs cannot drift.

Regenerate after changing a command or its help:

    CSM_UPDATE_DOCS=1 uv run pytest tests/cli/test_docs_cli.py

The intro above the generated-part marker is written by hand and kept as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from csmetrics.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
REGENERATE = "CSM_UPDATE_DOCS=1 uv run pytest tests/cli/test_docs_cli.py"
MARKER = "<!-- Everything below is generated from --help by tests/cli/test_docs_cli.py; regenerate with: "
HELP_ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
WIDTH = 100

DEFAULT_INTRO = """\
# The csm command line

`csm` computes customer-success metrics (churn, NRR, expansion and the MRR bridge) from the
exports you already have. Every command reads its inputs from flags, `CSM_*` variables or
`csm.toml`, writes a table, JSON or CSV to stdout (messages go to stderr), and exits with the
codes of the contract (`0` success, `2` usage, `3` data, `4` configuration, `70` internal error).
Try any command on the built-in data with `--demo`. The reference below is the output of `--help`.
"""


def command_names() -> list[str]:
    """The commands in the order `csm --help` lists them."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    return list(commands)


def help_text(args: list[str]) -> str:
    """``csm ARGS --help`` at a fixed width, without colour, trailing spaces removed."""
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="csm", env=HELP_ENV, terminal_width=WIDTH)
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())


def intro(existing: str | None) -> str:
    """The hand-written part of docs/cli.md: everything above the marker, or the default."""
    if existing and MARKER in existing:
        return existing.split(MARKER, 1)[0].rstrip("\n") + "\n"
    return DEFAULT_INTRO


def render_cli_docs(existing: str | None = None) -> str:
    """The whole docs/cli.md: the kept intro, then `csm --help` and each command's `--help`."""
    parts = [intro(existing), f"{MARKER}`{REGENERATE}` -->\n"]
    for name in ["", *command_names()]:
        title = f"csm {name}".strip()
        args = [name] if name else []
        parts.append(f"## `{title}`\n\n```text\n{help_text(args)}\n```\n")
    return "\n".join(parts)


def test_docs_cli_md_is_the_current_help() -> None:
    existing = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else None
    expected = render_cli_docs(existing)
    if os.environ.get("CSM_UPDATE_DOCS") == "1":
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        DOCS.write_text(expected, encoding="utf-8")
        return
    assert existing is not None, f"docs/cli.md is missing: create it with `{REGENERATE}`"
    assert existing == expected, (
        f"docs/cli.md differs from the --help output: regenerate it with `{REGENERATE}`"
    )


def test_regenerating_keeps_the_hand_written_intro() -> None:
    custom = "# csm\n\nA hand-written intro.\n"
    stale = f"{custom}\n{MARKER}`...` -->\n\n## `csm`\n\nold help\n"
    rendered = render_cli_docs(stale)
    assert rendered.startswith(f"{custom}\n{MARKER}")
    assert "old help" not in rendered
    assert render_cli_docs(rendered) == rendered


def test_every_command_has_demo_and_the_revenue_commands_show_examples() -> None:
    names = command_names()
    assert {"churn", "nrr", "expansion", "mrr"} <= set(names)
    for name in names:
        text = help_text([name])
        assert text.startswith(f"Usage: csm {name}")
        assert "--demo" in text, "SPEC §6: every command has --demo"
        if name != "snapshot":
            assert "--format" in text, name
    for name in ("churn", "nrr", "expansion", "mrr", "support", "nps", "check", "validate", "snapshot"):
        text = help_text([name])
        assert "Examples:" in text and f"csm {name} " in text.split("Examples:", 1)[1]


def test_help_is_at_most_the_fixed_width() -> None:
    for name in ["", *command_names()]:
        for line in help_text([name] if name else []).splitlines():
            assert len(line) <= WIDTH, line
