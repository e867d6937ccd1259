"""The argument parser of every subcommand (cheap to build: nothing heavy is imported, so
``diplosum --help`` answers fast)."""

from __future__ import annotations

import argparse
import os

from .._prompt import DEFAULT_PROMPT
from .._version import __version__

__all__ = ["build_parser"]


def _positive_seconds(value: str) -> float:
    """``--timeout``: a number of seconds above 0 (0 or less would fail every request)."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {value}")
    return seconds


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
        help="prompt version (extract-v4, the default: items cite numbered segments, the "
        "summary is composed from the verified fields; extract-v2: the same messages, the model "
        "also writes a summary; extract-v3: extract-v4 with shorter instructions; "
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
        help="SQLite cache file or postgresql:// URL (env DIPLOSUM_CACHE; default in the user "
        "data folder)",
    )
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("engine (README: Scaling out)")
    g.add_argument(
        "--engine",
        choices=["default", "ray"],
        default="default",
        help="default: one process; ray: a Ray actor pool (the [ray] extra), same output",
    )
    g.add_argument(
        "--ray-address",
        default=None,
        metavar="ADDR",
        help="--engine ray: the cluster to join (e.g. 10.0.0.1:6379 or auto; default: start "
        "a local one on this machine)",
    )
    g.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="--engine ray: actors, each running -j calls at once (default: one per CPU of "
        "the cluster)",
    )


def _seconds(value: str) -> float:
    """``--batch-api-poll``: a number of seconds, 0 or more."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 seconds or more, not {value}")
    return seconds


def _add_batch_api_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Batch API (README: Batch API)")
    g.add_argument(
        "--batch-api",
        action="store_true",
        help="send the articles through the provider's Batch API: half the price, answers "
        "within 24 h; polls, and resumes the same batch when run again",
    )
    g.add_argument(
        "--batch-api-reasks",
        choices=["direct", "batch"],
        default="direct",
        help="--batch-api: re-ask answers that fail validation as direct calls (default) or "
        "in a further batch",
    )
    g.add_argument(
        "--batch-api-poll",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="--batch-api: seconds between polls of the batch (default 30)",
    )
    g.add_argument(
        "--batch-api-write",
        default=None,
        metavar="FILE",
        help="write the request file of the articles not cached (OpenAI's batch format, which "
        "vLLM's offline run-batch reads) and exit",
    )
    g.add_argument(
        "--batch-api-read",
        default=None,
        metavar="FILE",
        help="summarise from the output file of such an offline run (answers checked as "
        "always; re-asks are direct calls)",
    )


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
    _add_engine_options(s)
    _add_batch_api_options(s)
    _add_model_options(s)
    _add_cache_options(s)

    sh = sub.add_parser("show", help="print a readable table of summaries from an output file")
    sh.add_argument("file", help="a JSON Lines file written by 'diplosum summarise'")

    c = sub.add_parser("cache", help="inspect or clear the cache")
    c.add_argument("action", choices=["stats", "clear", "path"], help="what to do")
    c.add_argument(
        "--cache",
        default=None,
        metavar="PATH",
        help="cache file or postgresql:// URL (env DIPLOSUM_CACHE)",
    )

    sub.add_parser("schema", help="print the JSON Schema of an output record")

    _add_eval(sub)
    _add_report(sub)

    return parser


def _add_eval(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "eval",
        help="score summaries against gold annotations",
        description="Score summaries against gold annotations (JSON Lines). Give a predictions "
        "file written by 'diplosum summarise', or --articles DIR to summarise the gold articles "
        "first (through the cache). Tables go to stderr; --json writes every number.",
    )
    p.add_argument("gold", metavar="GOLD.jsonl", help="gold annotations, one article a line")
    p.add_argument(
        "predictions", nargs="?", metavar="PRED.jsonl", help="output of 'diplosum summarise'"
    )
    p.add_argument(
        "--articles",
        metavar="DIR",
        default=None,
        help="summarise the gold articles found in DIR (by file name) and score the results",
    )
    p.add_argument(
        "--compare",
        metavar="PRED2.jsonl",
        default=None,
        help="also score these predictions and show which articles got better or worse",
    )
    p.add_argument(
        "--json",
        dest="json_out",
        metavar="OUT",
        default=None,
        help="write every number (per article and totals) as JSON to OUT ('-' for stdout)",
    )
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="with --articles: also write the output records (JSON Lines), e.g. for "
        "'diplosum report'",
    )
    p.add_argument(
        "-j", "--concurrency", type=int, default=8, help="with --articles: model calls at once"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no per-article table")
    _add_model_options(p)
    _add_cache_options(p)


def _add_report(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "report",
        help="write an HTML page to review summaries with their evidence highlighted",
        description="Write one self-contained HTML page: each article's summary next to its "
        "text, every evidence quote highlighted in the colour of its field. Articles are "
        "re-read from each record's source and checked against its article_sha256.",
    )
    p.add_argument("file", metavar="OUT.jsonl", help="output of 'diplosum summarise'")
    p.add_argument(
        "-o", "--output", default="report.html", help="the HTML file to write (default report.html)"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace -o even if it is not an HTML report written by diplosum (by default "
        "such a file, e.g. the input records, is refused)",
    )
