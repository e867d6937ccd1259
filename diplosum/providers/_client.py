"""The instructor client over the OpenAI SDK: every request transport-retried, SDK retries off."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import ConfigurationError
from ..retry import RetryPolicy, transport_retrying
from ._attempts import _LOG, _count_call, _record
from ._spec import Mode, ModelSpec


def _count_http_attempt() -> None:
    log = _LOG.get()
    if log is not None:
        log.http_attempts += 1


def _retrying(policy: RetryPolicy) -> dict[str, Any]:
    return transport_retrying(policy, before=_count_http_attempt)


Prepare = Callable[[dict[str, Any]], dict[str, Any]]


def _unchanged(kwargs: dict[str, Any]) -> dict[str, Any]:
    return kwargs


def compact_schema(schema: dict[str, Any]) -> Prepare:
    """Rewrite instructor's pretty-printed copy of ``schema`` in the system message compactly.

    In the JSON modes instructor appends the schema to the system message as
    ``json.dumps(schema, indent=2)``: 1,311 Qwen tokens for :class:`~diplosum._schema.Extraction`,
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
    openai_client: Any,
    mode: Mode,
    policy: RetryPolicy,
    compact: dict[str, Any] | None = None,
    *,
    create: Callable[..., Any] | None = None,
) -> Any:
    """An instructor client over ``openai_client`` whose every request is transport-retried.

    With ``compact`` (the response model's JSON schema), the JSON modes send it compactly.
    ``create`` replaces the client's ``chat.completions.create`` (sync only): the Batch API
    replays answers through it, so that they are validated exactly as a direct answer is.
    """
    import instructor
    import openai

    imode = instructor_mode(mode)
    prepare = compact_schema(compact) if compact and mode in SCHEMA_IN_PROMPT else _unchanged
    if create is not None:
        wrapped = instructor.patch(create=retrying_create(create, policy, prepare), mode=imode)
        return instructor.Instructor(client=openai_client, create=wrapped, mode=imode)
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
