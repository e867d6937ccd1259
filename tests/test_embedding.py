"""diplosum embedded in another program: no signal handler, logging setting or stderr output of
that program is changed by running a local-model batch through the library."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The embedding program: its own SIGINT handler and logging configuration, then a batch on the
# embedded local model. The llama.cpp server is replaced by the fake server, started through
# diplosum.local exactly as the real one is (a child process on a free loopback port, waited
# for, reused by the batch, stopped at exit), only with another command line.
PROGRAM = textwrap.dedent(
    """
    import json, logging, signal, sys
    from pathlib import Path

    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append([record.name, record.getMessage()])

    def on_sigint(signum, frame):
        pass

    signal.signal(signal.SIGINT, on_sigint)
    logging.basicConfig(level=logging.INFO, handlers=[Keep()])

    def state():
        root = logging.getLogger()
        return {
            "sigint": signal.getsignal(signal.SIGINT),
            "sigterm": signal.getsignal(signal.SIGTERM),
            "root": (root.level, list(root.handlers), root.disabled),
            "disable": logging.root.manager.disable,
            "stderr": sys.stderr,
        }

    before = state()

    import diplosum
    from diplosum.local import shared_server

    here = Path(sys.argv[1])
    model = here / "model.gguf"
    stand_in = lambda port: [
        sys.executable, "-m", "diplosum.testing", f"--port={port}", "--model=local"
    ]
    server = shared_server(str(model), command=stand_in)
    articles = sorted((here / "articles").iterdir())
    items = list(diplosum.summarise_many(articles, model=f"local:{model}", cache=None))
    after = state()
    print(json.dumps({
        "ok": [i.ok for i in items],
        "model": sorted({i.model for i in items}),
        "unchanged": {k: before[k] == after[k] for k in before},
        "logged": seen,
        "pid": server.pid,
    }))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the local server is Linux-tested")
def test_a_program_embedding_a_local_batch_keeps_its_handlers_logging_and_stderr(
    tmp_path: Path,
) -> None:
    """A program with its own SIGINT handler and logging config runs a local-model batch through
    the library: afterwards its handlers and logging config are unchanged, nothing of diplosum's
    reached its log (a clean batch logs nothing) and nothing was printed to its stderr."""
    import json

    (tmp_path / "model.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    articles = tmp_path / "articles"
    articles.mkdir()
    for n, (host, city) in enumerate((("Qatar", "Doha"), ("Norway", "Oslo"))):
        (articles / f"a{n}.txt").write_text(
            f"{host} offered to host talks between Sudan and Chad in {city} on March {n + 3}. "
            "The Sudanese minister said Sudan wants a ceasefire first."
        )
    (tmp_path / "program.py").write_text(PROGRAM)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIPLOSUM_MODELS_DIR": str(tmp_path / "m")}
    env.pop("DIPLOSUM_TESTING_NO_WAIT", None)
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "program.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["ok"] == [True, True]
    assert report["model"] == [f"local:{(tmp_path / 'model.gguf').resolve()}"]
    assert all(report["unchanged"].values()), report["unchanged"]
    assert [r for r in report["logged"] if r[0].startswith("diplosum")] == []
    # The stand-in server was stopped when the program exited (atexit, no signal handler).
    pid = int(report["pid"])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
