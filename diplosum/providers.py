"""Turn a model specification into an instructor client that talks to it.

Model specifications::

    openai/gpt-4o-mini        OpenAI (needs OPENAI_API_KEY); bare "gpt-4o-mini" too
    ollama/llama3.1           an Ollama server (default http://localhost:11434/v1)
    NAME + base_url=URL       any OpenAI-compatible server (vLLM, llama.cpp, Azure, ...)
    local                     the embedded default model (see diplosum.local)
    local:qwen2.5-0.5b        another embedded model, or local:/path/to/any.gguf

With no model given, ``DIPLOSUM_MODEL`` is used; without it, OpenAI when
``OPENAI_API_KEY`` is set, otherwise the embedded local model.

Every request goes through the same OpenAI-compatible code path; the instructor
mode follows the endpoint: tool calling for OpenAI, JSON with a JSON-schema
grammar for llama.cpp servers, plain JSON for other compatible servers. Nothing
here opens a connection until the first request.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ConfigurationError
from .retry import RetryPolicy, is_retryable

__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "AttemptLog",
    "ModelSpec",
    "current_log",
    "parse_model",
]

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
OLLAMA_URL = "http://localhost:11434/v1"
Mode = Literal["tools", "json_schema", "json", "json_grammar"]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A resolved model choice."""

    provider: Literal["openai", "compatible", "ollama", "local"]
    model: str
    base_url: str | None = None
    mode: Mode = "tools"
    local: str | None = None  # alias or GGUF path for provider "local"
    chosen_by: str = "argument"  # argument / DIPLOSUM_MODEL / OPENAI_API_KEY / default

    @property
    def label(self) -> str:
        """A short human and cache-key name: ``openai/gpt-4o-mini``, ``local:qwen2.5-1.5b``."""
        if self.provider == "local":
            return f"local:{self.local}"
        return f"{self.provider}/{self.model}"


def parse_model(
    model: str | None = None, base_url: str | None = None, mode: str | None = None
) -> ModelSpec:
    """Resolve a model specification (see the module docstring)."""
    chosen_by = "argument"
    if not model:
        model = os.environ.get("DIPLOSUM_MODEL") or None
        chosen_by = "DIPLOSUM_MODEL"
    if not model:
        if base_url:
            raise ConfigurationError("base_url given without a model name: pass model=NAME too")
        if os.environ.get("OPENAI_API_KEY"):
            model, chosen_by = f"openai/{DEFAULT_OPENAI_MODEL}", "OPENAI_API_KEY"
        else:
            model, chosen_by = "local", "default"
    spec = _parse(model.strip(), base_url)
    if mode is not None:
        if mode not in ("tools", "json_schema", "json", "json_grammar"):
            raise ConfigurationError(
                f"unknown mode {mode!r}: use tools, json_schema, json or json_grammar"
            )
        spec = ModelSpec(spec.provider, spec.model, spec.base_url, mode, spec.local)  # type: ignore[arg-type]
    return ModelSpec(spec.provider, spec.model, spec.base_url, spec.mode, spec.local, chosen_by)


def _parse(model: str, base_url: str | None) -> ModelSpec:
    if model == "local" or model.startswith("local:"):
        from .local import DEFAULT_LOCAL_MODEL

        alias = model.partition(":")[2] or DEFAULT_LOCAL_MODEL
        return ModelSpec("local", "local", None, "json_grammar", alias)
    prefix, sep, name = model.partition("/")
    if sep and prefix == "openai":
        if base_url:
            return ModelSpec("compatible", name, base_url.rstrip("/"), "json")
        return ModelSpec("openai", name, None, "tools")
    if sep and prefix == "ollama":
        return ModelSpec("ollama", name, (base_url or OLLAMA_URL).rstrip("/"), "json")
    if base_url:
        return ModelSpec("compatible", model, base_url.rstrip("/"), "json")
    if sep and prefix not in ("openai", "ollama"):
        raise ConfigurationError(
            f"model {model!r}: provider {prefix!r} is not built in; diplosum speaks the OpenAI "
            "protocol, so pass --base-url for a compatible server (vLLM, Ollama, LiteLLM, Azure)"
        )
    if not name and not sep:
        return ModelSpec("openai", model, None, "tools")
    raise ConfigurationError(f"cannot understand model {model!r}")


