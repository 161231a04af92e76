"""csm health, csm ltv and the health column of csm renewals end to end (issue 9).

Every expected number below was worked out by hand from the small files of this module; the
arithmetic is written next to it. Health rules (metrics/health.py): sub-score
s = clamp((value − bad) / (good − bad), 0, 1), score = 100 × Σ w·s / Σ w over the signals with data,
points = 100 × w·s / Σ w. Default (weight, bad, good): mrr_change 20, −0.25, 0.10; tenure_months
10, 0, 24; ticket_volume 10, 3, 1; unresolved_tickets 10, 3, 0; csat 15, 0.5, 0.9; nps 15, 6, 9;
usage 15, 0.2, 0.6; renewal_days 5, 0, 90.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CSM_VARIABLES, as_json, failed, invoke, ok, one_line

DAYS_PER_MONTH = 30.4375
DEMO_SUBSCRIPTIONS = Path(__file__).resolve().parents[2] / "src" / "csmetrics" / "data" / "subscriptions.csv"

# --- the health hand case ------------------------------------------------------------------------
#
# As of 2024-06-15. Three months before: 2024-03-15. Ticket window (90 days): 2024-03-18 … 06-15;
# CSAT window (180 days): from 2023-12-18; NPS window (365 days): from 2023-06-17; usage window
# (90 days): from 2024-03-18.
#
# A  Pro    1000  was 800 on 03-15 (+25%), paying since 2022-01-01, expires 07-30 (45 days)
# B  Pro    2000  new on 04-01 (no MRR on 03-15: mrr_change missing), no expiry
# C  Basic  2100  was 3000 on 03-15 (−30%), paying since 2023-06-15, expires on as-of (0 days)
# D  Basic   300  unchanged (0%), paying since 2023-12-01, expires 07-15 (30 days)
# E  Basic        churned 05-01: not scored; its tickets and answers count for nobody
# F  Free      0  never pays: not scored

AS_OF = "2024-06-15"

HEALTH_SUBSCRIPTIONS = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at,expires_at
S0,A,Pro,800,2022-01-01,2024-04-01,
S1,A,Pro,1000,2024-04-01,,2024-07-30
S2,B,Pro,2000,2024-04-01,,
S3,C,Basic,3000,2023-06-15,2024-05-01,
S4,C,Basic,2100,2024-05-01,,2024-06-15
S5,D,Basic,300,2023-12-01,,2024-07-15
S6,E,Basic,400,2023-01-01,2024-05-01,
S7,F,Free,0,2023-01-01,,
"""

# Recent (created 03-18 … 06-15): A 1, B 3, C 0, D 2 (d2, d3; d1 is older, d4 is after as-of).
# Plan peers: Pro mean (1 + 3) / 2 = 2, Basic mean (0 + 2) / 2 = 1 (E is not active: no peer).
# Unresolved at the end of as-of: B 2 (b1 solved by its 60 minutes; b2 open; b3 created 06-10 +
# 10080 min = 06-17 > as-of), D 2 (d2 solved 06-20 > as-of; d3 open), A 0, C 0.
# CSAT in 180 days: A 5 → 1/1; B 5 and 2 → 1/2; D d1 rated 4 → 1/1; C none (missing).
HEALTH_TICKETS = """\
ticket_id,customer_id,created_at,solved_at,resolution_minutes,csat
a1,A,2024-06-01T12:00:00Z,2024-06-02T12:00:00Z,,5
b1,B,2024-05-01T12:00:00Z,,60,5
b2,B,2024-06-01T12:00:00Z,,,2
b3,B,2024-06-10T12:00:00Z,,10080,
d1,D,2024-03-01T12:00:00Z,2024-03-02T12:00:00Z,,4
d2,D,2024-05-10T12:00:00Z,2024-06-20T12:00:00Z,,
d3,D,2024-06-01T12:00:00Z,,,
d4,D,2024-06-20T12:00:00Z,,,1
e1,E,2024-06-01T12:00:00Z,,,1
e2,E,2024-06-02T12:00:00Z,,,1
x1,,2024-06-01T12:00:00Z,,,1
"""

# Latest answer in 365 days: A 10 (the 3 of January is older), C 7, D none (2023-05-01 is too old).
HEALTH_SURVEYS = """\
response_id,customer_id,responded_at,score
R1,A,2024-01-10,3
R2,A,2024-06-01,10
R3,C,2024-05-01,7
R4,D,2023-05-01,10
R5,E,2024-06-01,0
"""

# Latest date in 90 days: A 90/100 = 0.9; B 30/100 = 0.3 (the 06-20 row is after as-of);
# C two rows on 06-10: (20 + 30) / (50 + 50) = 0.5; D only 03-01, before the window: missing.
HEALTH_USAGE = """\
customer_id,date,used,limit
A,2024-05-01,10,100
A,2024-06-01,90,100
B,2024-06-10,30,100
B,2024-06-20,100,100
C,2024-06-01,99,100
C,2024-06-10,20,50
C,2024-06-10,30,50
D,2024-03-01,50,100
"""

# Tenure in months: days from the first paid day to as-of ÷ 30.4375.
TENURE_A = 896 / DAYS_PER_MONTH  # 2022-01-01 → 2024-06-15: 730 + 166 days
TENURE_B = 75 / DAYS_PER_MONTH  # 2024-04-01 → 06-15: 30 + 31 + 14
TENURE_C = 366 / DAYS_PER_MONTH  # 2023-06-15 → 2024-06-15 (leap year)
TENURE_D = 197 / DAYS_PER_MONTH  # 2023-12-01 → 2024-06-15: 31 + 31 + 29 + 31 + 30 + 31 + 14

MRR_CHANGE_ZERO = (0 - -0.25) / (0.10 - -0.25)  # D: 0% → 0.25 / 0.35 = 5/7


def score_of(*pairs: tuple[float, float]) -> float:
    """100 × Σ weight·sub-score ÷ Σ weight over the (weight, sub-score) pairs of the present signals."""
    return 100 * sum(weight * sub for weight, sub in pairs) / sum(weight for weight, _ in pairs)


