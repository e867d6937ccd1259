"""Summarise articles on a Ray cluster with Ray Data (the ``[ray]`` extra).

:func:`summarise_dataset` takes any Ray Dataset with a text column (``read_json``,
``read_text``, ``read_parquet``, ``from_pandas``, ...) and returns a lazy dataset of output
records, one per row, with the fields of a JSON Lines output line (:func:`record_schema`;
:func:`to_record` reads a row back): write it to any sink. It runs ``map_batches`` over an
actor pool, each actor holding one :class:`~diplosum.Summariser` and running its batches
through diplosum's async batch runner. :class:`SummariseBatch` is that UDF, for pipelines that
call ``map_batches`` themselves. ``diplosum summarise --engine ray`` uses the same actors.

``import diplosum`` never imports Ray; importing this module without it raises ImportError
naming the extra.
"""

from __future__ import annotations

try:
    import ray.data  # noqa: F401  (a clear error now, not deep inside a call)
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without ray
    raise ImportError(
        "diplosum.ray needs Ray Data, which is not installed: pip install 'diplosum[ray]'"
    ) from exc

from ._columns import NESTED_FIELDS, RECORD_FIELDS, record_schema, to_record
from ._dataset import summarise_dataset
from ._engine import summarise_paths
from ._udf import Columns, SummariseBatch

__all__ = [
    "NESTED_FIELDS",
    "RECORD_FIELDS",
    "Columns",
    "SummariseBatch",
    "record_schema",
    "summarise_dataset",
    "summarise_paths",
    "to_record",
]
