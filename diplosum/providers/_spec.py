"""Model specifications: which endpoint, which model, which structured-output mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigurationError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
OLLAMA_URL = "http://localhost:11434/v1"
Mode = Literal["tools", "json_schema", "json", "json_grammar"]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A resolved model choice."""

    provider: Literal["openai", "compatible", "ollama", "local"]
    model: str
    base_url: str | None = None
    mode: Mode = "tools"
    local: str | None = None  # alias or GGUF path for provider "local"
    chosen_by: str = "argument"  # argument / DIPLOSUM_MODEL / OPENAI_API_KEY / default

    @property
    def label(self) -> str:
        """A short human and cache-key name: ``openai/gpt-4o-mini``, ``local:qwen2.5-1.5b``."""
        if self.provider == "local":
            return f"local:{self.local}"
        return f"{self.provider}/{self.model}"


def parse_model(
    model: str | None = None, base_url: str | None = None, mode: str | None = None
) -> ModelSpec:
    """Resolve a model specification (see the module docstring)."""
    chosen_by = "argument"
    if not model:
        model = os.environ.get("DIPLOSUM_MODEL") or None
        chosen_by = "DIPLOSUM_MODEL"
    if not model:
        if base_url:
            raise ConfigurationError("base_url given without a model name: pass model=NAME too")
        if os.environ.get("OPENAI_API_KEY"):
            model, chosen_by = f"openai/{DEFAULT_OPENAI_MODEL}", "OPENAI_API_KEY"
        else:
            model, chosen_by = "local", "default"
    spec = _parse(model.strip(), base_url)
    if mode is not None:
        if mode not in ("tools", "json_schema", "json", "json_grammar"):
            raise ConfigurationError(
                f"unknown mode {mode!r}: use tools, json_schema, json or json_grammar"
            )
        spec = ModelSpec(spec.provider, spec.model, spec.base_url, mode, spec.local)  # type: ignore[arg-type]
    return ModelSpec(spec.provider, spec.model, spec.base_url, spec.mode, spec.local, chosen_by)


def _parse(model: str, base_url: str | None) -> ModelSpec:
    if model == "local" or model.startswith("local:"):
        from ..local import DEFAULT_LOCAL_MODEL

        alias = model.partition(":")[2] or DEFAULT_LOCAL_MODEL
        # With base_url: a llama.cpp server already serving these weights (no server is
        # started); the weights still name the answers in the cache key.
        url = base_url.rstrip("/") if base_url else None
        return ModelSpec("local", "local", url, "json_grammar", alias)
    prefix, sep, name = model.partition("/")
    if sep and prefix == "openai":
        if base_url:
            return ModelSpec("compatible", name, base_url.rstrip("/"), "json")
        return ModelSpec("openai", name, None, "tools")
    if sep and prefix == "ollama":
        return ModelSpec("ollama", name, (base_url or OLLAMA_URL).rstrip("/"), "json")
    if base_url:
        return ModelSpec("compatible", model, base_url.rstrip("/"), "json")
    if sep and prefix not in ("openai", "ollama"):
        raise ConfigurationError(
            f"model {model!r}: provider {prefix!r} is not built in; diplosum speaks the OpenAI "
            "protocol, so pass --base-url for a compatible server (vLLM, Ollama, LiteLLM, Azure)"
        )
    if not name and not sep:
        return ModelSpec("openai", model, None, "tools")
    raise ConfigurationError(f"cannot understand model {model!r}")