# Full inputs, default rules.
# A: every signal: 20·1 (+25% ≥ +10%) + 10·1 (29.4 months ≥ 24) + 10·1 (0.5× ≤ 1×) + 10·1 (0 open)
#    + 15·1 (csat 1.0) + 15·1 (nps 10) + 15·1 (usage 0.9) + 5·(45/90) = 97.5 of Σ w 100.
SCORE_A = score_of((20, 1), (10, 1), (10, 1), (10, 1), (15, 1), (15, 1), (15, 1), (5, 45 / 90))
# B: tenure 10·(2.46/24), ticket_volume 10·((3 − 1.5)/2 = 0.75), unresolved 10·((3 − 2)/3),
#    csat 15·0 (0.5 = bad), usage 15·((0.3 − 0.2)/0.4 = 0.25); Σ w = 60; mrr_change, nps, renewal missing.
SCORE_B = score_of((10, TENURE_B / 24), (10, 0.75), (10, 1 / 3), (15, 0), (15, 0.25))
# C: mrr_change 20·0 (−30% ≤ −25%), tenure 10·(12.02/24), ticket_volume 10·1 (0×), unresolved 10·1,
#    nps 15·((7 − 6)/3), usage 15·((0.5 − 0.2)/0.4 = 0.75), renewal 5·0; Σ w = 85; csat missing.
SCORE_C = score_of((20, 0), (10, TENURE_C / 24), (10, 1), (10, 1), (15, 1 / 3), (15, 0.75), (5, 0))
# D: mrr_change 20·(5/7), tenure 10·(6.47/24), ticket_volume 10·((3 − 2)/2), unresolved 10·(1/3),
#    csat 15·1, renewal 5·(30/90); Σ w = 70; nps and usage missing.
SCORE_D = score_of((20, MRR_CHANGE_ZERO), (10, TENURE_D / 24), (10, 0.5), (10, 1 / 3), (15, 1), (5, 30 / 90))

SIGNALS = [
    "mrr_change",
    "tenure_months",
    "ticket_volume",
    "unresolved_tickets",
    "csat",
    "nps",
    "usage",
    "renewal_days",
]

MISSING_NOTES = [
    "no tickets file: ticket_volume, unresolved_tickets and csat are left out (give -t FILE)",
    "no surveys file: nps is left out (give --surveys FILE)",
    "no usage file: usage is left out and there are no upsell candidates (give --usage FILE)",
]


def approx(value: float) -> Any:
    return pytest.approx(value, rel=0, abs=1e-9)


