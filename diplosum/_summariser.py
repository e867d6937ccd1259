"""One article in, one validated, grounded summary out: :class:`Summariser`.

The path of an article, each step in its own module: fit it to its token budget, split it
into numbered segments and render the prompt (:mod:`._request`, :mod:`._budget`) → the
model fills the prompt's extraction through instructor, over clients built and closed by
:class:`~diplosum.providers.Clients`, under both retry layers (:mod:`diplosum.retry`:
transport retries, validation re-asks) → an answer that never validated is salvaged or
becomes the error saying why (:mod:`._salvage`) → the evidence rules check each item against
its segment and normalise actors, venue and date (:mod:`._publish`, :mod:`._evidence`) →
a :class:`DiplomaticSummary` with its :class:`RunMetadata`, which the cache keeps
(:mod:`._stored`). ``extract-v1`` (quotes the model copies, located afterwards) stays
selectable.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from . import _batchapi, _budget, _shape
from ._article import Article, parse_text, read_article
from ._batchapi import BatchProgress, Reasks
from ._cache import BatchJobRow, CacheBackend, cache_key, open_cache
from ._pricing import Prices, cost_usd, default_prices
from ._prompt import DEFAULT_PROMPT, Prompt, load_prompt
from ._publish import publish, strict_error
from ._redact import Redactor
from ._request import Call, attempts, instructor_mode, prepare, request_kwargs
from ._salvage import salvage
from ._schema import SCHEMA_VERSION, DiplomaticSummary, RunMetadata, SummaryResult, Usage
from ._shape import Shape, shape_for
from ._stored import Stored
from ._version import __version__
from .errors import ConfigurationError
from .providers import (
    DEFAULT_OPENAI_MODEL,
    LOCAL_CONTEXT,
    SCHEMA_IN_PROMPT,
    AttemptLog,
    Clients,
    ModelSpec,
    endpoint_concurrency,
    endpoint_death,
    endpoint_identity,
    parse_model,
    provider_cause,
)
from .retry import RetryPolicy, is_retryable

if TYPE_CHECKING:
    import openai

    from ._records import OutputRecord

__all__ = ["Summariser"]

_log = logging.getLogger(__name__)


@functools.cache
def _schema_hash(shape: Shape) -> str:
    """A hash of the schema the model answers in: part of every cache key.

    Only what the model is sent decides its answer. The published summary is built from the
    stored raw answer, and rebuilt by the current rules when they change (see
    :mod:`diplosum._stored`), so a change to the summary's shape costs no model call.
    """
    return cache_key(
        {"schema_version": SCHEMA_VERSION, "extraction": shape.model.model_json_schema()}
    )


def _without_week(node: Any) -> Any:
    """The summary schema as it was before the week precision (diplosum 0.x up to 2026-12-02)."""
    if isinstance(node, dict):
        return {k: _without_week(v) for k, v in node.items()}
    if isinstance(node, list):
        if node == ["day", "week", "month", "year"]:
            return ["day", "month", "year"]
        return [_without_week(v) for v in node]
    return node


@functools.cache
def _legacy_schema_hash(shape: Shape) -> str:
    """The schema part of a cache key written before 2026-12-02, which also hashed the summary
    schema of the time: rows under it are found and copied to the current key."""
    return cache_key(
        {
            "schema_version": SCHEMA_VERSION,
            "extraction": shape.model.model_json_schema(),
            "summary": _without_week(DiplomaticSummary.model_json_schema()),
        }
    )


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
        cache: a :class:`Cache` (or any ``CacheBackend``), a path to a SQLite file, a
            ``postgresql://`` URL, ``True`` for the default cache (``DIPLOSUM_CACHE`` or the
            user data folder), or ``None``/``False`` for none.
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
            prompt, send a grammar without the optional spaces (converted with llama-cpp-python's
            own converter, when it is installed here) instead of the schema. Off by default:
            measured on seven dev-corpus articles with the embedded 1.5B model, its answers were
            longer, not shorter (2,522 completion tokens against 2,036), and four of the seven
            named no mediator or party at all.
        prices: the price table costs are computed with, model label -> USD per million
            (input, output) tokens; default: the list prices with ``DIPLOSUM_PRICES`` on top.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        client: openai.OpenAI | None = None,
        async_client: openai.AsyncOpenAI | None = None,
        cache: CacheBackend | str | os.PathLike[str] | bool | None = None,
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
        prices: Prices | None = None,
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
        #: The price table costs are computed with (a value: nothing global is changed).
        self.prices: Prices = dict(prices) if prices is not None else default_prices()
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
        # Opt-in: a grammar without optional spaces made the 1.5B model's answers worse.
        self.compact_grammar = bool(
            compact_grammar is True
            and self.spec.mode == "json_grammar"
            and self.shape.segmented
            and importlib.util.find_spec("llama_cpp") is not None
        )
        self.retry = retry or RetryPolicy()
        self.max_input_tokens = max_input_tokens or _budget.input_budget(
            local=local, context=LOCAL_CONTEXT, max_tokens=max_tokens, max_reasks=max_reasks
        )
        self._clients = Clients(
            self.spec,
            api_key=api_key,
            timeout=self.timeout,
            retry=self.retry,
            mode=instructor_mode(self.spec.mode, self.shape),
            compact=self.shape.model.model_json_schema() if self.compact_schema else None,
            client=client,
            async_client=async_client,
        )
        #: Whether this summariser opened its cache (from ``True`` or a spec), so closes it.
        self._owns_cache = cache is True or isinstance(cache, (str, os.PathLike))
        if cache is True:
            cache = open_cache()
        elif isinstance(cache, (str, os.PathLike)):
            cache = open_cache(cache)
        self.cache: CacheBackend | None = cache or None
        self._redactor = Redactor([api_key])
        self._stored = Stored(self.cache, self.shape, self._redactor)
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
        return cost_usd(self.spec.label, usage, self.prices)

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
        return self._key(article, _schema_hash(self.shape))

    def _legacy_key(self, article: Article) -> str:
        """The key an earlier diplosum gave ``article`` (see :func:`_legacy_schema_hash`)."""
        return self._key(article, _legacy_schema_hash(self.shape))

    def _key(self, article: Article, schema: str) -> str:
        return cache_key(
            {
                "article_sha256": article.sha256,
                "model": self.identity(),
                "params": self.params(),
                "prompt_hash": self.prompt.hash,
                "schema": schema,
            }
        )

    # ------------------------------------------------------------------ one call

    def _prepare(self, article: Article) -> Call:
        return prepare(
            article,
            key=self.key(article),
            prompt=self.prompt,
            segmented=self.shape.segmented,
            max_input_tokens=self.max_input_tokens,
        )

    def _kwargs(self, call: Call, *, is_async: bool) -> dict[str, Any]:
        return request_kwargs(
            call,
            model=self.spec.model,
            shape=self.shape,
            mode=self.spec.mode,
            max_tokens=self.max_tokens,
            max_reasks=self.max_reasks,
            temperature=self.temperature,
            seed=self.seed,
            grammar=self.compact_grammar,
            is_async=is_async,
        )

    # ------------------------------------------------------------------ clients

    def start(self) -> None:
        """Get the endpoint ready now: for a local model, join the weights and start the server.

        Optional (the first request does it otherwise).
        """
        self._clients.start()

    def close(self) -> None:
        """Close the HTTP clients diplosum created and the cache it opened from a spec
        (injected clients and cache backends are left open; a closed cache reopens on its
        next use)."""
        self._clients.close()
        self._close_cache()

    async def aclose(self) -> None:
        """Close the async HTTP client diplosum created for the running loop, and the cache it
        opened from a spec (as :meth:`close`)."""
        await self._clients.aclose()
        self._close_cache()

    def _close_cache(self) -> None:
        if self._owns_cache and self.cache is not None:
            self.cache.close()

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

    def _from_cache(self, call: Call) -> SummaryResult | None:
        return self._cached(call.article, call.key)

    def _cached(self, article: Article, key: str) -> SummaryResult | None:
        found = self._stored.get(article, key)
        if found is None and self.cache is not None:
            found = self._stored.adopt(article, self._legacy_key(article), key)
        return found

    @property
    def cache_write_failures(self) -> int:
        """Answers that could not be written to the cache (each kept in its result anyway)."""
        return self._stored.write_failures

    def _answer(self, call: Call, client: Any) -> tuple[Any, AttemptLog, BaseException | None]:
        """One article's instructor call (the first request and its re-asks) through the sync
        instructor ``client``: the extraction (None if it failed), the log, the error."""
        with attempts(call) as log:
            try:
                kwargs = self._kwargs(call, is_async=False)
                extraction, error = client.chat.completions.create(**kwargs), None
            except Exception as exc:  # instructor wraps everything; sorted out in _salvage
                extraction, error = None, exc
        return extraction, log, error

    def _finish(
        self,
        call: Call,
        extraction: Any,
        log: AttemptLog,
        started: float,
        error: BaseException | None,
        batch: tuple[int, int] | None = None,
    ) -> SummaryResult:
        """The result of a call; ``batch``: its first answers came from the Batch API, as
        ``(round, how many answers)``: those are priced at batch prices."""
        usages = [Usage(**u) for u in log.usages]
        total = sum(usages, Usage())
        incomplete = False
        if extraction is None:
            extraction = salvage(
                call.article.id,
                log,
                error,
                total,
                strict=self.strict,
                parse=self.shape.parse,
                redact=self._redact,
                death=lambda: endpoint_death(self.spec),
            )
            # Kept although the endpoint failed during a re-ask. A transient failure (5xx, 429,
            # a dropped connection) must not become a permanent partial summary: flagged and not
            # cached, so the next run asks again. A permanent one (400: the re-ask outgrew the
            # context window) would fail the same way again: cached as before.
            cause = provider_cause(error)
            incomplete = cause is not None and is_retryable(cause)
        published = publish(self.shape, call.article, extraction, call.segments, self._redactor)
        summary = published.summary
        if self.strict and self.shape.segmented and published.unverified:
            raise strict_error(
                call.article.id,
                published.unverified,
                last_output=log.raw_outputs[-1] if log.raw_outputs else None,
                attempts=log.calls,
                http_attempts=log.http_attempts,
                usage=total,
            )
        meta = RunMetadata(
            diplosum_version=__version__,
            schema_version=SCHEMA_VERSION,
            build_version=_shape.BUILD_VERSION,
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
            dropped=published.dropped,
            truncated=call.truncated,
            latency_s=round(time.perf_counter() - started, 4),
            cost_usd=self.cost(total) if batch is None else self._batch_cost(usages, batch[1]),
            incomplete=incomplete,
            flagged=published.flagged,
            batch_round=None if batch is None else _round_of(log, batch[1]),
        )
        result = SummaryResult(summary=summary, meta=meta)
        if incomplete:
            _log.warning(
                "%s: the endpoint failed during a re-ask; the previous answer is kept, flagged "
                "incomplete and not cached, so the next run asks again",
                call.article.id,
            )
        else:
            raw = log.raw_outputs[-1] if log.raw_outputs else None
            self._stored.put(call.key, result, raw_output=raw, usages=usages)
        return result

    def _batch_cost(self, usages: list[Usage], answered: int) -> float | None:
        """The cost of answers of which the first ``answered`` came from the Batch API."""
        costs = [
            cost_usd(self.spec.label, sum(usages[:answered], Usage()), self.prices, batch=True)
        ]
        if len(usages) > answered:  # re-asks made as direct calls, at the standard price
            costs.append(self.cost(sum(usages[answered:], Usage())))
        return None if None in costs else round(sum(c or 0.0 for c in costs), 8)

    def redact(self, text: str) -> str:
        """``text`` without the API key or anything shaped like one (see :mod:`._redact`)."""
        return self._redactor.text(text)

    _redact = redact  # the name used inside the class

    # ------------------------------------------------------------------ public API

    def summarise_article(self, article: Article) -> SummaryResult:
        """Summarise one article; returns the summary with its run metadata."""
        call = self._prepare(article)
        cached = self._from_cache(call)
        if cached is not None:
            return cached
        client = self._clients.sync()
        started = time.perf_counter()
        extraction, log, error = self._answer(call, client)
        return self._finish(call, extraction, log, started, error)

    async def asummarise_article(self, article: Article) -> SummaryResult:
        """Async twin of :meth:`summarise_article`."""
        call = self._prepare(article)
        cached = self._from_cache(call)
        if cached is not None:
            return cached
        if self._clients.sync_only:
            return await asyncio.to_thread(self.summarise_article, article)
        client = await self._clients.async_()
        started = time.perf_counter()
        with attempts(call) as log:
            try:
                kwargs = self._kwargs(call, is_async=True)
                extraction, error = await client.chat.completions.create(**kwargs), None
            except Exception as exc:  # instructor wraps everything; sorted out in _salvage
                extraction, error = None, exc
        return self._finish(call, extraction, log, started, error)

    # ------------------------------------------------------------------ the Batch API

    def submit_batch(
        self, articles: Iterable[Article], *, reasks: Reasks = "direct"
    ) -> list[BatchJobRow]:
        """Send the articles not yet cached to the provider's Batch API and return at once.

        The request file holds exactly the body a direct call would send, one line per cache
        key (its ``custom_id``); it is uploaded, the batch created, and its id and state kept
        in the cache before this returns, so :meth:`collect_batch` (here or in another process)
        resumes it. Returns the open jobs covering the articles. Half the price of direct
        calls for OpenAI, answers within 24 h. Needs a cache, and an endpoint with a Batch API
        (OpenAI, or a compatible server that serves ``/v1/files`` and ``/v1/batches``).
        """
        return _batchapi.submit(self, articles, reasks=reasks)

    def collect_batch(
        self,
        articles: Iterable[Article],
        *,
        reasks: Reasks = "direct",
        poll_seconds: float = 30.0,
        progress: Callable[[BatchProgress], None] | None = None,
        concurrency: int = 8,
    ) -> Iterator[OutputRecord]:
        """Summarise ``articles`` through the Batch API: one record per article, as it is done.

        Cached articles come first; the others are submitted (or an open batch covering them,
        submitted earlier, is resumed: nothing is uploaded or paid for twice), polled every
        ``poll_seconds`` (``progress`` is told each state), and each answer validated, grounded
        and normalised like a direct one. Answers that fail validation are re-asked as direct
        calls (``reasks="direct"``) or in a further batch (``"batch"``). A failed, expired or
        cancelled batch, and each error line, become failure records naming the reason; the
        next call submits those articles anew. Direct re-asks run ``concurrency`` at a time.
        """
        return _batchapi.collect(
            self,
            articles,
            reasks=reasks,
            poll_seconds=poll_seconds,
            progress=progress,
            concurrency=concurrency,
        )

    def write_batch_file(self, articles: Iterable[Article], path: str | os.PathLike[str]) -> int:
        """Write the request file of the articles not cached, for a batch run elsewhere (vLLM's
        offline ``vllm run-batch -i FILE -o OUT``, or an upload of your own): the same lines
        :meth:`submit_batch` uploads. Returns how many requests it holds."""
        return _batchapi.write_file(self, articles, path)

    def read_batch_file(
        self,
        articles: Iterable[Article],
        path: str | os.PathLike[str],
        *,
        reasks: Reasks = "direct",
        concurrency: int = 8,
    ) -> Iterator[OutputRecord]:
        """Records for ``articles`` from the output file of such a run, each answer checked as
        :meth:`collect_batch` checks it; an answer that fails validation is re-asked directly
        (which needs the endpoint), an article with no line in the file is a failure."""
        return _batchapi.read_file(self, articles, path, reasks=reasks, concurrency=concurrency)

    def cancel_batch(self, job: BatchJobRow | str) -> BatchJobRow:
        """Ask the provider to cancel a batch (a job, its id or the provider's batch id); what
        it finished is collected by the next :meth:`collect_batch`."""
        return _batchapi.cancel(self, job)

    def _batch_client(self) -> Any:
        """The sync OpenAI SDK client the Files and Batches APIs are called on."""
        return self._clients.raw()

    def _batch_body(self, call: Call) -> dict[str, Any]:
        """The request body of ``call``'s first model call, exactly as a direct call sends it."""
        from ._replay import Replay, deferred  # instructor's, imported on first use

        _, _, error = self._answer(call, self._clients.over(Replay([])))
        found = deferred(error)
        if found is None:  # pragma: no cover - the replay defers the first call
            raise RuntimeError(f"{call.article.id}: no request body was built") from error
        return found.body

    def _from_batch(
        self, call: Call, answers: list[dict[str, Any]], *, round: int, direct: bool
    ) -> SummaryResult | dict[str, Any]:
        """The result of ``call`` from its batch ``answers`` (completion bodies of rounds
        1..``round``), through the same validation, grounding and normalisation as a direct
        answer; or, when a re-ask is needed and not ``direct``, the re-ask's request body (for
        the next round)."""
        from ._replay import Replay, deferred

        started = time.perf_counter()

        def live(**kwargs: Any) -> Any:  # a re-ask as a direct call (the client built then)
            return self._clients.raw().chat.completions.create(**kwargs)

        replay = Replay(answers, live if direct else None)
        extraction, log, error = self._answer(call, self._clients.over(replay))
        found = deferred(error)
        if found is not None:
            return found.body
        return self._finish(call, extraction, log, started, error, batch=(round, len(answers)))

    def summarise(self, text: str | Article, **article_fields: Any) -> DiplomaticSummary:
        """Summarise text (optionally with a ``date YYYY-MM-DD headline`` first line)."""
        return self.summarise_article(_as_article(text, article_fields)).summary

    async def asummarise(self, text: str | Article, **article_fields: Any) -> DiplomaticSummary:
        """Async twin of :meth:`summarise`."""
        return (await self.asummarise_article(_as_article(text, article_fields))).summary

    def summarise_file(self, path: str | os.PathLike[str]) -> DiplomaticSummary:
        """Read a ``.txt``, ``.md``, ``.html`` or ``.json`` file and summarise it."""
        return self.summarise_article(read_article(path)).summary


def _round_of(log: AttemptLog, answered: int) -> int:
    """The batch round that produced the answer kept: the round of the last batch answer
    used, or 0 when it came from a direct re-ask."""
    last = len(log.raw_outputs)
    return last if last <= answered else 0


def _as_article(text: str | Article, fields: dict[str, Any]) -> Article:
    return text if isinstance(text, Article) else parse_text(text, **fields)
