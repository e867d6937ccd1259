"""The ``diplosum`` command line.

Data goes to stdout (JSON Lines) or ``-o``; progress, warnings and totals go to
stderr. Exit codes: 0 every article succeeded, 1 some articles failed, 2 bad
usage or configuration, 3 the budget stopped the run, 130 interrupted (Ctrl-C),
141 stdout was closed before the output was complete (a broken pipe), 143
terminated (SIGTERM, handled like Ctrl-C: the totals line, then exit). The
SIGTERM handler is installed by :func:`main` alone, never by library code.
Heavy modules are imported only by the subcommand that needs them, so
``diplosum --help`` answers fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .prompts import DEFAULT_PROMPT

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUDGET, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE, EXIT_TERMINATED = 141, 143  # 128 + SIGPIPE, 128 + SIGTERM


def _eprint(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


class _Terminated(KeyboardInterrupt):
    """Raised by the CLI's SIGTERM handler: a KeyboardInterrupt, so every clean-up path of
    Ctrl-C runs (the batch stops, the local server is stopped, the totals line is printed)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


def _positive_seconds(value: str) -> float:
    """``--timeout``: a number of seconds above 0 (0 or less would fail every request)."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {value}")
    return seconds


class _StderrLog:
    """Shows the library's warnings (``logging.getLogger("diplosum")``) on stderr, made
    visible (no raw control characters), as ``diplosum: warning: ...``."""

    installed = False

    @classmethod
    def install(cls) -> None:
        import logging

        if cls.installed:
            return
        cls.installed = True

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                from ._names import visible

                try:
                    level = record.levelname.lower()
                    _eprint(f"diplosum: {level}: {visible(record.getMessage())}")
                except Exception:  # pragma: no cover - never let a warning stop the run
                    self.handleError(record)

        logging.getLogger("diplosum").addHandler(Handler(logging.WARNING))


def _add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument(
        "-m",
        "--model",
        default=None,
        help="model: openai/gpt-4o-mini, local, local:qwen2.5-0.5b, local:/path/to.gguf, "
        "ollama/NAME, or NAME with --base-url (env DIPLOSUM_MODEL; default: OpenAI if "
        "OPENAI_API_KEY is set, else the embedded local model)",
    )
    g.add_argument(
        "--base-url",
        default=os.environ.get("DIPLOSUM_BASE_URL"),
        help="an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (env DIPLOSUM_BASE_URL)",
    )
    g.add_argument(
        "--mode",
        choices=["tools", "json_schema", "json", "json_grammar"],
        default=None,
        help="how structured output is requested (default: by endpoint)",
    )
    g.add_argument(
        "--prompt",
        default=DEFAULT_PROMPT,
        help="prompt version (extract-v2, the default: items cite numbered segments; "
        "extract-v2-align: names only, diplosum finds the segments; extract-v1: copied quotes) "
        "or a path to a prompt TOML file",
    )
    g.add_argument(
        "--max-reasks", type=int, default=2, help="validation re-asks per article (default 2)"
    )
    g.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=None,
        help="seconds per request, more than 0 (default 120; 900 for local models)",
    )
    g.add_argument(
        "--strict",
        action="store_true",
        help="fail an article whose quotes cannot all be grounded instead of dropping those items",
    )
    g.add_argument(
        "--compact-schema",
        action="store_true",
        help="json modes: send the schema as compact JSON (~40%% fewer schema tokens; small "
        "models read it worse)",
    )


def _add_cache_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--cache",
        default=None,
        metavar="PATH",
        help="SQLite cache file (env DIPLOSUM_CACHE; default in the user data folder)",
    )
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diplosum",
        description="Validated, source-grounded structured summaries of diplomatic news articles.",
    )
    parser.add_argument("--version", action="version", version=f"diplosum {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "summarise",
        aliases=["summarize"],
        help="summarise articles (files or folders)",
        description="Summarise articles; one JSON line per article to stdout or -o.",
    )
    s.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files or folders (.txt .md .html .json .jsonl); folders are walked",
    )
    s.add_argument(
        "-o",
        "--output",
        default=None,
        help="output file; an existing one is resumed (finished articles are skipped), "
        "locked against a second run, and never rewritten unless it is diplosum output of "
        "this --format",
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the -o file instead of resuming it (also one that is not diplosum "
        "output, or output of other models)",
    )
    s.add_argument(
        "--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default jsonl)"
    )
    s.add_argument(
        "-j",
        "--concurrency",
        type=int,
        default=8,
        help="model calls at once (default 8; always 1 for local models)",
    )
    s.add_argument("--rpm", type=float, default=None, help="at most this many requests per minute")
    s.add_argument(
        "--tpm", type=float, default=None, help="at most this many tokens per minute (estimated)"
    )
    s.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="USD",
        help="stop starting new model calls once this many dollars are spent",
    )
    s.add_argument(
        "--prices",
        default=None,
        metavar="FILE",
        help='JSON price overrides {"openai/MODEL": [usd_per_M_in, usd_per_M_out]} '
        "(env DIPLOSUM_PRICES)",
    )
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be sent (articles, cache hits, estimated tokens and cost); "
        "call nothing",
    )
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    _add_model_options(s)
    _add_cache_options(s)

    sh = sub.add_parser("show", help="print a readable table of summaries from an output file")
    sh.add_argument("file", help="a JSON Lines file written by 'diplosum summarise'")

    c = sub.add_parser("cache", help="inspect or clear the cache")
    c.add_argument("action", choices=["stats", "clear", "path"], help="what to do")
    c.add_argument("--cache", default=None, metavar="PATH", help="cache file (env DIPLOSUM_CACHE)")

    sub.add_parser("schema", help="print the JSON Schema of an output record")

    from . import _eval_cli, report  # cheap: both import their heavy modules inside run()

    _eval_cli.add_parser(sub)
    report.add_parser(sub)

    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``diplosum`` command: installs the SIGTERM handler, then runs."""
    import signal

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:  # not ignored, not taken by a host
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = run(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `diplosum summarise news/ | head -c 100`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        _eprint(
            "diplosum: error: the output was cut: stdout was closed (a broken pipe) before "
            "everything was written (summarise -o FILE keeps every record)"
        )
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    import logging

    # instructor logs every exhausted re-ask at ERROR; diplosum reports failures itself.
    logging.getLogger("instructor").addHandler(logging.NullHandler())
    _StderrLog.install()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from .errors import DiplosumError

    try:
        if args.command in ("summarise", "summarize"):
            return _summarise(args)
        if args.command == "show":
            return _show(args)
        if args.command == "cache":
            return _cache(args)
        if args.command == "schema":
            from .records import output_record_schema

            print(json.dumps(output_record_schema(), indent=2))
            return EXIT_OK
        if args.command == "eval":
            from ._eval_cli import run as run_eval

            return run_eval(args)
        if args.command == "report":
            from .report import run as run_report

            return run_report(args)
        parser.error(f"unknown command {args.command}")
    except DiplosumError as exc:
        _eprint(f"diplosum: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        if isinstance(exc, _Terminated):
            _eprint("diplosum: terminated (SIGTERM)")
            return EXIT_TERMINATED
        _eprint("diplosum: interrupted")
        return EXIT_INTERRUPTED


def _make_summariser(args: argparse.Namespace) -> Any:
    from .summariser import Summariser

    cache: Any = False if args.no_cache else (args.cache or True)
    s = Summariser(
        args.model,
        base_url=args.base_url,
        cache=cache,
        mode=args.mode,
        prompt=args.prompt,
        max_reasks=args.max_reasks,
        timeout=args.timeout,
        strict=args.strict,
        compact_schema=args.compact_schema,
    )
    why = {
        "argument": "from --model",
        "DIPLOSUM_MODEL": "from DIPLOSUM_MODEL",
        "OPENAI_API_KEY": "OPENAI_API_KEY is set",
        "default": "no OPENAI_API_KEY set: using the embedded local model",
    }[s.spec.chosen_by]
    _eprint(f"diplosum: model {s.spec.label} ({why})")
    if s.spec.provider == "local":
        from .local import install_cleanup

        install_cleanup()  # the server starts on the first cache miss, in the batch's thread
        _eprint(
            "diplosum: local models run on the CPU, one article at a time "
            "(about a minute per article for the 1.5B default on 2 cores)"
        )
    return s


def _summarise(args: argparse.Namespace) -> int:
    from ._names import visible
    from ._usage import check_output, open_problem
    from .batch import BatchStats, summarise_many
    from .errors import ConfigurationError
    from .output import OutputWriter
    from .pricing import load_prices

    if args.prices:
        load_prices(args.prices)
    if not args.dry_run:
        check_output("-o", args.output)  # before a model is chosen or a server started
    summariser = _make_summariser(args)
    if args.dry_run:
        from .commands import dry_run

        return dry_run(args, summariser)
    if args.budget is not None:
        from .pricing import cost_usd
        from .schema import Usage

        if cost_usd(summariser.spec.label, Usage()) is None:
            _eprint(
                f"diplosum: warning: no price is known for {summariser.spec.label}, so "
                "--budget cannot be enforced; add one with --prices"
            )
    _refuse_output_as_input(args.output, args.paths)
    try:
        writer = OutputWriter(args.output, args.format, overwrite=args.overwrite)
    except OSError as exc:
        raise ConfigurationError(f"-o {visible(args.output)}: {open_problem(exc)}") from None
    if writer.removed_temps:
        _eprint(
            f"diplosum: removed {writer.removed_temps} temporary file(s) of {args.output} "
            "left by a killed run"
        )
    if writer.replaced:
        _eprint(f"diplosum: --overwrite: {args.output} emptied, starting afresh")
    if writer.kept:
        _eprint(
            f"diplosum: resuming {args.output}: {writer.kept} finished article(s) kept, "
            f"{writer.dropped_failures} failed or partial line(s) to redo"
        )
        _warn_other_models(args.output, writer.models, summariser.spec.label)
    stats = BatchStats()
    progress = _Progress(enabled=not args.quiet)
    budget_hit = False
    try:
        with writer:
            for item in summarise_many(
                [Path(p) for p in args.paths],  # command-line words are paths, never text
                summariser,
                concurrency=args.concurrency,
                rpm=args.rpm,
                tpm=args.tpm,
                budget_usd=args.budget,
                skip=writer.done,
                exclude=writer.own_files,  # -o inside an input folder is not an input
                check_cache=True,  # a read-only cache: exit 2 before the first model call
            ):
                writer.write(item)
                stats.add(item)
                if not item.ok:
                    etype = item.error.type if item.error else None
                    budget_hit |= etype == "BudgetExceeded"
                    if etype != "BudgetExceeded":
                        progress.clear()
                        message = item.error.message if item.error else None
                        _eprint(f"diplosum: failed: {visible(message)}")
                progress.update(stats)
    finally:
        progress.clear()
        _eprint(_totals(stats, writer.kept))
        if summariser.cache_write_failures:
            _eprint(
                f"diplosum: warning: {summariser.cache_write_failures} answer(s) could not be "
                "written to the cache: they are in the output with their cost, but a run "
                "without this output would pay for them again"
            )
    if budget_hit:
        _eprint(
            f"diplosum: the budget of ${args.budget} was reached; articles not started are "
            "reported as BudgetExceeded and will run on the next invocation"
        )
        return EXIT_BUDGET
    return EXIT_OK if stats.failed == 0 else EXIT_FAILED


def _refuse_output_as_input(output: str | None, paths: Sequence[str]) -> None:
    """-o naming one of the inputs given on the command line is a usage error."""
    from .errors import ConfigurationError

    if output is None or not os.path.isfile(output):
        return
    for p in paths:
        try:
            same = os.path.samefile(p, output)
        except OSError:
            continue
        if same:
            raise ConfigurationError(
                f"the output file {output} is also an input ({p}): choose another -o"
            )


def _warn_other_models(output: str, models: Any, label: str) -> None:
    """Records kept from other models are not redone: say so, with how many from which."""
    other = {m: n for m, n in models.items() if m != label}
    if not other:
        return
    counts = ", ".join(f"{n} by {m}" for m, n in sorted(other.items()))
    _eprint(
        f"diplosum: warning: {output} holds record(s) made by another model ({counts}); "
        f"they are kept and not redone with {label}; to redo them, use another -o or "
        "--overwrite"
    )


def _totals(stats: Any, kept: int) -> str:
    cost = f"${stats.cost_usd:.4f}" + (" + unknown" if stats.cost_unknown else "")
    resumed = f", {kept} resumed" if kept else ""
    return (
        f"diplosum: {stats.articles} articles: {stats.ok} ok, {stats.failed} failed, "
        f"{stats.cached} cached{resumed}; {stats.tokens:,} tokens, {cost}; "
        f"{stats.elapsed:.1f} s"
    )


class _Progress:
    """A one-line progress display on stderr (a TTY), or a line every 10 s otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def update(self, stats: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < 10:
            return
        self.last = now
        rate = stats.articles / max(stats.elapsed, 1e-9)
        line = (
            f"[{stats.articles}] ok {stats.ok} failed {stats.failed} cached {stats.cached} "
            f"tokens {stats.tokens:,} ${stats.cost_usd:.4f} {rate:.2f}/s"
        )
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
        else:
            _eprint("diplosum: " + line)

    def clear(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _show(args: argparse.Namespace) -> int:
    from .commands import show

    return show(args.file)


def _cache(args: argparse.Namespace) -> int:
    from .cache import Cache, default_cache_path

    path = args.cache or default_cache_path()
    if args.action == "path":
        print(path)
        return EXIT_OK
    with Cache(path) as cache:
        if args.action == "clear":
            _eprint(f"diplosum: removed {cache.clear()} cached result(s) from {path}")
            return EXIT_OK
        st = cache.stats()
        print(
            json.dumps(
                {
                    "path": str(st.path),
                    "entries": st.entries,
                    "size_bytes": st.size_bytes,
                    "models": st.models,
                    "oldest": st.oldest,
                    "newest": st.newest,
                },
                indent=2,
            )
        )
    return EXIT_OK
