"""The llama.cpp server diplosum starts: ``python -m diplosum.local._llama_server ARGS``.

llama-cpp-python's own server (``python -m llama_cpp.server``, the same arguments), with one
change made in this child process only: a greedy request with a grammar asks the grammar about
the chosen token before the whole vocabulary (:mod:`diplosum.local._sampling`; the same tokens,
measured in ``benchmarks/bench_sampling.py``).
"""

from __future__ import annotations


def main() -> None:
    import importlib

    from . import _sampling

    _sampling.install()
    importlib.import_module("llama_cpp.server.__main__").main()


if __name__ == "__main__":
    main()
