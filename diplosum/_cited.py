"""The model-facing extraction of the segment prompts (``extract-v2``): items cite segments.

The article reaches the model as numbered segments (:mod:`diplosum._segments`). Instead of
copying quotes, which small models cannot do reliably, the model names each actor once with
its role in the talks (``party`` / ``mediator`` / ``other``) and cites the segment ids that
show it; the venue, the date phrase and every position cite one segment too. Evidence is then
the cited segment itself, located by offset: nothing the model writes is ever shown as
evidence.

Two shapes, measured against each other (``README.md``, Evaluation):

- :class:`CitedExtraction` (``extract-v2``): every item cites segments.
- :class:`NamedExtraction` (``extract-v2-align``): actors, venue and date carry no ids; diplosum
  finds the segments that mention them. Positions still cite a segment.

For an endpoint with a llama.cpp grammar the ids are constrained to those of the article
(:func:`constrain_ids`, an ``enum`` per request); for tool-calling and ``json_schema``
endpoints the validators below reject an id the article does not have, and instructor re-asks.
Every list and free-text field is bounded (``maxItems`` / ``maxLength``), so a run-away
generation ends within the grammar instead of at ``max_tokens``.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ._segments import Segments

__all__ = [
    "SEGMENTS",
    "BriefExtraction",
    "CitedActor",
    "CitedDate",
    "CitedExtraction",
    "CitedPosition",
    "CitedVenue",
    "ListedActor",
    "ListedExtraction",
    "NamedActor",
    "NamedDate",
    "NamedExtraction",
    "NamedVenue",
    "constrain_ids",
    "segment_schema",
]

ActorKind = Literal["state", "organisation", "person", "armed_group", "other"]
Role = Literal["party", "mediator", "other"]
TalksStatus = Literal["proposed", "agreed", "scheduled", "held", "cancelled", "unknown"]

#: The segments of the article being validated (set per call, like ``schema.GROUNDING``).
SEGMENTS: ContextVar[Segments | None] = ContextVar("diplosum_segments", default=None)

_MAX_ACTORS = 8
_MAX_POSITIONS = 6
_MAX_CITED_ACTOR = 2
_REPEAT = re.compile(r"\b(\w+(?:\W+\w+){0,3})(?:\W+\1\b){3,}", re.IGNORECASE)


def _check_ids(ids: list[int], info: ValidationInfo) -> list[int]:
    context = info.context or {}
    segments = context.get("segments", SEGMENTS.get())
    if isinstance(segments, Segments):
        bad = [i for i in ids if segments.get(i) is None]
        if bad:
            raise ValueError(
                f"segment {bad[0]} does not exist: this article has segments 1 to "
                f"{len(segments)}. Cite the number in brackets before the sentence that "
                "shows the item."
            )
    return ids


#: What a model writes for a value the article does not give: it means null, not an item.
_PLACEHOLDERS = frozenset(
    ["unknown", "none", "null", "n/a", "na", "not specified", "not mentioned", "not given",
     "unspecified", "tbd", "to be determined", "to be announced", "-", ""]
)  # fmt: skip


def _unless_placeholder(value: Any) -> Any:
    """``None`` for a placeholder ("unknown", "N/A", "not specified"), else ``value``."""
    if isinstance(value, str) and value.strip().strip(".").casefold() in _PLACEHOLDERS:
        return None
    return value


def _no_loop(value: str | None) -> str | None:
    """A phrase repeated four times in a row is a run-away generation, not an answer."""
    if value and _REPEAT.search(value):
        raise ValueError(f"this text repeats itself: {value[:80]!r}; write it once")
    return value


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NamedActor(_Item):
    """A state, organisation, armed group or person taking part in or around the talks.

    No ``kind``: the normaliser knows it for states, organisations and armed groups, and every
    output token costs ~0.1 s on a CPU.
    """

    name: str = Field(max_length=80, description="As named in the article, e.g. 'Qatar'.")
    role: Role = Field(
        description="party: a side that negotiates. mediator: a third party that hosts, "
        "facilitates, brokers, guarantees or mediates the talks. other: anyone else."
    )


def _segments_field() -> Any:
    return Field(
        min_length=1,
        max_length=_MAX_CITED_ACTOR,
        description="Numbers of the segments that show this actor in this role.",
    )


class _CitesSegments:
    """The check of an actor's ``segments`` (each model declares the field in its own place:
    the field order is the schema's, and so the grammar's)."""

    @field_validator("segments")
    @classmethod
    def _ids_exist(cls, value: list[int], info: ValidationInfo) -> list[int]:
        return _check_ids(value, info)


class CitedActor(NamedActor, _CitesSegments):
    segments: list[int] = _segments_field()


class NamedVenue(_Item):
    """Where the talks are held or proposed."""

    city: str | None = Field(
        default=None, max_length=80, description="The city, or a named site and its city."
    )
    country: str | None = Field(default=None, max_length=60)

    @field_validator("city", "country", mode="before")
    @classmethod
    def _no_placeholder(cls, value: Any) -> Any:
        return _unless_placeholder(value)


class CitedVenue(NamedVenue):
    segment: int | None = Field(
        default=None, description="Number of the segment that names the venue."
    )

    @field_validator("segment")
    @classmethod
    def _id_exists(cls, value: int | None, info: ValidationInfo) -> int | None:
        return None if value is None else _check_ids([value], info)[0]


class NamedDate(_Item):
    """When the talks take place, as the article words it."""

    text: str | None = Field(
        default=None,
        max_length=60,
        description="As written, e.g. 'May 15', 'on Thursday'. Not the publication date.",
    )

    @field_validator("text", mode="before")
    @classmethod
    def _no_placeholder(cls, value: Any) -> Any:
        return _unless_placeholder(value)


class CitedDate(NamedDate):
    segment: int | None = Field(
        default=None, description="Number of the segment that holds the date."
    )

    @field_validator("segment")
    @classmethod
    def _id_exists(cls, value: int | None, info: ValidationInfo) -> int | None:
        return None if value is None else _check_ids([value], info)[0]


class CitedPosition(_Item):
    """A stance an actor states in the article."""

    actor: str = Field(max_length=80, description="The state or organisation holding it.")
    speaker: str | None = Field(
        default=None, max_length=80, description="The person quoted, if any."
    )
    stance: str = Field(
        max_length=160,
        description="One English sentence: what the actor wants, offers, rejects or supports.",
    )
    segment: int = Field(description="Number of the segment where the actor states it.")

    @field_validator("segment")
    @classmethod
    def _id_exists(cls, value: int, info: ValidationInfo) -> int:
        return _check_ids([value], info)[0]

    @field_validator("stance")
    @classmethod
    def _not_looping(cls, value: str) -> str:
        return _no_loop(value) or value


class NamedExtraction(BaseModel):
    """What the model reports about the talks an article is mainly about."""

    model_config = ConfigDict(extra="ignore")

    actors: list[NamedActor] = Field(default_factory=list, max_length=_MAX_ACTORS)
    # Always an object (its fields may be null): a grammar-constrained model must then write
    # "city" and "text" itself instead of skipping the whole item with one null.
    venue: NamedVenue = Field(default_factory=NamedVenue)
    talks_date: NamedDate = Field(default_factory=NamedDate)
    talks_status: TalksStatus = "unknown"
    positions: list[CitedPosition] = Field(default_factory=list, max_length=_MAX_POSITIONS)
    summary: str = Field(default="", max_length=300)
    language: str = Field(default="en", max_length=2, pattern=r"^[a-z][a-z]$")

    @field_validator("summary")
    @classmethod
    def _not_looping(cls, value: str) -> str:
        return _no_loop(value) or value

    @field_validator("venue", "talks_date", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        """``null`` from an endpoint without a grammar means an item with no fields."""
        return {} if value is None else value

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The schema without titles, every property required (a grammar then writes each)."""
        return segment_schema(cls)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Validate the answer's JSON; a raw line break or tab inside a string (which JSON
        forbids, and llama-cpp-python's schema grammar lets the model write) is read as the
        escaped character instead of costing a re-ask."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            if not any(e["type"] == "json_invalid" for e in exc.errors()):
                raise
            try:
                data = json.loads(json_data, strict=False)
            except ValueError:
                raise exc from None
            return cls.model_validate(data, **kwargs)


