"""The PostgreSQL store: one database that workers on many machines share (psycopg 3).

Same rows and keys as the SQLite store (:class:`~diplosum._cache.Cache`), for a cache that
several machines write at once:

* psycopg is imported on first use, never by ``import diplosum`` (the ``postgresql`` extra,
  ``pip install "diplosum[postgresql]"``). Nothing is opened at construction; a
  :class:`PostgresCache` owns **one** connection, opened on the first call, in autocommit
  mode with explicit transactions, guarded by a lock so threads may share one instance.
* Writes are single ``INSERT ... ON CONFLICT (key) DO UPDATE`` statements (upserts): any
  number of concurrent writers, the last write of a key wins, no lost rows.
* The schema is built by :data:`PG_MIGRATIONS` (the same names, in the same order, as the
  SQLite :data:`~diplosum._cache.MIGRATIONS`), applied inside one transaction that first takes
  ``pg_advisory_xact_lock``, and recorded by name in ``_migrations``: concurrent first opens
  migrate once. A database migrated by a newer diplosum is refused rather than misread.
  Tables live in the connection's current schema (``?options=-csearch_path%3Dname`` in the URL
  selects another one).
* Every :class:`psycopg.Error` surfaces as :class:`~diplosum.errors.CacheError` naming the URL
  with its password redacted. Serialisation failures and deadlocks are retried with backoff
  until the timeout; a connection the server dropped is reopened once.
* A copy pickles as its URL (and timeout) and opens its own connection where it lands.
"""

from __future__ import annotations

import importlib.util
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from diplosum.errors import CacheError, ConfigurationError

from ._keys import redact_url
from ._sqlite import DEFAULT_TIMEOUT, BatchJobRow, CachedResult, CacheStats

if TYPE_CHECKING:
    import psycopg

__all__ = ["PG_MIGRATIONS", "PgMigration", "PostgresCache"]

_T = TypeVar("_T")

#: A named schema step: SQL text (one or more statements) or a callable given the connection.
#: It runs inside the migration transaction; it must not commit.
PgMigration: TypeAlias = "tuple[str, str | Callable[[psycopg.Connection[Any]], None]]"

#: Applied in order, each once, recorded by name in ``_migrations``. Append only, and keep the
#: names and order of the SQLite :data:`~diplosum._cache.MIGRATIONS` (tests check both).
#: Text columns compared or sorted use the "C" collation: bytewise, as SQLite compares.
PG_MIGRATIONS: list[PgMigration] = [
    (
        "m001_results",
        """
        CREATE TABLE results (
            key TEXT COLLATE "C" PRIMARY KEY,
            article_sha256 TEXT NOT NULL,
            model TEXT COLLATE "C" NOT NULL,
            summary_json TEXT NOT NULL,
            meta_json TEXT NOT NULL,
            raw_output TEXT,
            usage_json TEXT NOT NULL,
            latency_s DOUBLE PRECISION NOT NULL,
            created_at TEXT COLLATE "C" NOT NULL
        );
        CREATE INDEX idx_results_article_sha256 ON results (article_sha256);
        CREATE INDEX idx_results_created_at ON results (created_at);
        """,
    ),
    (
        # The provider Batch API's state: as the SQLite m002_batch_jobs.
        "m002_batch_jobs",
        """
        CREATE TABLE batch_jobs (
            job_id TEXT COLLATE "C" PRIMARY KEY,
            round INTEGER NOT NULL,
            endpoint TEXT NOT NULL,
            state TEXT NOT NULL,
            batch_id TEXT,
            input_file_id TEXT,
            output_file_id TEXT,
            error_file_id TEXT,
            detail TEXT,
            created_at TEXT COLLATE "C" NOT NULL,
            updated_at TEXT COLLATE "C" NOT NULL
        );
        CREATE TABLE batch_job_keys (
            job_id TEXT COLLATE "C" NOT NULL REFERENCES batch_jobs (job_id),
            key TEXT COLLATE "C" NOT NULL,
            position BIGSERIAL,
            PRIMARY KEY (job_id, key)
        );
        CREATE INDEX idx_batch_job_keys_key ON batch_job_keys (key);
        CREATE TABLE batch_answers (
            key TEXT COLLATE "C" NOT NULL,
            round INTEGER NOT NULL,
            job_id TEXT COLLATE "C" NOT NULL,
            line_json TEXT NOT NULL,
            created_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (key, round)
        );
        """,
    ),
]

_MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations ("
    'name TEXT COLLATE "C" PRIMARY KEY, applied_at TEXT NOT NULL, position INTEGER NOT NULL)'
)
#: Serialises migrations per schema: two keys, a constant and the schema's hash.
_MIGRATION_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtext('diplosum.cache.migrate'), "
    "hashtext(COALESCE(current_schema(), '')))"
)

#: Keys per ``SELECT ... WHERE key = ANY(...)`` in :meth:`PostgresCache.get_many`.
GET_MANY_CHUNK = 1000

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
_UPSERT = (
    f"INSERT INTO results ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
    "ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "key")
)
#: A key no summary can have (cache_key gives "blake2b:..."), written and rolled back.
_PROBE_KEY = "diplosum:check-writable"

# SQLSTATEs worth another try: serialization_failure, deadlock_detected.
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class PostgresCache:
    """A PostgreSQL-backed result cache at ``url`` (``postgresql://user:pw@host:port/db``).

    Opened lazily on first use and closed by :meth:`close` (or ``with``); a closed cache
    reopens on the next call. One instance may be shared between threads. ``timeout`` bounds
    connecting and waiting for another writer's lock.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if importlib.util.find_spec("psycopg") is None:
            raise ConfigurationError(
                f"cache {redact_url(url)}: a postgresql:// cache needs psycopg: "
                'pip install "diplosum[postgresql]"'
            )
        self._url = url
        self.timeout = timeout
        self._location = redact_url(url)
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.RLock()
        self._schema_version = 0

    def __repr__(self) -> str:
        return f"PostgresCache({self._location!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The connection and lock stay behind; a copy in another process opens its own.
        return (_rebuild_cache, (self._url, self.timeout))

    @property
    def spec(self) -> str:
        """What :func:`~diplosum._cache.open_cache` reopens this cache from: the URL, password
        included (show :attr:`location` instead)."""
        return self._url

    @property
    def location(self) -> str:
        """The URL with its password redacted."""
        return self._location

    # ---- public API

    def get(self, key: str) -> CachedResult | None:
        """The stored result for ``key``, or None."""

        def op(conn: psycopg.Connection[Any]) -> CachedResult | None:
            row = conn.execute(f"{_SELECT} WHERE key = %s", (key,)).fetchone()
            return None if row is None else _result(row)

        return self._run("read an entry", op)

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedResult]:
        """The stored results among ``keys``, by key (missing keys are absent); one snapshot."""
        unique = list(dict.fromkeys(keys))

        def op(conn: psycopg.Connection[Any]) -> dict[str, CachedResult]:
            found: dict[str, CachedResult] = {}
            with conn.transaction():
                if len(unique) > GET_MANY_CHUNK:  # several statements: one snapshot for all
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                for start in range(0, len(unique), GET_MANY_CHUNK):
                    chunk = unique[start : start + GET_MANY_CHUNK]
                    for row in conn.execute(f"{_SELECT} WHERE key = ANY(%s)", (chunk,)):
                        result = _result(row)
                        found[result.key] = result
            return found

        if not unique:
            return {}
        return self._run("read entries", op)

    def put(self, result: CachedResult) -> None:
        """Store ``result`` (replacing any row with its key); ``created_at`` defaults to now."""
        values = _values(result)

        def op(conn: psycopg.Connection[Any]) -> None:
            conn.execute(_UPSERT, values)  # one statement: its own transaction (autocommit)

        self._run("write an entry", op)

    def check_writable(self) -> None:
        """Raise :class:`CacheError` if an entry could not be written now (no INSERT or UPDATE
        privilege, a read-only server or transaction), naming the URL; writes nothing."""
        probe = _values(CachedResult(_PROBE_KEY, "", "", "{}", "{}", None, "[]", 0.0, _now()))

        def op(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction(force_rollback=True):
                conn.execute(_UPSERT, probe)

        try:
            self._run("write (checked before the first model call)", op)
        except CacheError as exc:
            raise CacheError(
                f"{exc}: the answers could not be kept, so every run would pay for them again; "
                "grant INSERT and UPDATE on the cache's tables, or use --cache with another "
                "database or file, or --no-cache",
                path=self._location,
                operation="check",
            ) from exc

    def stats(self) -> CacheStats:
        """Entries, bytes used (``pg_total_relation_size`` of the tables, indexes included),
        entries per model, dates."""

        def op(conn: psycopg.Connection[Any]) -> CacheStats:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                row = conn.execute(
                    "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM results"
                ).fetchone()
                assert row is not None
                entries, oldest, newest = row
                models = conn.execute(
                    "SELECT model, COUNT(*) FROM results GROUP BY model ORDER BY model"
                ).fetchall()
                size = conn.execute(
                    "SELECT COALESCE(pg_total_relation_size(to_regclass('results')), 0)"
                    " + COALESCE(pg_total_relation_size(to_regclass('_migrations')), 0)"
                ).fetchone()
            return CacheStats(
                path=self._location,
                entries=int(entries),
                size_bytes=int(size[0]) if size is not None else 0,
                models={str(m): int(n) for m, n in models},
                oldest=oldest,
                newest=newest,
            )

        return self._run("read statistics", op)

    def clear(self) -> int:
        """Delete every entry; return how many were deleted. The schema is kept."""

        def op(conn: psycopg.Connection[Any]) -> int:
            return int(conn.execute("DELETE FROM results").rowcount)

        return self._run("clear entries", op)

    # ---- provider Batch API state (m002_batch_jobs; the same shape as the SQLite store)

    def put_batch_job(self, job: BatchJobRow) -> None:
        """Store ``job`` (insert, or update its state and file ids); its keys are added."""
        now = _now()
        values = (
            job.job_id, job.round, job.endpoint, job.state, job.batch_id, job.input_file_id,
            job.output_file_id, job.error_file_id, job.detail, job.created_at or now, now,
        )  # fmt: skip
        sql = (
            f"INSERT INTO batch_jobs ({', '.join(_JOB_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_JOB_COLUMNS))}) "
            "ON CONFLICT (job_id) DO UPDATE SET state = EXCLUDED.state, "
            "batch_id = EXCLUDED.batch_id, input_file_id = EXCLUDED.input_file_id, "
            "output_file_id = EXCLUDED.output_file_id, error_file_id = EXCLUDED.error_file_id, "
            "detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at"
        )

        def op(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                conn.execute(sql, values)
                if job.keys:
                    conn.cursor().executemany(
                        "INSERT INTO batch_job_keys (job_id, key) VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING",
                        [(job.job_id, key) for key in job.keys],
                    )

        self._run("write a batch job", op)

    def batch_jobs(
        self, keys: Sequence[str] | None = None, *, exclude_states: Sequence[str] = ()
    ) -> list[BatchJobRow]:
        """The stored jobs (those covering any of ``keys``, if given), oldest first, leaving
        out those in ``exclude_states``; each with all its keys."""
        wanted = None if keys is None else list(dict.fromkeys(keys))

        def op(conn: psycopg.Connection[Any]) -> list[BatchJobRow]:
            with conn.transaction():
                ids: set[str] | None = None
                if wanted is not None:
                    ids = set()
                    for start in range(0, len(wanted), GET_MANY_CHUNK):
                        chunk = wanted[start : start + GET_MANY_CHUNK]
                        ids.update(
                            str(job_id)
                            for (job_id,) in conn.execute(
                                "SELECT DISTINCT job_id FROM batch_job_keys WHERE key = ANY(%s)",
                                (chunk,),
                            )
                        )
                rows = conn.execute(
                    f"SELECT {', '.join(_JOB_COLUMNS)} FROM batch_jobs ORDER BY created_at, job_id"
                ).fetchall()
                jobs = []
                for row in rows:
                    if (ids is not None and row[0] not in ids) or row[3] in exclude_states:
                        continue
                    covered = conn.execute(
                        "SELECT key FROM batch_job_keys WHERE job_id = %s ORDER BY position",
                        (row[0],),
                    ).fetchall()
                    jobs.append(_job(row, tuple(str(k) for (k,) in covered)))
            return jobs

        return self._run("read batch jobs", op)

    def put_batch_answers(self, job_id: str, round: int, lines: Sequence[tuple[str, str]]) -> None:
        """Store the ``(key, line JSON)`` pairs a job's output and error files held."""
        now = _now()

        def op(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                conn.cursor().executemany(
                    "INSERT INTO batch_answers (key, round, job_id, line_json, created_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key, round) DO UPDATE SET "
                    "job_id = EXCLUDED.job_id, line_json = EXCLUDED.line_json, "
                    "created_at = EXCLUDED.created_at",
                    [(key, round, job_id, line, now) for key, line in lines],
                )

        if lines:
            self._run("write batch answers", op)

    def batch_answers(self, keys: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """The stored ``(round, line JSON)`` of each of ``keys`` that has any, by round."""
        unique = list(dict.fromkeys(keys))

        def op(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[int, str]]]:
            found: dict[str, list[tuple[int, str]]] = {}
            with conn.transaction():
                for start in range(0, len(unique), GET_MANY_CHUNK):
                    chunk = unique[start : start + GET_MANY_CHUNK]
                    for key, rnd, line in conn.execute(
                        "SELECT key, round, line_json FROM batch_answers WHERE key = ANY(%s) "
                        "ORDER BY key, round",
                        (chunk,),
                    ):
                        found.setdefault(str(key), []).append((int(rnd), str(line)))
            return found

        return self._run("read batch answers", op) if unique else {}

    def delete_batch_answers(self, key: str, *, from_round: int = 1) -> None:
        """Forget the stored answers of ``key`` from round ``from_round`` on."""

        def op(conn: psycopg.Connection[Any]) -> None:
            conn.execute(
                "DELETE FROM batch_answers WHERE key = %s AND round >= %s", (key, from_round)
            )

        self._run("delete batch answers", op)

    def schema_version(self) -> int:
        """How many migrations have been applied to the database (connecting if needed)."""
        with self._lock:
            self._run("migrate", lambda conn: None)
            return self._schema_version

    def close(self) -> None:
        """Close the connection, if open. Safe to call twice; the next call reopens."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                import psycopg as pg

                try:
                    conn.close()
                except pg.Error as exc:
                    raise self._error("close", exc) from exc

    def __enter__(self) -> PostgresCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- internals

    def _run(self, what: str, op: Callable[[psycopg.Connection[Any]], _T]) -> _T:
        """Run ``op`` on the connection under the lock; retry serialisation failures and
        deadlocks with backoff until the timeout, reopen a dropped connection once; wrap
        psycopg errors in :class:`CacheError`."""
        import psycopg as pg  # on first use only: never imported by `import diplosum`

        deadline = time.monotonic() + self.timeout
        delay = 0.005
        reopened = False
        with self._lock:
            while True:
                was_open = self._conn is not None
                try:
                    return op(self._connection())
                except pg.Error as exc:
                    conn = self._conn
                    dropped = conn is not None and (conn.broken or conn.closed)
                    if dropped:
                        self._conn = None
                    if dropped and was_open and not reopened:
                        reopened = True  # the server went away between calls: once more
                        continue
                    retry = getattr(exc, "sqlstate", None) in _RETRY_SQLSTATES
                    if not retry or time.monotonic() >= deadline:
                        raise self._error(what, exc) from exc
                remaining = max(deadline - time.monotonic(), 0)
                time.sleep(min(delay * (0.5 + random.random()), remaining))
                delay = min(delay * 2, 0.5)

    def _error(self, what: str, exc: BaseException) -> CacheError:
        detail = self._scrub(str(exc).strip())
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate == "55P03":  # lock_not_available: lock_timeout reached
            message = (
                f"cache {self._location}: could not {what}: still locked by another writer "
                f"after {self.timeout:g} s ({detail})"
            )
        else:
            message = f"cache {self._location}: could not {what}: {detail}"
        return CacheError(message, path=self._location, operation=what)

    def _scrub(self, text: str) -> str:
        """``text`` without the URL's password (should the driver ever echo the URL)."""
        text = text.replace(self._url, self._location)
        password = _password(self._url)
        if password and len(password) >= 3:
            text = text.replace(password, "***")
        return text

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection, connecting and migrating on first use (lock held)."""
        if self._conn is not None:
            return self._conn
        import psycopg as pg  # on first use only: never imported by `import diplosum`

        try:
            conn = pg.connect(
                self._url,
                autocommit=True,  # transactions are explicit below
                connect_timeout=max(1, round(self.timeout)),
                application_name="diplosum",
            )
        except pg.Error as exc:
            raise self._error("connect", exc) from exc
        try:
            # A writer waiting for another's row lock gives up after the timeout.
            conn.execute(
                "SELECT set_config('lock_timeout', %s, false)",
                (f"{max(1, int(self.timeout * 1000))}ms",),
            )
            self._schema_version = self._migrate(conn)
        except pg.Error as exc:
            conn.close()
            raise self._error("migrate", exc) from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _migrate(self, conn: psycopg.Connection[Any]) -> int:
        """Apply pending :data:`PG_MIGRATIONS`; return the number applied in total."""
        migrations = list(PG_MIGRATIONS)  # read at call time (tests extend it)
        known = [name for name, _ in migrations]
        applied = _applied(conn)
        if applied is not None:
            self._check_known(applied, known)
            if len(applied) == len(known):
                return len(applied)  # up to date: no lock needed
        import psycopg as pg  # on first use only: never imported by `import diplosum`

        with conn.transaction():
            conn.execute(_MIGRATION_LOCK)  # held until commit: other first opens wait here
            conn.execute(_MIGRATIONS_TABLE)
            done = set(_applied(conn) or [])
            self._check_known(list(done), known)
            for position, (name, step) in enumerate(migrations, start=1):
                if name in done:
                    continue
                try:
                    with conn.transaction():  # a savepoint: the error names the step
                        if callable(step):
                            step(conn)
                        else:
                            conn.execute(step)
                except pg.Error as exc:
                    raise self._error(f"apply migration {name}", exc) from exc
                except Exception as exc:
                    raise CacheError(
                        f"cache {self._location}: could not apply migration {name}: {exc}",
                        path=self._location,
                        operation=f"apply migration {name}",
                    ) from exc
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at, position) VALUES (%s, %s, %s)",
                    (name, _now(), position),
                )
        return len(known)

    def _check_known(self, applied: list[str], known: list[str]) -> None:
        unknown = sorted(set(applied) - set(known))
        if unknown or len(applied) > len(known):
            raise CacheError(
                f"cache {self._location} was written by a newer diplosum (schema version "
                f"{len(applied)}, this version knows {len(known)}; unknown migrations: "
                f"{', '.join(unknown)}); upgrade diplosum or use another --cache",
                path=self._location,
                operation="migrate",
            )


def _rebuild_cache(url: str, timeout: float) -> PostgresCache:
    return PostgresCache(url, timeout=timeout)


def _password(url: str) -> str | None:
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url)
        if parts.password:
            return unquote(parts.password)
        for k, v in parse_qsl(parts.query):
            if k.lower() == "password":
                return v
    except ValueError:
        return None
    return None


def _applied(conn: psycopg.Connection[Any]) -> list[str] | None:
    """Names in ``_migrations`` in the order applied, or None if the table does not exist."""
    row = conn.execute("SELECT to_regclass('_migrations') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return None
    return [name for (name,) in conn.execute("SELECT name FROM _migrations ORDER BY position")]


def _values(result: CachedResult) -> tuple[Any, ...]:
    return (
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


def _job(row: Sequence[Any], keys: tuple[str, ...]) -> BatchJobRow:
    (job_id, rnd, endpoint, state, batch_id, input_id, output_id, error_id, detail, c, u) = row
    return BatchJobRow(
        job_id=str(job_id),
        round=int(rnd),
        endpoint=str(endpoint),
        state=str(state),
        keys=keys,
        batch_id=batch_id,
        input_file_id=input_id,
        output_file_id=output_id,
        error_file_id=error_id,
        detail=detail,
        created_at=str(c),
        updated_at=str(u),
    )


def _result(row: Sequence[Any]) -> CachedResult:
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
