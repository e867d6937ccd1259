"""The provider Batch API: half the price of direct calls, answers within 24 hours.

One request file per round (the OpenAI batch format, also read by vLLM's offline
``run-batch``): one line per cache key (its ``custom_id``) holding exactly the body the
direct path sends (:meth:`~diplosum.Summariser._batch_body`, built by the same instructor
call). The file is uploaded (Files API), the batch created and polled; its output and error
files are downloaded once and every line kept in the cache (``batch_answers``), and each
answer goes through the direct path's own validation, grounding and normalisation
(:mod:`diplosum._replay`). Answers that fail validation are re-asked as direct calls, or as
a further round (a batch of re-asks).

Crash-safe and never paid twice: a job is written to the cache (``batch_jobs``, with the keys
it covers) before its file is uploaded, then its file id, then its batch id, before any
polling. A run that finds an open job covering its articles resumes polling that batch; a job
interrupted before its batch id was stored is looked up by its id in the batch's metadata, and
is given up (its articles submitted anew) only if the provider has no such batch. Cached
articles are never in a request file.

Library code: nothing printed, no signal handler; ``progress`` callbacks and the
``diplosum`` logger say what happens. The command line (``--batch-api``) prints the progress
line and asks, on a terminal, whether Ctrl-C should cancel the remote batch.

This module is the run (which articles are settled by stored answers, which need a round);
:mod:`diplosum._batchjobs` is the provider side (files, batches, polling, downloads).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ._batchjobs import CLOSED, TERMINAL, BatchProgress, Jobs, answer_of, call, request_line
from ._cache import BatchJobRow, CacheBackend
from ._pricing import Prices, cost_usd
from ._records import OutputRecord
from .errors import ConfigurationError, DiplosumError, ProviderError

if TYPE_CHECKING:
    from ._article import Article
    from ._request import Call
    from ._schema import SummaryResult, Usage
    from .providers import ModelSpec
    from .retry import RetryPolicy

__all__ = [
    "PROVIDERS",
    "TERMINAL",
    "BatchProgress",
    "Reasks",
    "cancel",
    "check_supported",
    "collect",
    "read_file",
    "submit",
    "write_file",
]

_log = logging.getLogger(__name__)

#: How answers that fail validation are re-asked: direct calls, or a further batch.
Reasks = Literal["direct", "batch"]
#: Providers whose endpoint can have a Batch API (the embedded model and Ollama have none).
PROVIDERS = frozenset({"openai", "compatible"})


class _Host(Protocol):
    """What the Batch API needs of a :class:`~diplosum.Summariser`."""

    spec: ModelSpec
    cache: CacheBackend | None
    prices: Prices
    retry: RetryPolicy

    @property
    def model_label(self) -> str: ...
    @property
    def prompt_version(self) -> str: ...
    @property
    def prompt_hash(self) -> str: ...
    def cost(self, usage: Usage) -> float | None: ...
    def redact(self, text: str) -> str: ...
    def close(self) -> None: ...
    def _prepare(self, article: Article) -> Call: ...
    def _from_cache(self, call: Call) -> SummaryResult | None: ...
    def _legacy_key(self, article: Article) -> str: ...
    def _batch_client(self) -> Any: ...
    def _batch_body(self, call: Call) -> dict[str, Any]: ...
    def _from_batch(
        self, call: Call, answers: list[dict[str, Any]], *, round: int, direct: bool
    ) -> SummaryResult | dict[str, Any]: ...


def check_supported(spec: ModelSpec) -> None:
    """Raise :class:`ConfigurationError` if ``spec``'s endpoint has no Batch API."""
    if spec.provider not in PROVIDERS:
        raise ConfigurationError(
            f"model {spec.label} has no Batch API: use OpenAI (-m openai/MODEL) or an "
            "OpenAI-compatible server that serves /v1/files and /v1/batches (--base-url), "
            "or drop --batch-api"
        )


def submit(
    host: _Host, articles: Iterable[Article], *, reasks: Reasks = "direct"
) -> list[BatchJobRow]:
    """Submit the articles not cached (see :meth:`~diplosum.Summariser.submit_batch`)."""
    run = _Run(host, reasks, poll_seconds=0.0, progress=None)
    for _ in run.records(articles, submit_only=True):
        pass
    return run.open_jobs()


