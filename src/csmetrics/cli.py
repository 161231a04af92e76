"""The ``csm`` command line: parse options, load, compute, render, exit code.

The only module that imports typer. Polars, rich and pydantic are imported inside commands so
that ``csm --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from csmetrics import __version__
from csmetrics.errors import CsmError, ExitCode, UsageError
from csmetrics.periods import Period, parse_day, resolve_period

if TYPE_CHECKING:
    from csmetrics.config import FileConfig
    from csmetrics.io.readers import Loaded
    from csmetrics.report import Report

ISSUES_URL = "https://github.com/csmetrics/csm/issues"

app = typer.Typer(
    name="csm",
    help=(
        "Customer-success metrics from the exports you have: churn, NRR, expansion, the MRR "
        "bridge, NPS and support KPIs, computed locally.\n\n"
        "Try it on the built-in demo data: csm churn --demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    """How a result is written."""

    table = "table"
    json = "json"
    csv = "csv"


Subscriptions = Annotated[
    str | None,
    typer.Option(
        "--subscriptions",
        "-s",
        metavar="FILE",
        envvar="CSM_SUBSCRIPTIONS",
        help="Subscriptions file (.csv, .tsv, .parquet) or - for stdin.",
        show_envvar=True,
    ),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        metavar="PERIOD",
        help="2023-12, 2023-Q4, 2023, last-month, last-quarter or last-year "
        "[default: the last month that ends before --as-of].",
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from", metavar="START", help="Start: a date (2023-01-01) or a label (2023-01). Use with --to."
    ),
]
ToOption = Annotated[
    str | None,
    typer.Option(
        "--to", metavar="END", help="End: a date (exclusive) or a label (included). Use with --from."
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="The day whose end the data is known to (YYYY-MM-DD) [default: today in --tz; "
        "with --demo the day after the demo data ends].",
    ),
]
Tz = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        envvar="CSM_TZ",
        help="Time zone for naive times and days [default: UTC].",
        show_envvar=True,
    ),
]
Format = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format", "-f", envvar="CSM_FORMAT", help="table, json or csv [default: table].", show_envvar=True
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write the result to this file (atomically) instead of stdout."
    ),
]
Demo = Annotated[bool, typer.Option("--demo", help="Use the demo dataset shipped with csm.")]
Config = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        envvar="CSM_CONFIG",
        help="Config file [default: ./csm.toml when present].",
    ),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
ListOption = Annotated[bool, typer.Option("--list", "-l", help="List the customers behind the number.")]


@dataclass(frozen=True)
class Run:
    """What every command shares once its options are resolved, and the inputs it has read."""

    period: Period
    as_of: date
    tz: str
    output_format: OutputFormat
    output: str | None
    demo: bool
    config: FileConfig
    config_file: Path | None
    loaded: dict[str, Loaded] = field(default_factory=dict)

    @property
    def subscriptions(self) -> Loaded:
        """The subscriptions input; commands that use it load it first."""
        return self.loaded["subscriptions"]


def _fail(error: CsmError) -> NoReturn:
    typer.echo(f"csm: error: {error}", err=True)
    raise typer.Exit(int(error.exit_code))


def _guarded(debug: bool, body: Callable[[], None]) -> None:
    """Run a command body, turning errors into one line on stderr and SPEC §7's exit codes."""
    try:
        body()
    except CsmError as error:
        _fail(error)
    except KeyboardInterrupt:
        typer.echo("csm: interrupted", err=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(int(ExitCode.SUCCESS)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:
        if debug:
            traceback.print_exc()
        where = traceback.extract_tb(error.__traceback__)[-1]
        typer.echo(
            f"csm: internal error: {type(error).__name__}: {error} "
            f"(at {Path(where.filename).name}:{where.lineno}; this is a bug, please report it "
            f"at {ISSUES_URL}{'' if debug else ' with the output of --debug'})",
            err=True,
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _silence_stdout() -> None:
    """After a closed pipe (csm … | head -1), stop Python from complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _today(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date()


def _check_tz(tz: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone '{tz}' (use an IANA name such as Europe/Warsaw or UTC)"
        ) from None
    return tz


def _prepare(
    *,
    period: str | None,
    start: str | None,
    end: str | None,
    as_of: str | None,
    tz: str | None,
    output_format: OutputFormat | None,
    output: str | None,
    demo: bool,
    config_path: str | None,
) -> Run:
    """Resolve flags, CSM_* variables and csm.toml into the period, the as-of day and the format."""
    from csmetrics.config import load_config
    from csmetrics.data import DEMO_END

    config, config_file = load_config(config_path)
    zone = _check_tz(tz or config.tz or "UTC")
    default_as_of = DEMO_END + timedelta(days=1) if demo else _today(zone)
    day = parse_day(as_of, "--as-of") if as_of else default_as_of
    chosen = resolve_period(period, start, end, day)
    chosen_format = output_format or OutputFormat(config.format or "table")
    return Run(chosen, day, zone, chosen_format, output, demo, config, config_file)


_FLAGS = {
    "subscriptions": "--subscriptions/-s FILE",
    "tickets": "--tickets/-t FILE",
    "surveys": "--surveys FILE",
}


def _load(run: Run, kind: str, flag_path: str | None) -> Loaded:
    """Read one input (flag, CSM_* variable, csm.toml or the demo dataset) and keep it in ``run``."""
    from csmetrics.config import input_settings
    from csmetrics.data import demo_path
    from csmetrics.io.readers import read_subscriptions, read_surveys, read_tickets
    from csmetrics.io.source import ReadOptions

    readers = {"subscriptions": read_subscriptions, "tickets": read_tickets, "surveys": read_surveys}
    if run.demo:
        options = ReadOptions(path=str(demo_path(kind)))
    else:
        settings = input_settings(run.config, kind, flag_path, run.config_file)
        if settings is None or settings.path is None:
            raise UsageError(
                f"no {kind} file: give {_FLAGS[kind]} (or CSM_{kind.upper()}, or [{kind}] path in "
                "csm.toml), or try --demo"
            )
        options = ReadOptions(**settings.model_dump())
    loaded = readers[kind](options, run.tz)
    if run.demo:
        loaded = replace(loaded, path=f"demo:{kind}.csv")
    run.loaded[kind] = loaded
    return loaded


def _revenue_run(subscriptions: str | None, **common: Any) -> Run:
    """Prepare a revenue command: resolve the options, then read the subscriptions."""
    _no_files_with_demo(bool(common["demo"]), subscriptions=subscriptions)
    run = _prepare(**common)
    _load(run, "subscriptions", subscriptions)
    return run


def _no_files_with_demo(demo: bool, **paths: str | None) -> None:
    """--demo reads the shipped dataset: a file flag beside it would be silently ignored.

    A path that came from its CSM_* variable is not an error: the environment is ambient.
    """
    given = [
        name
        for name, path in paths.items()
        if path is not None and path != os.environ.get(f"CSM_{name.upper()}")
    ]
    if demo and given:
        flags = ", ".join(f"--{name}" for name in given)
        raise UsageError(f"--demo uses the built-in dataset: drop {flags} or --demo")


def _currency(run: Run) -> str | None:
    if "subscriptions" not in run.loaded:
        return None
    column = run.subscriptions.frame["currency"].drop_nulls()
    return str(column[0]) if len(column) else None


def _emit(run: Run, report: Report) -> None:
    """Render the report in the chosen format to stdout or, atomically, to --output."""
    import io

    from csmetrics.io.writers import write_atomic
    from csmetrics.render import make_console, render_table, to_csv, to_json

    if not run.period.is_complete(run.as_of):
        typer.echo(
            f"csm: warning: period {run.period.label} is not over at --as-of "
            f"{run.as_of.isoformat()}: its closing state is taken at the end of that day",
            err=True,
        )
    if run.output_format is OutputFormat.json:
        text = to_json(report)
    elif run.output_format is OutputFormat.csv:
        text = to_csv(report)
    elif run.output is None:
        render_table(report, make_console())
        return
    else:
        buffer = io.StringIO()
        render_table(report, make_console(buffer))
        text = buffer.getvalue()
    if run.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(run.output, text)


def _report(run: Run, command: str, values: dict[str, object]) -> Report:
    from csmetrics.report import InputInfo, Report

    return Report(
        command=command,
        period=run.period,
        as_of=run.as_of,
        inputs=[InputInfo(item.kind, item.path, item.rows) for item in run.loaded.values()],
        values=values,
        currency=_currency(run),
    )


def _bridge_values(run: Run) -> dict[str, object]:
    from csmetrics.metrics.revenue import compute_bridge

    return compute_bridge(run.subscriptions.frame, run.period, run.as_of).values()


def _pick(values: dict[str, object], keys: list[str]) -> dict[str, object]:
    return {key: values[key] for key in keys}


CHURN_KEYS = [
    "customers_start",
    "customers_end",
    "churned_customers",
    "churned_mrr",
    "mrr_start",
    "mrr_end",
    "contraction_mrr",
    "expansion_mrr",
    "logo_churn_rate",
    "revenue_churn_rate",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
]
NRR_KEYS = [
    "mrr_start",
    "mrr_end",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "nrr",
    "grr",
    "nrr_churn_points",
    "nrr_contraction_points",
    "nrr_expansion_points",
]
EXPANSION_KEYS = [
    "mrr_start",
    "expansion_mrr",
    "expanded_customers",
    "expansion_rate",
    "expansion_share_of_new_mrr",
    "new_mrr",
    "reactivation_mrr",
]

EXAMPLES_CHURN = """
Examples:

  csm churn --demo

  csm churn -s subscriptions.csv -p 2023-12

  csm churn -s subs.parquet -p 2023-Q4 --list

  csm churn -s subs.csv --from 2023-01 --to 2023-06 --format json -o churn.json
"""


@app.command(epilog=EXAMPLES_CHURN)
def churn(
    subscriptions: Subscriptions = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    list_customers: ListOption = False,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Logo churn and revenue churn: who stopped paying, and how much MRR left with them.

    A customer churns when its MRR is above 0 at the start of the period and 0 at the end;
    joining and leaving within the period is no churn.
    """

    def body() -> None:
        run = _revenue_run(
            subscriptions,
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        report = _report(run, "churn", _pick(_bridge_values(run), CHURN_KEYS))
        if list_customers:
            report = _with_churn_listing(run, report)
        _emit(run, report)

    _guarded(debug, body)


def _with_churn_listing(run: Run, report: Report) -> Report:
    from csmetrics.metrics.revenue import churned_customers, to_major
    from csmetrics.report import Listing

    frame = churned_customers(run.subscriptions.frame, run.period, run.as_of)
    rows = [
        {
            "customer_id": row["customer_id"],
            "mrr": to_major(row["mrr_cents"]),
            "plan": row["plan"],
            "churned_on": row["churned_on"],
            "tenure_days": row["tenure_days"],
            "cancel_reason": row["cancel_reason"],
        }
        for row in frame.iter_rows(named=True)
    ]
    columns = ("customer_id", "mrr", "plan", "churned_on", "tenure_days", "cancel_reason")
    return replace(
        report, listing=Listing("churned_customers_list", "Churned customers, largest first", columns, rows)
    )


EXAMPLES_NRR = """
Examples:

  csm nrr --demo

  csm nrr -s subscriptions.csv -p 2023-Q4

  csm nrr -s subscriptions.csv -p 2023 --format json
"""


@app.command(epilog=EXAMPLES_NRR)
def nrr(
    subscriptions: Subscriptions = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Net and gross revenue retention, and which movement explains how many points of NRR.

    NRR = (MRR at start + expansion − contraction − churned) ÷ MRR at start, over the customers
    paying at the start; new and reactivated customers are left out.
    """

    def body() -> None:
        from csmetrics.metrics.revenue import compute_bridge, nrr_points

        run = _revenue_run(
            subscriptions,
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        bridge = compute_bridge(run.subscriptions.frame, run.period, run.as_of)
        values = bridge.values()
        points = nrr_points(bridge)
        values["nrr_churn_points"] = points.churn if points else None
        values["nrr_contraction_points"] = points.contraction if points else None
        values["nrr_expansion_points"] = points.expansion if points else None
        _emit(run, _report(run, "nrr", _pick(values, NRR_KEYS)))

    _guarded(debug, body)


EXAMPLES_EXPANSION = """
Examples:

  csm expansion --demo --list

  csm expansion -s subscriptions.csv -p 2023-Q4 --format csv
"""


@app.command(epilog=EXAMPLES_EXPANSION)
def expansion(
    subscriptions: Subscriptions = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    list_customers: ListOption = False,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Expansion MRR: how much more existing customers pay, and its share of all new MRR."""

    def body() -> None:
        run = _revenue_run(
            subscriptions,
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        report = _report(run, "expansion", _pick(_bridge_values(run), EXPANSION_KEYS))
        if list_customers:
            report = _with_expansion_listing(run, report)
        _emit(run, report)

    _guarded(debug, body)


def _with_expansion_listing(run: Run, report: Report) -> Report:
    from csmetrics.metrics.revenue import expanded_customers, to_major
    from csmetrics.report import Listing

    frame = expanded_customers(run.subscriptions.frame, run.period, run.as_of)
    rows = [
        {
            "customer_id": row["customer_id"],
            "mrr_start": to_major(row["mrr_start_cents"]),
            "mrr_end": to_major(row["mrr_end_cents"]),
            "expansion": to_major(row["expansion_cents"]),
            "plan_start": row["plan_start"],
            "plan_end": row["plan_end"],
        }
        for row in frame.iter_rows(named=True)
    ]
    columns = ("customer_id", "mrr_start", "mrr_end", "expansion", "plan_start", "plan_end")
    return replace(
        report, listing=Listing("expanded_customers_list", "Expanded customers, largest first", columns, rows)
    )


EXAMPLES_MRR = """
Examples:

  csm mrr --demo

  csm mrr -s subscriptions.csv -p 2023-12 --format json

  csm mrr -s subscriptions.csv -p 2023-Q4 --by plan
"""


@app.command(epilog=EXAMPLES_MRR)
def mrr(
    subscriptions: Subscriptions = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="ATTRIBUTE",
            help="Split the bridge by a customer attribute: plan, or any extra column.",
        ),
    ] = None,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """The whole MRR bridge: start, new, reactivation, expansion, contraction, churn, end.

    mrr_end − mrr_start = new + reactivation + expansion − contraction − churned, always.
    """

    def body() -> None:
        from csmetrics.metrics.revenue import compute_bridge_by

        run = _revenue_run(
            subscriptions,
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        report = _report(run, "mrr", _bridge_values(run))
        if by is not None:
            frame = run.subscriptions.frame
            if by not in frame.columns or by in {"mrr_cents", "started_at", "ended_at"}:
                choices = ", ".join(["plan", *run.subscriptions.attributes])
                raise UsageError(f"cannot split by '{by}': use one of {choices}")
            groups = compute_bridge_by(frame, run.period, run.as_of, by)
            report = replace(report, groups=[(name, b.values()) for name, b in groups], group_by=by)
        _emit(run, report)

    _guarded(debug, body)


Tickets = Annotated[
    str | None,
    typer.Option(
        "--tickets",
        "-t",
        metavar="FILE",
        envvar="CSM_TICKETS",
        help="Tickets file (.csv, .tsv, .parquet) or - for stdin.",
        show_envvar=True,
    ),
]
Surveys = Annotated[
    str | None,
    typer.Option(
        "--surveys",
        metavar="FILE",
        envvar="CSM_SURVEYS",
        help="NPS survey answers (.csv, .tsv, .parquet) or - for stdin.",
        show_envvar=True,
    ),
]


class CohortChoice(StrEnum):
    """Which tickets a support period holds."""

    created = "created"
    solved = "solved"


class SupportGroup(StrEnum):
    """What support metrics can be split by."""

    agent = "agent"
    channel = "channel"
    type = "type"


EXAMPLES_SUPPORT = """
Examples:

  csm support --demo

  csm support -t tickets.csv -p 2023-12 --tz Europe/Warsaw

  csm support -t tickets.csv -p 2023-Q4 --business-hours "Mon-Fri 09:00-17:00" --tz Europe/Warsaw

  csm support -t tickets.csv -p 2023-12 --by agent --format csv
"""


@app.command(epilog=EXAMPLES_SUPPORT)
def support(
    tickets: Tickets = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    cohort: Annotated[
        CohortChoice,
        typer.Option("--cohort", help="Tickets created in the period, or tickets solved in it."),
    ] = CohortChoice.created,
    business_hours: Annotated[
        str | None,
        typer.Option(
            "--business-hours",
            metavar="SCHEDULE",
            help='Count only working time, e.g. "Mon-Fri 09:00-17:00" (read in --tz).',
        ),
    ] = None,
    holidays: Annotated[
        str | None,
        typer.Option("--holidays", metavar="FILE", help="Days off for --business-hours: one date per line."),
    ] = None,
    by: Annotated[
        SupportGroup | None,
        typer.Option("--by", help="One row per agent, channel or type."),
    ] = None,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Help-desk KPIs: volume, first response and resolution times, one-touch rate and CSAT.

    Tickets created in the period (or solved in it, with --cohort solved); durations in calendar
    time, or in working time with --business-hours.
    """

    def body() -> None:
        from csmetrics.io.readers import read_holidays
        from csmetrics.metrics.business_hours import parse_business_hours
        from csmetrics.metrics.support import Cohort, compute_support, support_by

        if holidays is not None and business_hours is None:
            raise UsageError("--holidays needs --business-hours")
        _no_files_with_demo(demo, tickets=tickets)
        run = _prepare(
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        clock = None
        if business_hours is not None:
            days_off = read_holidays(holidays) if holidays is not None else frozenset()
            clock = parse_business_hours(business_hours, run.tz, days_off)
        frame = _load(run, "tickets", tickets).frame
        which: Cohort = "solved" if cohort is CohortChoice.solved else "created"
        result = compute_support(frame, run.period, run.as_of, cohort=which, clock=clock)
        report = replace(_report(run, "support", result.values()), heatmap=result.weekday_hour)
        if by is not None:
            groups = support_by(frame, by.value, run.period, run.as_of, cohort=which, clock=clock)
            report = replace(
                report, groups=[(name, part.values()) for name, part in groups], group_by=by.value
            )
        _emit(run, report)

    _guarded(debug, body)


EXAMPLES_NPS = """
Examples:

  csm nps --demo

  csm nps --surveys nps.csv -p 2023-Q4

  csm nps --surveys nps.csv -s subscriptions.csv -p 2023 --by industry
"""


@app.command(epilog=EXAMPLES_NPS)
def nps(
    surveys: Surveys = None,
    subscriptions: Subscriptions = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="ATTRIBUTE",
            help="NPS per customer attribute from the subscriptions file (plan, industry, …).",
        ),
    ] = None,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Net Promoter Score with its 95% margin of error, overall or per customer segment.

    NPS = 100 × (promoters − detractors) ÷ responses, for answers given in the period.
    """

    def body() -> None:
        from csmetrics.metrics.nps import compute_nps, is_margin_too_wide, nps_by, responses_needed
        from csmetrics.metrics.revenue import customer_attribute

        _no_files_with_demo(demo, surveys=surveys, subscriptions=subscriptions)
        run = _prepare(
            period=period,
            start=start,
            end=end,
            as_of=as_of,
            tz=tz,
            output_format=output_format,
            output=output,
            demo=demo,
            config_path=config,
        )
        answers = _load(run, "surveys", surveys).frame
        result = compute_nps(answers, run.period, run.as_of)
        groups: list[tuple[str, dict[str, object]]] | None = None
        if by is not None:
            subs = _load(run, "subscriptions", subscriptions)
            if by not in subs.frame.columns or by in {"mrr_cents", "started_at", "ended_at"}:
                choices = ", ".join(["plan", *subs.attributes])
                raise UsageError(f"cannot split by '{by}': use one of {choices}")
            groups_frame = customer_attribute(subs.frame, run.period, run.as_of, by).collect()
            attributes = groups_frame.rename({"group": by})
            split = nps_by(answers, attributes, by, run.period, run.as_of)
            groups = [(name, part.values()) for name, part in split]
        report = replace(_report(run, "nps", result.values()), groups=groups, group_by=by)
        if is_margin_too_wide(result):
            shares = (
                (result.promoters / result.responses, result.detractors / result.responses)
                if result.responses
                else (None, None)
            )
            needed = responses_needed(10.0, *shares)
            margin = result.margin_of_error_95
            said = f"±{margin:.0f} points" if margin is not None else "no margin at all"
            typer.echo(
                f"csm: warning: {result.responses} responses give an NPS of {said} at 95%; "
                f"about {needed} are needed for ±10",
                err=True,
            )
        _emit(run, report)

    _guarded(debug, body)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"csm {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Customer-success metrics from the exports you have."""


def run() -> None:
    """The console-script entry point."""
    app(prog_name="csm")
