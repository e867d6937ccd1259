"""diplosum: validated, source-grounded structured summaries of diplomatic news articles.

>>> import diplosum
>>> s = diplosum.summarise(open("article.txt").read())        # doctest: +SKIP
>>> s.mediators[0].name, s.parties, s.venue, s.proposed_date   # doctest: +SKIP

The public API is declared here, once: the names in ``__all__`` (a test pins them). Besides
this package, three modules are public: :mod:`diplosum.testing` (the fake server and fault
plans to test pipelines built on diplosum), :mod:`diplosum.local` (the embedded model's
server: ``shared_server``, ``LocalServer``, and ``stop_shared_servers`` for a program's own
signal handler)
and :mod:`diplosum.errors` (the error tree, also exported here); ``diplosum.retry`` holds the
retry policies (``RetryPolicy`` is exported here; ``set_testing`` removes waits in tests).
Every other module is internal: prefixed ``_``, or a subpackage that says so (``cli``,
``report``, ``evaluate``, ``providers``, ``normalise``).

Heavy modules load on first use, so ``import diplosum`` stays fast and loads no command-line,
report or local-server code. Library code prints nothing, installs no signal handler and
changes no global: it logs on the ``diplosum`` logger (which has a ``NullHandler``), and only
the ``diplosum`` command configures output, progress and signals.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    ArticleError,
    BudgetExceeded,
    CacheError,
    ConfigurationError,
    DiplosumError,
    ExtractionError,
    LocalModelError,
    ProviderError,
)

if TYPE_CHECKING:
    from ._article import Article, read_article
    from ._batch import asummarise_many, summarise_many
    from ._cache import Cache
    from ._defaults import asummarise, close_defaults, summarise, summarise_file
    from ._inputs import iter_articles
    from ._records import BatchItem
    from ._schema import (
        Actor,
        DiplomaticSummary,
        Evidence,
        Position,
        RunMetadata,
        SummaryResult,
        TalksDate,
        Usage,
        Venue,
    )
    from ._summariser import Summariser
    from .retry import RetryPolicy

__all__ = [
    "Actor",
    "Article",
    "ArticleError",
    "BatchItem",
    "BudgetExceeded",
    "Cache",
    "CacheError",
    "ConfigurationError",
    "DiplomaticSummary",
    "DiplosumError",
    "Evidence",
    "ExtractionError",
    "LocalModelError",
    "Position",
    "ProviderError",
    "RetryPolicy",
    "RunMetadata",
    "Summariser",
    "SummaryResult",
    "TalksDate",
    "Usage",
    "Venue",
    "__version__",
    "asummarise",
    "asummarise_many",
    "close_defaults",
    "iter_articles",
    "read_article",
    "summarise",
    "summarise_file",
    "summarise_many",
]

# Library code only logs, on the "diplosum" logger: with no handler of the program's own,
# nothing reaches stderr (not even through logging's last-resort handler).
logging.getLogger("diplosum").addHandler(logging.NullHandler())

_LAZY = {
    "Article": "_article",
    "iter_articles": "_inputs",
    "read_article": "_article",
    "BatchItem": "_records",
    "asummarise_many": "_batch",
    "summarise_many": "_batch",
    "Cache": "_cache",
    "RetryPolicy": "retry",
    "Actor": "_schema",
    "DiplomaticSummary": "_schema",
    "Evidence": "_schema",
    "Position": "_schema",
    "RunMetadata": "_schema",
    "SummaryResult": "_schema",
    "TalksDate": "_schema",
    "Usage": "_schema",
    "Venue": "_schema",
    "Summariser": "_summariser",
    "asummarise": "_defaults",
    "close_defaults": "_defaults",
    "summarise": "_defaults",
    "summarise_file": "_defaults",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'diplosum' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
