"""``diplosum report``: write the HTML review page of an output file."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from .._records import read_records
from ..report import GENERATOR_MARK

__all__ = ["check_report_target", "run"]


def check_report_target(path: str | Path) -> None:
    """Refuse to replace ``path`` unless it is missing, empty, or a report diplosum wrote.

    Raises :class:`~diplosum.errors.ConfigurationError` naming the file (``diplosum report
    out.jsonl -o out.jsonl`` would otherwise replace the records with the page).
    """
    from ..errors import ConfigurationError

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return  # a folder or a device: writing it says what is wrong
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return
    if not head.strip() or GENERATOR_MARK in head:
        return
    raise ConfigurationError(
        f"refusing to overwrite {path}: it is not an HTML report written by diplosum "
        "(it may be the input records, or anything else); choose another -o, or give "
        "--overwrite to replace it"
    )


def run(args: argparse.Namespace) -> int:
    """``diplosum report``: write the page; 0 on success."""
    from .._names import visible
    from ..errors import ConfigurationError
    from ..report import render_report
    from ._usage import check_output, open_problem

    check_output("-o", args.output)  # a folder, a missing folder: before reading anything
    if not args.overwrite:
        check_report_target(args.output)
    read = read_records(args.file)
    for skip in read.skipped:
        print(
            f"diplosum: {args.file}:{skip.line}: not an output record, skipped ({skip.reason})",
            file=sys.stderr,
        )
    records = read.records
    page = render_report(
        records, title=f"diplosum report: {args.file}", base=Path(args.file).parent
    )
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"-o {visible(args.output)}: {open_problem(exc)}") from None
    print(f"diplosum: {len(records)} article(s) written to {args.output}", file=sys.stderr)
    return 0
