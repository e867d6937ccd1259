"""One article in, one validated, grounded summary out.

The path of an article: split it into numbered segments → render the prompt → the
model fills the prompt's extraction through instructor (``extract-v2``: every item
cites segment ids, constrained by the grammar or validated and re-asked) →
:mod:`diplosum._evidence` turns citations into evidence, checks each item against
its segment, normalises actors, venue and date, and publishes a
:class:`DiplomaticSummary` with its :class:`RunMetadata` → the cache keeps it.
``extract-v1`` (quotes the model copies, located afterwards) stays selectable.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import importlib.util
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tenacity.stop import stop_base

from ._cache import Cache, CachedResult, cache_key, default_cache_path
from ._cited import SEGMENTS, constrain_ids
from ._grammar import compact_grammar
from ._grounding import ArticleIndex
from ._injection import flag_instructions
from ._pricing import cost_usd
from ._prompt import DEFAULT_PROMPT, Prompt, load_prompt
from ._redact import Redactor
from ._segments import Segments
from ._shape import BUILD_VERSION, Shape, shape_for
from ._version import __version__
from .articles import Article, parse_text, read_article
from .errors import CacheError, ConfigurationError, ExtractionError, ProviderError
from .providers import (
    DEFAULT_OPENAI_MODEL,
    LOCAL_CONTEXT,
    SCHEMA_IN_PROMPT,
    AttemptLog,
    ModelSpec,
    current_log,
    endpoint_base_url,
    endpoint_concurrency,
    endpoint_death,
    endpoint_identity,
    parse_model,
)
from .retry import RetryPolicy, is_retryable
from .schema import (
    GROUNDING,
    SCHEMA_VERSION,
    DiplomaticSummary,
    Dropped,
    RunMetadata,
    SummaryResult,
    Usage,
)

if TYPE_CHECKING:
    from ._records import OutputRecord

__all__ = ["Summariser", "asummarise", "summarise", "summarise_file"]

_log = logging.getLogger(__name__)

#: A safe upper bound of tokens per UTF-8 byte, for counting offline (no tokenizer download).
_BYTES_PER_TOKEN = 3
_LOCAL_CONTEXT = LOCAL_CONTEXT  # the embedded server's context window (providers' to set)


@dataclass(frozen=True, slots=True)
class _Call:
    article: Article
    key: str
    messages: list[dict[str, str]]
    truncated: bool
    segments: Segments | None = None


@functools.cache
def _schema_hash(shape: Shape) -> str:
    """A hash of both schemas: part of every cache key."""
    return cache_key(
        {
            "schema_version": SCHEMA_VERSION,
            "extraction": shape.model.model_json_schema(),
            "summary": DiplomaticSummary.model_json_schema(),
        }
    )


#: Output tokens a segment answer needs at most, per segment of the article and in all: the
#: lists and strings are bounded in the schema, so this only cuts a run-away that the grammar
#: does not bound (an endpoint without one).
_TOKENS_PER_SEGMENT = 30
_TOKENS_BASE = 400


class Summariser:
    """Configuration for summarising many articles with one model.

    Args:
        model: a model specification (``openai/gpt-4o-mini``, ``local``,
            ``local:qwen2.5-0.5b``, ``ollama/llama3.1``, or a name with ``base_url``);
            default: ``DIPLOSUM_MODEL``, else OpenAI if ``OPENAI_API_KEY`` is set,
            else the embedded local model.
        base_url: an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, Azure).
        api_key: the key for that endpoint (default ``OPENAI_API_KEY``).
        client / async_client: an injected ``openai.OpenAI`` / ``openai.AsyncOpenAI``
            (its own retries are not used: construct it with ``max_retries=0``).
        cache: a :class:`Cache`, a path to one, ``True`` for the default cache
            (``DIPLOSUM_CACHE`` or the user data folder), or ``None``/``False`` for none.
        mode: ``tools``, ``json_schema``, ``json`` or ``json_grammar``; default by endpoint.
        prompt: a shipped prompt version or a path to a prompt TOML file.
        temperature, seed, max_tokens: generation options (seed ``None`` to omit it).
        timeout: seconds per HTTP request (default 120; 900 for local models).
        max_reasks: validation re-asks after the first answer (default 2).
        strict: raise :class:`ExtractionError` instead of dropping items the article does not
            show (a mediator demoted to another role is not an error).
        retry: the transport :class:`RetryPolicy`.
        max_input_tokens: article budget; longer articles are truncated at a paragraph
            boundary and flagged ``truncated`` in the metadata.
        compact_schema: in the ``json`` and ``json_grammar`` modes, send the schema in the
            system message as compact JSON instead of instructor's indented copy: ~40 % fewer
            schema tokens, but small models read it worse (``benchmarks/README.md``, item 6).
        compact_grammar: in the ``json_grammar`` mode (llama-cpp-python's server) with a segment
            prompt, send a grammar that admits JSON without optional spaces instead of the
            schema: a fifth fewer output tokens. It is converted with llama-cpp-python's own
            converter, so it applies when that package is installed here (as it is with the
            embedded model); False always sends the schema.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        client: Any = None,
        async_client: Any = None,
        cache: Cache | str | os.PathLike[str] | bool | None = None,
        mode: str | None = None,
        prompt: str = DEFAULT_PROMPT,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_tokens: int = 1200,
        timeout: float | None = None,
        max_reasks: int = 2,
        strict: bool = False,
        retry: RetryPolicy | None = None,
        max_input_tokens: int | None = None,
        compact_schema: bool = False,
        compact_grammar: bool | None = None,
    ) -> None:
        if client is None and async_client is None:
            self.spec: ModelSpec = parse_model(model, base_url, mode)
        else:
            injected = client if client is not None else async_client
            url = base_url or str(getattr(injected, "base_url", "") or "") or None
            if url and "api.openai.com" in url:
                url = None
            self.spec = parse_model(model or f"openai/{DEFAULT_OPENAI_MODEL}", url, mode)
        if (
            self.spec.provider == "openai"
            and client is None
            and async_client is None
            and not (api_key or os.environ.get("OPENAI_API_KEY"))
        ):
            raise ConfigurationError(
                f"model {self.spec.label} needs an API key: set OPENAI_API_KEY or pass api_key=, "
                "or use the embedded model with model='local'"
            )
        if max_reasks < 0:
            raise ConfigurationError("max_reasks must be 0 or more")
        if timeout is not None and not 0 < timeout < float("inf"):
            raise ConfigurationError(f"timeout must be more than 0 seconds, not {timeout}")
        self.api_key = api_key
        self._client_injected = client
        self._async_client = async_client
        self._instructor: Any = None
        self._ainstructor: Any = None
        self._owned_raw: Any = None
        self._owned_araw: Any = None
        self._aloop: asyncio.AbstractEventLoop | None = None
        self.prompt: Prompt = load_prompt(prompt)
        self.shape: Shape = shape_for(self.prompt.format)
        self.temperature = temperature
        self.seed = seed
        self.max_tokens = max_tokens
        local = self.spec.provider == "local"
        self.timeout = timeout if timeout is not None else (900.0 if local else 120.0)
        self.max_reasks = max_reasks
        self.strict = strict
        self.compact_schema = (
            compact_schema and self.spec.mode in SCHEMA_IN_PROMPT and not self.shape.segmented
        )
        # json_grammar is llama-cpp-python's server API: with its converter installed here (as
        # for the embedded model), a grammar without optional spaces saves a fifth of the output.
        self.compact_grammar = bool(
            compact_grammar is not False
            and self.spec.mode == "json_grammar"
            and self.shape.segmented
            and importlib.util.find_spec("llama_cpp") is not None
        )
        self.retry = retry or RetryPolicy()
        reasks = max(0, max_reasks) * 700
        default_budget = (_LOCAL_CONTEXT - max_tokens - 1600 - reasks) if local else 60_000
        self.max_input_tokens = max_input_tokens or default_budget
        if cache is True:
            cache = Cache(default_cache_path())
        elif isinstance(cache, (str, os.PathLike)):
            cache = Cache(cache)
        self.cache: Cache | None = cache or None
        #: Answers that could not be written to the cache (each kept in its result anyway).
        self.cache_write_failures = 0
        self._redactor = Redactor([api_key])
        self._identity: dict[str, Any] | None = None

    # ------------------------------------------------------------------ identity and keys

    @property
    def model_label(self) -> str:
        """The model's name in records and cache rows: ``openai/gpt-4o-mini``, ``local:...``."""
        return self.spec.label

    @property
    def prompt_version(self) -> str:
        return self.prompt.version

    @property
    def prompt_hash(self) -> str:
        return self.prompt.hash

    def cost(self, usage: Usage) -> float | None:
        """The dollar cost of ``usage`` on this model (None if its price is unknown)."""
        return cost_usd(self.spec.label, usage)

    @property
    def concurrency_limit(self) -> int | None:
        """The most requests the endpoint can serve at once (1 for the local llama.cpp server)."""
        return endpoint_concurrency(self.spec)

    def identity(self) -> dict[str, Any]:
        """Everything about the model that changes the answer (part of every cache key)."""
        if self._identity is None:
            self._identity = endpoint_identity(self.spec)
        return self._identity

    def params(self) -> dict[str, Any]:
        """The generation parameters (part of every cache key)."""
        compact = {"schema_in_prompt": "compact"} if self.compact_schema else {}
        return {
            **compact,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "max_reasks": self.max_reasks,
            "strict": self.strict,
            "mode": self.spec.mode,
            "max_input_tokens": self.max_input_tokens,
            **({"grammar": "compact"} if self.compact_grammar else {}),
        }

    def key(self, article: Article) -> str:
        """The cache key of ``article`` under this configuration."""
        return cache_key(
            {
                "article_sha256": article.sha256,
                "model": self.identity(),
                "params": self.params(),
                "prompt_hash": self.prompt.hash,
                "schema": _schema_hash(self.shape),
            }
        )

    # ------------------------------------------------------------------ preparing a call

    def _prepare(self, article: Article) -> _Call:
        text, truncated = self._fit(article.text)
        # The fitted text is a prefix of the body: its segments' offsets index the body.
        segments = Segments(text) if self.shape.segmented else None
        messages = self.prompt.render(
            segments.numbered() if segments is not None else text,
            published=article.published.isoformat() if article.published else "unknown",
            headline=article.headline or "none",
        )
        return _Call(article, self.key(article), messages, truncated, segments)

    def _fit(self, text: str) -> tuple[str, bool]:
        budget_bytes = self.max_input_tokens * _BYTES_PER_TOKEN
        raw = text.encode("utf-8")
        if len(raw) <= budget_bytes:
            return text, False
        cut = raw[:budget_bytes].decode("utf-8", errors="ignore")
        para = cut.rfind("\n\n")
        if para > len(cut) // 2:
            cut = cut[:para]
        return cut.rstrip(), True

    def _kwargs(self, call: _Call, *, is_async: bool) -> dict[str, Any]:
        from pydantic import ValidationError
        from tenacity import (
            AsyncRetrying,
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
            stop_any,
        )

        parse_errors = (ValidationError, json.JSONDecodeError)
        retrying_cls = AsyncRetrying if is_async else Retrying
        max_tokens = self.max_tokens
        if call.segments is not None:
            needed = _TOKENS_BASE + _TOKENS_PER_SEGMENT * len(call.segments)
            max_tokens = min(max_tokens, needed)
        kwargs: dict[str, Any] = {
            "model": self.spec.model,
            "messages": call.messages,
            "response_model": self.shape.model,
            "max_retries": retrying_cls(
                stop=stop_any(stop_after_attempt(self.max_reasks + 1), _AnswerRepeated()),
                retry=retry_if_exception_type(parse_errors),
                reraise=True,
            ),
            "temperature": self.temperature,
            "max_tokens": max_tokens,
        }
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if self.spec.mode == "json_grammar":
            schema = self.shape.model.model_json_schema()
            if call.segments is not None:  # per-article ids live only in the grammar
                schema = constrain_ids(schema, len(call.segments))
            grammar = compact_grammar(schema) if self.compact_grammar else None
            if grammar is not None:  # "text" keeps llama.cpp from replacing the grammar
                kwargs["extra_body"] = {"response_format": {"type": "text"}, "grammar": grammar}
            else:
                kwargs["extra_body"] = {
                    "response_format": {"type": "json_object", "schema": schema}
                }
        return kwargs

    @property
    def _instructor_mode(self) -> Any:
        """The mode instructor runs in: for a grammar endpoint and a segment prompt, instructor's
        ``json_schema`` mode, whose ``response_format`` the grammar request replaces: the schema
        is then not copied into the system message, which stays the same for every article."""
        if self.spec.mode == "json_grammar" and self.shape.segmented:
            return "json_schema"
        return self.spec.mode

    # ------------------------------------------------------------------ clients

    def _compact(self) -> dict[str, Any] | None:
        """The schema to send compactly, if ``compact_schema`` applies."""
        return self.shape.model.model_json_schema() if self.compact_schema else None

    def start(self) -> None:
        """Get the endpoint ready now: for a local model, join the weights and start the server.

        Optional (the first request does it otherwise); call it from the main thread so that
        Ctrl-C handling for the server is installed there.
        """
        self._base_url()

    def _base_url(self) -> str | None:
        return endpoint_base_url(self.spec)

    def _client(self) -> Any:
        """The sync instructor client, built on first use."""
        from .providers import build_instructor, make_openai_client

        if self._instructor is None:
            if self._client_injected is None and self._async_client is not None:
                raise ConfigurationError("only an async_client was injected: use asummarise()")
            raw = self._client_injected or make_openai_client(
                self.spec,
                base_url=self._base_url(),
                api_key=self.api_key,
                timeout=self.timeout,
                is_async=False,
            )
            self._owned_raw = None if self._client_injected is not None else raw
            self._instructor = build_instructor(
                raw, self._instructor_mode, self.retry, self._compact()
            )
        return self._instructor

    async def _aclient(self) -> Any:
        """The async instructor client of the running event loop, built on first use there."""
        from .providers import build_instructor, make_openai_client

        loop = asyncio.get_running_loop()

        def needed() -> bool:  # none yet, or ours was built on another (finished) loop
            owned = self._async_client is None
            return self._ainstructor is None or (owned and self._aloop is not loop)

        if needed():
            # Resolving the base URL may start the local server: keep it off the event loop.
            base_url = await asyncio.to_thread(self._base_url)
            if needed():
                raw = self._async_client or make_openai_client(
                    self.spec,
                    base_url=base_url,
                    api_key=self.api_key,
                    timeout=self.timeout,
                    is_async=True,
                )
                self._owned_araw = None if self._async_client is not None else raw
                self._ainstructor = build_instructor(
                    raw, self._instructor_mode, self.retry, self._compact()
                )
                self._aloop = loop
        return self._ainstructor

    def close(self) -> None:
        """Close the HTTP clients diplosum created (injected clients are left open)."""
        if self._owned_raw is not None:
            self._owned_raw.close()
        self._owned_raw = self._instructor = None

    async def aclose(self) -> None:
        """Close the async HTTP client diplosum created for the running loop."""
        if self._owned_araw is not None:
            await self._owned_araw.close()
        self._owned_araw = self._ainstructor = self._aloop = None

    def __enter__(self) -> Summariser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Summariser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ results

    def lookup(self, article: Article) -> OutputRecord | None:
        """The cached outcome for ``article``, as its record, without building a client."""
        result = self._cached(article, self.key(article))
        if result is None:
            return None
        from ._records import OutputRecord

        return OutputRecord.from_result(article, result)

    def _from_cache(self, call: _Call) -> SummaryResult | None:
        return self._cached(call.article, call.key)

    def _cached(self, article: Article, key: str) -> SummaryResult | None:
        """The cached summary and metadata for ``article``, marked cached.

        A row built by another :data:`BUILD_VERSION` is rebuilt with this version's grounding
        and normalisation from its stored raw output (no model call) and stored back.
        """
        if self.cache is None:
            return None
        hit = self.cache.get(key)
        if hit is None:
            return None
        summary_json, meta = hit.summary_json, json.loads(hit.meta_json)
        if meta.get("build_version", "1") != BUILD_VERSION:
            extraction = self.shape.parse(hit.raw_output or "")
            if extraction is None:
                return None
            summary, dropped = self.shape.build(article, extraction)
            summary, dropped = self._redact_summary(summary, dropped)
            summary_json = summary.model_dump_json()
            meta.update(
                build_version=BUILD_VERSION,
                dropped=[d.model_dump() for d in dropped],
                flagged=[f.model_dump() for f in flag_instructions(summary)],
            )
            self._store(
                dataclasses.replace(
                    hit, summary_json=summary_json, meta_json=json.dumps(meta), created_at=""
                )
            )
        meta.update(cached=True, article_id=article.id)  # same text may come from another file
        # A row another version wrote may carry metadata this one no longer has: not an error.
        meta = {k: v for k, v in meta.items() if k in RunMetadata.model_fields}
        return SummaryResult.model_validate({"summary": json.loads(summary_json), "meta": meta})

    def _finish(
        self,
        call: _Call,
        extraction: Any,
        log: AttemptLog,
        started: float,
        error: BaseException | None,
    ) -> SummaryResult:
        usages = [Usage(**u) for u in log.usages]
        total = sum(usages, Usage())
        incomplete = False
        if extraction is None:
            extraction = self._salvage(call, log, error, total)
            # Kept although the endpoint failed during a re-ask. A transient failure (5xx, 429,
            # a dropped connection) must not become a permanent partial summary: flagged and not
            # cached, so the next run asks again. A permanent one (400: the re-ask outgrew the
            # context window) would fail the same way again: cached as before.
            cause = _provider_cause(error)
            incomplete = cause is not None and is_retryable(cause)
        summary, dropped = self.shape.build(call.article, extraction, call.segments)
        summary, dropped = self._redact_summary(summary, dropped)
        flagged = flag_instructions(summary)  # evidence that only instructs the model
        unverified = [d for d in dropped if not d.reason.startswith(("demoted", "moved"))]
        if self.strict and self.shape.segmented and unverified:
            reason = "; ".join(f"{d.field} {d.item!r}: {d.reason}" for d in unverified)
            raise ExtractionError(
                f"{call.article.id}: {len(unverified)} item(s) not shown by the article "
                f"(strict): {reason}"[:2000],
                errors=reason,
                last_output=log.raw_outputs[-1] if log.raw_outputs else None,
                article_id=call.article.id,
                attempts=log.calls,
                http_attempts=log.http_attempts,
                usage=total.model_dump(),
            )
        meta = RunMetadata(
            diplosum_version=__version__,
            schema_version=SCHEMA_VERSION,
            build_version=BUILD_VERSION,
            model=self.spec.label,
            provider=self.spec.provider,
            prompt_version=self.prompt.version,
            prompt_hash=self.prompt.hash,
            article_id=call.article.id,
            article_sha256=call.article.sha256,
            usage=total,
            attempts_usage=usages,
            attempts=log.calls,
            http_attempts=log.http_attempts,
            dropped=dropped,
            truncated=call.truncated,
            latency_s=round(time.perf_counter() - started, 4),
            cost_usd=self.cost(total),
            incomplete=incomplete,
            flagged=flagged,
        )
        result = SummaryResult(summary=summary, meta=meta)
        if incomplete:
            _log.warning(
                "%s: the endpoint failed during a re-ask; the previous answer is kept, flagged "
                "incomplete and not cached, so the next run asks again",
                call.article.id,
            )
        elif self.cache is not None:
            raw = log.raw_outputs[-1] if log.raw_outputs else None
            self._store(
                CachedResult(
                    key=call.key,
                    article_sha256=call.article.sha256,
                    model=self.spec.label,
                    summary_json=summary.model_dump_json(),
                    meta_json=result.meta.model_dump_json(),
                    raw_output=self._redact(raw) if raw is not None else None,
                    usage_json=json.dumps([u.model_dump() for u in usages]),
                    latency_s=result.meta.latency_s,
                    created_at="",
                )
            )
        return result

    def _store(self, row: CachedResult) -> None:
        """Write ``row`` to the cache; a failed write is logged, never fatal: the answer was paid
        for, so the caller still gets it (with its real usage and cost, which a budget counts)."""
        assert self.cache is not None
        try:
            self.cache.put(row)
        except CacheError as exc:
            self.cache_write_failures += 1
            if self.cache_write_failures == 1:
                _log.warning(
                    "%s; the answer is kept but not cached (later failures are not repeated)",
                    exc,
                )
            else:
                _log.debug("cache write failed again: %s", exc)

    def redact(self, text: str) -> str:
        """``text`` without the API key or anything shaped like one (see :mod:`._redact`)."""
        return self._redactor.text(text)

    _redact = redact  # the name used inside the class

    def _redact_summary(
        self, summary: DiplomaticSummary, dropped: list[Dropped]
    ) -> tuple[DiplomaticSummary, list[Dropped]]:
        """The summary and dropped items without secrets a model echoed (quotes are article
        text and stay verbatim)."""
        text = summary.model_dump_json() + "".join(d.item + d.reason for d in dropped)
        if not self._redactor.needed(text):
            return summary, dropped
        clean = self._redactor.data(summary.model_dump(mode="json"))
        return DiplomaticSummary.model_validate(clean), [
            Dropped(field=d.field, item=self.redact(d.item), reason=self.redact(d.reason))
            for d in dropped
        ]

    def _salvage(
        self, call: _Call, log: AttemptLog, error: BaseException | None, usage: Usage
    ) -> Any:
        """After the re-ask budget: raise, or keep the last answer minus its ungrounded items.

        The last answer is also kept when the endpoint failed during a re-ask (say, the
        conversation outgrew a small context window): it was a real, parsed answer.
        """
        provider_error = _provider_cause(error)
        context = {
            "article_id": call.article.id,
            "attempts": log.calls,
            "http_attempts": log.http_attempts,
            "usage": usage.model_dump(),
        }
        last = log.raw_outputs[-1] if log.raw_outputs else None
        if not self.strict and last is not None:
            salvaged = self.shape.parse(last)
            if salvaged is not None:
                return salvaged
        if provider_error is not None:
            status = getattr(provider_error, "status_code", None)
            body = self._redact(str(getattr(provider_error, "body", None) or provider_error))[:500]
            kind = f"HTTP {status}" if status else type(provider_error).__name__
            death = endpoint_death(self.spec)
            body = f"{death}. {body}" if death else body
            raise ProviderError(
                f"{call.article.id}: the model endpoint failed ({kind}) after "
                f"{log.http_attempts} attempt(s): {body}",
                status_code=status,
                body=body,
                unreachable=_unreachable(provider_error),
                **context,
            ) from None
        reason = _last_validation_message(error)
        raise ExtractionError(
            f"{call.article.id}: no valid extraction after {log.calls} attempt(s): {reason}",
            errors=reason,
            last_output=last,
            **context,
        ) from None

    # ------------------------------------------------------------------ public API

    def summarise_article(self, article: Article) -> SummaryResult:
        """Summarise one article; returns the summary with its run metadata."""
        call = self._prepare(article)
        cached = self._from_cache(call)
        if cached is not None:
            return cached
        client = self._client()
        started = time.perf_counter()
        with _attempts(call) as log:
            try:
                kwargs = self._kwargs(call, is_async=False)
                extraction, error = client.chat.completions.create(**kwargs), None
            except Exception as exc:  # instructor wraps everything; sorted out in _salvage
                extraction, error = None, exc
        return self._finish(call, extraction, log, started, error)

    async def asummarise_article(self, article: Article) -> SummaryResult:
        """Async twin of :meth:`summarise_article`."""
        call = self._prepare(article)
        cached = self._from_cache(call)
        if cached is not None:
            return cached
        if self._async_client is None and self._client_injected is not None:
            return await asyncio.to_thread(self.summarise_article, article)
        client = await self._aclient()
        started = time.perf_counter()
        with _attempts(call) as log:
            try:
                kwargs = self._kwargs(call, is_async=True)
                extraction, error = await client.chat.completions.create(**kwargs), None
            except Exception as exc:  # instructor wraps everything; sorted out in _salvage
                extraction, error = None, exc
        return self._finish(call, extraction, log, started, error)

    def summarise(self, text: str | Article, **article_fields: Any) -> DiplomaticSummary:
        """Summarise text (optionally with a ``date YYYY-MM-DD headline`` first line)."""
        return self.summarise_article(_as_article(text, article_fields)).summary

    async def asummarise(self, text: str | Article, **article_fields: Any) -> DiplomaticSummary:
        """Async twin of :meth:`summarise`."""
        return (await self.asummarise_article(_as_article(text, article_fields))).summary

    def summarise_file(self, path: str | os.PathLike[str]) -> DiplomaticSummary:
        """Read a ``.txt``, ``.md``, ``.html`` or ``.json`` file and summarise it."""
        return self.summarise_article(read_article(path)).summary


