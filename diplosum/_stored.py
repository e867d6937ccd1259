"""A summariser's results in the cache: stored once paid for, served back, rebuilt locally.

A row keeps the summary, its metadata and the model's raw output. A row built by another
:data:`~diplosum._shape.BUILD_VERSION` (older evidence or normalisation rules) is rebuilt from
its raw output with this version's rules, without a model call, and stored back; metadata a
row from another version carries and this one does not know is left out. A failed write is
logged, never fatal: the answer was paid for, so the caller still gets it (with its real
usage and cost, which a budget counts).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from . import _shape
from ._article import Article
from ._cache import CacheBackend, CachedResult
from ._publish import publish
from ._redact import Redactor
from ._schema import RunMetadata, SummaryResult
from .errors import CacheError

__all__ = ["Stored"]

_log = logging.getLogger(__name__)


class Stored:
    """The cache as one summariser uses it (``cache`` None: nothing is stored)."""

    def __init__(self, cache: CacheBackend | None, shape: _shape.Shape, redactor: Redactor) -> None:
        self.cache = cache
        self.shape = shape
        self.redactor = redactor
        #: Answers that could not be written to the cache (each kept in its result anyway).
        self.write_failures = 0

    def get(self, article: Article, key: str) -> SummaryResult | None:
        """The cached result for ``article`` under ``key``, marked cached, or None."""
        if self.cache is None:
            return None
        hit = self.cache.get(key)
        if hit is None:
            return None
        summary_json, meta = hit.summary_json, json.loads(hit.meta_json)
        if meta.get("build_version", "1") != _shape.BUILD_VERSION:
            extraction = self.shape.parse(hit.raw_output or "")
            if extraction is None:
                return None
            try:
                rebuilt = publish(self.shape, article, extraction, None, self.redactor)
            except Exception as exc:  # a bug in the checks must not stop a batch
                # Served as the earlier build made it (its build_version says so), not paid
                # for again; the same error on a fresh answer is reported for that article.
                _log.warning(
                    "cache: the answer for %s could not be rebuilt by build %s (%s: %s); "
                    "served as build %s made it",
                    article.id,
                    _shape.BUILD_VERSION,
                    type(exc).__name__,
                    exc,
                    meta.get("build_version", "1"),
                )
                return self._served(article, summary_json, meta)
            summary_json = rebuilt.summary.model_dump_json()
            meta.update(
                build_version=_shape.BUILD_VERSION,
                dropped=[d.model_dump() for d in rebuilt.dropped],
                flagged=[f.model_dump() for f in rebuilt.flagged],
            )
            self._put(
                dataclasses.replace(
                    hit, summary_json=summary_json, meta_json=json.dumps(meta), created_at=""
                )
            )
        return self._served(article, summary_json, meta)

    @staticmethod
    def _served(article: Article, summary_json: str, meta: dict[str, Any]) -> SummaryResult:
        meta.update(cached=True, article_id=article.id)  # same text may come from another file
        meta = {k: v for k, v in meta.items() if k in RunMetadata.model_fields}
        return SummaryResult.model_validate({"summary": json.loads(summary_json), "meta": meta})

    def adopt(self, article: Article, old_key: str, key: str) -> SummaryResult | None:
        """The result stored under a key an earlier diplosum wrote (``old_key``), copied under
        ``key`` and served as :meth:`get` serves it (rebuilt by the current rules); None when
        there is none. The old row is left as it was."""
        if self.cache is None or old_key == key:
            return None
        hit = self.cache.get(old_key)
        if hit is None:
            return None
        _log.info("cache: a row under an earlier key format is copied to its current key")
        self._put(dataclasses.replace(hit, key=key, created_at=""))
        # a copy that could not be written (logged by _put): the old row is served as it is
        return self.get(article, key) or self.get(article, old_key)

    def put(
        self, key: str, result: SummaryResult, *, raw_output: str | None, usages: list[Any]
    ) -> None:
        """Store a fresh result (``usages``: the usage of each answered call)."""
        if self.cache is None:
            return
        self._put(
            CachedResult(
                key=key,
                article_sha256=result.meta.article_sha256,
                model=result.meta.model,
                summary_json=result.summary.model_dump_json(),
                meta_json=result.meta.model_dump_json(),
                raw_output=self.redactor.text(raw_output) if raw_output is not None else None,
                usage_json=json.dumps([u.model_dump() for u in usages]),
                latency_s=result.meta.latency_s,
                created_at="",
            )
        )

    def _put(self, row: CachedResult) -> None:
        assert self.cache is not None
        try:
            self.cache.put(row)
        except CacheError as exc:
            self.write_failures += 1
            if self.write_failures == 1:
                _log.warning(
                    "%s; the answer is kept but not cached (later failures are not repeated)",
                    exc,
                )
            else:
                _log.debug("cache write failed again: %s", exc)
