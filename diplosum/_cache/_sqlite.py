"""The SQLite store: WAL mode, safe for several processes, migrated on first use."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from diplosum.errors import CacheError

from ._keys import default_cache_path
from ._migrations import _MIGRATIONS_TABLE, MIGRATIONS, _statements

_T = TypeVar("_T")

#: Seconds a call waits for another process's write lock before giving up.
DEFAULT_TIMEOUT = 30.0
#: Keys per ``SELECT ... IN (...)`` in :meth:`Cache.get_many` (well under SQLite's limit).
GET_MANY_CHUNK = 500

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_NOTADB = 26

_COLUMNS = (
    "key",
    "article_sha256",
    "model",
    "summary_json",
    "meta_json",
    "raw_output",
    "usage_json",
    "latency_s",
    "created_at",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM results"


@dataclass(frozen=True, slots=True)
class CachedResult:
    """One validated result as stored: JSON columns are kept as text and served as-is."""

    key: str
    article_sha256: str
    model: str
    summary_json: str
    meta_json: str
    raw_output: str | None
    usage_json: str
    latency_s: float
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class BatchJobRow:
    """One provider Batch API job as stored: a batch of one round over some cache keys.

    ``state`` is the provider's status (``validating``, ``in_progress``, ``completed``,
    ``failed``, ``expired``, ``cancelled``...) or diplosum's own (``submitting`` before the
    batch exists, ``collected`` once every answer was stored)."""

    job_id: str
    round: int
    endpoint: str
    state: str
    keys: tuple[str, ...] = ()
    batch_id: str | None = None
    input_file_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    detail: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What ``diplosum cache stats`` shows: rows, bytes on disk, rows per model, time range.

    ``path`` is the SQLite file, or for a PostgreSQL cache its URL with the password redacted.
    """

    path: Path | str
    entries: int
    size_bytes: int
    models: dict[str, int]
    oldest: str | None
    newest: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _is_not_a_database(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == _SQLITE_NOTADB or "not a database" in str(exc)


class Cache:
    """A SQLite-backed result cache at ``path`` (default :func:`default_cache_path`).

    Opened lazily on first use and closed by :meth:`close` (or ``with Cache(...) as cache``);
    a closed cache reopens on the next call. One instance may be shared between threads.
    ``timeout`` bounds how long a call waits for another process's lock.
    """

    path: Path

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.path = default_cache_path() if path is None else Path(path).expanduser()
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._schema_version = 0

    def __repr__(self) -> str:
        return f"Cache({str(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The connection and lock stay behind; a copy in another process opens its own.
        return (_rebuild_cache, (self.path, self.timeout))

    @property
    def spec(self) -> str:
        """What :func:`~diplosum._cache.open_cache` reopens this cache from: the file's path."""
        return str(self.path)

    @property
    def location(self) -> str:
        """Where the cache is, fit to show: the file's path."""
        return str(self.path)

    # ---- public API

    def get(self, key: str) -> CachedResult | None:
        """The stored result for ``key``, or None."""

        def op(conn: sqlite3.Connection) -> CachedResult | None:
            row = conn.execute(f"{_SELECT} WHERE key = ?", (key,)).fetchone()
            return None if row is None else _result(row)

        return self._run("read an entry", op)

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedResult]:
        """The stored results among ``keys``, by key (missing keys are absent); one snapshot."""
        unique = list(dict.fromkeys(keys))

        def op(conn: sqlite3.Connection) -> dict[str, CachedResult]:
            found: dict[str, CachedResult] = {}
            with _transaction(conn, "BEGIN"):
                for start in range(0, len(unique), GET_MANY_CHUNK):
                    chunk = unique[start : start + GET_MANY_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    for row in conn.execute(f"{_SELECT} WHERE key IN ({marks})", chunk):
                        result = _result(row)
                        found[result.key] = result
            return found

        if not unique:
            return {}
        return self._run("read entries", op)

    def put(self, result: CachedResult) -> None:
        """Store ``result`` (replacing any row with its key); ``created_at`` defaults to now."""
        values = (
            result.key,
            result.article_sha256,
            result.model,
            result.summary_json,
            result.meta_json,
            result.raw_output,
            result.usage_json,
            float(result.latency_s),
            result.created_at or _now(),
        )
        sql = (
            f"INSERT OR REPLACE INTO results ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))})"
        )

        def op(conn: sqlite3.Connection) -> None:
            with _transaction(conn, "BEGIN IMMEDIATE"):
                conn.execute(sql, values)

        self._run("write an entry", op)

    # ---- provider Batch API state (m002_batch_jobs)

    def put_batch_job(self, job: BatchJobRow) -> None:
        """Store ``job`` (insert, or update its state and file ids); its keys are added."""
        now = _now()
        values = (
            job.job_id, job.round, job.endpoint, job.state, job.batch_id, job.input_file_id,
            job.output_file_id, job.error_file_id, job.detail, job.created_at or now, now,
        )  # fmt: skip
        sql = (
            f"INSERT INTO batch_jobs ({', '.join(_JOB_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_JOB_COLUMNS))}) "
            "ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, "
            "batch_id = excluded.batch_id, input_file_id = excluded.input_file_id, "
            "output_file_id = excluded.output_file_id, error_file_id = excluded.error_file_id, "
            "detail = excluded.detail, updated_at = excluded.updated_at"
        )

        def op(conn: sqlite3.Connection) -> None:
            with _transaction(conn, "BEGIN IMMEDIATE"):
                conn.execute(sql, values)
                conn.executemany(
                    "INSERT OR IGNORE INTO batch_job_keys (job_id, key) VALUES (?, ?)",
                    [(job.job_id, key) for key in job.keys],
                )

        self._run("write a batch job", op)

    def batch_jobs(
        self, keys: Sequence[str] | None = None, *, exclude_states: Sequence[str] = ()
    ) -> list[BatchJobRow]:
        """The stored jobs (those covering any of ``keys``, if given), oldest first, leaving
        out those in ``exclude_states``; each with all its keys."""
        wanted = None if keys is None else list(dict.fromkeys(keys))

        def op(conn: sqlite3.Connection) -> list[BatchJobRow]:
            with _transaction(conn, "BEGIN"):
                ids: list[str] | None = None
                if wanted is not None:
                    found: set[str] = set()
                    for start in range(0, len(wanted), GET_MANY_CHUNK):
                        chunk = wanted[start : start + GET_MANY_CHUNK]
                        marks = ",".join("?" * len(chunk))
                        found.update(
                            job_id
                            for (job_id,) in conn.execute(
                                "SELECT DISTINCT job_id FROM batch_job_keys "
                                f"WHERE key IN ({marks})",
                                chunk,
                            )
                        )
                    ids = sorted(found)
                rows = conn.execute(
                    f"SELECT {', '.join(_JOB_COLUMNS)} FROM batch_jobs ORDER BY created_at, job_id"
                ).fetchall()
                jobs = []
                for row in rows:
                    if (ids is not None and row[0] not in ids) or row[3] in exclude_states:
                        continue
                    covered = conn.execute(
                        "SELECT key FROM batch_job_keys WHERE job_id = ? ORDER BY rowid", (row[0],)
                    ).fetchall()
                    jobs.append(_job(row, tuple(k for (k,) in covered)))
            return jobs

        return self._run("read batch jobs", op)

    def put_batch_answers(self, job_id: str, round: int, lines: Sequence[tuple[str, str]]) -> None:
        """Store the ``(key, line JSON)`` pairs a job's output and error files held."""
        now = _now()

        def op(conn: sqlite3.Connection) -> None:
            with _transaction(conn, "BEGIN IMMEDIATE"):
                conn.executemany(
                    "INSERT OR REPLACE INTO batch_answers (key, round, job_id, line_json, "
                    "created_at) VALUES (?, ?, ?, ?, ?)",
                    [(key, round, job_id, line, now) for key, line in lines],
                )

        self._run("write batch answers", op)

    def batch_answers(self, keys: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """The stored ``(round, line JSON)`` of each of ``keys`` that has any, by round."""
        unique = list(dict.fromkeys(keys))

        def op(conn: sqlite3.Connection) -> dict[str, list[tuple[int, str]]]:
            found: dict[str, list[tuple[int, str]]] = {}
            with _transaction(conn, "BEGIN"):
                for start in range(0, len(unique), GET_MANY_CHUNK):
                    chunk = unique[start : start + GET_MANY_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    for key, rnd, line in conn.execute(
                        f"SELECT key, round, line_json FROM batch_answers WHERE key IN ({marks}) "
                        "ORDER BY key, round",
                        chunk,
                    ):
                        found.setdefault(key, []).append((int(rnd), line))
            return found

        return self._run("read batch answers", op) if unique else {}

    def delete_batch_answers(self, key: str, *, from_round: int = 1) -> None:
        """Forget the stored answers of ``key`` from round ``from_round`` on."""

        def op(conn: sqlite3.Connection) -> None:
            with _transaction(conn, "BEGIN IMMEDIATE"):
                conn.execute(
                    "DELETE FROM batch_answers WHERE key = ? AND round >= ?", (key, from_round)
                )

        self._run("delete batch answers", op)

    def check_writable(self) -> None:
        """Raise :class:`CacheError` if an entry could not be written now (a read-only file,
        folder or file system), naming the file; writes nothing."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # A write statement that changes no row: SQLite still needs write access.
                conn.execute("DELETE FROM results WHERE 0")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

        try:
            self._run("write (checked before the first model call)", op)
        except CacheError as exc:
            raise CacheError(
                f"{exc}: the answers could not be kept, so every run would pay for them again; "
                "make the file writable, or use --cache with another file, or --no-cache",
                path=self.path,
                operation="check",
            ) from exc

    def stats(self) -> CacheStats:
        """Entries, bytes on disk (database + WAL + shared memory), entries per model, dates."""

        def op(conn: sqlite3.Connection) -> CacheStats:
            with _transaction(conn, "BEGIN"):
                entries, oldest, newest = conn.execute(
                    "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM results"
                ).fetchone()
                models = dict(
                    conn.execute(
                        "SELECT model, COUNT(*) FROM results GROUP BY model ORDER BY model"
                    ).fetchall()
                )
            return CacheStats(
                path=self.path,
                entries=int(entries),
                size_bytes=self._size_on_disk(),
                models={str(m): int(n) for m, n in models.items()},
                oldest=oldest,
                newest=newest,
            )

        return self._run("read statistics", op)

    def clear(self) -> int:
        """Delete every entry; return how many were deleted. The schema is kept."""

        def op(conn: sqlite3.Connection) -> int:
            with _transaction(conn, "BEGIN IMMEDIATE"):
                deleted = conn.execute("DELETE FROM results").rowcount
            return int(deleted)

        return self._run("clear entries", op)

    def schema_version(self) -> int:
        """How many migrations have been applied to the file (opening it if needed)."""
        with self._lock:
            self._connection()
            return self._schema_version

    def close(self) -> None:
        """Close the connection, if open. Safe to call twice; the next call reopens."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise self._error("close", exc) from exc

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- internals

    def _run(self, what: str, op: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``op`` under the lock; retry while busy until the timeout; wrap sqlite errors."""
        with self._lock:
            return self._retry(what, lambda: op(self._connection()))

    def _retry(self, what: str, call: Callable[[], _T]) -> _T:
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                return call()
            except sqlite3.Error as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise self._error(what, exc) from exc
            time.sleep(min(delay * (0.5 + random.random()), max(deadline - time.monotonic(), 0)))
            delay = min(delay * 2, 0.5)

    def _error(self, what: str, exc: sqlite3.Error) -> CacheError:
        if _is_not_a_database(exc):
            message = (
                f"cache {self.path} is not a SQLite database ({exc}); "
                "point --cache / DIPLOSUM_CACHE at another file or remove this one"
            )
        elif _is_busy(exc):
            message = (
                f"cache {self.path}: could not {what}: still locked by another process "
                f"after {self.timeout:g} s ({exc})"
            )
        else:
            message = f"cache {self.path}: could not {what}: {exc}"
        return CacheError(message, path=self.path, operation=what)

    def _connection(self) -> sqlite3.Connection:
        """The open connection, opening and migrating the file on first use (lock held)."""
        if self._conn is not None:
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(
                f"cache {self.path}: could not create folder {self.path.parent}: {exc}",
                path=self.path,
                operation="create folder",
            ) from exc
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,  # autocommit; transactions are explicit below
                check_same_thread=False,  # shared between threads, guarded by self._lock
            )
        except sqlite3.Error as exc:
            raise self._error("open", exc) from exc
        try:
            self._retry("configure", lambda: _configure(conn, self.timeout))
            self._schema_version = self._retry("migrate", lambda: self._migrate(conn))
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> int:
        """Apply pending :data:`MIGRATIONS`; return the number applied in total."""
        migrations = list(MIGRATIONS)  # read at call time (tests extend it)
        known = [name for name, _ in migrations]
        applied = _applied(conn)
        if applied is not None:
            self._check_known(applied, known)
            if len(applied) == len(known):
                return len(applied)  # up to date: no write lock needed
        with _transaction(conn, "BEGIN IMMEDIATE"):
            conn.execute(_MIGRATIONS_TABLE)
            done = set(_applied(conn) or [])
            self._check_known(list(done), known)
            for name, step in migrations:
                if name in done:
                    continue
                try:
                    if callable(step):
                        step(conn)
                    else:
                        for statement in _statements(step):
                            conn.execute(statement)
                except sqlite3.Error as exc:
                    if _is_busy(exc):
                        raise
                    raise self._error(f"apply migration {name}", exc) from exc
                except Exception as exc:
                    raise CacheError(
                        f"cache {self.path}: could not apply migration {name}: {exc}",
                        path=self.path,
                        operation=f"apply migration {name}",
                    ) from exc
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, _now())
                )
            return len(known)

    def _check_known(self, applied: list[str], known: list[str]) -> None:
        unknown = sorted(set(applied) - set(known))
        if unknown or len(applied) > len(known):
            raise CacheError(
                f"cache {self.path} was written by a newer diplosum (schema version "
                f"{len(applied)}, this version knows {len(known)}; unknown migrations: "
                f"{', '.join(unknown)}); upgrade diplosum or use another --cache file",
                path=self.path,
                operation="migrate",
            )

    def _size_on_disk(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                total += os.stat(f"{self.path}{suffix}").st_size
        return total


def _rebuild_cache(path: Path, timeout: float) -> Cache:
    return Cache(path, timeout=timeout)


def _configure(conn: sqlite3.Connection, timeout: float) -> None:
    # busy_timeout is also set by connect(timeout=...); stated here so it is explicit.
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = NORMAL")


def _applied(conn: sqlite3.Connection) -> list[str] | None:
    """Names in ``_migrations`` in the order applied, or None if the table does not exist."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if exists is None:
        return None
    return [name for (name,) in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


@contextmanager
def _transaction(conn: sqlite3.Connection, begin: str) -> Iterator[None]:
    """``begin`` ... COMMIT, or ROLLBACK if the body raises."""
    conn.execute(begin)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):  # the original error is the one worth reporting
                conn.execute("ROLLBACK")
        raise


_JOB_COLUMNS = (
    "job_id",
    "round",
    "endpoint",
    "state",
    "batch_id",
    "input_file_id",
    "output_file_id",
    "error_file_id",
    "detail",
    "created_at",
    "updated_at",
)


def _job(row: tuple[Any, ...], keys: tuple[str, ...]) -> BatchJobRow:
    (job_id, rnd, endpoint, state, batch_id, input_id, output_id, error_id, detail, c, u) = row
    return BatchJobRow(
        job_id=job_id,
        round=int(rnd),
        endpoint=endpoint,
        state=state,
        keys=keys,
        batch_id=batch_id,
        input_file_id=input_id,
        output_file_id=output_id,
        error_file_id=error_id,
        detail=detail,
        created_at=c,
        updated_at=u,
    )


def _result(row: tuple[Any, ...]) -> CachedResult:
    (key, sha, model, summary, meta, raw, usage, latency, created) = row
    return CachedResult(
        key=key,
        article_sha256=sha,
        model=model,
        summary_json=summary,
        meta_json=meta,
        raw_output=raw,
        usage_json=usage,
        latency_s=float(latency),
        created_at=created,
    )
