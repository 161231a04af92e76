"""Header matching (io/columns.py): mapping > preset > exact name > built-in alias; csm columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from csmetrics.errors import ConfigError, DataError, UsageError
from csmetrics.io.columns import ColumnMatch, describe_columns, parse_map_option
from csmetrics.io.presets import PRESETS
from csmetrics.io.readers import read_subscriptions, read_surveys, read_tickets
from csmetrics.io.source import ReadOptions, with_flags
from csmetrics.schemas import SCHEMAS


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_aliases_are_unique_lower_case_and_never_a_canonical_name() -> None:
    for schema in SCHEMAS.values():
        seen: dict[str, str] = {}
        for column in schema.columns:
            for alias in column.aliases:
                assert alias == alias.strip().casefold(), alias
                assert alias not in schema.names, alias
                assert alias not in seen, f"{alias} is an alias of {seen.get(alias)} and {column.name}"
                seen[alias] = column.name


def test_common_headers_are_read_through_aliases(tmp_path: Path) -> None:
    text = (
        "\ufeffSubscription ID,Customer,Plan Name,Monthly Recurring Revenue,Currency Code,"
        "Start Date,End Date,Churn Reason,Industry\n"
        "S1,C1,Pro,49.00,usd,2024-01-01,,,SaaS\n"
        "S2,C2,Team,99.00,usd,2024-01-05,2024-02-01,too expensive,Retail\n"
    )
    loaded = read_subscriptions(ReadOptions(path=write(tmp_path, text)), "UTC")
    frame = loaded.frame
    assert frame["subscription_id"].to_list() == ["S1", "S2"]
    assert frame["customer_id"].to_list() == ["C1", "C2"]
    assert frame["plan"].to_list() == ["Pro", "Team"]
    assert frame["mrr_cents"].to_list() == [4900, 9900]
    assert frame["cancel_reason"].to_list() == [None, "too expensive"]
    assert loaded.attributes == ("Industry",)


def test_polish_customer_header_is_an_alias(tmp_path: Path) -> None:
    text = "ID subskrypcji;ID klienta;MRR;start;end\nS1;Kowalski;10,00;01.02.2024;\n"
    path = write(tmp_path, text, encoding="cp1250")
    frame = read_subscriptions(
        ReadOptions(path=path, columns={"subscription_id": "ID subskrypcji"}), "UTC"
    ).frame
    assert frame["customer_id"].to_list() == ["Kowalski"]
    assert frame["mrr_cents"].to_list() == [1000]


def test_exact_name_wins_over_an_alias(tmp_path: Path) -> None:
    text = "subscription_id,customer,customer_id,mrr,started_at,ended_at\nS1,old,C1,1,2024-01-01,\n"
    loaded = read_subscriptions(ReadOptions(path=write(tmp_path, text)), "UTC")
    assert loaded.frame["customer_id"].to_list() == ["C1"]
    assert loaded.attributes == ("customer",)


def test_mapping_wins_over_an_exact_name_and_an_alias(tmp_path: Path) -> None:
    text = "subscription_id,customer,customer_id,Account,mrr,started_at,ended_at\nS1,a,b,ACC,1,2024-01-01,\n"
    loaded = read_subscriptions(
        ReadOptions(path=write(tmp_path, text), columns={"customer_id": "account"}), "UTC"
    )
    assert loaded.frame["customer_id"].to_list() == ["ACC"]
    assert "customer_id (unmapped)" in loaded.attributes
    assert "customer" in loaded.attributes


def test_two_aliases_of_one_column_are_an_error_never_a_guess(tmp_path: Path) -> None:
    text = "subscription_id,customer_id,mrr,started_at,end date,cancelled_at\nS1,C1,1,2024-01-01,,\n"
    with pytest.raises(DataError) as caught:
        read_subscriptions(ReadOptions(path=write(tmp_path, text)), "UTC")
    error = caught.value
    assert error.line == 1
    assert "'end date' and 'cancelled_at'" in error.reason
    assert "--map ended_at=" in error.reason
    text_ok = read_subscriptions(
        ReadOptions(path=write(tmp_path, text), columns={"ended_at": "end date"}), "UTC"
    )
    assert text_ok.attributes == ("cancelled_at",)


def test_an_alias_is_not_used_when_a_mapping_took_its_header(tmp_path: Path) -> None:
    text = "subscription_id,customer,account_id,mrr,started_at,ended_at\nS1,Pro,A1,1,2024-01-01,\n"
    path = write(tmp_path, text)
    loaded = read_subscriptions(ReadOptions(path=path, columns={"plan": "customer"}), "UTC")
    assert loaded.frame["plan"].to_list() == ["Pro"]
    assert loaded.frame["customer_id"].to_list() == ["A1"]
    with pytest.raises(DataError, match="'customer' and 'account_id' that could each be customer_id"):
        read_subscriptions(ReadOptions(path=path), "UTC")


def test_ticket_and_survey_aliases(tmp_path: Path) -> None:
    tickets = "Ticket ID,Customer ID,Created At,Solved At,Assignee,Via,Ticket Type\nT1,C1,2024-01-01 10:00,,Ann,Mail,Question\n"  # noqa: E501
    frame = read_tickets(ReadOptions(path=write(tmp_path, tickets)), "UTC").frame
    assert frame["ticket_id"].to_list() == ["T1"]
    assert frame["agent"].to_list() == ["Ann"]
    assert frame["channel"].to_list() == ["Mail"]
    assert frame["type"].to_list() == ["Question"]
    surveys = "Response ID,Account ID,Submitted At,NPS,Comments\nR1,C1,2024-01-01,9,great\n"
    frame = read_surveys(ReadOptions(path=write(tmp_path, surveys, "s.csv")), "UTC").frame
    assert frame["score"].to_list() == [9]
    assert frame["customer_id"].to_list() == ["C1"]
    assert frame["comment"].to_list() == ["great"]


def test_a_preset_replaces_the_built_in_aliases(tmp_path: Path) -> None:
    text = "id,Customer ID,Status,Amount,Interval,Start (UTC),cancelled_at\nsub_1,cus_1,active,10,month,2024-01-01 10:00,2024-02-01\n"  # noqa: E501
    loaded = read_subscriptions(ReadOptions(path=write(tmp_path, text), preset="stripe"), "UTC")
    assert loaded.frame["ended_at"].to_list() == [None]
    assert "cancelled_at" in loaded.attributes


# --------------------------------------------------------------------------------------------
# describe_columns (csm columns FILE)


def test_describe_columns_shows_every_header_in_file_order(tmp_path: Path) -> None:
    text = "Klient,Subscription,MRR,Start,Branża,notes\nK1,S1,10,2024-01-01,IT,\n"
    report = describe_columns(
        "subscriptions", ReadOptions(path=write(tmp_path, text), columns={"customer_id": "Klient"}), "UTC"
    )
    assert report.columns == (
        ColumnMatch("Klient", "customer_id", "mapping", "K1"),
        ColumnMatch("Subscription", "subscription_id", "alias", "S1"),
        ColumnMatch("MRR", "mrr", "exact", "10"),
        ColumnMatch("Start", "started_at", "alias", "2024-01-01"),
        ColumnMatch("Branża", None, "unused", "IT"),
        ColumnMatch("notes", None, "unused", None),
    )
    assert report.missing == ("ended_at",)
    assert report.preset is None
    assert report.kind == "subscriptions"


def test_describe_columns_with_a_preset(tmp_path: Path) -> None:
    text = "id,Customer ID,Status,Quantity,Amount,Interval,Start (UTC)\nsub_1,cus_1,active,2,10,month,2024-01-01 10:00\n"  # noqa: E501
    report = describe_columns(
        "subscriptions", ReadOptions(path=write(tmp_path, text), preset="stripe"), "UTC"
    )
    shown = {column.header: (column.canonical, column.how) for column in report.columns}
    assert shown == {
        "id": ("subscription_id", "preset"),
        "Customer ID": ("customer_id", "preset"),
        "Status": ("status", "preset"),
        "Quantity": ("quantity", "preset"),
        "Amount": ("amount", "preset"),
        "Interval": ("billing_period", "preset"),
        "Start (UTC)": ("started_at", "preset"),
    }
    assert report.missing == ()
    assert report.preset == "stripe"


def test_describe_columns_lists_what_is_missing(tmp_path: Path) -> None:
    report = describe_columns("subscriptions", ReadOptions(path=write(tmp_path, "x,y\n1,2\n")), "UTC")
    assert report.missing == (
        "subscription_id",
        "customer_id",
        "started_at",
        "ended_at",
        "mrr (or amount + billing_period)",
    )
    stripe = describe_columns(
        "subscriptions", ReadOptions(path=write(tmp_path, "id,Customer ID\n1,2\n"), preset="stripe"), "UTC"
    )
    assert stripe.missing == ("started_at", "mrr (or amount + billing_period)", "status")


def test_describe_columns_does_not_validate_values(tmp_path: Path) -> None:
    text = "subscription_id,customer_id,mrr,started_at,ended_at\nS1,C1,12.5x,yesterday,\n"
    report = describe_columns("tickets", ReadOptions(path=write(tmp_path, text)), "UTC")
    assert report.missing == ("ticket_id", "created_at")


def test_describe_columns_with_a_wrong_mapping_names_the_header(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="has no column 'Konto'"):
        describe_columns(
            "subscriptions",
            ReadOptions(path=write(tmp_path, "a,b\n1,2\n"), columns={"customer_id": "Konto"}),
            "UTC",
        )


def test_describe_columns_unknown_kind_or_preset() -> None:
    with pytest.raises(UsageError, match="unknown input kind"):
        describe_columns("health", ReadOptions(path="x.csv"), "UTC")
    with pytest.raises(UsageError, match="unknown preset 'paddle'"):
        describe_columns("subscriptions", ReadOptions(path="x.csv", preset="paddle"), "UTC")
    with pytest.raises(UsageError, match="reads tickets exports, not subscriptions"):
        describe_columns("subscriptions", ReadOptions(path="x.csv", preset="zendesk"), "UTC")


# --------------------------------------------------------------------------------------------
# --map and flags over csm.toml


def test_parse_map_option() -> None:
    assert parse_map_option(["customer_id=Customer ID", " mrr = MRR (zł) "]) == {
        "customer_id": "Customer ID",
        "mrr": "MRR (zł)",
    }
    assert parse_map_option(["mrr=Net = gross - tax"]) == {"mrr": "Net = gross - tax"}
    assert parse_map_option([]) == {}


@pytest.mark.parametrize("value", ["customer_id", "=Customer", "customer_id=", " = "])
def test_parse_map_option_bad_syntax(value: str) -> None:
    with pytest.raises(UsageError, match="canonical=Header") as caught:
        parse_map_option([value])
    assert caught.value.exit_code == 2


def test_parse_map_option_checks_names_for_a_kind() -> None:
    assert parse_map_option(["score=How likely?"], "surveys") == {"score": "How likely?"}
    with pytest.raises(UsageError, match="not a surveys column"):
        parse_map_option(["mrr=MRR"], "surveys")


def test_parse_map_option_conflicts() -> None:
    with pytest.raises(UsageError, match="twice"):
        parse_map_option(["mrr=A", "mrr=B"])
    with pytest.raises(UsageError, match="more than one column"):
        parse_map_option(["mrr=A", "amount=a"])
    assert parse_map_option(["mrr=A", "mrr=A"]) == {"mrr": "A"}


def test_with_flags_lays_flags_over_the_config() -> None:
    configured = ReadOptions(
        path="s.csv",
        preset="stripe",
        sheet="One",
        columns={"customer_id": "Klient", "mrr": "MRR (zł)", "plan": "Pakiet"},
    )
    merged = with_flags(configured, columns={"mrr": "Netto", "customer_id": "pakiet"}, sheet="Two")
    assert merged.columns == {"mrr": "Netto", "customer_id": "pakiet"}
    assert merged.sheet == "Two"
    assert merged.preset == "stripe"
    assert with_flags(configured) == configured
    assert with_flags(configured, preset="chargebee", input_format="xlsx").input_format == "xlsx"


def test_unknown_mapping_is_still_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        read_subscriptions(ReadOptions(path=write(tmp_path, "a\n1\n"), columns={"nope": "a"}), "UTC")


def test_the_docs_list_every_alias_and_preset_header() -> None:
    docs = Path(__file__).parent.parent / "docs"
    text = "".join(
        (docs / name).read_text(encoding="utf-8") for name in ("metrics.md",) if (docs / name).exists()
    )
    for schema in SCHEMAS.values():
        for column in schema.columns:
            for alias in column.aliases:
                assert f"`{alias}`" in text, alias
    for preset in PRESETS.values():
        assert f"#### {preset.name}" in text
        headers = [h for headers in preset.aliases.values() for h in headers]
        headers += [h for field in preset.fields for h in field.headers]
        for header in headers:
            assert f"`{header}`" in text, (preset.name, header)


def test_a_sheet_for_a_csv_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "subscription_id,customer_id,mrr,started_at,ended_at\nS1,C1,1,2024-01-01,\n")
    with pytest.raises(DataError, match="no sheets"):
        read_subscriptions(ReadOptions(path=path, sheet="Data"), "UTC")
