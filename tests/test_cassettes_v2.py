"""Real model traffic of the prompt extract-v2, replayed (the cases: ``tests/cassette_cases.py``).

Re-record with ``python scripts/record_cassettes.py`` (this module is its default).
"""

from __future__ import annotations

from tests.cassette_cases import cassette_tests

globals().update(cassette_tests("extract-v2"))
