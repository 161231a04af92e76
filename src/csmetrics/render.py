"""Showing a Report: a Rich table for people, JSON and CSV for programs (SPEC §5).

The only module that imports rich. Tables round for reading; JSON never rounds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from csmetrics import __version__
from csmetrics.report import CheckReport, CheckResult, Finding, InputInfo, Report, SeriesReport


class _Console(Console):
    """A console that lets the caller decide what a closed pipe means (csm exits 0 quietly)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def make_console(stream: TextIO | None = None, *, width: int = 120) -> Console:
    """A console for results: the terminal's width and colours on a TTY, else plain and ``width`` wide.

    ``NO_COLOR`` is honoured by rich itself.
    """
    console = _Console(file=stream, highlight=False)
    if stream is not None or not console.is_terminal:
        console = _Console(file=stream, highlight=False, width=width, no_color=stream is not None)
    return console


if TYPE_CHECKING:
    from csmetrics.io.columns import ColumnReport

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_RATIOS = {"quick_ratio"}
_MONEY_FLOATS = {"arpa"}


@dataclass(frozen=True)
class Line:
    """One row of a result table: the value's key, its label, and the definition for the footer."""

    key: str
    label: str
    definition: str = ""


_BRIDGE_LINES = [
    Line(
        "customers_start",
        "Customers at start",
        "paying customers (MRR > 0) at the end of the day before the period",
    ),
    Line("customers_end", "Customers at end"),
    Line("new_customers", "New customers"),
    Line(
        "reactivated_customers",
        "Reactivated customers",
        "paid before the period, 0 at its start, paying at its end",
    ),
    Line("churned_customers", "Churned customers", "paying at the start, 0 MRR at the end"),
    Line("expanded_customers", "Expanded customers"),
    Line("contracted_customers", "Contracted customers"),
    Line("mrr_start", "MRR at start"),
    Line("new_mrr", "New MRR"),
    Line("reactivation_mrr", "Reactivation MRR"),
    Line("expansion_mrr", "Expansion MRR"),
    Line("contraction_mrr", "Contraction MRR"),
    Line("churned_mrr", "Churned MRR"),
    Line("net_new_mrr", "Net new MRR", "new + reactivation + expansion − contraction − churned"),
    Line("mrr_end", "MRR at end"),
    Line("logo_churn_rate", "Logo churn rate"),
    Line("revenue_churn_rate", "Revenue churn rate"),
    Line("gross_mrr_churn_rate", "Gross MRR churn rate"),
    Line("net_mrr_churn_rate", "Net MRR churn rate"),
    Line("nrr", "NRR"),
    Line("grr", "GRR"),
    Line("expansion_rate", "Expansion rate"),
    Line("expansion_share_of_new_mrr", "Expansion share of new MRR"),
    Line("quick_ratio", "Quick ratio", "(new + reactivation + expansion) ÷ (churned + contraction)"),
    Line("arpa", "ARPA", "MRR at end ÷ customers at end"),
]
_BY_KEY = {line.key: line for line in _BRIDGE_LINES}

_DEFINITIONS = {
    "logo_churn_rate": "logo churn = churned customers ÷ customers at start",
    "revenue_churn_rate": "revenue churn = churned MRR ÷ MRR at start",
    "gross_mrr_churn_rate": "gross MRR churn = (churned + contraction) ÷ MRR at start",
    "net_mrr_churn_rate": "net MRR churn = (churned + contraction − expansion) ÷ MRR at start",
    "nrr": "NRR = (MRR at start + expansion − contraction − churned) ÷ MRR at start",
    "grr": "GRR = (MRR at start − contraction − churned) ÷ MRR at start",
    "expansion_rate": "expansion rate = expansion MRR ÷ MRR at start",
    "expansion_share_of_new_mrr": "expansion share = expansion ÷ (new + reactivation + expansion)",
}

LAYOUTS: dict[str, list[str]] = {
    "churn": [
        "customers_start",
        "customers_end",
        "churned_customers",
        "logo_churn_rate",
        "mrr_start",
        "churned_mrr",
        "contraction_mrr",
        "expansion_mrr",
        "revenue_churn_rate",
        "gross_mrr_churn_rate",
        "net_mrr_churn_rate",
    ],
    "nrr": [
        "mrr_start",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "nrr",
        "grr",
    ],
    "expansion": [
        "mrr_start",
        "expansion_mrr",
        "expanded_customers",
        "expansion_rate",
        "new_mrr",
        "reactivation_mrr",
        "expansion_share_of_new_mrr",
    ],
    "mrr": [line.key for line in _BRIDGE_LINES],
}

_COLUMN_LABELS = {
    "customer_id": "Customer",
    "mrr": "MRR lost",
    "plan": "Plan",
    "churned_on": "Churned on",
    "tenure_days": "Tenure",
    "cancel_reason": "Cancel reason",
    "mrr_start": "MRR at start",
    "mrr_end": "MRR at end",
    "expansion": "Expansion",
    "plan_start": "Plan at start",
    "plan_end": "Plan at end",
    "movement": "Movement",
    "amount": "MRR",
    "points": "Points",
}


def _json_value(value: object) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def report_json(report: Report) -> dict[str, Any]:
    """The SPEC §5 object of a one-period command."""
    out: dict[str, Any] = {
        "command": report.command,
        "csm_version": __version__,
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "as_of": report.as_of.isoformat(),
        "inputs": [{"kind": i.kind, "path": i.path, "rows": i.rows} for i in report.inputs],
        "values": _json_value(report.values),
    }
    if report.currency is not None:
        out["currency"] = report.currency
    if report.groups is not None:
        out["by"] = report.group_by
        out["groups"] = [{"group": name, "values": _json_value(values)} for name, values in report.groups]
    if report.listing is not None:
        out[report.listing.key] = _json_value(report.listing.rows)
    if report.notes:
        out["notes"] = list(report.notes)
    return out


def to_json(report: Report) -> str:
    """One JSON object, newline-terminated; NaN and Infinity never appear."""
    return json.dumps(report_json(report), ensure_ascii=False, allow_nan=False) + "\n"


