"""Load, validate and render the versioned prompt files in ``prompts/``.

A prompt file is TOML with ``version``, ``system`` and ``user``; ``user`` may use
the placeholders ``{article}``, ``{published}`` and ``{headline}`` (``{article}``
is required). ``format`` says what the model answers and how the article is shown:

- ``quotes`` (``extract-v1``): the article as written; every item carries a quote
  the model copies, located in the article afterwards.
- ``cited`` (``extract-v2``): the article as numbered segments; every item cites segment ids.
- ``brief`` (``extract-v4``, the default; ``extract-v3``): ``cited`` without a model-written
  summary; the summary is composed from the verified fields (:mod:`diplosum._compose`).
  ``extract-v4`` sends ``extract-v2``'s messages byte for byte (only the grammar lacks the
  summary), so its other fields are ``extract-v2``'s; ``extract-v3`` also drops the summary
  from the instructions.
- ``named`` (``extract-v2-align``): numbered segments; actors, venue and date are named only
  and diplosum finds the segments that mention them; positions cite a segment.
- ``lists`` (``extract-v2-lists``): ``cited`` with two lists, mediators and parties, instead of
  one list of actors with roles (issue 12 asked for both to be measured).

The ``system`` text is the same for every article, so an endpoint that reuses a cached prompt
prefix (llama.cpp does) evaluates it once per batch. The hash of the file's bytes is recorded
with every result and is part of every cache key.
"""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, cast

from .errors import ConfigurationError

__all__ = ["DEFAULT_PROMPT", "Prompt", "load_prompt", "prompts_dir"]

DEFAULT_PROMPT = "extract-v4"
PromptFormat = Literal["quotes", "cited", "brief", "named", "lists"]
_FORMATS: tuple[PromptFormat, ...] = ("quotes", "cited", "brief", "named", "lists")
_PLACEHOLDERS = frozenset({"article", "published", "headline"})
_CLOSE_TAG = re.compile(r"</\s*article\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A validated prompt: its version, hash and the two templates."""

    version: str
    hash: str
    system: str
    user: str
    path: Path
    format: PromptFormat = "quotes"

    def render(
        self, article: str, *, published: str = "unknown", headline: str = "none"
    ) -> list[dict[str, str]]:
        """The chat messages for one article.

        A closing ``</article>`` inside the text is defused so an article cannot end its own
        delimiters and pose as instructions.
        """
        article = _CLOSE_TAG.sub("</ article>", article)
        headline = _CLOSE_TAG.sub("</ article>", headline)
        user = self.user.format(article=article, published=published, headline=headline)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def prompts_dir() -> Path:
    """The folder holding the shipped prompts (inside the wheel, or the source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "prompts", here.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise ConfigurationError(f"no prompts folder next to {here}: the installation is incomplete")


@cache
def load_prompt(name_or_path: str = DEFAULT_PROMPT) -> Prompt:
    """Load a shipped prompt by version name, or any prompt file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = prompts_dir() / f"{name_or_path}.toml"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read prompt file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"prompt file {path} is not valid TOML: {exc}") from None
    for key in ("version", "system", "user"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ConfigurationError(f"prompt file {path} needs a non-empty string {key!r}")
    try:
        fields = {
            name for _, name, _, _ in string.Formatter().parse(data["user"]) if name is not None
        }
    except ValueError as exc:
        raise ConfigurationError(f"prompt file {path}: bad placeholder in 'user': {exc}") from None
    unknown = fields - _PLACEHOLDERS
    if unknown or "article" not in fields:
        raise ConfigurationError(
            f"prompt file {path}: 'user' must use {{article}} and only "
            f"{sorted(_PLACEHOLDERS)}; found {sorted(fields)}"
        )
    fmt = data.get("format", "quotes")
    if fmt not in _FORMATS:
        raise ConfigurationError(
            f"prompt file {path}: format must be one of {', '.join(_FORMATS)}, not {fmt!r}"
        )
    if "{" in data["system"].replace("{{", "").replace("}}", ""):
        raise ConfigurationError(f"prompt file {path}: 'system' takes no placeholders")
    return Prompt(
        version=data["version"],
        hash="sha256:" + hashlib.sha256(raw).hexdigest(),
        system=data["system"].strip().replace("{{", "{").replace("}}", "}"),
        user=data["user"].strip(),
        path=path,
        format=cast(PromptFormat, fmt),
    )
