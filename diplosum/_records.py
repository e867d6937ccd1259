"""The outcome of one article: the one record diplosum writes, reads back and shows.

:class:`OutputRecord` (also exported as ``diplosum.BatchItem``) is what the batch yields, what
every writer writes (one JSON line, or one CSV row through :data:`CSV_COLUMNS`), and what
``show``, ``report`` and ``eval`` read back (:func:`read_records`): a success with its
:class:`~diplosum.DiplomaticSummary`, or a failure with its :class:`ErrorInfo`. Records
made by the batch also hold the full :class:`~diplosum.RunMetadata` of the run
(:attr:`OutputRecord.meta`; it is not written, so a record read from a file has none).

Reading is strict: a key the type does not know is an error (``extra="forbid"``), so a drift
between what is written and what is read cannot pass unnoticed; fields added since the first
release have defaults, so older outputs still read.

``attempts`` counts model calls (the first request and each validation re-ask, answered or
not); ``http_attempts`` counts the HTTP requests behind them, transport retries included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ._schema import SCHEMA_VERSION, DiplomaticSummary, Dropped, RunMetadata, SummaryResult, Usage
from ._version import __version__

if TYPE_CHECKING:
    from ._article import Article

__all__ = [
    "CSV_COLUMNS",
    "CSV_FIELDS",
    "BatchItem",
    "ErrorInfo",
    "OutputRecord",
    "RecordsRead",
    "Skipped",
    "csv_row",
    "output_record_schema",
    "read_records",
    "reread_article",
]


class ErrorInfo(BaseModel):
    """Why an article failed."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The error class, e.g. ArticleError, ProviderError.")
    message: str = Field(description="What went wrong, naming the file.")
    attempts: int = Field(default=0, description="Model calls made (as the record's attempts).")


class _RunLabels(Protocol):
    """What a failure record needs from the summariser that was running (duck-typed)."""

    @property
    def model_label(self) -> str: ...
    @property
    def prompt_version(self) -> str: ...
    @property
    def prompt_hash(self) -> str: ...
    def cost(self, usage: Usage) -> float | None: ...
    def redact(self, text: str) -> str: ...


class OutputRecord(BaseModel):
    """One article's outcome: one line of ``diplosum summarise`` output."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="File name, or the record's id for JSON/JSONL input.")
    source: str | None = Field(description="Path of the input file (with :LINE for JSONL).")
    article_sha256: str | None = Field(description="sha256 of the article body diplosum holds.")
    status: Literal["ok", "error"]
    summary: DiplomaticSummary | None = None
    error: ErrorInfo | None = None
    usage: Usage | None = None
    cost_usd: float | None = Field(
        default=None, description="None when the model's price is unknown."
    )
    cached: bool = False
    model: str | None = None
    prompt_version: str | None = None
    prompt_hash: str | None = None
    schema_version: str
    diplosum_version: str
    attempts: int = Field(
        default=0,
        description="Model calls made: the first request and each validation re-ask.",
    )
    http_attempts: int = Field(
        default=0,
        description="HTTP requests sent for those calls, transport retries included.",
    )
    dropped: list[Dropped] = Field(default_factory=list)
    truncated: bool = False
    latency_s: float = 0.0
    incomplete: bool = Field(
        default=False,
        description="The endpoint failed during a re-ask (5xx, 429, a lost connection) and "
        "the answer before it was kept: not cached; a resumed run redoes it.",
    )
    flagged: list[Dropped] = Field(
        default_factory=list,
        description="Items kept whose only evidence reads as an instruction to the model "
        "(possible prompt injection): check them.",
    )
    batch_round: int | None = Field(
        default=None,
        description="Which round of the provider's Batch API produced the answer: 1 the first "
        "batch, 2 and up a batch of re-asks, 0 a direct re-ask after a batch; None: no batch.",
    )
    _meta: RunMetadata | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ views

    @property
    def meta(self) -> RunMetadata | None:
        """The run's full metadata (records made by the batch; None for failures and for
        records read from a file)."""
        return self._meta

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def total_tokens(self) -> int:
        return self.usage.total_tokens if self.usage is not None else 0

    @property
    def summary_json(self) -> str | None:
        """The summary as JSON (None for failures)."""
        return self.summary.model_dump_json() if self.summary is not None else None

    def record(self) -> dict[str, Any]:
        """The record as JSON data (one line of ``diplosum summarise``)."""
        return self.model_dump(mode="json")

    def json_line(self) -> str:
        return json.dumps(self.record(), ensure_ascii=False)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_result(cls, article: Article, result: SummaryResult) -> OutputRecord:
        """The record of a summary (fresh or cached) of ``article``."""
        m = result.meta
        rec = cls(
            id=article.id,
            source=article.source,
            article_sha256=article.sha256,
            status="ok",
            summary=result.summary,
            usage=m.usage,
            cost_usd=m.cost_usd,
            cached=m.cached,
            model=m.model,
            prompt_version=m.prompt_version,
            prompt_hash=m.prompt_hash,
            schema_version=m.schema_version,
            diplosum_version=m.diplosum_version,
            attempts=m.attempts,
            http_attempts=m.http_attempts,
            dropped=m.dropped,
            truncated=m.truncated,
            latency_s=m.latency_s,
            incomplete=m.incomplete,
            flagged=m.flagged,
            batch_round=m.batch_round,
        )
        rec._meta = m
        return rec

    @classmethod
    def failure(
        cls,
        exc: BaseException,
        *,
        summariser: _RunLabels | None,
        article: Article | None = None,
        source: str | None = None,
    ) -> OutputRecord:
        """The record of ``exc`` for ``article`` (or an input at ``source`` that never became
        one); ``summariser`` supplies the model, prompt, price and redaction."""
        from ._names import printable

        context: dict[str, Any] = getattr(exc, "context", None) or {}
        usage = Usage.model_validate(context.get("usage") or {})
        attempts = int(context.get("attempts", 0) or 0)
        src = article.source if article else source
        message = summariser.redact(str(exc)) if summariser is not None else str(exc)
        return cls(
            id=article.id if article else (Path(src).name if src else "?"),
            source=src,
            article_sha256=article.sha256 if article else None,
            status="error",
            # A file name that is not UTF-8 escaped; an API key the endpoint echoed removed.
            error=ErrorInfo(type=type(exc).__name__, message=printable(message), attempts=attempts),
            usage=usage,
            cost_usd=summariser.cost(usage) if summariser is not None else None,
            model=summariser.model_label if summariser is not None else None,
            prompt_version=summariser.prompt_version if summariser is not None else None,
            prompt_hash=summariser.prompt_hash if summariser is not None else None,
            schema_version=SCHEMA_VERSION,
            diplosum_version=__version__,
            attempts=attempts,
            http_attempts=int(context.get("http_attempts", 0) or 0),
        )


#: The name the public API gives the record (``diplosum.BatchItem``): the outcome of a batch.
BatchItem = OutputRecord


def output_record_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`OutputRecord`."""
    return OutputRecord.model_json_schema()


