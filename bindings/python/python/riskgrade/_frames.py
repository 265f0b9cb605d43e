"""Frames in and out: what kind of data a call got, the Arrow or profile JSON the native module
grades, NaN as missing, readable conversion errors, and results as the kind of frame asked for."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from ._riskgrade import DataError

OnRuleError = Literal["fail-row", "skip-rule", "abort"]
Output = Literal["auto", "arrow", "pandas", "polars"]
DateLike = str | _dt.date


def _rename(data: object, kind: str, columns: Mapping[str, str] | None) -> object:
    """`data` with its own column names mapped to the model's (``{own: model's}``)."""
    if not columns:
        return data
    if kind == "pandas":
        return data.rename(columns=dict(columns))  # type: ignore[attr-defined]
    if kind in ("polars", "polars-lazy"):
        names = data.collect_schema().names() if kind == "polars-lazy" else data.columns  # type: ignore[attr-defined]
        return data.rename({k: v for k, v in columns.items() if k in names})  # type: ignore[attr-defined]
    if kind in ("arrow-table", "arrow-batch"):
        return data.rename_columns([columns.get(n, n) for n in data.schema.names])  # type: ignore[attr-defined]
    if kind == "arrow-stream":
        table = pa.table(data)
        return table.rename_columns([columns.get(n, n) for n in table.schema.names])
    raise ValueError("columns= maps a frame's column names; profiles carry the model's own")


def _as_of(as_of: DateLike) -> str:
    if isinstance(as_of, _dt.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    return str(as_of)


def _kind(data: object) -> str:
    """Which kind of frame `data` is, by its module, without importing pandas or polars."""
    module = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if isinstance(data, pa.Table):
        return "arrow-table"
    if isinstance(data, pa.RecordBatch):
        return "arrow-batch"
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "polars" and name == "DataFrame":
        return "polars"
    if module == "polars" and name == "LazyFrame":
        return "polars-lazy"
    if isinstance(data, (str, bytes)):
        _check_json_text(data)
        return "json"
    if isinstance(data, Mapping):
        return "profiles"
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return "arrow-stream"
    if isinstance(data, Sequence):
        return "profiles"
    raise TypeError(
        f"cannot grade a {type(data).__module__}.{name}: pass a pandas or polars DataFrame, "
        "a pyarrow Table or RecordBatch, an object with __arrow_c_stream__, "
        "profiles as a list of dicts, or profile JSON text"
    )


def _check_json_text(text: str | bytes) -> None:
    """Refuses text that cannot be profile JSON (an object, an array or JSON Lines of objects),
    such as a file's path: it would come back as one unreadable row."""
    if isinstance(text, bytes):
        text = text[:4096].decode("utf-8", "replace")
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in ("", "{", "["):
        return
    shown = text[:60]
    raise DataError(
        f"text is graded as profile JSON (an object, an array or JSON Lines), and this text starts "
        f"with {shown!r}: to grade a file, read it first (pandas.read_csv, polars.read_parquet, "
        "pyarrow.parquet.read_table, ...) and pass the frame"
    )


def _arrow_input(data: object, kind: str) -> object:
    if kind == "pandas":
        return _from_pandas(data)
    if kind == "polars-lazy":
        data = data.collect()  # type: ignore[attr-defined]
        kind = "polars"
    if kind == "polars":
        return data.to_arrow()  # type: ignore[attr-defined]
    # NaN in a float column is read as a missing value by the native module, whatever the frame.
    return data


