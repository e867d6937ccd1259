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
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

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
    "submit",
]

_log = logging.getLogger(__name__)

#: How answers that fail validation are re-asked: direct calls, or a further batch.
Reasks = Literal["direct", "batch"]
#: Providers whose endpoint can have a Batch API (the embedded model and Ollama have none).
PROVIDERS = frozenset({"openai", "compatible"})
#: The provider's final states.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
SUBMITTING, COLLECTED, ABANDONED = "submitting", "collected", "abandoned"
_CLOSED = (COLLECTED, ABANDONED)
_URL = "/v1/chat/completions"
#: OpenAI's limits per batch: 50,000 requests, 200 MB.
MAX_REQUESTS, MAX_BYTES = 50_000, 190 * 2**20


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """What a poll found: the job (its ``state`` the provider's status) and its counts."""

    job: BatchJobRow
    total: int
    completed: int
    failed: int
    elapsed_s: float


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
) -> Iterator[OutputRecord]:
    """Records for ``articles`` (see :meth:`~diplosum.Summariser.collect_batch`)."""
    run = _Run(host, reasks, poll_seconds=poll_seconds, progress=progress, sleep=sleep)
    return run.records(articles)


def cancel(host: _Host, job: BatchJobRow | str) -> BatchJobRow:
    """Ask the provider to cancel ``job`` (a job, its id, or the provider's batch id)."""
    cache = _cache_of(host)
    wanted = job.job_id if isinstance(job, BatchJobRow) else job
    found = [j for j in cache.batch_jobs() if wanted in (j.job_id, j.batch_id)]
    if not found:
        raise ConfigurationError(f"no batch job {wanted} in the cache {cache.location}")
    row = found[0]
    if row.batch_id is None or row.state in _CLOSED or row.state in TERMINAL:
        return row
    batch = _call(host, "cancel the batch", host._batch_client().batches.cancel, row.batch_id)
    row = replace(row, state=str(batch.status), keys=())
    cache.put_batch_job(row)
    _log.info("batch %s: cancellation requested (%s)", row.batch_id, row.state)
    return row


