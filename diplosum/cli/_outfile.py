"""Guarding an output file: one writer at a time, stale temporary files removed.

A run holds an exclusive ``fcntl.flock`` on ``.NAME.lock`` next to the output file (next to
the file a symlink points at) from before it reads the file until it has closed it, so a
second run with the same output is refused at once instead of interleaving records or writing
into a file the first run is about to replace. The lock file is removed when the run ends; one
left by a killed run is harmless (the kernel dropped its lock) and is reused.

Resuming rewrites the output through ``.NAME.XXXXXXXX.tmp`` files (``tempfile.mkstemp``); a
run killed during the rewrite leaves one behind. Temporary files are only made while the
output lock is held, so once a run holds it, every temporary file of that output belongs to a
dead run; each is also locked while written, and one still locked is left alone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
from pathlib import Path

from ..errors import ConfigurationError

__all__ = ["OutputLock", "lock_path", "remove_stale_temps", "temp_prefix", "temp_suffix"]

log = logging.getLogger(__name__)

#: The random part of a ``tempfile.mkstemp`` name.
_RANDOM = r"[a-z0-9_]{8}"


def lock_path(target: Path) -> Path:
    """The lock file of the output file ``target`` (a resolved path)."""
    return target.parent / f".{target.name}.lock"


def temp_prefix(target: Path) -> str:
    return f".{target.name}."


def temp_suffix() -> str:
    return ".tmp"


def _temp_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(temp_prefix(target)) + _RANDOM + re.escape(temp_suffix()))


class OutputLock:
    """An exclusive, non-blocking lock of one output file for the length of a run."""

    def __init__(self, target: Path, shown: str | None = None) -> None:
        self.target = target
        self.shown = shown or str(target)
        self.path = lock_path(target)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`ConfigurationError` if another run holds it."""
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot lock the output file {self.shown}: cannot create {self.path}: "
                    f"{exc.strerror or exc}"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                by = f" (process {holder})" if holder else ""
                raise ConfigurationError(
                    f"the output file {self.shown} is being written by another diplosum "
                    f"run{by}: wait for it to end, or choose another -o"
                ) from None
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    os.close(fd)
                    raise ConfigurationError(
                        f"cannot lock the output file {self.shown}: {exc.strerror or exc}"
                    ) from None
                log.warning(
                    "%s: this file system cannot lock files; nothing stops a second run from "
                    "writing the same output",
                    self.shown,
                )
            # The lock file may have been removed (and re-created) by the run that held it
            # between our open and our flock: then we hold a lock nobody else will see.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._fd = fd
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Remove the lock file and drop the lock (removal first, while it is still held)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(fd)

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def remove_stale_temps(target: Path) -> int:
    """Remove the temporary files a killed rewrite of ``target`` left; return how many.

    Call with the output lock held. Only names of ``target``'s own temporary-file pattern are
    touched, and a file another process still has locked is kept.
    """
    pattern = _temp_pattern(target)
    try:
        names = [n for n in os.listdir(target.parent) if pattern.fullmatch(n)]
    except OSError:
        return 0
    removed = 0
    for name in names:
        path = target.parent / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a live writer has it
        try:
            if os.path.samestat(os.fstat(fd), os.lstat(path)):
                os.unlink(path)
                removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    if removed:
        log.info("%s: removed %d stale temporary file(s) of a killed run", target, removed)
    return removed
