"""Where csm's strict reader spends its time: cProfile of one ``read_*`` call.

    uv run --group bench python bench/profile_reader.py bench/out/M/subscriptions.csv
    uv run --group bench python bench/profile_reader.py bench/out/M/tickets.parquet --kind tickets

Prints the wall time of an unprofiled read, then the csm functions by cumulative time (inclusive
of what they call) and the calls that did the work by own time (mostly polars expressions: their
time is spent in Rust, on the calling thread, so cProfile sees it as the wrapper's own time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any


def _read(kind: str, path: str) -> Any:
    from csmetrics.io import readers
    from csmetrics.io.source import ReadOptions

    read = {
        "subscriptions": readers.read_subscriptions,
        "tickets": readers.read_tickets,
        "surveys": readers.read_surveys,
    }[kind]
    return read(ReadOptions(path=path), "UTC")


def _short(filename: str, line: int, name: str) -> str:
    parts = Path(filename).parts
    for anchor in ("csmetrics", "polars"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[index:])}:{line} {name}"
    if filename == "~":
        return name
    return f"{Path(filename).name}:{line} {name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("path")
    parser.add_argument("--kind", choices=["subscriptions", "tickets", "surveys"])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--csm-src", type=Path, help="import csmetrics from this src directory")
    args = parser.parse_args(argv)
    if args.csm_src:
        import sys

        sys.path.insert(0, str(args.csm_src.resolve()))
    kind = args.kind or Path(args.path).stem
    import polars  # noqa: F401  (imports outside the timings)

    import csmetrics.io.readers  # noqa: F401

    began = time.perf_counter()
    loaded = _read(kind, args.path)
    wall = time.perf_counter() - began
    print(f"{kind} {args.path}: {loaded.frame.height:,} rows, unprofiled read + validate {wall:.2f} s")

    profile = cProfile.Profile()
    profile.enable()
    _read(kind, args.path)
    profile.disable()
    stats = pstats.Stats(profile)
    entries: dict[tuple[str, int, str], tuple[int, float, float]] = {
        key: (value[1], value[2], value[3])
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
    }
    total = max(cum for _, _, cum in entries.values())
    print(f"profiled total {total:.2f} s\n")
    print("csm functions by cumulative time (inclusive):")
    csm = [(key, value) for key, value in entries.items() if "csmetrics" in key[0]]
    for key, (calls, _, cum) in sorted(csm, key=lambda item: -item[1][2])[: args.top]:
        print(f"  {cum:8.2f} s {100 * cum / total:5.1f} %  {calls:>5} calls  {_short(*key)}")
    print("\ncalls by own time (polars work is in the wrapper's own time):")
    for key, (calls, own, _) in sorted(entries.items(), key=lambda item: -item[1][1])[: args.top]:
        print(f"  {own:8.2f} s {100 * own / total:5.1f} %  {calls:>5} calls  {_short(*key)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
