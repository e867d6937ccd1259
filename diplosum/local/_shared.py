"""One shared server per weights file, for the whole process, and its clean-up.

Starting a server registers one ``atexit`` hook that stops it (and, on Linux, the kernel
kills it if the process dies without running it). Signal handlers are a program's own: this
module installs none; a program that wants the servers stopped on SIGTERM/SIGINT calls
:func:`stop_shared_servers` from its handler (the ``diplosum`` command does).
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from pathlib import Path
from typing import Any

from ._server import LocalServer
from ._weights import (
    resolve_weights,
)

_shared: dict[Path, LocalServer] = {}
_shared_lock = threading.RLock()
_atexit_installed = False


def shared_server(spec: str, **kwargs: Any) -> LocalServer:
    """The process-wide running server for a model spec (alias or ``.gguf`` path).

    Started on first use and reused afterwards (a batch shares one server; the first caller's
    ``kwargs`` for :class:`LocalServer` win), restarted if it died, and stopped at interpreter
    exit. Joins and verifies the weights first (see ``resolve_weights``). No signal handler is
    installed: a program's own SIGTERM/SIGINT handler can call :func:`stop_shared_servers`.
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
    """Stop every server :func:`shared_server` started (also run at exit). Safe to call from a
    signal handler."""
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
