"""``diplosum.summarise``, ``asummarise`` and ``summarise_file``: one call, one article.

Each reuses a :class:`~diplosum.Summariser` per model and options, so repeated calls share
its HTTP clients and cache. At most :data:`MAX_DEFAULTS` are kept: the least recently used
one is closed when another is needed, and :func:`close_defaults` closes them all (a program
that embeds diplosum calls it when it is done; nothing is registered to run at exit).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ._schema import DiplomaticSummary
from ._summariser import Summariser

__all__ = ["MAX_DEFAULTS", "asummarise", "close_defaults", "summarise", "summarise_file"]

#: How many default summarisers (distinct model and options) are kept open at once.
MAX_DEFAULTS = 8

_DEFAULTS: OrderedDict[tuple[Any, ...], Summariser] = OrderedDict()
_LOCK = threading.Lock()


def _close(s: Summariser) -> None:
    s.close()  # its async clients belong to event loops that have ended: dropped with it
    if s.cache is not None:
        s.cache.close()  # reopened on next use by anyone else holding it


def _default(model: str | None, options: dict[str, Any]) -> Summariser:
    key = (model, tuple(sorted((k, repr(v)) for k, v in options.items())))
    with _LOCK:
        s = _DEFAULTS.get(key)
        if s is not None:
            _DEFAULTS.move_to_end(key)
            return s
    s = Summariser(model, **options)  # outside the lock: it may read files, never the network
    with _LOCK:
        s = _DEFAULTS.setdefault(key, s)
        _DEFAULTS.move_to_end(key)
        evicted = []
        while len(_DEFAULTS) > MAX_DEFAULTS:
            evicted.append(_DEFAULTS.popitem(last=False)[1])
    for old in evicted:
        _close(old)
    return s


def close_defaults() -> None:
    """Close every summariser the one-call functions keep (their clients and caches)."""
    with _LOCK:
        kept = list(_DEFAULTS.values())
        _DEFAULTS.clear()
    for s in kept:
        _close(s)


def summarise(text: str, *, model: str | None = None, **options: Any) -> DiplomaticSummary:
    """Summarise one article's text. ``options`` are :class:`Summariser` arguments."""
    return _default(model, options).summarise(text)


async def asummarise(text: str, *, model: str | None = None, **options: Any) -> DiplomaticSummary:
    """Async twin of :func:`summarise`."""
    return await _default(model, options).asummarise(text)


def summarise_file(
    path: str | os.PathLike[str], *, model: str | None = None, **options: Any
) -> DiplomaticSummary:
    """Read a file and summarise it. ``options`` are :class:`Summariser` arguments."""
    return _default(model, options).summarise_file(Path(path))
