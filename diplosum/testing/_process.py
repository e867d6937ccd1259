"""The fake server in its own process (``python -m diplosum.testing``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._faults import FaultKind, FaultPlan
from ._server import FakeOpenAIServer

_log = logging.getLogger("diplosum.testing")

# --------------------------------------------------------------------------- own process


@dataclass(frozen=True, slots=True)
class ServerProcess:
    """A fake server running in its own process: its base URL and process id (for CPU probes)."""

    url: str
    pid: int


@contextlib.contextmanager
def run_in_subprocess(
    *,
    latency: float = 0.0,
    fault_rate: float = 0.0,
    fault_kinds: Sequence[FaultKind] = (),
    seed: int = 0,
    slow_seconds: float = 5.0,
    port: int = 0,
) -> Iterator[ServerProcess]:
    """Run the server in its own process (``python -m diplosum.testing``); yield its URL and pid.

    Faults there follow ``FaultPlan.random(fault_rate, fault_kinds, seed)``.
    """
    kinds = ",".join(k.value for k in fault_kinds)
    argv = [sys.executable, "-m", "diplosum.testing", f"--port={port}", f"--latency={latency}"]
    argv += [f"--fault-rate={fault_rate}", f"--fault-kinds={kinds}", f"--seed={seed}"]
    argv += [f"--slow-seconds={slow_seconds}"]
    root = str(Path(__file__).resolve().parents[2])  # importable from a source checkout too
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path}
    ) as proc:
        try:
            url = proc.stdout.readline().strip() if proc.stdout else ""
            if not url.startswith("http://"):
                raise RuntimeError(f"the fake server did not start (exit code {proc.poll()})")
            yield ServerProcess(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(
    argv: Sequence[str] | None = None,
    *,
    ready: Callable[[str], object] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Parse ``python -m diplosum.testing``'s arguments and serve until ``stop`` is set (or
    KeyboardInterrupt). ``ready`` gets the base URL once the server listens (by default it is
    logged); the command line (``__main__``) prints it and sets ``stop`` on SIGTERM/SIGINT, so
    this function installs no signal handler and writes nothing itself."""
    parser = argparse.ArgumentParser(
        prog="python -m diplosum.testing",
        description="A loopback fake OpenAI-compatible server; prints its base URL first.",
    )
    add = parser.add_argument
    add("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free one)")
    add("--latency", type=float, default=0.0, help="seconds to wait before each completion")
    add("--fault-rate", type=float, default=0.0, help="share of faulted calls (FaultPlan.random)")
    kinds_help = "comma-separated fault kinds (default: all): " + ", ".join(
        k.value for k in FaultKind
    )
    add("--fault-kinds", default="", help=kinds_help)
    add("--seed", type=int, default=0, help="seed of the fault draws")
    add("--slow-seconds", type=float, default=5.0, help="how long a 'slow' answer takes")
    add(
        "--model",
        default="fake-model",
        help="the model GET /v1/models lists ('local' stands in for diplosum's llama.cpp server)",
    )
    args = parser.parse_args(argv)
    try:
        kinds = [FaultKind(k.strip()) for k in args.fault_kinds.split(",") if k.strip()]
        plan = FaultPlan.random(args.fault_rate, kinds, args.seed) if args.fault_rate else None
    except ValueError as exc:
        parser.error(str(exc))
    stop = stop if stop is not None else threading.Event()
    options = {"port": args.port, "latency": args.latency, "slow_seconds": args.slow_seconds}
    options["model"] = args.model
    with FakeOpenAIServer(faults=plan, **options) as server:
        (ready or _log_url)(server.base_url)
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(0.5):
                pass
    return 0


def _log_url(url: str) -> None:
    _log.info("fake OpenAI server listening on %s", url)
