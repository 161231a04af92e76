"""Several files as one input through the CLI (issue 7): --glob patterns, folders, hive partitions,
``glob = true`` in csm.toml; and the progress display of slow reads."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
from cli_helpers import DEC_2023, HAND_CSV, as_json, failed, invoke, ok, one_line
from rich.console import Console

from csmetrics.render import ReadProgress, read_progress

HEADER, *ROWS = HAND_CSV.splitlines()


def split_hand_csv(folder: Path) -> None:
    """The hand-made file cut into three monthly exports with the same header."""
    folder.mkdir(parents=True)
    for number, chunk in enumerate((ROWS[:3], ROWS[3:6], ROWS[6:]), start=1):
        (folder / f"2023-{number:02d}.csv").write_text("\n".join([HEADER, *chunk]) + "\n", encoding="utf-8")


def mrr_values(*args: str) -> dict[str, object]:
    values = as_json(ok(invoke(["mrr", *args, *DEC_2023, "--format", "json"])))["values"]
    assert isinstance(values, dict)
    return values


def test_a_pattern_with_glob_reads_like_the_one_file(hand_csv: Path, tmp_path: Path) -> None:
    split_hand_csv(tmp_path / "exports")
    assert mrr_values("-s", "exports/*.csv", "--glob") == mrr_values("-s", str(hand_csv))


def test_a_pattern_without_glob_is_a_literal_path(tmp_path: Path) -> None:
    split_hand_csv(tmp_path / "exports")
    line = one_line(failed(invoke(["mrr", "-s", "exports/*.csv", *DEC_2023]), 3))
    assert (
        line == "csm: error: exports/*.csv: no such file (paths are literal: use --glob to expand patterns)"
    )


def test_a_pattern_that_matches_nothing_is_a_data_error(tmp_path: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", "exports/*.csv", "--glob", *DEC_2023]), 3))
    assert line.startswith("csm: error: exports/*.csv: "), line


def test_a_folder_is_read_whole_without_glob(hand_csv: Path, tmp_path: Path) -> None:
    split_hand_csv(tmp_path / "exports")
    assert mrr_values("-s", "exports") == mrr_values("-s", str(hand_csv))


def test_glob_in_csm_toml(hand_csv: Path, tmp_path: Path) -> None:
    split_hand_csv(tmp_path / "exports")
    (tmp_path / "csm.toml").write_text('[subscriptions]\npath = "exports/2023-*.csv"\nglob = true\n')
    assert mrr_values() == mrr_values("-s", str(hand_csv))


def test_an_error_names_the_file_and_its_own_line(tmp_path: Path) -> None:
    split_hand_csv(tmp_path / "exports")
    second = tmp_path / "exports" / "2023-02.csv"
    second.write_text(
        second.read_text(encoding="utf-8").replace("2023-03-01", "2023-02-31"), encoding="utf-8"
    )  # S5: line 3
    line = one_line(failed(invoke(["mrr", "-s", "exports", *DEC_2023]), 3))
    assert line.startswith(
        f"csm: error: {Path('exports') / '2023-02.csv'}:3: column 'started_at': '2023-02-31'"
    )


def test_hive_partitions_become_attributes_for_by(tmp_path: Path) -> None:
    frame = pl.read_csv(io.StringIO(HAND_CSV), infer_schema=False)
    for region, customers in (("north", ["A", "B", "C"]), ("south", ["D", "E", "F"])):
        folder = tmp_path / "lake" / f"region={region}"
        folder.mkdir(parents=True)
        frame.filter(pl.col("customer_id").is_in(customers)).write_parquet(folder / "part-0.parquet")
    data = as_json(ok(invoke(["mrr", "-s", "lake", *DEC_2023, "--by", "region", "--format", "json"])))
    groups = {g["group"]: g["values"] for g in data["groups"]}
    assert set(groups) == {"north", "south"}
    assert groups["north"]["churned_customers"] == 1  # A
    assert groups["south"]["reactivated_customers"] == 1  # E


def test_progress_is_drawn_only_on_a_terminal_and_not_when_quiet() -> None:
    assert read_progress(enabled=False) is None
    assert read_progress(enabled=True) is None  # pytest's stderr is not a terminal


def test_progress_shows_the_stage_once_the_delay_has_passed() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with ReadProgress(console, delay=0.0) as progress:
        progress("checking 1,000 rows")
        progress._progress.refresh()
    assert "checking 1,000 rows" in buffer.getvalue()


def test_progress_stays_hidden_for_a_fast_read() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with ReadProgress(console, delay=60.0) as progress:
        progress("reading subs.csv")
    assert "reading subs.csv" not in buffer.getvalue()
