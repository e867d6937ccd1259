"""Keep API keys out of everything diplosum stores: output records, the cache, the report.

An endpoint (a proxy, a model told to repeat its instructions) can echo the key inside a
*successful* answer, where it would be written to the output, cached and shown in the report.
:func:`redact` replaces every secret diplosum knows of (the configured ``api_key``,
``OPENAI_API_KEY``, ``DIPLOSUM_API_KEY``) and anything shaped like an OpenAI-style key
(``sk-`` and 20 or more key characters) with ``[redacted]``. Evidence quotes are article text,
not model output, and are kept verbatim (``quote == text[start:end]`` must hold); every other
string of a summary (names, stances, the synopsis, the model's own quote wording) is redacted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["KEY_PATTERN", "REDACTED", "Redactor"]

REDACTED = "[redacted]"
#: OpenAI-style secret keys: sk-..., sk-proj-..., sk-svcacct-... (20+ key characters).
KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")
_ENV_KEYS = ("OPENAI_API_KEY", "DIPLOSUM_API_KEY")
_MIN_SECRET = 8  # a shorter "key" (a test's "x") would redact ordinary words


class Redactor:
    """Replaces known secrets and key-shaped strings with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._given = [s for s in secrets if s]

    @property
    def secrets(self) -> list[str]:
        """The secrets to remove, longest first (a key holding another is removed whole); the
        environment is read at each call, as the client reads it."""
        found = [*self._given, *(os.environ.get(name) for name in _ENV_KEYS)]
        return sorted({s for s in found if s and len(s) >= _MIN_SECRET}, key=len, reverse=True)

    def text(self, value: str) -> str:
        """``value`` without secrets."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return KEY_PATTERN.sub(REDACTED, value) if "sk-" in value else value

    def needed(self, value: str) -> bool:
        """Whether ``value`` holds anything :meth:`text` would remove."""
        return self.text(value) != value

    def data(self, value: Any, *, keep: frozenset[str] = frozenset({"quote"})) -> Any:
        """A copy of JSON-like ``value`` with every string redacted, except the values of
        ``keep`` keys (evidence quotes: article text, located by offset)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(v, keep=keep) for v in value]
        if isinstance(value, dict):
            return {
                k: v if k in keep and isinstance(v, str) else self.data(v, keep=keep)
                for k, v in value.items()
            }
        return value
