"""Seeded synthetic exports for the csm benchmarks: subscriptions, tickets and NPS surveys.

    uv run --group bench python bench/generate.py --size S --out bench/out/

writes ``<out>/<size>/{subscriptions,tickets,surveys}.{csv,parquet}`` and ``manifest.json``.
The output is a pure function of ``--seed`` and the size (numpy ``default_rng`` seeded per
chunk), so a rerun gives the same rows. Everything is vectorised (numpy + polars) and written
chunk by chunk, so size L (10M subscriptions, 100M tickets) never holds more than one chunk.

Data model (SPEC §1, canonical column names):

* subscriptions: each customer has 1–6 rows. Consecutive rows of one subscription_id are plan
  changes (the next row starts the day the previous one ends, at a new MRR: expansion or
  contraction); a gap before the next row is a churn followed by a reactivation on a new
  subscription_id; a negative gap is an add-on subscription running alongside. Some customers
  start on a 14-day trial at MRR 0 and some rows are free plans (MRR 0). The last row is either
  running (empty ended_at) or churned. One currency (USD). MRR has cents; Parquet stores it as
  float64 (as most BI exports do), CSV as exact ``1234.56`` text.
* tickets: created_at over 2024-01-01 … 2026-01-31 with a working-hours profile, UTC with ``Z``
  in CSV; first_response_at (8 % never answered), solved_at (some after the benchmark's as-of),
  status, replies (a few unknown), channel, agent, csat (about 30 % of solved rated), type.
* surveys: responded_at over the same window (UTC, ``Z``), score 0–10.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20260701


@dataclass(frozen=True)
class Size:
    """Row counts of one benchmark size."""

    subscriptions: int
    tickets: int
    surveys: int


SIZES: dict[str, Size] = {
    "XS": Size(1_000, 10_000, 1_000),  # smoke test
    "S": Size(10_000, 100_000, 10_000),
    "M": Size(1_000_000, 10_000_000, 1_000_000),
    "L": Size(10_000_000, 100_000_000, 10_000_000),
}

CHUNK_ROWS = 2_000_000
EPOCH = date(1970, 1, 1)
EARLIEST = date(2019, 1, 1)  # earliest typical first start
HORIZON = date(2026, 3, 31)  # export day: no row starts after it
EVENTS_FROM = date(2024, 1, 1)  # tickets and surveys
EVENTS_TO = date(2026, 2, 1)  # exclusive
US_PER_DAY = 86_400_000_000
US_PER_S = 1_000_000

ROWS_PER_CUSTOMER = np.array([0.45, 0.25, 0.15, 0.08, 0.05, 0.02])
PLANS = ["starter", "team", "business", "enterprise"]
PLAN_P = np.array([0.45, 0.30, 0.18, 0.07])
PLAN_BASE_CENTS = np.array([2_900, 9_900, 29_900, 99_900])
CANCEL_REASONS = ["price", "missing_feature", "switched_competitor", "no_longer_needed", "bankrupt"]
CHANNELS = ["email", "chat", "web", "phone", "api"]
CHANNEL_P = np.array([0.42, 0.25, 0.18, 0.10, 0.05])
TYPES = ["question", "bug", "improvement", "feature_request", "incident"]
TYPE_P = np.array([0.50, 0.20, 0.10, 0.12, 0.08])
N_AGENTS = 150
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 9, 12, 12, 11, 9, 11, 12, 11, 9, 7, 5, 4, 3, 2, 2, 1], dtype=float
)
CSAT_P = np.array([0.06, 0.04, 0.10, 0.25, 0.55])
SCORE_P = np.array([0.03, 0.01, 0.02, 0.03, 0.03, 0.06, 0.07, 0.12, 0.18, 0.2, 0.25])

ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


def _days(day: date) -> int:
    return (day - EPOCH).days


def _rng(seed: int, stream: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream, chunk])


def _ids(prefix: str, numbers: pl.Expr, width: int) -> pl.Expr:
    return pl.lit(prefix) + numbers.cast(pl.String).str.zfill(width)


def _pick(rng: np.random.Generator, names: list[str], p: np.ndarray, n: int) -> pl.Series:
    codes = rng.choice(len(names), size=n, p=p)
    return pl.Series(np.array(names, dtype=object)[codes], dtype=pl.String)


def _with_nulls(series: pl.Series, mask: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.Series(mask)).then(None).otherwise(series)).to_series().alias(series.name)


# ---------------------------------------------------------------------------------------------
# subscriptions


def rows_per_customer(seed: int, total: int) -> np.ndarray:
    """How many rows each customer has, so that they add up to exactly ``total``."""
    rng = _rng(seed, 0, 0)
    k = rng.choice(np.arange(1, 7), size=total // 2 + 16, p=ROWS_PER_CUSTOMER)
    while k.sum() < total:
        k = np.concatenate([k, rng.choice(np.arange(1, 7), size=total // 2 + 16, p=ROWS_PER_CUSTOMER)])
    ends = np.cumsum(k)
    customers = int(np.searchsorted(ends, total)) + 1
    k = k[:customers].copy()
    k[-1] -= int(ends[customers - 1] - total)
    return k


def subscription_chunk(
    seed: int, chunk: int, first_customer: int, first_sub: int, k: np.ndarray
) -> pl.DataFrame:
    """The rows of customers ``first_customer`` … ``first_customer + len(k) − 1``."""
    rng = _rng(seed, 1, chunk)
    n = int(k.sum())
    customer = np.repeat(np.arange(first_customer, first_customer + len(k)), k)
    starts_at = np.repeat(np.cumsum(k) - k, k)
    j = np.arange(n) - starts_at
    last = j == np.repeat(k - 1, k)
    first = j == 0

    trial = first & ~last & (rng.random(n) < 0.25)
    free = ~trial & (rng.random(n) < 0.04)
    plan_code = rng.choice(len(PLANS), size=n, p=PLAN_P)
    seats = 1 + rng.geometric(0.35, size=n) - 1
    list_cents = PLAN_BASE_CENTS[plan_code] * seats
    discount = np.where(rng.random(n) < 0.35, (rng.random(n) * 0.2 * list_cents).astype(np.int64), 0)
    mrr_cents = np.where(trial | free, 0, list_cents - discount).astype(np.int64)
    plan = np.where(trial, "trial", np.where(free, "free", np.array(PLANS, dtype=object)[plan_code]))

    duration = np.where(trial, 14, 30 * rng.integers(1, 25, size=n) + rng.integers(-3, 4, size=n))
    duration = np.maximum(duration, 1)
    kind = rng.random(n)  # what follows this row: plan change, churn + reactivation, or add-on
    gap = np.where(kind < 0.78, 0, np.where(kind < 0.93, rng.integers(20, 400, size=n), -1))
    addon = gap < 0
    gap = np.where(addon, -np.minimum(rng.integers(1, 365, size=n), duration - 1), gap)
    gap = np.where(addon & (duration <= 1), 0, gap)
    gap = np.where(trial | last, 0, gap)

    step = duration + gap
    total = np.cumsum(step) - step  # exclusive running sum over all rows
    relative = total - np.repeat(total[starts_at[first]], k)  # offset of each row from its customer's first
    last_relative = relative[last]
    window = _days(HORIZON) - _days(EARLIEST)
    slack = np.maximum(window - last_relative, 0)
    base = _days(HORIZON) - last_relative - (rng.random(len(k)) * slack).astype(np.int64)
    started = np.repeat(base, k) + relative
    churned = last & (rng.random(n) < 0.40)
    ended_days = started + duration
    has_end = ~last | churned

    previous_gap = np.concatenate([[0], gap[:-1]])
    new_sub = first | (previous_gap != 0)
    sub_number = first_sub + np.cumsum(new_sub) - 1
    ends_with_churn = (last & churned) | (~last & (gap > 0))
    reason_code = rng.integers(0, len(CANCEL_REASONS), size=n)

    frame = pl.DataFrame(
        {
            "sub": sub_number,
            "customer": customer,
            "plan": pl.Series(plan, dtype=pl.String),
            "mrr_cents": mrr_cents,
            "started": started.astype(np.int32),
            "ended": ended_days.astype(np.int32),
            "has_end": has_end,
            "reason": pl.Series(np.array(CANCEL_REASONS, dtype=object)[reason_code], dtype=pl.String),
            "ends_with_churn": ends_with_churn,
        }
    )
    return frame.select(
        _ids("S", pl.col("sub"), 10).alias("subscription_id"),
        _ids("C", pl.col("customer"), 9).alias("customer_id"),
        "plan",
        (pl.col("mrr_cents") / 100).alias("mrr"),
        pl.lit("USD").alias("currency"),
        pl.col("started").cast(pl.Date).alias("started_at"),
        pl.when(pl.col("has_end")).then(pl.col("ended").cast(pl.Date)).alias("ended_at"),
        pl.when(pl.col("ends_with_churn")).then(pl.col("reason")).alias("cancel_reason"),
        pl.col("mrr_cents").alias("__cents"),
    )


def subscription_chunks(seed: int, total: int) -> tuple[int, Iterator[pl.DataFrame]]:
    """How many customers there are, and the subscription rows chunk by chunk."""
    k = rows_per_customer(seed, total)

    def chunks() -> Iterator[pl.DataFrame]:
        ends = np.cumsum(k)
        first_customer, first_sub, chunk = 0, 0, 0
        while first_customer < len(k):
            done = ends[first_customer - 1] if first_customer else 0
            stop = int(np.searchsorted(ends, done + CHUNK_ROWS, side="right"))
            stop = max(stop, first_customer + 1)
            frame = subscription_chunk(seed, chunk, first_customer, first_sub, k[first_customer:stop])
            first_sub += frame.get_column("subscription_id").n_unique()
            first_customer, chunk = stop, chunk + 1
            yield frame

    return len(k), chunks()


def subscriptions_csv(frame: pl.DataFrame) -> pl.DataFrame:
    """Money as exact ``1234.56`` text (from the integer cents)."""
    cents = pl.col("__cents")
    mrr = (cents // 100).cast(pl.String) + pl.lit(".") + (cents % 100).cast(pl.String).str.zfill(2)
    return frame.with_columns(mrr.alias("mrr")).drop("__cents")


# ---------------------------------------------------------------------------------------------
# tickets and surveys


def _instants(rng: np.random.Generator, n: int) -> np.ndarray:
    """Microseconds since the epoch: a uniform day in the window, a working-hours profile."""
    day = rng.integers(_days(EVENTS_FROM), _days(EVENTS_TO), size=n)
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    second = rng.integers(0, 3600, size=n)
    return day * US_PER_DAY + (hour * 3600 + second) * US_PER_S


def _utc(values: np.ndarray, mask: np.ndarray | None = None) -> pl.Series:
    series = pl.Series(values, dtype=pl.Int64)
    if mask is not None:
        series = _with_nulls(series, ~mask)
    return series.cast(pl.Datetime("us", "UTC"))


def ticket_chunk(seed: int, chunk: int, first: int, n: int, customers: int) -> pl.DataFrame:
    rng = _rng(seed, 2, chunk)
    created = _instants(rng, n)
    responded = rng.random(n) < 0.92
    response_delay = np.maximum(rng.lognormal(np.log(2 * 3600), 1.3, size=n), 30).astype(np.int64)
    solved = rng.random(n) < np.where(responded, 0.86, 0.20)
    solve_delay = np.maximum(rng.lognormal(np.log(1.2 * 86_400), 1.2, size=n), 60).astype(np.int64)
    solve_delay = np.where(responded, np.maximum(solve_delay, response_delay + 60), solve_delay)
    replies = np.where(responded, 1 + rng.poisson(0.9, size=n), 0)
    status_solved = np.where(rng.random(n) < 0.5, "solved", "closed")
    status_open = np.array(["new", "open", "pending"], dtype=object)[rng.integers(0, 3, size=n)]
    rated = solved & (rng.random(n) < 0.30)
    csat = rng.choice(np.arange(1, 6), size=n, p=CSAT_P)
    agent_weights = 1.0 / np.arange(1, N_AGENTS + 1) ** 0.6
    agent = rng.choice(N_AGENTS, size=n, p=agent_weights / agent_weights.sum())
    frame = pl.DataFrame(
        {
            "ticket": np.arange(first, first + n),
            "customer": rng.integers(0, customers, size=n),
            "created_at": _utc(created),
            "first_response_at": _utc(created + response_delay * US_PER_S, responded),
            "solved_at": _utc(created + solve_delay * US_PER_S, solved),
            "status": pl.Series(np.where(solved, status_solved, status_open), dtype=pl.String),
            "replies": _with_nulls(pl.Series(replies, dtype=pl.Int64), rng.random(n) < 0.01),
            "channel": _with_nulls(_pick(rng, CHANNELS, CHANNEL_P, n), rng.random(n) < 0.02),
            "agent": pl.Series(agent, dtype=pl.Int64),
            "agent_missing": rng.random(n) < 0.03,
            "csat": _with_nulls(pl.Series(csat, dtype=pl.Int64), ~rated),
            "type": _pick(rng, TYPES, TYPE_P, n),
        }
    )
    return frame.select(
        _ids("T", pl.col("ticket"), 10).alias("ticket_id"),
        _ids("C", pl.col("customer"), 9).alias("customer_id"),
        "created_at",
        "first_response_at",
        "solved_at",
        "status",
        "replies",
        "channel",
        pl.when(~pl.col("agent_missing")).then(_ids("agent_", pl.col("agent"), 3)).alias("agent"),
        "csat",
        "type",
    )


def survey_chunk(seed: int, chunk: int, first: int, n: int, customers: int) -> pl.DataFrame:
    rng = _rng(seed, 3, chunk)
    return pl.DataFrame(
        {
            "response": np.arange(first, first + n),
            "customer": rng.integers(0, customers, size=n),
            "responded_at": _utc(_instants(rng, n)),
            "score": rng.choice(11, size=n, p=SCORE_P).astype(np.int64),
        }
    ).select(
        _ids("R", pl.col("response"), 10).alias("response_id"),
        _ids("C", pl.col("customer"), 9).alias("customer_id"),
        "responded_at",
        "score",
    )


def event_chunks(
    make: Callable[[int, int, int, int, int], pl.DataFrame], seed: int, total: int, customers: int
) -> Iterator[pl.DataFrame]:
    for chunk, first in enumerate(range(0, total, CHUNK_ROWS)):
        yield make(seed, chunk, first, min(CHUNK_ROWS, total - first), customers)


def instants_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """UTC instants written ISO with ``Z``, as help desks export them."""
    return frame.with_columns(
        pl.col(name).dt.strftime(ISO_Z)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    )


# ---------------------------------------------------------------------------------------------
# writing


def write(
    directory: Path,
    name: str,
    chunks: Iterator[pl.DataFrame],
    to_csv: Callable[[pl.DataFrame], pl.DataFrame],
) -> int:
    """Write the chunks to ``name.csv`` and ``name.parquet`` (zstd, 1M-row groups); the row count."""
    rows = 0
    csv_path, parquet_path = directory / f"{name}.csv", directory / f"{name}.parquet"
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    try:
        with csv_path.open("wb") as csv_file:
            for index, chunk in enumerate(chunks):
                parquet_part = chunk.drop("__cents", strict=False)
                table = parquet_part.to_arrow()
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(parquet_path, schema, compression="zstd")
                writer.write_table(table.cast(schema), row_group_size=1_048_576)
                to_csv(chunk).write_csv(csv_file, include_header=index == 0)
                rows += chunk.height
    finally:
        if writer is not None:
            writer.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--only", choices=["subscriptions", "tickets", "surveys"], action="append", help="generate only these"
    )
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    directory: Path = args.out / args.size
    directory.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["subscriptions", "tickets", "surveys"])
    manifest_path = directory / "manifest.json"
    manifest: dict[str, object] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    customers, sub_chunks = subscription_chunks(args.seed, size.subscriptions)
    manifest.update({"size": args.size, "seed": args.seed, "customers": customers, "polars": pl.__version__})
    plan: list[tuple[str, Callable[[], Iterator[pl.DataFrame]], Callable[[pl.DataFrame], pl.DataFrame]]] = [
        ("subscriptions", lambda: sub_chunks, subscriptions_csv),
        (
            "tickets",
            lambda: event_chunks(ticket_chunk, args.seed, size.tickets, customers),
            instants_as_text,
        ),
        (
            "surveys",
            lambda: event_chunks(survey_chunk, args.seed, size.surveys, customers),
            instants_as_text,
        ),
    ]
    free = shutil.disk_usage(directory).free
    print(f"generating size {args.size} into {directory} ({free / 1e9:.0f} GB free)", file=sys.stderr)
    for name, chunks, to_csv in plan:
        if name not in only:
            continue
        began = time.perf_counter()
        rows = write(directory, name, chunks(), to_csv)
        seconds = time.perf_counter() - began
        sizes = {ext: (directory / f"{name}.{ext}").stat().st_size for ext in ("csv", "parquet")}
        manifest[name] = {"rows": rows, "bytes": sizes, "seconds": round(seconds, 2)}
        print(
            f"  {name:<14} {rows:>12,} rows  csv {sizes['csv'] / 1e6:>9.1f} MB  "
            f"parquet {sizes['parquet'] / 1e6:>8.1f} MB  {seconds:6.1f} s",
            file=sys.stderr,
        )
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
