"""Ray is optional: diplosum never imports it unasked, and without it diplosum.ray and
``--engine ray`` say which extra to install (these run whether Ray is installed or not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Makes `import ray` fail as if Ray were not installed.
NO_RAY = "import sys; sys.modules['ray'] = None; sys.modules['ray.data'] = None\n"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_import_diplosum_never_imports_ray() -> None:
    """import diplosum, its batch, its CLI parser and the summarise command's module load no
    Ray (nor pyarrow)."""
    probe = (
        "import sys, diplosum\n"
        "from diplosum import Summariser, summarise_many\n"
        "import diplosum.cli, diplosum.cli._summarise, diplosum.cli._ray\n"
        "diplosum.cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ray', 'pyarrow')))"
    )
    out = _python(probe)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_diplosum_ray_without_ray_names_the_extra() -> None:
    out = _python(NO_RAY + "import diplosum.ray")
    assert out.returncode != 0
    assert "ImportError" in out.stderr and "pip install 'diplosum[ray]'" in out.stderr


def test_engine_ray_without_ray_is_a_usage_error(tmp_path: Path) -> None:
    """--engine ray without Ray: exit 2 naming the extra, before anything is summarised."""
    (tmp_path / "a.txt").write_text("Qatar offered to host talks between Sudan and Chad.")
    out_file = tmp_path / "out.jsonl"
    code = NO_RAY + (
        "from diplosum.cli import run\n"
        f"raise SystemExit(run(['summarise', {str(tmp_path / 'a.txt')!r}, '-m', 'fake', "
        f"'--base-url', 'http://127.0.0.1:9/v1', '--no-cache', '--engine', 'ray', "
        f"'-o', {str(out_file)!r}]))"
    )
    out = _python(code)
    assert out.returncode == 2, out.stderr
    assert "pip install 'diplosum[ray]'" in out.stderr
    assert not out_file.exists() or out_file.read_text() == ""