def _csv_cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is escaped with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return str(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(report: Report) -> str:
    """One header and rows: the listing's rows, the groups, or one row of values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if report.listing is not None:
        writer.writerow([_csv_cell(column) for column in report.listing.columns])
        for row in report.listing.rows:
            writer.writerow([_csv_cell(row.get(column)) for column in report.listing.columns])
        return buffer.getvalue()
    head = ["period", "period_start", "period_end", "as_of"]
    stamp = [report.period.label, report.period.start, report.period.end, report.as_of]
    keys = [key for key, value in report.values.items() if not isinstance(value, dict | list)]
    if report.groups is not None:
        writer.writerow([_csv_cell(cell) for cell in [*head, report.group_by or "group", *keys]])
        for name, values in report.groups:
            writer.writerow([_csv_cell(cell) for cell in [*stamp, name, *[values.get(k) for k in keys]]])
        return buffer.getvalue()
    writer.writerow([*head, *keys])
    writer.writerow([_csv_cell(cell) for cell in [*stamp, *[report.values[k] for k in keys]]])
    return buffer.getvalue()


def format_money(value: object, currency: str | None = None) -> str:
    """Money with thousands separators and cents: 12,345.50 PLN."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def format_percent(value: object, places: int = 1) -> str:
    """A fraction as a percentage for reading: 0.0354 → 3.5%."""
    if value is None:
        return "—"
    return f"{100 * float(str(value)):.{places}f}%"


def format_value(key: str, value: object, currency: str | None) -> str:
    """A value as a person reads it, by what it holds."""
    if value is None:
        return "—"
    if key in _RATIOS:
        return f"{float(str(value)):.2f}×"
    if isinstance(value, Decimal) or key in _MONEY_FLOATS:
        return format_money(value, currency)
    if isinstance(value, float):
        return format_percent(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _period_title(report: Report) -> str:
    period = report.period
    last = period.last_day.isoformat()
    text = f"csm {report.command} · {period.label} ({period.start.isoformat()} – {last})"
    return f"{text}, as of {report.as_of.isoformat()}"


def _footer(report: Report, keys: list[str]) -> str:
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    definitions = [_DEFINITIONS[key] for key in keys if key in _DEFINITIONS]
    definitions += [
        f"{_BY_KEY[key].label}: {_BY_KEY[key].definition}"
        for key in keys
        if key in _BY_KEY and _BY_KEY[key].definition
    ]
    return "\n".join([f"Inputs: {inputs}", *definitions])


def render_table(report: Report, console: Console) -> None:
    """The result as a Rich table with its period, inputs and definitions."""
    if report.command == "support":
        render_support(report, console)
        return
    if report.command == "nps":
        render_nps(report, console)
        return
    special = {
        "onboarding": render_onboarding,
        "renewals": render_renewals,
        "requests": render_requests,
        "ltv": render_ltv,
    }
    if report.command in special:
        special[report.command](report, console)
        return
    keys = [key for key in LAYOUTS.get(report.command, list(report.values)) if key in report.values]
    if report.groups is not None:
        _render_groups(report, keys, console)
    else:
        console.print(Text(_period_title(report), style="bold"))
        table = Table(box=box.SIMPLE_HEAVY, show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key in keys:
            table.add_row(
                _BY_KEY[key].label if key in _BY_KEY else key,
                format_value(key, report.values[key], report.currency),
            )
        console.print(table)
    explanation = nrr_sentence(report.values) if report.command == "nrr" else None
    if explanation:
        console.print(explanation)
    if report.listing is not None:
        _render_listing(report, console)
    console.print(Text(_footer(report, keys), style="dim"))


_GROUP_COLUMNS = [
    ("customers_start", "Start"),
    ("customers_end", "End"),
    ("mrr_start", "MRR start"),
    ("new_mrr", "New"),
    ("reactivation_mrr", "React."),
    ("expansion_mrr", "Exp."),
    ("contraction_mrr", "Contr."),
    ("churned_mrr", "Churned"),
    ("mrr_end", "MRR end"),
    ("nrr", "NRR"),
    ("logo_churn_rate", "Churn"),
]


def _render_groups(report: Report, keys: list[str], console: Console) -> None:
    """One row per group and a total row; JSON and CSV carry every key."""
    console.print(Text(_period_title(report), style="bold"))
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column(report.group_by or "group", no_wrap=True)
    shown = [(key, label) for key, label in _GROUP_COLUMNS if key in report.values]
    for _, label in shown:
        table.add_column(label, justify="right", no_wrap=True)
    for name, values in [*(report.groups or []), ("Total", report.values)]:
        table.add_row(name, *[_group_cell(key, values.get(key)) for key, _ in shown])
    console.print(table)


def _group_cell(key: str, value: object) -> str:
    """Group tables show whole currency units so a dozen columns fit a terminal."""
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"
    return format_value(key, value, None)


def _render_listing(report: Report, console: Console) -> None:
    listing = report.listing
    assert listing is not None
    table = Table(
        box=box.SIMPLE,
        title=f"{listing.title} ({len(listing.rows)})" if listing.key.endswith("_list") else listing.title,
        title_justify="left",
    )
    for column in listing.columns:
        numeric = column in {"mrr", "amount", "mrr_start", "mrr_end", "expansion", "tenure_days", "points"}
        table.add_column(_COLUMN_LABELS.get(column, column), justify="right" if numeric else "left")
    rows = _rounded_points(listing.rows) if listing.key == "nrr_explained" else listing.rows
    for row in rows:
        table.add_row(
            *[_listing_cell(column, row.get(column), report.currency) for column in listing.columns]
        )
    console.print(table)


def _rounded_points(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Points of NRR rounded to 0.1 so that the movements add up to the NRR shown below them."""
    values = [row.get("points") for row in rows]
    if any(value is None for value in values):
        return rows
    parts = [float(str(value)) for value in values[1:-1]]
    total, shown = parts_that_add_up(Decimal(f"{float(str(values[-1])):.1f}") - 100, parts)
    rounded = ["100.0", *(f"{part:+}" for part in shown), f"{100 + total}"]
    return [{**row, "points": value} for row, value in zip(rows, rounded, strict=True)]


def _listing_cell(column: str, value: object, currency: str | None) -> str:
    if value is None:
        return "—"
    if column == "points" and not isinstance(value, str):
        return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):+}"
    if column == "tenure_days":
        return f"{int(str(value)) / 30.4375:.1f} mo"
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parts_that_add_up(
    total: float | Decimal, parts: list[float], places: int = 1
) -> tuple[Decimal, list[Decimal]]:
    """Round a total and its signed parts so the shown parts add up to the shown total.

    The total is rounded as every table rounds a float (``f"{x:.1f}"``), or taken as given when it
    is a Decimal; the rounding error goes to the parts whose rounding was the least exact (largest
    remainder method), never to the total.
    """
    step = Decimal(1).scaleb(-places)
    shown_total = total.quantize(step) if isinstance(total, Decimal) else Decimal(f"{total:.{places}f}")
    exact = [Decimal(repr(part)) for part in parts]
    shown = [part.quantize(step, rounding=ROUND_HALF_EVEN) for part in exact]
    gap = shown_total - sum(shown, Decimal(0))
    while gap != 0:
        residuals = [exact[i] - shown[i] for i in range(len(shown))]
        if gap > 0:
            index = max(range(len(shown)), key=lambda i: residuals[i])
            shown[index] += step
            gap -= step
        else:
            index = min(range(len(shown)), key=lambda i: residuals[i])
            shown[index] -= step
            gap += step
    return shown_total, shown


def _shown_nrr(nrr: float) -> Decimal:
    """NRR in percent exactly as the tables show it (one decimal)."""
    return Decimal(format_percent(nrr).removesuffix("%"))


def nrr_sentence(values: dict[str, object]) -> str | None:
    """NRR in points of opening MRR, rounded so the parts add up: 90% = 100 − 10 − 10 + 10."""
    start = values.get("mrr_start")
    nrr = values.get("nrr")
    if not isinstance(start, Decimal) or start == 0 or not isinstance(nrr, float):
        return None

    def points(key: str) -> float:
        return float(100 * Decimal(str(values.get(key) or 0)) / start)

    gap, (churn, contraction, expansion) = parts_that_add_up(
        _shown_nrr(nrr) - 100,
        [-points("churned_mrr"), -points("contraction_mrr"), points("expansion_mrr")],
    )
    where = "above" if gap > 0 else "below"
    tail = f"{abs(gap)} points {where} 100%" if gap else "exactly 100%"
    return (
        f"NRR {100 + gap}% = 100 − {-churn} churn − {-contraction} contraction"
        f" + {expansion} expansion (points of MRR at start): {tail}"
    )


def format_duration(seconds: object) -> str:
    """Seconds as a person reads them: 45 s, 12 m, 1 h 12 m, 2 d 3 h."""
    if seconds is None:
        return "—"
    total = round(float(str(seconds)))
    if total < 60:
        return f"{total} s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


_SUPPORT_LINES = [
    ("tickets", "Tickets"),
    ("solved_tickets", "Solved"),
    ("unanswered_tickets", "Unanswered"),
    ("resolution_rate", "Resolution rate"),
    ("replies_per_solved_ticket", "Replies per solved ticket"),
    ("one_touch_rate", "One-touch rate"),
    ("first_response_seconds_median", "First response, median"),
    ("first_response_seconds_mean", "First response, mean"),
    ("first_response_seconds_p90", "First response, 90th percentile"),
    ("resolution_seconds_median", "Resolution, median"),
    ("resolution_seconds_mean", "Resolution, mean"),
    ("resolution_seconds_p90", "Resolution, 90th percentile"),
    ("csat_responses", "CSAT responses"),
    ("csat_score", "CSAT (share of 4–5)"),
    ("csat_average", "CSAT average"),
]

_SUPPORT_GROUP_COLUMNS = [
    ("tickets", "Tickets"),
    ("solved_tickets", "Solved"),
    ("resolution_rate", "Resolved"),
    ("unanswered_tickets", "Unanswered"),
    ("first_response_seconds_median", "First response"),
    ("resolution_seconds_median", "Resolution"),
    ("csat_score", "CSAT"),
]

_SHADES = " ·░▒▓█"


def _support_cell(key: str, value: object) -> str:
    if value is None:
        return "—"
    if "_seconds_" in key:
        return format_duration(value)
    if key == "replies_per_solved_ticket":
        return f"{float(str(value)):.2f}"
    if key == "csat_average":
        return f"{float(str(value)):.2f} / 5"
    return format_value(key, value, None)


def _support_footer(report: Report) -> str:
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    clock = report.values.get("clock", "calendar")
    return "\n".join(
        [
            f"Inputs: {inputs}",
            f"Durations in {clock} time from creation; medians and 90th percentiles over answered"
            " (or solved) tickets; unanswered tickets are left out of response times.",
            "Resolution rate = solved ÷ tickets; one-touch = solved with exactly one reply ÷ solved;"
            " CSAT = share of ratings 4–5 among rated tickets.",
        ]
    )


def _peaks(values: dict[str, object]) -> str | None:
    by_hour = values.get("by_hour")
    by_weekday = values.get("by_weekday")
    if not isinstance(by_hour, dict) or not isinstance(by_weekday, dict) or not any(by_hour.values()):
        return None
    hour = max(by_hour, key=lambda key: (by_hour[key], -int(key)))
    day = max(by_weekday, key=lambda key: by_weekday[key])
    return (
        f"Busiest hour: {int(hour):02d}:00–{(int(hour) + 1) % 24:02d}:00 ({by_hour[hour]:,} tickets);"
        f" busiest weekday: {day} ({by_weekday[day]:,})"
    )


def _channel_mix(values: dict[str, object]) -> str | None:
    by_channel = values.get("by_channel")
    total = values.get("tickets")
    if not isinstance(by_channel, dict) or not isinstance(total, int) or total == 0:
        return None
    ranked = sorted(by_channel.items(), key=lambda item: (-item[1], item[0]))
    return "Channels: " + " · ".join(f"{name} {100 * count / total:.0f}%" for name, count in ranked)


def _heatmap_lines(matrix: tuple[tuple[int, ...], ...]) -> list[str]:
    """A weekday × hour map in shade characters, darkest at the busiest hour."""
    peak = max((count for row in matrix for count in row), default=0)
    if peak == 0:
        return []
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    scale = len(_SHADES) - 1
    header = "".join(f"{hour:<6d}" for hour in range(0, 24, 6))
    lines = [f"      {header}"]
    for name, row in zip(names, matrix, strict=True):
        cells = "".join(_SHADES[0 if not count else max(1, round(scale * count / peak))] for count in row)
        lines.append(f"  {name} {cells}")
    return lines


def render_support(report: Report, console: Console) -> None:
    """Support KPIs: durations as people read them, peaks, channel mix and a weekday × hour map."""
    console.print(Text(_period_title(report), style="bold"))
    if report.groups is not None:
        table = Table(box=box.SIMPLE_HEAVY)
        table.add_column(report.group_by or "group", no_wrap=True)
        for _, label in _SUPPORT_GROUP_COLUMNS:
            table.add_column(label, justify="right", no_wrap=True)
        for name, values in [*report.groups, ("Total", report.values)]:
            table.add_row(name, *[_support_cell(key, values.get(key)) for key, _ in _SUPPORT_GROUP_COLUMNS])
        console.print(table)
        console.print(Text(_support_footer(report), style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAVY, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in _SUPPORT_LINES:
        table.add_row(label, _support_cell(key, report.values.get(key)))
    console.print(table)
    for line in (_peaks(report.values), _channel_mix(report.values)):
        if line:
            console.print(line)
    if report.heatmap is not None and (lines := _heatmap_lines(report.heatmap)):
        console.print(Text("\nTickets by weekday and hour of creation", style="bold"))
        console.print(Text("\n".join(lines)))
    _render_agents(report, console)
    console.print(Text(_support_footer(report), style="dim"))


def _render_agents(report: Report, console: Console) -> None:
    agents = report.values.get("by_agent")
    if not isinstance(agents, dict) or not agents:
        return
    table = Table(box=box.SIMPLE, title="By agent", title_justify="left")
    for label in ("Agent", "Tickets", "Solved", "CSAT responses", "CSAT", "First response, median"):
        table.add_column(label, justify="left" if label == "Agent" else "right")
    for agent, line in sorted(agents.items(), key=lambda item: (-item[1]["tickets"], item[0])):
        table.add_row(
            agent,
            f"{line['tickets']:,}",
            f"{line['solved']:,}",
            f"{line['csat_responses']:,}",
            format_percent(line["csat_score"]),
            format_duration(line["first_response_seconds_median"]),
        )
    console.print(table)


NPS_BENCHMARK = "For comparison: B2B software averages an NPS of about 10–15; the best companies reach 50–80."


def format_nps(values: dict[str, object]) -> str:
    """NPS with its 95% margin as people quote it: 24 ± 6."""
    nps, margin = values.get("nps"), values.get("margin_of_error_95")
    if nps is None:
        return "—"
    score = f"{float(str(nps)):+.0f}"
    return f"{score} ± {float(str(margin)):.0f}" if margin is not None else score


def _share(values: dict[str, object], key: str) -> str:
    count, total = values.get(key), values.get("responses")
    if not isinstance(count, int) or not isinstance(total, int) or total == 0:
        return f"{count}"
    return f"{count:,} ({100 * count / total:.0f}%)"


def render_nps(report: Report, console: Console) -> None:
    """NPS with its interval, the three groups, and the benchmark in the footer."""
    console.print(Text(_period_title(report), style="bold"))
    if report.groups is not None:
        table = Table(box=box.SIMPLE_HEAVY)
        table.add_column(report.group_by or "group", no_wrap=True)
        for label in ("Responses", "NPS (95%)", "Promoters", "Passives", "Detractors"):
            table.add_column(label, justify="right", no_wrap=True)
        for name, values in [*report.groups, ("Total", report.values)]:
            table.add_row(
                name,
                f"{values.get('responses', 0):,}",
                format_nps(values),
                _share(values, "promoters"),
                _share(values, "passives"),
                _share(values, "detractors"),
            )
        console.print(table)
    else:
        table = Table(box=box.SIMPLE_HEAVY, show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_row("Responses", f"{report.values.get('responses', 0):,}")
        table.add_row("Promoters (9–10)", _share(report.values, "promoters"))
        table.add_row("Passives (7–8)", _share(report.values, "passives"))
        table.add_row("Detractors (0–6)", _share(report.values, "detractors"))
        table.add_row("NPS (95% interval)", format_nps(report.values))
        console.print(table)
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    footer = [
        f"Inputs: {inputs}",
        "NPS = 100 × (promoters − detractors) ÷ responses; ± is the Wald 95% margin of error.",
        NPS_BENCHMARK,
    ]
    console.print(Text("\n".join(footer), style="dim"))


def format_metric(metric: str, value: object) -> str:
    """A metric value for a check or a list, by what the metric holds."""
    if value is None:
        return "—"
    if "_seconds_" in metric:
        return format_duration(value)
    if metric in {"nps", "margin_of_error_95"}:
        return f"{float(str(value)):.1f}"
    if metric in {"replies_per_solved_ticket", "csat_average"}:
        return f"{float(str(value)):.2f}"
    return format_value(metric, value, None)


def _period_json(result: CheckResult) -> dict[str, str]:
    period = result.period
    return {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()}


def checks_json(report: CheckReport) -> str:
    """The checks as one JSON object: each check, its value and outcome, and the counts."""
    out = {
        "command": "check",
        "csm_version": __version__,
        "as_of": report.as_of.isoformat(),
        "inputs": [{"kind": i.kind, "path": i.path, "rows": i.rows} for i in report.inputs],
        "checks": [
            {
                "name": result.name,
                "metric": result.metric,
                "period": _period_json(result),
                "value": _json_value(result.value),
                "warn": result.warn,
                "fail": result.fail,
                "outcome": result.outcome,
                "message": result.message,
            }
            for result in report.results
        ],
        "passed": report.count("pass"),
        "warned": report.count("warn"),
        "failed": report.count("fail"),
    }
    return json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n"


_OUTCOME_STYLE = {"pass": ("✓ pass", "green"), "warn": ("! warn", "yellow"), "fail": ("✗ fail", "bold red")}


def render_checks(report: CheckReport, console: Console) -> None:
    """One row per check: metric, period, value, thresholds and outcome; counts below."""
    console.print(Text(f"csm check, as of {report.as_of.isoformat()}", style="bold"))
    table = Table(box=box.SIMPLE_HEAVY)
    for label in ("Check", "Period", "Value", "Warn if", "Fail if", "Outcome"):
        table.add_column(label, justify="right" if label == "Value" else "left")
    for result in report.results:
        text, style = _OUTCOME_STYLE[result.outcome]
        table.add_row(
            result.name,
            result.period.label,
            format_metric(result.metric, result.value),
            result.warn or "",
            result.fail or "",
            Text(text, style=style),
        )
    console.print(table)
    counts = f"{report.count('pass')} passed, {report.count('warn')} warned, {report.count('fail')} failed"
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    console.print(Text(f"{counts}\nInputs: {inputs}", style="dim"))


def _check_line(result: CheckResult) -> str:
    shown = format_metric(result.metric, result.value)
    limits = ", ".join(
        f"{key} if {value}" for key, value in (("warn", result.warn), ("fail", result.fail)) if value
    )
    note = f": {result.message}" if result.message else ""
    return f"{result.metric} for {result.period.label} is {shown} ({limits}){note}"


def checks_junit(report: CheckReport, warn_as_error: bool) -> str:
    """JUnit XML that CI systems show: one testcase per check, failures for failed checks."""
    from xml.etree import ElementTree as ET

    failing = {"fail", "warn"} if warn_as_error else {"fail"}
    failures = sum(1 for result in report.results if result.outcome in failing)
    suites = ET.Element("testsuites", name="csm", tests=str(len(report.results)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="csm check",
        tests=str(len(report.results)),
        failures=str(failures),
        errors="0",
        skipped="0",
        timestamp=report.as_of.isoformat(),
    )
    for result in report.results:
        case = ET.SubElement(
            suite, "testcase", classname="csm.check", name=f"{result.name} [{result.period.label}]"
        )
        if result.outcome in failing:
            failure = ET.SubElement(case, "failure", message=_check_line(result), type=result.outcome)
            failure.text = _check_line(result)
        elif result.outcome == "warn":
            ET.SubElement(case, "system-out").text = "warning: " + _check_line(result)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def checks_github(report: CheckReport, warn_as_error: bool) -> str:
    """GitHub Actions workflow commands: ::error for failed checks, ::warning for warned ones."""
    lines = []
    for result in report.results:
        if result.outcome == "pass":
            continue
        level = "error" if result.outcome == "fail" or warn_as_error else "warning"
        title = _github_escape(f"csm check: {result.name}").replace(":", "%3A").replace(",", "%2C")
        lines.append(f"::{level} title={title}::{_github_escape(_check_line(result))}")
    counts = f"{report.count('pass')} passed, {report.count('warn')} warned, {report.count('fail')} failed"
    lines.append(f"csm check: {counts}")
    return "\n".join(lines) + "\n"


def validation_json(findings: list[Finding], errors: int, warnings: int) -> str:
    """``{"problems": [...], "errors": N, "warnings": N}`` with 1-based integer lines."""
    problems = [
        {
            "file": item.file,
            "line": item.line,
            "column": item.column,
            "value": item.value,
            "kind": item.kind,
            "severity": item.severity,
            "message": item.message,
        }
        for item in findings
    ]
    out = {"problems": problems, "errors": errors, "warnings": warnings}
    return json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n"


_SHOWN_PER_KIND = 10


def render_validation(
    findings: list[Finding], errors: int, warnings: int, inputs: list[InputInfo], console: Console
) -> None:
    """Problems grouped by file and kind, each with its line, column and value."""
    checked = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in inputs) or "nothing readable"
    if not findings:
        console.print(Text(f"No problems found in {checked}.", style="green"))
        return
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for item in findings:
        groups.setdefault((item.file, item.severity, item.kind), []).append(item)
    for (file, severity, kind), items in groups.items():
        style = "bold red" if severity == "error" else "yellow"
        console.print(Text(f"{file}: {kind.replace('_', ' ')} ({severity})", style=style))
        for item in items[:_SHOWN_PER_KIND]:
            where = f"line {item.line}" if item.line is not None else "file"
            column = f" column '{item.column}'" if item.column else ""
            value = f" '{item.value}'" if item.value is not None else ""
            console.print(Text(f"  {where}:{column}{value} {item.message}"))
        if len(items) > _SHOWN_PER_KIND:
            console.print(
                Text(f"  … and {len(items) - _SHOWN_PER_KIND} more listed (--format json shows them)")
            )
    shown = len(findings)
    total = errors + warnings
    tail = f" (showing {shown} of {total}; raise --max-errors to see more)" if shown < total else ""
    console.print(Text(f"{errors} errors, {warnings} warnings{tail}\nChecked: {checked}", style="dim"))


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """A one-line chart of a series; a missing value is a space."""
    known = [value for value in values if value is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    cells = []
    for value in values:
        if value is None:
            cells.append(" ")
        else:
            index = 0 if span == 0 else round((value - low) / span * (len(_SPARKS) - 1))
            cells.append(_SPARKS[index])
    return "".join(cells)


def _series_number(value: object) -> float | None:
    return None if value is None else float(str(value))


def series_json(report: SeriesReport) -> str:
    """SPEC §5's multi-period object: ``periods`` entries as the one-period command gives them."""
    out: dict[str, Any] = {
        "command": report.command,
        "csm_version": __version__,
        "as_of": report.as_of.isoformat(),
        "inputs": [{"kind": i.kind, "path": i.path, "rows": i.rows} for i in report.inputs],
        "metrics": list(report.metrics),
        "periods": [
            {
                "period": {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()},
                "values": _json_value(values),
            }
            for p, values in report.periods
        ],
        "slope": {metric: _json_value(slope) for metric, slope in report.slopes.items()},
    }
    if report.target is not None:
        out["target"] = report.target
    if report.currency is not None:
        out["currency"] = report.currency
    return json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n"


def series_csv(report: SeriesReport) -> str:
    """One row per period with the chosen metrics (and the gap to --target)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    goal = report.metrics[0]
    gaps = [f"{goal}_gap"] if report.target is not None else []
    writer.writerow(["period", "period_start", "period_end", *report.metrics, *gaps])
    for period, values in report.periods:
        cells: list[object] = [period.label, period.start, period.end]
        cells += [values.get(metric) for metric in report.metrics]
        if report.target is not None:
            cells.append(_gap(values.get(goal), report.target))
        writer.writerow([_csv_cell(cell) for cell in cells])
    return buffer.getvalue()


def _gap(value: object, target: float) -> float | None:
    number = _series_number(value)
    return None if number is None else number - target


def render_series(report: SeriesReport, console: Console) -> None:
    """One row per period, a sparkline and the least-squares direction per metric."""
    first, last = report.periods[0][0], report.periods[-1][0]
    console.print(
        Text(
            f"csm {report.command} · {first.label} … {last.label}, as of {report.as_of.isoformat()}",
            style="bold",
        )
    )
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column("Period", no_wrap=True)
    goal = report.metrics[0] if report.target is not None else None
    for metric in report.metrics:
        table.add_column(
            _BY_KEY[metric].label if metric in _BY_KEY else metric, justify="right", no_wrap=True
        )
        if metric == goal:
            table.add_column("gap to target", justify="right", no_wrap=True)
    explain = "nrr" in report.metrics
    if explain:
        table.add_column("NRR = 100 − churn − contr. + exp.", justify="right", no_wrap=True)
    for period, values in report.periods:
        cells = [period.label]
        for metric in report.metrics:
            cells.append(format_metric(metric, values.get(metric)))
            if metric == goal and report.target is not None:
                cells.append(_format_gap(metric, values.get(metric), report.target))
        if explain:
            cells.append(_compact_nrr(values))
        table.add_row(*cells)
    spark_row = ["trend"]
    slope_row = ["slope / period"]
    for metric in report.metrics:
        spark_row.append(sparkline([_series_number(values.get(metric)) for _, values in report.periods]))
        slope_row.append(_format_slope(metric, report.slopes.get(metric)))
        if metric == goal:
            spark_row.append("")
            slope_row.append("")
    if explain:
        spark_row.append("")
        slope_row.append("")
    table.add_section()
    table.add_row(*spark_row)
    table.add_row(*slope_row)
    console.print(table)
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    notes = [f"Inputs: {inputs}", "Each period is computed by the same rules as the one-period command."]
    if report.target is not None:
        notes.append(f"Target: {format_metric(report.metrics[0], report.target)}; gap = value − target.")
    console.print(Text("\n".join(notes), style="dim"))


def _format_gap(metric: str, value: object, target: float) -> str:
    gap = _gap(value, target)
    if gap is None:
        return "—"
    if isinstance(value, float) and metric not in _RATIOS and "_seconds_" not in metric and metric != "nps":
        return f"{100 * gap:+.1f} pt"
    return f"{gap:+,.2f}"


def _format_slope(metric: str, slope: float | None) -> str:
    if slope is None:
        return "—"
    if metric in _MONEY_FLOATS or metric.endswith("_mrr") or metric.startswith("mrr_"):
        return f"{slope:+,.2f}"
    if "_seconds_" in metric:
        return ("+" if slope >= 0 else "−") + format_duration(abs(slope))
    if metric.endswith("_rate") or metric in {
        "nrr",
        "grr",
        "csat_score",
        "one_touch_rate",
        "resolution_rate",
    }:
        return f"{100 * slope:+.2f} pt"
    return f"{slope:+.2f}"


def _compact_nrr(values: dict[str, object]) -> str:
    nrr = values.get("nrr")
    parts = [
        values.get(key) for key in ("nrr_churn_points", "nrr_contraction_points", "nrr_expansion_points")
    ]
    if nrr is None or any(part is None for part in parts):
        return "—"
    churn, contraction, expansion = (float(str(part)) for part in parts)
    gap, (c, k, e) = parts_that_add_up(_shown_nrr(float(str(nrr))) - 100, [-churn, -contraction, expansion])
    return f"{100 + gap}% = 100 {c:+} {k:+} {e:+}".replace("-", "−")


def render_reasons(report: Report, top: int, console: Console) -> None:
    """Churned customers and MRR by reason: the top reasons, the rest, and those without one."""
    console.print(Text(_period_title(report), style="bold"))
    sections = [("All customers", report.values)] if report.groups is None else report.groups
    for name, values in sections:
        table = Table(
            box=box.SIMPLE_HEAVY,
            title=None if report.groups is None else f"{report.group_by}: {name}",
            title_justify="left",
        )
        for label in ("Reason", "Customers", "Share", "Churned MRR", "MRR share"):
            table.add_column(label, justify="left" if label == "Reason" else "right", no_wrap=True)
        for reason, entry in _top_reasons(values, top):
            table.add_row(
                _reason_label(reason),
                f"{entry['customers']:,}",
                format_percent(entry["share"]),
                format_money(entry["churned_mrr"]),
                format_percent(entry["mrr_share"]),
            )
        table.add_section()
        table.add_row(
            "Churned in all",
            f"{values['churned_customers']:,}",
            "",
            format_money(values["churned_mrr"], report.currency),
            "",
        )
        console.print(table)
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    console.print(
        Text(
            f"Inputs: {inputs}\nA churned customer's reason is the cancel_reason of its paying row that "
            "ended last in the period.",
            style="dim",
        )
    )


def _reason_label(reason: str) -> str:
    return {"(none)": "no reason given", "(other)": "other reasons"}.get(reason, reason)


def _top_reasons(values: dict[str, object], top: int) -> list[tuple[str, dict[str, Any]]]:
    """The top reasons by customers, then "(other)" summing the rest, then "(none)"."""
    by_reason = values.get("by_reason")
    assert isinstance(by_reason, dict)
    given = [(reason, entry) for reason, entry in by_reason.items() if reason != "(none)"]
    rows = given[:top]
    rest = given[top:]
    if rest:
        customers = sum(entry["customers"] for _, entry in rest)
        mrr = sum((entry["churned_mrr"] for _, entry in rest), Decimal(0))
        share = sum(entry["share"] or 0 for _, entry in rest)
        mrr_share = sum(entry["mrr_share"] or 0 for _, entry in rest)
        rows.append(
            ("(other)", {"customers": customers, "churned_mrr": mrr, "share": share, "mrr_share": mrr_share})
        )
    rows += [(reason, entry) for reason, entry in by_reason.items() if reason == "(none)"]
    return rows


def render_cohorts(report: Report, revenue: bool, console: Console) -> None:
    """The retention triangle: each cohort's share retained after 0, 1, 2, … months, shaded."""
    console.print(Text(_period_title(report), style="bold"))
    cohorts = report.values.get("cohorts")
    assert isinstance(cohorts, list)
    width = max((len(row["retained"]) for row in cohorts), default=0)
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column("Cohort", no_wrap=True)
    table.add_column("Starting MRR" if revenue else "Customers", justify="right", no_wrap=True)
    for month in range(width):
        table.add_column(f"M{month}", justify="right", no_wrap=True)
    for row in cohorts:
        base = row["starting_mrr"] if revenue else row["customers"]
        cells: list[Text | str] = [row["cohort"], format_money(base) if revenue else f"{base:,}"]
        for cell in row["retained"]:
            share = float(cell) / float(base) if base else None
            cells.append(Text(format_percent(share, 0), style=_heat(share)))
        table.add_row(*cells)
    console.print(table)
    what = "MRR retained (share of the cohort's MRR on its first paid day)" if revenue else "customers paying"
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    console.print(
        Text(
            f"M0 … M{max(width - 1, 0)}: {what} at the end of each month after the cohort's first paid month."
            f"\nInputs: {inputs}",
            style="dim",
        )
    )


def _heat(share: float | None) -> str:
    if share is None:
        return ""
    if share >= 0.9:
        return "bold green"
    if share >= 0.75:
        return "green"
    if share >= 0.5:
        return "yellow"
    return "red"


def rows_csv(columns: list[str], rows: list[list[object]]) -> str:
    """A header and rows as CSV, with the same cell rules as every csm CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue()


def render_segments(report: Report, console: Console) -> None:
    """Segments by lift of their logo churn against everyone's, with 95% intervals and small flags."""
    console.print(Text(_period_title(report), style="bold"))
    segments = report.values.get("segments")
    overall = report.values.get("overall")
    assert isinstance(segments, list) and isinstance(overall, dict)
    table = Table(box=box.SIMPLE_HEAVY)
    for label in (
        "Trait",
        "Value",
        "Customers",
        "Churned",
        "Logo churn (95%)",
        "Lift",
        "MRR at start",
        "NRR",
    ):
        table.add_column(label, justify="left" if label in {"Trait", "Value"} else "right", no_wrap=True)
    for entry in segments:
        rate = entry["logo_churn_rate"]
        interval = ""
        if rate is not None and entry["logo_churn_rate_low_95"] is not None:
            low, high = entry["logo_churn_rate_low_95"], entry["logo_churn_rate_high_95"]
            interval = f" ({100 * low:.0f}–{100 * high:.0f}%)"
        lift = "—" if entry["lift"] is None else f"{entry['lift']:.2f}×"
        style = "dim" if entry["small"] else ""
        table.add_row(
            entry["trait"],
            entry["value"] + (" *" if entry["small"] else ""),
            f"{entry['customers_start']:,}",
            f"{entry['churned_customers']:,}",
            format_percent(rate) + interval,
            lift,
            _group_cell("mrr_start", entry["mrr_start"]),
            format_percent(entry["nrr"]),
            style=style,
        )
    table.add_section()
    table.add_row(
        "all",
        "",
        f"{overall['customers_start']:,}",
        f"{overall['churned_customers']:,}",
        format_percent(overall["logo_churn_rate"]),
        "1.00×",
        _group_cell("mrr_start", overall["mrr_start"]),
        format_percent(overall["nrr"]),
    )
    console.print(table)
    inputs = "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)
    console.print(
        Text(
            "Lift = the segment's logo churn rate ÷ everyone's. * fewer than 30 customers at the start: "
            "read the interval, not the rate.\n"
            f"Inputs: {inputs}",
            style="dim",
        )
    )


def columns_json(report: ColumnReport) -> str:
    """How each header of a file was mapped, as JSON."""
    out = {
        "command": "columns",
        "csm_version": __version__,
        "kind": report.kind,
        "path": report.path,
        "preset": report.preset,
        "columns": [
            {"header": item.header, "canonical": item.canonical, "how": item.how, "sample": item.sample}
            for item in report.columns
        ],
        "missing": list(report.missing),
    }
    return json.dumps(out, ensure_ascii=False) + "\n"


_HOW = {
    "exact": "same name",
    "alias": "built-in alias",
    "mapping": "your mapping",
    "preset": "preset",
    "unused": "kept as an attribute",
}


def render_columns(report: ColumnReport, console: Console) -> None:
    """Each header of the file, the csm column it feeds and how it was matched, then what is missing."""
    preset = f", preset {report.preset}" if report.preset else ""
    console.print(Text(f"csm columns · {report.path} read as {report.kind}{preset}", style="bold"))
    table = Table(box=box.SIMPLE_HEAVY)
    for label in ("Header", "csm column", "How", "First value"):
        table.add_column(label)
    for item in report.columns:
        table.add_row(item.header, item.canonical or "—", _HOW.get(item.how, item.how), item.sample or "")
    console.print(table)
    if report.missing:
        console.print(
            Text(
                "Missing: " + ", ".join(report.missing) + ". Map them with --map COLUMN=HEADER or "
                f"[{report.kind}.columns] in csm.toml.",
                style="bold red",
            )
        )
    else:
        console.print(Text("Every required column is there.", style="green"))


def _simple_table(console: Console, title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left")
    for index, label in enumerate(columns):
        table.add_column(label, justify="left" if index == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _inputs_line(report: Report) -> str:
    return "Inputs: " + "; ".join(f"{i.kind} {i.path} ({i.rows:,} rows)" for i in report.inputs)


def _days(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.1f} d"


def render_onboarding(report: Report, console: Console) -> None:
    """Registered accounts, how many paid within the window and how fast, overall and per month."""
    console.print(Text(_period_title(report), style="bold"))
    values = report.values
    rows = [
        ["Registered accounts", f"{values['registered_accounts']:,}"],
        ["Converted (paid within the window)", f"{values['converted_accounts']:,}"],
        ["Conversion rate", format_percent(values["conversion_rate"])],
        ["Days to first payment, median", _days(values["days_to_first_payment_median"])],
        ["Days to first payment, mean", _days(values["days_to_first_payment_mean"])],
    ]
    if "trial_starts" in values:
        rows += [
            ["Trials started", f"{values['trial_starts']:,}"],
            ["Trials converted", f"{values['trial_conversions']:,}"],
            ["Trial conversion rate", format_percent(values["trial_conversion_rate"])],
        ]
    _simple_table(console, None, ["Metric", "Value"], rows)
    if report.listing is not None:
        months = [
            [
                str(row["month"]),
                f"{row['registered_accounts']:,}",
                f"{row['converted_accounts']:,}",
                format_percent(row["conversion_rate"]),
                _days(row["days_to_first_payment_median"]),
            ]
            for row in report.listing.rows
        ]
        _simple_table(
            console,
            "By month of registration",
            ["Month", "Registered", "Converted", "Rate", "Median days"],
            months,
        )
    console.print(Text(_inputs_line(report) + "\n" + "\n".join(report.notes), style="dim"))


def render_renewals(report: Report, console: Console) -> None:
    """Licences ending within the window, MRR and ARR at stake, and renewals already past due."""
    console.print(Text(f"csm renewals · {report.period.label} from {report.as_of.isoformat()}", style="bold"))
    for key, title in (("renewals", "Renewals due"), ("past_due", "Past due (licence ended, still active)")):
        entries = report.values.get(key)
        assert isinstance(entries, list)
        rows = [
            [
                str(entry["customer_id"]),
                str(entry["plan"] or "—"),
                format_money(entry["mrr"]),
                format_money(entry["arr"]),
                str(entry["expires_at"]),
                f"{entry['days_left']}",
                "yes" if entry["cancellation_scheduled"] else "",
                _points(entry.get("health")),
            ]
            for entry in entries
        ]
        columns = ["Customer", "Plan", "MRR", "ARR", "Expires", "Days left", "Cancelling", "Health"]
        _simple_table(console, f"{title} ({len(rows)})", columns, rows)
    stake = report.values
    console.print(
        Text(
            f"At stake: {format_money(stake['mrr_at_stake'], report.currency)} MRR, "
            f"{format_money(stake['arr_at_stake'], report.currency)} ARR",
            style="bold",
        )
    )
    console.print(Text(_inputs_line(report) + "\n" + "\n".join(report.notes), style="dim"))


def render_requests(report: Report, console: Console) -> None:
    """Feature requests and bugs by type, weighed by the MRR of the customers asking."""
    console.print(Text(_period_title(report), style="bold"))
    by_type = report.values.get("by_type")
    top = report.values.get("top_customers")
    assert isinstance(by_type, dict) and isinstance(top, dict)
    rows = [
        [
            name,
            f"{entry['tickets']:,}",
            f"{entry['customers']:,}",
            format_money(entry["mrr"], report.currency),
        ]
        for name, entry in by_type.items()
    ]
    _simple_table(console, None, ["Type", "Tickets", "Customers", "MRR behind them"], rows)
    for name, askers in top.items():
        if askers:
            lines = [[str(a["customer_id"]), f"{a['tickets']:,}", format_money(a["mrr"])] for a in askers]
            _simple_table(console, f"Top customers asking: {name}", ["Customer", "Tickets", "MRR"], lines)
    console.print(
        Text(
            "MRR behind a type = the summed MRR, at the period's close, of the distinct customers asking.\n"
            + _inputs_line(report),
            style="dim",
        )
    )


def _months(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.1f} months"


def _times(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.1f}×"


_LTV_ROWS: list[tuple[str, str, Callable[[object, str | None], str]]] = [
    ("arpa", "ARPA", format_money),
    ("gross_margin", "Gross margin", lambda value, _: format_percent(value)),
    ("monthly_churn", "Monthly churn", lambda value, _: format_percent(value, 2)),
    ("lifetime_months", "Expected lifetime", lambda value, _: _months(value)),
    ("clv", "CLV", format_money),
    ("cac", "CAC", format_money),
    ("cac_payback_months", "CAC payback", lambda value, _: _months(value)),
    ("ltv_to_cac", "LTV:CAC", lambda value, _: _times(value)),
]


def _ltv_source(values: dict[str, object], currency: str | None) -> list[str]:
    """Where the figures came from: measured or given, customers and MRR at the close, spend."""
    lines = []
    if values.get("customers_end") is not None:
        arpa = "given" if values.get("arpa_given") else "measured"
        lines.append(
            f"ARPA {arpa}: MRR at close {format_money(values.get('mrr_end'), currency)} ÷ "
            f"{values['customers_end']:,} customers"
        )
    rates = values.get("monthly_churn_rates")
    if isinstance(rates, dict) and rates:
        shown = ", ".join(f"{month} {format_percent(rate, 2)}" for month, rate in rates.items())
        given = " (replaced by --monthly-churn)" if values.get("monthly_churn_given") else ""
        lines.append(f"Monthly logo churn{given}: {shown}")
    if values.get("cac_source") == "spend":
        lines.append(
            f"CAC = spend {format_money(values.get('spend'), currency)} ÷ "
            f"{values.get('new_customers')} new customers"
        )
    return lines


def render_ltv(report: Report, console: Console) -> None:
    """CLV and CAC payback, with where each figure came from; one row per segment with --by."""
    title = _period_title(report) if report.inputs else "csm ltv · from the given ARPA and monthly churn"
    console.print(Text(title, style="bold"))
    values, currency = report.values, report.currency
    table = Table(box=box.SIMPLE_HEAVY, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label, show in _LTV_ROWS:
        table.add_row(label, show(values.get(key), currency))
    console.print(table)
    if report.groups is not None:
        columns = [report.group_by or "group", "Customers", *[label for _, label, _ in _LTV_ROWS]]
        rows = [
            [
                name,
                f"{group['customers_end'] or 0:,}",
                *[show(group.get(key), None) for key, _, show in _LTV_ROWS],
            ]
            for name, group in report.groups
        ]
        _simple_table(console, f"By {report.group_by}", columns, rows)
    definitions = [
        "CLV = ARPA × gross margin ÷ monthly churn; lifetime = 1 ÷ monthly churn",
        "CAC payback = CAC ÷ (ARPA × gross margin) months; LTV:CAC = CLV ÷ CAC",
    ]
    footer = [*_ltv_source(values, currency), *definitions]
    if report.inputs:
        footer.append(_inputs_line(report))
    console.print(Text("\n".join([*footer, *report.notes]), style="dim"))


def _signal_value(name: str, value: object) -> str:
    """A health signal's value as a person reads it."""
    if value is None:
        return "missing"
    number = float(str(value))
    shown = {
        "mrr_change": f"{100 * number:+.1f}%",
        "tenure_months": f"{number:.1f} months",
        "ticket_volume": f"{number:.2f}× peers",
        "csat": format_percent(number),
        "usage": format_percent(number),
        "renewal_days": f"{number:.0f} d",
    }
    return shown.get(name, f"{number:g}")


def _points(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.1f}"


def _entries_of(values: dict[str, object], key: str) -> list[dict[str, Any]]:
    entries = values.get(key)
    assert isinstance(entries, list)
    return entries


def health_rows(report: Report) -> tuple[list[str], list[list[object]]]:
    """CSV of ``csm health``: one row per customer with every signal's value and points, or, for
    ``--explain``, one row per signal."""
    values = report.values
    if "signals" in values:
        signals = values["signals"]
        assert isinstance(signals, dict)
        columns = ["customer_id", "signal", "value", "points", "max_points", "weight", "bad", "good"]
        rows: list[list[object]] = [
            [values["customer_id"], name, *[detail[column] for column in columns[2:]]]
            for name, detail in signals.items()
        ]
        return columns, rows
    at_risk = {entry["customer_id"] for entry in _entries_of(values, "at_risk")}
    upsell = {entry["customer_id"] for entry in _entries_of(values, "upsell")}
    customers = _entries_of(values, "customers")
    names = list(customers[0]["signals"]) if customers else []
    attributes = list(customers[0].get("attributes", {})) if customers else []
    columns = ["customer_id", "plan", "mrr", *attributes, "score", "at_risk", "upsell"]
    columns += [column for name in names for column in (name, f"{name}_points")]
    rows = []
    for entry in customers:
        cells: list[object] = [entry["customer_id"], entry["plan"], entry["mrr"]]
        cells += [entry["attributes"][name] for name in attributes]
        cells += [entry["score"], entry["customer_id"] in at_risk, entry["customer_id"] in upsell]
        for name in names:
            signal = entry["signals"][name]
            cells += [signal["value"], signal["points"]]
        rows.append(cells)
    return columns, rows


def _health_footer(report: Report) -> str:
    lines = [
        "score = 100 × Σ weight × sub-score ÷ Σ weight over the signals with data; "
        "sub-score = (value − bad) ÷ (good − bad), clamped to 0…1",
    ]
    weights = report.values.get("weights")
    if isinstance(weights, dict):
        lines.append("weights: " + ", ".join(f"{name} {float(w):g}" for name, w in weights.items()))
    lines.append(_inputs_line(report))
    return "\n".join([*lines, *report.notes])


def _rows_shown(rows: list[list[str]], limit: int) -> tuple[list[list[str]], int]:
    if limit and len(rows) > limit:
        return rows[:limit], len(rows) - limit
    return rows, 0


def render_health(report: Report, console: Console, limit: int = 20) -> None:
    """Scores at a glance, the at-risk and upsell lists (``limit`` rows each), or one customer explained."""
    values, currency = report.values, report.currency
    if "signals" in values:
        _render_health_explained(report, console)
        return
    console.print(Text(f"csm health · as of {report.as_of.isoformat()}", style="bold"))
    customers = _entries_of(values, "customers")
    at_risk, upsell = _entries_of(values, "at_risk"), _entries_of(values, "upsell")
    scores = sorted(float(entry["score"]) for entry in customers if entry["score"] is not None)
    median = (scores[(len(scores) - 1) // 2] + scores[len(scores) // 2]) / 2 if scores else None
    summary = [
        ["Customers scored", f"{len(customers):,}"],
        ["Median score", _points(median)],
        [f"At risk (score below {float(str(values['at_risk_below'])):g})", f"{len(at_risk):,}"],
        ["MRR at risk", format_money(values["mrr_at_risk"], currency)],
        [f"Upsell candidates (usage ≥ {format_percent(values['upsell_usage'], 0)})", f"{len(upsell):,}"],
    ]
    table = Table(box=box.SIMPLE_HEAVY, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for row in summary:
        table.add_row(*row)
    console.print(table)
    owned = any("owner" in e.get("attributes", {}) for e in at_risk)
    risky = [
        [
            str(e["customer_id"]),
            *([str(e["attributes"].get("owner") or "—")] if owned else []),
            str(e["plan"] or "—"),
            format_money(e["mrr"]),
            _points(e["score"]),
            ", ".join(e["weakest"]) or "—",
        ]
        for e in at_risk
    ]
    shown, hidden = _rows_shown(risky, limit)
    heads = ["Customer", *(["Owner"] if owned else []), "Plan", "MRR", "Score", "Weakest"]
    _simple_table(console, "At risk, largest MRR first", heads, shown)
    if hidden:
        console.print(Text(f"… and {hidden:,} more at risk (--limit 0 shows all)", style="dim"))
    ups = [
        [
            str(e["customer_id"]),
            str(e["plan"] or "—"),
            format_money(e["mrr"]),
            _points(e["score"]),
            format_percent(e["usage"]),
        ]
        for e in upsell
    ]
    shown, hidden = _rows_shown(ups, limit)
    _simple_table(
        console, "Upsell candidates, largest MRR first", ["Customer", "Plan", "MRR", "Score", "Usage"], shown
    )
    if hidden:
        console.print(Text(f"… and {hidden:,} more candidates (--limit 0 shows all)", style="dim"))
    console.print(Text(_health_footer(report), style="dim"))


def _render_health_explained(report: Report, console: Console) -> None:
    values = report.values
    title = f"csm health · {values['customer_id']} as of {report.as_of.isoformat()}"
    console.print(Text(title, style="bold"))
    console.print(
        Text(
            f"Score {_points(values['score'])} of 100 · plan {values['plan'] or '—'} · "
            f"MRR {format_money(values['mrr'], report.currency)}"
        )
    )
    signals = values["signals"]
    assert isinstance(signals, dict)
    rows = [
        [
            name,
            _signal_value(name, detail["value"]),
            f"{_signal_value(name, detail['bad'])} → {_signal_value(name, detail['good'])}",
            f"{float(detail['weight']):g}",
            _points(detail["points"]),
            _points(detail["max_points"]),
        ]
        for name, detail in signals.items()
    ]
    _simple_table(console, None, ["Signal", "Value", "Bad → good", "Weight", "Points", "Of"], rows)
    footer = [
        "points = 100 × weight × sub-score ÷ Σ weight of the signals with data; a missing signal "
        "gives its weight to the others",
        _inputs_line(report),
        *report.notes,
    ]
    console.print(Text("\n".join(footer), style="dim"))


class ReadProgress:
    """The stage of a slow read on stderr: a spinner, the stage and the time so far, shown only
    once reading has taken ``delay`` seconds, and gone when it ends."""

    def __init__(self, console: Console, delay: float = 1.0) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("reading", total=None)
        self._delay = delay
        self._timer: threading.Timer | None = None

    def __enter__(self) -> ReadProgress:
        self._timer = threading.Timer(self._delay, self._progress.start)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __call__(self, stage: str) -> None:
        """Show ``stage`` ("reading tickets.csv", "checking 10,000,000 rows", …)."""
        self._progress.update(self._task, description=stage)

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        self._progress.stop()


def read_progress(enabled: bool) -> ReadProgress | None:
    """A progress display on stderr for an interactive terminal, else None."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        return None
    return ReadProgress(console)
