"""Check a file the command line is asked to write before any work is done.

``-o`` to a folder, into a folder that does not exist, or to a place that cannot be written is
a usage error (exit 2) with a one-line reason naming the file, found before a model is called
or a server started; :func:`open_problem` words an ``OSError`` met when the file is opened
anyway (a race, or a reason :func:`output_problem` cannot see in advance).
"""

from __future__ import annotations

import errno
import os

from .._names import visible

__all__ = ["check_output", "open_problem", "output_problem"]


def output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written as an output file, or None if it looks writable."""
    path = os.fspath(path)
    if path == "" or path.endswith(os.sep):
        return "is not a file name" if path == "" else "names a folder, not a file"
    if os.path.isdir(path):
        return "is a folder, not a file"
    parent = os.path.dirname(path) or "."
    if not os.path.exists(parent):
        return f"cannot be created: the folder {visible(parent)} does not exist"
    if not os.path.isdir(parent):
        return f"cannot be created: {visible(parent)} is not a folder"
    if os.path.lexists(path) and not os.path.exists(path):
        return "is a broken symbolic link"
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            return "cannot be written: permission denied (or a read-only file system)"
    elif not os.access(parent, os.W_OK | os.X_OK):
        return (
            f"cannot be created: the folder {visible(parent)} is not writable "
            "(permission denied, or a read-only file system)"
        )
    return None


def open_problem(exc: OSError) -> str:
    """The reason an output file could not be opened, in words."""
    reasons = {
        errno.EISDIR: "is a folder, not a file",
        errno.ENOENT: "cannot be created: its folder does not exist",
        errno.ENOTDIR: "cannot be created: a part of its path is not a folder",
        errno.EACCES: "cannot be written: permission denied",
        errno.EPERM: "cannot be written: operation not permitted",
        errno.EROFS: "cannot be written: read-only file system",
        errno.ENOSPC: "cannot be written: no space left on the device",
    }
    return reasons.get(exc.errno or 0, f"cannot be written: {exc.strerror or exc}")


def check_output(option: str, path: str | os.PathLike[str] | None) -> None:
    """Raise :class:`~diplosum.errors.ConfigurationError` if ``path`` cannot be written."""
    from ..errors import ConfigurationError

    if path is None:
        return
    problem = output_problem(path)
    if problem is not None:
        raise ConfigurationError(f"{option} {visible(os.fspath(path))}: {problem}")
