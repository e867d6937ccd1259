"""Read files and records into :class:`Article` objects.

An article is the text diplosum sends to the model and locates quotes in. Plain
text may start with a header line ``date YYYY-MM-DD <headline>``; Markdown may
start with front matter (``published:``/``date:`` and ``headline:``/``title:``); HTML is reduced
to text; JSON and JSON Lines records carry ``text`` and optional ``published``,
``headline`` and ``id``. Everything that cannot be read raises
:class:`~diplosum.errors.ArticleError` naming the file and the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ._names import printable
from .errors import ArticleError

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "Article",
    "parse_record",
    "parse_text",
    "read_article",
]

#: File suffixes that folder walks pick up.
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
#: Larger inputs are refused: a news article is rarely over 100 kB.
MAX_ARTICLE_BYTES = 5_000_000

_HEADER = re.compile(
    r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+([^\n]*))?[ \t]*(?:\n|\Z)"
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Article:
    """One article: the body text quotes are located in, and what is known about it.

    ``text`` is the body as diplosum holds it (header line removed, HTML reduced
    to text); evidence offsets index into it. ``sha256`` is the hash of ``text``.
    """

    text: str
    id: str = "article"
    source: str | None = None
    published: dt.date | None = None
    headline: str | None = None
    format: str = "text"
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        object.__setattr__(self, "sha256", digest)
        # A file name that is not UTF-8 (or a JSON "\ud800" escape) must not reach the output
        # as a lone surrogate, which no UTF-8 file can hold: keep a printable form.
        for name in ("id", "source", "headline"):
            value = getattr(self, name)
            if isinstance(value, str) and (clean := printable(value)) != value:
                object.__setattr__(self, name, clean)


def _parse_date(value: str, source: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArticleError(f"impossible date {value!r} in the header", source=source) from None


def parse_text(
    text: str,
    *,
    id: str = "article",
    source: str | None = None,
    published: dt.date | None = None,
    headline: str | None = None,
    format: str = "text",
) -> Article:
    """Build an article from plain text, honouring an optional ``date YYYY-MM-DD headline`` line."""
    if not isinstance(text, str):
        raise ArticleError(f"expected text, got {type(text).__name__}", source=source or id)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front = _FRONT_MATTER.match(text) if format == "markdown" else None
    if front:
        fields = dict(
            (k.strip().lower(), v.strip().strip("\"'"))
            for k, _, v in (line.partition(":") for line in front.group(1).splitlines())
            if v.strip()
        )
        date_value = fields.get("published") or fields.get("date")
        if date_value and published is None:
            published = _parse_date(date_value[:10], source or id)
        headline = headline or fields.get("headline") or fields.get("title")
        text = text[front.end() :]
    match = _HEADER.match(text)
    if match:
        header_date = _parse_date(match.group(1), source or id)
        published = published or header_date
        headline = headline or (match.group(2) or "").strip() or None
        text = text[match.end() :]
    body = text.strip()
    if not body:
        raise ArticleError("the article is empty (no text after the header)", source=source or id)
    if "\x00" in body:
        raise ArticleError(
            "the text contains NUL bytes: this looks like a binary file", source=source or id
        )
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a JSON "\ud800" escape
        raise ArticleError(
            f"the text holds an unpaired surrogate at character {exc.start}: not valid Unicode",
            source=source or id,
        ) from None
    return Article(
        body, id=id, source=source, published=published, headline=headline, format=format
    )


class _TextExtractor(HTMLParser):
    _SKIP = frozenset(
        {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
    )
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "section",
            "article",
            "blockquote",
            "header",
            "footer",
            "ul",
            "ol",
            "table",
            "hr",
            "pre",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Reduce HTML to readable text (scripts and styles dropped); return (text, title)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split()) or None
    return text, title


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise ArticleError("the file is empty", source=source)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ArticleError(
                    f"invalid {encoding} text: {exc.reason}", source=source
                ) from None
    if b"\x00" in raw[:8192]:
        raise ArticleError(
            "the file contains NUL bytes: this looks like a binary file", source=source
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-encode the file as UTF-8",
            source=source,
        ) from None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    source = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # opening a FIFO would block the batch forever
            raise ArticleError("not a regular file (a FIFO, socket or device)", source=source)
        size = st.st_size
        if size > max_bytes:
            raise ArticleError(
                f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit", source=source
            )
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except ArticleError:
        raise
    except FileNotFoundError:
        raise ArticleError("the file does not exist (or vanished)", source=source) from None
    except IsADirectoryError:
        raise ArticleError("this is a directory, not a file", source=source) from None
    except PermissionError:
        raise ArticleError("permission denied: the file is not readable", source=source) from None
    except OSError as exc:
        raise ArticleError(f"cannot read the file: {exc.strerror or exc}", source=source) from None


def parse_record(record: Any, *, source: str, default_id: str) -> Article:
    """Build an article from a JSON record: ``text``, optional ``published``/``headline``/``id``."""
    if not isinstance(record, dict):
        raise ArticleError(
            f"a JSON record must be an object, got {type(record).__name__}", source=source
        )
    text = next((record[k] for k in ("text", "body", "content") if k in record), None)
    if text is None:
        raise ArticleError("the JSON record has no 'text' field", source=source)
    if not isinstance(text, str):
        raise ArticleError("the JSON record's 'text' field is not a string", source=source)
    published = record.get("published") or record.get("date")
    pub_date: dt.date | None = None
    if published is not None:
        if not isinstance(published, str):
            raise ArticleError("'published' must be a YYYY-MM-DD string", source=source)
        pub_date = _parse_date(published[:10], source)
    headline = record.get("headline") or record.get("title")
    rid = record.get("id", default_id)
    fmt = "json"
    if record.get("format") == "html" or (text.lstrip()[:1] == "<" and "</" in text):
        text, title = html_to_text(text)
        headline = headline or title
        fmt = "html"
    return parse_text(
        text,
        id=str(rid),
        source=source,
        published=pub_date,
        headline=str(headline) if headline else None,
        format=fmt,
    )


def read_article(path: str | os.PathLike[str], *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article:
    """Read one file (``.txt``, ``.md``, ``.html``, ``.json``) into an article."""
    path = Path(path)
    source = str(path)
    text = _decode(_read_bytes(path, max_bytes), source)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        raise ArticleError("a .jsonl file holds many articles: use iter_articles()", source=source)
    if suffix == ".json":
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArticleError(
                f"invalid JSON: {exc.msg} (line {exc.lineno})", source=source
            ) from None
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number; [[[[... nesting
            raise ArticleError(f"invalid JSON: {_json_reason(exc)}", source=source) from None
        return parse_record(record, source=source, default_id=path.name)
    if suffix in (".html", ".htm"):
        body, title = html_to_text(text)
        return parse_text(body, id=path.name, source=source, headline=title, format="html")
    fmt = "markdown" if suffix == ".md" else "text"
    return parse_text(text, id=path.name, source=source, format=fmt)


def _json_reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0]