def _stream_input(reader: pa.RecordBatchReader, columns: Mapping[str, str]) -> pa.RecordBatchReader:
    """A stream read batch by batch, each with its columns renamed."""
    names = [columns.get(n, n) for n in reader.schema.names]
    schema = pa.schema([f.with_name(n) for f, n in zip(reader.schema, names)])

    def batches() -> Any:
        for b in reader:
            yield pa.RecordBatch.from_arrays(b.columns, schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with its dictionary columns as their value type (plain strings)."""
    fields = [f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema]
    return pa.schema(fields, metadata=schema.metadata)


def _from_pandas(df: Any) -> pa.Table:
    """A pandas DataFrame as Arrow; an ``id`` held in the index (named ``id``, no ``id`` column)
    becomes the ``id`` column. A value pyarrow cannot convert is a :class:`DataError` naming
    its row (from 0) and column."""
    if "id" not in df.columns and df.index.name == "id":
        df = df.reset_index()
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
        raise _conversion_error(df, e) from e


def _conversion_error(df: Any, cause: Exception) -> DataError:
    """The first cell of `df` that pyarrow cannot convert, as a DataError with row and column."""
    for column in df.columns:
        series = df[column]
        try:
            pa.Array.from_pandas(series)
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass
        row = _odd_one_out(list(series))
        if row is None:
            lo, hi = 0, len(series)  # the shortest failing prefix has `hi` rows
            while lo + 1 < hi:
                mid = (lo + hi) // 2
                try:
                    pa.Array.from_pandas(series.iloc[:mid])
                    lo = mid
                except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                    hi = mid
            row = hi - 1
        value = series.iloc[row]
        err = DataError(
            f"row {row}, column `{column}`: {value!r} ({type(value).__name__}) cannot be converted "
            f"with the column's other values; give the column one type ({cause})"
        )
        _set(err, row=row, column=str(column), value=str(value), file=None, line=None)
        return err
    err = DataError(f"the frame cannot be converted to Arrow: {cause}")
    _set(err, row=None, column=None, value=None, file=None, line=None)
    return err


def _value_kind(v: object) -> str | None:
    """What kind of value a cell holds (``None`` when missing), numbers of every width as one."""
    import numbers

    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (bool, _bool_types())):
        return "bool"
    if isinstance(v, numbers.Number):
        return "number"
    return type(v).__name__


def _bool_types() -> tuple[type, ...]:
    try:
        import numpy as np

        return (np.bool_,)
    except ImportError:  # pragma: no cover - pandas brings NumPy
        return ()


def _odd_one_out(values: list[Any]) -> int | None:
    """The first row whose kind of value differs from the column's most common kind."""
    kinds = [_value_kind(v) for v in values]
    counts: dict[str, int] = {}
    for k in kinds:
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    if len(counts) < 2:
        return None
    common = max(counts, key=lambda k: counts[k])
    return next(i for i, k in enumerate(kinds) if k is not None and k != common)


def _set(err: Exception, **attrs: Any) -> None:
    for k, v in attrs.items():
        setattr(err, k, v)


def _native_input(data: object, kind: str) -> object:
    """What the native module grades: profile JSON text, or Arrow data."""
    if kind in ("json", "profiles"):
        return _profiles_json(data, kind)
    return _arrow_input(data, kind)


def _profiles_json(data: object, kind: str) -> str:
    if kind == "json":
        return data.decode() if isinstance(data, bytes) else str(data)
    if isinstance(data, Mapping):
        data = [data]
    # One profile per line: a profile that cannot be read is named by its line, the profile's
    # place in the list counting from 1.
    return "\n".join(json.dumps(p, default=str) for p in data)  # type: ignore[attr-defined]


_OUTPUTS = ("auto", "arrow", "pandas", "polars")


def _check_output(output: object) -> None:
    if not isinstance(output, str) or output not in _OUTPUTS:
        raise ValueError(f"output={output!r}: use one of {', '.join(repr(o) for o in _OUTPUTS)}")


def _convert(
    table: pa.Table,
    kind: str,
    output: Output,
    index: Any = None,
    classes: Sequence[str] = (),
    arrow_lists: bool = False,
) -> Any:
    """`table` as the kind of frame asked for. For pandas, ``index`` (the input's index) is
    put on the result, ``class`` becomes an ordered categorical of ``classes`` and boolean
    columns pandas' nullable ``boolean``."""
    _check_output(output)
    target: str = output
    if output == "auto":
        target = {
            "pandas": "pandas",
            "polars": "polars",
            "polars-lazy": "polars",
            "arrow-batch": "arrow-batch",
        }.get(kind, "arrow")
    if target == "pandas":
        import pandas as pd

        # Booleans are pandas' nullable boolean, so a column's dtype does not depend on
        # whether this batch happens to hold an error row (null) in it.
        def types(t: pa.DataType) -> Any:
            if t == pa.bool_():
                return pd.BooleanDtype()
            # Arrow-backed lists are handed over without building one array per row.
            return pd.ArrowDtype(t) if arrow_lists and pa.types.is_list(t) else None

        df = table.to_pandas(types_mapper=types)
        if classes and "class" in df.columns:
            if isinstance(df["class"].dtype, pd.CategoricalDtype):
                # A dictionary column arrives categorical: only its categories are re-ordered.
                df["class"] = df["class"].cat.set_categories(list(classes), ordered=True)
            else:
                df["class"] = pd.Categorical(df["class"], categories=list(classes), ordered=True)
        if index is not None and len(index) == len(df):
            df.index = index
        return df
    if target == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if target == "arrow-batch":
        batches = table.combine_chunks().to_batches()
        return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
    return table
