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

Internal: ``_spec`` resolves a model specification, ``_client`` builds the instructor client
(transport retries from :mod:`diplosum.retry`), ``_attempts`` collects what each call sent and
received. The local model is an endpoint like any other: ``diplosum.local`` is reached through
this package alone.
"""

from __future__ import annotations

from ._attempts import AttemptLog, current_log, raw_output
from ._client import (
    SCHEMA_IN_PROMPT,
    build_instructor,
    compact_schema,
    instructor_mode,
    make_openai_client,
)
from ._clients import Clients
from ._endpoint import (
    LOCAL_CONTEXT,
    endpoint_base_url,
    endpoint_concurrency,
    endpoint_death,
    endpoint_identity,
)
from ._errors import provider_cause, unreachable
from ._spec import DEFAULT_OPENAI_MODEL, OLLAMA_URL, Mode, ModelSpec, parse_model

__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "LOCAL_CONTEXT",
    "OLLAMA_URL",
    "SCHEMA_IN_PROMPT",
    "AttemptLog",
    "Clients",
    "Mode",
    "ModelSpec",
    "build_instructor",
    "compact_schema",
    "current_log",
    "endpoint_base_url",
    "endpoint_concurrency",
    "endpoint_death",
    "endpoint_identity",
    "instructor_mode",
    "make_openai_client",
    "parse_model",
    "provider_cause",
    "raw_output",
    "unreachable",
]