@contextlib.contextmanager
def _attempts(call: _Call) -> Iterator[AttemptLog]:
    """For one call: collect every attempt's output and usage, and let the validators see the
    article and its segments (through context variables, so each task or thread has its own)."""
    log = AttemptLog()
    token = current_log().set(log)
    grounding = GROUNDING.set(ArticleIndex(call.article.text))
    segments = SEGMENTS.set(call.segments)
    try:
        yield log
    finally:
        SEGMENTS.reset(segments)
        GROUNDING.reset(grounding)
        current_log().reset(token)


def _as_article(text: str | Article, fields: dict[str, Any]) -> Article:
    return text if isinstance(text, Article) else parse_text(text, **fields)


class _AnswerRepeated(stop_base):
    """Stop re-asking when the model gave the same answer twice in a row.

    At temperature 0 a model that ignored one correction will ignore the next: a further
    re-ask would only spend tokens (and, on a CPU, a minute) to get the same answer again.
    """

    def __call__(self, retry_state: Any) -> bool:
        log = current_log().get()
        outputs = log.raw_outputs if log is not None else []
        return len(outputs) >= 2 and outputs[-1] == outputs[-2]


def _provider_cause(error: BaseException | None) -> BaseException | None:
    """The OpenAI SDK error behind an instructor exception, if the failure was transport."""
    if error is None:
        return None
    import openai

    from .retry import EmptyCompletion

    seen: set[int] = set()
    exc: BaseException | None = error
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (openai.APIError, EmptyCompletion)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the endpoint is not there at all: no connection could be made
    (refused, no such host, no answer to the connection: the HTTP library's ``ConnectError`` or
    ``ConnectTimeout`` behind the SDK's error; not a reset or a read timeout, which come from a
    server that is there), or HTTP 404 (no such path: a base URL without its ``/v1``)."""
    if getattr(error, "status_code", None) == 404:
        return True
    seen: set[int] = set()
    exc: BaseException | None = error
    while exc is not None and id(exc) not in seen:
        if type(exc).__name__ in ("ConnectError", "ConnectTimeout"):  # httpx and its forks
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _last_validation_message(error: BaseException | None) -> str:
    if error is None:
        return "the model returned nothing usable"
    attempts = getattr(error, "failed_attempts", None) or []
    if attempts:
        return str(attempts[-1].exception)[:2000]
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}"[:2000]


# ---------------------------------------------------------------------- conveniences

_DEFAULTS: dict[tuple[Any, ...], Summariser] = {}


def _default(model: str | None, options: dict[str, Any]) -> Summariser:
    key = (model, tuple(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _DEFAULTS:
        _DEFAULTS[key] = Summariser(model, **options)
    return _DEFAULTS[key]


def summarise(text: str, *, model: str | None = None, **options: Any) -> DiplomaticSummary:
    """Summarise one article's text. ``options`` are :class:`Summariser` arguments."""
    return _default(model, options).summarise(text)


async def asummarise(text: str, *, model: str | None = None, **options: Any) -> DiplomaticSummary:
    """Async twin of :func:`summarise`."""
    return await _default(model, options).asummarise(text)


def summarise_file(
    path: str | os.PathLike[str], *, model: str | None = None, **options: Any
) -> DiplomaticSummary:
    """Read a file and summarise it. ``options`` are :class:`Summariser` arguments."""
    return _default(model, options).summarise_file(Path(path))