# --------------------------------------------------------------------------- attempt log


@dataclass
class AttemptLog:
    """What one summarise call sent and received, attempt by attempt (set per call)."""

    calls: int = 0  # model calls made: the first request and each re-ask, answered or not
    usages: list[dict[str, int]] = field(default_factory=list)  # one per answered call
    raw_outputs: list[str | None] = field(default_factory=list)
    http_attempts: int = 0  # HTTP requests sent for those calls, transport retries included


_LOG: contextvars.ContextVar[AttemptLog | None] = contextvars.ContextVar(
    "diplosum_log", default=None
)


def current_log() -> contextvars.ContextVar[AttemptLog | None]:
    """The context variable the retrying create functions report into."""
    return _LOG


def raw_output(completion: Any) -> str | None:
    """The text the model produced: tool-call arguments or message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return str(calls[0].function.arguments)
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


_FENCE = re.compile(r"\A\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*\Z", re.S)


def _unfence(completion: Any) -> None:
    """Strip a Markdown code fence around a JSON answer (small models add them)."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return
    content = getattr(message, "content", None)
    if isinstance(content, str) and not getattr(message, "tool_calls", None):
        match = _FENCE.match(content)
        if match:
            message.content = match.group(1)


class EmptyCompletion(Exception):
    """The endpoint answered 200 with no choices: retried like a transport failure."""


def _record(completion: Any) -> None:
    if not getattr(completion, "choices", None):
        raise EmptyCompletion("the endpoint returned a completion with no choices")
    _unfence(completion)
    log = _LOG.get()
    if log is None:
        return
    usage = getattr(completion, "usage", None)
    log.usages.append(
        {
            "prompt_tokens": int(getattr(usage, "prompt_tokens", 0) or 0),
            "completion_tokens": int(getattr(usage, "completion_tokens", 0) or 0),
            "total_tokens": int(getattr(usage, "total_tokens", 0) or 0),
        }
    )
    log.raw_outputs.append(raw_output(completion))


def _retrying(policy: RetryPolicy) -> dict[str, Any]:
    from tenacity import retry_if_exception, stop_after_attempt, stop_after_delay

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return policy.wait(state.attempt_number, exc)

    def before(state: Any) -> None:
        log = _LOG.get()
        if log is not None:
            log.http_attempts += 1

    return {
        "stop": stop_after_attempt(policy.attempts) | stop_after_delay(policy.total_seconds),
        "wait": wait,
        "retry": retry_if_exception(is_retryable),
        "before": before,
        "reraise": True,
    }


def _count_call() -> None:
    log = _LOG.get()
    if log is not None:
        log.calls += 1


Prepare = Callable[[dict[str, Any]], dict[str, Any]]


def _unchanged(kwargs: dict[str, Any]) -> dict[str, Any]:
    return kwargs


def compact_schema(schema: dict[str, Any]) -> Prepare:
    """Rewrite instructor's pretty-printed copy of ``schema`` in the system message compactly.

    In the JSON modes instructor appends the schema to the system message as
    ``json.dumps(schema, indent=2)``: 1,311 Qwen tokens for :class:`~diplosum.schema.Extraction`,
    785 as compact JSON. Off by default (``Summariser(compact_schema=True)``): on the dev corpus
    the embedded 1.5B model read the compact schema much worse (``benchmarks/README.md``, item
    6). The text is found by exact match, so a request instructor formats differently goes out
    as is.
    """
    pretty = json.dumps(schema, indent=2, ensure_ascii=False)
    compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)

    def prepare(kwargs: dict[str, Any]) -> dict[str, Any]:
        messages = kwargs.get("messages") or []
        first = messages[0] if messages else None
        if not (isinstance(first, dict) and isinstance(first.get("content"), str)):
            return kwargs
        if first.get("role") != "system" or pretty not in first["content"]:
            return kwargs
        system = {**first, "content": first["content"].replace(pretty, compact)}
        return {**kwargs, "messages": [system, *messages[1:]]}

    return prepare


