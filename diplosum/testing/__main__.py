"""``python -m diplosum.testing``: serve the fake server in this process (see ``--help``).

The program (printing the URL, handling SIGTERM/SIGINT) lives in the command line package,
``diplosum.cli._fake_server``, with diplosum's other program code.
"""

import sys

from ..cli import fake_server_main

if __name__ == "__main__":
    sys.exit(fake_server_main())
