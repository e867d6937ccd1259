"""Summarise many articles concurrently; every article comes out as a success or a failure.

:func:`asummarise_many` is an async iterator of records
(:class:`~diplosum._records.OutputRecord`, exported as ``BatchItem``) in completion order;
:func:`summarise_many` is its synchronous twin. Inputs are streamed (folders are walked lazily,
never loaded whole), cache hits are served without building a client, at most
``concurrency`` model calls run at once, optional request/token rate limits apply, and a
dollar ``budget`` stops new calls once reached. One failing article never cancels the others.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from ._article import ARTICLE_SUFFIXES, MAX_ARTICLE_BYTES, Article, parse_record, parse_text
from ._budget import estimate_tokens
from ._inputs import _iter_articles, _Run
from ._names import printable
from ._records import OutputRecord
from ._summariser import Summariser
from .errors import ArticleError, BudgetExceeded, ConfigurationError

BatchItem = OutputRecord  # the name the public API has always used

__all__ = [
    "BatchItem",
    "BatchStats",
    "RateLimiter",
    "SharedSpend",
    "asummarise_many",
    "summarise_many",
]

Input = str | os.PathLike[str] | Article | dict[str, Any]


@dataclass(slots=True)
class BatchStats:
    """Running totals of a batch."""

    articles: int = 0
    ok: int = 0
    failed: int = 0
    cached: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, item: BatchItem) -> None:
        self.articles += 1
        self.ok += item.ok
        self.failed += not item.ok
        self.cached += item.cached
        if not item.cached:
            self.tokens += item.total_tokens
            cost = item.cost_usd
            if cost is None:
                self.cost_unknown += item.total_tokens > 0
            else:
                self.cost_usd += cost

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits (sliding one-minute window)."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._events: list[tuple[float, int]] = []
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int) -> None:
        if not self.rpm and not self.tpm:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self._events = [(t, n) for t, n in self._events if now - t < 60]
                used = sum(n for _, n in self._events)
                if (not self.rpm or len(self._events) < self.rpm) and (
                    not self.tpm or used + tokens <= self.tpm or not self._events
                ):
                    self._events.append((now, tokens))
                    return
                await asyncio.sleep(max(0.01, 60 - (now - self._events[0][0])))


class SharedSpend(Protocol):
    """Dollars spent by every process of one run (``diplosum.ray`` keeps one in a Ray actor),
    for a ``budget_usd`` that holds across processes: :func:`asummarise_many` reads it before
    each model call it starts and adds each fresh answer's cost to it as soon as it is known."""

    async def spent(self) -> float: ...

    async def add(self, usd: float) -> None: ...


def _names_a_file(item: str) -> bool:
    """Whether a string input is a path: one line that exists (a dangling link too), or that
    cannot be an article (one word, or a name ending in an article suffix), so that a mistyped
    path is reported as missing instead of being sent to the model as the article's text."""
    if "\n" in item or len(item) >= 4096 or not item.strip():
        return False
    return (
        os.path.lexists(item)
        or len(item.split()) == 1
        or Path(item.strip()).suffix.lower() in ARTICLE_SUFFIXES
    )


def _articles(items: Iterable[Input], run: _Run | None = None) -> Iterator[Article | ArticleError]:
    """Every input as an article (or the error saying why not); ``run`` keeps files read once
    and ids unique across all of ``items``."""
    run = run if run is not None else _Run()
    for n, item in enumerate(items):
        if isinstance(item, Article):
            yield run.unique(item)
        elif isinstance(item, dict):
            try:
                yield run.unique(
                    parse_record(
                        item, source=str(item.get("id", f"record-{n}")), default_id=f"record-{n}"
                    )
                )
            except ArticleError as exc:
                yield exc
        elif isinstance(item, os.PathLike) or (isinstance(item, str) and _names_a_file(item)):
            yield from _iter_articles([item], run, MAX_ARTICLE_BYTES)
        elif isinstance(item, str):
            try:
                yield run.unique(parse_text(item, id=f"text-{n}"))
            except ArticleError as exc:
                yield exc
        else:
            yield ArticleError(f"cannot summarise a {type(item).__name__}", source=f"item-{n}")