def retrying_create(
    create: Callable[..., Any], policy: RetryPolicy, prepare: Prepare = _unchanged
) -> Callable[..., Any]:
    """Wrap a sync ``chat.completions.create`` with the transport retry layer."""
    from tenacity import Retrying

    def _create(*args: Any, **kwargs: Any) -> Any:
        kwargs = prepare(kwargs)
        _count_call()
        for attempt in Retrying(**_retrying(policy)):
            with attempt:
                completion = create(*args, **kwargs)
                _record(completion)
        return completion

    return _create


def aretrying_create(
    create: Callable[..., Awaitable[Any]], policy: RetryPolicy, prepare: Prepare = _unchanged
) -> Callable[..., Awaitable[Any]]:
    """Wrap an async ``chat.completions.create`` with the transport retry layer."""
    from tenacity import AsyncRetrying

    async def _create(*args: Any, **kwargs: Any) -> Any:
        kwargs = prepare(kwargs)
        _count_call()
        async for attempt in AsyncRetrying(**_retrying(policy)):
            with attempt:
                completion = await create(*args, **kwargs)
                _record(completion)
        return completion

    return _create


def instructor_mode(mode: Mode) -> Any:
    """The instructor Mode for one of diplosum's modes."""
    import instructor

    return {
        "tools": instructor.Mode.TOOLS,
        "json_schema": instructor.Mode.JSON_SCHEMA,
        "json": instructor.Mode.JSON,
        "json_grammar": instructor.Mode.JSON,
    }[mode]


#: The modes in which instructor copies the schema into the system message.
SCHEMA_IN_PROMPT: frozenset[Mode] = frozenset({"json", "json_grammar"})


def build_instructor(
    openai_client: Any, mode: Mode, policy: RetryPolicy, compact: dict[str, Any] | None = None
) -> Any:
    """An instructor client over ``openai_client`` whose every request is transport-retried.

    With ``compact`` (the response model's JSON schema), the JSON modes send it compactly.
    """
    import instructor
    import openai

    imode = instructor_mode(mode)
    prepare = compact_schema(compact) if compact and mode in SCHEMA_IN_PROMPT else _unchanged
    raw_create = openai_client.chat.completions.create
    if isinstance(openai_client, openai.AsyncOpenAI):
        create = instructor.patch(create=aretrying_create(raw_create, policy, prepare), mode=imode)
        return instructor.AsyncInstructor(client=openai_client, create=create, mode=imode)
    create = instructor.patch(create=retrying_create(raw_create, policy, prepare), mode=imode)
    return instructor.Instructor(client=openai_client, create=create, mode=imode)


def make_openai_client(
    spec: ModelSpec,
    *,
    base_url: str | None,
    api_key: str | None,
    timeout: float,
    is_async: bool,
) -> Any:
    """A raw OpenAI SDK client for ``spec`` with the SDK's own retries off."""
    import openai

    key = api_key
    if spec.provider == "openai":
        key = key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigurationError(
                f"model {spec.label} needs an API key: set OPENAI_API_KEY or pass api_key=, "
                "or use the embedded model with model='local'"
            )
    else:
        key = key or os.environ.get("DIPLOSUM_API_KEY") or "not-needed"
    options: dict[str, Any] = {}
    if base_url and _is_loopback(base_url):
        # A local server: never route loopback traffic through HTTP(S)_PROXY.
        http = openai.DefaultAsyncHttpxClient if is_async else openai.DefaultHttpxClient
        options["http_client"] = http(trust_env=False, timeout=timeout)
    cls = openai.AsyncOpenAI if is_async else openai.OpenAI
    return cls(api_key=key, base_url=base_url, timeout=timeout, max_retries=0, **options)


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def timed() -> float:
    return time.perf_counter()
