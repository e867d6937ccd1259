"""The two schemas: what the model fills, and what diplosum publishes.

:class:`Extraction` is small and LLM-facing: its field descriptions teach the
task, and its validators check, with the article passed as validation context,
that every quote is in the article. :class:`DiplomaticSummary` is the public,
JSON-serialisable result, built locally from an extraction: quotes located by
character offset, actors and dates normalised. :class:`RunMetadata` travels next
to the summary, never inside it.
"""

from __future__ import annotations

import datetime as dt
import json
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ._grounding import ArticleIndex

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorMention",
    "DateMention",
    "DiplomaticSummary",
    "Dropped",
    "Evidence",
    "Extraction",
    "Position",
    "PositionMention",
    "RunMetadata",
    "SummaryResult",
    "TalksDate",
    "Usage",
    "Venue",
    "VenueMention",
]

#: Bumped whenever the public summary or the extraction schema changes shape.
SCHEMA_VERSION = "1"

ActorKind = Literal["state", "organisation", "person", "armed_group", "other"]
TalksStatus = Literal["proposed", "agreed", "scheduled", "held", "cancelled", "unknown"]
Precision = Literal["day", "week", "month", "year"]

# --------------------------------------------------------------------------- model-facing


#: The article being validated against, for validation that runs inside instructor. (Passing it
#: as instructor's ``context=`` would make instructor render every message, article included, as
#: a Jinja template: ``{{ 7*7 }}`` in an article would reach the model as ``49``.)
GROUNDING: ContextVar[ArticleIndex | None] = ContextVar("diplosum_grounding", default=None)


def _check_quote(value: str, info: ValidationInfo) -> str:
    """Reject a quote that is not in the article (given as ``context={"index": ...}`` or
    through :data:`GROUNDING`)."""
    context = info.context or {}
    index = context.get("index", GROUNDING.get())
    if isinstance(index, ArticleIndex) and index.locate(value) is None:
        raise ValueError(
            f"this quote is not in the article: {value!r}. Copy a short passage "
            "from the article exactly, character for character, or leave the item out."
        )
    return value


class _Grounded(BaseModel):
    model_config = ConfigDict(extra="ignore")

    quote: str = Field(
        description="A short passage copied exactly from the article that shows this item."
    )

    @field_validator("quote")
    @classmethod
    def _grounded(cls, value: str, info: ValidationInfo) -> str:
        return _check_quote(value, info)


class ActorMention(_Grounded):
    """A state, organisation, armed group or person playing a role in the talks."""

    name: str = Field(description="As named in the article, e.g. 'Qatar', 'Hamas'.")
    kind: ActorKind
    represents: str | None = Field(
        default=None,
        description="For a person: the state or organisation they speak for.",
    )


class VenueMention(_Grounded):
    """Where the talks are proposed or held."""

    city: str | None = None
    country: str | None = None
    site: str | None = Field(default=None, description="A named palace, hotel or resort, if any.")


class DateMention(_Grounded):
    """When the talks take place, as the article words it."""

    text: str = Field(
        description="As written, e.g. 'May 15', 'on Thursday', 'next week'. "
        "Not the publication date."
    )


class PositionMention(_Grounded):
    """A stance an actor states in the article."""

    actor: str = Field(description="The state or organisation holding the position.")
    speaker: str | None = Field(default=None, description="The person quoted, if any.")
    stance: str = Field(
        description="One English sentence: what the actor wants, offers, rejects or supports "
        "(a stance, never a job title)."
    )


_SCHEMA_TEXT: dict[tuple[Any, ...], str] = {}


def _compact(node: Any) -> Any:
    """Drop what only costs prompt tokens (titles, null defaults); put each quote last.

    Every property is marked required (nullable ones stay nullable): a grammar-constrained
    model must then write each field, null or empty, instead of silently leaving out the
    city of a venue or the positions. Validation still uses the model's own defaults.
    """
    if isinstance(node, dict):
        out = {
            k: _compact(v)
            for k, v in node.items()
            if k != "title" and not (k == "default" and v is None)
        }
        props = out.get("properties")
        if isinstance(props, dict):
            if "quote" in props:
                props["quote"] = props.pop("quote")
            out["required"] = list(props)
        return out
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


class Extraction(BaseModel):
    """What the model reports about the talks an article is mainly about."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON schema sent to the model, without titles and null defaults (fewer tokens).

        Generated once per set of arguments (pydantic regenerates it on every call, and
        instructor asks for it on every request, on a fresh subclass with the same fields);
        each caller gets its own copy.
        """
        key = (cls.__name__, tuple(cls.model_fields), args, tuple(sorted(kwargs.items())))
        text = _SCHEMA_TEXT.get(key)
        if text is None:
            schema: dict[str, Any] = _compact(super().model_json_schema(*args, **kwargs))
            schema["title"] = cls.__name__  # the tool name in tool-calling mode
            text = _SCHEMA_TEXT[key] = json.dumps(schema)
        result: dict[str, Any] = json.loads(text)
        return result

    summary: str = Field(description="A neutral synopsis in one to three English sentences.")
    language: str = Field(default="en", description="ISO 639-1 code of the article's language.")
    talks_status: TalksStatus = Field(
        description="The talks the article is mainly about: proposed, agreed, scheduled, held, "
        "cancelled, or unknown."
    )
    mediators: list[ActorMention] = Field(
        default_factory=list,
        description="Third parties that host, facilitate or broker the talks; never one of "
        "the parties. Empty if none.",
    )
    parties: list[ActorMention] = Field(
        default_factory=list, description="The sides negotiating with each other."
    )
    venue: VenueMention | None = Field(
        default=None,
        description="Where the talks are held or proposed; null if not stated.",
    )
    talks_date: DateMention | None = Field(
        default=None,
        description="When the talks are held or proposed; null if not stated.",
    )
    positions: list[PositionMention] = Field(
        default_factory=list, description="Stances the actors state, each with its own quote."
    )

    @field_validator("venue", "talks_date", mode="before")
    @classmethod
    def _no_evidence_no_claim(cls, value: Any) -> Any:
        """A venue or date without a quote is null, not a guess."""
        if isinstance(value, dict) and not str(value.get("quote") or "").strip():
            return None
        return value

    @model_validator(mode="after")
    def _mediator_is_not_party(self, info: ValidationInfo) -> Extraction:
        parties = {p.name.strip().casefold() for p in self.parties}
        both = [m.name for m in self.mediators if m.name.strip().casefold() in parties]
        if both and not (info.context or {}).get("lenient"):
            raise ValueError(
                f"{', '.join(both)} listed as both mediator and party: a mediator is a third "
                "party, not one of the sides. Keep each actor in one list."
            )
        if both:
            self.mediators = [m for m in self.mediators if m.name not in both]
        return self


