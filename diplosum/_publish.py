"""From the model's parsed answer to the published summary.

The prompt's shape builds the summary (evidence from the cited segments or located quotes,
each item checked against it, names normalised: :mod:`diplosum._evidence`,
:mod:`diplosum._shape`); secrets a model echoed are removed (quotes are article text and stay
verbatim); items whose only evidence reads as an instruction to the model are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._article import Article
from ._injection import flag_instructions
from ._redact import Redactor
from ._schema import DiplomaticSummary, Dropped, Usage
from ._shape import Shape
from .errors import ExtractionError

__all__ = ["Published", "publish", "strict_error"]


@dataclass(frozen=True, slots=True)
class Published:
    """A summary, what was left out of it (``dropped``) and what to check in it (``flagged``)."""

    summary: DiplomaticSummary
    dropped: list[Dropped]
    flagged: list[Dropped]

    @property
    def unverified(self) -> list[Dropped]:
        """Items left out because the article does not show them (a mediator demoted to another
        role, or moved to the parties, is not one)."""
        return [d for d in self.dropped if not d.reason.startswith(("demoted", "moved"))]


def publish(
    shape: Shape, article: Article, extraction: Any, segments: Any, redactor: Redactor
) -> Published:
    """The summary of ``article`` from ``extraction`` (``segments``: the ones the model saw)."""
    summary, dropped = shape.build(article, extraction, segments)
    summary, dropped = _redacted(summary, dropped, redactor)
    return Published(summary, dropped, flag_instructions(summary))


def _redacted(
    summary: DiplomaticSummary, dropped: list[Dropped], redactor: Redactor
) -> tuple[DiplomaticSummary, list[Dropped]]:
    text = summary.model_dump_json() + "".join(d.item + d.reason for d in dropped)
    if not redactor.needed(text):
        return summary, dropped
    clean = redactor.data(summary.model_dump(mode="json"))
    return DiplomaticSummary.model_validate(clean), [
        Dropped(field=d.field, item=redactor.text(d.item), reason=redactor.text(d.reason))
        for d in dropped
    ]


def strict_error(
    article_id: str,
    unverified: list[Dropped],
    *,
    last_output: str | None,
    attempts: int,
    http_attempts: int,
    usage: Usage,
) -> ExtractionError:
    """The error of a strict run whose answer named items the article does not show."""
    reason = "; ".join(f"{d.field} {d.item!r}: {d.reason}" for d in unverified)
    return ExtractionError(
        f"{article_id}: {len(unverified)} item(s) not shown by the article (strict): {reason}"[
            :2000
        ],
        errors=reason,
        last_output=last_output,
        article_id=article_id,
        attempts=attempts,
        http_attempts=http_attempts,
        usage=usage.model_dump(),
    )
