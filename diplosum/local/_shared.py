"""One shared server per weights file, for the whole process, and its clean-up.

Starting a server registers one ``atexit`` hook that stops it (and, on Linux, the kernel
kills it if the process dies without running it). Signal handlers are a program's own: they
are installed only when it asks, with :func:`install_cleanup` (the ``diplosum`` command does).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from ._server import LocalServer
from ._weights import (
    resolve_weights,
)

_shared: dict[Path, LocalServer] = {}
_shared_lock = threading.RLock()
_atexit_installed = False
_signals_installed = False


def shared_server(spec: str, **kwargs: Any) -> LocalServer:
    """The process-wide running server for a model spec (alias or ``.gguf`` path).

    Started on first use and reused afterwards (a batch shares one server; the first caller's
    ``kwargs`` for :class:`LocalServer` win), restarted if it died, and stopped at interpreter
    exit. Joins and verifies the weights first (see ``resolve_weights``). No signal handler is
    installed: call :func:`install_cleanup` from the main thread to also stop the servers on
    SIGTERM/SIGINT.
    """
    path = resolve_weights(spec)
    with _shared_lock:
        _stop_at_exit()
        server = _shared.get(path)
        if server is None:
            server = LocalServer(path, **kwargs)
            _shared[path] = server
        server.start()
        return server


def shared_server_death(spec: str) -> str | None:
    """Why the shared server for ``spec`` died, if it did (see :meth:`LocalServer.death`)."""
    with contextlib.suppress(Exception):
        for path, server in _shared.items():
            if path == resolve_weights(spec):
                return server.death()
    return None


def stop_shared_servers() -> None:
    """Stop every server :func:`shared_server` started (also run at exit and on signals)."""
    # No lock: a signal handler must not wait for another thread's start() to finish.
    servers = list(_shared.values())
    _shared.clear()
    for server in servers:
        server.stop()


def _stop_at_exit() -> None:
    global _atexit_installed
    if not _atexit_installed:
        _atexit_installed = True
        atexit.register(stop_shared_servers)


def install_cleanup() -> None:
    """Opt in: stop shared servers at exit and on SIGTERM/SIGINT, chained to the handlers the
    program had (signals can only be set from the main thread; an ignored signal stays
    ignored). Only the caller's explicit call installs them: the ``diplosum`` command calls
    it before a local model's first request; :func:`shared_server` never does.
    """
    global _signals_installed
    _stop_at_exit()
    if _signals_installed or threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    _signals_installed = True
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if previous != signal.SIG_IGN:  # respect an ignored signal (nohup, background jobs)
            signal.signal(sig, _chained_handler(sig, previous))


_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


def _chained_handler(
    sig: signal.Signals, previous: _Handler
) -> Callable[[int, FrameType | None], None]:
    """Stop the servers, then do what the signal did before (raise KeyboardInterrupt, die, ...)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop_shared_servers()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)

    return handler
