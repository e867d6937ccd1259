"""``diplosum cache``: where the cache is, what it holds, clearing it (SQLite or PostgreSQL)."""

from __future__ import annotations

import argparse
import json

from ._common import EXIT_OK, eprint

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """``diplosum cache stats|clear|path``."""
    from .._cache import open_cache

    with open_cache(args.cache) as cache:  # None: DIPLOSUM_CACHE, else the user data folder
        if args.action == "path":
            print(cache.location)  # a URL's password redacted
            return EXIT_OK
        if args.action == "clear":
            eprint(f"diplosum: removed {cache.clear()} cached result(s) from {cache.location}")
            return EXIT_OK
        st = cache.stats()
        print(
            json.dumps(
                {
                    "path": str(st.path),
                    "entries": st.entries,
                    "size_bytes": st.size_bytes,
                    "models": st.models,
                    "oldest": st.oldest,
                    "newest": st.newest,
                },
                indent=2,
            )
        )
    return EXIT_OK
