"""Many inputs as articles: folders walked lazily, JSON Lines files record by record, every
file read once and every id unique in a run (see :func:`iter_articles`)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ._article import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_BYTES,
    Article,
    _json_reason,
    parse_record,
    read_article,
)
from .errors import ArticleError

__all__ = ["iter_articles"]


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
