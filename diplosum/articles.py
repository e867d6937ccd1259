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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ._names import printable
from .errors import ArticleError

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "Article",
    "iter_articles",
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


def _iter_jsonl(path: Path, max_bytes: int) -> Iterator[Article | ArticleError]:
    source = str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # opening a FIFO would block forever
            yield ArticleError("not a regular file (a FIFO, socket or device)", source=source)
            return
        fh = path.open("rb")
    except OSError as exc:
        yield ArticleError(f"cannot read the file: {exc.strerror or exc}", source=source)
        return
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            where = f"{source}:{lineno}"
            if not raw.strip():
                continue
            if len(raw) > max_bytes:
                yield ArticleError(f"the record is over the {max_bytes:,}-byte limit", source=where)
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                yield parse_record(record, source=where, default_id=f"{path.name}:{lineno}")
            except UnicodeDecodeError:
                yield ArticleError("the line is not valid UTF-8", source=where)
            except json.JSONDecodeError as exc:
                yield ArticleError(f"invalid JSON: {exc.msg}", source=where)
            except (ValueError, RecursionError) as exc:
                yield ArticleError(f"invalid JSON: {_json_reason(exc)}", source=where)
            except ArticleError as exc:
                yield exc


class _Run:
    """What one run has read so far, so that each file is read once and every id is unique.

    ``dirs`` are the folders walked (by device and inode), ``files`` the files read, ``ids``
    the article ids handed out; ``exclude`` holds the files that must not be read at all (the
    run's own output). An id already taken becomes ``ID~HASH``, HASH the first 8 hex digits of
    the sha256 of the input's resolved path (plus ``:LINE`` for a JSON Lines record): stable
    from run to run, so a resumed run finds the same ids again, while the first input with an
    id keeps it unchanged (a single folder keeps the ids of earlier versions).
    """

    def __init__(self, exclude: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.dirs: set[tuple[int, int]] = set()
        self.files: set[tuple[int, int]] = set()
        self.ids: set[str] = set()
        self.exclude: set[tuple[int, int]] = set()
        for item in exclude:
            try:
                st = os.stat(item)
            except OSError:
                continue
            self.exclude.add((st.st_dev, st.st_ino))

    def claim_file(self, path: Path) -> bool:
        """False for a file that is excluded or was already read in this run."""
        try:
            st = os.stat(path)
        except OSError:
            return True  # read_article says why it cannot be read
        if not stat.S_ISREG(st.st_mode):
            return True
        key = (st.st_dev, st.st_ino)
        if key in self.exclude or key in self.files:
            return False
        self.files.add(key)
        return True

    def unique_id(self, ident: str, where: str) -> str:
        """``ident``, or ``ident~HASH`` of ``where`` if another input of the run has it."""
        candidate = ident
        while candidate in self.ids:
            where = _resolved(where)
            digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()
            candidate = f"{ident}~{digest[:8]}"
            where += "#"  # only if even that is taken
        self.ids.add(candidate)
        return candidate

    def unique(self, article: Article) -> Article:
        ident = self.unique_id(article.id, article.source or article.id)
        return article if ident == article.id else replace(article, id=ident)


def _resolved(where: str) -> str:
    """``where`` (a path, or ``PATH:LINE``) with the path made absolute and free of links."""
    path, sep, line = where.rpartition(":")
    if sep and line.isdigit() and os.path.exists(path):
        return f"{os.path.realpath(path)}:{line}"
    return os.path.realpath(where) if os.path.exists(where) else where


def _walk(
    root: Path, run: _Run, ancestors: tuple[tuple[int, int], ...] = ()
) -> Iterator[Path | ArticleError]:
    try:
        st = root.stat()
    except OSError as exc:
        yield ArticleError(f"cannot open the folder: {exc.strerror or exc}", source=str(root))
        return
    key = (st.st_dev, st.st_ino)
    if key in ancestors:
        yield ArticleError("symlink loop: this folder was already visited", source=str(root))
        return
    if key in run.dirs:  # reached a second way (given twice, or a link to it): read once
        return
    run.dirs.add(key)
    try:
        # Plain names, not DirEntry objects: a listing of 100,000 files is held for the whole
        # walk, and names take a quarter of the memory.
        names = sorted(os.listdir(root))
    except OSError as exc:
        yield ArticleError(f"cannot list the folder: {exc.strerror or exc}", source=str(root))
        return
    for name in names:
        if name.startswith("."):
            continue
        path = root / name
        if os.path.isdir(path):
            yield from _walk(path, run, (*ancestors, key))
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            yield path


def iter_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = MAX_ARTICLE_BYTES,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Article | ArticleError]:
    """Yield an article (or the error that names why it could not be read) for every input.

    Folders are walked in name order for the suffixes in :data:`ARTICLE_SUFFIXES`;
    ``.jsonl`` files yield one article per line. Nothing is loaded before it is needed,
    so memory stays flat in the number of articles. A file reached twice (the same path given
    twice, or a folder and a file in it) is read once, files in ``exclude`` (e.g. the output
    file, compared by device and inode) not at all, and ids are unique: the first article with
    an id keeps it, a later one gets ``ID~HASH`` (8 hex digits of the sha256 of its resolved
    path).
    """
    yield from _iter_articles(paths, _Run(exclude), max_bytes)


def _iter_articles(
    paths: Iterable[str | os.PathLike[str]], run: _Run, max_bytes: int
) -> Iterator[Article | ArticleError]:
    for item in paths:
        path = Path(item)
        targets: Iterable[Path | ArticleError] = _walk(path, run) if path.is_dir() else [path]
        for target in targets:
            if isinstance(target, ArticleError):
                yield target
            elif not run.claim_file(target):
                continue
            elif target.suffix.lower() == ".jsonl":
                for got in _iter_jsonl(target, max_bytes):
                    yield run.unique(got) if isinstance(got, Article) else got
            else:
                try:
                    yield run.unique(read_article(target, max_bytes=max_bytes))
                except ArticleError as exc:
                    yield exc
