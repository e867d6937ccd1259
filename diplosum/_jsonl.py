"""Read JSON Lines the one way diplosum writes them: records end at ``"\\n"``, nowhere else.

``str.splitlines()`` also ends a line at ``\\r``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, U+0085,
U+2028 and U+2029. JSON escapes the C0 controls, but ``json.dumps(..., ensure_ascii=False)``
writes U+0085, U+2028 and U+2029 raw inside a string, so a record holding one (a headline, a
quote) would be cut in two. Every JSON Lines reader of diplosum (``show``, ``report``,
``eval``, resumed outputs, inputs) numbers lines as these helpers do, so that a
``PATH.jsonl:LINE`` source names the same record everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

__all__ = ["jsonl_line", "jsonl_lines"]


def _raw_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:  # binary iteration splits on b"\n" only
        yield from enumerate(fh, start=1)


def _strip(raw: bytes) -> bytes:
    raw = raw[:-1] if raw.endswith(b"\n") else raw
    return raw[:-1] if raw.endswith(b"\r") else raw


def jsonl_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for every line of ``path`` (from 1; the ``\\n`` and a ``\\r``
    before it removed; bytes that are not UTF-8 become U+FFFD). Raises ``OSError``."""
    for lineno, raw in _raw_lines(path):
        yield lineno, _strip(raw).decode("utf-8", errors="replace")


def jsonl_line(path: str | os.PathLike[str], lineno: int) -> bytes | None:
    """The raw bytes of line ``lineno`` (from 1) of ``path``, or None past its end."""
    if lineno < 1:
        return None
    for n, raw in _raw_lines(path):
        if n == lineno:
            return _strip(raw)
    return None
