"""Shared fixtures: offline by default, cassettes from the top-level cassettes/ folder."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diplosum import retry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# No test may reach a real provider by accident, nor pick up the developer's own settings.
for _var in (
    "OPENAI_API_KEY",
    "DIPLOSUM_MODEL",
    "DIPLOSUM_CACHE",
    "DIPLOSUM_BASE_URL",
    "DIPLOSUM_PRICES",
):
    os.environ.pop(_var, None)


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    """Remove transport back-off waits in tests (off by default in the library)."""
    retry.set_testing(True)
    yield
    retry.set_testing(False)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cache and model folders of the developer out of reach."""
    monkeypatch.setenv("DIPLOSUM_CACHE", str(tmp_path / "default-cache.db"))


# Pydantic appends "For further information visit https://errors.pydantic.dev/<version>/..." to
# validation errors, and instructor sends that text back in a re-ask: strip the version-specific
# line so a cassette replays on any pydantic release.
_PYDANTIC_URL = re.compile(
    r"\n?[ \t]*For further information visit https://errors\.pydantic\.dev/\S+"
)


def _normalised_body(request: Any) -> Any:
    try:
        data = json.loads(request.body)
    except (TypeError, ValueError):
        return request.body
    for message in data.get("messages", []) if isinstance(data, dict) else []:
        if isinstance(message.get("content"), str):
            message["content"] = _PYDANTIC_URL.sub("", message["content"])
    if isinstance(data, dict):
        # How the answer's shape reaches llama.cpp (a compact grammar converted in-process when
        # llama-cpp-python is installed, else the schema) depends on the environment, not on
        # the request's meaning; tests/test_cited.py checks both forms.
        data.pop("grammar", None)
        data.pop("response_format", None)
    return data


def _body_matcher(r1: Any, r2: Any) -> None:
    """Bodies are equal as JSON, ignoring pydantic's version-specific documentation links and
    the grammar's form."""
    assert _normalised_body(r1) == _normalised_body(r2), "request bodies differ"


def pytest_recording_configure(config: pytest.Config | None, vcr: Any) -> None:
    """Register the body matcher used by every cassette."""
    vcr.register_matcher("llm_body", _body_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Cassettes: secrets filtered, requests matched on method, path and (normalised) body."""
    return {
        "filter_headers": [
            "authorization",
            "openai-organization",
            "openai-project",
            "x-api-key",
            "cookie",
            "set-cookie",
        ],
        "match_on": ["method", "path", "llm_body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes live in the top-level cassettes/ folder, one sub-folder per test module."""
    return str(ROOT / "cassettes" / request.module.__name__.split(".")[-1])


@pytest.fixture
def cassette(vcr: Any) -> Iterator[Any]:
    """The test's cassette; the test fails if any recorded interaction goes unplayed."""
    yield vcr
    if vcr is not None and vcr.record_mode == "none":
        unplayed = len(vcr.data) - vcr.play_count
        assert vcr.all_played, f"{unplayed} recorded interaction(s) were not played"
