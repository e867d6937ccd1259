"""A whitespace-free llama.cpp grammar for an answer's JSON schema (the embedded model only).

llama.cpp's JSON-schema converter (``llama_cpp.llama_grammar.json_schema_to_gbnf``) lets the
model write an optional space after every ``{``, ``[``, ``:`` and ``,``; the 1.5B model takes it
nearly every time, and on the dev corpus those spaces were a fifth of its output tokens (292
tokens per answer as written, 228 for the same JSON without them): generated tokens are what an
article's seconds are spent on. This module converts the schema with llama.cpp's own converter
and removes the optional space, so the grammar admits compact JSON only; its string
characters leave out the control characters JSON forbids (llama-cpp-python's converter admits
them). The request then
carries ``grammar`` (and ``response_format`` ``text``, which leaves it in force) instead of a
``json_object`` schema. It needs llama-cpp-python in this process, which the embedded model's
extra installs; without it :func:`compact_grammar` returns None and the schema is sent as before.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

__all__ = ["compact_grammar"]

log = logging.getLogger(__name__)

_SPACE_RULE = 'space ::= " "?'
#: llama-cpp-python's string character rule (``char ::= [^"\\] | ...``) admits control
#: characters, which JSON does not: a raw line break the model wrote inside a string made the
#: answer invalid JSON and cost a re-ask (2 of the fourth held-out set's 16 articles, ~30 s
#: each). The rule llama.cpp's own converter writes leaves them out.
_CHAR_RULE_START = "char ::= "
_CHAR_RULE = (
    r'char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" '
    "[0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])"
)


@functools.lru_cache(maxsize=64)
def _convert(schema_json: str) -> str | None:
    try:
        from llama_cpp.llama_grammar import json_schema_to_gbnf
    except Exception:  # llama-cpp-python absent (or its library fails to load)
        return None
    try:
        grammar = json_schema_to_gbnf(schema_json)
    except Exception as exc:
        log.warning("llama.cpp could not convert the answer schema (%s): sending it as is", exc)
        return None
    lines = grammar.splitlines()
    if _SPACE_RULE not in lines:
        log.warning("llama.cpp's grammar has no %r rule: sending the schema as is", _SPACE_RULE)
        return None
    if not any(line.startswith(_CHAR_RULE_START) for line in lines):
        log.warning("llama.cpp's grammar has no string character rule: sending the schema as is")
        return None
    return "\n".join(_compact(line) for line in lines) + "\n"


def _compact(line: str) -> str:
    if line == _SPACE_RULE:
        return 'space ::= ""'
    if line.startswith(_CHAR_RULE_START):
        return _CHAR_RULE
    return line


def compact_grammar(schema: dict[str, Any]) -> str | None:
    """The GBNF grammar of ``schema`` with no optional whitespace, or None if llama.cpp's
    converter is not available here."""
    # Not sort_keys: the grammar writes the properties in the schema's order, which is the
    # order the model answers in (actors first, then venue, date, positions...).
    return _convert(json.dumps(schema))
