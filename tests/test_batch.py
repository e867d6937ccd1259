"""Batches on a loopback fake server: streaming, failures, budget, concurrency, sync and async."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from diplosum import Summariser
from diplosum._batch import RateLimiter, asummarise_many, summarise_many
from diplosum._cache import Cache
from diplosum.testing import FakeOpenAIServer, FaultKind, FaultPlan, fingerprint


def article(n: int) -> str:
    """A small synthetic article whose body is unique to ``n``."""
    return (
        f"date 2026-01-{1 + n % 28:02d} Talks number {n}\n\n"
        f"Qatar offered to host talks between Sudan and Chad in Doha on March {1 + n % 28}. "
        f"The Sudanese minister said Sudan wants a ceasefire first (item {n})."
    )


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A fake OpenAI-compatible server on loopback."""
    with FakeOpenAIServer() as srv:
        yield srv


def make(server: FakeOpenAIServer, **kw: object) -> Summariser:
    return Summariser("fake", base_url=server.base_url, api_key="test", **kw)  # type: ignore[arg-type]


def test_every_article_comes_out_once(server: FakeOpenAIServer) -> None:
    """Forty texts in, forty ok items out, each id once."""
    items = list(summarise_many([article(n) for n in range(40)], make(server), concurrency=8))
    assert len(items) == 40 and all(i.ok for i in items)
    assert sorted(i.id for i in items) == sorted(f"text-{n}" for n in range(40))
    assert server.requests == 40


def test_one_failure_does_not_stop_the_rest(server: FakeOpenAIServer) -> None:
    """An article whose calls always fail is reported; the others succeed."""
    bad = article(3)
    server.faults = lambda _i, text: (
        FaultKind.SERVER_500 if fingerprint(text) == fingerprint(parse(bad)) else None
    )
    items = list(summarise_many([article(n) for n in range(10)], make(server), concurrency=4))
    failed = [i for i in items if not i.ok]
    assert len(items) == 10 and len(failed) == 1
    assert failed[0].id == "text-3"
    assert failed[0].error is not None and failed[0].error.type == "ProviderError"
    assert "HTTP 500" in failed[0].error.message


def test_concurrency_is_bounded(server: FakeOpenAIServer) -> None:
    """No more than ``concurrency`` requests are in flight at once."""
    server.latency = 0.05
    lock, state = threading.Lock(), {"now": 0, "peak": 0}
    original = server._chat

    def counting(authorization: str, body: bytes):  # type: ignore[no-untyped-def]
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            return original(authorization, body)
        finally:
            with lock:
                state["now"] -= 1

    server._chat = counting  # type: ignore[method-assign]
    items = list(summarise_many([article(n) for n in range(24)], make(server), concurrency=6))
    assert len(items) == 24
    assert 1 < state["peak"] <= 6  # concurrency happened, and stayed within the bound


def test_results_stream_in_completion_order(server: FakeOpenAIServer) -> None:
    """A slow article does not hold back the fast ones behind it."""
    slow = parse(article(0))
    server.faults = lambda _i, text: (
        FaultKind.SLOW if fingerprint(text) == fingerprint(slow) else None
    )
    server.slow_seconds = 0.5
    items = list(
        summarise_many([article(n) for n in range(5)], make(server, timeout=5), concurrency=5)
    )
    assert items[-1].id == "text-0" and all(i.ok for i in items)


def test_budget_stops_new_calls(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the budget is spent, further articles are reported as BudgetExceeded, not sent."""
    s = make(server, prices={"compatible/fake": (1.0, 1.0)})  # prices are a value
    items = list(summarise_many([article(n) for n in range(6)], s, concurrency=1, budget_usd=1e-9))
    kinds = [i.error.type if i.error else None for i in items]
    assert kinds[0] is None and kinds[1:] == ["BudgetExceeded"] * 5
    assert server.requests == 1


def test_cached_items_skip_the_model(server: FakeOpenAIServer, tmp_path: Path) -> None:
    """A second batch over the same articles is served from the cache."""
    s = make(server, cache=Cache(tmp_path / "c.db"))
    first = list(summarise_many([article(n) for n in range(5)], s))
    second = list(summarise_many([article(n) for n in range(5)], s))
    assert server.requests == 5
    assert all(i.cached for i in second) and not any(i.cached for i in first)
    assert {i.summary_json for i in first} == {i.summary_json for i in second}


def test_unreadable_inputs_are_reported(server: FakeOpenAIServer, tmp_path: Path) -> None:
    """Bad files become error items naming the file; good ones proceed."""
    (tmp_path / "good.txt").write_text(article(1))
    (tmp_path / "empty.txt").write_text("")
    items = list(summarise_many([tmp_path], make(server)))
    by_id = {i.id: i for i in items}
    assert by_id["good.txt"].ok
    assert by_id["empty.txt"].error is not None and "empty" in by_id["empty.txt"].error.message
    assert str(tmp_path / "empty.txt") in by_id["empty.txt"].error.message


def test_transient_faults_are_retried(server: FakeOpenAIServer) -> None:
    """Each article's first call is rate limited; all still succeed."""
    server.faults = FaultPlan.sequence([FaultKind.RATE_LIMIT_NO_HEADER, None])
    items = list(summarise_many([article(n) for n in range(8)], make(server), concurrency=4))
    assert all(i.ok for i in items) and server.requests == 16


async def test_async_iterator(server: FakeOpenAIServer) -> None:
    """asummarise_many yields items inside a running event loop."""
    out = [
        i
        async for i in asummarise_many([article(n) for n in range(6)], make(server), concurrency=3)
    ]
    assert len(out) == 6 and all(i.ok for i in out)


async def test_rate_limiter_spaces_requests() -> None:
    """With rpm=2 a third acquisition must wait for the window to move."""
    limiter = RateLimiter(rpm=2)
    await limiter.acquire(1)
    await limiter.acquire(1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(limiter.acquire(1), timeout=0.2)


def test_records_validate_against_the_published_schema(server: FakeOpenAIServer) -> None:
    """Every output line, success or failure, is a valid OutputRecord."""
    from diplosum._records import OutputRecord

    items = list(summarise_many([article(1), "   "], make(server)))
    for item in items:
        OutputRecord.model_validate_json(item.json_line())
    assert {i.status for i in items} == {"ok", "error"}


def parse(text: str) -> str:
    from diplosum._article import parse_text

    return parse_text(text).text


def test_leaving_early_cancels_in_flight_calls(server: FakeOpenAIServer) -> None:
    """A consumer that stops (break, Ctrl-C) does not wait for slow in-flight requests."""
    server.faults = lambda _i, text: FaultKind.SLOW if "(item 0)" not in text else None
    server.slow_seconds = 5
    started = time.perf_counter()
    for item in summarise_many(
        [article(n) for n in range(4)], make(server, timeout=30), concurrency=4
    ):
        assert item.ok
        break
    assert time.perf_counter() - started < 3