# --------------------------------------------------------------------------- CSV


def _joined(values: list[str]) -> str:
    return "; ".join(values)


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    field: str  # the OutputRecord field it comes from
    value: Callable[[OutputRecord], Any]


def _summary(attr: Callable[[DiplomaticSummary], Any]) -> Callable[[OutputRecord], Any]:
    return lambda r: attr(r.summary) if r.summary is not None else None


def _iso(s: DiplomaticSummary, which: Literal["date", "end"]) -> str | None:
    day = getattr(s.proposed_date, which) if s.proposed_date is not None else None
    return day.isoformat() if day is not None else None


def _col(name: str, field: str | None = None) -> _Column:
    """A column holding a record field as is."""
    key = field or name
    return _Column(name, key, lambda r: getattr(r, key))


#: The CSV columns, in order: each is one field of :class:`OutputRecord`, flattened (list fields
#: joined with "; " or counted, evidence omitted). Every field of the record has a column
#: (``tests/test_records.py`` checks it), so the CSV cannot fall behind the record.
CSV_COLUMNS: tuple[_Column, ...] = (
    _col("id"),
    _col("source"),
    _col("article_sha256"),
    _col("status"),
    _Column("headline", "summary", _summary(lambda s: s.headline)),
    _Column(
        "published",
        "summary",
        _summary(lambda s: s.published.isoformat() if s.published else None),
    ),
    _Column("talks_status", "summary", _summary(lambda s: s.talks_status)),
    _Column("mediators", "summary", _summary(lambda s: _joined([a.name for a in s.mediators]))),
    _Column("parties", "summary", _summary(lambda s: _joined([a.name for a in s.parties]))),
    _Column("venue_city", "summary", _summary(lambda s: s.venue.city if s.venue else None)),
    _Column("venue_country", "summary", _summary(lambda s: s.venue.country if s.venue else None)),
    _Column("venue_iso3", "summary", _summary(lambda s: s.venue.iso3 if s.venue else None)),
    _Column("venue_site", "summary", _summary(lambda s: s.venue.site if s.venue else None)),
    _Column("proposed_date", "summary", _summary(lambda s: _iso(s, "date"))),
    _Column("proposed_date_end", "summary", _summary(lambda s: _iso(s, "end"))),
    _Column(
        "proposed_date_text",
        "summary",
        _summary(lambda s: s.proposed_date.text if s.proposed_date else None),
    ),
    _Column(
        "positions",
        "summary",
        _summary(lambda s: _joined([f"{p.actor}: {p.stance}" for p in s.positions])),
    ),
    _Column("summary", "summary", _summary(lambda s: s.summary)),
    _Column("error_type", "error", lambda r: r.error.type if r.error else None),
    _Column("error_message", "error", lambda r: r.error.message if r.error else None),
    _Column("prompt_tokens", "usage", lambda r: r.usage.prompt_tokens if r.usage else None),
    _Column("completion_tokens", "usage", lambda r: r.usage.completion_tokens if r.usage else None),
    _Column("total_tokens", "usage", lambda r: r.usage.total_tokens if r.usage else None),
    _col("cost_usd"),
    _col("cached"),
    _col("model"),
    _col("prompt_version"),
    _col("prompt_hash"),
    _col("schema_version"),
    _col("diplosum_version"),
    _col("attempts"),
    _Column("dropped", "dropped", lambda r: len(r.dropped)),
    _col("latency_s"),
    # Added after the first CSV layout: appended, so the earlier columns keep their places.
    _col("http_attempts"),
    _col("truncated"),
    _col("incomplete"),
    _Column("flagged", "flagged", lambda r: len(r.flagged)),
    _col("batch_round"),
)
#: The CSV header.
CSV_FIELDS: list[str] = [c.name for c in CSV_COLUMNS]


