"""Where a model specification's requests go, and what about the endpoint changes the answer.

A remote endpoint is its base URL. The embedded local model is an endpoint too: its server is
started on first use (:func:`diplosum.local.shared_server`), and its identity includes the
weights' sha256. This module is the only way the rest of diplosum reaches ``diplosum.local``
(an import-linter contract), and it imports it only for a local model.
"""

from __future__ import annotations

from typing import Any

from ._spec import ModelSpec

__all__ = [
    "LOCAL_CONTEXT",
    "endpoint_base_url",
    "endpoint_concurrency",
    "endpoint_death",
    "endpoint_identity",
]

#: Context window (tokens) the embedded server is started with: room for the prompt, the
#: article, the answer and two re-asks (see ``Summariser.max_input_tokens``).
LOCAL_CONTEXT = 8192


def endpoint_base_url(spec: ModelSpec) -> str | None:
    """The OpenAI-compatible base URL of ``spec``; for a local model, the running server's
    (started, and the weights joined and verified, if need be: this can take minutes), unless
    the spec names one already running (``diplosum.ray``: the node's shared server)."""
    if spec.provider == "local" and not spec.base_url:
        from ..local import shared_server

        return shared_server(spec.local or "", n_ctx=LOCAL_CONTEXT).base_url
    return spec.base_url


def endpoint_identity(spec: ModelSpec) -> dict[str, Any]:
    """Everything about the endpoint that changes the answer (part of every cache key)."""
    ident: dict[str, Any] = {"provider": spec.provider, "model": spec.model}
    if spec.provider == "local":
        from ..local import weights_sha256

        ident["weights"] = spec.local
        ident["weights_sha256"] = weights_sha256(spec.local or "")
    elif spec.base_url:
        ident["base_url"] = spec.base_url
    return ident


def endpoint_concurrency(spec: ModelSpec) -> int | None:
    """The most requests the endpoint can serve at once (1 for the local llama.cpp server)."""
    return 1 if spec.provider == "local" else None


def endpoint_death(spec: ModelSpec) -> str | None:
    """Why the endpoint is gone, if diplosum knows (the local server died, and how)."""
    if spec.provider != "local":
        return None
    from ..local import shared_server_death

    return shared_server_death(spec.local or "")
