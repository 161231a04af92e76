"""csm onboarding, csm renewals and csm requests end to end, on the demo data and hand-made files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_helpers import invoke

FORMATS = ["table", "json", "csv"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [
        ["onboarding", "--demo", "-p", "2025"],
        ["onboarding", "--demo", "-p", "2025", "--trials", "--window", "14"],
        ["renewals", "--demo", "--within", "60"],
        ["requests", "--demo", "-p", "2025-Q4"],
    ],
)
def test_each_account_command_runs_on_the_demo_in_every_format(args: list[str], fmt: str) -> None:
    result = invoke([*args, "--format", fmt])
    assert result.exception is None, result.stderr
    assert result.exit_code == 0
    if fmt == "json":
        assert json.loads(result.stdout)["command"] == args[0]
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(result.stdout)))) >= 2


def test_onboarding_values_are_exactly_the_issue_keys() -> None:
    result = invoke(["onboarding", "--demo", "-p", "2025", "--format", "json"])
    assert result.exception is None and result.exit_code == 0
    out = json.loads(result.stdout)
    assert list(out["values"]) == [
        "registered_accounts",
        "converted_accounts",
        "conversion_rate",
        "days_to_first_payment_median",
        "days_to_first_payment_mean",
    ]
    assert (
        sum(month["registered_accounts"] for month in out["months"]) == out["values"]["registered_accounts"]
    )


def test_onboarding_hand_case(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,plan,mrr,started_at,ended_at,registered_at\n"
        "s1,a,Team,100,2023-03-01,,2023-03-01\n"  # same day: 0 days
        "s2,b,Team,100,2023-04-01,,2023-03-01\n"  # 31 days: not converted with the 30-day window
        "s3,c,Free,0,2023-03-05,2023-03-15,2023-03-05\n"  # trial, then paid 10 days after registering
        "s4,c,Team,100,2023-03-15,,2023-03-05\n"
        "s5,d,Free,0,2023-03-10,,2023-03-10\n",  # never paid
        encoding="utf-8",
    )
    result = invoke(
        [
            "onboarding",
            "-s",
            str(tmp_path / "subs.csv"),
            "-p",
            "2023-03",
            "--as-of",
            "2023-06-30",
            "-f",
            "json",
        ]
    )
    assert result.exception is None and result.exit_code == 0, result.stderr
    values = json.loads(result.stdout)["values"]
    assert values["registered_accounts"] == 4
    assert values["converted_accounts"] == 2
    assert values["conversion_rate"] == 0.5
    assert values["days_to_first_payment_median"] == 5.0
    assert values["days_to_first_payment_mean"] == 5.0


def test_renewals_hand_case(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,plan,mrr,started_at,ended_at,expires_at\n"
        "s1,a,Annual,1000,2023-02-01,,2024-01-31\n"
        "s2,b,Annual,500,2023-03-01,2024-02-29,2024-02-28\n"
        "s3,c,Annual,700,2023-01-01,,2024-01-10\n"
        "s4,d,Monthly,100,2023-01-01,,\n",
        encoding="utf-8",
    )
    result = invoke(
        [
            "renewals",
            "-s",
            str(tmp_path / "subs.csv"),
            "--as-of",
            "2024-01-15",
            "--within",
            "30",
            "-f",
            "json",
        ]
    )
    assert result.exception is None and result.exit_code == 0, result.stderr
    values = json.loads(result.stdout)["values"]
    assert [entry["customer_id"] for entry in values["renewals"]] == ["a"]
    assert values["renewals"][0]["days_left"] == 16
    assert [entry["customer_id"] for entry in values["past_due"]] == ["c"]
    assert values["mrr_at_stake"] == 1000.0
    assert values["arr_at_stake"] == 12000.0
    assert "is not over" not in result.stderr


def test_requests_weigh_by_the_mrr_of_distinct_customers(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,plan,mrr,started_at,ended_at\ns1,a,Team,300,2023-01-01,\ns2,b,Team,100,2023-01-01,\n",
        encoding="utf-8",
    )
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,customer_id,created_at,type\n"
        "1,a,2023-12-01T10:00:00Z,feature_request\n"
        "2,a,2023-12-02T10:00:00Z,feature_request\n"
        "3,b,2023-12-03T10:00:00Z,feature_request\n"
        "4,b,2023-12-03T10:00:00Z,bug\n"
        "5,b,2023-12-03T10:00:00Z,question\n",
        encoding="utf-8",
    )
    result = invoke(
        [
            "requests",
            "-t",
            str(tmp_path / "tickets.csv"),
            "-s",
            str(tmp_path / "subs.csv"),
            "-p",
            "2023-12",
            "--as-of",
            "2024-01-15",
            "-f",
            "json",
        ]
    )
    assert result.exception is None and result.exit_code == 0, result.stderr
    by_type = json.loads(result.stdout)["values"]["by_type"]
    assert by_type["feature_request"] == {"tickets": 3, "customers": 2, "mrr": 400.0}
    assert by_type["bug"] == {"tickets": 1, "customers": 1, "mrr": 100.0}
    assert by_type["improvement"] == {"tickets": 0, "customers": 0, "mrr": 0.0}


def _crm_files(tmp_path: Path) -> tuple[Path, Path]:
    subs = tmp_path / "subs.csv"
    subs.write_text(
        "subscription_id,customer_id,plan,mrr,started_at,ended_at,industry\n"
        "s1,c1,Team,100,2023-01-01,,Unknown\n"
        "s2,c2,Team,100,2023-01-01,2023-12-10,Unknown\n"
        "s3,c3,Team,100,2023-01-01,,Unknown\n",
        encoding="utf-8",
    )
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "customer_id,industry,owner\nc1,Retail,Anna\nc2,SaaS,Piotr\nc2,SaaS,Piotr\n", encoding="utf-8"
    )
    return subs, crm


def test_a_duplicate_customer_in_the_crm_file_is_a_data_error(tmp_path: Path) -> None:
    subs, crm = _crm_files(tmp_path)
    result = invoke(
        ["mrr", "-s", str(subs), "--customers", str(crm), "-p", "2023-12", "--as-of", "2024-01-15"]
    )
    assert result.exit_code == 3
    assert "crm.csv:4: column 'customer_id': 'c2' repeats the customer_id of line 3" in result.stderr


def test_crm_attributes_override_and_extend_the_subscriptions(tmp_path: Path) -> None:
    subs, crm = _crm_files(tmp_path)
    crm.write_text("customer_id,industry,owner\nc1,Retail,Anna\nc2,SaaS,Piotr\n", encoding="utf-8")
    args = ["-s", str(subs), "--customers", str(crm), "-p", "2023-12", "--as-of", "2024-01-15", "-f", "json"]
    result = invoke(["mrr", *args, "--by", "industry"])
    assert result.exception is None and result.exit_code == 0, result.stderr
    groups = {group["group"]: group["values"] for group in json.loads(result.stdout)["groups"]}
    assert set(groups) == {"Retail", "SaaS", "Unknown"}
    assert groups["SaaS"]["churned_customers"] == 1
    result = invoke(["segments", *args, "--by", "owner"])
    assert result.exception is None and result.exit_code == 0, result.stderr
    owners = {entry["value"] for entry in json.loads(result.stdout)["values"]["segments"]}
    assert owners == {"Anna", "Piotr", "(none)"}
    assert [item["kind"] for item in json.loads(result.stdout)["inputs"]] == ["subscriptions", "customers"]
