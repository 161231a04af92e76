"""Fixtures for the CLI tests: an isolated environment and the hand-made subscriptions file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import CSM_VARIABLES, HAND_CSV


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CSM_* variable from outside, and a working directory without a csm.toml."""
    for name in CSM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def hand_csv(tmp_path: Path) -> Path:
    """The hand-made subscriptions file, in the working directory."""
    path = tmp_path / "subs.csv"
    path.write_text(HAND_CSV, encoding="utf-8")
    return path
