"""Run every benchmark in turn, one after the other (never in parallel: they share 2 cores).

    python benchmarks/run_all.py [--quick] [--local]

``--quick`` is passed on to each script. The local-model benchmark (minutes of full CPU per
model, needs the ``[local]`` extra) runs only with ``--local``. Each script prints its table
and writes ``benchmarks/results/<name>.json``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["tokens", "startup", "overhead", "throughput", "cache", "memory", "batch_api"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (passed to each script)")
    ap.add_argument("--local", action="store_true", help="also run bench_local.py (slow)")
    args = ap.parse_args()
    failed = []
    for name in ORDER + (["local"] if args.local else []):
        argv = [sys.executable, str(HERE / f"bench_{name}.py")]
        if args.quick and name != "local":
            argv.append("--quick")
        print(f"\n==== {name}: {' '.join(argv[1:])}", flush=True)
        if subprocess.run(argv).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
