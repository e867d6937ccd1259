"""Names and text that are safe to store and to show.

Three forms of a string that may hold anything a file system or a hostile file can put in it:

* :func:`printable` is the form diplosum *stores* (article ids, sources, error messages, JSON
  and CSV output): every character that cannot be written as UTF-8 is replaced by a visible
  escape. A file name byte that is not UTF-8 reaches Python as a lone surrogate
  (``surrogateescape``, U+DC80-U+DCFF) and becomes ``\\xNN`` (the byte); any other lone
  surrogate (a JSON ``"\\ud800"`` escape) becomes ``\\udNNN``. Everything else is kept, so a
  valid name is unchanged.
* :func:`path_of` turns a stored name back into the path it came from: the ``\\xNN`` escapes
  of bytes 0x80-0xFF become those bytes again (``os.fsencode`` of the result is the original
  name), so the report can re-read an article whose file name is not UTF-8.
* :func:`visible` is the form diplosum *shows on a terminal* (``diplosum show``, the progress
  and failure lines on stderr): :func:`printable`, and also every control character (C0, DEL,
  C1: the escape sequences that move the cursor, retitle the window or rewrite the screen),
  the bidirectional overrides and isolates, and the line and paragraph separators, written as
  ``\\xNN`` / ``\\uNNNN`` so they are seen, not obeyed.
"""

from __future__ import annotations

import os
import re

__all__ = ["path_of", "printable", "visible"]

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile(r"\\x([89a-fA-F][0-9a-fA-F])")
# C0 controls, DEL, C1 controls; bidi embeddings, overrides and isolates; U+2028/U+2029.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte surrogateescape could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that UTF-8 cannot encode written as a visible escape."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escape, text)


def visible(text: object) -> str:
    """``str(text)`` made safe for a terminal: control characters are shown, not obeyed."""
    return _CONTROL.sub(_escape, str(text))


def path_of(name: str) -> str:
    """The path a :func:`printable` name stands for (``\\xNN`` escapes of bytes 0x80-0xFF back
    to those bytes, as ``os.fsdecode`` gives them); a name without such escapes is unchanged."""
    if "\\x" not in name:
        return name
    raw = _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), name)
    return os.fsdecode(os.fsencode(raw))
