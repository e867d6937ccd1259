"""The persistent result cache: content-addressed keys, ordered migrations, two stores.

:func:`open_cache` opens a cache from a spec: a path is one SQLite file (:class:`Cache`, the
default, one machine), a ``postgresql://`` URL a PostgreSQL database that workers on many
machines share (``_postgres``, the ``postgresql`` extra). Both satisfy :class:`CacheBackend`.

A row holds one validated result: the published summary, run metadata, the model's last raw
output, token usage and latency, so the cache doubles as a log of what was sent and received.
Keys are content hashes (:func:`cache_key`) over everything that changes the answer; the
summariser decides what goes into them.

Design notes:

* stdlib :mod:`sqlite3` only, so a fully cached run imports almost nothing. Nothing is opened at
  import time or when a :class:`Cache` is constructed; the file is opened (and its parent folder
  created) on first use.
* WAL journal, ``synchronous=NORMAL`` and a busy timeout, so several diplosum processes can share
  one file. Every write is a short ``BEGIN IMMEDIATE`` transaction; ``SQLITE_BUSY`` that escapes
  the busy handler is retried with backoff until the timeout, then raised as :class:`CacheError`.
* Thread safety: a :class:`Cache` owns **one** connection, opened with
  ``check_same_thread=False`` and guarded by a lock, so the asyncio loop thread and worker
  threads may share one instance; calls are serialised (each one is short).
* The schema is built by :data:`MIGRATIONS`, applied in order inside ``BEGIN IMMEDIATE`` and
  recorded by name in ``_migrations``, so two processes opening a fresh file migrate it once.
  A file migrated by a newer diplosum is refused rather than misread.
* Every :class:`sqlite3.Error` surfaces as :class:`~diplosum.errors.CacheError` naming the path
  and the operation that failed.

Internal: ``_keys`` (hashes, the default path, URLs), ``_migrations`` (the SQLite schema),
``_sqlite`` (the SQLite store), ``_backend`` (the interface and :func:`open_cache`),
``_postgres`` (the PostgreSQL store; psycopg is imported on first use only).
"""

from __future__ import annotations

from ._backend import CacheBackend, open_cache
from ._keys import (
    CACHE_ENV,
    cache_key,
    canonical_json,
    default_cache_path,
    default_cache_spec,
    is_postgres_url,
    redact_url,
)
from ._migrations import MIGRATIONS, Migration
from ._sqlite import DEFAULT_TIMEOUT, BatchJobRow, Cache, CachedResult, CacheStats

__all__ = [
    "CACHE_ENV",
    "DEFAULT_TIMEOUT",
    "MIGRATIONS",
    "BatchJobRow",
    "Cache",
    "CacheBackend",
    "CacheStats",
    "CachedResult",
    "Migration",
    "cache_key",
    "canonical_json",
    "default_cache_path",
    "default_cache_spec",
    "is_postgres_url",
    "open_cache",
    "redact_url",
]
