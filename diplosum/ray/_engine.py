"""``diplosum summarise --engine ray``: files read in the driver, summarised on the cluster.

The driver reads the inputs exactly as the default engine does (folders walked lazily, ids
made unique, files read once, the run's own output excluded), skips what a resumed output
already holds, and hands the articles to the actor pool in windows of ``window`` articles
(one Ray dataset each, blocks of one batch). Records come back as the blocks finish and are
deduplicated by article key ``(id, article_sha256)``: an article whose batch Ray ran twice
(a worker killed after its block was handed on, a lost block rebuilt) is yielded once.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Container, Iterable, Iterator
from typing import Any

from .._batch import Input, _articles
from .._inputs import _Run
from .._records import OutputRecord
from .._summariser import Summariser
from ..errors import ArticleError, ConfigurationError, DiplosumError
from ._columns import to_record
from ._dataset import DEFAULT_BATCH_SIZE, cache_spec, map_articles, resolve_options
from ._udf import Columns

__all__ = ["DEFAULT_WINDOW", "summarise_paths"]

#: Articles per Ray dataset: the driver holds one window's texts at a time.
DEFAULT_WINDOW = 50_000

_COLUMNS = Columns(
    text="text",
    id="id",
    published="published",
    headline="headline",
    source="source",
    format="format",
    parsed=True,
)


def summarise_paths(
    items: Iterable[Input],
    summariser: Summariser,
    options: dict[str, Any],
    *,
    cache: Any = None,
    concurrency: int = 8,
    workers: int | None = None,
    budget_usd: float | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    skip: Container[tuple[str, str]] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
    window: int = DEFAULT_WINDOW,
    num_cpus: float | None = None,
) -> Iterator[OutputRecord]:
    """Summarise ``items`` (as :func:`~diplosum.summarise_many` takes them) on the connected
    Ray cluster, yielding each article's record once, as batches finish.

    ``summariser`` is the driver's own (it labels the records of inputs that cannot be read);
    the actors build theirs from ``options`` (:class:`~diplosum.Summariser` keyword arguments,
    ``model`` included) and open ``cache`` themselves. ``concurrency`` is the model calls at once
    in each of the ``workers`` actors; ``budget_usd`` holds across all of them; ``rpm`` and
    ``tpm`` are each actor's own limits.
    """
    import ray.data

    from ._ledger import new_ledger
    from ._local import node_hosts

    model = options.get("model")
    resolved = resolve_options(model, {k: v for k, v in options.items() if k != "model"})
    _check_same(resolved, summariser)
    local = str(resolved["model"]).startswith("local")
    kwargs: dict[str, Any] = {
        "options": resolved,
        "cache": cache_spec(cache),
        "concurrency": max(1, concurrency),
        "budget_usd": budget_usd,
        "rpm": rpm,
        "tpm": tpm,
        "columns": _COLUMNS,
        "ledger": new_ledger() if budget_usd is not None else None,
        "endpoint": node_hosts(resolved["model"]) if local else None,
    }
    if summariser.cache is not None:  # a read-only cache: stop before the cluster is used
        summariser.cache.check_writable()
    seen: set[tuple[str, str | None]] = set()

    def run(rows: list[dict[str, Any]]) -> Iterator[OutputRecord]:
        blocks = max(1, math.ceil(len(rows) / batch_size))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        out = map_articles(
            ds, kwargs, workers=workers, batch_size=batch_size, num_cpus=num_cpus, local=local
        )
        try:
            for batch in out.iter_batches(batch_format="pyarrow", batch_size=None):
                for row in batch.to_pylist():
                    record = to_record(row)
                    key = (record.id, record.article_sha256)
                    if key not in seen:
                        seen.add(key)
                        yield record
        except Exception as exc:
            cause = _diplosum_error(exc)
            if cause is not None:
                raise cause from None
            raise

    run_state = _Run(exclude)
    rows: list[dict[str, Any]] = []
    for art in _articles(items, run_state):
        if isinstance(art, ArticleError):
            item = OutputRecord.failure(art, summariser=summariser, source=art.source)
            item.id = run_state.unique_id(item.id, art.source or item.id)
            yield item
            continue
        if skip is not None and (art.id, art.sha256) in skip:
            continue
        rows.append(
            {
                "text": art.text,
                "id": art.id,
                "source": art.source,
                "published": art.published.isoformat() if art.published else None,
                "headline": art.headline,
                "format": art.format,
            }
        )
        if len(rows) >= window:
            yield from run(rows)
            rows = []
    if rows:
        yield from run(rows)


def _key_parts(s: Summariser) -> tuple[Any, ...]:
    return (s.spec.label, s.params(), s.prompt.hash, s.shape.format)


def _check_same(options: dict[str, Any], summariser: Summariser) -> None:
    """The actors' summariser (built from ``options``) must key its answers as the driver's
    does: the same model, parameters, prompt and shape, so both engines share one cache."""
    actors = Summariser(cache=None, **options)
    if _key_parts(actors) != _key_parts(summariser):
        raise ConfigurationError(
            "diplosum.ray: the actors' summariser options differ from the driver's summariser"
        )


def _diplosum_error(exc: BaseException) -> DiplosumError | None:
    """The diplosum error (a configuration problem an actor found) inside a Ray error."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, DiplosumError) and type(e).__module__.startswith("diplosum"):
            return e  # not Ray's copy of its class (RayTaskError(ConfigurationError))
        todo += [getattr(e, "cause", None), e.__cause__, e.__context__]
    # Ray may keep only the text of the worker's exception chain: rebuild the error from it.
    found = re.search(r"diplosum\.errors\.(\w+): (.+)", str(exc))
    if found is not None:
        from .. import errors

        kind = getattr(errors, found[1], None)
        if isinstance(kind, type) and issubclass(kind, DiplosumError):
            return kind(found[2].strip())
    return None
