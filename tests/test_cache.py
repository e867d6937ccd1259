"""Tests for diplosum._cache: keys, the SQLite store, migrations, threads and processes."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import diplosum._cache._sqlite as cache_mod
from diplosum._cache import (
    MIGRATIONS,
    Cache,
    CachedResult,
    cache_key,
    canonical_json,
    default_cache_path,
)
from diplosum.errors import CacheError

REPO = Path(__file__).resolve().parents[1]

# The schema the code must produce: sqlite_master (type, name, sql), ordered by name.
PINNED_SCHEMA = [
    (
        "table",
        "_migrations",
        "CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    ),
    (
        "table",
        "batch_answers",
        "CREATE TABLE batch_answers (\n"
        "            key TEXT NOT NULL,\n"
        "            round INTEGER NOT NULL,\n"
        "            job_id TEXT NOT NULL,\n"
        "            line_json TEXT NOT NULL,\n"
        "            created_at TEXT NOT NULL,\n"
        "            PRIMARY KEY (key, round)\n"
        "        )",
    ),
    (
        "table",
        "batch_job_keys",
        "CREATE TABLE batch_job_keys (\n"
        "            job_id TEXT NOT NULL REFERENCES batch_jobs (job_id),\n"
        "            key TEXT NOT NULL,\n"
        "            PRIMARY KEY (job_id, key)\n"
        "        )",
    ),
    (
        "table",
        "batch_jobs",
        "CREATE TABLE batch_jobs (\n"
        "            job_id TEXT PRIMARY KEY,\n"
        "            round INTEGER NOT NULL,\n"
        "            endpoint TEXT NOT NULL,\n"
        "            state TEXT NOT NULL,\n"
        "            batch_id TEXT,\n"
        "            input_file_id TEXT,\n"
        "            output_file_id TEXT,\n"
        "            error_file_id TEXT,\n"
        "            detail TEXT,\n"
        "            created_at TEXT NOT NULL,\n"
        "            updated_at TEXT NOT NULL\n"
        "        )",
    ),
    (
        "index",
        "idx_batch_job_keys_key",
        "CREATE INDEX idx_batch_job_keys_key ON batch_job_keys (key)",
    ),
    (
        "index",
        "idx_results_article_sha256",
        "CREATE INDEX idx_results_article_sha256 ON results (article_sha256)",
    ),
    (
        "index",
        "idx_results_created_at",
        "CREATE INDEX idx_results_created_at ON results (created_at)",
    ),
    (
        "table",
        "results",
        "CREATE TABLE results (\n"
        "            key TEXT PRIMARY KEY,\n"
        "            article_sha256 TEXT NOT NULL,\n"
        "            model TEXT NOT NULL,\n"
        "            summary_json TEXT NOT NULL,\n"
        "            meta_json TEXT NOT NULL,\n"
        "            raw_output TEXT,\n"
        "            usage_json TEXT NOT NULL,\n"
        "            latency_s REAL NOT NULL,\n"
        "            created_at TEXT NOT NULL\n"
        "        )",
    ),
]


def make_result(i: int, **overrides: Any) -> CachedResult:
    fields: dict[str, Any] = {
        "key": cache_key({"article": i}),
        "article_sha256": hashlib.sha256(str(i).encode()).hexdigest(),
        "model": "openai:gpt-4o-mini",
        "summary_json": canonical_json({"headline": f"article {i}", "actors": ["France"]}),
        "meta_json": canonical_json({"prompt_version": "1"}),
        "raw_output": f'{{"raw": {i}}}',
        "usage_json": canonical_json({"input_tokens": 100 + i, "output_tokens": 20}),
        "latency_s": 1.25,
        "created_at": "",
    }
    fields.update(overrides)
    return CachedResult(**fields)


def raw_connect(path: Path) -> closing[sqlite3.Connection]:
    """A plain autocommit connection, usable from any thread (for locking from a timer)."""
    return closing(sqlite3.connect(path, isolation_level=None, check_same_thread=False))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache.db"


@pytest.fixture
def cache(db_path: Path) -> Iterator[Cache]:
    with Cache(db_path) as c:
        yield c


# --------------------------------------------------------------------------- keys and paths


def test_canonical_json_is_sorted_compact_and_keeps_unicode() -> None:
    """canonical_json sorts keys at every level, drops spaces and keeps non-ASCII text."""
    text = canonical_json({"b": 1, "a": {"z": [1, 2], "y": "Genève"}})
    assert text == '{"a":{"y":"Genève","z":[1,2]},"b":1}'


def test_cache_key_is_tagged_blake2b_of_canonical_json() -> None:
    """cache_key is "blake2b:" + the 32-byte blake2b hex digest of the canonical JSON."""
    parts = {"text": "Talks in Geneva.", "model": "m", "temperature": 0.0}
    expected = hashlib.blake2b(canonical_json(parts).encode(), digest_size=32).hexdigest()
    assert cache_key(parts) == f"blake2b:{expected}"
    assert len(expected) == 64


def test_cache_key_ignores_key_order_and_accepts_any_mapping() -> None:
    """Dict order does not matter and a read-only Mapping hashes like the equal dict."""
    a = {"text": "x", "model": "m"}
    b = {"model": "m", "text": "x"}
    assert cache_key(a) == cache_key(b) == cache_key(MappingProxyType(a))


def test_cache_key_changes_when_any_part_changes() -> None:
    """Changing any one part (prompt hash, schema, parameters) gives a different key."""
    base = {"text": "x", "model": "m", "params": {"temperature": 0}, "prompt": "h1", "schema": {}}
    variants = [
        {**base, "text": "y"},
        {**base, "model": "m2"},
        {**base, "params": {"temperature": 0.2}},
        {**base, "prompt": "h2"},
        {**base, "schema": {"type": "object"}},
    ]
    keys = {cache_key(base), *(cache_key(v) for v in variants)}
    assert len(keys) == 1 + len(variants)


def test_default_cache_path_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DIPLOSUM_CACHE overrides the location, with ~ expanded."""
    monkeypatch.setenv("DIPLOSUM_CACHE", str(tmp_path / "x.db"))
    assert default_cache_path() == tmp_path / "x.db"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DIPLOSUM_CACHE", "~/y.db")
    assert default_cache_path() == tmp_path / "y.db"


