"""The command's signal handling for the embedded local model's server.

Library code never installs a signal handler: :mod:`diplosum.local` stops its shared servers
at interpreter exit (``atexit``) and, on Linux, the kernel kills a server whose parent died.
The ``diplosum`` command also stops them on SIGTERM/SIGINT, before the signal does what it did
before (the command's own SIGTERM handler, KeyboardInterrupt, or the default death).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

from ..local import stop_shared_servers

_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

_installed = False


def stop_servers_on_signals() -> None:
    """Stop the shared local servers on SIGTERM/SIGINT, chained to the handlers the program
    had. Only from the main thread (signals can be set nowhere else); an ignored signal stays
    ignored (nohup, background jobs). Idempotent.
    """
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    _installed = True
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if previous != signal.SIG_IGN:
            signal.signal(sig, _chained_handler(sig, previous))


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
