"""The output record of ``diplosum summarise``: one per article, success or failure."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .schema import DiplomaticSummary, Dropped, Usage

__all__ = ["ErrorInfo", "OutputRecord", "output_record_schema"]


class ErrorInfo(BaseModel):
    type: str = Field(description="The error class, e.g. ArticleError, ProviderError.")
    message: str = Field(description="What went wrong, naming the file.")
    attempts: int = 0


class OutputRecord(BaseModel):
    """One line of ``diplosum summarise`` output."""

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
    attempts: int = 0
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


def output_record_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`OutputRecord`."""
    return OutputRecord.model_json_schema()