def write_health_files(folder: Path) -> list[str]:
    """The four hand-made inputs in ``folder``; the arguments that read them at AS_OF."""
    files = {
        "subs.csv": HEALTH_SUBSCRIPTIONS,
        "tickets.csv": HEALTH_TICKETS,
        "surveys.csv": HEALTH_SURVEYS,
        "usage.csv": HEALTH_USAGE,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [
        "-s",
        str(folder / "subs.csv"),
        "-t",
        str(folder / "tickets.csv"),
        "--surveys",
        str(folder / "surveys.csv"),
        "--usage",
        str(folder / "usage.csv"),
        "--as-of",
        AS_OF,
    ]


def subscriptions_only(folder: Path) -> list[str]:
    (folder / "subs.csv").write_text(HEALTH_SUBSCRIPTIONS, encoding="utf-8")
    return ["-s", str(folder / "subs.csv"), "--as-of", AS_OF]


def values_of(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["command"] in {"health", "ltv", "renewals"}
    values: dict[str, Any] = data["values"]
    return values


def by_id(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["customer_id"]: entry for entry in values["customers"]}


# --- health: scores, lists, explain --------------------------------------------------------------


def test_health_scores_each_customer_as_computed_by_hand(tmp_path: Path) -> None:
    result = ok(invoke(["health", *write_health_files(tmp_path), "--format", "json"]))
    values = values_of(result)
    customers = by_id(values)
    # E churned before as-of and F never paid: only A, B, C, D; lowest score first.
    assert [entry["customer_id"] for entry in values["customers"]] == ["B", "C", "D", "A"]
    assert customers["A"]["score"] == approx(SCORE_A) and SCORE_A == 97.5
    assert customers["B"]["score"] == approx(SCORE_B)
    assert customers["C"]["score"] == approx(SCORE_C)
    assert customers["D"]["score"] == approx(SCORE_D)
    assert [customers[c]["mrr"] for c in "ABCD"] == [1000.0, 2000.0, 2100.0, 300.0]
    assert [customers[c]["plan"] for c in "ABCD"] == ["Pro", "Pro", "Basic", "Basic"]
    for entry in values["customers"]:
        assert list(entry["signals"]) == SIGNALS
        points = [s["points"] for s in entry["signals"].values() if s["points"] is not None]
        assert sum(points) == approx(entry["score"])

    a, b, c, d = (customers[name]["signals"] for name in "ABCD")
    assert a["mrr_change"] == {"value": approx(0.25), "points": approx(20.0)}  # (1000 − 800) / 800
    assert a["tenure_months"]["value"] == approx(TENURE_A)
    assert a["ticket_volume"]["value"] == approx(0.5)  # 1 ticket ÷ Pro mean 2
    assert a["nps"] == {"value": 10.0, "points": approx(15.0)}  # latest answer, not the older 3
    assert a["renewal_days"] == {"value": 45.0, "points": approx(2.5)}  # 5 × 45/90
    assert b["mrr_change"] == {"value": None, "points": None}  # no MRR three months before
    assert b["ticket_volume"] == {"value": 1.5, "points": approx(100 * 10 * 0.75 / 60)}  # 12.5
    assert b["unresolved_tickets"] == {"value": 2.0, "points": approx(100 * 10 * (1 / 3) / 60)}
    assert b["csat"] == {"value": 0.5, "points": 0.0}
    assert b["usage"] == {"value": approx(0.3), "points": approx(100 * 15 * 0.25 / 60)}  # 6.25
    assert b["renewal_days"] == {"value": None, "points": None}
    assert c["mrr_change"] == {"value": approx(-0.3), "points": 0.0}  # (2100 − 3000) / 3000
    assert c["ticket_volume"] == {"value": 0.0, "points": approx(100 * 10 / 85)}
    assert c["csat"] == {"value": None, "points": None}  # no rated ticket
    assert c["usage"] == {"value": approx(0.5), "points": approx(100 * 15 * 0.75 / 85)}  # rows summed
    assert c["renewal_days"] == {"value": 0.0, "points": 0.0}  # expires on the as-of day itself
    assert d["ticket_volume"]["value"] == approx(2.0)  # 2 ÷ Basic mean 1 (E's tickets left out)
    assert d["unresolved_tickets"]["value"] == 2.0  # solved after as-of is still open at as-of
    assert d["csat"] == {"value": 1.0, "points": approx(100 * 15 / 70)}  # d1, 105 days before as-of
    assert d["nps"] == {"value": None, "points": None}  # only an answer older than 365 days
    assert d["usage"] == {"value": None, "points": None}  # only a row older than 90 days
    assert d["renewal_days"]["value"] == 30.0

    # At risk (below 50): B 26.0 and C 48.5, by MRR: C (2100) before B (2000), not by score.
    assert [entry["customer_id"] for entry in values["at_risk"]] == ["C", "B"]
    assert values["at_risk"][0] == {
        "customer_id": "C",
        "plan": "Basic",
        "mrr": 2100.0,
        "score": approx(SCORE_C),
        # lost points of C (Σ w 85): mrr_change 23.53, nps 17.65 − 5.88 = 11.76, renewal 5.88,
        # tenure 11.76 − 5.89 = 5.87
        "weakest": ["mrr_change", "nps", "renewal_days"],
    }
    # B (Σ w 60): csat 25 lost, usage 25 − 6.25 = 18.75, tenure 16.67 − 1.71 = 14.96
    assert values["at_risk"][1]["weakest"] == ["csat", "usage", "tenure_months"]
    assert values["mrr_at_risk"] == 4100.0  # 2100 + 2000
    # Upsell: usage ≥ 0.8 and score ≥ 70: only A (0.9, 97.5); C (0.5) and B (0.3) are far from it.
    assert values["upsell"] == [
        {"customer_id": "A", "plan": "Pro", "mrr": 1000.0, "score": 97.5, "usage": approx(0.9)}
    ]
    assert (values["at_risk_below"], values["healthy_from"], values["upsell_usage"]) == (50, 70, 0.8)
    assert values["weights"] == dict(zip(SIGNALS, [20, 10, 10, 10, 15, 15, 15, 5], strict=True))
    assert values["missing_inputs"] == []
    assert "notes" not in json.loads(result.stdout)


def test_health_explain_one_customer_in_json(tmp_path: Path) -> None:
    result = ok(invoke(["health", *write_health_files(tmp_path), "--explain", "D", "--format", "json"]))
    values = values_of(result)
    assert (values["customer_id"], values["plan"], values["mrr"]) == ("D", "Basic", 300.0)
    assert values["score"] == approx(SCORE_D)
    signals = values["signals"]
    assert list(signals) == SIGNALS
    # Σ w of D's signals with data: 20 + 10 + 10 + 10 + 15 + 5 = 70; max_points = 100 × w ÷ 70.
    assert signals["mrr_change"] == {
        "value": 0.0,
        "points": approx(100 * 20 * MRR_CHANGE_ZERO / 70),  # 20.41
        "max_points": approx(100 * 20 / 70),  # 28.57
        "weight": 20,
        "bad": -0.25,
        "good": 0.1,
    }
    assert signals["renewal_days"] == {
        "value": 30.0,
        "points": approx(100 * 5 * (30 / 90) / 70),
        "max_points": approx(100 * 5 / 70),
        "weight": 5,
        "bad": 0,
        "good": 90,
    }
    for name in ("nps", "usage"):  # missing: no points, no share of Σ w, the rule still shown
        assert signals[name]["value"] is None
        assert signals[name]["points"] is None
        assert signals[name]["max_points"] is None
        assert signals[name]["weight"] == 15
    assert sum(s["max_points"] for s in signals.values() if s["max_points"] is not None) == approx(100)


def test_health_explain_a_signal_at_its_good_value_earns_exactly_its_max_points(tmp_path: Path) -> None:
    result = ok(invoke(["health", *write_health_files(tmp_path), "--explain", "D", "--format", "json"]))
    signals = values_of(result)["signals"]
    assert signals["csat"]["value"] == 1.0  # beyond good (0.9): sub-score 1
    assert signals["csat"]["points"] <= signals["csat"]["max_points"]
    assert signals["csat"]["points"] == signals["csat"]["max_points"]


def test_health_explain_table_and_csv(tmp_path: Path) -> None:
    args = ["health", *write_health_files(tmp_path), "--explain", "D"]
    table = ok(invoke([*args, "--format", "table"])).stdout
    assert "csm health · D as of 2024-06-15" in table
    assert "Score 60.0 of 100 · plan Basic · MRR 300.00" in table  # 59.975 shown to one place
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines() if line.split()[:1]}
    for name in SIGNALS:
        assert name in rows, table
    assert rows["nps"][0] == "missing" and rows["usage"][0] == "missing"
    assert rows["nps"][-2:] == ["—", "—"]  # no points, no max
    assert rows["csat"][0] == "100.0%"
    assert rows["mrr_change"][-3:] == ["20", "20.4", "28.6"]  # weight, points, of
    assert rows["renewal_days"][:2] == ["30", "d"]

    lines = list(csv.reader(io.StringIO(ok(invoke([*args, "--format", "csv"]), warns=True).stdout)))
    assert lines[0] == ["customer_id", "signal", "value", "points", "max_points", "weight", "bad", "good"]
    assert [line[1] for line in lines[1:]] == SIGNALS
    assert lines[1 + SIGNALS.index("nps")] == ["D", "nps", "", "", "", "15", "6", "9"]


@pytest.mark.parametrize("customer", ["E", "F", "nobody"])
def test_health_explain_a_customer_not_paying_at_as_of_is_a_usage_error(
    tmp_path: Path, customer: str
) -> None:
    # E churned on 2024-05-01, F pays 0, nobody is not in the files at all.
    stderr = failed(invoke(["health", *write_health_files(tmp_path), "--explain", customer]), 2)
    assert one_line(stderr) == (
        f"csm: error: customer '{customer}' does not pay at the end of 2024-06-15: "
        "health covers customers with MRR above 0 on the as-of day"
    )


# --- health: missing inputs ----------------------------------------------------------------------


def test_health_without_tickets_surveys_and_usage_reweights_the_rest(tmp_path: Path) -> None:
    result = ok(invoke(["health", *subscriptions_only(tmp_path), "--format", "json"]), warns=True)
    assert result.stderr.splitlines() == [f"csm: note: {note}" for note in MISSING_NOTES]
    data = json.loads(result.stdout)
    assert data["notes"] == MISSING_NOTES
    values = data["values"]
    assert values["missing_inputs"] == ["tickets", "surveys", "usage"]
    customers = by_id(values)
    for entry in customers.values():
        for name in ("ticket_volume", "unresolved_tickets", "csat", "nps", "usage"):
            assert entry["signals"][name] == {"value": None, "points": None}
    # Only mrr_change (20), tenure_months (10) and renewal_days (5) are left:
    # A: (20·1 + 10·1 + 5·0.5) / 35 = 92.857…; B: tenure alone, 100 × 2.464/24;
    # C: (20·0 + 10·(12.02/24) + 5·0) / 35; D: (20·5/7 + 10·(6.47/24) + 5·(1/3)) / 35.
    assert customers["A"]["score"] == approx(score_of((20, 1), (10, 1), (5, 0.5)))
    assert customers["A"]["score"] == approx(32.5 / 35 * 100)  # 92.857…
    assert customers["B"]["score"] == approx(100 * TENURE_B / 24)
    assert customers["B"]["signals"]["tenure_months"]["points"] == approx(100 * TENURE_B / 24)
    assert customers["C"]["score"] == approx(score_of((20, 0), (10, TENURE_C / 24), (5, 0)))
    assert customers["D"]["score"] == approx(score_of((20, MRR_CHANGE_ZERO), (10, TENURE_D / 24), (5, 1 / 3)))
    assert customers["D"]["signals"]["mrr_change"]["points"] == approx(100 * 20 * MRR_CHANGE_ZERO / 35)
    # No usage, no upsell; at risk: C 14.3 (2100) and B 10.3 (2000); D 53.3 and A 92.9 are not.
    assert values["upsell"] == []
    assert [entry["customer_id"] for entry in values["at_risk"]] == ["C", "B"]
    assert values["at_risk"][1]["weakest"] == ["tenure_months"]  # its only signal


def test_health_with_only_tickets_notes_the_other_two(tmp_path: Path) -> None:
    args = [*write_health_files(tmp_path)[:4], "--as-of", AS_OF, "--format", "json"]
    result = ok(invoke(["health", *args]), warns=True)
    assert result.stderr.splitlines() == [f"csm: note: {note}" for note in MISSING_NOTES[1:]]
    values = values_of(result)
    assert values["missing_inputs"] == ["surveys", "usage"]
    # A without nps and usage: (20 + 10 + 10 + 10 + 15 + 2.5) / 70.
    assert by_id(values)["A"]["score"] == approx(67.5 / 70 * 100)


# --- health: [health] in csm.toml ----------------------------------------------------------------

HEALTH_TOML = """\
[health]
at_risk_below = 30
healthy_from = 90

[health.weights]
mrr_change = 0
nps = 30

[health.thresholds]
tenure_months = [0, 12]
"""


def test_health_weights_and_thresholds_from_csm_toml(tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text(HEALTH_TOML, encoding="utf-8")
    values = values_of(ok(invoke(["health", *write_health_files(tmp_path), "--format", "json"])))
    customers = by_id(values)
    # mrr_change is off (its value shown, 0 points, out of Σ w); nps weighs 30; tenure is full at 12.
    # A: (10·1 + 10 + 10 + 15 + 30 + 15 + 5·0.5) / 95 = 92.5 / 95
    assert customers["A"]["score"] == approx(
        score_of((10, 1), (10, 1), (10, 1), (15, 1), (30, 1), (15, 1), (5, 0.5))
    )
    assert customers["A"]["signals"]["mrr_change"] == {"value": approx(0.25), "points": 0.0}
    # B: Σ w 60 as before, tenure now 2.46/12.
    assert customers["B"]["score"] == approx(
        score_of((10, TENURE_B / 12), (10, 0.75), (10, 1 / 3), (15, 0), (15, 0.25))
    )
    # C: tenure 12.02 ≥ 12 → 1: (10 + 10 + 10 + 30·(1/3) + 15·0.75 + 5·0) / 80 = 51.25 / 80 = 64.0625
    assert customers["C"]["score"] == approx(64.0625)
    # D: (10·(6.47/12) + 10·0.5 + 10·(1/3) + 15·1 + 5·(1/3)) / 50
    assert customers["D"]["score"] == approx(
        score_of((10, TENURE_D / 12), (10, 0.5), (10, 1 / 3), (15, 1), (5, 1 / 3))
    )
    # Below 30: only B (27.7); C (64.1) is no longer at risk. Healthy from 90: A (97.4) still upsells.
    assert [entry["customer_id"] for entry in values["at_risk"]] == ["B"]
    assert [entry["customer_id"] for entry in values["upsell"]] == ["A"]
    assert values["mrr_at_risk"] == 2000.0
    assert (values["at_risk_below"], values["healthy_from"]) == (30, 90)
    assert values["weights"]["mrr_change"] == 0 and values["weights"]["nps"] == 30


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            'format = "json"\n\n[health.thresholds]\ncsat = [0.5, 0.9]\nnps = [7, 7]\n',
            # the line of the [health.thresholds] table, the key named in the message
            "csm: error: csm.toml:3: health.thresholds: nps: bad and good must differ (got [7.0, 7.0])",
        ),
        (
            'format = "json"\n\n[health.weights]\ncsat = 3\nnps = -1\n',
            "csm: error: csm.toml:5: health.weights.nps: expected greater than or equal to 0",
        ),
        (
            "[health]\nat_risk_below = 80\nhealthy_from = 60\n",
            "csm: error: csm.toml:1: [health]: at_risk_below (80.0) must not be above healthy_from (60.0)",
        ),
        (
            "[health.weights]\n" + "".join(f"{name} = 0\n" for name in SIGNALS),
            "csm: error: csm.toml:1: [health]: at least one health signal needs a weight above 0",
        ),
    ],
    ids=["bad-equals-good", "negative-weight", "risk-above-healthy", "all-weights-zero"],
)
def test_a_bad_health_section_is_a_config_error(tmp_path: Path, toml: str, expected: str) -> None:
    (tmp_path / "csm.toml").write_text(toml, encoding="utf-8")
    stderr = failed(invoke(["health", *subscriptions_only(tmp_path)]), 4)
    assert one_line(stderr) == expected


