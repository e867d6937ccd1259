"""Cache keys: content hashes over everything that changes the answer, and where the cache is."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: Environment variable that overrides the cache location (a file path or a PostgreSQL URL).
CACHE_ENV = "DIPLOSUM_CACHE"

#: URL schemes that name a PostgreSQL cache rather than a SQLite file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

_PASSWORD_PARAM = re.compile(r"(?i)((?:^|&)password=)[^&]*")


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


def default_cache_spec() -> str | Path:
    """Where the cache is: ``$DIPLOSUM_CACHE`` as given if it is a PostgreSQL URL, else
    :func:`default_cache_path`."""
    override = os.environ.get(CACHE_ENV, "")
    if is_postgres_url(override):
        return override
    return default_cache_path()


def is_postgres_url(spec: str | os.PathLike[str]) -> bool:
    """True if ``spec`` is a ``postgresql://`` or ``postgres://`` URL (any case)."""
    return isinstance(spec, str) and spec[:13].lower().startswith(POSTGRES_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` with its password (in the authority or a ``password=`` parameter) as ``***``;
    a URL without one is returned as given."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not parseable: show the scheme only
        return url.split("://", 1)[0] + "://***"
    netloc, query = parts.netloc, parts.query
    userinfo, at, hosts = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
    query = _PASSWORD_PARAM.sub(r"\1***", query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
