"""The cost of each step of csm's every-form date parser, on one column of a generated CSV.

    uv run --group bench python bench/parse_steps.py bench/out/M/tickets.csv created_at
    uv run --group bench python bench/parse_steps.py bench/out/M/subscriptions.csv started_at

The steps mirror ``csmetrics.io.parse._every_form`` (ISO rewrite with six regex replaces, then every
accepted form tried on every cell: ISO with offset, ISO naive, two dd.mm.yyyy forms, slashed
dates, two day forms). Before issue 7 csm ran them on every cell; now it reads a column with the
one form its cells use and runs them only on the cells that form does not read. The last lines
time one explicit-format parse of the same text and csm's own ``parse_instant`` / ``parse_day``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, Literal

import polars as pl

_SLASHED = r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$"
ISO_REWRITES = [
    (r"^(\d{4}-\d{2}-\d{2})[ T]", "${1}T"),
    (r"\s+([Z+-])", "${1}"),
    (r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})($|[Z+-])", "${1}:00${2}"),
    (r"Z$", "+00:00"),
    (r"([+-]\d{2})(\d{2})$", "${1}:${2}"),
    (r"([+-]\d{2})$", "${1}:00"),
]


def timed(label: str, run: Callable[[], Any], total: list[float]) -> Any:
    began = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - began
    total.append(seconds)
    print(f"  {seconds:7.2f} s  {label}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("path")
    parser.add_argument("column")
    args = parser.parse_args(argv)
    raw = pl.read_csv(args.path, columns=[args.column], infer_schema=False)[args.column].str.strip_chars()
    print(f"{args.column} of {args.path}: {len(raw):,} values, e.g. {raw.drop_nulls()[0]!r}")
    steps: list[float] = []

    def replace(text: pl.Series, pattern: str, replacement: str) -> Callable[[], pl.Series]:
        return lambda: text.str.replace(pattern, replacement)

    iso = raw
    for pattern, replacement in ISO_REWRITES:
        iso = timed(f"str.replace {pattern!r}", replace(iso, pattern, replacement), steps)
    us: Literal["us"] = "us"
    timed(
        "to_datetime ISO with offset (%z)",
        lambda: iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit=us),
        steps,
    )
    timed(
        "to_datetime ISO naive",
        lambda: iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit=us),
        steps,
    )
    timed(
        "to_datetime %d.%m.%Y %H:%M:%S",
        lambda: raw.str.to_datetime("%d.%m.%Y %H:%M:%S", strict=False, time_unit=us),
        steps,
    )
    timed(
        "to_datetime %d.%m.%Y %H:%M",
        lambda: raw.str.to_datetime("%d.%m.%Y %H:%M", strict=False, time_unit=us),
        steps,
    )
    timed("str.contains slashed", lambda: raw.str.contains(_SLASHED), steps)
    timed("to_date %Y-%m-%d", lambda: raw.str.to_date("%Y-%m-%d", strict=False), steps)
    timed("to_date %d.%m.%Y", lambda: raw.str.to_date("%d.%m.%Y", strict=False), steps)
    print(f"  {sum(steps):7.2f} s  sum of the steps above (csm adds coalesces, time-zone work, masks)")

    print("one explicit format instead:")
    fast: list[float] = []
    sample = raw.drop_nulls()[0]
    if sample.endswith("Z"):
        timed(
            "to_datetime('%Y-%m-%dT%H:%M:%SZ') + replace_time_zone('UTC')",
            lambda: raw.str.to_datetime(
                "%Y-%m-%dT%H:%M:%SZ", strict=False, time_unit=us
            ).dt.replace_time_zone("UTC"),
            fast,
        )
    elif "T" in sample:
        timed(
            "to_datetime('%Y-%m-%dT%H:%M:%S')",
            lambda: raw.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit=us),
            fast,
        )
    else:
        timed("to_date('%Y-%m-%d')", lambda: raw.str.to_date("%Y-%m-%d", strict=False), fast)

    print("csm's parser on the same column:")
    from csmetrics.io.parse import TextOptions, parse_day, parse_instant

    parse = parse_instant if "T" in sample else parse_day
    timed(f"csmetrics.io.parse.{parse.__name__}", lambda: parse(raw, TextOptions(tz="UTC")), [])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