def test_an_unknown_health_signal_in_csm_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text("[health.weights]\nfoo = 1\n", encoding="utf-8")
    stderr = failed(invoke(["health", *subscriptions_only(tmp_path)]), 4)
    line = one_line(stderr)
    assert line.startswith("csm: error: csm.toml:")
    assert "foo" in line
    assert "expected 'mrr_change', 'tenure_months', 'ticket_volume'" in line


def test_an_unknown_health_signal_is_reported_at_its_own_line(tmp_path: Path) -> None:
    toml = 'format = "json"\n\n[health]\nat_risk_below = 40\n\n[health.weights]\nnps = 10\nfoo = 1\n'
    (tmp_path / "csm.toml").write_text(toml, encoding="utf-8")
    line = one_line(failed(invoke(["health", *subscriptions_only(tmp_path)]), 4))
    assert line.startswith("csm: error: csm.toml:8: health.weights.foo: "), line
    assert "[key]" not in line


# --- health: CSV and table -----------------------------------------------------------------------


def test_health_csv_has_one_row_per_customer(tmp_path: Path) -> None:
    result = ok(invoke(["health", *write_health_files(tmp_path), "--format", "csv"]))
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0] == [
        "customer_id",
        "plan",
        "mrr",
        "score",
        "at_risk",
        "upsell",
        *[column for name in SIGNALS for column in (name, f"{name}_points")],
    ]
    # lowest score first: B 26.0, C 48.5, D 60.0, A 97.5
    assert [line[:3] + line[4:6] for line in lines[1:]] == [
        ["B", "Pro", "2000.00", "true", "false"],
        ["C", "Basic", "2100.00", "true", "false"],
        ["D", "Basic", "300.00", "false", "false"],
        ["A", "Pro", "1000.00", "false", "true"],
    ]
    expected = [SCORE_B, SCORE_C, SCORE_D, SCORE_A]
    assert [float(line[3]) for line in lines[1:]] == [approx(score) for score in expected]
    row_d = dict(zip(lines[0], lines[3], strict=True))
    assert (row_d["nps"], row_d["nps_points"], row_d["usage"], row_d["usage_points"]) == ("", "", "", "")
    assert (row_d["renewal_days"], row_d["unresolved_tickets"]) == ("30.0", "2.0")


