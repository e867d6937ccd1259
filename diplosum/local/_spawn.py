"""Spawning the server so that it dies with us (``PR_SET_PDEATHSIG`` on Linux)."""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import IO

_PR_SET_PDEATHSIG = 1


def _death_signal_preexec() -> Callable[[], None] | None:
    """On Linux, a preexec_fn asking the kernel to SIGKILL the child when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return preexec


def _popen(argv: list[str], log: IO[bytes], env: dict[str, str]) -> subprocess.Popen[bytes]:
    preexec = _death_signal_preexec()

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=preexec,
        )

    if preexec is None or threading.current_thread() is threading.main_thread():
        return spawn()
    return _spawner.run(spawn)


class _Spawner:
    """Runs spawns on one thread that lives as long as the process.

    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child exits, not the process:
    a server started from a worker thread would die with that worker.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[
            tuple[Callable[[], subprocess.Popen[bytes]], Future[subprocess.Popen[bytes]]]
        ]
        self._jobs = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, spawn: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="diplosum-spawner", daemon=True
                )
                self._thread.start()
        done: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((spawn, done))
        return done.result()

    def _loop(self) -> None:
        while True:
            spawn, done = self._jobs.get()
            try:
                done.set_result(spawn())
            except BaseException as exc:
                done.set_exception(exc)


_spawner = _Spawner()
