"""One interface for the result cache, two stores: a SQLite file or a PostgreSQL database.

:class:`CacheBackend` is what the summariser, the batch and ``diplosum cache`` use;
:func:`open_cache` picks the store from a spec: a path is a SQLite file (:class:`Cache`), a
``postgresql://`` or ``postgres://`` URL a PostgreSQL database (``PostgresCache``, needs the
``postgresql`` extra). Both are lazy (nothing is opened until first use), thread-safe, and
pickle as their spec, so a copy in another process (or on another machine) opens its own
connection.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from ._keys import default_cache_spec, is_postgres_url
from ._sqlite import DEFAULT_TIMEOUT, BatchJobRow, Cache, CachedResult, CacheStats

__all__ = ["CacheBackend", "open_cache"]


@runtime_checkable
class CacheBackend(Protocol):
    """A result cache: content-addressed rows, ordered migrations, safe for many writers."""

    #: Seconds a call waits for another writer (or, for PostgreSQL, a connection).
    timeout: float

    @property
    def spec(self) -> str:
        """What :func:`open_cache` reopens this cache from (a URL may hold a password)."""
        ...

    @property
    def location(self) -> str:
        """Where the cache is, fit to show and log (a URL's password redacted)."""
        ...

    def get(self, key: str) -> CachedResult | None:
        """The stored result for ``key``, or None."""
        ...

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedResult]:
        """The stored results among ``keys``, by key; one snapshot."""
        ...

    def put(self, result: CachedResult) -> None:
        """Store ``result``, replacing any row with its key (an upsert)."""
        ...

    def check_writable(self) -> None:
        """Raise :class:`~diplosum.errors.CacheError` if an entry could not be written now."""
        ...

    def stats(self) -> CacheStats:
        """Entries, bytes used, entries per model, the time range."""
        ...

    def clear(self) -> int:
        """Delete every entry; return how many. The schema is kept."""
        ...

    def schema_version(self) -> int:
        """How many migrations have been applied (opening the cache if needed)."""
        ...

    def close(self) -> None:
        """Close the connection, if open; the next call reopens."""
        ...

    # The provider Batch API's state (migration m002_batch_jobs; see diplosum._batchapi).

    def put_batch_job(self, job: BatchJobRow) -> None:
        """Store ``job`` (insert, or update its state and file ids); its keys are added."""
        ...

    def batch_jobs(
        self, keys: Sequence[str] | None = None, *, exclude_states: Sequence[str] = ()
    ) -> list[BatchJobRow]:
        """The jobs (covering any of ``keys``, if given), oldest first, each with its keys."""
        ...

    def put_batch_answers(self, job_id: str, round: int, lines: Sequence[tuple[str, str]]) -> None:
        """Store the ``(key, line JSON)`` pairs a job's output and error files held."""
        ...

    def batch_answers(self, keys: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """The stored ``(round, line JSON)`` of each of ``keys`` that has any, by round."""
        ...

    def delete_batch_answers(self, key: str, *, from_round: int = 1) -> None:
        """Forget the stored answers of ``key`` from round ``from_round`` on."""
        ...

    def __enter__(self) -> CacheBackend: ...

    def __exit__(self, *exc_info: object) -> None: ...


def open_cache(
    spec: str | os.PathLike[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> CacheBackend:
    """The cache ``spec`` names: a ``postgresql://`` / ``postgres://`` URL is a PostgreSQL
    database, anything else a SQLite file; None is :func:`default_cache_spec` (the
    ``DIPLOSUM_CACHE`` variable, else the file in the user data folder). Opens nothing."""
    where: str | os.PathLike[str] = default_cache_spec() if spec is None else spec
    if isinstance(where, str) and is_postgres_url(where):
        from ._postgres import PostgresCache  # psycopg is imported on first use, not here

        return PostgresCache(where, timeout=timeout)
    return Cache(Path(where), timeout=timeout)
