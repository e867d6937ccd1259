"""``summarise_dataset``: a Ray Dataset of articles in, a Ray Dataset of output records out."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._summariser import Summariser
from ..errors import ConfigurationError
from ._udf import Columns, SummariseBatch

if TYPE_CHECKING:
    import ray.data

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "cache_spec",
    "map_articles",
    "resolve_options",
    "summarise_dataset",
]

#: Articles per batch an actor is handed: large next to the calls at once (the batch's last
#: calls leave the actor idle), small enough that a killed actor loses little.
DEFAULT_BATCH_SIZE = 128


def cache_spec(cache: Any) -> str | None:
    """What a cache option names, as a spec an actor opens on its own machine: an absolute
    path (SQLite; ``True``: the default cache, resolved here in the driver), a ``postgresql://``
    URL, or None (no cache). An opened cache gives its own spec."""
    from .._cache import default_cache_spec, is_postgres_url

    if cache is None or cache is False:
        return None
    if cache is True:
        cache = default_cache_spec()
    spec = getattr(cache, "spec", None)
    if not isinstance(spec, str):
        spec = str(os.fspath(cache))
    if is_postgres_url(spec):
        return spec
    return str(Path(spec).expanduser().resolve())


def resolve_options(model: str | None, options: dict[str, Any]) -> dict[str, Any]:
    """The summariser options with what the driver's environment decides made explicit (the
    model ``DIPLOSUM_MODEL`` or ``OPENAI_API_KEY`` chose, the key), so that every actor, on
    any machine, builds the same summariser; checked here first by building one (a
    :class:`~diplosum.errors.ConfigurationError` is raised before the cluster is used)."""
    for name in ("client", "async_client", "cache"):
        if name in options:
            raise ConfigurationError(
                f"diplosum.ray: {name}= cannot be sent to Ray actors"
                + (": pass cache= to summarise_dataset" if name == "cache" else "")
            )
    probe = Summariser(model, cache=None, **options)
    resolved = dict(options)
    if probe.spec.provider == "local":
        resolved["model"] = "local:" + (probe.spec.local or "")
    elif model is not None:
        resolved["model"] = model
    else:
        from ..providers import DEFAULT_OPENAI_MODEL

        resolved["model"] = os.environ.get("DIPLOSUM_MODEL") or f"openai/{DEFAULT_OPENAI_MODEL}"
    if resolved.get("api_key") is None and os.environ.get("OPENAI_API_KEY"):
        resolved["api_key"] = os.environ["OPENAI_API_KEY"]
    return resolved


def summarise_dataset(
    ds: ray.data.Dataset,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    published_column: str | None = None,
    headline_column: str | None = None,
    source_column: str | None = None,
    model: str | None = None,
    concurrency: int = 8,
    workers: int | tuple[int, int] | None = None,
    cache: Any = None,
    budget_usd: float | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    num_cpus: float | None = None,
    actor_setup: Callable[[], None] | None = None,
    **summariser_options: Any,
) -> ray.data.Dataset:
    """Summarise every row of ``ds`` on a Ray cluster; a (lazy) dataset of output records.

    Each row's ``text_column`` is an article (a ``date YYYY-MM-DD headline`` first line is read
    as in :func:`diplosum.summarise`); ``id_column``, ``published_column`` (a date or an ISO
    string), ``headline_column`` and ``source_column`` fill the record's ``id`` (default: the
    first 16 hex digits of the text's sha256) and the article's metadata. The rows returned
    have the fields of a JSON Lines output line (:func:`diplosum.ray.record_schema`; the
    nested ones as JSON text, :func:`diplosum.ray.to_record` reads a row back), one per input
    row, in no particular order; an article that fails is a record with ``status="error"``.

    ``map_batches`` with a class-based UDF: an actor pool of ``workers`` actors (an int, a
    ``(min, max)`` autoscaling range, or None: from one actor up to what the cluster holds),
    each needing ``num_cpus`` (default 1; 0.25 for a local model, whose node-wide llama.cpp
    server does the work), holding one :class:`~diplosum.Summariser` built from ``model`` and
    ``summariser_options`` and running each batch of ``batch_size`` rows with at most
    ``concurrency`` model calls at once. ``cache`` is opened inside each actor: a path (SQLite,
    safe for the processes of one machine), ``True`` (the default cache), a ``postgresql://``
    URL (shared by every machine, with the PostgreSQL backend), or None. A worker killed
    mid-batch is restarted and the batch retried by Ray (answers it had cached are not paid
    for again). ``budget_usd`` holds across all actors (see the README, "Scaling out").
    ``actor_setup`` runs once in each actor before its summariser is built (logging set-up).
    """
    options = resolve_options(model, summariser_options)
    local = str(options.get("model", "")).startswith("local")
    kwargs: dict[str, Any] = {
        "options": options,
        "cache": cache_spec(cache),
        "concurrency": max(1, concurrency),
        "budget_usd": budget_usd,
        "columns": Columns(
            text=text_column,
            id=id_column,
            published=published_column,
            headline=headline_column,
            source=source_column,
        ),
        "setup": actor_setup,
    }
    mapped: ray.data.Dataset = map_articles(
        ds, kwargs, workers=workers, batch_size=batch_size, num_cpus=num_cpus, local=local
    )
    return mapped


def map_articles(
    ds: Any,
    kwargs: dict[str, Any],
    *,
    workers: int | tuple[int, int] | None,
    batch_size: int,
    num_cpus: float | None,
    local: bool,
) -> Any:
    """``ds.map_batches`` with the actor pool (shared by :func:`summarise_dataset` and the
    CLI's engine); creates the run's spend ledger and, for a local model, one server host
    per node."""
    import ray.data

    from ._ledger import new_ledger
    from ._local import LOCAL_ACTOR_CPUS, node_hosts

    kwargs = dict(kwargs)
    if kwargs.get("budget_usd") is not None and kwargs.get("ledger") is None:
        kwargs["ledger"] = new_ledger()
    if local and kwargs.get("endpoint") is None:
        kwargs["endpoint"] = node_hosts(kwargs["options"]["model"])
    if num_cpus is None:
        num_cpus = LOCAL_ACTOR_CPUS if local else 1.0
    if isinstance(workers, tuple):
        compute = ray.data.ActorPoolStrategy(min_size=workers[0], max_size=workers[1])
    elif workers is not None:
        compute = ray.data.ActorPoolStrategy(size=max(1, workers))
    else:
        compute = ray.data.ActorPoolStrategy(min_size=1, max_size=None)
    return ds.map_batches(
        SummariseBatch,
        fn_constructor_kwargs=kwargs,
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=compute,
        num_cpus=num_cpus,
    )
