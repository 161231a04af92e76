"""The ``csm`` command line: parse options, load, compute, render, exit code.

The only module that imports typer. Polars, rich and pydantic are imported inside commands so
that ``csm --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from csmetrics import __version__
from csmetrics.errors import CsmError, DataError, ExitCode, UsageError
from csmetrics.periods import Period, parse_day, resolve_period

if TYPE_CHECKING:
    from csmetrics.checks import Check
    from csmetrics.config import FileConfig
    from csmetrics.io.readers import Loaded
    from csmetrics.io.source import ReadOptions
    from csmetrics.metrics.health import HealthResult, HealthRules
    from csmetrics.metrics.nps import NpsResult
    from csmetrics.report import CheckResult, Listing, Report

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
        help="Subscriptions file (.csv, .tsv, .parquet, .xlsx) or - for stdin.",
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
Invoices = Annotated[
    str | None,
    typer.Option(
        "--invoices",
        metavar="FILE",
        envvar="CSM_INVOICES",
        help="Derive subscriptions from paid invoices instead of a subscriptions file.",
        show_envvar=True,
    ),
]


Customers = Annotated[
    str | None,
    typer.Option(
        "--customers",
        metavar="FILE",
        envvar="CSM_CUSTOMERS",
        help="A CRM export (customer_id + attributes such as industry) whose columns override the "
        "subscriptions' for --by and segments.",
        show_envvar=True,
    ),
]


class ChurnOn(StrEnum):
    """When an invoice-paying customer churns."""

    expiry = "expiry"
    nonpayment = "nonpayment"


ChurnOnOption = Annotated[
    ChurnOn,
    typer.Option(
        "--churn-on",
        help="With --invoices: churn when the paid period ends (expiry), or when an invoice stays "
        "unpaid past --grace-days (nonpayment).",
    ),
]
GraceDays = Annotated[
    int,
    typer.Option("--grace-days", min=0, help="With --churn-on nonpayment: days an invoice may stay unpaid."),
]
PresetOption = Annotated[
    str | None,
    typer.Option(
        "--preset",
        metavar="VENDOR",
        help="Read a vendor export as it is: stripe, chargebee, baremetrics, zendesk, freshdesk, "
        "delighted, typeform; hubspot and salesforce read the --customers file.",
    ),
]
GlobOption = Annotated[
    bool,
    typer.Option(
        "--glob",
        help="Expand * ? [...] ** in input paths (quote them): several files read as one input. "
        "A folder is always read whole, hive key=value folders included.",
    ),
]
SkipBadRows = Annotated[
    bool,
    typer.Option(
        "--skip-bad-rows",
        help="Leave out the rows that break a rule, with a warning that counts them, instead of "
        "stopping at the first.",
    ),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map", metavar="COLUMN=HEADER", help="Map a header of the file to a csm column (repeatable)."
    ),
]
SheetOption = Annotated[
    str | None, typer.Option("--sheet", metavar="NAME", help="Excel sheet [default: the first].")
]
InputFormatOption = Annotated[
    str | None,
    typer.Option(
        "--input-format", metavar="FORMAT", help="csv, tsv, parquet or xlsx [default: by extension]."
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr; errors only.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Say on stderr what was read and how long it took.")
]
ListOption = Annotated[bool, typer.Option("--list", "-l", help="List the customers behind the number.")]


@dataclass
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
    quiet: bool = False
    verbose: bool = False
    loaded: dict[str, Loaded] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: str | None = None
    churn_on: str = "expiry"
    grace_days: int = 0
    customers: str | None = None
    glob: bool = False
    """--glob: expand patterns in input paths."""
    skip_bad_rows: bool = False
    """--skip-bad-rows: leave out bad rows with a counted warning."""

    def warn(self, message: str) -> None:
        """A warning on stderr, unless --quiet."""
        if not self.quiet:
            typer.echo(f"csm: warning: {message}", err=True)

    def note(self, message: str) -> None:
        """Something the numbers depend on (rows a preset left out, …) on stderr, unless --quiet."""
        if not self.quiet:
            typer.echo(f"csm: note: {message}", err=True)

    def tell(self, message: str) -> None:
        """A progress note on stderr with --verbose."""
        if self.verbose and not self.quiet:
            typer.echo(f"csm: {message}", err=True)

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
        frames = traceback.extract_tb(error.__traceback__)
        ours = [frame for frame in frames if "csmetrics" in frame.filename]
        where = (ours or frames)[-1]
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


def _note(run: Run, report: Report, text: str) -> None:
    """A note the numbers depend on: with the result (table footer, JSON) and on stderr."""
    report.notes.append(text)
    run.note(text)


def _count(number: int, noun: str) -> str:
    """``1 account``, ``2 accounts``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


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
    quiet: bool = False,
    verbose: bool = False,
    main_kind: str | None = None,
    preset: str | None = None,
    maps: list[str] | None = None,
    sheet: str | None = None,
    input_format: str | None = None,
    invoices: str | None = None,
    churn_on: str = "expiry",
    grace_days: int = 0,
    customers: str | None = None,
    glob: bool = False,
    skip_bad_rows: bool = False,
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
    if demo and (preset or maps or sheet or input_format):
        raise UsageError(
            "--demo reads the built-in dataset: drop --preset, --map, --sheet and --input-format"
        )
    run = Run(
        chosen,
        day,
        zone,
        chosen_format,
        output,
        demo,
        config,
        config_file,
        quiet,
        verbose,
        invoices=invoices,
        churn_on=str(churn_on),
        grace_days=grace_days,
        customers=customers,
        glob=glob,
        skip_bad_rows=skip_bad_rows,
    )
    crm = customers or config.customers.path
    run.overrides.update(_input_overrides(main_kind, preset, maps, sheet, input_format, crm))
    return run


