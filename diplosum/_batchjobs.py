"""The provider side of the Batch API: request files, upload, batch, poll, download.

:class:`Jobs` submits a round's request bodies as one or more batches (OpenAI's limits: 50,000
requests, 200 MB a file), writing each job to the cache first (``submitting``, with the keys it
covers), then its input file id, then its batch id; polls open jobs until one is final; and
downloads a final batch's output and error files once, keeping every line in the cache (a key
with no line gets one saying why: the batch failed, expired or was cancelled). Every provider
call is transport-retried (but the batch's creation, which a blind retry could repeat) and an
SDK error becomes a :class:`~diplosum.errors.ProviderError`. :mod:`diplosum._batchapi` drives it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ._cache import BatchJobRow, CacheBackend
from .errors import ProviderError

if TYPE_CHECKING:
    from .retry import RetryPolicy

__all__ = [
    "ABANDONED",
    "CLOSED",
    "COLLECTED",
    "MAX_BYTES",
    "MAX_REQUESTS",
    "SUBMITTING",
    "TERMINAL",
    "URL",
    "BatchProgress",
    "Jobs",
    "answer_of",
    "call",
    "request_line",
]

_log = logging.getLogger("diplosum._batchapi")

#: The provider's final states.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
#: diplosum's own states: before the batch exists, once its lines are kept, given up.
SUBMITTING, COLLECTED, ABANDONED = "submitting", "collected", "abandoned"
CLOSED = (COLLECTED, ABANDONED)
URL = "/v1/chat/completions"
#: OpenAI's limits per batch: 50,000 requests, 200 MB (kept under, with room).
MAX_REQUESTS, MAX_BYTES = 50_000, 190 * 2**20


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """What a poll found: the job (its ``state`` the provider's status) and its counts."""

    job: BatchJobRow
    total: int
    completed: int
    failed: int
    elapsed_s: float


def call(
    retry: RetryPolicy,
    redact: Callable[[str], str],
    what: str,
    fn: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``fn(*args, **kwargs)`` on the provider, transport-retried (``_once=True``: once, for a
    call that must not be repeated blindly), an SDK error raised as :class:`ProviderError`."""
    import openai
    from tenacity import Retrying

    from .retry import transport_retrying

    once = bool(kwargs.pop("_once", False))
    try:
        if once:
            return fn(*args, **kwargs)
        for attempt in Retrying(**transport_retrying(retry)):
            with attempt:
                return fn(*args, **kwargs)
    except openai.APIError as exc:
        status = getattr(exc, "status_code", None)
        hint = " (does this endpoint have a Batch API?)" if status in (404, 405) else ""
        raise ProviderError(
            f"the Batch API could not {what}{hint}: {redact(str(exc))[:400]}; the cache "
            "keeps the batch's state: run again to resume",
            status_code=status,
        ) from None
    raise AssertionError("unreachable")  # pragma: no cover - Retrying re-raises


def request_line(key: str, body: dict[str, Any]) -> bytes:
    """One line of a request file (OpenAI's batch format; vLLM's ``run-batch`` reads it)."""
    line = {"custom_id": key, "method": "POST", "url": URL, "body": body}
    return json.dumps(line, ensure_ascii=False).encode()


def answer_of(line: dict[str, Any]) -> tuple[dict[str, Any] | None, str, int | None]:
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


class Jobs:
    """The batches of one run at one endpoint, their state kept in ``cache``."""

    def __init__(
        self,
        cache: CacheBackend,
        client: Callable[[], Any],
        *,
        endpoint: str,
        retry: RetryPolicy,
        redact: Callable[[str], str],
        poll_seconds: float,
        progress: Callable[[BatchProgress], None] | None,
        sleep: Callable[[float], None],
    ) -> None:
        self.cache = cache
        self._client_fn = client
        self._client: Any = None
        self.endpoint = endpoint
        self.retry = retry
        self.redact = redact
        self.poll_seconds = poll_seconds
        self.progress = progress
        self.sleep = sleep

    @property
    def client(self) -> Any:
        """The OpenAI SDK client, built on first use."""
        if self._client is None:
            self._client = self._client_fn()
        return self._client

    # ---------------------------------------------------------------- submitting

    def submit(self, round_: int, items: list[tuple[str, dict[str, Any]]]) -> list[BatchJobRow]:
        """New jobs for ``items`` (key, request body), as many as the provider's limits need."""
        jobs: list[BatchJobRow] = []
        lines: list[tuple[str, bytes]] = []
        size = 0
        for key, body in items:
            line = request_line(key, body)
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
        return self._create(self.update(job, input_file_id=str(uploaded.id)))

    def _create(self, job: BatchJobRow) -> BatchJobRow:
        assert job.input_file_id is not None
        batch = self._call(  # once: a retry after a lost answer could start a second batch
            "create the batch",
            self.client.batches.create,
            input_file_id=job.input_file_id,
            endpoint=URL,
            completion_window="24h",
            metadata={"diplosum_job": job.job_id, "diplosum_round": str(job.round)},
            _once=True,
        )
        job = self.update(job, batch_id=str(batch.id), state=str(batch.status))
        _log.info("batch %s submitted (round %d, job %s)", job.batch_id, job.round, job.job_id)
        return job

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return call(self.retry, self.redact, what, fn, *args, **kwargs)

    def update(self, job: BatchJobRow, **changes: Any) -> BatchJobRow:
        """``job`` with ``changes``, stored (its keys are stored once, when it is created)."""
        job = replace(job, **changes)
        self.cache.put_batch_job(replace(job, keys=()))
        return job

    def submitted(self, job: BatchJobRow) -> BatchJobRow:
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
            return self.update(job, state=ABANDONED, detail="interrupted before the batch existed")
        return self.update(job, batch_id=str(found.id), state=str(found.status))

    # ---------------------------------------------------------------- polling

    def poll(self, jobs: list[BatchJobRow], started: float) -> tuple[BatchJobRow, Any]:
        """Poll ``jobs`` until one is final; that job and the provider's batch object."""
        while True:
            for job in jobs:
                assert job.batch_id is not None
                batch = self._call("poll the batch", self.client.batches.retrieve, job.batch_id)
                state = str(batch.status)
                if state != job.state:
                    job = self.update(job, state=state)
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

    def collect(self, done: tuple[BatchJobRow, Any]) -> None:
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
        self.update(
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
