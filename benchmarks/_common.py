"""Shared helpers for the benchmarks: the fake server in its own process, corpora, CPU and
memory probes, statistics, tables and result files.

Nothing here is imported by diplosum or its tests; every benchmark script is runnable on its
own (``python benchmarks/bench_X.py [--quick]``) from a source checkout or an installation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
if str(ROOT) not in sys.path:  # a source checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

_CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the machine


def machine() -> dict[str, Any]:
    """What the numbers were measured on (recorded in every result file)."""
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions: dict[str, str] = {}
    from importlib import metadata

    for dist in ("diplosum", "instructor", "openai", "httpx2", "pydantic"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_state(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and which package or prompt files differed from it."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "diplosum", "prompts", "pyproject.toml")
    return {"commit": git("rev-parse", "--short", "HEAD"), "modified": dirty.splitlines()}


# --------------------------------------------------------------------------- CPU and memory


def self_cpu() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of another live process, from /proc."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime


def proc_status_kb(pid: int, key: str) -> int | None:
    """A ``kB`` field of /proc/PID/status (``VmHWM`` peak RSS, ``VmRSS`` current)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class ChildRun:
    """A finished child process: wall time, CPU and peak RSS (of the child itself)."""

    returncode: int
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 3600
) -> ChildRun:
    """Run ``argv`` and measure it with ``wait4`` (so CPU and ru_maxrss are that child's)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env)
        deadline = started + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return ChildRun(
            returncode=proc.returncode,
            wall_s=wall,
            cpu_s=ru.ru_utime + ru.ru_stime,
            maxrss_mb=ru.ru_maxrss / 1024,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


# --------------------------------------------------------------------------- the fake server


@dataclass
class Server:
    """The fake OpenAI-compatible server running in its own process."""

    url: str
    pid: int
    latency: float

    def cpu(self) -> float:
        return proc_cpu(self.pid)


@contextlib.contextmanager
def fake_server(latency: float = 0.0) -> Iterator[Server]:
    """``python -m diplosum.testing --latency L`` in its own process; its pid gives its CPU."""
    from diplosum.testing import run_in_subprocess

    with run_in_subprocess(latency=latency) as proc:
        yield Server(proc.url, proc.pid, latency)


def diplosum_cli() -> list[str]:
    """How to run the command line: ``python -m diplosum`` with this interpreter."""
    return [sys.executable, "-m", "diplosum"]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for CLI children: no API keys, no model choice leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DIPLOSUM_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


# --------------------------------------------------------------------------- articles

_STATES = [
    "Qatar",
    "Egypt",
    "Oman",
    "Norway",
    "Switzerland",
    "Turkey",
    "Kenya",
    "Ethiopia",
    "Sudan",
    "Israel",
    "Jordan",
    "Algeria",
    "Morocco",
    "Ghana",
    "Nigeria",
    "Brazil",
    "Colombia",
    "Chile",
    "Peru",
    "Mexico",
    "Canada",
    "Japan",
    "Indonesia",
    "Malaysia",
    "Thailand",
    "Vietnam",
    "India",
    "Pakistan",
    "Armenia",
    "Azerbaijan",
    "Georgia",
    "Serbia",
    "Croatia",
    "Greece",
    "Cyprus",
    "Lebanon",
    "Iraq",
    "Kuwait",
    "Bahrain",
    "Uganda",
    "Rwanda",
    "Tanzania",
    "Zambia",
    "Angola",
    "Senegal",
    "Mali",
    "Niger",
    "Chad",
]
_CITIES = [
    "Doha",
    "Cairo",
    "Muscat",
    "Oslo",
    "Geneva",
    "Istanbul",
    "Nairobi",
    "Addis",
    "Khartoum",
    "Amman",
    "Algiers",
    "Rabat",
    "Accra",
    "Abuja",
    "Brasilia",
    "Bogota",
    "Santiago",
    "Lima",
    "Ottawa",
    "Tokyo",
    "Jakarta",
    "Bangkok",
    "Hanoi",
    "Delhi",
    "Baku",
    "Tbilisi",
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_VERBS = ("mediated", "hosted", "brokered", "facilitated")
_TEMPLATES = (
    "{a} and {b} will resume talks in {city} on {month} {day}, in a round {verb} by {m}, "
    "officials said on {weekday}.\n\n"
    "The foreign minister of {a} said the government wants a lasting ceasefire and the return "
    "of displaced people. A spokesman for {b} said the delegation is ready to discuss a "
    "phased withdrawal but rejects any preconditions.\n\n"
    "Diplomats from {m} said the round number {n} would focus on prisoner exchanges.",
    "Delegations from {a} and {b} met in {city} on {month} {day} for talks {verb} by {m}.\n\n"
    "A senior official from {m} said both sides had agreed to extend the truce by {n} days. "
    "The envoy of {a} said his country supports a monitoring mission. {b} said it would "
    "study the proposal.\n\n"
    "Further talks are expected next month, according to a statement.",
    "{m} has offered to host a summit between {a} and {b} in {city} on {day} {month}, "
    "the foreign ministry said.\n\n"
    "The president of {a} said he would attend if the agenda includes border demarcation. "
    "The prime minister of {b} said talks must cover trade and water rights, and that "
    "{n} observers should be deployed.\n\n"
    "No date has been confirmed by the other side.",
)


def article_text(i: int, seed: int = 0) -> str:
    """A small synthetic news article (about 550 characters), unique for each ``i``."""
    rnd = random.Random(f"{seed}:{i}")
    a, b, m = rnd.sample(_STATES, 3)
    return rnd.choice(_TEMPLATES).format(
        a=a,
        b=b,
        m=m,
        city=rnd.choice(_CITIES),
        month=rnd.choice(_MONTHS),
        day=rnd.randint(1, 28),
        weekday=rnd.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        verb=rnd.choice(_VERBS),
        n=i,
    )


def articles(n: int, seed: int = 0) -> list[Any]:
    """``n`` :class:`diplosum.Article` objects with a publication date and headline."""
    from diplosum._article import parse_text

    day = dt.date(2026, 3, 2)
    return [
        parse_text(article_text(i, seed), id=f"bench-{i:06d}", published=day, headline=f"Talks {i}")
        for i in range(n)
    ]


def corpus_dir(n: int, seed: int = 0, root: Path | None = None) -> Path:
    """A folder of ``n`` small ``.txt`` articles (made once, then reused)."""
    base = root or Path(
        os.environ.get("DIPLOSUM_BENCH_DATA", Path(tempfile.gettempdir()) / "diplosum-bench")
    )
    folder = base / f"corpus-{n}-s{seed}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = f"date 2026-03-02 Talks {i}\n\n{article_text(i, seed)}\n"
        (folder / f"a{i:06d}.txt").write_text(text, encoding="utf-8")
    marker.write_text(str(n))
    return folder


# --------------------------------------------------------------------------- statistics


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max, relative spread ((max - min) / median) and the raw values."""
    vals = [float(v) for v in values]
    med = statistics.median(vals)
    return {
        "median": med,
        "min": min(vals),
        "max": max(vals),
        "spread": (max(vals) - min(vals)) / med if med else 0.0,
        "n": len(vals),
        "values": vals,
    }


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (printed, and pasted into benchmarks/README.md)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/NAME.json`` (machine info included)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``fn``; return (its result, wall seconds, this process's CPU seconds)."""
    c0, t0 = self_cpu(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, self_cpu() - c0


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def local_summariser(base_url: str, prompt: str) -> Any:
    """A summariser of the embedded model sent to the llama.cpp server at ``base_url`` (not
    diplosum's own), without a cache, the way the local-model benchmarks compare servers."""
    import diplosum

    return diplosum.Summariser(
        "local", base_url=base_url, mode="json_grammar", cache=False, timeout=900, prompt=prompt
    )


def article_files(folders: list[Path], limit: int = 0) -> list[Path]:
    """The article files of each folder, sorted (hidden ones aside), the first ``limit`` of each
    when it is set."""
    files: list[Path] = []
    for folder in folders:
        found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        files += found[:limit] if limit else found
    return files


def serve_in_thread(weights: Path, port: int) -> Any:
    """llama-cpp-python's server app for ``weights`` in a thread of this process, with
    diplosum's server settings (no logits_all, no mmap, a thread per CPU); (server, thread)."""
    import threading
    import urllib.request

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    from diplosum.providers import LOCAL_CONTEXT

    threads = len(os.sched_getaffinity(0))
    app = create_app(
        server_settings=ServerSettings(host="127.0.0.1", port=port),
        model_settings=[
            ModelSettings(
                model=str(weights),
                model_alias="local",
                n_ctx=LOCAL_CONTEXT,
                n_threads=threads,
                n_threads_batch=threads,
                logits_all=False,
                use_mmap=False,
                verbose=bool(os.environ.get("BENCH_VERBOSE")),
            )
        ],
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2):
                return server, thread
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer")


def clear_kv_cache() -> None:
    """Empty the server's KV cache: each timed run then evaluates its whole prompt into the
    same empty cache. llama.cpp's answer depends on what its cache held (a prefix reused from
    another request, cells placed elsewhere, the first request after start): without this the
    two runs of one article would differ for that reason alone."""
    from llama_cpp.server import app

    assert app._llama_proxy is not None
    llm = app._llama_proxy()
    llm.reset()
    llm._ctx.kv_cache_clear()
