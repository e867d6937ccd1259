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
