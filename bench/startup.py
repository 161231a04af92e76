"""Start-up cost of the csm command: ``csm --help`` and ``csm churn --demo`` wall time, import costs.

    uv run --group bench python bench/startup.py            # 5 runs each, medians
    uv run --group bench python bench/startup.py --runs 9 --csm .venv/bin/csm

Runs the venv's ``csm`` entry point as a subprocess (a fresh interpreter each time, as a user
or a cron job would) and reports every run and the median. Then ``python -X importtime -c
"import csmetrics.cli"`` and the modules with the largest cumulative import time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(cached: bool | None) -> dict[str, str]:
    """The environment as it is (None), or with bytecode caching forced off or on.

    As is: whatever .pyc files the venv and the standard library hold, and whatever
    PYTHONDONTWRITEBYTECODE says (set in the development container). Off:
    PYTHONDONTWRITEBYTECODE and an empty PYTHONPYCACHEPREFIX, so Python neither finds nor
    writes ``.pyc`` files and compiles everything it imports from source on every start, the
    standard library included (the worst case). On: ``.pyc`` files cached under
    bench/out/pycache after a warm-up run, as a normal install behaves after its first run.
    PYTHONPYCACHEPREFIX keeps both out of .venv and src.
    """
    env = dict(os.environ)
    if cached is None:
        return env
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(ROOT / "bench" / "out" / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        empty = ROOT / "bench" / "out" / "pycache-empty"
        empty.mkdir(parents=True, exist_ok=True)
        env["PYTHONPYCACHEPREFIX"] = str(empty)
    return env


def wall(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times: list[float] = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False, env=env)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            sys.stderr.write(done.stderr.decode(errors="replace"))
            raise SystemExit(f"{' '.join(command)} exited with {done.returncode}")
    return times


def import_costs(
    python: str, arguments: list[str], top: int, env: dict[str, str]
) -> tuple[int, list[tuple[int, int, str]]]:
    """Total import µs of top-level modules, and (cumulative µs, self µs, module) of the largest."""
    done = subprocess.run(
        [python, "-X", "importtime", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=env,
    )
    rows: list[tuple[int, int, str]] = []
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = (part.removeprefix("import time:") for part in line.split("|"))
        rows.append((int(cumulative), int(own), name.rstrip()))
        if not name.startswith("  "):
            total += int(cumulative)
    return total, sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--csm", default=str(ROOT / ".venv" / "bin" / "csm"))
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    modes: list[tuple[str, bool | None]] = [
        ("as is (this environment and venv)", None),
        ("no .pyc anywhere, standard library included (compiles every start)", False),
        ("bytecode cached", True),
    ]
    for mode, cached in modes:
        env = environment(cached)
        wall([args.csm, "churn", "--demo"], 1, env)  # warm the file cache (and write .pyc when cached)
        print(f"== {mode}")
        for label, command in (
            ("csm --help", [args.csm, "--help"]),
            ("csm churn --demo", [args.csm, "churn", "--demo"]),
            ("python -c 'import polars'", [args.python, "-c", "import polars"]),
            ("python -c 'pass'", [args.python, "-c", "pass"]),
        ):
            times = wall(command, args.runs, env)
            runs = " ".join(f"{t:.3f}" for t in times)
            print(f"  {label:<28} median {statistics.median(times):.3f} s   runs: {runs}")
        for label, arguments in (
            ('python -X importtime -c "import csmetrics.cli"', ["-c", "import csmetrics.cli"]),
            ("python -X importtime .venv/bin/csm churn --demo", [args.csm, "churn", "--demo"]),
        ):
            total, rows = import_costs(args.python, arguments, args.top, env)
            print(f"\n  {label}: {total / 1e6:.3f} s of imports in all; largest cumulative import times")
            for cumulative, own, name in rows:
                print(f"    {cumulative / 1e6:6.3f} s cumulative  {own / 1e6:6.3f} s self  {name}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