def _call(host: _Host, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` on the provider, transport-retried (``retry=False``: once, for a
    call that must not be repeated blindly), an SDK error raised as :class:`ProviderError`."""
    import openai
    from tenacity import Retrying

    from .retry import transport_retrying

    once = not kwargs.pop("retry", True)
    try:
        if once:
            return fn(*args, **kwargs)
        for attempt in Retrying(**transport_retrying(host.retry)):
            with attempt:
                return fn(*args, **kwargs)
    except openai.APIError as exc:
        status = getattr(exc, "status_code", None)
        hint = " (does this endpoint have a Batch API?)" if status in (404, 405) else ""
        raise ProviderError(
            f"the Batch API could not {what}{hint}: {host.redact(str(exc))[:400]}",
            status_code=status,
        ) from None
    raise AssertionError("unreachable")  # pragma: no cover - Retrying re-raises


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


def _answer_of(line: dict[str, Any]) -> tuple[dict[str, Any] | None, str, int | None]:
    """The completion body of an output line, or None with what the line says went wrong."""
    response = line.get("response") if isinstance(line.get("response"), dict) else None
    error = line.get("error") if isinstance(line.get("error"), dict) else None
    status = response.get("status_code") if response else None
    body = response.get("body") if response else None
    if error is None and status == 200 and isinstance(body, dict) and body.get("choices"):
        return body, "", None
    if error is not None:
        return None, f"{error.get('code') or 'error'}: {error.get('message') or ''}", status
    detail = body.get("error") if isinstance(body, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else None
    what = f"HTTP {status}" if status else "no response"
    return None, f"{what}: {message or 'no completion in the answer'}", status


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
    ) -> None:
        if reasks not in ("direct", "batch"):
            raise ConfigurationError(f"reasks must be 'direct' or 'batch', not {reasks!r}")
        check_supported(host.spec)
        self.host = host
        self.cache = _cache_of(host)
        self.direct = reasks == "direct"
        self.poll_seconds = poll_seconds
        self.progress = progress
        self.sleep = sleep
        self.endpoint = _endpoint(host.spec)
        self.calls: dict[str, list[Call]] = {}
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.host._batch_client()
        return self._client

    def open_jobs(self) -> list[BatchJobRow]:
        """The open jobs covering this run's articles."""
        return self.cache.batch_jobs(list(self.calls), exclude_states=_CLOSED)

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
        self.cache.check_writable()
        pending = set(self.calls)
        started = time.monotonic()
        while pending:
            jobs = self.cache.batch_jobs(sorted(pending), exclude_states=_CLOSED)
            jobs = [self._submitted(job) for job in jobs]
            jobs = [job for job in jobs if job.state not in _CLOSED]
            waiting = {key for job in jobs for key in job.keys} & pending
            need: dict[int, list[tuple[str, dict[str, Any]]]] = {}
            yield from self._settle(pending, waiting, need)
            for round_, items in sorted(need.items()):
                jobs += self._submit(round_, items)
            if submit_only or not jobs:
                return
            self._collect(self._poll(jobs, started))

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
        for key in free:
            calls = self.calls[key]
            answers: list[dict[str, Any]] = []
            for expected, (round_, text) in enumerate(stored.get(key, []), start=1):
                if round_ != expected:
                    break
                body, problem, status = _answer_of(json.loads(text))
                if body is None:
                    # Reported once: the next run submits the article anew.
                    self.cache.delete_batch_answers(key, from_round=round_)
                    pending.discard(key)
                    for call in calls:
                        yield self._no_answer(call, round_, problem, status)
                    break
                answers.append(body)
            else:
                if not answers:
                    need.setdefault(1, []).append((key, self.host._batch_body(calls[0])))
                    continue
                yield from self._settled(key, calls, answers, pending, need)

    def _settled(
        self,
        key: str,
        calls: list[Call],
        answers: list[dict[str, Any]],
        pending: set[str],
        need: dict[int, list[tuple[str, dict[str, Any]]]],
    ) -> Iterator[OutputRecord]:
        round_ = len(answers)
        try:
            outcome = self.host._from_batch(calls[0], answers, round=round_, direct=self.direct)
        except DiplosumError as exc:
            pending.discard(key)
            if not isinstance(exc, ProviderError):  # the same answers would fail the same way
                self.cache.delete_batch_answers(key)
            for call in calls:
                record = OutputRecord.failure(
                    exc, summariser=_BatchLabels(self.host), article=call.article
                )
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

    # ---------------------------------------------------------------- submitting

    def _submit(self, round_: int, items: list[tuple[str, dict[str, Any]]]) -> list[BatchJobRow]:
        """New jobs for ``items`` (key, request body), as many as the provider's limits need."""
        jobs: list[BatchJobRow] = []
        lines: list[tuple[str, bytes]] = []
        size = 0
        for key, body in items:
            line = json.dumps(
                {"custom_id": key, "method": "POST", "url": _URL, "body": body},
                ensure_ascii=False,
            ).encode()
            if lines and (len(lines) >= MAX_REQUESTS or size + len(line) + 1 > MAX_BYTES):
                jobs.append(self._submit_file(round_, lines))
                lines, size = [], 0
            lines.append((key, line))
            size += len(line) + 1
        if lines:
            jobs.append(self._submit_file(round_, lines))
        return jobs

    def _submit_file(self, round_: int, lines: list[tuple[str, bytes]]) -> BatchJobRow:
        job = BatchJobRow(
            job_id=f"diplosum-{uuid.uuid4().hex}",
            round=round_,
            endpoint=self.endpoint,
            state=SUBMITTING,
            keys=tuple(key for key, _ in lines),
        )
        self.cache.put_batch_job(job)  # first: a crash from here on is resumed, not repeated
        content = b"".join(line + b"\n" for _, line in lines)
        uploaded = self._call(
            "upload the request file",
            self.client.files.create,
            file=(f"{job.job_id}.jsonl", content),
            purpose="batch",
        )
        return self._create(self._update(job, input_file_id=str(uploaded.id)))

    def _create(self, job: BatchJobRow) -> BatchJobRow:
        assert job.input_file_id is not None
        batch = self._call(  # once: a retry after a lost answer could start a second batch
            "create the batch",
            self.client.batches.create,
            input_file_id=job.input_file_id,
            endpoint=_URL,
            completion_window="24h",
            metadata={"diplosum_job": job.job_id, "diplosum_round": str(job.round)},
            retry=False,
        )
        job = self._update(job, batch_id=str(batch.id), state=str(batch.status))
        _log.info("batch %s submitted (round %d, job %s)", job.batch_id, job.round, job.job_id)
        return job

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _call(self.host, what, fn, *args, **kwargs)

    def _update(self, job: BatchJobRow, **changes: Any) -> BatchJobRow:
        """``job`` with ``changes``, stored (its keys are stored once, when it is created)."""
        job = replace(job, **changes)
        self.cache.put_batch_job(replace(job, keys=()))
        return job

    def _submitted(self, job: BatchJobRow) -> BatchJobRow:
        """An open job, with its batch: one a crash left before its batch id was stored is
        found at the provider by its id, or given up (nothing was created, nothing paid)."""
        if job.batch_id is not None:
            return job
        found = None
        if job.input_file_id is not None:
            listed = self._call("list the batches", self.client.batches.list, limit=100)
            for batch in getattr(listed, "data", None) or []:  # the newest 100
                if (getattr(batch, "metadata", None) or {}).get("diplosum_job") == job.job_id:
                    found = batch
                    break
        if found is None:
            _log.info("job %s: no batch was created before the interruption", job.job_id)
            return self._update(job, state=ABANDONED, detail="interrupted before the batch existed")
        return self._update(job, batch_id=str(found.id), state=str(found.status))

    # ---------------------------------------------------------------- polling

    def _poll(self, jobs: list[BatchJobRow], started: float) -> tuple[BatchJobRow, Any]:
        """Poll ``jobs`` until one is final; that job and the provider's batch object."""
        while True:
            for job in jobs:
                assert job.batch_id is not None
                batch = self._call("poll the batch", self.client.batches.retrieve, job.batch_id)
                state = str(batch.status)
                if state != job.state:
                    job = self._update(job, state=state)
                if self.progress is not None:
                    counts = getattr(batch, "request_counts", None)
                    self.progress(
                        BatchProgress(
                            job=job,
                            total=int(getattr(counts, "total", 0) or 0),
                            completed=int(getattr(counts, "completed", 0) or 0),
                            failed=int(getattr(counts, "failed", 0) or 0),
                            elapsed_s=time.monotonic() - started,
                        )
                    )
                if state in TERMINAL:
                    return job, batch
            self.sleep(self.poll_seconds)

    def _collect(self, done: tuple[BatchJobRow, Any]) -> None:
        """Download a final batch's output and error files once, keep every line in the
        cache (a key with no line gets one saying why), and close the job."""
        job, batch = done
        lines: dict[str, str] = {}
        files = {"output": getattr(batch, "output_file_id", None)}
        files["error"] = getattr(batch, "error_file_id", None)
        for file_id in files.values():
            if not file_id:
                continue
            text = self._call("download its results", self.client.files.content, file_id).text
            for raw in text.splitlines():
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                except ValueError:
                    _log.warning("batch %s: a line of file %s is not JSON", job.batch_id, file_id)
                    continue
                key = line.get("custom_id") if isinstance(line, dict) else None
                if isinstance(key, str) and key in job.keys:
                    lines[key] = raw
        reason = _why_missing(job, batch)
        for key in job.keys:
            if key not in lines:
                error = {"code": f"batch_{job.state}", "message": reason}
                lines[key] = json.dumps({"custom_id": key, "response": None, "error": error})
        self.cache.put_batch_answers(job.job_id, job.round, list(lines.items()))
        self._update(
            job,
            state=COLLECTED,
            output_file_id=files["output"],
            error_file_id=files["error"],
            detail=f"{job.state}: {len(lines)} line(s) kept",
        )


def _why_missing(job: BatchJobRow, batch: Any) -> str:
    """Why a request of ``job`` has no line in its files."""
    if job.state == "failed":
        errors = getattr(getattr(batch, "errors", None), "data", None) or []
        said = "; ".join(f"{e.code}: {e.message}" for e in errors[:3]) or "no reason given"
        return f"batch {job.batch_id} failed: {said}"
    if job.state == "expired":
        return f"batch {job.batch_id} expired (24 h) before this request was answered"
    if job.state == "cancelled":
        return f"batch {job.batch_id} was cancelled before this request was answered"
    return f"batch {job.batch_id} ({job.state}) has no line for this request"
