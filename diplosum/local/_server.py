"""One llama.cpp server child process on loopback: start, answer check, stop, why it died."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from ..errors import LocalModelError
from ._spawn import _popen

HOST = "127.0.0.1"
#: Seconds the 1.5B default model takes per article (one model call) on the slower of this
#: project's 2-core machines (an Intel Xeon VM; 23 s median on an AMD EPYC one), measured:
#: the most the CLI tells a user to expect.
SECONDS_PER_ARTICLE = 50
SERVER_INSTALL_COMMAND = 'pip install "diplosum[local]"'
#: Build flags for llama.cpp that run on any x86-64 CPU with AVX2. Its default build targets
#: the build machine's every instruction set, AMX included, which some virtual machines
#: advertise but cannot run (SIGILL on the first request).
PORTABLE_CMAKE_ARGS = (
    "-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON "
    "-DGGML_F16C=ON -DGGML_BMI2=ON"
)
_SERVER_DEPENDENCIES = (
    "uvicorn",
    "fastapi",
    "sse_starlette",
    "starlette_context",
    "pydantic_settings",
)
# llama_cpp.server 0.3.36 lets these environment variables override its command line (HOST,
# PORT and CONFIG_FILE explicitly; the rest through pydantic-settings, case-insensitively), so
# a stray HOST=0.0.0.0, API_KEY or HF_MODEL_REPO_ID in the user's shell would change what runs.
# fmt: off
_SERVER_ENV_OVERRIDES = frozenset((
    "config_file", "model", "model_alias", "n_gpu_layers", "split_mode", "main_gpu",
    "tensor_split", "vocab_only", "use_mmap", "use_mlock", "kv_overrides", "rpc_servers", "seed",
    "n_ctx", "n_batch", "n_ubatch", "n_threads", "n_threads_batch", "rope_scaling_type",
    "rope_freq_base", "rope_freq_scale", "yarn_ext_factor", "yarn_attn_factor", "yarn_beta_fast",
    "yarn_beta_slow", "yarn_orig_ctx", "mul_mat_q", "logits_all", "embedding", "offload_kqv",
    "flash_attn", "last_n_tokens_size", "lora_base", "lora_path", "numa", "chat_format",
    "chat_template_kwargs", "clip_model_path", "cache", "cache_type", "cache_size",
    "hf_tokenizer_config_path", "hf_pretrained_model_name_or_path", "hf_model_repo_id",
    "draft_model", "draft_model_num_pred_tokens", "type_k", "type_v", "verbose", "host", "port",
    "ssl_keyfile", "ssl_certfile", "api_key", "interrupt_requests", "disable_ping_events",
    "root_path", "models",
))
# fmt: on
_STOP_GRACE = 2.0  # an idle server exits in ~0.2 s; a busy one waits for its request
_LOG_TAIL_LINES = 40


def llama_server_available() -> bool:
    """Whether ``llama_cpp.server`` and its server extras are installed (nothing is imported)."""
    try:
        spec = importlib.util.find_spec("llama_cpp")  # top-level: located, not imported
        if spec is None or not spec.submodule_search_locations:
            return False
        if not any(
            Path(p, "server", "__main__.py").is_file() for p in spec.submodule_search_locations
        ):
            return False
        return all(importlib.util.find_spec(name) is not None for name in _SERVER_DEPENDENCIES)
    except (ImportError, ValueError):
        return False


CommandFactory = Callable[[int], Sequence[str]]


def _site_dirs() -> set[str]:
    import site

    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return {str(Path(d).resolve()) for d in dirs}


class LocalServer:
    """One ``llama_cpp.server`` child process serving a GGUF file on ``127.0.0.1:<free port>``.

    ``start()`` returns once ``GET /v1/models`` answers with ``alias``; a child that exits
    first, or does not answer within ``startup_timeout`` seconds, raises
    :class:`LocalModelError` with the tail of its log in ``log_tail``. ``stop()`` sends SIGTERM
    to the child's process group, then SIGKILL after a few seconds; it is idempotent. The
    server answers one request at a time: use concurrency 1 and a generous request timeout.

    The log goes to ``log_path`` if given, else to a temporary file that a clean ``stop()``
    removes. ``command`` replaces the llama.cpp command line (given the port); it exists so
    tests can run the same lifecycle against a stand-in server. ``grammar_first`` (default)
    runs llama-cpp-python's server through ``diplosum.local._llama_server``, whose greedy
    grammar sampling asks the grammar about the chosen token before the whole vocabulary (the
    same answers, faster); ``False`` runs ``python -m llama_cpp.server`` itself.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        alias: str = "local",
        n_ctx: int = 4096,
        n_threads: int | None = None,
        startup_timeout: float = 180.0,
        log_path: Path | None = None,
        command: CommandFactory | None = None,
        grammar_first: bool = True,
    ) -> None:
        self.model_path = Path(model_path)
        self.alias = alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads or _available_cpus()
        self.startup_timeout = startup_timeout
        self._requested_log = Path(log_path) if log_path is not None else None
        self._command = command
        self.grammar_first = grammar_first
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._log: Path | None = None
        self._owns_log = False
        self._log_offset = 0  # where the current attempt's output starts in the log
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        state = f"running on {self.base_url}" if self.running else "stopped"
        return f"<LocalServer {self.model_path.name} {state}>"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint, ``http://127.0.0.1:PORT/v1`` (set by ``start()``)."""
        if self._port is None:
            raise RuntimeError("LocalServer.start() has not been called")
        return f"http://{HOST}:{self._port}/v1"

    @property
    def port(self) -> int | None:
        """The loopback port, once started."""
        return self._port

    @property
    def pid(self) -> int | None:
        """The child's process id, once started."""
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path | None:
        """Where the child's stdout and stderr go."""
        return self._log

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def command_line(self, port: int) -> list[str]:
        """The child's argv for ``port``: llama.cpp's server bound to 127.0.0.1 only."""
        if self._command is not None:
            return [str(arg) for arg in self._command(port)]
        # diplosum's entry point is llama-cpp-python's server with greedy grammar sampling that
        # checks the chosen token first (the same tokens, ~15 ms a token less on 2 cores).
        entry = "diplosum.local._llama_server" if self.grammar_first else "llama_cpp.server"
        return [
            sys.executable, "-m", entry,
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", HOST,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            # The server's default (True) keeps an n_ctx x vocabulary float array and computes
            # logits for every prompt token: ~4 GB more at n_ctx 8192, needed only for logprobs.
            "--logits_all", "false",
            # Read the weights into memory instead of mapping the file: llama.cpp repacks most
            # of them for the CPU's matrix kernels, and a mapped file keeps the original pages
            # resident beside the repacked copy (measured: peak RSS 2,061 -> 1,457 MiB, same
            # answers; benchmarks/bench_server_options.py).
            "--use_mmap", "false",
        ]  # fmt: skip

    def start(self) -> None:
        """Start the child and wait until it answers; a no-op if it is already running."""
        with self._lock:
            if self.running:
                return
            self.stop()
            if self._command is None:
                if not llama_server_available():
                    raise LocalModelError(
                        "the llama.cpp server is not installed (llama-cpp-python[server]); "
                        f"install it with: {SERVER_INSTALL_COMMAND}"
                    )
                if not self.model_path.is_file():
                    raise LocalModelError(f"no such model file: {self.model_path}")
            deadline = time.monotonic() + self.startup_timeout
            for attempt in range(3):
                try:
                    self._wait_until_ready(self._spawn(), deadline)
                    return
                except _PortTaken:
                    self._kill()
                    if attempt == 2:
                        raise self._failure("could not start on a free loopback port") from None
                except BaseException:  # includes KeyboardInterrupt: never leave a child behind
                    self._kill()
                    raise

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL) and reap it; safe to call repeatedly."""
        proc = self._proc
        if proc is not None:
            # Outside the lock: a signal handler must not wait for a start() in progress.
            _terminate(proc)
        with self._lock:
            if self._proc is proc:
                self._proc, self._port = None, None
                if self._log is not None and self._owns_log:
                    with contextlib.suppress(OSError):
                        self._log.unlink()
                    self._log, self._owns_log = None, False

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self) -> subprocess.Popen[bytes]:
        port = _free_port()
        if self._requested_log is not None:
            log = self._requested_log
            log.parent.mkdir(parents=True, exist_ok=True)
        elif self._log is None:
            fd, name = tempfile.mkstemp(prefix="diplosum-llama-", suffix=".log")
            os.close(fd)
            log, self._owns_log = Path(name), True
        else:
            log = self._log
        self._log = log
        argv = self.command_line(port)
        env = {k: v for k, v in os.environ.items() if k.lower() not in _SERVER_ENV_OVERRIDES}
        env["PYTHONUNBUFFERED"] = "1"
        if self._command is None and self.grammar_first:
            # The child imports diplosum's entry point from where this process found it (a
            # checkout put on sys.path need not be installed); an installed diplosum is found
            # anyway, and site-packages must not go ahead of the standard library.
            root = str(Path(__file__).resolve().parents[2])
            if root not in _site_dirs():
                env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        with log.open("ab") as out:
            self._log_offset = out.tell()
            out.write(f"$ {' '.join(argv)}\n".encode())
            out.flush()
            self._proc = _popen(argv, out, env)
        self._port = port
        return self._proc

    def _wait_until_ready(self, proc: subprocess.Popen[bytes], deadline: float) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        url = f"http://{HOST}:{self._port}/v1/models"
        delay = 0.05
        while True:
            code = proc.poll()
            if code is not None:
                if "address already in use" in self._log_tail(self._log_offset).lower():
                    raise _PortTaken
                raise self._failure(
                    f"the llama.cpp server exited with code {code} before it answered"
                )
            with contextlib.suppress(OSError, ValueError):
                with opener.open(url, timeout=2.0) as response:
                    models = json.load(response)
                if self.alias in _model_ids(models):
                    return
                raise _PortTaken  # something else answers on our port
            if time.monotonic() >= deadline:
                raise self._failure(
                    f"the llama.cpp server did not answer within {self.startup_timeout:g} s"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _failure(self, what: str) -> LocalModelError:
        tail = self._log_tail()
        shown = "\n".join(tail.splitlines()[-12:])
        return LocalModelError(
            f"{what} (model {self.model_path}, log {self._log}):\n{shown}",
            log_tail=tail,
            log_path=str(self._log) if self._log else None,
        )

    def death(self) -> str | None:
        """Why the child is gone, if it died after starting (None while it runs)."""
        code = self._proc.poll() if self._proc is not None else None
        if code is None:
            return None
        if code == -signal.SIGILL:
            return (
                "the llama.cpp server died of an illegal instruction (SIGILL): it was built for "
                "CPU features this machine cannot run. Rebuild it with "
                f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall '
                '--no-cache-dir --no-deps "llama-cpp-python[server]==0.3.36"'
            )
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        return f"the llama.cpp server died ({how}); its log: {self._log}"

    def _log_tail(self, since: int = 0) -> str:
        if self._log is None:
            return ""
        try:
            with self._log.open("rb") as f:
                f.seek(max(since, f.seek(0, os.SEEK_END) - 16_384))
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-_LOG_TAIL_LINES:])

    def _kill(self) -> None:
        """Stop a child that failed to start, keeping its log for the error message."""
        proc, self._proc, self._port = self._proc, None, None
        if proc is not None:
            _terminate(proc)


def _model_ids(listing: object) -> list[object]:
    data = listing.get("data") if isinstance(listing, dict) else None
    return [m.get("id") for m in data if isinstance(m, dict)] if isinstance(data, list) else []


class _PortTaken(Exception):
    """The free port we picked was taken before the child could bind it."""


def _available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's group, SIGKILL it after a grace period; only timed waits, so that
    a signal handler interrupting another wait on the same process cannot deadlock."""
    for sig in (signal.SIGTERM, signal.SIGKILL if sys.platform != "win32" else signal.SIGTERM):
        if proc.poll() is not None:
            return
        _signal_group(proc, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=_STOP_GRACE)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform != "win32":
            os.killpg(proc.pid, sig)  # the child leads its own group (start_new_session)
        else:
            proc.terminate()
