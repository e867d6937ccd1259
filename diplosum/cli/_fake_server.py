"""``python -m diplosum.testing``, the program: serve the fake server in this process.

The program's part, kept here with the command line's other signal handling and printing: it
prints the base URL first (:func:`diplosum.testing.run_in_subprocess` reads it) and stops on
SIGTERM/SIGINT. :func:`diplosum.testing.main` itself installs no handler and prints nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence

from ..testing import main


def run(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; the exit code."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return main(argv, ready=lambda url: print(url, flush=True), stop=stop)