def test_health_table_shows_the_summary_and_the_lists(tmp_path: Path) -> None:
    out = ok(invoke(["health", *write_health_files(tmp_path)])).stdout
    assert "csm health · as of 2024-06-15" in out
    summary = {
        "Customers scored": "4",
        # median of 26.0, 48.5, 60.0, 97.5 = (48.54 + 59.97) / 2 = 54.26
        "Median score": "54.3",
        "At risk (score below 50)": "2",
        "MRR at risk": "4,100.00",
        "Upsell candidates (usage ≥ 80%)": "1",
    }
    lines = [line.strip() for line in out.splitlines()]
    for label, value in summary.items():
        assert any(line.startswith(label) and line.endswith(value) for line in lines), (label, out)
    at_risk = out.index("At risk, largest MRR first")
    upsell = out.index("Upsell candidates, largest MRR first")
    risky = [line.split() for line in out[at_risk:upsell].splitlines()]
    assert ["C", "Basic", "2,100.00", "48.5", "mrr_change,", "nps,", "renewal_days"] in risky
    assert ["B", "Pro", "2,000.00", "26.0", "csat,", "usage,", "tenure_months"] in risky
    assert out.index("  C  ") < out.index("  B  ") < upsell
    assert ["A", "Pro", "1,000.00", "97.5", "90.0%"] in [line.split() for line in out[upsell:].splitlines()]
    assert "weights: mrr_change 20, tenure_months 10" in out
    assert "more at risk" not in out and "more candidates" not in out


def test_health_limit_hides_rows_with_a_line_saying_how_many(tmp_path: Path) -> None:
    out = ok(invoke(["health", *write_health_files(tmp_path), "--limit", "1"])).stdout
    risky = out[out.index("At risk, largest MRR first") : out.index("Upsell candidates, largest")]
    assert "2,100.00" in risky  # C, the larger MRR, is shown
    assert "2,000.00" not in risky  # B is hidden
    assert "… and 1 more at risk (--limit 0 shows all)" in out
    assert "more candidates" not in out  # one upsell candidate fits the limit
    assert "Customers scored" in out and "At risk (score below 50)" in out


# --- health: the demo ----------------------------------------------------------------------------


def demo_paying_customers(as_of: date) -> set[str]:
    """Customers with MRR > 0 at the end of ``as_of`` in the demo file; a row serves [started, ended)."""
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    with DEMO_SUBSCRIPTIONS.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            started = date.fromisoformat(row["started_at"])
            ended = date.fromisoformat(row["ended_at"]) if row["ended_at"] else None
            if started <= as_of and (ended is None or ended > as_of):
                mrr[row["customer_id"]] += Decimal(row["mrr"])
    return {customer for customer, amount in mrr.items() if amount > 0}