def test_default_cache_path_uses_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the env var the cache is cache.db in platformdirs' user data folder."""
    import platformdirs

    monkeypatch.delenv("DIPLOSUM_CACHE", raising=False)
    assert default_cache_path() == Path(platformdirs.user_data_dir("diplosum")) / "cache.db"
    monkeypatch.setenv("DIPLOSUM_CACHE", "")
    assert default_cache_path().name == "cache.db"


def test_cache_without_path_uses_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Cache() with no path resolves the default location (here set by DIPLOSUM_CACHE)."""
    monkeypatch.setenv("DIPLOSUM_CACHE", str(tmp_path / "env.db"))
    assert Cache().path == tmp_path / "env.db"


def test_import_is_light() -> None:
    """Importing diplosum._cache pulls in neither platformdirs nor any model or HTTP library."""
    code = (
        "import sys, diplosum._cache\n"
        "heavy = {'platformdirs', 'openai', 'httpx', 'pydantic', 'instructor', 'sqlite_utils'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the store


def test_construction_touches_nothing_until_first_use(db_path: Path) -> None:
    """Cache() neither creates the folder nor the file; the first call creates both."""
    c = Cache(db_path)
    assert not db_path.parent.exists()
    with c:
        assert c.get("blake2b:missing") is None
        assert db_path.is_file()


def test_put_then_get_round_trips_every_field(cache: Cache) -> None:
    """A stored result comes back field for field; an empty created_at becomes UTC now."""
    result = make_result(1, raw_output=None)
    cache.put(result)
    got = cache.get(result.key)
    assert got is not None
    assert got.created_at
    stamp = datetime.fromisoformat(got.created_at)
    assert stamp.utcoffset() == timedelta(0)
    fields = ("key", "article_sha256", "model", "summary_json", "meta_json", "usage_json")
    for name in fields:
        assert getattr(got, name) == getattr(result, name)
    assert got.raw_output is None
    assert got.latency_s == 1.25


def test_put_keeps_given_timestamp_and_replaces_same_key(cache: Cache) -> None:
    """put() keeps a supplied created_at, and a second put with the same key replaces the row."""
    first = make_result(1, created_at="2024-01-01T00:00:00+00:00")
    cache.put(first)
    second = make_result(1, summary_json='{"headline":"new"}', created_at="2024-02-01T00:00Z")
    cache.put(second)
    assert cache.get(first.key) == second
    assert cache.stats().entries == 1


def test_get_missing_key_returns_none(cache: Cache) -> None:
    """get() of a key never stored returns None."""
    cache.put(make_result(1))
    assert cache.get(cache_key({"article": 2})) is None


def test_get_many_returns_present_keys_in_one_query_per_chunk(cache: Cache) -> None:
    """get_many maps only stored keys, ignores duplicates, and issues one SELECT per 500 keys."""
    stored = [make_result(i, created_at="2024-01-01T00:00:00+00:00") for i in range(0, 1200, 2)]
    for r in stored:
        cache.put(r)
    keys = [cache_key({"article": i}) for i in range(1200)]
    statements: list[str] = []
    cache._connection().set_trace_callback(statements.append)
    found = cache.get_many([*keys, keys[0]])
    cache._connection().set_trace_callback(None)
    assert found == {r.key: r for r in stored}
    assert sum(" IN (" in s for s in statements) == 3
    assert cache.get_many([]) == {}


def test_stats_reports_entries_models_dates_and_size(cache: Cache, db_path: Path) -> None:
    """stats() counts rows in total and per model, gives the time range and bytes on disk."""
    cache.put(make_result(1, model="a", created_at="2024-01-01T00:00:00+00:00"))
    cache.put(make_result(2, model="b", created_at="2024-03-01T00:00:00+00:00"))
    cache.put(make_result(3, model="b", created_at="2024-02-01T00:00:00+00:00"))
    stats = cache.stats()
    assert stats.path == db_path
    assert stats.entries == 3
    assert stats.models == {"a": 1, "b": 2}
    assert stats.oldest == "2024-01-01T00:00:00+00:00"
    assert stats.newest == "2024-03-01T00:00:00+00:00"
    assert stats.size_bytes >= db_path.stat().st_size > 0


def test_stats_of_empty_cache(cache: Cache) -> None:
    """An empty cache reports zero entries, no models and no dates."""
    stats = cache.stats()
    assert (stats.entries, stats.models, stats.oldest, stats.newest) == (0, {}, None, None)


def test_clear_deletes_rows_and_keeps_schema(cache: Cache) -> None:
    """clear() returns the number of rows deleted; the cache stays usable."""
    for i in range(5):
        cache.put(make_result(i))
    assert cache.clear() == 5
    assert cache.stats().entries == 0
    assert cache.clear() == 0
    cache.put(make_result(9))
    assert cache.get(make_result(9).key) is not None


def test_connection_uses_wal_normal_sync_and_busy_timeout(cache: Cache) -> None:
    """The file is in WAL mode with synchronous=NORMAL and a 30 s busy timeout."""
    conn = cache._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_close_is_idempotent_and_the_cache_reopens(db_path: Path) -> None:
    """close() twice is harmless, and a closed cache reopens on the next call with its data."""
    with Cache(db_path) as c:
        c.put(make_result(1))
    assert c._conn is None
    c.close()
    try:
        assert c.get(make_result(1).key) is not None
    finally:
        c.close()


def test_cache_pickles_by_path(db_path: Path) -> None:
    """A pickled Cache arrives closed, with the same path and timeout, and works."""
    with Cache(db_path, timeout=3) as c:
        c.put(make_result(1))
        copy = pickle.loads(pickle.dumps(c))
    with copy:
        assert (copy.path, copy.timeout) == (db_path, 3)
        assert copy.get(make_result(1).key) is not None


# --------------------------------------------------------------------------- migrations


def test_schema_is_pinned(cache: Cache, db_path: Path) -> None:
    """The migrations produce exactly the pinned tables and indexes."""
    assert cache.schema_version() == len(MIGRATIONS) == 2
    with raw_connect(db_path) as conn:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    assert rows == PINNED_SCHEMA


def test_migrations_are_recorded_once_and_reopen_is_a_no_op(db_path: Path) -> None:
    """Each migration is recorded once by name; reopening applies nothing and keeps the data."""
    with Cache(db_path) as c:
        c.put(make_result(1))
    with raw_connect(db_path) as conn:
        before = conn.execute("SELECT name, applied_at FROM _migrations").fetchall()
    with Cache(db_path) as c:
        assert c.schema_version() == len(MIGRATIONS)
        assert c.stats().entries == 1
    with raw_connect(db_path) as conn:
        after = conn.execute("SELECT name, applied_at FROM _migrations").fetchall()
    assert [name for name, _ in before] == [name for name, _ in MIGRATIONS]
    assert after == before


def test_new_migrations_upgrade_an_existing_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older file gets only the missing migrations (SQL and callable), in order."""
    with Cache(db_path) as c:
        c.put(make_result(1))

    def add_column(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE results SET tag = 'migrated'")

    newer = [
        *MIGRATIONS,
        ("m_test_sql", "ALTER TABLE results ADD COLUMN tag TEXT; SELECT ';'"),
        ("m_test_callable", add_column),
    ]
    monkeypatch.setattr(cache_mod, "MIGRATIONS", newer)
    with Cache(db_path) as c:
        assert c.schema_version() == len(MIGRATIONS) + 2
        conn = c._connection()
        assert conn.execute("SELECT tag FROM results").fetchall() == [("migrated",)]
        names = [n for (n,) in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [name for name, _ in newer]


def test_failed_migration_rolls_back_and_raises_cache_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing migration leaves neither its changes nor its record, and raises CacheError."""

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(cache_mod, "MIGRATIONS", [*MIGRATIONS, ("m_broken", broken)])
    with pytest.raises(CacheError, match=r"migration m_broken.*boom") as info:
        Cache(db_path).get("k")
    assert info.value.path == db_path  # type: ignore[attr-defined]
    with raw_connect(db_path) as conn:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    assert "results" not in tables  # the whole upgrade is one transaction


def test_newer_schema_is_refused_with_upgrade_hint(db_path: Path) -> None:
    """A file with more migrations than this code knows raises CacheError asking to upgrade."""
    with Cache(db_path) as c:
        c.put(make_result(1))
    with raw_connect(db_path) as conn:
        conn.execute("INSERT INTO _migrations VALUES ('m999_future', '2030-01-01T00:00:00Z')")
    with pytest.raises(CacheError, match="upgrade diplosum") as info:
        Cache(db_path).get(make_result(1).key)
    assert str(db_path) in str(info.value)
    assert "m999_future" in str(info.value)


def test_statements_split_on_semicolons_outside_literals() -> None:
    """SQL migration text splits into statements, keeping a ';' inside a string literal."""
    script = "CREATE TABLE t (x); INSERT INTO t VALUES ('a;b');\n"
    assert list(cache_mod._statements(script)) == [
        "CREATE TABLE t (x);",
        "INSERT INTO t VALUES ('a;b');",
    ]


# --------------------------------------------------------------------------- errors


def test_not_a_database_raises_clear_cache_error(tmp_path: Path) -> None:
    """A file that is not SQLite raises CacheError naming the path and saying so."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(CacheError, match="is not a SQLite database") as info:
        Cache(path).get("k")
    assert info.value.path == path  # type: ignore[attr-defined]
    assert str(path) in str(info.value)
    assert path.read_bytes().startswith(b"these are my notes")


def test_unopenable_path_raises_cache_error(tmp_path: Path) -> None:
    """A directory given as the cache file raises CacheError naming the path and the step."""
    with pytest.raises(CacheError, match="could not") as info:
        Cache(tmp_path).stats()
    assert str(tmp_path) in str(info.value)


def test_uncreatable_folder_raises_cache_error(tmp_path: Path) -> None:
    """A parent 'folder' that is a file raises CacheError about creating the folder."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError, match="could not create folder"):
        Cache(blocker / "cache.db").get("k")


def test_cache_error_survives_pickling(tmp_path: Path) -> None:
    """The CacheError raised by the cache pickles with its message and path (for workers)."""
    with pytest.raises(CacheError) as info:
        Cache(tmp_path).get("k")
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value)
    assert copy.path == tmp_path


def test_busy_errors_are_retried_until_success(cache: Cache) -> None:
    """SQLITE_BUSY escaping the busy handler is retried; other errors are not."""
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "done"

    assert cache._retry("test", flaky) == "done"
    assert len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: nope")

    calls.clear()
    with pytest.raises(CacheError, match="could not test: no such table"):
        cache._retry("test", broken)
    assert len(calls) == 1


def test_write_waits_for_another_writer(db_path: Path) -> None:
    """put() waits while another connection holds the write lock, then succeeds."""
    with Cache(db_path) as c:
        c.put(make_result(0))
        with raw_connect(db_path) as other:
            other.execute("BEGIN IMMEDIATE")
            timer = threading.Timer(0.3, other.execute, args=("COMMIT",))
            timer.start()
            start = time.monotonic()
            c.put(make_result(1))
            waited = time.monotonic() - start
            timer.join()
        assert waited >= 0.2
        assert c.stats().entries == 2


def test_write_lock_timeout_raises_cache_error(db_path: Path) -> None:
    """A lock held past the timeout raises CacheError (not sqlite3's 'database is locked')."""
    with Cache(db_path) as c:
        c.put(make_result(0))
    with raw_connect(db_path) as other, Cache(db_path, timeout=0.2) as c:
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(CacheError, match="locked by another process"):
                c.put(make_result(1))
            assert c.get(make_result(0).key) is not None  # readers are not blocked (WAL)
        finally:
            other.execute("ROLLBACK")


# --------------------------------------------------------------------------- concurrency


def test_threads_share_one_cache(cache: Cache) -> None:
    """Eight threads putting and getting through one Cache lose nothing and raise nothing."""
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(50):
                r = make_result(t * 1000 + i)
                cache.put(r)
                assert cache.get(r.key) == cache.get_many([r.key])[r.key]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert cache.stats().entries == 400


def _write_rows(path: str, worker: int, count: int, barrier: Any) -> None:
    """Child process: wait for the others, then write ``count`` rows (some keys shared)."""
    barrier.wait()
    with Cache(path) as c:
        for i in range(count):
            c.put(make_result(worker * 100_000 + i, model=f"worker-{worker}"))
            c.put(make_result(-1 - (i % 10)))  # keys every worker writes
            c.get(make_result(i).key)


def _open_fresh(path: str, barrier: Any, versions: Any) -> None:
    """Child process: open a fresh cache at the same moment as the others."""
    barrier.wait()
    with Cache(path) as c:
        versions.put(c.schema_version())


def test_two_processes_write_one_cache(db_path: Path) -> None:
    """Two processes writing 300 rows each into one fresh file lose nothing and never fail."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_write_rows, args=(str(db_path), w, 300, barrier)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with Cache(db_path) as c:
        stats = c.stats()
        assert c.schema_version() == len(MIGRATIONS)
    assert stats.models["worker-1"] == stats.models["worker-2"] == 300
    assert stats.entries == 610
    with raw_connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_processes_migrate_a_fresh_file_once(db_path: Path) -> None:
    """Two processes opening a fresh file at once both succeed and it is migrated once."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    versions = ctx.SimpleQueue()
    procs = [
        ctx.Process(target=_open_fresh, args=(str(db_path), barrier, versions)) for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert [versions.get(), versions.get()] == [len(MIGRATIONS)] * 2
    versions.close()
    with raw_connect(db_path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]