def csv_row(record: OutputRecord) -> dict[str, Any]:
    """One record flattened for CSV (see :data:`CSV_COLUMNS`)."""
    return {c.name: c.value(record) for c in CSV_COLUMNS}


# --------------------------------------------------------------------------- reading back


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line of an output file that is not a record: its number, whether it is JSON at
    all, and pydantic's reason."""

    line: int
    is_json: bool
    reason: str


@dataclass(slots=True)
class RecordsRead:
    """What an output file holds, in file order: records, and the lines that were not records
    (for the caller to say: the library prints nothing)."""

    entries: list[OutputRecord | Skipped]

    @property
    def records(self) -> list[OutputRecord]:
        return [e for e in self.entries if isinstance(e, OutputRecord)]

    @property
    def skipped(self) -> list[Skipped]:
        return [e for e in self.entries if isinstance(e, Skipped)]


def read_records(path: str | os.PathLike[str]) -> RecordsRead:
    """Read the output records of ``diplosum summarise``; lines that are not records are
    skipped and listed in :attr:`RecordsRead.skipped`. Raises
    :class:`~diplosum.errors.ArticleError` if the file cannot be read."""
    from ._jsonl import jsonl_lines
    from .errors import ArticleError

    try:
        # Split on "\n" only: str.splitlines() would cut a record at U+2028, U+2029 or U+0085.
        lines = list(jsonl_lines(path))
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    entries: list[OutputRecord | Skipped] = []
    for n, line in lines:
        if not line.strip():
            continue
        try:
            entries.append(OutputRecord.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            entries.append(Skipped(n, first["type"] != "json_invalid", first["msg"]))
    return RecordsRead(entries)


def reread_article(
    source: str, sha256: str | None, *, base: Path | None = None
) -> tuple[Article | None, str]:
    """Read the article a record was made from again, and say whether it is the same text.

    ``source`` is a path, or ``PATH.jsonl:LINE``; a relative path not found from the working
    folder is tried against ``base``. The state is ``"ok"`` (same sha256), ``"changed"``,
    ``"missing"``, ``"unreadable"`` or ``"unchecked"`` (no sha256 to compare).
    """
    import re

    from ._article import parse_record, read_article
    from ._jsonl import jsonl_line
    from ._names import path_of
    from .errors import ArticleError

    match = re.fullmatch(r"(.+\.jsonl):(\d+)", source, re.IGNORECASE)
    name = match[1] if match else source
    path = _existing(Path(name), base)
    if path is None and path_of(name) != name:  # a file name that is not UTF-8, stored escaped
        path = _existing(Path(path_of(name)), base)
    if path is None:
        return None, "missing"
    try:
        if match is None:
            article = read_article(path)
        else:
            lineno = int(match[2])
            raw = jsonl_line(path, lineno)  # numbered as the batch numbers its inputs
            record = json.loads(raw.decode("utf-8")) if raw is not None else None
            article = parse_record(record, source=source, default_id=f"{path.name}:{lineno}")
    except (ArticleError, OSError, UnicodeDecodeError, ValueError):
        return None, "unreadable"
    if sha256 is None:
        return article, "unchecked"
    return article, "ok" if article.sha256 == sha256 else "changed"


def _existing(path: Path, base: Path | None) -> Path | None:
    """``path`` if it exists, else ``base / path`` for a relative one that does; else None."""
    if path.exists():
        return path
    if base is not None and not path.is_absolute() and (base / path).exists():
        return base / path
    return None