# --------------------------------------------------------------------------- public


class _Published(BaseModel):
    """A part of the public summary: a key it does not know is refused when read back.

    Not ``extra="forbid"``, which would add ``additionalProperties: false`` to the JSON schema
    of :class:`DiplomaticSummary`, and that schema is part of every cache key.
    """

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in cls.model_fields)
            if unknown:
                raise ValueError(f"unknown field(s) of {cls.__name__}: {', '.join(unknown)}")
        return data


_FORBID = ConfigDict(extra="forbid")


class Evidence(_Published):
    """A verbatim passage of the article, located by character offset.

    ``status`` says how it was found: ``segment`` (the segment the model cited, or that
    diplosum found mentioning the item: verbatim by construction), ``exact`` or ``fuzzy`` (a
    quote the model wrote, located in the article; ``extract-v1``).
    """

    quote: str = Field(description="text[start:end] of the article body.")
    start: int
    end: int
    status: Literal["exact", "fuzzy", "segment"]
    model_quote: str | None = Field(
        default=None, description="What the model wrote, when it differs from the located text."
    )
    segment: int | None = Field(
        default=None, description="The id of the article segment this passage is (from 1)."
    )


class Actor(_Published):
    name: str = Field(description="Canonical name.")
    mention: str = Field(description="As written in the article.")
    kind: ActorKind
    iso3: str | None = None
    normalised: bool = False
    evidence: list[Evidence] = Field(default_factory=list)


class Venue(_Published):
    city: str | None = None
    country: str | None = None
    iso3: str | None = None
    site: str | None = None
    normalised: bool = False
    evidence: Evidence


class TalksDate(_Published):
    date: dt.date | None = Field(
        default=None, description="The day, or the first day of the month/year/range."
    )
    end: dt.date | None = Field(default=None, description="Last day of a range.")
    precision: Precision | None = None
    text: str = Field(description="As written in the article.")
    evidence: Evidence


class Position(_Published):
    actor: str = Field(description="Canonical name of the actor holding the position.")
    speaker: str | None = None
    stance: str
    evidence: Evidence


class DiplomaticSummary(_Published):
    """The published summary of one article."""

    headline: str | None = None
    published: dt.date | None = None
    language: str = "en"
    summary: str
    talks_status: TalksStatus = "unknown"
    mediators: list[Actor] = Field(default_factory=list)
    parties: list[Actor] = Field(default_factory=list)
    venue: Venue | None = None
    proposed_date: TalksDate | None = None
    positions: list[Position] = Field(default_factory=list)


class Usage(BaseModel):
    model_config = _FORBID

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class Dropped(BaseModel):
    """An item the model produced that could not be grounded and was left out."""

    model_config = _FORBID

    field: str
    item: str
    reason: str


class RunMetadata(BaseModel):
    """How a summary was produced: versions, model, usage, attempts, what was dropped."""

    model_config = _FORBID

    diplosum_version: str
    schema_version: str = SCHEMA_VERSION
    build_version: str = Field(
        default="1", description="Version of the local grounding and normalisation step."
    )
    model: str
    provider: str
    prompt_version: str
    prompt_hash: str
    article_id: str
    article_sha256: str
    usage: Usage = Field(default_factory=Usage)
    attempts_usage: list[Usage] = Field(
        default_factory=list, description="The usage of each answered model call."
    )
    attempts: int = Field(
        default=0, description="Model calls made: the first request and each validation re-ask."
    )
    http_attempts: int = Field(
        default=0, description="HTTP requests sent for those calls, transport retries included."
    )
    dropped: list[Dropped] = Field(default_factory=list)
    truncated: bool = False
    latency_s: float = 0.0
    cached: bool = False
    cost_usd: float | None = None
    incomplete: bool = Field(
        default=False,
        description="The endpoint failed during a re-ask (5xx, 429, a lost connection) and "
        "the answer before it was kept: not cached, and redone by the next run.",
    )
    flagged: list[Dropped] = Field(
        default_factory=list,
        description="Items kept whose only evidence reads as an instruction to the model, "
        "not as reporting (possible prompt injection): check them.",
    )
    batch_round: int | None = Field(
        default=None,
        description="Which round of the provider's Batch API produced the answer: 1 the first "
        "batch, 2 and up a batch of re-asks, 0 a direct re-ask after a batch; None: no batch.",
    )


class SummaryResult(BaseModel):
    """A summary and the metadata of the run that produced it."""

    model_config = _FORBID

    summary: DiplomaticSummary
    meta: RunMetadata