def test_health_demo_scores_every_paying_customer(tmp_path: Path) -> None:
    data = json.loads(ok(invoke(["health", "--demo", "--format", "json"])).stdout)
    assert data["as_of"] == "2026-01-01"  # the demo's as-of day
    customers = data["values"]["customers"]
    paying = demo_paying_customers(date(2026, 1, 1))
    assert len(customers) == len(paying)
    assert {entry["customer_id"] for entry in customers} == paying
    for entry in customers:
        assert 0 <= entry["score"] <= 100, entry
        points = [s["points"] for s in entry["signals"].values() if s["points"] is not None]
        assert sum(points) == approx(entry["score"]), entry
    scores = [entry["score"] for entry in customers]
    assert scores == sorted(scores)
    assert data["values"]["missing_inputs"] == []


# --- ltv -----------------------------------------------------------------------------------------


def test_ltv_seeds_example_needs_no_file() -> None:
    result = ok(
        invoke(
            [
                "ltv",
                "--arpa",
                "2777.78",
                "--monthly-churn",
                "0.027778",
                "--cac",
                "10000",
                "--gross-margin",
                "1",
                "--format",
                "json",
            ]
        )
    )
    data = json.loads(result.stdout)
    assert data["inputs"] == []
    values = data["values"]
    # CLV = 2777.78 × 1 ÷ 0.027778 = 99,999.28; payback = 10000 ÷ 2777.78 = 3.59999…
    assert abs(values["clv"] - 100_000) < 1
    assert abs(values["cac_payback_months"] - 3.6) < 0.01
    assert values["lifetime_months"] == approx(1 / 0.027778)  # 35.9997
    assert values["ltv_to_cac"] == approx(2777.78 / 0.027778 / 10000)
    assert (values["arpa"], values["monthly_churn"], values["cac"]) == (2777.78, 0.027778, 10000.0)
    assert (values["arpa_given"], values["monthly_churn_given"], values["cac_source"]) == (
        True,
        True,
        "given",
    )
    assert values["customers_end"] is None and values["monthly_churn_rates"] == {}


