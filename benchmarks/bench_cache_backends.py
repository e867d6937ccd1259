"""The PostgreSQL cache against the SQLite one, side by side in one run (issue 15, item 3).

1. **Re-run of a fully cached folder** (10,000 articles by default) through the CLI, the real
   summariser and batch path. The SQLite cache is filled by a first run of the same command
   against a zero-latency fake server in its own process (every article a miss: real rows,
   written by the real code); its rows are then copied into each PostgreSQL schema as they
   are (pre-populated rows; ``--first-runs`` fills each store by its own first run instead,
   and times it). One untimed re-run per store follows (a row built by an older
   ``BUILD_VERSION`` is rebuilt and stored back there, not in a timed run); then the timed
   re-runs, interleaved (SQLite, PostgreSQL, ..., then in reverse), each with a new output
   file::

       python -m diplosum summarise DIR -m bench --base-url URL --cache SPEC -o out.jsonl -q

   Wall time is the whole child process (interpreter start included); CPU from ``wait4`` (the
   PostgreSQL server's own CPU is not in it: it is another process).
2. **Write throughput**: 1 and 2 writer processes, each opening the cache (``open_cache``) and
   upserting its own rows (the size of a row of step 1) one ``put`` at a time, as the
   summariser does; timed from a barrier the writers pass once connected and migrated. Rows/s
   of all writers together.

PostgreSQL is measured twice: the server's defaults (every commit flushed to disk, as
``synchronous_commit = on``), and with ``synchronous_commit = off`` set by the URL
(``?options=-csynchronous_commit%3Doff``): a crash may lose the last commits but never
corrupts, the same promise as SQLite's WAL with ``synchronous = NORMAL`` that the SQLite
cache uses. Each store gets a fresh schema (dropped afterwards) on the server given by
``--postgres URL`` (or ``DIPLOSUM_BENCH_POSTGRES``); without one, a throwaway loopback server
is started with ``.ci/postgres start`` (durable defaults) and stopped at the end.

    nice python benchmarks/bench_cache_backends.py [--quick] [--articles 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import _common as c


def with_options(url: str, *settings: str) -> str:
    """``url`` with ``-c name=value`` settings added to its libpq ``options``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = " ".join(
        [*filter(None, [query.get("options")]), *(f"-c{s}" for s in settings)]
    )
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@contextlib.contextmanager
def postgres_server(url: str | None) -> Iterator[tuple[str, str]]:
    """(base URL, where it came from): the one given, or a throwaway loopback server."""
    if url:
        yield url, "given"
        return
    out = subprocess.run(
        [str(c.ROOT / ".ci" / "postgres"), "start"], capture_output=True, text=True, check=True
    ).stdout
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.splitlines()
        if line.startswith("export ")
    )
    try:
        yield env["DIPLOSUM_TEST_POSTGRES"], "throwaway (.ci/postgres start, durable defaults)"
    finally:
        subprocess.run([str(c.ROOT / ".ci" / "postgres"), "stop", env["DIPLOSUM_PG_DIR"]])


@contextlib.contextmanager
def fresh_schema(base: str, *settings: str) -> Iterator[str]:
    """A URL whose tables live in a new schema of ``base``'s database, dropped afterwards."""
    import psycopg

    schema = f"diplosum_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_options(base, f"search_path={schema}", *settings)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def summarise(folder: Path, url: str, cache: str, out: Path, concurrency: int) -> c.ChildRun:
    argv = [
        *c.diplosum_cli(),
        "summarise",
        str(folder),
        "-m",
        "bench",
        "--base-url",
        url,
        "--cache",
        cache,
        "-o",
        str(out),
        "-q",
        "-j",
        str(concurrency),
    ]
    run = c.run_child(argv, env=c.child_env())
    if run.returncode != 0:
        raise SystemExit(f"diplosum failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


def _writer(spec: str, worker: int, rows: int, template: dict[str, Any], barrier: Any) -> None:
    """Child process: connect (and migrate), wait for the start, then upsert ``rows`` rows."""
    from diplosum._cache import CachedResult, cache_key, open_cache

    with open_cache(spec) as cache:
        cache.schema_version()  # connected and migrated before the clock starts
        barrier.wait()
        for i in range(rows):
            cache.put(
                CachedResult(**{**template, "key": cache_key({"w": worker, "i": i, "r": spec})})
            )


def write_throughput(spec: str, writers: int, rows: int, template: dict[str, Any]) -> float:
    """Rows per second of ``writers`` processes writing ``rows`` rows each into ``spec``."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers + 1)
    procs = [
        ctx.Process(target=_writer, args=(spec, w, rows, template, barrier)) for w in range(writers)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for p in procs:
        p.join(1800)
    elapsed = time.perf_counter() - started
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit(f"a writer failed: {[p.exitcode for p in procs]}")
    return writers * rows / elapsed


def template_row(spec: str) -> dict[str, Any]:
    """The fields of one real row of the cache at ``spec`` (its sizes are what a put writes)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(spec)) as conn:
        cur = conn.execute("SELECT * FROM results LIMIT 1")
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True)) | {"created_at": ""}


