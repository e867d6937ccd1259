"""The cache's schema as ordered, named migrations (append only)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import TypeAlias

#: A named schema step: SQL text (one or more statements) or a callable given the connection.
#: It runs inside the migration transaction; it must not commit.
Migration: TypeAlias = tuple[str, str | Callable[[sqlite3.Connection], None]]

#: Applied in order, each once, recorded by name in ``_migrations``. Append only: never edit or
#: reorder a released step (tests/test_cache.py pins the resulting schema).
MIGRATIONS: list[Migration] = [
    (
        "m001_results",
        """
        CREATE TABLE results (
            key TEXT PRIMARY KEY,
            article_sha256 TEXT NOT NULL,
            model TEXT NOT NULL,
            summary_json TEXT NOT NULL,
            meta_json TEXT NOT NULL,
            raw_output TEXT,
            usage_json TEXT NOT NULL,
            latency_s REAL NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX idx_results_article_sha256 ON results (article_sha256);
        CREATE INDEX idx_results_created_at ON results (created_at);
        """,
    ),
    (
        # The provider Batch API: each job (a batch of one round), the cache keys it covers,
        # and every line its output and error files held (stored once downloaded, so that an
        # interrupted run resumes the same batch and nothing is downloaded or paid for twice).
        "m002_batch_jobs",
        """
        CREATE TABLE batch_jobs (
            job_id TEXT PRIMARY KEY,
            round INTEGER NOT NULL,
            endpoint TEXT NOT NULL,
            state TEXT NOT NULL,
            batch_id TEXT,
            input_file_id TEXT,
            output_file_id TEXT,
            error_file_id TEXT,
            detail TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE batch_job_keys (
            job_id TEXT NOT NULL REFERENCES batch_jobs (job_id),
            key TEXT NOT NULL,
            PRIMARY KEY (job_id, key)
        );
        CREATE INDEX idx_batch_job_keys_key ON batch_job_keys (key);
        CREATE TABLE batch_answers (
            key TEXT NOT NULL,
            round INTEGER NOT NULL,
            job_id TEXT NOT NULL,
            line_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (key, round)
        );
        """,
    ),
]

_MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
)


def _statements(script: str) -> Iterator[str]:
    """Split an SQL script into complete statements (``executescript`` would commit)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            if statement != ";":
                yield statement
            pending = ""
    if pending.strip(" \t\n;"):
        raise ValueError(f"incomplete SQL statement: {pending.strip()!r}")