# Q1 2024, as of 2024-04-15 (every month over):
# January: at its start A, B, C, D (4); A churns → 1/4. E is new.
# February: B, C, D, E (4); nobody churns → 0. F is new.
# March: B, C, D, E, F (5); B churns → 1/5.
# Monthly churn = (0.25 + 0 + 0.2) / 3 = 0.15; lifetime = 1 / 0.15 = 6.667 months.
# At the close (end of 03-31): C 100 + D 200 + E 300 + F 400 = 1000 over 4 customers → ARPA 250.
# With margin 0.8: CLV = 250 × 0.8 ÷ 0.15 = 1333.33; CAC 500 → payback 500 ÷ 200 = 2.5 months;
# LTV:CAC = 1333.33 ÷ 500 = 2.667. New customers: E and F = 2.
QUARTER_SUBSCRIPTIONS = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at
a,A,Basic,50,2023-06-01,2024-01-15
b,B,Pro,150,2023-06-01,2024-03-10
c,C,Basic,100,2023-06-01,
d,D,Pro,200,2023-10-01,
e,E,Pro,300,2024-01-10,
f,F,Pro,400,2024-02-20,
"""

QUARTER = ["-p", "2024-Q1", "--as-of", "2024-04-15"]


def quarter(folder: Path) -> list[str]:
    (folder / "q.csv").write_text(QUARTER_SUBSCRIPTIONS, encoding="utf-8")
    return ["-s", str(folder / "q.csv"), *QUARTER]


def test_ltv_measured_over_a_quarter(tmp_path: Path) -> None:
    args = ["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--cac", "500", "--format", "json"]
    values = values_of(ok(invoke(args)))
    assert values["monthly_churn_rates"] == {"2024-01": 0.25, "2024-02": 0.0, "2024-03": 0.2}
    assert values["monthly_churn"] == approx(0.15)
    assert values["lifetime_months"] == approx(20 / 3)
    assert (values["arpa"], values["customers_end"], values["mrr_end"]) == (250.0, 4, 1000.0)
    assert values["clv"] == 1333.33  # 250 × 0.8 × 20/3, rounded to the cent
    assert values["cac"] == 500.0
    assert values["cac_payback_months"] == approx(2.5)
    assert values["ltv_to_cac"] == approx(8 / 3)  # (4000/3) ÷ 500
    assert values["gross_margin"] == 0.8
    assert values["new_customers"] == 2
    assert values["spend"] is None
    assert (values["arpa_given"], values["monthly_churn_given"], values["cac_source"]) == (
        False,
        False,
        "given",
    )


def test_ltv_by_plan(tmp_path: Path) -> None:
    args = ["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--cac", "500", "--by", "plan"]
    data = json.loads(ok(invoke([*args, "--format", "json"])).stdout)
    assert data["by"] == "plan"
    groups = {group["group"]: group["values"] for group in data["groups"]}
    assert [group["group"] for group in data["groups"]] == ["Pro", "Basic"]  # MRR at close 900, 100
    # Pro (B, D, E, F): Jan B, D → 0/2; Feb B, D, E → 0/3; Mar B, D, E, F → B churns, 1/4.
    # churn = 0.25 / 3 = 1/12, lifetime 12; ARPA = (200 + 300 + 400) / 3 = 300;
    # CLV = 300 × 0.8 × 12 = 2880; payback = 500 ÷ 240 = 2.083; LTV:CAC = 5.76.
    pro = groups["Pro"]
    assert pro["monthly_churn_rates"] == {"2024-01": 0.0, "2024-02": 0.0, "2024-03": 0.25}
    assert pro["monthly_churn"] == approx(1 / 12)
    assert pro["lifetime_months"] == approx(12.0)
    assert (pro["arpa"], pro["customers_end"], pro["new_customers"]) == (300.0, 3, 2)
    assert pro["clv"] == approx(2880.0)
    assert pro["cac_payback_months"] == approx(500 / 240)
    assert pro["ltv_to_cac"] == approx(5.76)
    # Basic (A, C): Jan A, C → A churns, 1/2; Feb C → 0; Mar C → 0. churn = 1/6, lifetime 6;
    # ARPA 100; CLV = 100 × 0.8 × 6 = 480; payback 500 ÷ 80 = 6.25; LTV:CAC 0.96.
    basic = groups["Basic"]
    assert basic["monthly_churn_rates"] == {"2024-01": 0.5, "2024-02": 0.0, "2024-03": 0.0}
    assert basic["monthly_churn"] == approx(1 / 6)
    assert (basic["arpa"], basic["customers_end"], basic["new_customers"]) == (100.0, 1, 0)
    assert basic["clv"] == approx(480.0)
    assert basic["cac_payback_months"] == approx(6.25)
    assert basic["ltv_to_cac"] == approx(0.96)
    assert data["values"]["clv"] == 1333.33  # the whole stays alongside


def test_ltv_cac_and_spend_together_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "spend.csv").write_text("date,amount\n2024-01-05,300\n", encoding="utf-8")
    args = ["ltv", *quarter(tmp_path), "--cac", "500", "--spend", str(tmp_path / "spend.csv")]
    assert one_line(failed(invoke(args), 2)) == "csm: error: give --cac or --spend, not both"


@pytest.mark.parametrize(("margin", "shown"), [("0", "0.0"), ("1.5", "1.5")])
def test_ltv_gross_margin_out_of_range_is_a_usage_error(tmp_path: Path, margin: str, shown: str) -> None:
    stderr = failed(invoke(["ltv", *quarter(tmp_path), "--gross-margin", margin]), 2)
    assert one_line(stderr) == f"csm: error: gross margin must be more than 0 and at most 1, not {shown}"


def test_ltv_section_of_csm_toml_is_used_and_flags_win(tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text("[ltv]\ngross_margin = 0.5\ncac = 250\n", encoding="utf-8")
    values = values_of(ok(invoke(["ltv", *quarter(tmp_path), "--format", "json"])))
    # margin 0.5: CLV = 250 × 0.5 ÷ 0.15 = 833.33; CAC 250 → payback 250 ÷ 125 = 2; LTV:CAC 3.333
    assert values["gross_margin"] == 0.5
    assert values["cac"] == 250.0 and values["cac_source"] == "given"
    assert values["clv"] == 833.33
    assert values["cac_payback_months"] == approx(2.0)
    assert values["ltv_to_cac"] == approx(10 / 3)
    args = ["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--cac", "500", "--format", "json"]
    values = values_of(ok(invoke(args)))
    assert (values["gross_margin"], values["cac"]) == (0.8, 500.0)
    assert values["clv"] == 1333.33
    assert values["cac_payback_months"] == approx(2.5)


def test_a_bad_ltv_section_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text("[ltv]\ncac = 10\ngross_margin = 1.5\n", encoding="utf-8")
    stderr = failed(invoke(["ltv", *quarter(tmp_path)]), 4)
    assert one_line(stderr) == "csm: error: csm.toml:3: ltv.gross_margin: expected less than or equal to 1"


def test_ltv_table_shows_months_and_times(tmp_path: Path) -> None:
    out = ok(invoke(["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--cac", "500"])).stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "Expected lifetime 6.7 months" in lines  # 20/3
    assert "CAC payback 2.5 months" in lines
    assert "LTV:CAC 2.7×" in lines  # 2.667
    assert "CLV 1,333.33" in lines
    assert "ARPA 250.00" in lines
    assert "Monthly churn 15.00%" in lines
    assert "ARPA measured: MRR at close 1,000.00 ÷ 4 customers" in lines
    assert "Monthly logo churn: 2024-01 25.00%, 2024-02 0.00%, 2024-03 20.00%" in lines


def test_ltv_csv_has_the_keys_as_header(tmp_path: Path) -> None:
    args = ["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--cac", "500", "--format", "csv"]
    lines = list(csv.reader(io.StringIO(ok(invoke(args)).stdout)))
    assert len(lines) == 2
    header = ["period", "period_start", "period_end", "as_of"]
    header += [
        "arpa",
        "monthly_churn",
        "lifetime_months",
        "clv",
        "cac",
        "cac_payback_months",
        "ltv_to_cac",
        "gross_margin",
        "customers_end",
        "mrr_end",
        "new_customers",
        "spend",
        "arpa_given",
        "monthly_churn_given",
        "cac_source",
    ]
    assert lines[0] == header  # monthly_churn_rates (a mapping) is left out of the one row
    row = dict(zip(lines[0], lines[1], strict=True))
    assert [row[key] for key in header[:4]] == ["2024-Q1", "2024-01-01", "2024-04-01", "2024-04-15"]
    assert Decimal(row["arpa"]) == 250
    assert float(row["monthly_churn"]) == approx(0.15)
    assert row["clv"] == "1333.33"
    assert float(row["cac_payback_months"]) == approx(2.5)
    assert (row["customers_end"], row["mrr_end"], row["new_customers"], row["spend"]) == (
        "4",
        "1000.00",
        "2",
        "",
    )
    assert (row["arpa_given"], row["cac_source"]) == ("false", "given")


# Spend (date, amount): 2023-12-31 is before the period and 2024-04-01 after it; 300 + 500 = 800 in
# Q1. CAC = 800 ÷ 2 new customers (E, F) = 400; payback = 400 ÷ (250 × 0.8) = 2 months;
# LTV:CAC = (4000/3) ÷ 400 = 10/3.
SPEND = "date,amount\n2023-12-31,1000\n2024-01-05,300\n2024-03-31,500\n2024-04-01,700\n"


def test_ltv_cac_from_a_spend_file(tmp_path: Path) -> None:
    (tmp_path / "spend.csv").write_text(SPEND, encoding="utf-8")
    args = ["ltv", *quarter(tmp_path), "--gross-margin", "0.8", "--spend", str(tmp_path / "spend.csv")]
    data = json.loads(ok(invoke([*args, "--format", "json"])).stdout)
    values = data["values"]
    assert (values["spend"], values["new_customers"], values["cac_source"]) == (800.0, 2, "spend")
    assert values["cac"] == approx(400.0)
    assert values["cac_payback_months"] == approx(2.0)
    assert values["ltv_to_cac"] == approx(10 / 3)
    assert [item["kind"] for item in data["inputs"]] == ["subscriptions", "spend"]


def test_ltv_spend_counts_only_up_to_as_of(tmp_path: Path) -> None:
    # As of 2024-03-15, Q1 is not over: spend 300 (2024-01-05; 03-31 is after as-of); new customers
    # E (January) and F (February) = 2 → CAC 150. ARPA at the end of 03-15: C, D, E, F = 1000 / 4.
    # Monthly churn from the ended months only: (1/4 + 0) / 2 = 0.125.
    (tmp_path / "spend.csv").write_text(SPEND, encoding="utf-8")
    (tmp_path / "q.csv").write_text(QUARTER_SUBSCRIPTIONS, encoding="utf-8")
    args = ["ltv", "-s", str(tmp_path / "q.csv"), "-p", "2024-Q1", "--as-of", "2024-03-15"]
    result = ok(invoke([*args, "--spend", str(tmp_path / "spend.csv"), "--format", "json"]), warns=True)
    values = values_of(result)
    assert (values["spend"], values["new_customers"], values["cac"]) == (300.0, 2, 150.0)
    assert values["monthly_churn"] == approx(0.125)
    assert values["cac_payback_months"] == approx(150 / 250)
    assert "csm: note: 2024-03 is not over at as-of: left out of the monthly churn" in result.stderr


# --- renewals: the health column -----------------------------------------------------------------


def test_renewals_demo_health_is_the_health_score() -> None:
    renewals = values_of(ok(invoke(["renewals", "--demo", "--within", "45", "--format", "json"]), warns=True))
    scores = {
        entry["customer_id"]: entry["score"]
        for entry in values_of(ok(invoke(["health", "--demo", "--format", "json"])))["customers"]
    }
    entries = renewals["renewals"] + renewals["past_due"]
    assert renewals["renewals"], "the demo has renewals within 45 days"
    for entry in entries:
        assert isinstance(entry["health"], float), entry
        assert 0 <= entry["health"] <= 100
        assert entry["health"] == scores[entry["customer_id"]]


def test_renewals_hand_case_health_column_in_every_format(tmp_path: Path) -> None:
    args = ["renewals", *write_health_files(tmp_path), "--within", "45"]
    values = values_of(ok(invoke([*args, "--format", "json"]), warns=True))
    # Expiring within 45 days of 2024-06-15: C (06-15, 0 days), D (07-15, 30), A (07-30, 45).
    assert [(e["customer_id"], e["days_left"]) for e in values["renewals"]] == [
        ("C", 0),
        ("D", 30),
        ("A", 45),
    ]
    health = {e["customer_id"]: e["health"] for e in values["renewals"]}
    assert health["C"] == approx(SCORE_C)
    assert health["D"] == approx(SCORE_D)
    assert health["A"] == 97.5
    lines = list(csv.reader(io.StringIO(ok(invoke([*args, "--format", "csv"]), warns=True).stdout)))
    assert lines[0][-1] == "health"
    assert [(line[1], line[-1]) for line in lines[1:]] == [
        ("C", lines[1][-1]),
        ("D", lines[2][-1]),
        ("A", "97.5"),
    ]
    assert float(lines[1][-1]) == approx(SCORE_C)
    table = ok(invoke(args), warns=True).stdout
    assert "Health" in table
    rows = [line.split() for line in table.splitlines()]
    assert ["C", "Basic", "2,100.00", "25,200.00", "2024-06-15", "0", "48.5"] in rows
    assert ["A", "Pro", "1,000.00", "12,000.00", "2024-07-30", "45", "97.5"] in rows


def test_renewals_with_only_subscriptions_notes_the_signals_left_out(tmp_path: Path) -> None:
    args = ["renewals", *subscriptions_only(tmp_path), "--within", "45", "--format", "json"]
    result = ok(invoke(args), warns=True)
    note = "health leaves out the signals of tickets, surveys, usage (no file given): see csm health --help"
    assert f"csm: note: {note}" in result.stderr.splitlines()
    data = json.loads(result.stdout)
    assert note in data["notes"]
    health = {e["customer_id"]: e["health"] for e in data["values"]["renewals"]}
    # The scores of csm health without tickets, surveys and usage (mrr_change, tenure, renewal):
    assert health["A"] == approx(score_of((20, 1), (10, 1), (5, 0.5)))
    assert health["C"] == approx(score_of((20, 0), (10, TENURE_C / 24), (5, 0)))


# --- one real process ----------------------------------------------------------------------------

CSM = Path(sys.executable).parent / "csm"


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_health_demo_json_as_a_process(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env.update({"NO_COLOR": "1", "TERM": "dumb"})
    result = subprocess.run(
        [str(CSM), "health", "--demo", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    data = json.loads(result.stdout)
    assert data["command"] == "health"
    assert len(data["values"]["customers"]) == len(demo_paying_customers(date(2026, 1, 1)))


def test_health_demo_with_a_subscriptions_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,C1,1,2024-01-01,\n"
    )
    line = one_line(failed(invoke(["health", "--demo", "-s", "s.csv"]), 2))
    assert line == "csm: error: --demo uses the built-in dataset: drop --subscriptions or --demo"


def test_ltv_by_with_spend_says_spend_is_not_split(tmp_path: Path) -> None:
    (tmp_path / "spend.csv").write_text("date,amount\n2025-03-01,900\n")
    result = ok(
        invoke(["ltv", "--demo", "-p", "2025", "--by", "plan", "--spend", "spend.csv", "-f", "json"]),
        warns=True,
    )
    data = as_json(result)
    assert all(values["cac"] is None for _, values in ((g["group"], g["values"]) for g in data["groups"]))
    assert any("spend" in note and note.startswith("plan ") for note in data["notes"]), data["notes"]