def copy_rows(sqlite_path: str, url: str) -> int:
    """Copy every result row of the SQLite cache into the PostgreSQL cache at ``url``."""
    import sqlite3

    from diplosum._cache import open_cache

    with open_cache(url) as cache:
        cache.schema_version()  # the tables exist
    cols = "key, article_sha256, model, summary_json, meta_json, raw_output, usage_json, latency_s, created_at"
    import psycopg

    with contextlib.closing(sqlite3.connect(sqlite_path)) as src, psycopg.connect(url) as dst:
        rows = src.execute(f"SELECT {cols} FROM results").fetchall()
        with dst.cursor() as cur, cur.copy(f"COPY results ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 articles, 2 repeats, 500 rows")
    ap.add_argument("--articles", type=int, default=None, help="folder size (default 10,000)")
    ap.add_argument("--repeats", type=int, default=None, help="cached re-runs per store (3)")
    ap.add_argument("--rows", type=int, default=None, help="rows per writer (default 2,000)")
    ap.add_argument("-j", "--concurrency", type=int, default=8, help="-j of the runs (8)")
    ap.add_argument(
        "--first-runs",
        action="store_true",
        help="fill every store by its own first run (timed) instead of copying SQLite's rows",
    )
    ap.add_argument(
        "--postgres",
        default=os.environ.get("DIPLOSUM_BENCH_POSTGRES"),
        help="a PostgreSQL URL to measure on (default: a throwaway loopback server)",
    )
    args = ap.parse_args()
    n = args.articles or (2000 if args.quick else 10_000)
    repeats = args.repeats or (2 if args.quick else 3)
    rows = args.rows or (500 if args.quick else 2000)
    info = c.machine()
    folder = c.corpus_dir(n)
    stores = ["sqlite", "postgresql", "postgresql, synchronous_commit=off"]
    with (
        postgres_server(args.postgres) as (base, origin),
        tempfile.TemporaryDirectory() as tmp,
        c.fake_server(latency=0.0) as server,
        contextlib.ExitStack() as stack,
    ):
        import psycopg

        with psycopg.connect(base) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            pg_settings = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in ("synchronous_commit", "fsync", "shared_buffers")
            }
        specs = {
            "sqlite": str(Path(tmp) / "cache.db"),
            "postgresql": stack.enter_context(fresh_schema(base)),
            "postgresql, synchronous_commit=off": stack.enter_context(
                fresh_schema(base, "synchronous_commit=off")
            ),
        }
        first: dict[str, c.ChildRun] = {}
        for store in stores if args.first_runs else stores[:1]:
            c.log(f"{store}: first run of {n:,} articles (all misses) ...")
            first[store] = summarise(
                folder, server.url, specs[store], Path(tmp) / "first.jsonl", args.concurrency
            )
            c.log(f"  {first[store].wall_s:.1f} s")
            (Path(tmp) / "first.jsonl").unlink()
        if not args.first_runs:
            for store in stores[1:]:
                copied = copy_rows(specs["sqlite"], specs[store])
                c.log(f"{store}: {copied:,} rows copied from the SQLite cache")
        for store in stores:
            out = Path(tmp) / "warm.jsonl"
            run = summarise(folder, server.url, specs[store], out, args.concurrency)
            out.unlink()
            c.log(f"  untimed re-run, {store}: {run.wall_s:.2f} s")
        cached: dict[str, list[c.ChildRun]] = {s: [] for s in stores}
        for rep in range(repeats):
            order = stores if rep % 2 == 0 else stores[::-1]
            for store in order:
                out = Path(tmp) / f"again-{rep}.jsonl"
                run = summarise(folder, server.url, specs[store], out, args.concurrency)
                if f"{n} cached" not in run.stderr:
                    raise SystemExit(f"the re-run was not fully cached:\n{run.stderr[-2000:]}")
                out.unlink()
                cached[store].append(run)
                c.log(f"  cached re-run {rep + 1}/{repeats}, {store}: {run.wall_s:.2f} s")
        template = template_row(specs["sqlite"])
        throughput: dict[str, dict[int, list[float]]] = {s: {1: [], 2: []} for s in stores}
        for rep in range(repeats):
            for writers in (1, 2):
                order = stores if rep % 2 == 0 else stores[::-1]
                for store in order:
                    spec = specs[store]
                    if store == "sqlite":
                        spec = str(Path(tmp) / f"writes-{rep}-{writers}.db")
                    rate = write_throughput(spec, writers, rows, template)
                    throughput[store][writers].append(rate)
                    c.log(f"  writes, {writers} writer(s), {store}: {rate:,.0f} rows/s")

    results: dict[str, Any] = {}
    for store in stores:
        wall = c.summary([r.wall_s for r in cached[store]])
        results[store] = {
            "first_run": {
                "wall_s": first[store].wall_s,
                "cpu_s": first[store].cpu_s,
                "per_s": n / first[store].wall_s,
            }
            if store in first
            else None,
            "cached_wall_s": wall,
            "cached_cpu_s": c.summary([r.cpu_s for r in cached[store]]),
            "cached_maxrss_mb": c.summary([r.maxrss_mb for r in cached[store]]),
            "cached_ms_per_article": wall["median"] / n * 1e3,
            "writes_per_s": {str(w): c.summary(v) for w, v in throughput[store].items()},
        }
    base_rerun = results["sqlite"]["cached_wall_s"]["median"]
    base_w2 = results["sqlite"]["writes_per_s"]["2"]["median"]
    rows_md = []
    for store in stores:
        r = results[store]
        rows_md.append(
            [
                store,
                c.fmt(r["first_run"]["wall_s"], 1) if r["first_run"] else "(copied)",
                c.fmt(r["cached_wall_s"]["median"]),
                f"{r['cached_wall_s']['median'] / base_rerun:.2f}x",
                c.fmt(r["cached_cpu_s"]["median"]),
                c.fmt(r["writes_per_s"]["1"]["median"], 0),
                c.fmt(r["writes_per_s"]["2"]["median"], 0),
                f"{r['writes_per_s']['2']['median'] / base_w2:.2f}x",
            ]
        )
    print(
        f"\nThe cache stores side by side: {n:,} articles, -j {args.concurrency}, {repeats} "
        f"repeats (medians); writes: {rows:,} rows per writer; PostgreSQL {pg_version} "
        f"({origin})\n"
    )
    print(
        c.table(
            [
                "store",
                "first run s",
                "cached re-run s",
                "re-run vs SQLite",
                "re-run CPU s",
                "writes/s, 1 writer",
                "writes/s, 2 writers",
                "2 writers vs SQLite",
            ],
            rows_md,
        )
    )
    path = c.write_results(
        "cache_backends",
        {
            "machine": info,
            "articles": n,
            "repeats": repeats,
            "rows_per_writer": rows,
            "concurrency": args.concurrency,
            "filled_by": "own first runs" if args.first_runs else "SQLite's first run, rows copied",
            "postgresql": {"version": pg_version, "server": origin, "settings": pg_settings},
            "row_bytes": sum(len(str(v)) for v in template.values()),
            "results": results,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
