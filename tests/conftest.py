"""Shared fixtures: offline by default, cassettes from the top-level cassettes/ folder."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Cassettes: secrets filtered, requests matched on method, path and body."""
    return {
        "filter_headers": [
            "authorization",
            "openai-organization",
            "openai-project",
            "x-api-key",
            "cookie",
            "set-cookie",
        ],
        "match_on": ["method", "path", "body"],
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