async def asummarise_many(
    items: Iterable[Input],
    summariser: Summariser | None = None,
    *,
    concurrency: int = 8,
    rpm: float | None = None,
    tpm: float | None = None,
    budget_usd: float | None = None,
    skip: Any = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    check_cache: bool = False,
    fail_fast: bool = True,
    shared_spend: SharedSpend | None = None,
    **options: Any,
) -> AsyncIterator[BatchItem]:
    """Summarise ``items`` (paths, folders, texts, records, articles), yielding as they finish.

    ``skip`` is an optional container of ``(id, article_sha256)`` pairs already done
    (used to resume); ``exclude`` lists files never read as inputs (e.g. the output file, when
    it sits in an input folder); ``options`` build a :class:`Summariser` when none is given.
    Ids are unique across the batch and a file reached twice is read once (see
    :func:`~diplosum.iter_articles`).

    With ``check_cache``, the cache is checked to be writable before the first model call
    (:class:`~diplosum.errors.CacheError` if it is not: every paid answer would be lost). With
    ``fail_fast`` (the default), the batch raises :class:`~diplosum.errors.ConfigurationError`
    when its first model calls (up to 3) all found no endpoint (connection refused, no such
    host, HTTP 404) and none succeeded, instead of failing every article the same way.

    With ``shared_spend`` (several processes, one budget), ``budget_usd`` is checked against
    what every process spent: a call starts only while the shared total is under the budget,
    so the budget is overshot by at most the calls in flight everywhere when it is reached.
    """
    s = summariser or Summariser(**options)
    limit = max(1, min(concurrency, s.concurrency_limit or concurrency))
    limiter = RateLimiter(rpm, tpm)
    spent = 0.0
    shared_total = 0.0  # the last total read from shared_spend
    budget_hit = False
    cache_checked = not check_cache
    # Fail fast on an endpoint that is not there: the first calls all unreachable, none answered.
    reached = not fail_fast
    unreachable: list[BaseException] = []
    pending: set[asyncio.Task[BatchItem]] = set()
    # Each task reports itself here when done: O(1) per article, where asyncio.wait(pending)
    # would add and remove a callback on every pending task for each one that finishes.
    finished: asyncio.Queue[asyncio.Task[BatchItem]] = asyncio.Queue()

    async def run(article: Article) -> BatchItem:
        nonlocal reached
        await limiter.acquire(estimate_tokens(article.text) + s.max_tokens)
        try:
            item = BatchItem.from_result(article, await s.asummarise_article(article))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one article's failure never stops the batch
            if getattr(exc, "unreachable", False):
                unreachable.append(exc)
            else:
                reached = True
            item = BatchItem.failure(exc, summariser=s, article=article)
        else:
            reached = True
        if shared_spend is not None and item.cost_usd:  # a failure's calls are paid for too
            await shared_spend.add(item.cost_usd)  # at once: the other processes check it
        return item

    def missing_endpoint(*, final: bool = False) -> bool:
        """Whether the first model calls all found no endpoint (a wrong ``base_url``), so that
        every article would fail the same way, one at a time; at the end (``final``), whether
        every call of the batch did."""
        return not reached and bool(unreachable) and (final or len(unreachable) >= min(limit, 3))

    def check_reachable(*, final: bool = False) -> None:
        """Stop the batch (ConfigurationError) if :func:`missing_endpoint`."""
        if missing_endpoint(final=final):
            where = s.spec.base_url or s.spec.label
            rest = "" if final else "; the other articles were not sent"
            raise ConfigurationError(
                f"cannot reach the model endpoint {where}: the first {len(unreachable)} "
                f"article(s) all failed to reach it and none succeeded (check --base-url and "
                f"--model){rest}. First error: {printable(s.redact(str(unreachable[0])))[:400]}"
            )

    async def settle() -> BatchItem:
        nonlocal spent
        task = await finished.get()
        pending.discard(task)
        item = task.result()
        spent += item.cost_usd or 0.0
        return item

    try:
        run_state = _Run(exclude)
        for art in _articles(items, run_state):
            if isinstance(art, ArticleError):
                item = BatchItem.failure(art, summariser=s, source=art.source)
                item.id = run_state.unique_id(item.id, art.source or item.id)
                yield item
                continue
            if skip is not None and (art.id, art.sha256) in skip:
                continue
            hit = s.lookup(art)
            if hit is not None:
                yield hit
                continue
            if budget_usd is not None and not budget_hit and shared_spend is not None:
                shared_total = await shared_spend.spent()
                budget_hit = shared_total >= budget_usd
            if budget_usd is not None and (budget_hit or spent >= budget_usd):
                budget_hit = True
                total = max(spent, shared_total)
                exc = BudgetExceeded(
                    f"budget of ${budget_usd:.4f} reached (spent ${total:.4f}): not started",
                    spent_usd=total,
                )
                yield BatchItem.failure(exc, summariser=s, article=art)
                continue
            if not cache_checked:  # a read-only cache would throw every paid answer away
                cache_checked = True
                if s.cache is not None:
                    s.cache.check_writable()
            task = asyncio.ensure_future(run(art))
            task.add_done_callback(finished.put_nowait)
            pending.add(task)
            while len(pending) >= limit:
                yield await settle()
                if missing_endpoint():  # first yield what finished, so the output has it
                    while not finished.empty():
                        yield await settle()
                    check_reachable()
        while pending:
            yield await settle()
            if missing_endpoint():
                while not finished.empty():
                    yield await settle()
                check_reachable()
        check_reachable(final=True)
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await s.aclose()


def summarise_many(
    items: Iterable[Input], summariser: Summariser | None = None, **kwargs: Any
) -> Iterator[BatchItem]:
    """Synchronous twin of :func:`asummarise_many` (runs the event loop in a worker thread)."""
    out: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=64)
    stop = threading.Event()  # set when the consumer goes away (done, error, Ctrl-C, break)

    async def put(message: tuple[str, Any]) -> bool:
        """Hand a message to the consumer without blocking the event loop; False if it left."""
        while not stop.is_set():
            try:
                out.put_nowait(message)
                return True
            except queue.Full:
                await asyncio.sleep(0.005)
        return False

    async def pump() -> None:
        main = asyncio.current_task()
        assert main is not None

        async def watch() -> None:  # the consumer left: cancel in-flight calls at once
            while not stop.is_set():
                await asyncio.sleep(0.05)
            main.cancel()

        watcher = asyncio.create_task(watch())
        agen = cast(AsyncGenerator[BatchItem, None], asummarise_many(items, summariser, **kwargs))
        try:
            async for item in agen:
                if not await put(("item", item)):
                    break
            await put(("done", None))
        except asyncio.CancelledError:
            if not stop.is_set():
                raise
        except BaseException as exc:
            await put(("error", exc))
        finally:
            watcher.cancel()
            await agen.aclose()

    def worker() -> None:
        try:
            asyncio.run(pump())
        except BaseException as exc:  # pragma: no cover - pump reports its own errors
            out.put(("error", exc))

    thread = threading.Thread(target=worker, name="diplosum-batch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = out.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join()
