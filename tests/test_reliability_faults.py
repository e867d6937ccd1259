"""Faults: a large batch under every kind of endpoint fault loses nothing and resumes cleanly."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from diplosum import Summariser, retry
from diplosum._batch import summarise_many
from diplosum._records import OutputRecord
from diplosum.testing import FakeOpenAIServer, FaultKind
from tests.reliability_helpers import (
    ROOT,
    article_text,
    check_grounded,
    fault_mix,
    read_all,
    requests_per_article,
    write_articles,
)

FILES, RECORDS = 184, 16  # 200 articles: files of every format, and one JSONL file
TIMEOUT, SLOW = 0.75, 2.5  # a SLOW answer comes well after the client's timeout
TRANSPORT = [
    FaultKind.SERVER_500,
    FaultKind.BAD_GATEWAY_502,
    FaultKind.UNAVAILABLE_503,
    FaultKind.RATE_LIMIT,
    FaultKind.RATE_LIMIT_NO_HEADER,
    FaultKind.RESET,
    FaultKind.EMPTY_CHOICES,
]
VALIDATION = [FaultKind.TRUNCATED_JSON, FaultKind.SCHEMA_INVALID]


def _corpus(folder: Path) -> None:
    write_articles(folder, FILES, seed=7)
    rng = random.Random(8)
    with (folder / "wire.jsonl").open("w", encoding="utf-8") as fh:
        for n in range(FILES, FILES + RECORDS):
            headline, body = article_text(n, rng)
            fh.write(json.dumps({"id": f"wire-{n}", "headline": headline, "text": body}) + "\n")


@pytest.mark.slow
def test_faulted_batch_loses_nothing_and_reruns_only_failures(tmp_path: Path) -> None:
    """200 articles, >20% of calls faulted, every kind: none lost or doubled; a re-run pays only for failures."""
    folder = tmp_path / "articles"
    _corpus(folder)
    articles = read_all([folder])
    assert len(articles) == FILES + RECORDS
    shas = sorted(articles)
    rng = random.Random(7)
    # Some articles always fault in the first run: every transport and validation kind twice
    # (they must fail with a reason), and ungrounded quotes twice (they must be salvaged).
    kinds = [*TRANSPORT, *VALIDATION, FaultKind.UNGROUNDED_QUOTE] * 2
    doomed = dict(zip(rng.sample(shas, len(kinds)), kinds, strict=True))
    must_fail = {sha for sha, kind in doomed.items() if kind is not FaultKind.UNGROUNDED_QUOTE}
    plan = fault_mix(0.3, seed=11, doomed=doomed)
    cache = tmp_path / "cache.db"

    def summariser(server: FakeOpenAIServer) -> Summariser:
        return Summariser(
            "fake", base_url=server.base_url, api_key="test", cache=cache, timeout=TIMEOUT
        )

    with FakeOpenAIServer(faults=plan, slow_seconds=SLOW) as server:
        started = time.perf_counter()
        first = list(summarise_many([folder], summariser(server), concurrency=16))
        first_s = time.perf_counter() - started
        log = server.log

        plan.doom = False  # type: ignore[attr-defined]
        server.reset()
        started = time.perf_counter()
        second = list(summarise_many([folder], summariser(server), concurrency=16))
        second_s = time.perf_counter() - started
        rerun = requests_per_article(server)

    # Zero lost, zero duplicated: one item per article, in both runs.
    for items in (first, second):
        assert len(items) == len(shas)
        assert Counter(i.article_sha256 for i in items) == Counter(shas)
        assert len({i.id for i in items}) == len(shas)

    faults = Counter(r.fault for r in log if r.fault is not None)
    share = sum(faults.values()) / len(log)
    failed = {i.article_sha256: i for i in first if not i.ok}
    reasons = Counter(str(i.error.type if i.error else None) for i in failed.values())
    salvaged = [i for i in first if i.ok and i.dropped]
    report = (
        f"faults: {len(shas)} articles, {len(log)} requests, {sum(faults.values())} faulted "
        f"({share:.0%}): {dict(sorted((k.value, n) for k, n in faults.items()))}; "
        f"first run {first_s:.1f} s: {len(shas) - len(failed)} ok ({len(salvaged)} with dropped "
        f"items), {len(failed)} failed {dict(reasons)}; re-run {second_s:.1f} s: "
        f"{sum(rerun.values())} requests for {len(rerun)} articles, "
        f"{sum(i.cached for i in second)} served from the cache, "
        f"{sum(i.ok for i in second)} ok"
    )
    print(report)
    assert share >= 0.20, report
    assert set(faults) == set(FaultKind), report

    # Every failure says why, names its article, and is one of the doomed ones.
    assert set(failed) == must_fail, report
    for sha, item in failed.items():
        error = item.error
        assert error is not None
        expected = "ExtractionError" if doomed[sha] in VALIDATION else "ProviderError"
        assert error.type == expected, (doomed[sha], error)
        # attempts are model calls (a failed one included); http_attempts the requests sent
        assert item.id in error.message and error.attempts >= 1, error
        assert item.attempts == error.attempts and item.http_attempts >= item.attempts, item
    assert "HTTP 503" in next(
        i.error.message
        for s, i in failed.items()
        if i.error and doomed[s] is FaultKind.UNAVAILABLE_503
    )
    # Ungrounded quotes never reach the summary: the item is dropped and reported.
    for sha, kind in doomed.items():
        if kind is FaultKind.UNGROUNDED_QUOTE:
            item = next(i for i in first if i.article_sha256 == sha)
            assert item.ok and any(_invented(d.model_dump()) for d in item.dropped)
    for item in first:
        if item.ok:
            check_grounded(
                OutputRecord.model_validate_json(item.json_line()), articles[item.article_sha256]
            )

    # The re-run pays only for the failures; every earlier success comes from the cache.
    assert set(rerun) == set(failed), report
    by_sha = {i.article_sha256: i for i in second}
    assert all(by_sha[i.article_sha256].cached for i in first if i.ok)
    assert all(by_sha[sha].ok and not by_sha[sha].cached for sha in failed), report


def test_retry_waits_are_removed_in_tests_only() -> None:
    """The back-off switch is on under the test suite and off in a fresh interpreter."""
    assert retry.testing()
    env = {k: v for k, v in os.environ.items() if k != "DIPLOSUM_TESTING_NO_WAIT"}
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "from diplosum import retry; "
        "print(retry.testing(), retry.RetryPolicy().wait(1, None) >= 1.0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "True"], out


def _invented(dropped: dict[str, str]) -> bool:
    """The fault's invented position, dropped: a quote not in the article (extract-v1) or a
    segment that does not exist or names neither its actor nor a speaker (extract-v2)."""
    return "quote not found" in dropped["reason"] or "'Nowhere'" in dropped["reason"]
