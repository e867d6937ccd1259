"""The exceptions diplosum raises.

Every error diplosum raises on purpose derives from :class:`DiplosumError`,
so ``except diplosum.DiplosumError`` catches them all. The tree::

    DiplosumError
    ├── ArticleError          an input could not be read as an article (names the file)
    ├── ConfigurationError    a bad option, model spec, prompt file or missing extra
    │   └── LocalModelError   local weights missing/corrupt, or the llama.cpp server failed
    ├── ProviderError         the model endpoint failed after transport retries (status code)
    ├── ExtractionError       the model's output never validated within the re-ask budget
    ├── CacheError            the SQLite cache could not be opened, migrated or written
    └── BudgetExceeded        a batch reached its ``--budget`` and stopped starting calls

Each error carries the context a user needs (article id, attempts, status
code, last raw output) as attributes, prints it in ``str()``, and pickles,
so errors can cross process boundaries in batch runs. The CLI alone turns
them into exit codes and messages.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArticleError",
    "BudgetExceeded",
    "CacheError",
    "ConfigurationError",
    "DiplosumError",
    "ExtractionError",
    "LocalModelError",
    "ProviderError",
]


class DiplosumError(Exception):
    """Base class of every error diplosum raises on purpose."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = context
        for key, value in context.items():
            setattr(self, key, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.context))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[DiplosumError], message: str, context: dict[str, Any]) -> DiplosumError:
    err = cls.__new__(cls)
    DiplosumError.__init__(err, message, **context)
    return err


class ArticleError(DiplosumError):
    """An input could not be turned into an article.

    Attributes: ``source`` (the file path or record id) and ``reason``.
    """

    source: str | None
    reason: str

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        from ._names import printable  # a file name that is not UTF-8 stays writable

        source = printable(source) if isinstance(source, str) else source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{reason}", source=source, reason=reason)


class ConfigurationError(DiplosumError):
    """A bad option, model specification, prompt file or a missing optional extra."""


class LocalModelError(ConfigurationError):
    """Local weights are missing or corrupt, or the llama.cpp server failed to start.

    ``log_tail`` holds the last lines of the server's log when it failed (``log_path`` the
    whole log); a weights hash mismatch carries ``expected_sha256`` and ``actual_sha256``.
    """

    log_tail: str | None
    log_path: str | None
    expected_sha256: str | None
    actual_sha256: str | None


class ProviderError(DiplosumError):
    """The model endpoint failed after transport retries were exhausted.

    Attributes: ``status_code`` (None for timeouts and connection errors), ``attempts``
    (model calls made, the failed one included), ``http_attempts`` (HTTP requests sent,
    transport retries included), ``article_id``, ``body`` (the error body, truncated).
    """

    status_code: int | None
    attempts: int
    http_attempts: int
    article_id: str | None


class ExtractionError(DiplosumError):
    """The model's output did not validate within the re-ask budget.

    Attributes: ``article_id``, ``attempts`` (model calls made), ``http_attempts`` (HTTP
    requests sent for them), ``errors`` (the last validation message) and ``last_output`` (the
    last raw output).
    """

    article_id: str | None
    attempts: int
    http_attempts: int
    errors: str
    last_output: str | None


class CacheError(DiplosumError):
    """The SQLite cache could not be opened, migrated or written (``path``)."""


class BudgetExceeded(DiplosumError):
    """A batch reached its dollar budget; no new model calls are started (``spent_usd``)."""