def _input_overrides(
    main_kind: str | None,
    preset: str | None,
    maps: list[str] | None,
    sheet: str | None,
    input_format: str | None,
    customers: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Per input kind, the flags laid over csm.toml: a preset goes to the input of its kind (a CRM
    preset to --customers), --map, --sheet and --input-format to the command's main input."""
    from csmetrics.io.columns import parse_map_option
    from csmetrics.io.presets import PRESET_KINDS, get_preset
    from csmetrics.io.source import FORMATS

    overrides: dict[str, dict[str, Any]] = {}
    if preset is not None:
        if preset not in PRESET_KINDS:
            raise UsageError(f"unknown preset '{preset}': use one of {', '.join(PRESET_KINDS)}")
        reads_customers = PRESET_KINDS[preset] == "customers" and customers is not None
        if main_kind is not None and not reads_customers:
            get_preset(preset, main_kind)
        overrides.setdefault(PRESET_KINDS[preset], {})["preset"] = preset
    if input_format is not None and input_format.lower() not in FORMATS:
        raise UsageError(f"unknown --input-format '{input_format}': use one of {', '.join(FORMATS)}")
    if main_kind is not None:
        flags: dict[str, Any] = {"sheet": sheet, "input_format": input_format}
        if maps:
            flags["columns"] = parse_map_option(maps, main_kind)
        overrides.setdefault(main_kind, {}).update(
            {key: value for key, value in flags.items() if value is not None}
        )
    elif maps or sheet or input_format:
        raise UsageError("--map, --sheet and --input-format need a command with one main input")
    return overrides


_FLAGS = {
    "subscriptions": "--subscriptions/-s FILE or --invoices FILE",
    "tickets": "--tickets/-t FILE",
    "surveys": "--surveys FILE",
    "usage": "--usage FILE",
}


_RUN_OPTIONS = (
    "period",
    "start",
    "end",
    "as_of",
    "tz",
    "output_format",
    "output",
    "demo",
    "quiet",
    "verbose",
    "preset",
    "maps",
    "sheet",
    "input_format",
    "invoices",
    "customers",
    "glob",
    "skip_bad_rows",
)


def _options(values: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The options every command shares, taken from its parameters, for ``_prepare``."""
    picked = {key: values.get(key) for key in _RUN_OPTIONS}
    picked["demo"] = bool(picked["demo"])
    picked["quiet"] = bool(picked["quiet"])
    picked["verbose"] = bool(picked["verbose"])
    picked["glob"] = bool(picked["glob"])
    picked["skip_bad_rows"] = bool(picked["skip_bad_rows"])
    picked["config_path"] = values.get("config")
    picked["churn_on"] = str(values.get("churn_on") or "expiry")
    picked["grace_days"] = int(values.get("grace_days") or 0)
    picked.update(overrides)
    return picked


def _read_options(run: Run, kind: str, flag_path: str | None) -> ReadOptions | None:
    """Where one input is: the demo dataset, a flag, its CSM_* variable or csm.toml; None if nowhere."""
    from csmetrics.config import input_settings
    from csmetrics.data import DEMO_KINDS, demo_path
    from csmetrics.io.source import ReadOptions, with_flags

    if run.demo:
        return ReadOptions(path=str(demo_path(kind))) if kind in DEMO_KINDS else None
    settings = input_settings(run.config, kind, flag_path, run.config_file)
    if settings is None or settings.path is None:
        return None
    options = with_flags(ReadOptions(**settings.model_dump()), **run.overrides.get(kind, {}))
    skip = run.skip_bad_rows and kind != "invoices"  # a bad invoice stays an error (docs/metrics.md)
    return with_flags(options, glob=run.glob or None, skip_bad_rows=skip or None)


def _load(run: Run, kind: str, flag_path: str | None) -> Loaded:
    """Read one input (flag, CSM_* variable, csm.toml or the demo dataset) and keep it in ``run``."""
    from csmetrics.io.readers import read_subscriptions, read_surveys, read_tickets, read_usage

    readers = {
        "subscriptions": read_subscriptions,
        "tickets": read_tickets,
        "surveys": read_surveys,
        "usage": read_usage,
    }
    options = _read_options(run, kind, flag_path)
    if kind == "subscriptions" and not run.demo:
        from_invoices = _from_invoices(run, flag_path, options)
        if from_invoices is not None:
            run.loaded[kind] = _with_customers(run, from_invoices)
            return run.loaded[kind]
    if options is None:
        raise UsageError(
            f"no {kind} file: give {_FLAGS[kind]} (or CSM_{kind.upper()}, or [{kind}] path in "
            "csm.toml), or try --demo"
        )
    started = time.perf_counter()
    with _progress(run) as progress:
        loaded = readers[kind](options, run.tz, progress=progress)
    if run.demo:
        loaded = replace(loaded, path=f"demo:{kind}.csv")
    run.tell(f"read {loaded.path}: {loaded.rows:,} {kind} rows in {time.perf_counter() - started:.2f} s")
    for note in loaded.notes:
        run.note(f"{loaded.path}: {note}")
    _warn_skipped(run, loaded)
    if kind == "subscriptions":
        loaded = _with_customers(run, loaded)
    run.loaded[kind] = loaded
    return loaded


def _warn_skipped(run: Run, loaded: Loaded) -> None:
    """The rows --skip-bad-rows left out of an input, on stderr (they are in the notes too)."""
    for warning in loaded.warnings:
        run.warn(warning)


@contextmanager
def _progress(run: Run) -> Iterator[Callable[[str], None] | None]:
    """A stage callback for a read, drawn on stderr only when it is slow and stderr is a terminal."""
    from csmetrics.render import read_progress

    display = read_progress(enabled=not run.quiet)
    if display is None:
        yield None
        return
    with display:
        yield display


def _with_customers(run: Run, subscriptions: Loaded) -> Loaded:
    """Lay the customers file's attributes (flag, CSM_CUSTOMERS or [customers] path) over the rows."""
    from csmetrics.io.readers import read_customers
    from csmetrics.metrics.revenue import with_customer_attributes

    options = _read_options(run, "customers", run.customers)
    if options is None:
        return subscriptions
    customers = read_customers(options, run.tz)
    if run.demo:
        customers = replace(customers, path="demo:customers.csv")
    _warn_skipped(run, customers)
    _check_crm_columns(customers, subscriptions)
    run.loaded.setdefault("subscriptions", subscriptions)  # inputs are listed subscriptions first
    run.loaded["customers"] = customers
    frame = with_customer_attributes(subscriptions.frame, customers.frame)
    added = tuple(name for name in customers.frame.columns if name not in ("customer_id", "registered_at"))
    attributes = tuple(dict.fromkeys((*subscriptions.attributes, *added)))
    return replace(subscriptions, frame=frame, attributes=attributes)


def _check_crm_columns(customers: Loaded, subscriptions: Loaded) -> None:
    """A customers file overrides text attributes only: a column the subscriptions hold as dates or
    numbers (``expires_at``, …) would be cast, not read, so it is a data error naming it."""
    import polars as pl

    typed = {name for name, dtype in subscriptions.frame.schema.items() if dtype != pl.String}
    for name in customers.frame.columns:
        if name in typed and name not in ("customer_id", "registered_at"):
            raise DataError(
                customers.path,
                f"column '{name}' is a subscriptions column of dates or numbers, not an attribute: "
                "a customers file can only lay text attributes over the subscriptions (rename it)",
                line=1,
            )


def _from_invoices(run: Run, subscriptions: str | None, options: ReadOptions | None) -> Loaded | None:
    """Subscriptions derived from invoices, when invoices are given (flag, CSM_INVOICES, csm.toml).

    Invoices given on the command line or in the environment win over a subscriptions path from
    csm.toml; both given explicitly is a usage error.
    """
    from csmetrics.io.invoices import subscriptions_from_invoice_file

    invoices = _read_options(run, "invoices", run.invoices)
    if invoices is None:
        return None
    if subscriptions is not None and run.invoices is not None:
        raise UsageError("give --subscriptions or --invoices, not both")
    if options is not None and run.invoices is None:
        return None
    started = time.perf_counter()
    loaded = subscriptions_from_invoice_file(
        invoices,
        run.tz,
        churn_on="nonpayment" if run.churn_on == "nonpayment" else "expiry",
        grace_days=run.grace_days,
        as_of=run.as_of,
    )
    loaded = replace(loaded, kind="invoices")
    run.tell(f"read {loaded.path}: {loaded.rows:,} invoices in {time.perf_counter() - started:.2f} s")
    for note in loaded.notes:
        run.note(f"{loaded.path}: {note}")
    return loaded


def _revenue_run(ctx: typer.Context, subscriptions: str | None, **common: Any) -> Run:
    """Prepare a revenue command: resolve the options, then read the subscriptions."""
    _no_files_with_demo(
        ctx, bool(common["demo"]), subscriptions=subscriptions, customers=common.get("customers")
    )
    run = _prepare(**common)
    _load(run, "subscriptions", subscriptions)
    return run


def _no_files_with_demo(ctx: typer.Context, demo: bool, **paths: str | None) -> None:
    """--demo reads the shipped dataset: a file flag typed beside it would be silently ignored.

    A path that came from its CSM_* variable or csm.toml is not an error: that is ambient.
    """
    typed = [name for name in paths if _typed(ctx, name)]
    if demo and typed:
        flags = ", ".join(f"--{name}" for name in typed)
        raise UsageError(f"--demo uses the built-in dataset: drop {flags} or --demo")


def _typed(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was given on the command line (not by default or environment)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


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
        run.warn(
            f"period {run.period.label} is not over at --as-of "
            f"{run.as_of.isoformat()}: its closing state is taken at the end of that day"
        )
    if run.output_format is OutputFormat.json:
        text = to_json(report)
    elif run.output_format is OutputFormat.csv:
        text = to_csv(report)
    elif run.output in (None, "-"):
        render_table(report, make_console())
        return
    else:
        buffer = io.StringIO()
        render_table(report, make_console(buffer))
        text = buffer.getvalue()
    if run.output in (None, "-"):
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
        notes=[
            *[f"{item.path}: {note}" for item in run.loaded.values() for note in item.notes],
            *[warning for item in run.loaded.values() for warning in item.warnings],
        ],
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
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    list_customers: ListOption = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Logo churn and revenue churn: who stopped paying, and how much MRR left with them.

    A customer churns when its MRR is above 0 at the start of the period and 0 at the end;
    joining and leaving within the period is no churn.
    """

    options = dict(locals())

    def body() -> None:
        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
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
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="List each movement with its MRR and points of NRR.")
    ] = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Net and gross revenue retention, and which movement explains how many points of NRR.

    NRR = (MRR at start + expansion − contraction − churned) ÷ MRR at start, over the customers
    paying at the start; new and reactivated customers are left out.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.revenue import compute_bridge, nrr_points

        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
        bridge = compute_bridge(run.subscriptions.frame, run.period, run.as_of)
        values = bridge.values()
        points = nrr_points(bridge)
        values["nrr_churn_points"] = points.churn if points else None
        values["nrr_contraction_points"] = points.contraction if points else None
        values["nrr_expansion_points"] = points.expansion if points else None
        report = _report(run, "nrr", _pick(values, NRR_KEYS))
        if explain:
            report = replace(report, listing=_nrr_listing(values))
        _emit(run, report)

    _guarded(debug, body)


def _nrr_listing(values: dict[str, object]) -> Listing:
    """NRR as 100 points of opening MRR, minus churn and contraction, plus expansion."""
    from csmetrics.report import Listing

    def points(key: str) -> float | None:
        value = values[key]
        return None if value is None else float(str(value))

    nrr = values["nrr"]
    rows: list[dict[str, object]] = [
        {
            "movement": "MRR at start",
            "amount": values["mrr_start"],
            "points": 100.0 if nrr is not None else None,
        },
        {
            "movement": "churn",
            "amount": values["churned_mrr"],
            "points": _negated(points("nrr_churn_points")),
        },
        {
            "movement": "contraction",
            "amount": values["contraction_mrr"],
            "points": _negated(points("nrr_contraction_points")),
        },
        {
            "movement": "expansion",
            "amount": values["expansion_mrr"],
            "points": points("nrr_expansion_points"),
        },
        {"movement": "NRR", "amount": None, "points": None if nrr is None else 100 * float(str(nrr))},
    ]
    return Listing("nrr_explained", "NRR in points of MRR at start", ("movement", "amount", "points"), rows)


def _negated(value: float | None) -> float | None:
    return None if value is None else 0.0 - value if value else 0.0


EXAMPLES_EXPANSION = """
Examples:

  csm expansion --demo --list

  csm expansion -s subscriptions.csv -p 2023-Q4 --format csv
"""


@app.command(epilog=EXAMPLES_EXPANSION)
def expansion(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    list_customers: ListOption = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Expansion MRR: how much more existing customers pay, and its share of all new MRR."""

    options = dict(locals())

    def body() -> None:
        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
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
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
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
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """The whole MRR bridge: start, new, reactivation, expansion, contraction, churn, end.

    mrr_end − mrr_start = new + reactivation + expansion − contraction − churned, always.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.revenue import compute_bridge_by

        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
        report = _report(run, "mrr", _bridge_values(run))
        if by is not None:
            frame = run.subscriptions.frame
            _check_attribute(run, by)
            groups = compute_bridge_by(frame, run.period, run.as_of, by)
            report = replace(report, groups=[(name, b.values()) for name, b in groups], group_by=by)
        _emit(run, report)

    _guarded(debug, body)


UsageFile = Annotated[
    str | None,
    typer.Option(
        "--usage",
        metavar="FILE",
        envvar="CSM_USAGE",
        help="Usage against plan limits: customer_id, date, used, limit.",
        show_envvar=True,
    ),
]
Tickets = Annotated[
    str | None,
    typer.Option(
        "--tickets",
        "-t",
        metavar="FILE",
        envvar="CSM_TICKETS",
        help="Tickets file (.csv, .tsv, .parquet, .xlsx) or - for stdin.",
        show_envvar=True,
    ),
]
Surveys = Annotated[
    str | None,
    typer.Option(
        "--surveys",
        metavar="FILE",
        envvar="CSM_SURVEYS",
        help="NPS survey answers (.csv, .tsv, .parquet, .xlsx) or - for stdin.",
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
    ctx: typer.Context,
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
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Help-desk KPIs: volume, first response and resolution times, one-touch rate and CSAT.

    Tickets created in the period (or solved in it, with --cohort solved); durations in calendar
    time, or in working time with --business-hours.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.io.readers import read_holidays
        from csmetrics.metrics.business_hours import parse_business_hours
        from csmetrics.metrics.support import Cohort, compute_support, support_by

        if holidays is not None and business_hours is None:
            raise UsageError("--holidays needs --business-hours")
        _no_files_with_demo(ctx, demo, tickets=tickets)
        run = _prepare(**_options(options, main_kind="tickets"))
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
    ctx: typer.Context,
    surveys: Surveys = None,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
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
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Net Promoter Score with its 95% margin of error, overall or per customer segment.

    NPS = 100 × (promoters − detractors) ÷ responses, for answers given in the period.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.nps import compute_nps, is_margin_too_wide, nps_by
        from csmetrics.metrics.revenue import customer_attribute

        _no_files_with_demo(ctx, demo, surveys=surveys, subscriptions=subscriptions)
        run = _prepare(**_options(options, main_kind="surveys"))
        answers = _load(run, "surveys", surveys).frame
        result = compute_nps(answers, run.period, run.as_of)
        groups: list[tuple[str, dict[str, object]]] | None = None
        if by is not None:
            subs = _load(run, "subscriptions", subscriptions)
            _check_attribute(run, by)
            groups_frame = customer_attribute(subs.frame, run.period, run.as_of, by).collect()
            attributes = groups_frame.rename({"group": "__attribute"})
            split = nps_by(answers, attributes, "__attribute", run.period, run.as_of)
            groups = [(name, part.values()) for name, part in split]
        report = replace(_report(run, "nps", result.values()), groups=groups, group_by=by)
        if is_margin_too_wide(result):
            run.warn(_margin_warning(result))
        _emit(run, report)

    _guarded(debug, body)


def _margin_warning(result: NpsResult) -> str:
    """Why an NPS should not be quoted to ±10 points: too few answers, or too wide a margin."""
    from csmetrics.metrics.nps import MIN_RESPONSES_FOR_WALD, responses_needed

    margin = result.margin_of_error_95
    if not result.responses or margin is None:
        return "no NPS answers in the period"
    shares = (result.promoters / result.responses, result.detractors / result.responses)
    if margin > 10:
        needed = max(responses_needed(10.0, *shares), MIN_RESPONSES_FOR_WALD)
        return (
            f"{result.responses} responses give an NPS of ±{margin:.0f} points at 95%; "
            f"about {needed} are needed for ±10"
        )
    return (
        f"only {result.responses} responses: below {MIN_RESPONSES_FOR_WALD} the ±{margin:.0f}-point "
        "margin is not reliable"
    )


class CheckFormat(StrEnum):
    """How check results are written."""

    table = "table"
    json = "json"
    github = "github"


EXAMPLES_CHECK = """
Examples:

  csm check --demo examples/csm-checks.toml

  csm check csm-checks.toml -s subscriptions.csv -t tickets.csv --junit csm-checks.xml

  csm check --format github --warn-as-error

A checks file holds [[checks]] entries:

  [[checks]]
  metric = "logo_churn_rate"
  period = "last-month"
  warn = "> 2%"
  fail = "> 3.5%"
"""


@app.command(epilog=EXAMPLES_CHECK)
def check(
    ctx: typer.Context,
    checks_file: Annotated[
        str | None,
        typer.Argument(
            metavar="[CHECKS_FILE]",
            help="Checks file [default: $CSM_CHECKS, ./csm-checks.toml, else [[checks]] in csm.toml].",
        ),
    ] = None,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    surveys: Surveys = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json or github (workflow annotations) [default: CSM_FORMAT when table or json, "
            "else table].",
        ),
    ] = None,
    output: Output = None,
    junit: Annotated[
        str | None,
        typer.Option("--junit", metavar="FILE", help="Also write the results as JUnit XML for CI."),
    ] = None,
    warn_as_error: Annotated[
        bool, typer.Option("--warn-as-error", help="A warning fails the run too.")
    ] = False,
    demo: Demo = False,
    preset: PresetOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Threshold checks for CI and cron: exit 1 when a metric breaks its fail threshold.

    Each check names a metric (any JSON key of churn, nrr, mrr, support or nps), a period and
    warn/fail conditions. Exit 0 when all pass or only warn, 1 when any fails.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.checks import CHECKS_FILE, load_checks
        from csmetrics.io.writers import write_atomic
        from csmetrics.metrics.catalog import all_metrics
        from csmetrics.render import checks_github, checks_json, checks_junit, make_console, render_checks
        from csmetrics.report import CheckReport, InputInfo

        _no_files_with_demo(ctx, demo, subscriptions=subscriptions, tickets=tickets, surveys=surveys)
        run = _prepare(**_options(options, period=None, start=None, end=None, output_format=None))
        chosen = Path(checks_file or os.environ.get("CSM_CHECKS") or CHECKS_FILE)
        if checks_file is None and not chosen.exists() and run.config.checks and run.config_file is not None:
            chosen = run.config_file
        checks = load_checks(chosen, all_metrics())
        paths = {"subscriptions": subscriptions, "tickets": tickets, "surveys": surveys}
        results = [_evaluate(run, item, paths) for item in checks]
        inputs = [InputInfo(item.kind, item.path, item.rows) for item in run.loaded.values()]
        report = CheckReport(run.as_of, inputs, results)
        ambient = os.environ.get("CSM_FORMAT") or run.config.format
        fmt = output_format or CheckFormat(ambient if ambient in {"table", "json"} else "table")
        if junit is not None:
            write_atomic(junit, checks_junit(report, warn_as_error))
        if fmt is CheckFormat.table and output is None:
            render_checks(report, make_console())
        else:
            text = {
                CheckFormat.json: lambda: checks_json(report),
                CheckFormat.github: lambda: checks_github(report, warn_as_error),
                CheckFormat.table: lambda: _table_text(lambda console: render_checks(report, console)),
            }[fmt]()
            _write(run, text)
        failing = report.count("fail") + (report.count("warn") if warn_as_error else 0)
        if failing:
            raise typer.Exit(int(ExitCode.CHECK_FAILED))

    _guarded(debug, body)


def _table_text(draw: Callable[[Any], None]) -> str:
    """A table drawn into text, for --output."""
    import io

    from csmetrics.render import make_console

    buffer = io.StringIO()
    draw(make_console(buffer))
    return buffer.getvalue()


def _write(run: Run, text: str) -> None:
    """Text to stdout, or atomically to --output."""
    from csmetrics.io.writers import write_atomic

    if run.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(run.output, text)


def _evaluate(run: Run, item: Check, paths: dict[str, str | None]) -> CheckResult:
    """Compute one check's metric for its period (and segment), and judge it."""
    from csmetrics.errors import ConfigError
    from csmetrics.metrics.catalog import INPUT_OF, family_of
    from csmetrics.report import CheckResult

    try:
        period = resolve_period(item.period, None, None, run.as_of)
    except UsageError as error:
        raise ConfigError(f"check '{item.name}': {error}", path=item.path, line=item.line) from None
    family = family_of(item.metric)
    kind = INPUT_OF[family]
    if kind not in run.loaded:
        _load(run, kind, paths[kind])
    values = _family_values(run, family, period, item, paths)
    value = values.get(item.metric)
    number = None if value is None else float(str(value))
    outcome = item.outcome(number)
    message = "no value: its denominator is 0 in this period" if value is None else ""
    return CheckResult(
        item.name,
        item.metric,
        period,
        value,
        str(item.warn) if item.warn else None,
        str(item.fail) if item.fail else None,
        outcome.value,
        message,
    )


def _family_values(
    run: Run, family: str, period: Period, item: Check, paths: dict[str, str | None]
) -> dict[str, object]:
    """The values of one metric family for a period, limited to the check's segment."""
    import polars as pl

    from csmetrics.errors import ConfigError
    from csmetrics.metrics.nps import compute_nps
    from csmetrics.metrics.revenue import compute_bridge, customers_where
    from csmetrics.metrics.support import compute_support

    kind = {"revenue": "subscriptions", "support": "tickets", "nps": "surveys"}[family]
    frame = run.loaded[kind].frame
    if item.where:
        direct = {
            key: value
            for key, value in item.where.items()
            if key in frame.columns and kind != "subscriptions"
        }
        for key, value in direct.items():
            frame = frame.filter(frame[key].cast(pl.String) == value)
        by_customer = {key: value for key, value in item.where.items() if key not in direct}
        if by_customer:
            if "subscriptions" not in run.loaded:
                if _read_options(run, "subscriptions", paths["subscriptions"]) is None:
                    raise ConfigError(
                        f"check '{item.name}': where {', '.join(by_customer)} needs a subscriptions file "
                        "for customer attributes",
                        path=item.path,
                        line=item.line,
                    )
                _load(run, "subscriptions", paths["subscriptions"])
            subs = run.loaded["subscriptions"].frame
            missing = [key for key in by_customer if key not in subs.columns]
            if missing:
                raise ConfigError(
                    f"check '{item.name}': no attribute '{missing[0]}' in the inputs",
                    path=item.path,
                    line=item.line,
                )
            customers = customers_where(subs, period, run.as_of, by_customer)
            frame = frame.filter(frame["customer_id"].is_in(customers.implode()))
    if family == "revenue":
        return compute_bridge(frame, period, run.as_of).values()
    if family == "support":
        return compute_support(frame, period, run.as_of).values()
    return compute_nps(frame, period, run.as_of).values()


EXAMPLES_VALIDATE = """
Examples:

  csm validate -s subscriptions.csv -t tickets.csv --surveys nps.csv

  csm validate -s subscriptions.csv --format json --max-errors 1000
"""


@app.command(epilog=EXAMPLES_VALIDATE)
def validate(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    tickets: Tickets = None,
    surveys: Surveys = None,
    invoices: Invoices = None,
    customers: Customers = None,
    usage: UsageFile = None,
    spend: Annotated[
        str | None,
        typer.Option(
            "--spend", metavar="FILE", envvar="CSM_SPEND", help="Spend file (date, amount) for csm ltv."
        ),
    ] = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", envvar="CSM_FORMAT", help="table or json [default: table]."),
    ] = None,
    output: Output = None,
    max_errors: Annotated[
        int, typer.Option("--max-errors", min=1, help="List at most this many problems per rule.")
    ] = 100,
    demo: Demo = False,
    preset: PresetOption = None,
    glob: GlobOption = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Check input files and list every problem at once: exit 3 when any is an error.

    Errors: values that do not parse, duplicate ids, overlapping rows, ends before starts,
    negative MRR, mixed currencies, out-of-range scores. Warnings: dates after --as-of, MRR 0
    on a paid plan, customers in tickets or surveys that no subscription has.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.io.validate import Validation, unknown_customers, validate_input
        from csmetrics.render import make_console, render_validation, validation_json
        from csmetrics.report import InputInfo

        _no_files_with_demo(
            ctx,
            demo,
            subscriptions=subscriptions,
            tickets=tickets,
            surveys=surveys,
            customers=customers,
            usage=usage,
        )
        run = _prepare(**_options(options, period=None, start=None, end=None, output_format=None))
        flags = {
            "subscriptions": subscriptions,
            "tickets": tickets,
            "surveys": surveys,
            "invoices": invoices,
            "customers": customers,
            "usage": usage,
            "spend": spend,
        }
        chosen = {kind: _read_options(run, kind, path) for kind, path in flags.items()}
        given = {kind: options for kind, options in chosen.items() if options is not None}
        if not given:
            raise UsageError(
                "nothing to validate: give -s, -t, --surveys, --invoices, --customers, --usage or "
                "--spend FILE (or try --demo)"
            )
        validation = Validation([])
        checked = {
            kind: validate_input(kind, options, run.tz, run.as_of, max_errors, validation)
            for kind, options in given.items()
        }
        subs = checked.get("subscriptions")
        for kind in ("tickets", "surveys", "usage"):
            other = checked.get(kind)
            if subs is not None and other is not None:
                unknown_customers(other, subs, max_errors, validation)
        if demo:
            shown = {str(options.path): f"demo:{kind}.csv" for kind, options in given.items()}
            validation.findings = [
                replace(item, file=shown.get(item.file, item.file)) for item in validation.findings
            ]
        inputs = [
            InputInfo(kind, f"demo:{kind}.csv" if demo else item.table.path, item.frame.height)
            for kind, item in checked.items()
            if item
        ]
        fmt = output_format or OutputFormat(run.config.format or "table")
        if fmt is OutputFormat.csv:
            raise UsageError("csm validate writes a table or JSON (--format table|json)")
        if fmt is OutputFormat.json:
            _write(run, validation_json(validation.findings, validation.errors, validation.warnings))
        elif output is None:
            render_validation(
                validation.findings, validation.errors, validation.warnings, inputs, make_console()
            )
        else:
            _write(
                run,
                _table_text(
                    lambda console: render_validation(
                        validation.findings, validation.errors, validation.warnings, inputs, console
                    )
                ),
            )
        if validation.errors:
            raise typer.Exit(int(ExitCode.DATA))

    _guarded(debug, body)


EXAMPLES_SNAPSHOT = """
Examples:

  csm snapshot --demo --output-dir history/

  csm snapshot -s subscriptions.csv -t tickets.csv --surveys nps.csv -p last-month --output-dir /var/lib/csm
"""


@app.command(epilog=EXAMPLES_SNAPSHOT)
def snapshot(
    ctx: typer.Context,
    output_dir: Annotated[
        str, typer.Option("--output-dir", "-d", metavar="DIR", help="Folder for the dated JSON files.")
    ],
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    surveys: Surveys = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    demo: Demo = False,
    preset: PresetOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Write one dated JSON per metric family (revenue, support, nps) for cron to keep a history.

    Files are named FAMILY-PERIOD.json (revenue-2023-12.json) and replaced atomically when the
    same period is run again. Their paths are printed on stdout.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.io.writers import write_atomic
        from csmetrics.metrics.nps import compute_nps
        from csmetrics.metrics.revenue import compute_bridge
        from csmetrics.metrics.support import compute_support
        from csmetrics.render import to_json

        _no_files_with_demo(ctx, demo, subscriptions=subscriptions, tickets=tickets, surveys=surveys)
        run = _prepare(**_options(options, output_format=None, output=None))
        folder = Path(output_dir)
        if not folder.is_dir():
            raise UsageError(f"--output-dir {output_dir} is not a folder")
        flags = {"subscriptions": subscriptions, "tickets": tickets, "surveys": surveys}
        available = [kind for kind, path in flags.items() if _read_options(run, kind, path) is not None]
        if not available:
            raise UsageError("nothing to snapshot: give -s, -t or --surveys FILE (or try --demo)")
        families = {
            "subscriptions": ("revenue", "mrr"),
            "tickets": ("support", "support"),
            "surveys": ("nps", "nps"),
        }
        label = run.period.label.replace("..", "_")
        inputs = {kind: _load(run, kind, flags[kind]) for kind in available}
        crm = run.loaded.get("customers")
        for kind, loaded in inputs.items():
            run.loaded.clear()
            run.loaded[kind] = loaded
            if kind == "subscriptions" and crm is not None:
                run.loaded["customers"] = crm
            family, command = families[kind]
            if kind == "subscriptions":
                values = compute_bridge(loaded.frame, run.period, run.as_of).values()
            elif kind == "tickets":
                values = compute_support(loaded.frame, run.period, run.as_of).values()
            else:
                values = compute_nps(loaded.frame, run.period, run.as_of).values()
            target = folder / f"{family}-{label}.json"
            write_atomic(str(target), to_json(_report(run, command, values)))
            typer.echo(str(target))
        if not run.period.is_complete(run.as_of):
            run.warn(f"period {run.period.label} is not over at --as-of {run.as_of.isoformat()}")

    _guarded(debug, body)


class Granularity(StrEnum):
    """The length of each period of a series."""

    month = "month"
    quarter = "quarter"


EXAMPLES_TREND = """
Examples:

  csm trend --demo --metric nrr --months 6 --target 1.0

  csm trend -s subscriptions.csv --metric nrr,grr,logo_churn_rate --from 2023-01 --to 2023-12

  csm trend -s subscriptions.csv --metric nrr --granularity quarter -p 2023 --format csv
"""


@app.command(epilog=EXAMPLES_TREND)
def trend(
    ctx: typer.Context,
    metric: Annotated[
        str, typer.Option("--metric", "-m", metavar="NAMES", help="Metrics to follow, comma-separated.")
    ] = "nrr",
    months: Annotated[
        int | None,
        typer.Option("--months", "-n", min=1, help="The N months before --as-of's month [default: 6]."),
    ] = None,
    granularity: Annotated[
        Granularity, typer.Option("--granularity", "-g", help="Periods of a month or a quarter.")
    ] = Granularity.month,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            metavar="VALUE",
            help="A goal for the first metric (1.0 = 100%); shows the gap per period.",
        ),
    ] = None,
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    surveys: Surveys = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    preset: PresetOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """A metric over time: one row per month or quarter, a sparkline and the direction.

    Revenue metrics come from one pass over the data; each period equals the one-period command.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.catalog import FAMILIES, INPUT_OF, all_metrics, family_of
        from csmetrics.metrics.trend import least_squares_slope
        from csmetrics.render import make_console, render_series, series_csv, series_json
        from csmetrics.report import InputInfo, SeriesReport

        names = [name.strip() for name in metric.split(",") if name.strip()]
        unknown = [name for name in names if name not in all_metrics()]
        if not names or unknown:
            raise UsageError(
                f"unknown metric '{(unknown or [metric])[0]}': use one of {', '.join(sorted(all_metrics()))}"
            )
        if months is not None and (period is not None or start is not None or end is not None):
            raise UsageError("give --months or a period (--period, --from/--to), not both")
        _no_files_with_demo(ctx, demo, subscriptions=subscriptions, tickets=tickets, surveys=surveys)
        run = _prepare(**_options(options, period=None, start=None, end=None))
        periods = _series_periods(run, months, period, start, end, granularity)
        families = sorted({family_of(name) for name in names}, key=list(FAMILIES).index)
        paths = {"subscriptions": subscriptions, "tickets": tickets, "surveys": surveys}
        per_period: list[dict[str, object]] = [{} for _ in periods]
        for family in families:
            frame = _load(run, INPUT_OF[family], paths[INPUT_OF[family]]).frame
            for index, values in enumerate(_family_series(family, frame, periods, run.as_of)):
                per_period[index].update(values)
        slopes = {
            name: least_squares_slope(
                [None if v.get(name) is None else float(str(v[name])) for v in per_period]
            )
            for name in names
        }
        inputs = [InputInfo(item.kind, item.path, item.rows) for item in run.loaded.values()]
        report = SeriesReport(
            "trend",
            run.as_of,
            inputs,
            names,
            list(zip(periods, per_period, strict=True)),
            slopes,
            target,
            _currency(run),
        )
        if run.output_format is OutputFormat.json:
            _write(run, series_json(report))
        elif run.output_format is OutputFormat.csv:
            _write(run, series_csv(report))
        elif output is None:
            render_series(report, make_console())
        else:
            _write(run, _table_text(lambda console: render_series(report, console)))
        if not periods[-1].is_complete(run.as_of):
            run.warn(f"period {periods[-1].label} is not over at --as-of {run.as_of.isoformat()}")

    _guarded(debug, body)


def _series_periods(
    run: Run,
    months: int | None,
    period: str | None,
    start: str | None,
    end: str | None,
    granularity: Granularity,
) -> list[Period]:
    """The periods of a series: --months N, or the months (quarters) of --period or --from/--to."""
    from csmetrics.metrics.trend import last_months, month_periods, quarter_periods

    if period is None and start is None and end is None:
        chosen = last_months(run.as_of, months or 6)
        if granularity is Granularity.quarter:
            chosen = quarter_periods(chosen[0].start, chosen[-1].last_day)
    else:
        span = resolve_period(period, start, end, run.as_of)
        split = quarter_periods if granularity is Granularity.quarter else month_periods
        chosen = split(span.start, span.last_day)
    known = [item for item in chosen if item.start <= run.as_of]
    if len(known) < len(chosen):
        run.warn(f"{len(chosen) - len(known)} periods start after --as-of {run.as_of.isoformat()}: left out")
    if not known:
        raise UsageError(f"every period starts after --as-of {run.as_of.isoformat()}: nothing is known yet")
    return known


def _family_series(family: str, frame: Any, periods: list[Period], as_of: date) -> list[dict[str, object]]:
    """One family's values for every period: the revenue bridge in one pass, the others per period."""
    from csmetrics.metrics.nps import compute_nps
    from csmetrics.metrics.revenue import nrr_points
    from csmetrics.metrics.support import compute_support
    from csmetrics.metrics.trend import bridge_series

    if family == "revenue":
        out = []
        for _, bridge in bridge_series(frame, periods, as_of):
            values = bridge.values()
            points = nrr_points(bridge)
            values["nrr_churn_points"] = points.churn if points else None
            values["nrr_contraction_points"] = points.contraction if points else None
            values["nrr_expansion_points"] = points.expansion if points else None
            out.append(values)
        return out
    if family == "support":
        return [compute_support(frame, item, as_of).values() for item in periods]
    return [compute_nps(frame, item, as_of).values() for item in periods]


EXAMPLES_REASONS = """
Examples:

  csm reasons --demo -p 2025-Q4

  csm reasons -s subscriptions.csv -p 2023 --top 5 --by plan

  csm reasons -s subscriptions.csv -p 2023-Q4 --format csv
"""


@app.command(epilog=EXAMPLES_REASONS)
def reasons(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    top: Annotated[int, typer.Option("--top", min=1, help="How many reasons the table names.")] = 3,
    by: Annotated[
        str | None, typer.Option("--by", metavar="ATTRIBUTE", help="Split by plan or another attribute.")
    ] = None,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Why customers leave: churned customers and MRR by cancel reason, top reasons first."""

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.reasons import churn_reasons, churn_reasons_by
        from csmetrics.render import make_console, render_reasons, rows_csv, to_json

        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
        frame = run.subscriptions.frame
        result = churn_reasons(frame, run.period, run.as_of)
        report = _report(run, "reasons", result.values())
        if by is not None:
            _check_attribute(run, by)
            groups = churn_reasons_by(frame, run.period, run.as_of, by)
            report = replace(report, groups=[(name, part.values()) for name, part in groups], group_by=by)
        if run.output_format is OutputFormat.json:
            _write(run, to_json(report))
        elif run.output_format is OutputFormat.csv:
            sections = report.groups if report.groups is not None else [("", report.values)]
            rows = [
                [name, reason, entry["customers"], entry["share"], entry["churned_mrr"], entry["mrr_share"]]
                for name, values in sections
                for reason, entry in _by_reason(values).items()
            ]
            columns = [by or "segment", "reason", "customers", "share", "churned_mrr", "mrr_share"]
            _write(run, rows_csv(columns if by else columns[1:], rows if by else [row[1:] for row in rows]))
        elif output is None:
            render_reasons(report, top, make_console())
        else:
            _write(run, _table_text(lambda console: render_reasons(report, top, console)))
        _warn_if_open(run)

    _guarded(debug, body)


def _by_reason(values: dict[str, object]) -> dict[str, dict[str, Any]]:
    by_reason = values["by_reason"]
    assert isinstance(by_reason, dict)
    return by_reason


def _check_attribute(run: Run, by: str) -> None:
    """--by must name plan or an attribute column of the subscriptions file."""
    subs = run.subscriptions
    if by not in subs.frame.columns or by in {"mrr_cents", "started_at", "ended_at"}:
        choices = ", ".join(["plan", *subs.attributes])
        raise UsageError(f"cannot split by '{by}': use one of {choices}")


def _warn_if_open(run: Run) -> None:
    if not run.period.is_complete(run.as_of):
        run.warn(
            f"period {run.period.label} is not over at --as-of {run.as_of.isoformat()}: "
            "its closing state is taken at the end of that day"
        )


EXAMPLES_COHORTS = """
Examples:

  csm cohorts --demo --from 2025-01 --to 2025-12

  csm cohorts -s subscriptions.csv --from 2023-01 --to 2023-12 --revenue

  csm cohorts -s subscriptions.csv --months 12 --format csv
"""


@app.command(epilog=EXAMPLES_COHORTS)
def cohorts(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    months: Annotated[
        int | None,
        typer.Option("--months", "-n", min=1, help="The N months before --as-of's month [default: 12]."),
    ] = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    revenue: Annotated[bool, typer.Option("--revenue", help="Retained MRR instead of customers.")] = False,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Retention by start month: how many customers (or how much MRR) each cohort keeps.

    A customer's cohort is the month of its first day with MRR > 0; M0, M1, … count those still
    paying at the end of each later month.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.cohorts import retention_matrix
        from csmetrics.periods import Period
        from csmetrics.render import make_console, render_cohorts, rows_csv, to_json

        if months is not None and (period is not None or start is not None or end is not None):
            raise UsageError("give --months or a period (--period, --from/--to), not both")
        _no_files_with_demo(ctx, demo, subscriptions=subscriptions)
        run = _prepare(**_options(options, period=None, start=None, end=None, main_kind="subscriptions"))
        chosen = _series_periods(run, months or 12, period, start, end, Granularity.month)
        span = Period(f"{chosen[0].label}..{chosen[-1].label}", chosen[0].start, chosen[-1].end)
        run = replace(run, period=span)
        frame = _load(run, "subscriptions", subscriptions).frame
        result = retention_matrix(frame, chosen[0], chosen[-1], run.as_of, revenue=revenue)
        if not result.cohorts:
            run.warn(f"no month from {chosen[0].label} to {chosen[-1].label} is over at --as-of {run.as_of}")
        report = _report(run, "cohorts", result.values())
        if run.output_format is OutputFormat.json:
            _write(run, to_json(report))
        elif run.output_format is OutputFormat.csv:
            width = max((len(row.retained) for row in result.cohorts), default=0)
            base = "starting_mrr" if revenue else "customers"
            columns = ["cohort", "customers", *([base] if revenue else []), *(f"m{k}" for k in range(width))]
            rows = [
                [
                    entry["cohort"],
                    entry["customers"],
                    *([entry["starting_mrr"]] if revenue else []),
                    *entry["retained"],
                    *[None] * (width - len(entry["retained"])),
                ]
                for entry in _cohort_entries(report.values)
            ]
            _write(run, rows_csv(columns, rows))
        elif output is None:
            render_cohorts(report, revenue, make_console())
        else:
            _write(run, _table_text(lambda console: render_cohorts(report, revenue, console)))

    _guarded(debug, body)


def _cohort_entries(values: dict[str, object]) -> list[dict[str, Any]]:
    entries = values["cohorts"]
    assert isinstance(entries, list)
    return entries


EXAMPLES_SEGMENTS = """
Examples:

  csm segments --demo -p 2025 --by industry,company_size,tenure,tickets

  csm segments -s subscriptions.csv -t tickets.csv -p 2023-Q4 --by plan,tenure,tickets --format csv
"""


@app.command(epilog=EXAMPLES_SEGMENTS)
def segments(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="TRAITS",
            help="Comma-separated traits: plan or any attribute column, tenure (at the start), "
            "tickets (opened in the 90 days before the period; needs -t), usage (needs --usage).",
        ),
    ] = "plan,tenure",
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    usage: UsageFile = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Who churns: churn rate, NRR and customers per segment, sorted by lift against everyone.

    Each segment's numbers are the revenue rules run on its customers; segments with fewer than
    30 customers at the start are flagged and show a 95% interval for their churn rate.
    """

    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.segments import (
            attribute_trait,
            segment_bridges,
            tenure_trait,
            ticket_trait,
            usage_trait,
        )
        from csmetrics.render import make_console, render_segments, rows_csv, to_json

        traits = [name.strip() for name in by.split(",") if name.strip()]
        if not traits:
            raise UsageError("--by needs at least one trait")
        _no_files_with_demo(ctx, demo, tickets=tickets, usage=usage)
        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
        frame = run.subscriptions.frame
        built = {}
        for trait in traits:
            if trait == "tenure":
                built[trait] = tenure_trait(frame, run.period)
            elif trait == "tickets":
                ticket_frame = _load(run, "tickets", tickets).frame
                built[trait] = ticket_trait(frame, ticket_frame, run.period)
            elif trait == "usage":
                usage_frame = _load(run, "usage", usage).frame
                built[trait] = usage_trait(frame, usage_frame, run.period)
            else:
                _check_attribute(run, trait)
                built[trait] = attribute_trait(frame, run.period, run.as_of, trait)
        found = segment_bridges(frame, run.period, run.as_of, built)
        from csmetrics.metrics.revenue import compute_bridge

        overall = compute_bridge(frame, run.period, run.as_of).values()
        report = _report(run, "segments", {"segments": [item.values() for item in found], "overall": overall})
        if run.output_format is OutputFormat.json:
            _write(run, to_json(report))
        elif run.output_format is OutputFormat.csv:
            entries = [item.values() for item in found]
            columns = list(entries[0]) if entries else ["trait", "value"]
            _write(run, rows_csv(columns, [[entry[column] for column in columns] for entry in entries]))
        elif output is None:
            render_segments(report, make_console())
        else:
            _write(run, _table_text(lambda console: render_segments(report, console)))
        _warn_if_open(run)

    _guarded(debug, body)


class InputKind(StrEnum):
    """The kinds of input csm reads."""

    subscriptions = "subscriptions"
    tickets = "tickets"
    surveys = "surveys"
    customers = "customers"
    usage = "usage"
    invoices = "invoices"


EXAMPLES_COLUMNS = """
Examples:

  csm columns --demo --kind tickets

  csm columns subscriptions.csv

  csm columns export.csv --preset stripe

  csm columns zgloszenia.xlsx --kind tickets --map ticket_id="Numer zgłoszenia"
"""


@app.command(epilog=EXAMPLES_COLUMNS)
def columns(
    file: Annotated[
        str | None, typer.Argument(metavar="[FILE]", help="The file to look at, or - for stdin.")
    ] = None,
    kind: Annotated[
        InputKind | None,
        typer.Option(
            "--kind", "-k", help="What the file holds [default: the preset's kind, else subscriptions]."
        ),
    ] = None,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    tz: Tz = None,
    output_format: Annotated[
        OutputFormat | None, typer.Option("--format", "-f", help="table or json [default: table].")
    ] = None,
    demo: Demo = False,
    config: Config = None,
    debug: Debug = False,
) -> None:
    """Show how each header of a file maps onto csm's columns, before computing anything.

    Lists every header with the csm column it feeds (by name, built-in alias, your mapping or a
    preset), a sample value, and the required columns still missing.
    """

    def body() -> None:
        from csmetrics.config import load_config
        from csmetrics.io.columns import describe_columns, parse_map_option
        from csmetrics.io.presets import PRESET_KINDS
        from csmetrics.io.source import ReadOptions, with_flags
        from csmetrics.render import columns_json, make_console, render_columns

        if preset is not None and preset not in PRESET_KINDS:
            raise UsageError(f"unknown preset '{preset}': use one of {', '.join(PRESET_KINDS)}")
        chosen = kind.value if kind is not None else PRESET_KINDS.get(preset or "", "subscriptions")
        if (file is None) == (not demo):
            raise UsageError("give a FILE or --demo (not both)")
        if file is None:
            from csmetrics.data import demo_path

            path = str(demo_path(chosen))
        else:
            path = file
        config_data, _ = load_config(config)
        section = config_data.section(chosen)
        settings = section.model_copy(update={"path": path})
        options = with_flags(
            ReadOptions(**settings.model_dump()),
            preset=preset,
            columns=parse_map_option(maps, chosen) if maps else None,
            sheet=sheet,
            input_format=input_format,
        )
        report = describe_columns(chosen, options, _check_tz(tz or config_data.tz or "UTC"))
        if output_format is OutputFormat.json:
            sys.stdout.write(columns_json(report))
        else:
            render_columns(report, make_console())
        if report.missing:
            raise typer.Exit(int(ExitCode.DATA))

    _guarded(debug, body)


EXAMPLES_ONBOARDING = """
Examples:

  csm onboarding --demo -p 2025

  csm onboarding -s subscriptions.csv -p 2023 --window 14 --trials --format csv
"""


@app.command(epilog=EXAMPLES_ONBOARDING)
def onboarding(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    window: Annotated[
        int, typer.Option("--window", min=0, help="Days after registration a payment counts.")
    ] = 30,
    trials: Annotated[
        bool, typer.Option("--trials", help="Also count trials (MRR-0 rows before paying).")
    ] = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """From sign-up to first payment: how many registered accounts paid within --window days, and how fast.

    Registration is registered_at (else the first row's start); the first payment is the first
    day with MRR above 0.
    """
    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.onboarding import onboarding as compute
        from csmetrics.report import Listing

        run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
        crm = run.loaded.get("customers")
        result = compute(
            run.subscriptions.frame,
            run.period,
            run.as_of,
            window_days=window,
            trials=trials,
            customers=crm.frame if crm is not None else None,
        )
        rows = [{"month": label, **values} for label, values in result.by_month()]
        columns = ("month", *result.values())
        report = replace(
            _report(run, "onboarding", result.values()),
            listing=Listing("months", "By month of registration", columns, rows),
        )
        if result.registered_from_first_row:
            _note(
                run,
                report,
                f"{_count(result.registered_from_first_row, 'account')} without registered_at: the first "
                "row's start stands in for registration",
            )
        if result.crm_only:
            _note(
                run,
                report,
                f"{_count(result.crm_only, 'account')} of the customers file without any subscription: "
                "counted as registered, never paid",
            )
        if result.crm_undated:
            _note(
                run,
                report,
                f"{_count(result.crm_undated, 'account')} of the customers file without any subscription "
                "or registered_at: left out (no registration day places them in a period)",
            )
        _emit(run, report)

    _guarded(debug, body)


EXAMPLES_RENEWALS = """
Examples:

  csm renewals --demo --within 60

  csm renewals -s subscriptions.csv --within 30 --format csv
"""


@app.command(epilog=EXAMPLES_RENEWALS)
def renewals(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    surveys: Surveys = None,
    usage: UsageFile = None,
    within: Annotated[int, typer.Option("--within", min=0, help="Days ahead of --as-of to look.")] = 30,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Licences that end within --within days of --as-of, with MRR and ARR at stake and health.

    A licence ends on expires_at (its last valid day); renewals already past it are listed apart.
    Each renewal shows the customer's health score (csm health), from the inputs given.
    """
    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.renewals import renewals as compute
        from csmetrics.render import make_console, render_table, rows_csv, to_json

        _no_files_with_demo(
            ctx, demo, subscriptions=subscriptions, tickets=tickets, surveys=surveys, usage=usage
        )
        run = _prepare(**_options(options, period=None, start=None, end=None, main_kind="subscriptions"))
        window = Period(f"next {within} days", run.as_of, run.as_of + timedelta(days=within + 1))
        run = replace(run, period=window)
        _load(run, "subscriptions", subscriptions)
        result = compute(run.subscriptions.frame, run.as_of, within_days=within)
        scored = _health(run, tickets=tickets, surveys=surveys, usage=usage)
        scores = {row.customer_id: row.score for row in scored.customers}
        values = result.values()
        for key in ("renewals", "past_due"):
            for entry in _entries(values, key):
                entry["health"] = scores.get(str(entry["customer_id"]))
        report = _report(run, "renewals", values)
        if result.without_expiry:
            _note(
                run,
                report,
                f"{_count(result.without_expiry, 'active customer')} without expires_at: renewal unknown",
            )
        if scored.missing_inputs:
            _note(
                run,
                report,
                f"health leaves out the signals of {', '.join(scored.missing_inputs)} (no file given): "
                "see csm health --help",
            )
        if run.output_format is OutputFormat.csv:
            columns = [
                "status",
                "customer_id",
                "plan",
                "mrr",
                "arr",
                "expires_at",
                "days_left",
                "cancellation_scheduled",
                "health",
            ]
            rows = [
                [status, *[entry[column] for column in columns[1:]]]
                for status, key in (("due", "renewals"), ("past_due", "past_due"))
                for entry in _entries(report.values, key)
            ]
            _write(run, rows_csv(columns, rows))
        elif run.output_format is OutputFormat.json:
            _write(run, to_json(report))
        elif run.output in (None, "-"):
            render_table(report, make_console())
        else:
            _write(run, _table_text(lambda console: render_table(report, console)))

    _guarded(debug, body)


EXAMPLES_HEALTH = """
Examples:

  csm health --demo

  csm health --demo --explain C0042

  csm health -s subscriptions.csv -t tickets.csv --surveys nps.csv --usage usage.csv --format csv
"""


@app.command(epilog=EXAMPLES_HEALTH)
def health(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    tickets: Tickets = None,
    surveys: Surveys = None,
    usage: UsageFile = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CUSTOMER", help="Show one customer's signals, values and points."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, help="Rows per list in the table (0 = all); JSON and CSV list all."),
    ] = 20,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """A 0–100 health score per paying customer, the accounts at risk and the upsell candidates.

    Signals: MRR change over 3 months, tenure, tickets against plan peers, unresolved tickets, CSAT,
    latest NPS answer, usage against the plan limit, days to renewal. A signal without data is
    left out and the others re-weighted; weights and thresholds live in [health] in csm.toml.
    """
    options = dict(locals())

    def body() -> None:
        from csmetrics.render import health_rows, make_console, render_health, rows_csv, to_json

        _no_files_with_demo(
            ctx,
            demo,
            subscriptions=subscriptions,
            customers=customers,
            tickets=tickets,
            surveys=surveys,
            usage=usage,
        )
        run = _prepare(**_options(options, period=None, start=None, end=None, main_kind="subscriptions"))
        run = replace(
            run, period=Period(f"as of {run.as_of.isoformat()}", run.as_of, run.as_of + timedelta(days=1))
        )
        _load(run, "subscriptions", subscriptions)
        result = _health(run, tickets=tickets, surveys=surveys, usage=usage)
        if explain is not None:
            found = result.find(explain)
            if found is None:
                raise UsageError(
                    f"customer '{explain}' does not pay at the end of {run.as_of.isoformat()}: "
                    "health covers customers with MRR above 0 on the as-of day"
                )
            report = _report(run, "health", found.entry(explain=True) | _crm_attributes(run, [explain])[0])
        else:
            values = result.values()
            for key in ("customers", "at_risk", "upsell"):
                entries = _entries(values, key)
                extra = _crm_attributes(run, [str(entry["customer_id"]) for entry in entries])
                for entry, attributes in zip(entries, extra, strict=True):
                    entry.update(attributes)
            report = _report(run, "health", values)
        for name in result.missing_inputs:
            _note(run, report, _MISSING_SIGNALS[name])
        if run.output_format is OutputFormat.json:
            _write(run, to_json(report))
        elif run.output_format is OutputFormat.csv:
            columns, rows = health_rows(report)
            _write(run, rows_csv(columns, rows))
        elif run.output in (None, "-"):
            render_health(report, make_console(), limit)
        else:
            _write(run, _table_text(lambda console: render_health(report, console, limit)))

    _guarded(debug, body)


def _crm_attributes(run: Run, customer_ids: list[str]) -> list[dict[str, object]]:
    """Per customer, ``{"attributes": {name: value}}`` from the customers file (owner, industry, …),
    or nothing when no customers file was read."""
    crm = run.loaded.get("customers")
    if crm is None:
        return [{} for _ in customer_ids]
    names = [name for name in crm.frame.columns if name not in ("customer_id", "registered_at")]
    known = {
        str(row[0]): dict(zip(names, row[1:], strict=True))
        for row in crm.frame.select("customer_id", *names).iter_rows()
    }
    empty = dict.fromkeys(names)
    return [{"attributes": known.get(customer_id, empty)} for customer_id in customer_ids]


_MISSING_SIGNALS = {
    "tickets": "no tickets file: ticket_volume, unresolved_tickets and csat are left out (give -t FILE)",
    "surveys": "no surveys file: nps is left out (give --surveys FILE)",
    "usage": "no usage file: usage is left out and there are no upsell candidates (give --usage FILE)",
}


def _health(run: Run, *, tickets: str | None, surveys: str | None, usage: str | None) -> HealthResult:
    """Health scores from the subscriptions and whichever optional inputs are given ([health] rules)."""
    from csmetrics.metrics.health import compute_health

    given = {"tickets": tickets, "surveys": surveys, "usage": usage}
    frames = {
        kind: _load(run, kind, path).frame
        for kind, path in given.items()
        if _read_options(run, kind, path) is not None
    }
    return compute_health(run.subscriptions.frame, run.as_of, _health_rules(run), **frames)


def _health_rules(run: Run) -> HealthRules:
    """The [health] section of csm.toml laid over the default rules."""
    from csmetrics.config import section_line
    from csmetrics.errors import ConfigError
    from csmetrics.metrics.health import rules_with

    section = run.config.health
    try:
        return rules_with(
            weights={str(name): weight for name, weight in section.weights.items()},
            bad={name: pair[0] for name, pair in section.thresholds.items()},
            good={name: pair[1] for name, pair in section.thresholds.items()},
            at_risk_below=section.at_risk_below,
            healthy_from=section.healthy_from,
            upsell_usage=section.upsell_usage,
        )
    except ValueError as error:
        path = run.config_file
        line = section_line(path, "health") if path is not None else None
        raise ConfigError(f"[health]: {error}", path=str(path) if path else None, line=line) from None


EXAMPLES_LTV = """
Examples:

  csm ltv --demo -p 2025 --cac 3000 --gross-margin 0.8

  csm ltv -s subscriptions.csv -p 2023 --spend marketing.csv --by plan

  csm ltv --arpa 2777.78 --monthly-churn 0.027778 --cac 10000
"""


@app.command(epilog=EXAMPLES_LTV)
def ltv(
    ctx: typer.Context,
    subscriptions: Subscriptions = None,
    customers: Customers = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    cac: Annotated[
        float | None,
        typer.Option("--cac", metavar="MONEY", help="What winning one customer costs [default: [ltv] cac]."),
    ] = None,
    spend: Annotated[
        str | None,
        typer.Option(
            "--spend",
            metavar="FILE",
            envvar="CSM_SPEND",
            show_envvar=True,
            help="Sales and marketing spend (date, amount): CAC = spend in the period ÷ new customers.",
        ),
    ] = None,
    gross_margin: Annotated[
        float | None,
        typer.Option(
            "--gross-margin",
            metavar="SHARE",
            help="Share of revenue kept after the cost of serving it, in (0, 1] [default: 1].",
        ),
    ] = None,
    arpa: Annotated[
        float | None,
        typer.Option("--arpa", metavar="MONEY", help="Use this ARPA instead of the measured one (what-if)."),
    ] = None,
    monthly_churn: Annotated[
        float | None,
        typer.Option(
            "--monthly-churn",
            metavar="RATE",
            help="Use this monthly logo churn (0.03 = 3%) instead of the measured one (what-if).",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="ATTRIBUTE", help="The same figures per plan or customer attribute."),
    ] = None,
    preset: PresetOption = None,
    maps: MapOption = None,
    sheet: SheetOption = None,
    input_format: InputFormatOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Customer lifetime value and CAC payback: what a customer is worth, and how fast its cost comes back.

    CLV = ARPA × gross margin ÷ monthly churn; payback = CAC ÷ (ARPA × gross margin) months.
    With --arpa and --monthly-churn it is a calculator and needs no file.
    """
    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.ltv import compute_ltv, compute_ltv_by

        calculator = arpa is not None and monthly_churn is not None and spend is None and by is None
        if calculator and not demo and subscriptions is None and invoices is None:
            run = _prepare(**_options(options, main_kind="subscriptions"))
            frame = None
        else:
            run = _revenue_run(ctx, subscriptions, **_options(options, main_kind="subscriptions"))
            frame = run.subscriptions.frame
        settings = run.config.ltv
        margin = gross_margin if gross_margin is not None else settings.gross_margin
        if cac is not None and spend is not None:
            raise UsageError("give --cac or --spend, not both")
        spend_cents = None if cac is not None else _spend_cents(run, spend)
        given_cac = cac if cac is not None or spend_cents is not None else settings.cac
        figures: dict[str, Any] = {
            "gross_margin": 1.0 if margin is None else margin,
            "cac": given_cac,
            "arpa": arpa,
            "monthly_churn": monthly_churn,
        }
        try:
            result = compute_ltv(frame, run.period, run.as_of, spend_cents=spend_cents, **figures)
            groups = None
            if by is not None and frame is not None:
                _check_attribute(run, by)
                groups = compute_ltv_by(frame, run.period, run.as_of, by, spend_cents=spend_cents, **figures)
        except ValueError as error:
            raise UsageError(str(error)) from None
        report = _report(run, "ltv", result.values())
        if groups is not None:
            report = replace(report, groups=[(name, item.values()) for name, item in groups], group_by=by)
        group_notes = [f"{by} {name}: {note}" for name, item in groups or [] for note in item.notes]
        for note in dict.fromkeys([*result.notes, *group_notes]):
            _note(run, report, note)
        _emit(run, report)

    _guarded(debug, body)


def _spend_cents(run: Run, path: str | None) -> int | None:
    """The spend of ``--spend FILE`` dated in the months of the period (whole months, as new
    customers are counted) and on or before as-of, in cents."""
    from csmetrics.io.readers import read_spend
    from csmetrics.io.source import ReadOptions

    # the demo has no spend: a --spend file is read beside it
    options = ReadOptions(path=path) if run.demo and path else _read_options(run, "spend", path)
    if options is None:
        return None
    with _progress(run) as progress:
        loaded = read_spend(options, run.tz, progress=progress)
    _warn_skipped(run, loaded)
    run.loaded["spend"] = loaded
    closing = run.period.closing_day(run.as_of)
    inside = loaded.frame.filter(loaded.frame["date"].is_between(run.period.start.replace(day=1), closing))
    return int(inside["amount"].sum())


def _entries(values: dict[str, object], key: str) -> list[dict[str, Any]]:
    entries = values[key]
    assert isinstance(entries, list)
    return entries


EXAMPLES_REQUESTS = """
Examples:

  csm requests --demo -p 2025-Q4

  csm requests -t tickets.csv -s subscriptions.csv -p 2023-Q4 --types bug,feature_request
"""


@app.command(epilog=EXAMPLES_REQUESTS)
def requests(
    ctx: typer.Context,
    tickets: Tickets = None,
    subscriptions: Subscriptions = None,
    invoices: Invoices = None,
    churn_on: ChurnOnOption = ChurnOn.expiry,
    grace_days: GraceDays = 0,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOf = None,
    tz: Tz = None,
    output_format: Format = None,
    output: Output = None,
    demo: Demo = False,
    types: Annotated[
        str, typer.Option("--types", metavar="NAMES", help="Ticket types that are requests, comma-separated.")
    ] = "bug,improvement,feature_request",
    preset: PresetOption = None,
    glob: GlobOption = False,
    skip_bad_rows: SkipBadRows = False,
    config: Config = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Bugs, improvements and feature requests by type, weighed by the MRR of the customers asking."""
    options = dict(locals())

    def body() -> None:
        from csmetrics.metrics.requests import feature_requests
        from csmetrics.render import rows_csv

        names = [name.strip() for name in types.split(",") if name.strip()]
        if not names:
            raise UsageError("--types needs at least one ticket type")
        _no_files_with_demo(ctx, demo, tickets=tickets, subscriptions=subscriptions)
        run = _prepare(**_options(options))
        ticket_frame = _load(run, "tickets", tickets).frame
        subs = _load(run, "subscriptions", subscriptions).frame
        result = feature_requests(ticket_frame, subs, run.period, run.as_of, types=names)
        report = _report(run, "requests", result.values())
        if run.output_format is OutputFormat.csv:
            by_type = report.values["by_type"]
            assert isinstance(by_type, dict)
            rows = [[name, e["tickets"], e["customers"], e["mrr"]] for name, e in by_type.items()]
            _write(run, rows_csv(["type", "tickets", "customers", "mrr"], rows))
        else:
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