def collect(
    host: _Host,
    articles: Iterable[Article],
    *,
    reasks: Reasks = "direct",
    poll_seconds: float = 30.0,
    progress: Callable[[BatchProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    concurrency: int = 8,
) -> Iterator[OutputRecord]:
    """Records for ``articles`` (see :meth:`~diplosum.Summariser.collect_batch`)."""
    run = _Run(
        host,
        reasks,
        poll_seconds=poll_seconds,
        progress=progress,
        sleep=sleep,
        concurrency=concurrency,
    )
    return run.records(articles)


def write_file(host: _Host, articles: Iterable[Article], path: str | os.PathLike[str]) -> int:
    """Write the request file of the articles not cached (see
    :meth:`~diplosum.Summariser.write_batch_file`); how many requests it holds."""
    return _Run(host, "direct", poll_seconds=0.0, progress=None, offline=Path(path)).write_requests(
        articles, Path(path)
    )


def read_file(
    host: _Host,
    articles: Iterable[Article],
    path: str | os.PathLike[str],
    *,
    reasks: Reasks = "direct",
    concurrency: int = 8,
) -> Iterator[OutputRecord]:
    """Records for ``articles`` from an offline run's output file (see
    :meth:`~diplosum.Summariser.read_batch_file`)."""
    run = _Run(
        host, reasks, poll_seconds=0.0, progress=None, concurrency=concurrency, offline=Path(path)
    )
    return run.records(articles)


def _output_lines(path: Path) -> Iterator[tuple[str, str]]:
    """``(custom_id, line)`` for each line of a batch output file that is a JSON object with a
    string ``custom_id``; other lines are skipped (checked, per article, when read)."""
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            try:
                line = json.loads(raw) if raw.strip() else None
            except ValueError:
                continue
            key = line.get("custom_id") if isinstance(line, dict) else None
            if isinstance(key, str):
                yield key, raw.strip()


def cancel(host: _Host, job: BatchJobRow | str) -> BatchJobRow:
    """Ask the provider to cancel ``job`` (a job, its id, or the provider's batch id)."""
    cache = _cache_of(host)
    wanted = job.job_id if isinstance(job, BatchJobRow) else job
    found = [j for j in cache.batch_jobs() if wanted in (j.job_id, j.batch_id)]
    if not found:
        raise ConfigurationError(f"no batch job {wanted} in the cache {cache.location}")
    row = found[0]
    if row.batch_id is None or row.state in CLOSED or row.state in TERMINAL:
        return row
    try:
        cancel_ = host._batch_client().batches.cancel
        batch = call(host.retry, host.redact, "cancel the batch", cancel_, row.batch_id)
    finally:
        host.close()
    row = replace(row, state=str(batch.status), keys=())
    cache.put_batch_job(row)
    _log.info("batch %s: cancellation requested (%s)", row.batch_id, row.state)
    return row


def _cache_of(host: _Host) -> CacheBackend:
    if host.cache is None:
        raise ConfigurationError(
            "the Batch API keeps its batch ids and answers in the cache, so that an "
            "interrupted run resumes its batch: it cannot run without a cache (drop --no-cache)"
        )
    return host.cache


def _endpoint(spec: ModelSpec) -> str:
    return f"{spec.label} {spec.base_url or 'https://api.openai.com/v1'}"


class _BatchLabels:
    """The labels of failure records: the summariser's, with costs at batch prices."""

    def __init__(self, host: _Host) -> None:
        self.host = host
        self.model_label = host.model_label
        self.prompt_version = host.prompt_version
        self.prompt_hash = host.prompt_hash

    def cost(self, usage: Usage) -> float | None:
        return cost_usd(self.host.model_label, usage, self.host.prices, batch=True)

    def redact(self, text: str) -> str:
        return self.host.redact(text)


class _Run:
    """One run over a set of articles: settle what is stored, submit, poll, collect."""

    def __init__(
        self,
        host: _Host,
        reasks: Reasks,
        *,
        poll_seconds: float,
        progress: Callable[[BatchProgress], None] | None,
        sleep: Callable[[float], None] = time.sleep,
        concurrency: int = 8,
        offline: Path | None = None,
    ) -> None:
        if reasks not in ("direct", "batch"):
            raise ConfigurationError(f"reasks must be 'direct' or 'batch', not {reasks!r}")
        self.offline = offline  # an output file of an offline run: no batch is submitted
        if offline is None:
            check_supported(host.spec)
        self.host = host
        self.cache = _cache_of(host)
        self.direct = reasks == "direct"
        self.concurrency = max(1, concurrency)
        self.calls: dict[str, list[Call]] = {}
        self.jobs = Jobs(
            self.cache,
            host._batch_client,
            endpoint=_endpoint(host.spec),
            retry=host.retry,
            redact=host.redact,
            poll_seconds=poll_seconds,
            progress=progress,
            sleep=sleep,
        )

    # ---------------------------------------------------------------- files, offline

    def write_requests(self, articles: Iterable[Article], path: Path) -> int:
        """Write the first round's request file for the articles not cached; how many."""
        for article in articles:
            call = self.host._prepare(article)
            if self.host._from_cache(call) is None:
                self.calls.setdefault(call.key, []).append(call)
        lines = [
            request_line(key, self.host._batch_body(calls[0])) for key, calls in self.calls.items()
        ]
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        return len(lines)

    def _keep_offline(self, path: Path, lines: list[tuple[str, str]]) -> None:
        """Keep the answers of an output file (an offline run's; its ``lines``) as the first
        round's."""
        found = [(key, raw) for key, raw in lines if key in self.calls]
        self.cache.put_batch_answers(f"file:{path.name}", 1, found)

    def _offline_gap(self, round_: int) -> str:
        if round_ == 1:
            return f"no line for this article in {self.offline}"
        return (
            f"its answer failed validation and {self.offline} holds no re-ask (round "
            f"{round_}): re-ask directly (reasks='direct', with an endpoint)"
        )

    def _adopt_earlier_keys(self, offline_ids: set[str]) -> None:
        """A job submitted by an earlier diplosum names its articles by the earlier key format
        (see ``Summariser._legacy_key``): articles a job or its stored answers know by that key
        go by it in this run, so that job is resumed instead of paid for again (the result is
        then found under the current key through the cache's own adoption). The same holds for
        the lines of an offline run's output file (their ``offline_ids``)."""
        earlier = {
            self.host._legacy_key(calls[0].article): key for key, calls in self.calls.items()
        }
        earlier = {old: new for old, new in earlier.items() if old != new}
        if not earlier:
            return
        known = set(self.cache.batch_answers(list(earlier)))
        known |= {k for job in self.cache.batch_jobs(list(earlier)) for k in job.keys}
        known |= offline_ids  # an output file of requests an earlier diplosum wrote
        for old in sorted(known & set(earlier)):
            calls = self.calls.pop(earlier[old])
            self.calls[old] = [replace(c, key=old) for c in calls]

    def open_jobs(self) -> list[BatchJobRow]:
        """The open jobs covering this run's articles."""
        return self.cache.batch_jobs(list(self.calls), exclude_states=CLOSED)

    # ---------------------------------------------------------------- the loop

    def records(
        self, articles: Iterable[Article], *, submit_only: bool = False
    ) -> Iterator[OutputRecord]:
        try:
            yield from self._records(articles, submit_only=submit_only)
        finally:
            self.host.close()  # the HTTP client it opened (reopened on the next use)

    def _records(self, articles: Iterable[Article], *, submit_only: bool) -> Iterator[OutputRecord]:
        for article in articles:
            call = self.host._prepare(article)
            hit = self.host._from_cache(call)
            if hit is not None:
                yield OutputRecord.from_result(article, hit)
            else:
                self.calls.setdefault(call.key, []).append(call)
        if not self.calls:
            return
        offline = list(_output_lines(self.offline)) if self.offline is not None else []
        self._adopt_earlier_keys({key for key, _ in offline})
        self.cache.check_writable()
        pending = set(self.calls)
        started = time.monotonic()
        if self.offline is not None:
            self._keep_offline(self.offline, offline)
        while pending:
            jobs = (
                []
                if self.offline
                else self.cache.batch_jobs(sorted(pending), exclude_states=CLOSED)
            )
            jobs = [self.jobs.submitted(job) for job in jobs]
            jobs = [job for job in jobs if job.state not in CLOSED]
            waiting = {key for job in jobs for key in job.keys} & pending
            need: dict[int, list[tuple[str, dict[str, Any]]]] = {}
            yield from self._settle(pending, waiting, need)
            for round_, items in sorted(need.items()):
                if self.offline is not None:  # nowhere to send it: say so, per article
                    for key, _ in items:
                        pending.discard(key)
                        for call in self.calls[key]:
                            yield self._no_answer(call, round_, self._offline_gap(round_), None)
                    continue
                jobs += self.jobs.submit(round_, items)
            if submit_only or not jobs:
                return
            self.jobs.collect(self.jobs.poll(jobs, started))

    def _settle(
        self,
        pending: set[str],
        waiting: set[str],
        need: dict[int, list[tuple[str, dict[str, Any]]]],
    ) -> Iterator[OutputRecord]:
        """Records of the keys whose stored answers settle them; the rest go to ``need`` (the
        body of their next round)."""
        free = [key for key in self.calls if key in pending and key not in waiting]
        stored = self.cache.batch_answers(free)
        ready: list[tuple[str, list[dict[str, Any]]]] = []
        for key in free:
            calls = self.calls[key]
            answers: list[dict[str, Any]] = []
            for expected, (round_, text) in enumerate(stored.get(key, []), start=1):
                if round_ != expected:
                    break
                body, problem, status = answer_of(json.loads(text))
                if body is None:
                    # Reported once: the next run submits the article anew.
                    self.cache.delete_batch_answers(key, from_round=round_)
                    pending.discard(key)
                    for call in calls:
                        yield self._no_answer(call, round_, problem, status)
                    break
                answers.append(body)
            else:
                if answers:
                    ready.append((key, answers))
                else:
                    need.setdefault(1, []).append((key, self.host._batch_body(calls[0])))
        for (key, answers), outcome in zip(ready, self._outcomes(ready), strict=True):
            yield from self._settled(key, answers, outcome, pending, need)

    def _outcomes(self, ready: list[tuple[str, list[dict[str, Any]]]]) -> Iterator[Any]:
        """The outcome of each ``(key, answers)`` in order: a result, a re-ask body or the
        error; with direct re-asks, ``concurrency`` at a time (they may call the model)."""

        def outcome(item: tuple[str, list[dict[str, Any]]]) -> Any:
            key, answers = item
            try:
                call, round_ = self.calls[key][0], len(answers)
                return self.host._from_batch(call, answers, round=round_, direct=self.direct)
            except DiplosumError as exc:
                return exc

        if not (self.direct and self.concurrency > 1 and len(ready) > 1 and not self.offline):
            yield from map(outcome, ready)
            return
        self.jobs.client  # noqa: B018 - built once here, before the threads share it
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="diplosum-batchapi")
        try:
            yield from pool.map(outcome, ready)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _settled(
        self,
        key: str,
        answers: list[dict[str, Any]],
        outcome: Any,
        pending: set[str],
        need: dict[int, list[tuple[str, dict[str, Any]]]],
    ) -> Iterator[OutputRecord]:
        calls, round_ = self.calls[key], len(answers)
        if isinstance(outcome, DiplosumError):
            pending.discard(key)
            if not isinstance(outcome, ProviderError):  # the same answers would fail the same way
                self.cache.delete_batch_answers(key)
            for call in calls:
                labels = _BatchLabels(self.host)
                record = OutputRecord.failure(outcome, summariser=labels, article=call.article)
                record.batch_round = round_
                yield record
            return
        if isinstance(outcome, dict):  # a re-ask, for the next round
            need.setdefault(round_ + 1, []).append((key, outcome))
            return
        pending.discard(key)
        if self.host._from_cache(calls[0]) is not None:  # kept in the cache: answers served
            self.cache.delete_batch_answers(key)
        yield OutputRecord.from_result(calls[0].article, outcome)
        for call in calls[1:]:  # the same text under another id
            hit = self.host._from_cache(call)
            meta = outcome.meta.model_copy(update={"article_id": call.article.id})
            yield OutputRecord.from_result(
                call.article, hit or outcome.model_copy(update={"meta": meta})
            )

    def _no_answer(self, call: Call, round_: int, problem: str, status: int | None) -> OutputRecord:
        exc = ProviderError(
            f"{call.article.id}: the Batch API gave no answer (round {round_}): {problem}; "
            "the next run submits it again",
            status_code=status,
            body=problem,
            article_id=call.article.id,
            attempts=0,
        )
        record = OutputRecord.failure(exc, summariser=_BatchLabels(self.host), article=call.article)
        record.batch_round = round_
        return record
