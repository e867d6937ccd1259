"""The actor of the pool: one :class:`~diplosum.Summariser` per actor, each batch through
diplosum's async batch runner with bounded concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .._article import Article, parse_text
from .._batch import asummarise_many
from .._cache import CacheBackend
from .._cache import open_cache as _open_cache
from .._records import OutputRecord
from .._summariser import Summariser
from ..errors import ArticleError
from ._columns import from_records

__all__ = ["Columns", "SummariseBatch", "open_cache"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Columns:
    """Which input columns hold the article's text and what is known about it. ``parsed``:
    the text is an article body already (the CLI engine's rows: ids, sources and headers were
    read in the driver), so it is taken as is, not parsed for a ``date ...`` header line."""

    text: str = "text"
    id: str | None = None
    published: str | None = None
    headline: str | None = None
    source: str | None = None
    format: str | None = None
    parsed: bool = False


def open_cache(spec: str | None) -> CacheBackend | None:
    """The cache a spec names, opened in this process (:func:`diplosum._cache.open_cache`: a
    path is a SQLite file, a ``postgresql://`` URL a PostgreSQL database), or None."""
    return None if spec is None else _open_cache(spec)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ArticleError(f"impossible published date {value!r}", source=where) from None


class _SharedSpend:
    """The run's spend ledger (a Ray actor), as :class:`diplosum._batch.SharedSpend`."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger

    async def spent(self) -> float:
        return float(await self.ledger.spent.remote())

    async def add(self, usd: float) -> None:
        await self.ledger.add.remote(usd)


class SummariseBatch:
    """A class-based Ray Data UDF (``ds.map_batches(SummariseBatch, ...)``): each actor opens
    the cache from its spec, builds one summariser and runs every batch it is given through
    :func:`~diplosum.asummarise_many` with at most ``concurrency`` model calls at once.
    Errors are records. Returns Arrow tables of :func:`~diplosum.ray.record_schema`."""

    def __init__(
        self,
        *,
        options: dict[str, Any],
        cache: str | None = None,
        concurrency: int = 8,
        budget_usd: float | None = None,
        ledger: Any = None,
        rpm: float | None = None,
        tpm: float | None = None,
        columns: Columns | None = None,
        endpoint: Any = None,
        setup: Callable[[], None] | None = None,
    ) -> None:
        if setup is not None:
            setup()
        self.summariser = Summariser(cache=open_cache(cache), **options)
        if endpoint is not None:  # a local model: this node's shared llama.cpp server
            url = _node_endpoint(endpoint)
            if url is not None:
                _use_server(self.summariser, url)
        self.concurrency = concurrency
        self.budget_usd = budget_usd
        self.rpm, self.tpm = rpm, tpm
        self.spend = _SharedSpend(ledger) if ledger is not None else None
        self.columns = columns or Columns()
        self._loop = asyncio.new_event_loop()  # this actor's own; never made the current one

    def __call__(self, batch: Any) -> Any:
        items: list[Article | OutputRecord] = list(self._articles(batch))
        articles = [a for a in items if isinstance(a, Article)]
        records = [r for r in items if isinstance(r, OutputRecord)]
        records += self._loop.run_until_complete(self._run(articles))
        return from_records(records)

    async def _run(self, articles: list[Article]) -> list[OutputRecord]:
        return [
            item
            async for item in asummarise_many(
                articles,
                self.summariser,
                concurrency=self.concurrency,
                budget_usd=self.budget_usd,
                shared_spend=self.spend,
                rpm=self.rpm,
                tpm=self.tpm,
                check_cache=True,
            )
        ]

    def _articles(self, batch: Any) -> Iterator[Article | OutputRecord]:
        c = self.columns
        n = batch.num_rows

        def column(name: str | None) -> list[Any]:
            if name is None:
                return [None] * n
            if name not in batch.column_names:
                raise KeyError(f"diplosum.ray: the dataset has no column {name!r}")
            return list(batch.column(name).to_pylist())

        texts, ids = column(c.text), column(c.id)
        published, headlines = column(c.published), column(c.headline)
        sources, formats = column(c.source), column(c.format)
        for text, ident, pub, headline, source, fmt in zip(
            texts, ids, published, headlines, sources, formats, strict=True
        ):
            where = str(source or ident or "row")
            try:
                if not isinstance(text, str):
                    raise ArticleError(
                        f"the {c.text!r} column holds {type(text).__name__}, not text",
                        source=where,
                    )
                day = _date(pub, where)
                if c.parsed:
                    yield Article(
                        text,
                        id=str(ident),
                        source=source,
                        published=day,
                        headline=headline,
                        format=fmt or "text",
                    )
                else:
                    art = parse_text(
                        text,
                        id="?",
                        source=None if source is None else str(source),
                        published=day,
                        headline=None if headline is None else str(headline),
                    )
                    # No id column: the text's own hash, stable from run to run.
                    yield Article(
                        art.text,
                        id=str(ident) if ident is not None else art.sha256[:16],
                        source=art.source,
                        published=art.published,
                        headline=art.headline,
                        format=art.format,
                    )
            except ArticleError as exc:
                rec = OutputRecord.failure(exc, summariser=self.summariser, source=where)
                rec.id = str(ident) if ident is not None else rec.id
                yield rec

    def __del__(self) -> None:
        loop = getattr(self, "_loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()


def _use_server(summariser: Summariser, url: str) -> None:
    """Point a local-model summariser at a llama.cpp server already running at ``url``: the
    model, its identity (weights hash) and so its cache keys stay those of the local model."""
    summariser.spec = replace(summariser.spec, base_url=url)
    summariser._clients.spec = summariser.spec


def _node_endpoint(hosts: Any) -> str | None:
    """The base URL of this node's shared local-model server (see ``_local``)."""
    import ray

    from ._local import endpoint_for_node

    return endpoint_for_node(hosts, ray.get_runtime_context().get_node_id())
