"""Cache keys: content hashes over everything that changes the answer, and where the cache is."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

#: Environment variable that overrides the cache location.
CACHE_ENV = "DIPLOSUM_CACHE"


def canonical_json(obj: object) -> str:
    """Serialise ``obj`` to one canonical JSON text: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(parts: Mapping[str, object]) -> str:
    """Return ``"blake2b:<64 hex digits>"``, the content hash of ``parts`` as canonical JSON."""
    digest = hashlib.blake2b(canonical_json(dict(parts)).encode("utf-8"), digest_size=32)
    return f"blake2b:{digest.hexdigest()}"


def default_cache_path() -> Path:
    """``$DIPLOSUM_CACHE`` if set (and non-empty), else ``<user data dir>/diplosum/cache.db``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported here: keep ``import diplosum._cache`` light

    return Path(platformdirs.user_data_dir("diplosum")) / "cache.db"
