"""SPEC §7: no row is dropped silently; with --skip-bad-rows a row that breaks a rule is left out
with a warning that counts the rows and shows the first problem."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import DEC_2023, HAND_CSV, as_json, failed, invoke, ok, one_line

HEADER, *ROWS = HAND_CSV.splitlines()
BAD_MRR = "S10,G,Pro,12.5x,PLN,2023-01-01,,"
BAD_DAY = "S11,H,Pro,10.00,PLN,2023-02-31,,"
WARNING = (
    "csm: warning: 2 bad rows left out (--skip-bad-rows); the first: bad.csv:11: column 'mrr': "
    "'12.5x' is not a number (expected e.g. 1234.50; decimal comma? set decimal_comma = true) "
    "(and 1 more problem in this file; csm validate lists them)"
)


def write(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, *ROWS, *extra]) + "\n", encoding="utf-8")
    return path


def mrr_json(*args: str) -> tuple[dict[str, object], str]:
    result = ok(invoke(["mrr", *args, *DEC_2023, "--format", "json"]), warns=True)
    return as_json(result), result.stderr


def test_bad_rows_are_left_out_with_a_counted_warning(tmp_path: Path, hand_csv: Path) -> None:
    write(tmp_path, BAD_MRR, BAD_DAY)
    data, stderr = mrr_json("-s", "bad.csv", "--skip-bad-rows")
    clean, _ = mrr_json("-s", str(hand_csv))
    assert data["values"] == clean["values"]  # the two bad rows are all that changed
    assert stderr.splitlines() == [WARNING]
    assert data["notes"] == [WARNING.removeprefix("csm: warning: ")]
    assert data["inputs"] == [{"kind": "subscriptions", "path": "bad.csv", "rows": 11}]


def test_without_the_flag_the_first_bad_row_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, BAD_MRR, BAD_DAY)
    line = one_line(failed(invoke(["mrr", "-s", "bad.csv", *DEC_2023]), 3))
    assert line == "csm: error: " + WARNING.split("the first: ")[1]


def test_a_file_without_a_good_row_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("\n".join([HEADER, BAD_MRR]) + "\n", encoding="utf-8")
    line = one_line(failed(invoke(["mrr", "-s", "bad.csv", "--skip-bad-rows", *DEC_2023]), 3))
    assert line.startswith("csm: error: bad.csv:2: column 'mrr': '12.5x' is not a number")


def test_skip_bad_rows_in_csm_toml(tmp_path: Path, hand_csv: Path) -> None:
    write(tmp_path, BAD_DAY)
    (tmp_path / "csm.toml").write_text('[subscriptions]\npath = "bad.csv"\nskip_bad_rows = true\n')
    data, stderr = mrr_json()
    assert data["values"] == mrr_json("-s", str(hand_csv))[0]["values"]
    assert stderr.startswith("csm: warning: 1 bad row left out (--skip-bad-rows); the first: ")
    assert "bad.csv:11: column 'started_at': '2023-02-31'" in stderr


def test_a_bad_ticket_is_left_out_of_support(tmp_path: Path) -> None:
    header = "ticket_id,customer_id,created_at,solved_at"
    rows = ["1,A,2023-12-01T10:00:00Z,2023-12-01T12:00:00Z", "2,B,yesterday,", "3,C,2023-12-02T09:00:00Z,"]
    (tmp_path / "t.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = ok(invoke(["support", "-t", "t.csv", *DEC_2023, "--skip-bad-rows", "-f", "json"]), warns=True)
    assert as_json(result)["values"]["tickets"] == 2
    assert "csm: warning: 1 bad row left out (--skip-bad-rows); the first: t.csv:3: column 'created_at'" in (
        result.stderr
    )


def test_a_bad_invoice_stays_an_error(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text(
        "invoice_id,customer_id,period_start,period_end,amount,status\n"
        "I1,A,2023-11-01,2023-11-30,100,paid\n"
        "I2,B,2023-12-01,2023-12-31,11x,paid\n"
    )
    result = invoke(["mrr", "--invoices", "inv.csv", *DEC_2023, "--skip-bad-rows"])
    assert one_line(failed(result, 3)).startswith("csm: error: inv.csv:3: column 'amount': '11x'")


def test_bad_rows_of_the_customers_file_are_warned_about(tmp_path: Path, hand_csv: Path) -> None:
    (tmp_path / "crm.csv").write_text("customer_id,registered_at\nA,2023-01-01\nB,2023-13-01\n")
    args = ["-s", str(hand_csv), "--customers", "crm.csv", "--skip-bad-rows"]
    data, stderr = mrr_json(*args)
    assert stderr.startswith("csm: warning: 1 bad row left out (--skip-bad-rows); the first: crm.csv:3: ")
    assert data["inputs"][1] == {"kind": "customers", "path": "crm.csv", "rows": 2}
