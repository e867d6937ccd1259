"""``diplosum cache``: where the cache is, what it holds, clearing it."""

from __future__ import annotations

import argparse
import json

from ._common import EXIT_OK, eprint

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """``diplosum cache stats|clear|path``."""
    from .._cache import Cache, default_cache_path

    path = args.cache or default_cache_path()
    if args.action == "path":
        print(path)
        return EXIT_OK
    with Cache(path) as cache:
        if args.action == "clear":
            eprint(f"diplosum: removed {cache.clear()} cached result(s) from {path}")
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
