"""``python -m diplosum.testing``: serve the fake server in this process (see ``--help``)."""

import sys

from ._process import main

sys.exit(main())
