"""Output records as Ray Data rows: one column per field of a JSON Lines output line.

Scalar fields (strings, numbers, booleans) are columns of their own type; the nested ones
(``summary``, ``error``, ``usage``, ``dropped``, ``flagged``) hold their JSON text. Every block
has the same Arrow schema (:func:`record_schema`, derived from
:class:`~diplosum._records.OutputRecord`), so any sink takes the rows, Parquet included, and
:func:`to_record` turns a row back into the record, whose ``json_line()`` is the line the
default engine writes.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._records import OutputRecord

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["NESTED_FIELDS", "RECORD_FIELDS", "from_records", "record_schema", "to_record"]

#: The fields of an output record, in the order of a JSON Lines line.
RECORD_FIELDS: tuple[str, ...] = tuple(OutputRecord.model_fields)


def _scalar(annotation: Any) -> type | None:
    """``str``, ``int``, ``float`` or ``bool`` for a field of that type (optional or not, a
    ``Literal`` of strings too); None for anything nested."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return str if all(isinstance(a, str) for a in typing.get_args(annotation)) else None
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _scalar(args[0])
    return annotation if annotation in (str, int, float, bool) else None


_SCALARS: dict[str, type] = {
    name: kind
    for name, info in OutputRecord.model_fields.items()
    if (kind := _scalar(info.annotation)) is not None
}
#: The fields held as JSON text (objects and lists).
NESTED_FIELDS: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f not in _SCALARS)


def record_schema() -> pa.Schema:
    """The Arrow schema of the rows :func:`diplosum.ray.summarise_dataset` returns."""
    import pyarrow as pa

    kinds = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    return pa.schema(
        [pa.field(f, kinds[_SCALARS[f]] if f in _SCALARS else pa.string()) for f in RECORD_FIELDS]
    )


def _row(record: OutputRecord) -> dict[str, Any]:
    data = record.record()
    for name in NESTED_FIELDS:
        if data[name] is not None:
            data[name] = json.dumps(data[name], ensure_ascii=False)
    return data


def from_records(records: Iterable[OutputRecord]) -> pa.Table:
    """Records as one Arrow table of :func:`record_schema`."""
    import pyarrow as pa

    rows = [_row(r) for r in records]
    return pa.Table.from_pylist(rows, schema=record_schema())


def to_record(row: Mapping[str, Any]) -> OutputRecord:
    """The output record a row of :func:`diplosum.ray.summarise_dataset` holds."""
    data = {f: row.get(f) for f in RECORD_FIELDS if f in row}
    for name in NESTED_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            data[name] = json.loads(value)
        elif value is None and OutputRecord.model_fields[name].default_factory is not None:
            data.pop(name)  # a list field: its default
    return OutputRecord.model_validate(data)
