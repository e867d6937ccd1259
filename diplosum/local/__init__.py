"""The embedded local model: verified GGUF weights served by llama.cpp on loopback.

``resolve_weights`` (see :mod:`diplosum.local._weights`) turns ``qwen2.5-1.5b`` or a path into a
verified ``.gguf`` file; :class:`LocalServer` runs ``python -m llama_cpp.server`` on it as a
child process listening on 127.0.0.1 only, on a free port, and speaks the OpenAI API there, so
callers use the same client code as for any other provider (``base_url`` + any API key).

The parent process never imports ``llama_cpp``. No orphaned servers: the child gets its own
process group (Ctrl-C in a terminal reaches the parent only, which then stops it in order), on
Linux it is killed by the kernel if the parent dies (``PR_SET_PDEATHSIG``), and
:func:`shared_server` stops its servers at interpreter exit. Library code never installs a
signal handler: a program's own SIGTERM/SIGINT handler calls :func:`stop_shared_servers` (the
``diplosum`` command does, in ``diplosum.cli``).

llama.cpp's server answers one request at a time and the 1.5B default model takes about
:data:`SECONDS_PER_ARTICLE` (50 s) per article on two cores: callers should use concurrency 1
and request timeouts of minutes, not seconds.

Internal: reached through :mod:`diplosum.providers` (the endpoint of a local model) and the
CLI; ``_server`` (the child process), ``_spawn``, ``_shared``, ``_weights``.
"""

from __future__ import annotations

from ._server import (
    HOST,
    PORTABLE_CMAKE_ARGS,
    SECONDS_PER_ARTICLE,
    SERVER_INSTALL_COMMAND,
    CommandFactory,
    LocalServer,
    llama_server_available,
)
from ._shared import shared_server, shared_server_death, stop_shared_servers
from ._weights import (
    DEFAULT_LOCAL_MODEL,
    LOCAL_MODELS,
    LocalWeights,
    models_dir,
    resolve_weights,
    weights_sha256,
)

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "HOST",
    "LOCAL_MODELS",
    "PORTABLE_CMAKE_ARGS",
    "SECONDS_PER_ARTICLE",
    "SERVER_INSTALL_COMMAND",
    "CommandFactory",
    "LocalServer",
    "LocalWeights",
    "llama_server_available",
    "models_dir",
    "resolve_weights",
    "shared_server",
    "shared_server_death",
    "stop_shared_servers",
    "weights_sha256",
]