class CitedExtraction(NamedExtraction):
    """The same, with every item citing the segments that show it."""

    actors: list[CitedActor] = Field(  # type: ignore[assignment]
        default_factory=list, max_length=_MAX_ACTORS
    )
    venue: CitedVenue = Field(default_factory=CitedVenue)
    talks_date: CitedDate = Field(default_factory=CitedDate)


class BriefExtraction(CitedExtraction):
    """``extract-v3``: the cited shape without a model-written ``summary``.

    The schema the model sees (and so the grammar) has no ``summary``; the published summary
    is composed from the verified fields (:mod:`diplosum._compose`). A ``summary`` an endpoint
    sends anyway is ignored.
    """

    # The docstring above is the schema's description, so part of every request and cache
    # key. Positions keep their ``stance``: without it the 1.5B model cited positions to
    # consecutive segment numbers (9, 10, 11, 12), and a copied stance locates its segment.

    @field_validator("summary", mode="before")
    @classmethod
    def _not_asked(cls, value: Any) -> str:
        return ""


class ListedActor(_Item, _CitesSegments):
    name: str = Field(max_length=80, description="As named in the article, e.g. 'Qatar'.")
    segments: list[int] = _segments_field()


class ListedExtraction(CitedExtraction):
    """``extract-v2-lists``: the cited shape with two lists, mediators and parties.

    The model fills ``mediators`` and ``parties`` (no roles, no place for bystanders); they
    become ``actors`` with those roles, so the same checks apply.
    """

    # The docstring above is the schema's description: part of every request and cache key.
    mediators: list[ListedActor] = Field(default_factory=list, max_length=_MAX_ACTORS // 2)
    parties: list[ListedActor] = Field(default_factory=list, max_length=_MAX_ACTORS // 2)

    @field_validator("actors", mode="before")
    @classmethod
    def _not_asked(cls, value: Any) -> list[Any]:
        return []

    @model_validator(mode="after")
    def _as_actors(self) -> ListedExtraction:
        self.actors = [
            CitedActor.model_construct(name=a.name, role=role, segments=a.segments)
            for role, listed in (("mediator", self.mediators), ("party", self.parties))
            for a in listed
        ]
        return self


#: The fields each shape keeps out of the schema the model sees.
_UNASKED: dict[type[BaseModel], tuple[str, ...]] = {
    BriefExtraction: ("summary",),
    ListedExtraction: ("actors",),
}
#: The fields each shape asks for first (a grammar writes them in the schema's order).
_FIRST: dict[type[BaseModel], tuple[str, ...]] = {ListedExtraction: ("mediators", "parties")}


_SCHEMAS: dict[type[BaseModel], str] = {}


def _tidy(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _tidy(v) for k, v in node.items() if k not in ("title", "default")}
        if isinstance(out.get("properties"), dict):
            out["required"] = list(out["properties"])
        return out
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def segment_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` as sent to the model (a fresh copy each call)."""
    # instructor asks for the schema on a fresh subclass per request: key on the base model.
    base = next(
        (
            c
            for c in model.__mro__
            if c in (ListedExtraction, BriefExtraction, CitedExtraction, NamedExtraction)
        ),
        model,
    )
    text = _SCHEMAS.get(base)
    if text is None:
        generate = super(NamedExtraction, base).model_json_schema  # type: ignore[misc]
        schema: dict[str, Any] = _tidy(generate())
        for name in _UNASKED.get(base, ()):
            del schema["properties"][name]
            schema["required"].remove(name)
        first = _FIRST.get(base, ())
        if first:
            props = schema["properties"]
            schema["properties"] = {
                **{k: props[k] for k in first},
                **{k: v for k, v in props.items() if k not in first},
            }
            schema["required"] = list(schema["properties"])
        schema["title"] = base.__name__
        text = _SCHEMAS[base] = json.dumps(schema)
    result: dict[str, Any] = json.loads(text)
    return result


def constrain_ids(schema: dict[str, Any], count: int) -> dict[str, Any]:
    """``schema`` with every segment id limited to ``1..count`` (an ``enum`` for the grammar).

    llama.cpp's converter ignores integer ``minimum``/``maximum``; an ``enum`` it honours.
    """
    ids = list(range(1, max(1, count) + 1))

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            props = out.get("properties")
            if isinstance(props, dict):
                if isinstance(props.get("segment"), dict):
                    props["segment"] = {"type": "integer", "enum": ids}
                seg = props.get("segments")
                if isinstance(seg, dict) and seg.get("type") == "array":
                    props["segments"] = {**seg, "items": {"type": "integer", "enum": ids}}
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result
