"""Time csm against DuckDB and pandas on the same files, check they agree, print the table.

    uv run --group bench python bench/generate.py --size S --out bench/out/
    uv run --group bench python bench/run.py --size S --format parquet
    uv run --group bench python bench/run.py --size S --format csv --markdown

Each (task, engine) runs in a fresh ``spawn`` child process: the parent stays small and never
loads data, so each child's peak RSS (VmHWM, the child's own high-water mark after exec) is that
engine's alone. Inside the child the libraries are imported first; seconds (``perf_counter``)
and the peak cover the work from there on, and ``base MB`` is the RSS right after the imports.
The OS page cache is warm (the files were just written or read), which favours no engine.

All engines must give the same numbers (money in integer cents, counts exactly, rates and
seconds to 1e-12 relative); any difference is printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import platform
import statistics
import sys
import traceback
from dataclasses import asdict, dataclass, field
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engines

ENGINE_ORDER = ["csm", "csm-series", "polars-lazy", "polars-events", "duckdb", "pandas", "floor"]
TASK_ORDER = ["bridge", "trend", "support", "nps"]
TASK_LABEL = {
    "bridge": "MRR bridge, 1 month",
    "trend": "MRR bridge, 24 months",
    "support": "support KPIs, 1 month",
    "nps": "NPS, 1 month",
}
REL_TOL = 1e-12


@dataclass
class Measurement:
    task: str
    engine: str
    ok: bool
    seconds: float = math.nan
    peak_mb: float = math.nan
    base_mb: float = math.nan
    parts: dict[str, float] = field(default_factory=dict)
    error: str = ""
    runs: list[float] = field(default_factory=list)
    others: float = 0.0


def _child(connection: Connection, task: str, engine: str, path: str, fmt: str, csm_src: str | None) -> None:
    if csm_src:
        sys.path.insert(0, csm_src)
    try:
        clock = engines.Clock()
        result = engines.ENGINES[task][engine](clock, path, fmt)
        seconds = clock.elapsed()
        others = clock.others_share()
        connection.send(
            {
                "ok": True,
                "seconds": seconds,
                "others": others,
                "parts": clock.parts,
                "peak_mb": engines.rss_mb("VmHWM"),
                "base_mb": clock.base_mb,
                "result": result,
            }
        )
    except BaseException:
        connection.send({"ok": False, "error": traceback.format_exc()})
    finally:
        connection.close()


def wait_for_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (up to ``limit`` seconds) until other processes use < ``threshold`` of the CPUs.

    Nothing of ours runs while we wait, so the machine's busy time over a 1-second sample is
    other processes' (other users, tests running next door). Returns the last busy share seen.
    """
    import os
    import time

    cores = os.cpu_count() or 1
    waited = 0.0
    while True:
        before = engines.busy_cpu_seconds()
        time.sleep(1.0)
        share = (engines.busy_cpu_seconds() - before) / cores
        waited += 1.0
        if share < threshold or waited >= limit:
            if waited > 1.0:
                note = "" if share < threshold else f" (gave up: still {share:.0%} busy)"
                print(f"  waited {waited:.0f} s for other processes to quiet down{note}", file=sys.stderr)
            return share


def run_one(
    task: str, engine: str, path: Path, fmt: str, timeout: float | None, csm_src: str | None
) -> tuple[dict[str, Any], Any]:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, task, engine, str(path), fmt, csm_src))
    process.start()
    sender.close()
    try:
        if timeout is not None and not receiver.poll(timeout):
            process.kill()
            return {"ok": False, "error": f"timed out after {timeout:.0f} s"}, None
        message: dict[str, Any] = receiver.recv()
    except EOFError:
        message = {"ok": False, "error": "child died without a result (killed: out of memory?)"}
    process.join()
    if process.exitcode not in (0, None) and message.get("ok"):
        message = {"ok": False, "error": f"child exited with {process.exitcode}"}
    return message, message.pop("result", None)


