"""``python -m diplosum.testing``: serve the fake server in this process (see ``--help``).

The program's part: print the base URL first (``run_in_subprocess`` reads it) and stop on
SIGTERM/SIGINT; :func:`diplosum.testing.main` itself installs no handler and prints nothing.
"""

import signal
import sys
import threading

from ._process import main


def _run() -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return main(ready=lambda url: print(url, flush=True), stop=stop)


if __name__ == "__main__":
    sys.exit(_run())
