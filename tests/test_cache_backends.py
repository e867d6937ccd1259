"""The cache's two stores behind one interface: the same suite on SQLite and on PostgreSQL.

Every test taking ``store`` runs twice: on a fresh SQLite file, and on a fresh schema of the
PostgreSQL server named by ``DIPLOSUM_TEST_POSTGRES`` (a URL; ``eval "$(.ci/postgres start)"``
starts a throwaway one). Without it, or without psycopg, the PostgreSQL cases skip and say why.
SQLite-only details (pragmas, the pinned SQLite schema, busy handling) are in ``test_cache.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import diplosum._cache._postgres as pg_mod
import diplosum._cache._sqlite as sqlite_mod
from diplosum._cache import (
    MIGRATIONS,
    Cache,
    CacheBackend,
    CachedResult,
    cache_key,
    canonical_json,
    default_cache_spec,
    is_postgres_url,
    open_cache,
    redact_url,
)
from diplosum._cache._postgres import PG_MIGRATIONS, PostgresCache
from diplosum.errors import CacheError

REPO = Path(__file__).resolve().parents[1]
PG_ENV = "DIPLOSUM_TEST_POSTGRES"


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


# --------------------------------------------------------------------------- the two stores


def postgres_base_url() -> str:
    """The configured server's URL, or skip (saying why) if there is none to test on."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(
            f"no PostgreSQL server configured: set {PG_ENV}=postgresql://user:pw@host:port/db "
            '(eval "$(.ci/postgres start)" starts a throwaway one)'
        )
    pytest.importorskip(
        "psycopg", reason='psycopg is not installed: pip install -e ".[postgresql]"'
    )
    return url


def with_options(url: str, *settings: str) -> str:
    """``url`` with ``-c name=value`` settings added to its libpq ``options`` parameter."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = " ".join(
        [*filter(None, [query.get("options")]), *(f"-c{s}" for s in settings)]
    )
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose tables live in a fresh schema of the test server (dropped afterwards)."""
    base = postgres_base_url()  # skips first: psycopg may not be installed
    import psycopg

    schema = f"diplosum_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_options(base, f"search_path={schema}")
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            # Sessions a failed test left open would block the drop: end them first.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'diplosum' AND pid <> pg_backend_pid() "
                "AND query_start IS NOT NULL AND state = 'idle in transaction'"
            )
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


