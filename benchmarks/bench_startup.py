"""Start-up time of the command line and the package (issue 8, item 4).

Each command is run many times as a child process, interleaved with the others, and its
wall time (fork to exit) is summarised; ``python -c pass`` is the floor every other figure
is divided by. The console script is timed as pip installed it (``<prefix>/bin/diplosum``),
and also through whatever ``diplosum`` is first on PATH when that differs (a pyenv shim, say:
its cost is the environment's, not diplosum's). ``-X importtime`` shows the heaviest imports.

    python benchmarks/bench_startup.py [--quick] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import _common as c


def commands() -> dict[str, list[str]]:
    py = sys.executable
    cmds = {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import diplosum"': [py, "-c", "import diplosum"],
        "python -m diplosum --help": [py, "-m", "diplosum", "--help"],
    }
    script = Path(sys.executable).parent / "diplosum"
    if script.exists():
        cmds["diplosum --help (console script)"] = [str(script), "--help"]
    on_path = shutil.which("diplosum")
    if on_path and Path(on_path).resolve() != script.resolve():
        cmds[f"diplosum --help via PATH ({on_path})"] = [on_path, "--help"]
    cmds['python -c "from diplosum import Summariser"'] = [
        py,
        "-c",
        "from diplosum import Summariser",
    ]
    cmds['python -c "import instructor"  (reference)'] = [py, "-c", "import instructor"]
    return cmds


def import_times(argv: list[str], top: int = 12) -> list[dict[str, Any]]:
    """The imports with the largest cumulative time (``-X importtime``), in ms."""
    run = c.run_child([argv[0], "-X", "importtime", *argv[1:]], env=c.child_env())
    rows = []
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
        rows.append(
            {"module": name, "self_ms": int(self_us) / 1e3, "cumulative_ms": int(cum_us) / 1e3}
        )
    rows.sort(key=lambda r: -r["cumulative_ms"])
    return rows[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 runs of each command")
    ap.add_argument("--runs", type=int, default=None, help="runs of each command (default 20)")
    args = ap.parse_args()
    runs = args.runs or (8 if args.quick else 20)
    info = c.machine()
    cmds = commands()
    env = c.child_env()
    for argv in cmds.values():  # warm the page cache and the .pyc files
        c.run_child(argv, env=env)
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            run = c.run_child(argv, env=env)
            if run.returncode != 0:
                raise SystemExit(f"{name} failed:\n{run.stderr[-2000:]}")
            walls[name].append(run.wall_s)
    stats = {k: c.summary(v) for k, v in walls.items()}
    floor = stats["python -c pass"]["median"]
    rows = []
    for name, st in stats.items():
        rows.append(
            [
                name,
                c.fmt(st["median"] * 1e3, 0),
                f"{c.fmt(st['min'] * 1e3, 0)}–{c.fmt(st['max'] * 1e3, 0)}",
                c.fmt(st["median"] / floor, 1),
                c.fmt((st["median"] - floor) * 1e3, 0),
            ]
        )
    script = Path(sys.executable).parent / "diplosum"
    help_argv = (
        [str(script), "--help"] if script.exists() else [sys.executable, "-m", "diplosum", "--help"]
    )
    heavy = {
        "diplosum --help": import_times([sys.executable, "-m", "diplosum", "--help"]),
        "import diplosum": import_times([sys.executable, "-c", "import diplosum"]),
        "from diplosum import Summariser": import_times(
            [sys.executable, "-c", "from diplosum import Summariser"]
        ),
    }
    print(f"\nStart-up wall time, {runs} interleaved runs each (target < 300 ms)\n")
    print(
        c.table(["command", "median ms", "min–max ms", "x python -c pass", "+ms over python"], rows)
    )
    for what, top in heavy.items():
        print(f"\nheaviest imports of `{what}` (-X importtime, cumulative ms)\n")
        print(
            c.table(
                ["module", "cumulative ms", "self ms"],
                [
                    [r["module"], c.fmt(r["cumulative_ms"], 1), c.fmt(r["self_ms"], 1)]
                    for r in top[:8]
                ],
            )
        )
    path = c.write_results(
        "startup",
        {
            "machine": info,
            "runs": runs,
            "console_script": str(help_argv[0]),
            "path_diplosum": shutil.which("diplosum"),
            "pythonpath": os.environ.get("PYTHONPATH"),
            "wall_s": stats,
            "ratio_to_python_c_pass": {k: v["median"] / floor for k, v in stats.items()},
            "import_time_top": heavy,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
