"""Real model traffic of the prompt extract-v4, replayed (the cases: ``tests/cassette_cases.py``).

extract-v4 sends extract-v2's messages with a grammar that has no ``summary``: the recorded
answers must be extract-v2's recorded answers without it. Re-record with
``python scripts/record_cassettes.py --tests tests/test_cassettes_v4.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cassette_cases import CASSETTES, cassette_tests

globals().update(cassette_tests("extract-v4"))


def _answer(folder: str, name: str) -> dict[str, Any]:
    """The model's answer (the message content) recorded in a cassette."""
    import yaml

    path = Path(__file__).resolve().parent.parent / "cassettes" / folder / f"{name}.yaml"
    interactions = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]
    body = json.loads(interactions[0]["response"]["body"]["string"])
    answer: dict[str, Any] = json.loads(body["choices"][0]["message"]["content"])
    return answer


@pytest.mark.parametrize("name", CASSETTES)
def test_the_answer_is_extract_v2s_without_its_summary(name: str) -> None:
    """The same messages at temperature 0: every field extract-v2's recording holds before its
    summary, the same; the summary never written (so ~55 fewer completion tokens)."""
    v2, v4 = _answer("test_cassettes_v2", name), _answer("test_cassettes_v4", name)
    assert "summary" in v2 and "summary" not in v4
    del v2["summary"]
    assert {k: v for k, v in v4.items() if k != "language"} == {
        k: v for k, v in v2.items() if k != "language"
    }
