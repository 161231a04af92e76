"""Several files as one input (io/source.py): a directory, a --glob pattern, hive partitions.

Every file of one input has the same format and header; rows keep their own file and line, so an
error names ``exports/2023-11.csv:17``, not the directory.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csmetrics.errors import DataError, ExitCode
from csmetrics.io.readers import read_checked, read_subscriptions, read_tickets
from csmetrics.io.source import ROW, ReadOptions, expand_inputs, read_raw

HEADER = "subscription_id,customer_id,mrr,started_at,ended_at\n"


def subs(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def error_of(options: ReadOptions) -> DataError:
    with pytest.raises(DataError) as info:
        read_subscriptions(options, "UTC")
    error = info.value
    assert error.exit_code == ExitCode.DATA == 3
    assert "\n" not in str(error)
    return error


@pytest.fixture
def months(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    write(folder / "2023-10.csv", subs("s1,c1,10.00,2023-10-01,2023-11-01", "s2,c2,20.00,2023-10-05,"))
    write(folder / "2023-11.csv", subs("s1,c1,15.00,2023-11-01,", "s3,c3,5.50,2023-11-20,"))
    return folder


# --------------------------------------------------------------------------------------------
# expand_inputs


def test_a_directory_is_its_data_files_sorted(months: Path) -> None:
    write(months / "notes.txt", b"not data")
    write(months / ".hidden.csv", subs())
    write(months / "_SUCCESS", b"")
    assert expand_inputs(str(months)) == [str(months / "2023-10.csv"), str(months / "2023-11.csv")]


def test_a_pattern_is_literal_without_glob(months: Path) -> None:
    pattern = str(months / "*.csv")
    assert expand_inputs(pattern) == [pattern]
    assert expand_inputs(pattern, glob=True) == [str(months / "2023-10.csv"), str(months / "2023-11.csv")]


def test_a_recursive_pattern(months: Path) -> None:
    write(months / "old" / "2022-12.csv", subs("s0,c0,1.00,2022-12-01,"))
    found = expand_inputs(str(months / "**" / "*.csv"), glob=True)
    assert found == sorted(
        [str(months / "2023-10.csv"), str(months / "2023-11.csv"), str(months / "old" / "2022-12.csv")]
    )


def test_a_pattern_without_a_match_is_a_data_error(tmp_path: Path) -> None:
    pattern = str(tmp_path / "exports" / "*.csv")
    with pytest.raises(DataError) as info:
        expand_inputs(pattern, glob=True)
    assert info.value.path == pattern
    assert "matches no file" in info.value.reason
    assert error_of(ReadOptions(path=pattern, glob=True)).path == pattern


def test_a_literal_path_with_a_star_that_does_not_exist_hints_at_glob(tmp_path: Path) -> None:
    error = error_of(ReadOptions(path=str(tmp_path / "*.csv")))
    assert "no such file" in error.reason
    assert "--glob" in error.reason


def test_an_empty_directory_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    error = error_of(ReadOptions(path=str(tmp_path / "empty")))
    assert error.path == str(tmp_path / "empty")
    assert "directory" in error.reason


def test_stdin_and_a_plain_file_are_themselves(tmp_path: Path) -> None:
    assert expand_inputs("-") == ["-"]
    assert expand_inputs(str(tmp_path / "a.csv"), glob=True) == [str(tmp_path / "a.csv")]


# --------------------------------------------------------------------------------------------
# reading several files as one input


def test_a_directory_reads_every_row_of_every_file(months: Path) -> None:
    loaded = read_subscriptions(ReadOptions(path=str(months)), "UTC")
    assert loaded.path == str(months)
    assert loaded.rows == 4
    assert loaded.frame["subscription_id"].to_list() == ["s1", "s2", "s1", "s3"]
    assert loaded.frame["mrr_cents"].to_list() == [1000, 2000, 1500, 550]


def test_a_glob_reads_the_matching_files(months: Path) -> None:
    write(months / "readme.csv.bak", b"x")
    loaded = read_subscriptions(ReadOptions(path=str(months / "2023-1*.csv"), glob=True), "UTC")
    assert loaded.rows == 4


def test_an_error_in_the_second_file_names_that_file_and_its_own_line(months: Path) -> None:
    write(months / "2023-12.csv", subs("s4,c4,1.00,2023-12-01,", "s5,c5,12.5x,2023-12-02,"))
    error = error_of(ReadOptions(path=str(months)))
    assert error.path == str(months / "2023-12.csv")
    assert (error.line, error.column, error.value) == (3, "mrr", "12.5x")
    assert str(error).startswith(f"{months / '2023-12.csv'}:3: column 'mrr'")


def test_lines_count_blank_lines_and_multiline_cells_per_file(tmp_path: Path) -> None:
    header = "subscription_id,customer_id,mrr,started_at,ended_at,note\n"
    write(tmp_path / "in" / "a.csv", (header + 's1,c1,1.00,2023-01-01,,"two\nlines"\n\n').encode())
    write(
        tmp_path / "in" / "b.csv",
        (header + '\ns2,c2,1.00,2023-01-01,,"x\ny"\ns3,c3,bad,2023-01-01,,\n').encode(),
    )
    error = error_of(ReadOptions(path=str(tmp_path / "in")))
    assert (error.path, error.line) == (str(tmp_path / "in" / "b.csv"), 5)


def test_a_duplicate_across_files_names_the_other_file(tmp_path: Path) -> None:
    header = "ticket_id,customer_id,created_at\n"
    write(tmp_path / "t" / "a.csv", (header + "t1,c1,2024-01-01T10:00:00Z\n").encode())
    write(
        tmp_path / "t" / "b.csv",
        (header + "t2,c1,2024-01-02T10:00:00Z\nt1,c2,2024-01-03T10:00:00Z\n").encode(),
    )
    with pytest.raises(DataError) as info:
        read_tickets(ReadOptions(path=str(tmp_path / "t")), "UTC")
    assert (info.value.path, info.value.line) == (str(tmp_path / "t" / "b.csv"), 3)
    assert f"line 2 of {tmp_path / 't' / 'a.csv'}" in info.value.reason


def test_an_overlap_across_files_names_the_other_file(months: Path) -> None:
    write(months / "2023-12.csv", subs("s2,c2,20.00,2023-12-01,"))
    error = error_of(ReadOptions(path=str(months)))
    assert (error.path, error.line) == (str(months / "2023-12.csv"), 2)
    assert f"overlaps line 3 of {months / '2023-10.csv'}" in error.reason


def test_validate_counts_problems_in_all_files(months: Path) -> None:
    write(months / "2023-12.csv", subs("s4,c4,x,2023-12-01,"))
    write(months / "2024-01.csv", subs("s5,c5,y,2024-01-01,"))
    checked = read_checked("subscriptions", ReadOptions(path=str(months)), "UTC", limit=10)
    problems = checked.problems
    assert problems.total == 2
    assert [(problems.path_of(p), problems.line_of(p)) for p in problems.found] == [
        (str(months / "2023-12.csv"), 2),
        (str(months / "2024-01.csv"), 2),
    ]
    with pytest.raises(DataError) as info:
        problems.raise_first()
    assert "1 more problem in these files" in info.value.reason


def test_a_header_that_differs_names_the_file_and_how(months: Path) -> None:
    write(months / "2023-12.csv", b"subscription_id,customer_id,mrr,started_at\ns4,c4,1.00,2023-12-01\n")
    error = error_of(ReadOptions(path=str(months)))
    assert (error.path, error.line) == (str(months / "2023-12.csv"), 1)
    assert f"has no column 'ended_at', which {months / '2023-10.csv'} has" in error.reason


def test_an_extra_or_reordered_column_is_named(months: Path) -> None:
    write(months / "2023-12.csv", subs("s4,c4,1.00,2023-12-01,,pro").replace(b"ended_at", b"ended_at,plan"))
    assert "has a column 'plan'" in error_of(ReadOptions(path=str(months))).reason
    write(
        months / "2023-12.csv",
        b"customer_id,subscription_id,mrr,started_at,ended_at\nc4,s4,1.00,2023-12-01,\n",
    )
    assert "in another order" in error_of(ReadOptions(path=str(months))).reason


def test_files_of_two_formats_are_an_error(months: Path) -> None:
    pl.DataFrame({"subscription_id": ["s9"]}).write_parquet(months / "2023-12.parquet")
    error = error_of(ReadOptions(path=str(months)))
    assert error.path == str(months / "2023-12.parquet")
    assert "PARQUET" in error.reason and "CSV" in error.reason


def test_a_file_with_a_header_only_adds_no_row(months: Path) -> None:
    write(months / "2023-12.csv", subs())
    assert read_subscriptions(ReadOptions(path=str(months)), "UTC").rows == 4


# --------------------------------------------------------------------------------------------
# Parquet datasets and hive partitions


def parquet_month(folder: Path, month: str, mrr: list[float] | list[int], start: date) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {
            "subscription_id": [f"s-{month}-{i}" for i in range(len(mrr))],
            "customer_id": [f"c{i}" for i in range(len(mrr))],
            "mrr": mrr,
            "started_at": [start] * len(mrr),
            "ended_at": pl.Series([None] * len(mrr), dtype=pl.Date),
        }
    ).write_parquet(folder / "part-0.parquet")


def test_hive_partition_keys_become_text_attributes(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    parquet_month(root / "region=eu" / "month=2023-10", "10", [10.5, 20.0], date(2023, 10, 1))
    parquet_month(root / "region=us%20east" / "month=2023-11", "11", [1.25], date(2023, 11, 1))
    loaded = read_subscriptions(ReadOptions(path=str(root)), "UTC")
    assert loaded.attributes == ("region", "month")
    assert loaded.frame["region"].to_list() == ["eu", "eu", "us east"]
    assert loaded.frame["month"].to_list() == ["2023-10", "2023-10", "2023-11"]
    assert loaded.frame["mrr_cents"].to_list() == [1050, 2000, 125]


def test_partition_keys_must_agree(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    parquet_month(root / "region=eu", "10", [1.0], date(2023, 10, 1))
    parquet_month(root / "other", "11", [1.0], date(2023, 11, 1))
    error = error_of(ReadOptions(path=str(root)))
    assert "partition keys" in error.reason


def test_a_partition_key_that_is_also_a_column_is_an_error(tmp_path: Path) -> None:
    parquet_month(tmp_path / "subs" / "mrr=1", "10", [1.0], date(2023, 10, 1))
    assert "mrr=" in error_of(ReadOptions(path=str(tmp_path / "subs"))).reason


def test_parquet_files_typed_differently_are_read_as_their_text(tmp_path: Path) -> None:
    parquet_month(tmp_path / "subs" / "a", "10", [10.5], date(2023, 10, 1))
    parquet_month(tmp_path / "subs" / "b", "11", [20], date(2023, 11, 1))
    loaded = read_subscriptions(ReadOptions(path=str(tmp_path / "subs")), "UTC")
    assert loaded.frame["mrr_cents"].to_list() == [1050, 2000]


def test_a_typed_error_in_the_second_parquet_file_names_file_row_and_text(tmp_path: Path) -> None:
    parquet_month(tmp_path / "subs" / "a", "10", [10.5], date(2023, 10, 1))
    parquet_month(tmp_path / "subs" / "b", "11", [3.0, -2.5], date(2023, 11, 1))
    error = error_of(ReadOptions(path=str(tmp_path / "subs")))
    assert error.path == str(tmp_path / "subs" / "b" / "part-0.parquet")
    assert (error.line, error.column, error.value) == (3, "mrr", "-2.5")


# --------------------------------------------------------------------------------------------
# progress


def test_progress_is_told_each_stage(months: Path) -> None:
    stages: list[str] = []
    read_subscriptions(ReadOptions(path=str(months)), "UTC", progress=stages.append)
    assert stages[:3] == ["reading 2023-10.csv (1 of 2)", "reading 2023-11.csv (2 of 2)", "checking 4 rows"]
    assert "checking column 'mrr'" in stages
    assert stages[-1] == "checking the rules across rows"


def test_progress_for_one_file_and_raw_reads(months: Path) -> None:
    stages: list[str] = []
    read_checked(
        "subscriptions", ReadOptions(path=str(months / "2023-10.csv")), "UTC", progress=stages.append
    )
    assert stages[0] == "reading 2023-10.csv"
    raw_stages: list[str] = []
    table = read_raw(ReadOptions(path=str(months)), progress=raw_stages.append)
    assert raw_stages == ["reading 2023-10.csv (1 of 2)", "reading 2023-11.csv (2 of 2)"]
    assert table.frame[ROW].to_list() == [0, 1, 2, 3]
    assert [table.path_of(row) for row in range(4)] == [str(months / "2023-10.csv")] * 2 + [
        str(months / "2023-11.csv")
    ] * 2
    assert [table.line_of(row) for row in range(4)] == [2, 3, 2, 3]