class Store:
    """One backend under test: how to open it, and raw SQL beside the cache for checks."""

    def __init__(self, kind: str, spec: str) -> None:
        self.kind = kind
        self.spec = spec

    def open(self, **kw: Any) -> CacheBackend:
        return open_cache(self.spec, **kw)

    @property
    def module(self) -> Any:
        return sqlite_mod if self.kind == "sqlite" else pg_mod

    @property
    def migrations_name(self) -> str:
        return "MIGRATIONS" if self.kind == "sqlite" else "PG_MIGRATIONS"

    @property
    def migrations(self) -> list[Any]:
        return list(getattr(self.module, self.migrations_name))

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` on a connection of its own (autocommit); the rows it returns."""
        if self.kind == "sqlite":
            with closing(sqlite3.connect(self.spec, isolation_level=None)) as conn:
                return conn.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.spec, autocommit=True) as conn:
            cur = conn.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    def tables(self) -> set[str]:
        if self.kind == "sqlite":
            return {n for (n,) in self.query("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            n
            for (n,) in self.query(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }

    def add_future_migration(self, name: str) -> None:
        if self.kind == "sqlite":
            self.query("INSERT INTO _migrations VALUES (?, ?)", (name, "2030-01-01T00:00:00Z"))
        else:
            self.query(
                "INSERT INTO _migrations VALUES (?, ?, ?)", (name, "2030-01-01T00:00:00Z", 999)
            )

    def applied(self) -> list[tuple[str, str]]:
        order = "rowid" if self.kind == "sqlite" else "position"
        return [
            (n, a)
            for n, a in self.query(f"SELECT name, applied_at FROM _migrations ORDER BY {order}")
        ]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh, empty store of each kind: a SQLite file, or a schema on the test server."""
    if request.param == "sqlite":
        return Store("sqlite", str(tmp_path / "data" / "cache.db"))
    return Store("postgresql", request.getfixturevalue("pg_url"))


@pytest.fixture
def cache(store: Store) -> Iterator[CacheBackend]:
    with store.open() as c:
        yield c


# --------------------------------------------------------------------------- the interface


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")} | {"__enter__", "__exit__"}


def test_both_stores_implement_the_interface() -> None:
    """Cache and PostgresCache satisfy CacheBackend, and every public method or property the
    SQLite Cache has (batch-job storage included) the PostgreSQL one has too."""
    protocol = {
        n for n in CacheBackend.__dict__ if not n.startswith("_") or n in ("__enter__", "__exit__")
    } | {"timeout"}
    for cls in (Cache, PostgresCache):
        missing = {n for n in protocol - {"timeout"} if not hasattr(cls, n)}
        assert not missing, (cls.__name__, missing)
    sqlite_only = _public(Cache) - _public(PostgresCache) - {"path"}
    assert not sqlite_only, f"PostgresCache lacks {sorted(sqlite_only)}"
    assert isinstance(Cache("unused.db"), CacheBackend)


def test_postgres_instance_is_a_backend_without_connecting() -> None:
    """A PostgresCache is a CacheBackend at construction, before any connection exists."""
    pytest.importorskip(
        "psycopg", reason='psycopg is not installed: pip install -e ".[postgresql]"'
    )
    c = open_cache("postgresql://nobody:pw@127.0.0.1:1/none")
    assert isinstance(c, PostgresCache) and isinstance(c, CacheBackend)
    assert c._conn is None


def test_postgres_migrations_mirror_the_sqlite_ones() -> None:
    """Both stores apply the same named migrations in the same order (same schema version)."""
    assert [n for n, _ in PG_MIGRATIONS] == [n for n, _ in MIGRATIONS]


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("cache.db", Cache),
        ("/tmp/x/cache.sqlite", Cache),
        ("postgresql://u@h/db", PostgresCache),
        ("postgres://u:p@h:5433/db?sslmode=require", PostgresCache),
        ("PostgreSQL://u@h/db", PostgresCache),
    ],
)
def test_open_cache_picks_the_store_from_the_spec(spec: str, kind: type) -> None:
    """A postgresql:// or postgres:// URL (any case) opens PostgreSQL; anything else SQLite."""
    if kind is PostgresCache:
        pytest.importorskip(
            "psycopg", reason='psycopg is not installed: pip install -e ".[postgresql]"'
        )
    c = open_cache(spec)
    assert type(c) is kind
    assert is_postgres_url(spec) == (kind is PostgresCache)
    assert c.spec == (spec if kind is PostgresCache else str(Path(spec)))


def test_open_cache_path_like_and_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """open_cache takes a Path, and None follows DIPLOSUM_CACHE: a path or a URL."""
    assert isinstance(open_cache(tmp_path / "a.db"), Cache)
    monkeypatch.setenv("DIPLOSUM_CACHE", str(tmp_path / "env.db"))
    c = open_cache()
    assert isinstance(c, Cache) and c.path == tmp_path / "env.db"
    assert default_cache_spec() == tmp_path / "env.db"
    monkeypatch.setenv("DIPLOSUM_CACHE", "postgresql://u:secret@db.example:5432/cache")
    assert default_cache_spec() == "postgresql://u:secret@db.example:5432/cache"
    pytest.importorskip(
        "psycopg", reason='psycopg is not installed: pip install -e ".[postgresql]"'
    )
    pc = open_cache()
    assert isinstance(pc, PostgresCache)
    assert pc.location == "postgresql://u:***@db.example:5432/cache"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:s3cret@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u:p%40ss@h/db?sslmode=require", "postgresql://u:***@h/db?sslmode=require"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db?user=u&password=s3cret", "postgresql://h/db?user=u&password=***"),
        ("postgres:///db", "postgres:///db"),
    ],
)
def test_redact_url_hides_the_password(url: str, shown: str) -> None:
    """redact_url hides a password in the authority or a password= parameter, nothing else."""
    assert redact_url(url) == shown


def test_importing_diplosum_or_opening_a_url_never_imports_psycopg() -> None:
    """psycopg is imported on a PostgreSQL cache's first use, not by import or construction."""
    code = (
        "import sys, diplosum, diplosum._cache as c\n"
        "import importlib.util\n"
        "x = c.open_cache('postgresql://u:p@127.0.0.1:1/db') if importlib.util"
        ".find_spec('psycopg') else None\n"
        "print('psycopg' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- the store


def test_construction_opens_nothing(store: Store) -> None:
    """open_cache() connects to nothing and creates nothing; the first call does."""
    c = store.open()
    assert c._conn is None  # type: ignore[attr-defined]
    if store.kind == "sqlite":
        assert not Path(store.spec).parent.exists()
    with c:
        assert c.get("blake2b:missing") is None
        assert c._conn is not None  # type: ignore[attr-defined]
    assert "results" in store.tables()


def test_put_then_get_round_trips_every_field(cache: CacheBackend) -> None:
    """A stored result comes back field for field; an empty created_at becomes UTC now."""
    result = make_result(1, raw_output=None, summary_json='{"headline":"Genève ; \'quoted\'"}')
    cache.put(result)
    got = cache.get(result.key)
    assert got is not None
    stamp = datetime.fromisoformat(got.created_at)
    assert stamp.utcoffset() == timedelta(0)
    assert got == dataclasses.replace(result, created_at=got.created_at)
    for name in ("key", "article_sha256", "model", "summary_json", "meta_json", "usage_json"):
        assert getattr(got, name) == getattr(result, name)
    assert got.raw_output is None
    assert got.latency_s == 1.25


def test_put_keeps_given_timestamp_and_replaces_same_key(cache: CacheBackend) -> None:
    """put() keeps a supplied created_at; a second put of the same key replaces the row."""
    first = make_result(1, created_at="2024-01-01T00:00:00+00:00")
    cache.put(first)
    second = make_result(1, summary_json='{"headline":"new"}', created_at="2024-02-01T00:00Z")
    cache.put(second)
    assert cache.get(first.key) == second
    assert cache.stats().entries == 1


def test_get_missing_key_returns_none(cache: CacheBackend) -> None:
    """get() of a key never stored returns None."""
    cache.put(make_result(1))
    assert cache.get(cache_key({"article": 2})) is None


def test_get_many_returns_only_present_keys(cache: CacheBackend) -> None:
    """get_many maps only stored keys, ignores duplicates, spans several chunks."""
    stored = [make_result(i, created_at="2024-01-01T00:00:00+00:00") for i in range(0, 2400, 2)]
    for r in stored:
        cache.put(r)
    keys = [cache_key({"article": i}) for i in range(2400)]
    assert cache.get_many([*keys, keys[0]]) == {r.key: r for r in stored}
    assert cache.get_many([]) == {}
    assert cache.get_many([keys[1]]) == {}


def test_stats_reports_entries_models_dates_and_size(store: Store, cache: CacheBackend) -> None:
    """stats() counts rows in total and per model, gives the time range and the bytes used."""
    cache.put(make_result(1, model="b", created_at="2024-01-01T00:00:00+00:00"))
    cache.put(make_result(2, model="a", created_at="2024-03-01T00:00:00+00:00"))
    cache.put(make_result(3, model="B", created_at="2024-02-01T00:00:00+00:00"))
    stats = cache.stats()
    assert str(stats.path) == cache.location
    assert stats.entries == 3
    assert list(stats.models.items()) == [("B", 1), ("a", 1), ("b", 1)]  # bytewise order
    assert stats.oldest == "2024-01-01T00:00:00+00:00"
    assert stats.newest == "2024-03-01T00:00:00+00:00"
    assert stats.size_bytes > 0


def test_stats_of_empty_cache(cache: CacheBackend) -> None:
    """An empty cache reports zero entries, no models and no dates."""
    stats = cache.stats()
    assert (stats.entries, stats.models, stats.oldest, stats.newest) == (0, {}, None, None)


def test_clear_deletes_rows_and_keeps_schema(cache: CacheBackend) -> None:
    """clear() returns the number of rows deleted; the cache stays usable."""
    for i in range(5):
        cache.put(make_result(i))
    assert cache.clear() == 5
    assert cache.stats().entries == 0
    assert cache.clear() == 0
    cache.put(make_result(9))
    assert cache.get(make_result(9).key) is not None


def test_check_writable_writes_nothing(cache: CacheBackend) -> None:
    """check_writable() on a writable cache passes and leaves no row behind."""
    cache.check_writable()
    assert cache.stats().entries == 0
    cache.put(make_result(1))
    cache.check_writable()
    assert cache.stats().entries == 1


def test_close_is_idempotent_and_the_cache_reopens(store: Store) -> None:
    """close() twice is harmless, and a closed cache reopens on the next call with its data."""
    with store.open() as c:
        c.put(make_result(1))
    assert c._conn is None  # type: ignore[attr-defined]
    c.close()
    try:
        assert c.get(make_result(1).key) is not None
    finally:
        c.close()


def test_cache_pickles_by_spec(store: Store) -> None:
    """A pickled cache arrives closed, with the same spec and timeout, and works; a copy
    re-opened from its spec string sees the same rows."""
    with store.open(timeout=3) as c:
        c.put(make_result(1))
        copy = pickle.loads(pickle.dumps(c))
    with copy, open_cache(copy.spec) as again:
        assert type(copy) is type(c)
        assert (copy.spec, copy.timeout, copy._conn) == (c.spec, 3, None)  # type: ignore[attr-defined]
        assert copy.get(make_result(1).key) is not None
        assert again.get(make_result(1).key) == copy.get(make_result(1).key)


# --------------------------------------------------------------------------- migrations


def test_migrations_are_recorded_once_and_reopen_is_a_no_op(store: Store) -> None:
    """Each migration is recorded once by name, in order; reopening applies nothing."""
    with store.open() as c:
        assert c.schema_version() == len(store.migrations)
        c.put(make_result(1))
    before = store.applied()
    with store.open() as c:
        assert c.schema_version() == len(store.migrations)
        assert c.stats().entries == 1
    assert [n for n, _ in before] == [n for n, _ in store.migrations]
    assert store.applied() == before


def test_new_migrations_upgrade_an_existing_store(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older store gets only the missing migrations (SQL and callable), in order."""
    with store.open() as c:
        c.put(make_result(1))

    def fill(conn: Any) -> None:
        conn.execute("UPDATE results SET tag = 'migrated'")

    newer = [
        *store.migrations,
        ("m_test_sql", "ALTER TABLE results ADD COLUMN tag TEXT; SELECT ';'"),
        ("m_test_callable", fill),
    ]
    monkeypatch.setattr(store.module, store.migrations_name, newer)
    with store.open() as c:
        assert c.schema_version() == len(newer)
        assert c.get(make_result(1).key) is not None
    assert store.query("SELECT tag FROM results") == [("migrated",)]
    assert [n for n, _ in store.applied()] == [name for name, _ in newer]


def test_failed_migration_rolls_back_and_raises_cache_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing migration leaves neither its changes nor its record, and raises CacheError
    naming the step; the whole upgrade is one transaction."""

    def broken(conn: Any) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("boom")

    monkeypatch.setattr(
        store.module, store.migrations_name, [*store.migrations, ("m_broken", broken)]
    )
    with pytest.raises(CacheError, match=r"migration m_broken.*boom") as info:
        store.open().get("k")
    assert info.value.path == (  # type: ignore[attr-defined]
        Path(store.spec) if store.kind == "sqlite" else redact_url(store.spec)
    )
    tables = store.tables()
    assert "half_done" not in tables
    assert "results" not in tables


def test_newer_schema_is_refused_with_upgrade_hint(store: Store) -> None:
    """A store with a migration this code does not know raises CacheError asking to upgrade."""
    with store.open() as c:
        c.put(make_result(1))
    store.add_future_migration("m999_future")
    with pytest.raises(CacheError, match="upgrade diplosum") as info:
        store.open().get(make_result(1).key)
    assert "m999_future" in str(info.value)


# --------------------------------------------------------------------------- concurrency


def test_threads_share_one_cache(cache: CacheBackend) -> None:
    """Eight threads putting and getting through one instance lose nothing and raise nothing."""
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(40):
                r = make_result(t * 1000 + i)
                cache.put(r)
                assert cache.get(r.key) == cache.get_many([r.key])[r.key]
                cache.put(make_result(-1 - i % 5, model=f"thread-{t}"))  # keys all threads write
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert cache.stats().entries == 320 + 5


def _write_rows(spec: str, worker: int, count: int, barrier: Any) -> None:
    """Child process: wait for the others, then write ``count`` rows (some keys shared)."""
    barrier.wait()
    with open_cache(spec) as c:
        for i in range(count):
            c.put(make_result(worker * 100_000 + i, model=f"worker-{worker}"))
            c.put(make_result(-1 - (i % 10), model=f"shared-{worker}"))  # keys every worker writes
            c.get(make_result(i).key)


def _open_fresh(spec: str, barrier: Any, versions: Any) -> None:
    """Child process: open a fresh cache at the same moment as the others."""
    barrier.wait()
    with open_cache(spec) as c:
        versions.put(c.schema_version())


def test_two_processes_write_one_cache(store: Store) -> None:
    """Two processes writing 300 rows each (and upserting ten shared keys) into one fresh cache
    at once lose nothing and never fail."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_write_rows, args=(store.spec, w, 300, barrier)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with store.open() as c:
        stats = c.stats()
        assert c.schema_version() == len(store.migrations)
    assert stats.models["worker-1"] == stats.models["worker-2"] == 300
    assert stats.entries == 610
    assert stats.models.get("shared-1", 0) + stats.models.get("shared-2", 0) == 10


def test_two_processes_migrate_a_fresh_store_once(store: Store) -> None:
    """Two processes opening a fresh store at once both succeed and it is migrated once."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    versions = ctx.SimpleQueue()
    procs = [
        ctx.Process(target=_open_fresh, args=(store.spec, barrier, versions)) for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert [versions.get(), versions.get()] == [len(store.migrations)] * 2
    versions.close()
    assert [n for n, _ in store.applied()] == [name for name, _ in store.migrations]


# --------------------------------------------------------------------------- summariser, CLI


def _article(n: int) -> str:
    return (
        f"date 2026-01-{1 + n % 28:02d} Talks number {n}\n\n"
        f"Qatar offered to host talks between Sudan and Chad in Doha on March {1 + n % 28}. "
        f"The Sudanese minister said Sudan wants a ceasefire first (item {n})."
    )


def test_a_rerun_is_served_from_the_store(store: Store) -> None:
    """A second summariser given the same spec (a string, as the CLI and workers pass it)
    serves every article from the cache: no model call."""
    from diplosum import Summariser
    from diplosum._batch import summarise_many
    from diplosum.testing import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        opts: dict[str, Any] = {"base_url": server.base_url, "api_key": "test"}
        first_s = Summariser("fake", cache=store.spec, **opts)
        first = list(summarise_many([_article(n) for n in range(6)], first_s))
        second_s = Summariser("fake", cache=store.spec, **opts)
        assert type(second_s.cache).__name__ == (
            "Cache" if store.kind == "sqlite" else "PostgresCache"
        )
        second = list(summarise_many([_article(n) for n in range(6)], second_s))
        assert server.requests == 6
        for s in (first_s, second_s):
            assert s.cache is not None
            s.cache.close()
    assert not any(i.cached for i in first) and all(i.cached for i in second)
    assert {i.summary_json for i in first} == {i.summary_json for i in second}


def test_cli_cache_commands(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    """diplosum cache path / stats / clear, given --cache, on either store; a URL's password
    is never printed."""
    from diplosum.cli import run

    with store.open() as c:
        for i in range(4):
            c.put(make_result(i, model="compatible/fake"))
    assert run(["cache", "path", "--cache", store.spec]) == 0
    shown = capsys.readouterr().out.strip()
    assert shown == (store.spec if store.kind == "sqlite" else redact_url(store.spec))
    assert run(["cache", "stats", "--cache", store.spec]) == 0
    out = capsys.readouterr().out
    stats = json.loads(out)
    assert stats["entries"] == 4 and stats["models"] == {"compatible/fake": 4}
    assert stats["size_bytes"] > 0 and stats["path"] == shown
    assert run(["cache", "clear", "--cache", store.spec]) == 0
    _, err = capsys.readouterr()
    assert "removed 4" in err and shown in err
    assert run(["cache", "stats", "--cache", store.spec]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0


def test_cli_follows_diplosum_cache_env(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --cache, diplosum cache stats reads DIPLOSUM_CACHE (a path or a URL)."""
    from diplosum.cli import run

    with store.open() as c:
        c.put(make_result(1))
    monkeypatch.setenv("DIPLOSUM_CACHE", store.spec)
    assert run(["cache", "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 1


# --------------------------------------------------------------------------- PostgreSQL only


def test_postgres_errors_name_the_url_without_its_password() -> None:
    """A server that is not there: CacheError naming the URL, password redacted, at once."""
    pytest.importorskip(
        "psycopg", reason='psycopg is not installed: pip install -e ".[postgresql]"'
    )
    url = "postgresql://diplosum:hunter2-s3cret@127.0.0.1:1/cache"
    c = open_cache(url, timeout=2)
    start = time.monotonic()
    with pytest.raises(CacheError, match="could not connect") as info:
        c.get("k")
    assert time.monotonic() - start < 10
    assert "hunter2-s3cret" not in str(info.value) and "hunter2-s3cret" not in repr(c)
    assert "postgresql://diplosum:***@127.0.0.1:1/cache" in str(info.value)
    assert info.value.path == "postgresql://diplosum:***@127.0.0.1:1/cache"  # type: ignore[attr-defined]
    assert "hunter2" not in str(pickle.loads(pickle.dumps(info.value)))


def test_postgres_wrong_password_is_a_cache_error_without_it(pg_url: str) -> None:
    """Authentication refused by the real server: CacheError, neither password shown."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(pg_url)
    user = parts.username or "diplosum"
    bad = urlunsplit(parts._replace(netloc=f"{user}:wrong-pass-xyz@{parts.hostname}:{parts.port}"))
    with pytest.raises(CacheError) as info:
        open_cache(bad).stats()
    text = str(info.value)
    assert "wrong-pass-xyz" not in text and (parts.password or "\0") not in text
    assert ":***@" in text


def test_postgres_read_only_is_refused_by_check_writable(pg_url: str) -> None:
    """check_writable() raises CacheError with the fix when writes are refused (here, a
    read-only session); reads still work."""
    with open_cache(pg_url) as c:
        c.put(make_result(1))
    with open_cache(with_options(pg_url, "default_transaction_read_only=on")) as ro:
        assert ro.get(make_result(1).key) is not None
        with pytest.raises(CacheError, match=r"read-only transaction.*could not be kept"):
            ro.check_writable()
        with pytest.raises(CacheError, match="could not write an entry"):
            ro.put(make_result(2))


def test_postgres_lock_timeout_raises_cache_error(pg_url: str) -> None:
    """A row another session holds past the timeout: CacheError saying so, not a hang."""
    import psycopg

    with open_cache(pg_url) as c:
        c.put(make_result(1))
    with psycopg.connect(pg_url) as other, open_cache(pg_url, timeout=0.3) as c:
        other.execute("SELECT key FROM results WHERE key = %s FOR UPDATE", (make_result(1).key,))
        start = time.monotonic()
        with pytest.raises(CacheError, match="still locked by another writer"):
            c.put(make_result(1, summary_json="{}"))
        assert time.monotonic() - start < 5
        assert c.get(make_result(1).key) is not None  # readers are not blocked
        other.rollback()
        c.put(make_result(1, summary_json="{}"))  # and the same instance writes afterwards


def test_postgres_reconnects_after_the_server_drops_the_session(pg_url: str) -> None:
    """A connection the server ended between calls is reopened once, transparently."""
    import psycopg

    with open_cache(pg_url) as c:
        c.put(make_result(1))
        pid = c._conn.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.1)
        assert c.get(make_result(1).key) is not None
        assert c._conn.info.backend_pid != pid  # type: ignore[attr-defined]


def test_postgres_serialisation_failures_are_retried(pg_url: str) -> None:
    """Serialisation failures and deadlocks are retried; other errors are not."""
    import psycopg.errors

    calls: list[int] = []

    def flaky(conn: Any) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise psycopg.errors.SerializationFailure("could not serialize access")
        if len(calls) == 2:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return "done"

    with open_cache(pg_url) as c:
        assert c._run("test", flaky) == "done"  # type: ignore[attr-defined]
        assert len(calls) == 3

        def broken(conn: Any) -> None:
            calls.append(1)
            conn.execute("SELECT * FROM no_such_table")

        calls.clear()
        with pytest.raises(CacheError, match=r"could not test: relation .*no_such_table"):
            c._run("test", broken)  # type: ignore[attr-defined]
        assert len(calls) == 1
        assert c.get("k") is None  # the failed statement left no transaction open


def test_postgres_tables_use_bytewise_text_order(pg_url: str) -> None:
    """The schema: the SQLite columns, text compared bytewise ("C"), a real for latency."""
    import psycopg

    with open_cache(pg_url) as c:
        c.get("k")
    with psycopg.connect(pg_url) as conn:
        cols = conn.execute(
            "SELECT column_name, data_type, is_nullable, collation_name "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'results' ORDER BY ordinal_position"
        ).fetchall()
    assert [c[0] for c in cols] == list(pg_mod._COLUMNS)
    nullable = {c[0] for c in cols if c[2] == "YES"}
    assert nullable == {"raw_output"}
    assert {c[0]: c[1] for c in cols}["latency_s"] == "double precision"
    assert {c[0] for c in cols if c[3] == "C"} == {"key", "model", "created_at"}


def test_postgres_without_psycopg_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A postgresql:// cache without the extra: ConfigurationError naming the install command
    (exit 2 on the command line), the URL's password redacted; nothing is connected."""
    import importlib.util

    from diplosum.errors import ConfigurationError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    with pytest.raises(ConfigurationError, match=r'pip install "diplosum\[postgresql\]"') as info:
        open_cache("postgresql://u:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret-pw" not in str(info.value)