# ---------------------------------------------------------------------------------------------
# checking


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    """Where two results differ: ints exactly, floats to REL_TOL, dict keys and list lengths."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(got), key=str):
            if key not in got or key not in expected:
                out.append(f"{where}.{key}: only in {'expected' if key in expected else 'got'}")
            else:
                out.extend(differences(expected[key], got[key], f"{where}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{where}: {len(expected)} items vs {len(got)}"]
        return [
            diff
            for i, (a, b) in enumerate(zip(expected, got, strict=True))
            for diff in differences(a, b, f"{where}[{i}]")
        ]
    if expected is None or got is None:
        return [] if expected is None and got is None else [f"{where}: {expected!r} vs {got!r}"]
    if isinstance(expected, bool) or isinstance(got, bool):
        return [] if expected == got else [f"{where}: {expected!r} vs {got!r}"]
    if isinstance(expected, int) and isinstance(got, int):
        return [] if expected == got else [f"{where}: {expected} vs {got}"]
    if isinstance(expected, int | float) and isinstance(got, int | float):
        if math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=REL_TOL):
            return []
        return [f"{where}: {expected!r} vs {got!r}"]
    return [] if expected == got else [f"{where}: {expected!r} vs {got!r}"]


# ---------------------------------------------------------------------------------------------
# reporting


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    versions = {}
    for name in ("polars", "duckdb", "pandas", "pyarrow", "numpy", "csmetrics"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    import os
    import subprocess

    def git(*command: str) -> str:
        try:
            done = subprocess.run(
                ["git", *command], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
            )
        except (OSError, subprocess.CalledProcessError):
            return "unknown"
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "src")
    return {
        "commit": git("rev-parse", "--short", "HEAD") + (" + uncommitted src changes" if dirty else ""),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **versions,
    }


def _fmt_seconds(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _fmt_mb(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}"


def table_rows(measurements: list[Measurement]) -> list[list[str]]:
    rows: list[list[str]] = []
    duck = {m.task: m.seconds for m in measurements if m.engine == "duckdb" and m.ok}
    for m in measurements:
        reference = duck.get(m.task, math.nan)
        ratio = m.seconds / reference if m.ok and reference and not math.isnan(reference) else math.nan
        label = TASK_LABEL[m.task]
        if not m.ok:
            rows.append([label, m.engine, "FAILED", "", "—", "—", "—", ""])
            continue
        ratio_text = "—" if math.isnan(ratio) else f"{ratio:.2f}×"
        spread = f"{_fmt_seconds(min(m.runs))}–{_fmt_seconds(max(m.runs))}" if len(m.runs) > 1 else ""
        rows.append(
            [
                label,
                m.engine,
                _fmt_seconds(m.seconds),
                spread,
                _fmt_mb(m.peak_mb),
                _fmt_mb(m.base_mb),
                ratio_text,
                f"{m.others:.0%}" if m.seconds >= 0.5 else "",
            ]
        )
        for part, seconds in m.parts.items():
            part_ratio = seconds / reference if reference and not math.isnan(reference) else math.nan
            rows.append(
                [
                    label,
                    f"  └ {m.engine}: {part}",
                    _fmt_seconds(seconds),
                    "",
                    "",
                    "",
                    "—" if math.isnan(part_ratio) else f"{part_ratio:.2f}×",
                    "",
                ]
            )
    return rows


HEADER = ["task", "engine", "seconds", "runs min–max", "peak RSS MB", "base MB", "× DuckDB", "others CPU"]


def print_text(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    right = {2, 3, 4, 5, 6, 7}

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)
        )

    print(line(HEADER))
    print("  ".join("-" * width for width in widths))
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            print()
        print(line(row))
        previous = row[0]


def print_markdown(rows: list[list[str]]) -> None:
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * 6) + "|")
    for row in rows:
        print("| " + " | ".join(cell.replace("└", "↳") for cell in row) + " |")


def targets(measurements: list[Measurement]) -> list[str]:
    """Issue 7's targets, as ratios of this run."""
    by = {(m.task, m.engine): m for m in measurements if m.ok}
    lines: list[str] = []

    def check(name: str, value: float | None, limit: float, unit: str = "×") -> None:
        if value is None or math.isnan(value):
            lines.append(f"  {name}: not measured")
            return
        verdict = "met" if value <= limit else "NOT met"
        lines.append(f"  {name}: {value:.2f}{unit} (target ≤ {limit:g}{unit}) {verdict}")

    def seconds(task: str, engine: str) -> float | None:
        m = by.get((task, engine))
        return m.seconds if m else None

    def quotient(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    check("MRR bridge: csm / DuckDB", quotient(seconds("bridge", "csm"), seconds("bridge", "duckdb")), 0.6)
    check(
        "MRR bridge: csm / reading its columns",
        quotient(seconds("bridge", "csm"), seconds("bridge", "floor")),
        5,
    )
    check(
        "support KPIs: csm / DuckDB", quotient(seconds("support", "csm"), seconds("support", "duckdb")), 1.0
    )
    support = by.get(("support", "csm"))
    check("support KPIs: csm peak RSS", support.peak_mb / 1024 if support else None, 1.5, " GB")
    check(
        "24-month trend: csm / csm one bridge", quotient(seconds("trend", "csm"), seconds("bridge", "csm")), 3
    )
    trend, bridge = by.get(("trend", "csm")), by.get(("bridge", "csm"))
    compute_trend = (
        next((v for k, v in trend.parts.items() if "compute_bridge" in k), None) if trend else None
    )
    compute_bridge = (
        next((v for k, v in bridge.parts.items() if "compute_bridge" in k), None) if bridge else None
    )
    check(
        "24-month trend, metric only: 24 × compute_bridge / one compute_bridge",
        quotient(compute_trend, compute_bridge),
        3,
    )
    series = by.get(("trend", "csm-series"))
    series_only = next((v for k, v in series.parts.items() if "bridge_series" in k), None) if series else None
    check(
        "24-month trend, metric only: bridge_series / one compute_bridge",
        quotient(series_only, compute_bridge),
        3,
    )
    check(
        "24-month trend: csm-series / csm one bridge",
        quotient(seconds("trend", "csm-series"), seconds("bridge", "csm")),
        3,
    )
    return lines


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="csm vs DuckDB vs pandas on the generated exports")
    parser.add_argument("--size", default="S", help="S, M, L (a directory under --data)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--tasks", nargs="+", choices=TASK_ORDER, default=TASK_ORDER)
    parser.add_argument("--engines", nargs="+", choices=ENGINE_ORDER, default=ENGINE_ORDER)
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine; the median time is shown")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per run before it is killed")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="S",
        help="before each run wait up to S seconds until other processes use < 15%% of the CPUs",
    )
    parser.add_argument(
        "--csm-src",
        type=Path,
        help="import csmetrics from this src directory (e.g. a `git archive` snapshot) instead of the venv's",
    )
    parser.add_argument("--json", type=Path, help="write all measurements here (default bench/out/results-…)")
    parser.add_argument("--from-json", type=Path, help="print the table of a saved run instead of running")
    args = parser.parse_args(argv)

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        info = saved["machine"]
        print(
            f"size {saved['size']} · {saved['format']} · {info['cpus']} CPUs · {info['cpu']} · "
            f"{info['memory']} · polars {info['polars']} duckdb {info['duckdb']} pandas {info['pandas']} · "
            f"csm at {info['commit']}"
        )
        loaded = [Measurement(**m) for m in saved["measurements"]]
        rows = table_rows(loaded)
        print_markdown(rows) if args.markdown else print_text(rows)
        print("\nissue 7 targets (ratios from this run):")
        for line in targets(loaded):
            print(line)
        for line in saved["differences"]:
            print(line)
        return 1 if saved["differences"] else 0

    directory: Path = args.data / args.size
    info = machine()
    csm_src = str(args.csm_src.resolve()) if args.csm_src else None
    if csm_src:
        info["commit"] = f"csmetrics from {csm_src}"
    print(
        f"size {args.size} · {args.format} · {info['cpus']} CPUs · {info['cpu']} · {info['memory']} · "
        f"polars {info['polars']} duckdb {info['duckdb']} pandas {info['pandas']} "
        f"pyarrow {info['pyarrow']} · "
        f"csm at {info['commit']}",
        flush=True,
    )
    measurements: list[Measurement] = []
    results: dict[str, dict[str, Any]] = {}
    for task in args.tasks:
        path = directory / f"{engines.TASK_INPUT[task]}.{args.format}"
        if not path.exists():
            print(f"missing {path}: run bench/generate.py --size {args.size} first", file=sys.stderr)
            return 2
        for engine in ENGINE_ORDER:
            if engine not in args.engines or engine not in engines.ENGINES[task]:
                continue
            runs: list[dict[str, Any]] = []
            result: Any = None
            for _ in range(args.repeat):
                if args.wait_quiet:
                    wait_for_quiet(args.wait_quiet)
                message, result = run_one(task, engine, path, args.format, args.timeout, csm_src)
                runs.append(message)
                if not message["ok"]:
                    break
            if not runs[-1]["ok"]:
                print(f"  {task} / {engine}: FAILED\n{runs[-1]['error']}", file=sys.stderr, flush=True)
                measurements.append(Measurement(task, engine, ok=False, error=runs[-1]["error"]))
                continue
            times = [run["seconds"] for run in runs]
            parts = {name: statistics.median(run["parts"][name] for run in runs) for name in runs[0]["parts"]}
            measurement = Measurement(
                task,
                engine,
                ok=True,
                seconds=statistics.median(times),
                peak_mb=max(run["peak_mb"] for run in runs),
                base_mb=statistics.median(run["base_mb"] for run in runs),
                parts=parts,
                runs=times,
                others=max(run["others"] for run in runs),
            )
            measurements.append(measurement)
            results.setdefault(task, {})[engine] = result
            print(
                f"  {task:<8} {engine:<14} {measurement.seconds:8.3f} s  peak {measurement.peak_mb:8,.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    failures: list[str] = []
    for task, by_engine in results.items():
        checked = {engine: value for engine, value in by_engine.items() if engine != "floor"}
        if not checked:
            continue
        reference_engine = "csm" if "csm" in checked else next(iter(checked))
        reference = checked[reference_engine]
        for engine, value in checked.items():
            if engine == reference_engine:
                continue
            found = differences(reference, value, task)
            if found:
                failures.append(f"{task}: {engine} differs from {reference_engine}:")
                failures.extend(f"    {diff}" for diff in found[:20])
                if len(found) > 20:
                    failures.append(f"    … {len(found) - 20} more")

    rows = table_rows(measurements)
    print()
    print_text(rows)
    if args.markdown:
        print()
        print_markdown(rows)
    print()
    print("issue 7 targets (ratios from this run):")
    for line in targets(measurements):
        print(line)
    print()
    agreed = {
        task: sorted(engine for engine in by_engine if engine != "floor")
        for task, by_engine in results.items()
    }
    if failures:
        print("RESULTS DIFFER:", file=sys.stderr)
        for line in failures:
            print(line, file=sys.stderr)
    else:
        for task, names in agreed.items():
            print(f"check {task}: {', '.join(names)} agree (cents and counts exact, rates to {REL_TOL:g})")
    failed_runs = [m for m in measurements if not m.ok]

    output = args.json or (args.data / f"results-{args.size}-{args.format}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "size": args.size,
                "format": args.format,
                "machine": info,
                "measurements": [asdict(m) for m in measurements],
                "results": results,
                "differences": failures,
            },
            indent=1,
            default=str,
        )
        + "\n"
    )
    print(f"measurements written to {output}")
    return 1 if failures or failed_runs else 0


if __name__ == "__main__":
    raise SystemExit(main())
