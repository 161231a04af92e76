"""The benchmark tasks, one function per (task, engine), each run in its own child process.

Every function imports its libraries first, then calls ``clock.start()``: the measured time and
the peak RSS cover the work on the file, not the interpreter and import start-up (the RSS after
imports is reported separately as ``base``). Results are plain Python (ints, floats, None, dicts,
lists) so the parent can compare engines exactly: money in integer cents, counts as ints.

Tasks (SPEC §3–4), all for the same as-of day:

* ``bridge``: the one-month MRR bridge of ``PERIOD``.
* ``trend``: the bridge of each of the ``TREND_MONTHS`` months up to ``PERIOD`` (NRR and churn
  trends are rates of these bridges).
* ``support``: support KPIs of the tickets created in ``PERIOD``.
* ``nps``: NPS of the responses given in ``PERIOD``.

Engines:

* ``csm``: csm's own path: the strict reader (read + validate every row) then the metric; for
  ``trend``, 24 × ``compute_bridge``.
* ``csm-series`` (``trend`` only): the reader then ``csmetrics.metrics.trend.bridge_series``, csm's
  one-pass events formulation of a series (``csm trend``), where the csm tree has it.
* ``duckdb``: one SQL query (or a temp table and a few queries) directly on the file.
* ``pandas``: pandas reading only the columns it needs, vectorised numpy/pandas arithmetic.
* ``polars-lazy``: reference, not csm: csm's metric functions on a typed ``scan_*`` of the file
  (projection pushdown, streaming engine), without csm's validation. What csm's metric code
  costs when the reader is not in the way.
* ``polars-events``: reference for ``trend``: the +mrr/−mrr events formulation in polars.
* ``floor``: polars reading just the columns the task needs, typed. No metric is computed.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2025, 12, 31)
PERIOD_START = date(2025, 12, 1)
PERIOD_END = date(2026, 1, 1)
TREND_MONTHS = 24
TZ = "UTC"
OPEN_END = date(9999, 12, 31)

BRIDGE_KEYS = (
    "customers_start",
    "customers_end",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "expanded_customers",
    "contracted_customers",
    "mrr_start",
    "mrr_end",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
)
SUB_COLUMNS = ["customer_id", "mrr", "started_at", "ended_at"]
TICKET_COLUMNS = ["created_at", "first_response_at", "solved_at", "replies", "csat", "channel", "agent"]
SURVEY_COLUMNS = ["responded_at", "score"]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NO_CHANNEL = "(none)"
UNASSIGNED = "(unassigned)"

Result = dict[str, Any] | list[dict[str, Any]] | int


def rss_mb(field_name: str = "VmRSS") -> float:
    """This process's resident set (VmRSS) or its peak (VmHWM) in MB, from /proc/self/status."""
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def busy_cpu_seconds() -> float:
    """CPU seconds all processes on the machine have used (or had stolen) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Clock:
    """Wall time from ``start()`` and named parts; the RSS at start (after imports).

    Also the CPU time other processes took meanwhile (``others``, as a share of all the
    machine's cores over the wall time): on a shared machine it tells a clean measurement from
    one that had to share its cores.
    """

    began: float = 0.0
    base_mb: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    busy_at_start: float = 0.0
    own_at_start: float = 0.0

    def start(self) -> None:
        self.base_mb = rss_mb()
        self.busy_at_start, self.own_at_start = busy_cpu_seconds(), own_cpu_seconds()
        self.began = time.perf_counter()

    def others_share(self) -> float:
        """Share of the machine's CPU capacity used by other processes since ``start()``."""
        wall = self.elapsed()
        others = (busy_cpu_seconds() - self.busy_at_start) - (own_cpu_seconds() - self.own_at_start)
        return max(others, 0.0) / (wall * (os.cpu_count() or 1)) if wall > 0 else 0.0

    @contextlib.contextmanager
    def part(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - began

    def elapsed(self) -> float:
        return time.perf_counter() - self.began


# ---------------------------------------------------------------------------------------------
# periods


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_starts() -> list[date]:
    """First days of the TREND_MONTHS months ending with PERIOD."""
    return [add_months(PERIOD_START, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]


@dataclass(frozen=True)
class Month:
    start: date
    end: date

    @property
    def opening(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def closing(self) -> date:
        return min(self.end - timedelta(days=1), AS_OF)


def month(start: date) -> Month:
    return Month(start, add_months(start, 1))


# ---------------------------------------------------------------------------------------------
# shared result shapes


def bridge_from(values: dict[str, Any]) -> dict[str, int]:
    return {key: int(values.get(key) or 0) for key in BRIDGE_KEYS}


def nps_from(promoters: int, passives: int, detractors: int) -> dict[str, Any]:
    """SPEC §4: nps = 100 (p − d) / n; margin = 196 sqrt((p + d − (p − d)²) / n), shares p, d."""
    n = promoters + passives + detractors
    if n == 0:
        return {
            "responses": 0,
            "promoters": 0,
            "passives": 0,
            "detractors": 0,
            "nps": None,
            "margin_of_error_95": None,
        }
    p, d = promoters / n, detractors / n
    return {
        "responses": n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": 100.0 * (promoters - detractors) / n,
        "margin_of_error_95": 196.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n),
    }


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def support_from(
    scalars: dict[str, Any],
    channels: dict[str, int],
    weekday_hour: dict[tuple[int, int], int],
    agents: list[tuple[str, int, int, int, int, Any]],
) -> dict[str, Any]:
    """The SPEC §4 support values from engine-neutral pieces.

    ``scalars``: tickets, solved, responded, replies_known, replies_sum… see the engines;
    ``weekday_hour``: (ISO weekday 1–7, hour) → tickets; ``agents``: (agent, tickets, solved,
    rated, good, median first response).
    """
    tickets, solved = int(scalars["tickets"]), int(scalars["solved"])
    rated, good = int(scalars["rated"]), int(scalars["good"])
    return {
        "tickets": tickets,
        "solved_tickets": solved,
        "unanswered_tickets": tickets - int(scalars["responded"]),
        "resolution_rate": ratio(solved, tickets),
        "replies_per_solved_ticket": as_float(scalars["replies_mean"]),
        "one_touch_rate": ratio(int(scalars["one_touch"]), int(scalars["replies_known"])),
        "first_response_seconds_median": as_float(scalars["frt_median"]),
        "first_response_seconds_mean": as_float(scalars["frt_mean"]),
        "first_response_seconds_p90": as_float(scalars["frt_p90"]),
        "resolution_seconds_median": as_float(scalars["res_median"]),
        "resolution_seconds_mean": as_float(scalars["res_mean"]),
        "resolution_seconds_p90": as_float(scalars["res_p90"]),
        "csat_responses": rated,
        "csat_score": ratio(good, rated),
        "csat_average": as_float(scalars["csat_mean"]),
        "by_channel": {str(key): int(value) for key, value in channels.items()},
        "by_weekday": {
            name: sum(n for (wd, _), n in weekday_hour.items() if wd == index + 1)
            for index, name in enumerate(WEEKDAYS)
        },
        "by_hour": {
            str(hour): sum(n for (_, hr), n in weekday_hour.items() if hr == hour) for hour in range(24)
        },
        "by_agent": {
            str(agent): {
                "tickets": int(n),
                "solved": int(solved_n),
                "csat_responses": int(rated_n),
                "csat_score": ratio(int(good_n), int(rated_n)),
                "first_response_seconds_median": as_float(median),
            }
            for agent, n, solved_n, rated_n, good_n, median in agents
        },
    }


def bridges_from_events(buckets: list[dict[str, Any]], months: list[date]) -> list[dict[str, int]]:
    """The bridges of consecutive months from per-bucket sums of the events formulation.

    Bucket k (0 = up to the first opening day, k = month k's days) holds: ``dm`` (net MRR change),
    ``dc`` (net change in paying customers) and the movement sums of customers whose MRR changed
    in month k. Opening and closing levels are running sums of ``dm`` and ``dc``.
    """
    by_k = {int(row["k"]): row for row in buckets}
    mrr = int(by_k.get(0, {}).get("dm") or 0)
    customers = int(by_k.get(0, {}).get("dc") or 0)
    out: list[dict[str, int]] = []
    for k in range(1, len(months) + 1):
        row = by_k.get(k, {})
        end_mrr = mrr + int(row.get("dm") or 0)
        end_customers = customers + int(row.get("dc") or 0)
        values = bridge_from(row)
        values.update(customers_start=customers, customers_end=end_customers, mrr_start=mrr, mrr_end=end_mrr)
        out.append(values)
        mrr, customers = end_mrr, end_customers
    return out


# ---------------------------------------------------------------------------------------------
# csm


def _csm_read(kind: str, path: str) -> Any:
    from csmetrics.io import readers
    from csmetrics.io.source import ReadOptions

    read = {
        "subscriptions": readers.read_subscriptions,
        "tickets": readers.read_tickets,
        "surveys": readers.read_surveys,
    }
    return read[kind](ReadOptions(path=path), TZ).frame


def _csm_bridge(frame: Any, start: date) -> dict[str, int]:
    from dataclasses import asdict

    from csmetrics.metrics.revenue import compute_bridge
    from csmetrics.periods import month_period

    return bridge_from(asdict(compute_bridge(frame, month_period(start), AS_OF)))


def csm_bridge(clock: Clock, path: str, fmt: str) -> Result:
    import csmetrics.io.readers
    import csmetrics.metrics.revenue  # noqa: F401

    clock.start()
    with clock.part("read + validate"):
        frame = _csm_read("subscriptions", path)
    with clock.part("compute_bridge only"):
        result = _csm_bridge(frame, PERIOD_START)
    return result


def csm_trend(clock: Clock, path: str, fmt: str) -> Result:
    import csmetrics.io.readers
    import csmetrics.metrics.revenue  # noqa: F401

    clock.start()
    with clock.part("read + validate"):
        frame = _csm_read("subscriptions", path)
    with clock.part("24 × compute_bridge only"):
        result = [_csm_bridge(frame, start) for start in trend_starts()]
    return result


def csm_series_trend(clock: Clock, path: str, fmt: str) -> Result:
    """csm's one-pass series (``csmetrics.metrics.trend.bridge_series``, events formulation)."""
    from dataclasses import asdict

    import csmetrics.io.readers  # noqa: F401
    from csmetrics.metrics.trend import bridge_series
    from csmetrics.periods import month_period

    clock.start()
    with clock.part("read + validate"):
        frame = _csm_read("subscriptions", path)
    with clock.part("bridge_series only"):
        series = bridge_series(frame, [month_period(start) for start in trend_starts()], AS_OF)
    return [bridge_from(asdict(bridge)) for _, bridge in series]


def _support_values(result: Any) -> dict[str, Any]:
    values = dict(result.values())
    values.pop("clock", None)
    return values


def csm_support(clock: Clock, path: str, fmt: str) -> Result:
    from csmetrics.metrics.support import compute_support
    from csmetrics.periods import month_period

    clock.start()
    with clock.part("read + validate"):
        frame = _csm_read("tickets", path)
    with clock.part("compute_support only"):
        result = compute_support(frame, month_period(PERIOD_START), AS_OF)
    return _support_values(result)


def csm_nps(clock: Clock, path: str, fmt: str) -> Result:
    from csmetrics.metrics.nps import compute_nps
    from csmetrics.periods import month_period

    clock.start()
    with clock.part("read + validate"):
        frame = _csm_read("surveys", path)
    with clock.part("compute_nps only"):
        result = compute_nps(frame, month_period(PERIOD_START), AS_OF)
    return dict(result.values())


# ---------------------------------------------------------------------------------------------
# polars: typed scans (floor and reference engines)


FILE_COLUMNS: dict[str, dict[str, str]] = {
    "subscriptions": {
        "subscription_id": "text",
        "customer_id": "text",
        "plan": "text",
        "mrr": "money",
        "currency": "text",
        "started_at": "date",
        "ended_at": "date",
        "cancel_reason": "text",
    },
    "tickets": {
        "ticket_id": "text",
        "customer_id": "text",
        "created_at": "instant",
        "first_response_at": "instant",
        "solved_at": "instant",
        "status": "text",
        "replies": "int",
        "channel": "text",
        "agent": "text",
        "csat": "int",
        "type": "text",
    },
    "surveys": {"response_id": "text", "customer_id": "text", "responded_at": "instant", "score": "int"},
}
"""Every column of the generated files and its type: CSV is read with this schema, never inferred."""


def _polars_schema(kind: str) -> dict[str, Any]:
    import polars as pl

    types = {
        "text": pl.String(),
        "money": pl.Decimal(18, 2),
        "date": pl.Date(),
        "instant": pl.Datetime("us", "UTC"),
        "int": pl.Int64(),
    }
    return {name: types[logical] for name, logical in FILE_COLUMNS[kind].items()}


ISO_Z = "%Y-%m-%dT%H:%M:%SZ"
"""How the generated CSVs write instants (UTC with ``Z``)."""


def polars_scan(kind: str, path: str, fmt: str, columns: list[str]) -> Any:
    """A lazy scan of just ``columns``; CSV with the full explicit schema (no inference).

    Instants are read as text and parsed with their explicit format: polars' CSV reader given a
    ``Datetime`` dtype for ``…Z`` text is about 7× slower (it tries several patterns per value).
    """
    import polars as pl

    if fmt == "parquet":
        return pl.scan_parquet(path).select(columns)
    schema = _polars_schema(kind)
    instants = {name for name, logical in FILE_COLUMNS[kind].items() if logical == "instant"}
    text_schema = {name: pl.String() if name in instants else dtype for name, dtype in schema.items()}
    return pl.scan_csv(path, schema=text_schema).select(
        pl.col(name).str.to_datetime(ISO_Z, time_unit="us").dt.replace_time_zone("UTC")
        if name in instants
        else pl.col(name)
        for name in columns
    )


def _polars_cents() -> Any:
    import polars as pl

    mrr = pl.col("mrr")
    return (mrr * 100).round(0).cast(pl.Int64).alias("mrr_cents")


def floor_read(kind: str, columns: list[str]) -> Callable[[Clock, str, str], Result]:
    def run(clock: Clock, path: str, fmt: str) -> Result:
        import polars as pl

        clock.start()
        frame = polars_scan(kind, path, fmt, columns).collect(engine="streaming")
        assert isinstance(frame, pl.DataFrame)
        return frame.height

    return run


def _streaming() -> None:
    import polars as pl

    pl.Config.set_engine_affinity("streaming")


def polars_lazy_bridge(clock: Clock, path: str, fmt: str) -> Result:
    from dataclasses import asdict

    from csmetrics.metrics.revenue import compute_bridge
    from csmetrics.periods import month_period

    _streaming()
    clock.start()
    scan = polars_scan("subscriptions", path, fmt, SUB_COLUMNS).with_columns(_polars_cents()).drop("mrr")
    return bridge_from(asdict(compute_bridge(scan, month_period(PERIOD_START), AS_OF)))


def polars_lazy_support(clock: Clock, path: str, fmt: str) -> Result:
    import polars as pl

    from csmetrics.metrics.support import compute_support
    from csmetrics.periods import month_period

    _streaming()
    clock.start()
    scan = polars_scan("tickets", path, fmt, TICKET_COLUMNS).with_columns(
        pl.lit(None, dtype=pl.Float64).alias("first_response_minutes"),
        pl.lit(None, dtype=pl.Float64).alias("resolution_minutes"),
    )
    return _support_values(compute_support(scan, month_period(PERIOD_START), AS_OF))


def polars_lazy_nps(clock: Clock, path: str, fmt: str) -> Result:
    from csmetrics.metrics.nps import compute_nps
    from csmetrics.periods import month_period

    _streaming()
    clock.start()
    scan = polars_scan("surveys", path, fmt, SURVEY_COLUMNS)
    return dict(compute_nps(scan, month_period(PERIOD_START), AS_OF).values())


def polars_events_trend(clock: Clock, path: str, fmt: str) -> Result:
    """The events formulation: +mrr at started_at, −mrr at ended_at, bucketed by month, summed."""
    import polars as pl

    _streaming()
    clock.start()
    starts = trend_starts()
    first, last_closing = starts[0], month(starts[-1]).closing
    k0 = first.year * 12 + first.month - 1
    rows = polars_scan("subscriptions", path, fmt, SUB_COLUMNS).with_columns(_polars_cents()).drop("mrr")
    paid = rows.filter(
        (pl.col("mrr_cents") > 0) & (pl.col("ended_at").fill_null(OPEN_END) > pl.col("started_at"))
    )

    def bucket(day: pl.Expr) -> pl.Expr:
        return pl.max_horizontal(
            day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1 - k0 + 1, 0
        )

    events = pl.concat(
        [
            paid.filter(pl.col("started_at") <= last_closing).select(
                "customer_id", bucket(pl.col("started_at")).alias("k"), pl.col("mrr_cents").alias("d")
            ),
            paid.filter(pl.col("ended_at") <= last_closing).select(
                "customer_id", bucket(pl.col("ended_at")).alias("k"), (-pl.col("mrr_cents")).alias("d")
            ),
        ]
    )
    first_paid = paid.group_by("customer_id").agg(bucket(pl.col("started_at").min()).alias("k_paid"))
    m0, m1 = pl.col("m0"), pl.col("m1")
    changes = (
        events.group_by("customer_id", "k")
        .agg(pl.col("d").sum())
        .sort("customer_id", "k")
        .with_columns(m1=pl.col("d").cum_sum().over("customer_id"))
        .with_columns(m0=m1 - pl.col("d"))
        .join(first_paid, on="customer_id", how="left")
        .with_columns(pb=pl.col("k_paid") < pl.col("k"))
    )
    new = (m0 == 0) & (m1 > 0) & ~pl.col("pb")
    reactivated = (m0 == 0) & (m1 > 0) & pl.col("pb")
    churned = (m0 > 0) & (m1 == 0)
    expanded = (m0 > 0) & (m1 > m0)
    contracted = (m1 > 0) & (m1 < m0)
    buckets = (
        changes.group_by("k")
        .agg(
            pl.col("d").sum().alias("dm"),
            ((m1 > 0).cast(pl.Int64) - (m0 > 0).cast(pl.Int64)).sum().alias("dc"),
            new.sum().alias("new_customers"),
            reactivated.sum().alias("reactivated_customers"),
            churned.sum().alias("churned_customers"),
            expanded.sum().alias("expanded_customers"),
            contracted.sum().alias("contracted_customers"),
            m1.filter(new).sum().alias("new_mrr"),
            m1.filter(reactivated).sum().alias("reactivation_mrr"),
            (m1 - m0).filter(expanded).sum().alias("expansion_mrr"),
            (m0 - m1).filter(contracted).sum().alias("contraction_mrr"),
            m0.filter(churned).sum().alias("churned_mrr"),
        )
        .collect()
    )
    assert isinstance(buckets, pl.DataFrame)
    return bridges_from_events(buckets.to_dicts(), starts)


# ---------------------------------------------------------------------------------------------
# DuckDB


def _duck_source(kind: str, path: str, fmt: str) -> str:
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    types = {
        "text": "VARCHAR",
        "money": "DECIMAL(18,2)",
        "date": "DATE",
        "instant": "TIMESTAMPTZ",
        "int": "BIGINT",
    }
    spec = ", ".join(f"'{name}': '{types[logical]}'" for name, logical in FILE_COLUMNS[kind].items())
    options = "header = true, auto_detect = false, delim = ',', quote = '\"'"
    return f"read_csv('{path}', {options}, columns = {{{spec}}})"


def _duck_cents(fmt: str) -> str:
    return "CAST(mrr * 100 AS BIGINT)" if fmt == "csv" else "CAST(round(mrr * 100) AS BIGINT)"


def _duck() -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _rows(connection: Any, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [item[0] for item in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def duckdb_bridge(clock: Clock, path: str, fmt: str) -> Result:
    connection = _duck()
    clock.start()
    m = month(PERIOD_START)
    sql = f"""
    WITH s AS (
        SELECT customer_id, {_duck_cents(fmt)} AS c, started_at,
               coalesce(ended_at, DATE '{OPEN_END}') AS e
        FROM {_duck_source("subscriptions", path, fmt)}
    ), st AS (
        SELECT customer_id,
            coalesce(sum(c) FILTER (WHERE started_at <= DATE '{m.opening}'
                                    AND e > DATE '{m.opening}'), 0) AS m0,
            coalesce(sum(c) FILTER (WHERE started_at <= DATE '{m.closing}'
                                    AND e > DATE '{m.closing}'), 0) AS m1,
            coalesce(bool_or(c > 0 AND started_at < DATE '{m.start}' AND e > started_at), false) AS pb
        FROM s GROUP BY customer_id
    )
    SELECT
        count(*) FILTER (WHERE m0 > 0) AS customers_start,
        count(*) FILTER (WHERE m1 > 0) AS customers_end,
        count(*) FILTER (WHERE m0 = 0 AND m1 > 0 AND NOT pb) AS new_customers,
        count(*) FILTER (WHERE m0 = 0 AND m1 > 0 AND pb) AS reactivated_customers,
        count(*) FILTER (WHERE m0 > 0 AND m1 = 0) AS churned_customers,
        count(*) FILTER (WHERE m0 > 0 AND m1 > m0) AS expanded_customers,
        count(*) FILTER (WHERE m1 > 0 AND m1 < m0) AS contracted_customers,
        sum(m0) AS mrr_start,
        sum(m1) AS mrr_end,
        sum(m1) FILTER (WHERE m0 = 0 AND m1 > 0 AND NOT pb) AS new_mrr,
        sum(m1) FILTER (WHERE m0 = 0 AND m1 > 0 AND pb) AS reactivation_mrr,
        sum(m1 - m0) FILTER (WHERE m0 > 0 AND m1 > m0) AS expansion_mrr,
        sum(m0 - m1) FILTER (WHERE m1 > 0 AND m1 < m0) AS contraction_mrr,
        sum(m0) FILTER (WHERE m0 > 0 AND m1 = 0) AS churned_mrr
    FROM st
    """
    return bridge_from(_rows(connection, sql)[0])


def duckdb_trend(clock: Clock, path: str, fmt: str) -> Result:
    """The events formulation in SQL: per customer and month bucket, the net MRR change."""
    connection = _duck()
    clock.start()
    starts = trend_starts()
    first, last_closing = starts[0], month(starts[-1]).closing
    k0 = first.year * 12 + first.month - 1

    def bucket(day: str) -> str:
        return f"greatest(year({day}) * 12 + month({day}) - 1 - {k0} + 1, 0)"

    sql = f"""
    WITH s AS (
        SELECT customer_id, {_duck_cents(fmt)} AS c, started_at, ended_at
        FROM {_duck_source("subscriptions", path, fmt)}
    ), paid AS (
        SELECT * FROM s WHERE c > 0 AND (ended_at IS NULL OR ended_at > started_at)
    ), ev AS (
        SELECT customer_id, {bucket("started_at")} AS k, c AS d
        FROM paid WHERE started_at <= DATE '{last_closing}'
        UNION ALL
        SELECT customer_id, {bucket("ended_at")} AS k, -c AS d
        FROM paid WHERE ended_at <= DATE '{last_closing}'
    ), kb AS (
        SELECT customer_id, k, sum(d) AS d FROM ev GROUP BY customer_id, k
    ), fp AS (
        SELECT customer_id, {bucket("min(started_at)")} AS k_paid FROM paid GROUP BY customer_id
    ), ch AS (
        SELECT kb.customer_id, kb.k, kb.d,
               sum(kb.d) OVER (PARTITION BY kb.customer_id ORDER BY kb.k) AS m1
        FROM kb
    ), mv AS (
        SELECT ch.k, ch.d, ch.m1, ch.m1 - ch.d AS m0, fp.k_paid < ch.k AS pb
        FROM ch LEFT JOIN fp USING (customer_id)
    )
    SELECT k,
        sum(d) AS dm,
        sum(CAST(m1 > 0 AS BIGINT) - CAST(m0 > 0 AS BIGINT)) AS dc,
        count(*) FILTER (WHERE m0 = 0 AND m1 > 0 AND NOT pb) AS new_customers,
        count(*) FILTER (WHERE m0 = 0 AND m1 > 0 AND pb) AS reactivated_customers,
        count(*) FILTER (WHERE m0 > 0 AND m1 = 0) AS churned_customers,
        count(*) FILTER (WHERE m0 > 0 AND m1 > m0) AS expanded_customers,
        count(*) FILTER (WHERE m1 > 0 AND m1 < m0) AS contracted_customers,
        sum(m1) FILTER (WHERE m0 = 0 AND m1 > 0 AND NOT pb) AS new_mrr,
        sum(m1) FILTER (WHERE m0 = 0 AND m1 > 0 AND pb) AS reactivation_mrr,
        sum(m1 - m0) FILTER (WHERE m0 > 0 AND m1 > m0) AS expansion_mrr,
        sum(m0 - m1) FILTER (WHERE m1 > 0 AND m1 < m0) AS contraction_mrr,
        sum(m0) FILTER (WHERE m0 > 0 AND m1 = 0) AS churned_mrr
    FROM mv GROUP BY k ORDER BY k
    """
    return bridges_from_events(_rows(connection, sql), starts)


def duckdb_support(clock: Clock, path: str, fmt: str) -> Result:
    connection = _duck()
    clock.start()
    upper = min(PERIOD_END, AS_OF + timedelta(days=1))
    connection.execute(
        f"""
        CREATE TEMP TABLE c AS
        SELECT channel, agent, replies, csat,
            isodow(created_at) AS wd, hour(created_at) AS hr,
            solved_at IS NOT NULL AND CAST(solved_at AS DATE) <= DATE '{AS_OF}' AS solved,
            first_response_at IS NOT NULL AND CAST(first_response_at AS DATE) <= DATE '{AS_OF}' AS responded,
            CASE WHEN responded THEN (epoch_us(first_response_at) - epoch_us(created_at)) / 1e6 END AS frt,
            CASE WHEN solved THEN (epoch_us(solved_at) - epoch_us(created_at)) / 1e6 END AS res
        FROM {_duck_source("tickets", path, fmt)}
        WHERE CAST(created_at AS DATE) >= DATE '{PERIOD_START}' AND CAST(created_at AS DATE) < DATE '{upper}'
        """
    )
    scalars = _rows(
        connection,
        """
        SELECT count(*) AS tickets,
            count(*) FILTER (WHERE solved) AS solved,
            count(*) FILTER (WHERE responded) AS responded,
            avg(replies) FILTER (WHERE solved) AS replies_mean,
            count(replies) FILTER (WHERE solved) AS replies_known,
            count(*) FILTER (WHERE solved AND replies = 1) AS one_touch,
            median(frt) AS frt_median, avg(frt) AS frt_mean, quantile_cont(frt, 0.9) AS frt_p90,
            median(res) AS res_median, avg(res) AS res_mean, quantile_cont(res, 0.9) AS res_p90,
            count(csat) AS rated, count(*) FILTER (WHERE csat >= 4) AS good, avg(csat) AS csat_mean
        FROM c
        """,
    )[0]
    channels = connection.execute(
        f"SELECT coalesce(channel, '{NO_CHANNEL}'), count(*) FROM c GROUP BY 1"
    ).fetchall()
    grid = connection.execute("SELECT wd, hr, count(*) FROM c GROUP BY ALL").fetchall()
    agents = connection.execute(
        f"""
        SELECT coalesce(agent, '{UNASSIGNED}'), count(*), count(*) FILTER (WHERE solved),
            count(csat), count(*) FILTER (WHERE csat >= 4), median(frt)
        FROM c GROUP BY 1
        """
    ).fetchall()
    return support_from(
        scalars,
        dict(channels),
        {(int(wd), int(hr)): int(n) for wd, hr, n in grid},
        [tuple(row) for row in agents],
    )


def duckdb_nps(clock: Clock, path: str, fmt: str) -> Result:
    connection = _duck()
    clock.start()
    upper = min(PERIOD_END, AS_OF + timedelta(days=1))
    row = _rows(
        connection,
        f"""
        SELECT count(*) FILTER (WHERE score >= 9) AS p,
               count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS q,
               count(*) FILTER (WHERE score <= 6) AS d
        FROM {_duck_source("surveys", path, fmt)}
        WHERE score IS NOT NULL
          AND CAST(responded_at AS DATE) >= DATE '{PERIOD_START}'
          AND CAST(responded_at AS DATE) < DATE '{upper}'
        """,
    )[0]
    return nps_from(int(row["p"]), int(row["q"]), int(row["d"]))


# ---------------------------------------------------------------------------------------------
# pandas


def _pandas_read(kind: str, path: str, fmt: str, columns: list[str]) -> Any:
    import pandas as pd

    if fmt == "parquet":
        return pd.read_parquet(path, columns=columns, to_pandas_kwargs={"date_as_object": False})
    if kind == "subscriptions":
        return pd.read_csv(
            path,
            usecols=columns,
            dtype={"customer_id": "str", "mrr": "float64"},
            parse_dates=["started_at", "ended_at"],
            date_format="%Y-%m-%d",
            engine="pyarrow",
        )
    dtypes = {"channel": "str", "agent": "str", "replies": "float64", "csat": "float64", "score": "int64"}
    return pd.read_csv(
        path,
        usecols=columns,
        dtype={name: dtypes[name] for name in columns if name in dtypes},
        engine="pyarrow",
    )


def _pandas_frame_bridge(frame: Any, cents: Any, start: date) -> dict[str, int]:
    import numpy as np
    import pandas as pd

    m = month(start)
    started = frame["started_at"].to_numpy(dtype="datetime64[D]")
    ended = frame["ended_at"].to_numpy(dtype="datetime64[D]")
    ended = np.where(np.isnat(ended), np.datetime64(OPEN_END, "D"), ended)
    opening, closing, first = (np.datetime64(day, "D") for day in (m.opening, m.closing, m.start))
    parts = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "c0": np.where((started <= opening) & (ended > opening), cents, 0),
            "c1": np.where((started <= closing) & (ended > closing), cents, 0),
            "pb": (cents > 0) & (started < first) & (ended > started),
        }
    )
    states = parts.groupby("customer_id", sort=False).agg(
        m0=("c0", "sum"), m1=("c1", "sum"), pb=("pb", "any")
    )
    m0, m1, pb = (states[name].to_numpy() for name in ("m0", "m1", "pb"))
    new = (m0 == 0) & (m1 > 0) & ~pb
    reactivated = (m0 == 0) & (m1 > 0) & pb
    churned = (m0 > 0) & (m1 == 0)
    expanded = (m0 > 0) & (m1 > m0)
    contracted = (m1 > 0) & (m1 < m0)
    return {
        "customers_start": int((m0 > 0).sum()),
        "customers_end": int((m1 > 0).sum()),
        "new_customers": int(new.sum()),
        "reactivated_customers": int(reactivated.sum()),
        "churned_customers": int(churned.sum()),
        "expanded_customers": int(expanded.sum()),
        "contracted_customers": int(contracted.sum()),
        "mrr_start": int(m0.sum()),
        "mrr_end": int(m1.sum()),
        "new_mrr": int(m1[new].sum()),
        "reactivation_mrr": int(m1[reactivated].sum()),
        "expansion_mrr": int((m1 - m0)[expanded].sum()),
        "contraction_mrr": int((m0 - m1)[contracted].sum()),
        "churned_mrr": int(m0[churned].sum()),
    }


def _pandas_subscriptions(path: str, fmt: str) -> tuple[Any, Any]:
    import numpy as np

    frame = _pandas_read("subscriptions", path, fmt, SUB_COLUMNS)
    cents = np.rint(frame["mrr"].to_numpy(dtype="float64") * 100).astype(np.int64)
    return frame, cents


def pandas_bridge(clock: Clock, path: str, fmt: str) -> Result:
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    clock.start()
    with clock.part("read"):
        frame, cents = _pandas_subscriptions(path, fmt)
    with clock.part("bridge only"):
        result = _pandas_frame_bridge(frame, cents, PERIOD_START)
    return result


def pandas_trend(clock: Clock, path: str, fmt: str) -> Result:
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    clock.start()
    with clock.part("read"):
        frame, cents = _pandas_subscriptions(path, fmt)
    with clock.part("24 × bridge only"):
        result = [_pandas_frame_bridge(frame, cents, start) for start in trend_starts()]
    return result


def pandas_support(clock: Clock, path: str, fmt: str) -> Result:
    import numpy as np
    import pandas as pd
    import pyarrow  # noqa: F401

    clock.start()
    frame = _pandas_read("tickets", path, fmt, TICKET_COLUMNS)
    upper = min(PERIOD_END, AS_OF + timedelta(days=1))
    known_until = pd.Timestamp(AS_OF + timedelta(days=1), tz=TZ)
    created = frame["created_at"]
    cohort = frame[(created >= pd.Timestamp(PERIOD_START, tz=TZ)) & (created < pd.Timestamp(upper, tz=TZ))]
    created = cohort["created_at"]
    solved = (cohort["solved_at"].notna() & (cohort["solved_at"] < known_until)).to_numpy()
    responded = (cohort["first_response_at"].notna() & (cohort["first_response_at"] < known_until)).to_numpy()
    frt = (cohort["first_response_at"] - created).dt.total_seconds().where(responded)
    res = (cohort["solved_at"] - created).dt.total_seconds().where(solved)
    replies = cohort["replies"][solved]
    csat = cohort["csat"]
    scalars = {
        "tickets": len(cohort),
        "solved": int(solved.sum()),
        "responded": int(responded.sum()),
        "replies_mean": replies.mean(),
        "replies_known": int(replies.notna().sum()),
        "one_touch": int((replies == 1).sum()),
        "frt_median": frt.median(),
        "frt_mean": frt.mean(),
        "frt_p90": frt.quantile(0.9),
        "res_median": res.median(),
        "res_mean": res.mean(),
        "res_p90": res.quantile(0.9),
        "rated": int(csat.notna().sum()),
        "good": int((csat >= 4).sum()),
        "csat_mean": csat.mean(),
    }
    channels = cohort["channel"].fillna(NO_CHANNEL).value_counts()
    grid = pd.DataFrame({"wd": created.dt.dayofweek.to_numpy() + 1, "hr": created.dt.hour.to_numpy()})
    grid_counts = grid.groupby(["wd", "hr"]).size()
    per_agent = pd.DataFrame(
        {
            "agent": cohort["agent"].fillna(UNASSIGNED).to_numpy(),
            "solved": solved,
            "rated": csat.notna().to_numpy(),
            "good": (csat >= 4).to_numpy(),
            "frt": frt.to_numpy(),
        }
    )
    agents = per_agent.groupby("agent", sort=False).agg(
        tickets=("solved", "size"),
        solved=("solved", "sum"),
        rated=("rated", "sum"),
        good=("good", "sum"),
        frt=("frt", "median"),
    )
    return support_from(
        scalars,
        {str(key): int(value) for key, value in channels.items()},
        {(int(wd), int(hr)): int(n) for (wd, hr), n in grid_counts.items()},
        [
            (
                str(agent),
                int(row.tickets),
                int(row.solved),
                int(row.rated),
                int(row.good),
                None if np.isnan(row.frt) else float(row.frt),
            )
            for agent, row in agents.iterrows()
        ],
    )


def pandas_nps(clock: Clock, path: str, fmt: str) -> Result:
    import pandas as pd
    import pyarrow  # noqa: F401

    clock.start()
    frame = _pandas_read("surveys", path, fmt, SURVEY_COLUMNS)
    upper = min(PERIOD_END, AS_OF + timedelta(days=1))
    at = frame["responded_at"]
    score = frame["score"][
        (at >= pd.Timestamp(PERIOD_START, tz=TZ)) & (at < pd.Timestamp(upper, tz=TZ))
    ].dropna()
    return nps_from(int((score >= 9).sum()), int(score.between(7, 8).sum()), int((score <= 6).sum()))


# ---------------------------------------------------------------------------------------------
# registry

TASK_INPUT = {"bridge": "subscriptions", "trend": "subscriptions", "support": "tickets", "nps": "surveys"}

ENGINES: dict[str, dict[str, Callable[[Clock, str, str], Result]]] = {
    "bridge": {
        "csm": csm_bridge,
        "duckdb": duckdb_bridge,
        "pandas": pandas_bridge,
        "polars-lazy": polars_lazy_bridge,
        "floor": floor_read("subscriptions", SUB_COLUMNS),
    },
    "trend": {
        "csm": csm_trend,
        "csm-series": csm_series_trend,
        "duckdb": duckdb_trend,
        "pandas": pandas_trend,
        "polars-events": polars_events_trend,
    },
    "support": {
        "csm": csm_support,
        "duckdb": duckdb_support,
        "pandas": pandas_support,
        "polars-lazy": polars_lazy_support,
        "floor": floor_read("tickets", TICKET_COLUMNS),
    },
    "nps": {
        "csm": csm_nps,
        "duckdb": duckdb_nps,
        "pandas": pandas_nps,
        "polars-lazy": polars_lazy_nps,
        "floor": floor_read("surveys", SURVEY_COLUMNS),
    },
}
