"""Grade enterprises by credit risk (classes A/B/C/D) the way market regulators do.

riskgrade scores each enterprise with a general + specialised indicator system,
sorts it into a class, applies rule scripts (vetoes, floors and caps,
adjustments, labels, alerts routed to departments) and says why. The engine is
Rust; this package hands it pandas, polars or pyarrow data without copying
(the Arrow PyCapsule interface) and gives back the same kind of frame.

>>> import riskgrade
>>> model = riskgrade.Model.reference()
>>> profiles = [{"id": "E1", "industry": "F5211", "registered": "2012-04-01",
...              "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]}]
>>> table = model.classify(profiles, as_of="2026-11-01")
>>> table.column("class").to_pylist()
['D']

Errors form one tree: :class:`RiskgradeError` is the base of
:class:`ModelError` (and its :class:`RuleCompileError`), :class:`DataError`
and :class:`EvaluationError`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import pyarrow as pa

from . import _riskgrade
from ._riskgrade import (
    DataError,
    EvaluationError,
    ModelError,
    RiskgradeError,
    RuleCompileError,
)

__all__ = [
    "Calibration",
    "ClassInfo",
    "ColumnCheck",
    "Commitment",
    "Comparison",
    "DataError",
    "EvaluationError",
    "Evaluation",
    "Explanation",
    "Indicator",
    "InputInfo",
    "Model",
    "ModelError",
    "MonthRun",
    "OUTCOME_WORDS",
    "OutcomesRecorded",
    "PeriodComparison",
    "RiskgradeError",
    "RuleCompileError",
    "RuleInfo",
    "RuleTestResult",
    "Store",
    "Verification",
    "__version__",
    "calibrate",
    "compare",
    "synthesize",
    "validate",
]

__version__: str = _riskgrade.__version__

OnRuleError = Literal["fail-row", "skip-rule", "abort"]
Output = Literal["auto", "arrow", "pandas", "polars"]
DateLike = str | _dt.date


@dataclasses.dataclass(frozen=True)
class Indicator:
    """One indicator (leaf) of a model."""

    model: str
    path: str
    name: str
    weight: float
    """Absolute weight: the share of the model's score it can move."""
    dimension: str
    input: str | None
    """The input it reads, or ``None`` when it takes another model's score."""
    component: str | None
    """The model whose score it takes, for a general-credit component."""
    score: str
    """``bins``, ``linear``, ``boolean`` or ``category``."""


@dataclasses.dataclass(frozen=True)
class ClassInfo:
    """A class of a model, least risky first."""

    model: str
    name: str
    label: str


@dataclasses.dataclass(frozen=True)
class InputInfo:
    """An input the models read: a column of a batch, or a feature derived from records."""

    name: str
    type: str
    derive: dict[str, Any] | None
    description: str | None


@dataclasses.dataclass(frozen=True)
class RuleInfo:
    """A rule of the model set."""

    id: str
    description: str | None
    stage: str
    priority: int
    enabled: bool
    effective: str | None
    expires: str | None
    when: str | None
    file: str | None


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why one enterprise got its grade. ``str()`` gives the readable report."""

    id: str
    name: str
    industry: str
    model: str
    model_name: str
    version: str
    as_of: str
    score: float | None
    base_score: float | None
    """The indicators' score, before rules adjusted it."""
    class_: str | None
    class_label: str | None
    dimensions: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    rules: list[str]
    """Every rule effect, in running order, with what came of it."""
    labels: list[str]
    reasons: list[str]
    issues: list[str]
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        score = "-" if self.score is None else f"{self.score:.2f}"
        return (
            f"Explanation(id={self.id!r}, model={self.model!r}, class={self.class_!r}, score={score}, "
            f"rules={len(self.rules)}, reasons={len(self.reasons)}, issues={len(self.issues)})"
        )

    def _repr_html_(self) -> str:
        import html

        esc = html.escape
        score = "-" if self.score is None else f"{self.score:.2f}"
        head = (
            f"<p><b>{esc(self.id)}</b> {esc(self.name)} ({esc(self.industry)}): class "
            f"<b>{esc(str(self.class_))}</b> {esc(str(self.class_label or ''))}, score {score} "
            f"by {esc(self.model_name)} as of {esc(self.as_of)}</p>"
        )
        items = [("reasons", self.reasons), ("rules", self.rules), ("labels", self.labels), ("issues", self.issues)]
        body = "".join(
            f"<p>{name}:</p><ul>{''.join(f'<li>{esc(str(x))}</li>' for x in xs)}</ul>" for name, xs in items if xs
        )
        return head + body


@dataclasses.dataclass(frozen=True)
class ColumnCheck:
    """What :meth:`Model.check` found in a frame's columns, all at once.

    A frame must carry ``id``, ``industry``, the inputs of the models its rows are routed to
    (and of the models whose scores those take) and the inputs the rules read; the columns of a
    model no row is routed to may be absent.
    """

    routed: list[str]
    """The models the rows are routed to (with the models whose scores they take)."""
    missing: list[dict[str, str]]
    """Columns the grading needs and the frame lacks: ``column`` and its input ``type``."""
    extra: list[str]
    """Columns no model reads (ignored when grading)."""
    mistyped: list[dict[str, str]]
    """Columns whose type cannot feed their input: ``column``, ``type`` and ``problem``."""
    values: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Every bad value of the usable columns, one per row and column, as :meth:`Model.classify`
    would report it: ``row`` (from 0, as ``df.iloc``), ``id``, ``column``, ``problem`` (a
    count that is negative or not whole, a date or number that does not parse, a duplicate or
    missing id, a credit code, industry or district code that breaks its standard — GB
    32100-2015, GB/T 4754-2017, GB/T 2260) and ``flagged`` (a code the set's ``[codes]``
    policy grades anyway). A row with a problem that is not ``flagged`` comes back from
    :meth:`Model.classify` as an error row."""

    @property
    def ok(self) -> bool:
        """True when :meth:`Model.classify` can read the frame (extra columns do no harm;
        bad values become error rows, see :attr:`values`)."""
        return not self.missing and not self.mistyped

    @property
    def clean(self) -> bool:
        """True when the frame is :attr:`ok` and no value would make an error row."""
        return self.ok and not any(not v["flagged"] for v in self.values)

    def value_counts(self) -> dict[str, int]:
        """How many bad values each column has, most first."""
        counts: dict[str, int] = {}
        for v in self.values:
            counts[v["column"]] = counts.get(v["column"], 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def __str__(self) -> str:
        lines = [f"routed to: {', '.join(self.routed) or '(no model)'}"]
        lines += [f"missing: {m['column']} ({m['type']})" for m in self.missing]
        lines += [f"mistyped: {m['column']}: {m['problem']}" for m in self.mistyped]
        if self.extra:
            lines.append(f"extra (ignored): {', '.join(self.extra)}")
        for v in self.values[:20]:
            lines.append(f"row {v['row']}, enterprise `{v['id']}`, column `{v['column']}`: {v['problem']}")
        if len(self.values) > 20:
            lines.append(f"... and {len(self.values) - 20} more bad values ({self.value_counts()})")
        lines.append(("ok" if self.ok else "not ok") + ("" if self.clean or not self.ok else ", with bad values"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ColumnCheck(ok={self.ok}, routed={self.routed}, missing={[m['column'] for m in self.missing]}, "
            f"mistyped={[m['column'] for m in self.mistyped]}, extra={len(self.extra)}, values={len(self.values)})"
        )

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(kind)}</td><td><code>{html.escape(col)}</code></td><td>{html.escape(what)}</td></tr>"
            for kind, col, what in [
                *(("missing", m["column"], m["type"]) for m in self.missing),
                *(("mistyped", m["column"], m["problem"]) for m in self.mistyped),
                *(("extra", c, "ignored") for c in self.extra),
                *((f"row {v['row']}", v["column"], v["problem"]) for v in self.values[:50]),
            ]
        )
        head = f"<p><b>{'ok' if self.ok else 'not ok'}</b>; routed to {html.escape(', '.join(self.routed))}</p>"
        return head + (f"<table><tr><th></th><th>column</th><th></th></tr>{rows}</table>" if rows else "")


_DESCRIBED: dict[str, type] = {"indicators": Indicator, "inputs": InputInfo, "classes": ClassInfo, "rules": RuleInfo}
"""The dataclass of each kind of row of :meth:`Model.frame`."""


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


@dataclasses.dataclass(frozen=True)
class RuleTestResult:
    """The outcome of one rule-test case."""

    name: str
    passed: bool
    failures: list[str]
    effects: list[str]
    class_: str | None
    score: float | None
    report: str

    def __str__(self) -> str:
        return self.report


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


def _arrow_input(data: object, kind: str) -> object:
    if kind == "pandas":
        return _from_pandas(data)
    if kind == "polars-lazy":
        data = data.collect()  # type: ignore[attr-defined]
        kind = "polars"
    if kind == "polars":
        return _nan_as_null(data.to_arrow())  # type: ignore[attr-defined]
    if kind in ("arrow-table", "arrow-batch"):
        return _nan_as_null(data)
    return data


def _stream_input(reader: pa.RecordBatchReader, columns: Mapping[str, str]) -> pa.RecordBatchReader:
    """A stream read batch by batch, each with its columns renamed and NaN as missing."""
    names = [columns.get(n, n) for n in reader.schema.names]
    schema = pa.schema([f.with_name(n) for f, n in zip(reader.schema, names)])

    def batches() -> Any:
        for b in reader:
            yield _nan_as_null(pa.RecordBatch.from_arrays(b.columns, schema=schema))

    return pa.RecordBatchReader.from_batches(schema, batches())


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with its dictionary columns as their value type (plain strings)."""
    fields = [f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema]
    return pa.schema(fields, metadata=schema.metadata)


def _nan_as_null(table: Any) -> Any:
    """NaN in a float column as a missing value, as pandas' conversion does: one meaning
    of NaN whether the frame came from pandas, polars or pyarrow."""
    import pyarrow.compute as pc

    columns = list(table.columns)
    changed = False
    for i, col in enumerate(columns):
        if pa.types.is_floating(col.type) and pc.any(pc.is_nan(col)).as_py():
            columns[i] = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
            changed = True
    if not changed:
        return table
    out = pa.table(columns, names=table.schema.names)
    return out.to_batches()[0] if isinstance(table, pa.RecordBatch) and out.num_rows else out


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
    return json.dumps(list(data), default=str)  # type: ignore[call-overload]


_OUTPUTS = ("auto", "arrow", "pandas", "polars")


def _check_output(output: object) -> None:
    if not isinstance(output, str) or output not in _OUTPUTS:
        raise ValueError(f"output={output!r}: use one of {', '.join(repr(o) for o in _OUTPUTS)}")


def _convert(table: pa.Table, kind: str, output: Output, index: Any = None, classes: Sequence[str] = ()) -> Any:
    """`table` as the kind of frame asked for. For pandas, ``index`` (the input's index) is
    put on the result and ``class`` becomes an ordered categorical of ``classes``."""
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
        df = table.to_pandas()
        if classes and "class" in df.columns:
            import pandas as pd

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


class Model:
    """A compiled model set: models, routing, rules and alert routing.

    Load it once and grade many batches; it is immutable, thread-safe, and
    pickles (through its canonical JSON), so it can be shipped to PySpark or
    Dask workers.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _riskgrade.Model) -> None:
        self._native = native

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Model:
        """Loads a model or model set file (TOML, or JSON by extension).

        Raises :class:`ModelError` (with ``file``, ``line``, ``column``) or
        :class:`RuleCompileError` (with ``rule_id``, ``line``, ``column``).
        """
        return cls(_riskgrade.Model.from_path(os.fspath(path)))

    @classmethod
    def from_toml(cls, text: str) -> Model:
        """Loads a model, or a self-contained model set, from TOML text."""
        return cls(_riskgrade.Model.from_toml(text))

    @classmethod
    def from_json(cls, text: str) -> Model:
        """Loads a model set from JSON text, e.g. another model's :meth:`to_json`."""
        return cls(_riskgrade.Model.from_json(text))

    @classmethod
    def reference(cls) -> Model:
        """The embedded reference set: general and food-production models, reference rules, routing."""
        return cls(_riskgrade.Model.reference())

    @property
    def version_id(self) -> str:
        """16 hex digits of the SHA-256 of the canonical form; recorded with every result."""
        return self._native.version_id

    def to_json(self) -> str:
        """The canonical JSON; :meth:`from_json` of it gives an identical model."""
        return self._native.to_json()

    def to_toml(self) -> str:
        """The canonical TOML."""
        return self._native.to_toml()

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (Model.from_json, (self.to_json(),))

    def __eq__(self, other: object) -> bool:
        """Two models are equal when their version ids are (the same canonical content)."""
        return isinstance(other, Model) and other.version_id == self.version_id

    def __hash__(self) -> int:
        return hash(self.version_id)

    def __repr__(self) -> str:
        return f"riskgrade.{self._native!r}"

    def _describe(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self._native.describe())
        return result

    @property
    def models(self) -> list[str]:
        """The ids of the set's models (e.g. ``["general", "food"]``)."""
        return [m["id"] for m in self._describe()["models"]]

    def indicators(self, model: str | None = None) -> list[Indicator]:
        """Every indicator of every model (or of one), with its absolute weight."""
        out = []
        for m in self._describe()["models"]:
            if model is not None and m["id"] != model:
                continue
            for i in m["indicators"]:
                src = i["source"]
                out.append(
                    Indicator(
                        model=m["id"],
                        path=i["path"],
                        name=i["name"],
                        weight=i["weight"],
                        dimension=i["dimension"],
                        input=src.get("input"),
                        component=src.get("model"),
                        score=i["score"],
                    )
                )
        if model is not None and not out and model not in self.models:
            raise KeyError(f"no model {model!r}; the set has {self.models}")
        return out

    def frame(
        self,
        what: Literal["indicators", "inputs", "classes", "rules"],
        *,
        model: str | None = None,
        output: Output = "auto",
    ) -> Any:
        """The model described as a frame, one row per indicator, input, class or rule (the
        fields of :class:`Indicator`, :class:`InputInfo`, :class:`ClassInfo`,
        :class:`RuleInfo`; ``class_`` of a class is its ``name``), in the ``output`` kind
        (``"auto"`` and ``"arrow"``: a pyarrow Table; ``"pandas"``; ``"polars"``). ``model``
        keeps one model's indicators or classes.

        >>> import riskgrade
        >>> model = riskgrade.Model.reference()
        >>> weights = model.frame("indicators", model="general", output="pandas")
        >>> round(float(weights["weight"].sum()), 6)
        1.0
        >>> model.frame("inputs").num_rows == len(model.inputs)
        True
        """
        _check_output(output)
        rows: list[Any]
        if what == "indicators":
            rows = self.indicators(model)
        elif what == "classes":
            rows = self.classes(model)
        elif what in ("inputs", "rules"):
            if model is not None:
                raise ValueError(f"model= keeps one model's indicators or classes; {what} belong to the set")
            rows = self.inputs if what == "inputs" else self.rules
        else:
            raise ValueError(f"what={what!r}: use 'indicators', 'inputs', 'classes' or 'rules'")
        fields = [f.name for f in dataclasses.fields(_DESCRIBED[what])]
        records = [{k: v for k, v in dataclasses.asdict(r).items()} for r in rows]
        if what == "inputs":
            for r in records:
                r["derive"] = None if r["derive"] is None else json.dumps(r["derive"], ensure_ascii=False)
        table = pa.Table.from_pylist(records) if records else pa.table({f: pa.array([], pa.null()) for f in fields})
        return _convert(table.select(fields), "arrow", output)

    def classes(self, model: str | None = None) -> list[ClassInfo]:
        """The classes of every model (or of one), least risky first."""
        return [
            ClassInfo(model=m["id"], name=c["name"], label=c["label"])
            for m in self._describe()["models"]
            if model is None or m["id"] == model
            for c in m["classes"]
        ]

    @property
    def inputs(self) -> list[InputInfo]:
        """The inputs a batch must carry as columns (profiles derive them from records)."""
        return [InputInfo(**i) for i in self._describe()["inputs"]]

    @property
    def rules(self) -> list[RuleInfo]:
        """The rules, in declaration order."""
        return [RuleInfo(**r) for r in self._describe()["rules"]]

    @overload
    def classify(
        self,
        data: object,
        as_of: DateLike,
        *,
        reasons: bool = ...,
        max_reasons: int | None = ...,
        contributions: bool = ...,
        dimensions: bool = ...,
        strict: bool = ...,
        rules: bool = ...,
        on_rule_error: OnRuleError = ...,
        output: Literal["arrow"],
        keep_index: bool = ...,
        columns: Mapping[str, str] | None = ...,
        dictionaries: bool = ...,
    ) -> pa.Table: ...

    @overload
    def classify(
        self,
        data: object,
        as_of: DateLike,
        *,
        reasons: bool = ...,
        max_reasons: int | None = ...,
        contributions: bool = ...,
        dimensions: bool = ...,
        strict: bool = ...,
        rules: bool = ...,
        on_rule_error: OnRuleError = ...,
        output: Output = ...,
        keep_index: bool = ...,
        columns: Mapping[str, str] | None = ...,
        dictionaries: bool = ...,
    ) -> Any: ...

    def classify(
        self,
        data: object,
        as_of: DateLike,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: OnRuleError = "fail-row",
        output: Output = "auto",
        keep_index: bool = True,
        columns: Mapping[str, str] | None = None,
        dictionaries: bool = True,
    ) -> Any:
        """Grades a batch as of a date and returns one result row per enterprise.

        ``data`` is a pandas or polars DataFrame, a pyarrow Table or
        RecordBatch, any object with ``__arrow_c_stream__`` (one row per
        enterprise: ``id``, ``industry``, and a column per model input), or
        nested profiles (a list of dicts, or JSON text) whose features are
        derived from their records as of the date. The result is the same
        kind as the input (``output="auto"``; profiles give a pyarrow Table),
        or the kind ``output`` names. Columns: ``id``, ``industry``,
        ``model``, ``score``, ``class``, ``class_label``, ``reasons``,
        ``score_before_rules``, ``labels``, ``alerts``, ``rules``, ``status``,
        ``error``, ``model_version``, ``as_of``, ``dim:…`` per dimension, and
        ``contrib:…`` per indicator with ``contributions=True``.
        ``labels``, ``alerts`` and ``rules`` are lists of strings (Arrow
        ``list<string>``; empty when there are none), results schema 4.

        A bad row never stops the batch: it comes back with ``status`` =
        ``"error"`` and the reason in ``error``; ``strict=True`` raises
        :class:`DataError` instead. The GIL is released while grading, the
        work runs in parallel, and Ctrl-C stops it.

        pandas: the results come back on the input's index, row for row, so
        ``df["class"] = model.classify(df, d)["class"]`` lines up on a filtered
        frame (``keep_index=False`` gives a fresh RangeIndex); an ``id`` held in
        the index (named ``id``, with no ``id`` column) is read as the ids;
        ``class`` is an ordered categorical (``A < B < C < D``). A polars
        LazyFrame is collected first. NaN in a float column is a missing value,
        whether the frame is pandas, polars or pyarrow. ``output`` must be one
        of ``"auto"``, ``"arrow"``, ``"pandas"``, ``"polars"`` (else
        ``ValueError``). Rows count from 0 in errors (``e.row`` and the
        message alike): ``df.iloc[e.row]`` is the row named.

        ``columns`` maps the frame's own column names to the model's
        (``{"企业代码": "id", ...}``); :meth:`check` shows every missing,
        extra and mistyped column at once. A frame needs the columns of the
        models its rows are routed to, not those of the other models.

        Repeated texts (``model``, ``class``, ``class_label``, ``status``,
        ``model_version``, ``as_of``) are Arrow dictionary columns, handed over
        without a copy (results schema 4). ``dictionaries=False`` decodes them to
        plain strings, for engines without dictionary columns such as PySpark's
        ``mapInArrow`` (use ``result_schema(dictionaries=False)`` there).
        """
        _check_output(output)
        kind = _kind(data)
        data = _rename(data, kind, columns)
        options: dict[str, Any] = {
            "reasons": reasons,
            "max_reasons": max_reasons,
            "contributions": contributions,
            "dimensions": dimensions,
            "strict": strict,
            "rules": rules,
            "on_rule_error": on_rule_error,
        }
        table = self._native.classify(_native_input(data, kind), _as_of(as_of), **options)
        if not dictionaries:
            table = table.cast(_plain_schema(table.schema))
        index = data.index if kind == "pandas" and keep_index else None  # type: ignore[attr-defined]
        return _convert(table, kind, output, index=index, classes=self._class_order())

    def classify_stream(
        self,
        data: object,
        as_of: DateLike,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: OnRuleError = "fail-row",
        columns: Mapping[str, str] | None = None,
    ) -> pa.RecordBatchReader:
        """Grades a stream of batches as it is read, for inputs larger than memory.

        ``data`` is a ``pyarrow.RecordBatchReader``, any object with
        ``__arrow_c_stream__`` (a pyarrow Table, a polars DataFrame, a dataset
        scanner's reader), or a pandas or polars frame. The result is a
        ``pyarrow.RecordBatchReader`` with one results batch per input batch, in
        the schema of :meth:`classify`; each batch is graded when it is read, so
        memory holds one batch at a time. The first batch is graded at the call,
        so a missing column raises :class:`DataError` here; a later batch's
        strict error names the row counted from the stream's first row.
        Models that cut classes by shares of the batch need every score at once
        and refuse to stream (:class:`DataError`): use :meth:`classify`.

        >>> import pyarrow as pa, riskgrade
        >>> model = riskgrade.Model.reference()
        >>> frame = riskgrade.synthesize(1000)
        >>> reader = pa.RecordBatchReader.from_batches(frame.schema, frame.to_batches(max_chunksize=300))
        >>> [b.num_rows for b in model.classify_stream(reader, "2026-11-01")]
        [300, 300, 300, 100]
        """
        kind = _kind(data)
        if kind in ("json", "profiles"):
            raise ValueError("classify_stream reads Arrow batches; grade profiles with classify")
        if kind in ("pandas", "polars", "polars-lazy"):
            data = _arrow_input(data, kind)
        reader = data if isinstance(data, pa.RecordBatchReader) else pa.RecordBatchReader.from_stream(data)
        options: dict[str, Any] = {
            "reasons": reasons,
            "max_reasons": max_reasons,
            "contributions": contributions,
            "dimensions": dimensions,
            "strict": strict,
            "rules": rules,
            "on_rule_error": on_rule_error,
        }
        out = self._native.classify_stream(_stream_input(reader, columns or {}), _as_of(as_of), **options)
        return pa.RecordBatchReader.from_stream(out)

    def check(
        self, data: object, *, columns: Mapping[str, str] | None = None, as_of: DateLike | None = None
    ) -> ColumnCheck:
        """Checks a frame's columns without grading it: the models its rows are routed to, and
        every missing, extra and mistyped column at once (see :class:`ColumnCheck`).

        ``columns`` maps the frame's own names to the model's, as for :meth:`classify`; check
        until ``ok``, then grade with the same mapping. The values are checked too, as a
        grading as of ``as_of`` (default today) without rules would find them
        (:attr:`ColumnCheck.values`).

        >>> import riskgrade
        >>> model = riskgrade.Model.reference()
        >>> frame = riskgrade.synthesize(10).rename_columns({"complaints_1y": "投诉"})
        >>> model.check(frame).missing
        [{'column': 'complaints_1y', 'type': 'count'}]
        >>> model.check(frame, columns={"投诉": "complaints_1y"}).ok
        True
        """
        kind = _kind(data)
        if kind in ("json", "profiles"):
            raise ValueError("check reads a frame's columns; profiles are read as records")
        native = _arrow_input(_rename(data, kind, columns), kind)
        d = json.loads(_riskgrade.check(self._native, native, _as_of(_dt.date.today() if as_of is None else as_of)))
        return ColumnCheck(
            routed=d["routed"], missing=d["missing"], extra=d["extra"], mistyped=d["mistyped"], values=d["values"]
        )

    def _class_order(self) -> list[str]:
        """Every model's class names, least risky first, each once."""
        return list(dict.fromkeys(c.name for c in self.classes()))

    def explain(
        self,
        data: object,
        as_of: DateLike,
        id: str,
        *,
        rules: bool = True,
        on_rule_error: OnRuleError = "fail-row",
    ) -> Explanation:
        """Explains one enterprise of a batch: dimensions, indicators, rules, reasons."""
        text = self._native.explain(
            _native_input(data, _kind(data)), _as_of(as_of), id, rules=rules, on_rule_error=on_rule_error
        )
        d = json.loads(text)
        d["class_"] = d.pop("class")
        return Explanation(**d)

    def explain_many(
        self,
        data: object,
        as_of: DateLike,
        ids: Sequence[str],
        *,
        rules: bool = True,
        on_rule_error: OnRuleError = "fail-row",
    ) -> dict[str, Explanation]:
        """Explains several enterprises of a batch from one grading (not one per id): a dict
        from id to :class:`Explanation`, in the order of ``ids``. Ids the batch does not hold
        raise one :class:`KeyError` naming them (its ``ids`` attribute lists them all).

        >>> import riskgrade
        >>> model = riskgrade.Model.reference()
        >>> data = riskgrade.synthesize(50)
        >>> ids = data.column("id").to_pylist()[:3]
        >>> [e.class_ is not None for e in model.explain_many(data, "2026-11-01", ids).values()]
        [True, True, True]
        """
        if isinstance(ids, str):
            raise TypeError("ids: a list of enterprise ids (use explain() for one)")
        wanted = [str(i) for i in ids]
        texts = _riskgrade.explain_many(
            self._native, _native_input(data, _kind(data)), _as_of(as_of), wanted, rules=rules, on_rule_error=on_rule_error
        )
        out: dict[str, Explanation] = {}
        for id_, text in zip(wanted, texts):
            d = json.loads(text)
            d["class_"] = d.pop("class")
            out[id_] = Explanation(**d)
        return out

    def test_rules(self, tests: str | os.PathLike[str]) -> list[RuleTestResult]:
        """Runs rule tests: a ``.tests.toml`` path, or its text. See ``docs/rules.md``.

        As for models (:func:`validate`), a path object or a one-line string is a file's path,
        and text with a line break is the tests themselves; a file that cannot be read raises
        :class:`DataError` with ``file`` (a :class:`RiskgradeError`, as a missing model's
        :class:`ModelError` is).
        """
        name = "<tests>"
        text = os.fspath(tests)
        if isinstance(tests, os.PathLike) or "\n" not in text:
            name = text
            try:
                with open(text, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as e:
                err = DataError(f"rule tests {name}: {e.strerror if isinstance(e, OSError) else e}")
                _set(err, row=None, column=None, value=None, file=name, line=None)
                raise err from e
        out = []
        for r in json.loads(self._native.test_rules(text, name)):
            r["class_"] = r.pop("class")
            out.append(RuleTestResult(**r))
        return out

    def result_schema(
        self, *, contributions: bool = False, dimensions: bool = True, dictionaries: bool = True
    ) -> pa.Schema:
        """The schema of :meth:`classify`'s results; with ``dictionaries=False``, that of
        ``classify(..., dictionaries=False)`` (for PySpark's ``mapInArrow``)."""
        empty = pa.table(
            {"id": pa.array([], pa.string()), "industry": pa.array([], pa.string())}
            | {
                i.name: pa.array([], pa.string() if i.type == "category" else pa.float64())
                for i in self.inputs
            }
        )
        table = self._native.classify(empty, "2000-01-01", contributions=contributions, dimensions=dimensions)
        schema: pa.Schema = table.schema
        return schema if dictionaries else _plain_schema(schema)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two gradings of the same enterprises side by side (see :func:`compare`)."""

    classes: list[str]
    """Class names, least risky first; the matrix has one more row and column, ``not graded``."""
    counts: list[list[int]]
    """``counts[i][j]``: enterprises in class ``i`` before and ``j`` after."""
    total: int
    movers: Any
    """The enterprises that changed class, with the rules that moved them (same kind of frame as the input)."""
    text: str
    outcomes: dict[str, Any] | None = None
    """With ``outcomes=``: both sides judged on them — ``champion`` and ``challenger`` (detection
    rate per class, AUC, KS, Gini), ``class_psi``, ``score_psi``, ``matched`` and ``unmatched``."""

    @property
    def labels(self) -> list[str]:
        """The matrix's row and column labels: the classes, then ``not graded``."""
        return [*self.classes, "not graded"]

    @property
    def moved(self) -> int:
        """How many enterprises changed class."""
        n = len(self.labels)
        return self.total - sum(self.counts[i][i] for i in range(n) if i < len(self.counts))

    def __repr__(self) -> str:
        judged = "" if self.outcomes is None else ", with outcomes"
        return f"Comparison(total={self.total}, moved={self.moved}, classes={self.classes}{judged})"

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.labels)
        rows = "".join(
            f"<tr><th>{html.escape(label)}</th>{''.join(f'<td>{n:,}</td>' for n in row)}</tr>"
            for label, row in zip(self.labels, self.counts)
        )
        return (
            f"<p>{self.moved:,} of {self.total:,} enterprises changed class (rows before, columns after)</p>"
            f"<table><tr><th></th>{head}</tr>{rows}</table>"
        )

    def detection_rates(self) -> Any:
        """Champion vs challenger per class as a pandas DataFrame: inspected, problems and detection rate of each side."""
        import pandas as pd

        if self.outcomes is None:
            raise ValueError("no outcomes: pass outcomes= to compare() to judge both sides on inspection results")
        rows = []
        for side in ("champion", "challenger"):
            for c in self.outcomes[side]["classes"]:
                rows.append(
                    {
                        "side": side,
                        "class": c["class"],
                        "inspected": c["inspected"],
                        "problems": c["problems"],
                        "detection_rate": c["detection_rate"],
                    }
                )
        return pd.DataFrame(rows).pivot(index="class", columns="side").swaplevel(axis=1).sort_index(axis=1)

    def matrix(self) -> Any:
        """The migration matrix as a pandas DataFrame: rows before, columns after."""
        import pandas as pd

        return pd.DataFrame(self.counts, index=pd.Index(self.labels, name="before"), columns=pd.Index(self.labels, name="after"))

    def __str__(self) -> str:
        return self.text


def compare(
    data: object,
    as_of: DateLike,
    *,
    before: Model,
    after: Model | None = None,
    before_rules: bool = True,
    after_rules: bool = True,
    top: int = 10,
    output: Output = "auto",
    outcomes: object = None,
) -> Comparison:
    """Grades the same enterprises twice and compares the classes (impact analysis).

    With ``outcomes`` — inspection results as a mapping ``{enterprise id: problem found}``, or a
    pandas/polars/pyarrow table with the columns ``enterprise`` and ``problem`` (true/false) or
    ``result`` (``problem``, ``no_problem``, ...) — it is a champion vs challenger report:
    ``before`` is the champion, ``after`` the challenger, and both are judged on the same outcomes
    (detection rate per class, AUC, KS, Gini; PSI of classes and scores) in
    :attr:`Comparison.outcomes` and :meth:`Comparison.detection_rates`.

    ``before`` and ``after`` are two model sets (e.g. the rules in force and a
    proposed change); with ``after`` omitted the same set is used, so
    ``compare(df, d, before=model, before_rules=False)`` shows what the rules
    move. The result has the migration matrix (:meth:`Comparison.matrix`) and
    the movers with the rules that moved them.
    """
    after = before if after is None else after
    _check_output(output)
    columns = None if outcomes is None else _outcome_columns(outcomes)
    kind = _kind(data)
    m, movers, text, judged = _riskgrade.compare(
        before._native,
        after._native,
        _native_input(data, kind),
        _as_of(as_of),
        before_rules=before_rules,
        after_rules=after_rules,
        top=top,
        outcomes=columns,
    )
    d = json.loads(m)
    return Comparison(
        classes=d["classes"],
        counts=d["matrix"],
        total=d["total"],
        movers=_convert(movers, kind, output),
        text=text,
        outcomes=None if judged is None else json.loads(judged),
    )


@dataclasses.dataclass(frozen=True)
class Calibration:
    """A model whose weights were set from data (see :func:`calibrate`)."""

    model: Model
    """The new version, in memory: grade with it, compare it, or save ``model.to_toml()``."""
    method: str
    weights: Any
    """Each leaf's absolute weight before and after, as a pandas DataFrame indexed by leaf path."""
    provenance: list[dict[str, Any]]
    """The provenance entries appended to the model: method, date, version derived from, inputs' digest, parameters, metrics."""
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Calibration(method={self.method!r}, model={self.model.version_id!r}, leaves={len(self.weights)})"

    def _repr_html_(self) -> str:
        import html

        table = self.weights._repr_html_() if hasattr(self.weights, "_repr_html_") else ""
        return f"<p>{html.escape(self.method)} calibration: version {html.escape(self.model.version_id)}</p>{table}"


CalibrationMethod = Literal["entropy", "critic", "logistic"]


def calibrate(
    data: object,
    as_of: DateLike,
    *,
    model: Model,
    method: CalibrationMethod,
    outcomes: object = None,
    model_id: str | None = None,
    under: str | None = None,
    expert_share: float = 0.0,
    holdout: float = 0.3,
    seed: int = 0,
    shares: Sequence[float] | None = None,
    keep_bands: bool = False,
) -> Calibration:
    """Sets a model's weights scientifically and returns the new version with its provenance.

    ``method="entropy"`` or ``"critic"`` weigh the leaves by how much their values vary across
    the enterprises in ``data`` (``under`` limits it to the leaves below a node;
    ``expert_share`` mixes in the current weights). ``method="logistic"`` fits the weights on
    inspection ``outcomes`` (as for :func:`compare`: a mapping ``{id: problem}`` or a table with
    ``enterprise`` and ``problem``/``result``), holds out ``holdout`` of them to report detection
    rates, AUC, KS and Gini before and after, and cuts the new scores to the old class shares
    (or to ``shares``; ``keep_bands=True`` keeps the bands). Judge the result against the model
    in force with ``compare(data, as_of, before=model, after=cal.model, outcomes=...)``.
    """
    native, text, leaves, prov = _riskgrade.calibrate(
        model._native,
        _native_input(data, _kind(data)),
        _as_of(as_of),
        method=method,
        model_id=model_id,
        outcomes=None if outcomes is None else _outcome_columns(outcomes),
        under=under,
        expert_share=expert_share,
        holdout=holdout,
        seed=seed,
        shares=None if shares is None else [float(x) for x in shares],
        keep_bands=keep_bands,
    )
    import pandas as pd

    weights = pd.DataFrame(json.loads(leaves)).set_index("leaf")
    return Calibration(model=Model(native), method=method, weights=weights, provenance=json.loads(prov), text=text)


OUTCOME_WORDS: dict[str, dict[str, str]] = {
    "problem": {"是": "true", "否": "false", "有": "true", "无": "false", "有问题": "true", "无问题": "false"},
    "result": {
        "发现问题": "problem",
        "未发现问题": "no_problem",
        "无法联系": "not_reachable",
        "拒绝检查": "refused",
        "不配合检查": "refused",
    },
}
"""The Chinese words read as outcomes, beside the English ones the engine reads: ``problem``
flags are true/false, yes/no, 1/0 (booleans and the integers 0 and 1 too) or 是/否, 有/无,
有问题/无问题; ``result`` texts are problem, no_problem, not_reachable, refused or 发现问题,
未发现问题, 无法联系, 拒绝检查/不配合检查. Anything else — including a missing value, None or
NaN — is a :class:`DataError` naming the row (from 0), the column and the text."""


def _outcome_words(name: str, values: list[Any]) -> list[Any]:
    words = OUTCOME_WORDS[name]
    return [words.get(v.strip(), v) if isinstance(v, str) else v for v in values]


def _outcome_columns(outcomes: object) -> tuple[list[Any], str, list[Any]]:
    """Inspection outcomes as (enterprise ids, column name, values) from a mapping or a table.

    The values are read in Rust, after :data:`OUTCOME_WORDS` translates the Chinese ones:
    ``result`` texts (``problem``, ``no_problem``, ...) or ``problem`` flags (true/false, 1/0);
    a bad or missing one raises :class:`DataError` naming the row.
    """
    if isinstance(outcomes, dict):
        return list(outcomes), "problem", _outcome_words("problem", list(outcomes.values()))

    def column(name: str) -> list[Any] | None:
        try:
            col = outcomes[name]  # type: ignore[index]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        except Exception:  # polars raises its own ColumnNotFoundError
            return None
        values = col.to_pylist() if hasattr(col, "to_pylist") else list(col)
        return list(values)

    ids = column("enterprise")
    if ids is None:
        raise ValueError("outcomes: a mapping {enterprise: problem} or a table with an `enterprise` column")
    for name in ("problem", "result"):
        values = column(name)
        if values is not None:
            return ids, name, _outcome_words(name, values)
    raise ValueError("outcomes: the table needs a `problem` (true/false) or a `result` column")


@overload
def synthesize(
    n: int, *, seed: int = ..., as_of: DateLike = ..., model: Model | None = ..., profiles: Literal[False] = ...
) -> pa.Table: ...


@overload
def synthesize(
    n: int, *, seed: int = ..., as_of: DateLike = ..., model: Model | None = ..., profiles: Literal[True]
) -> list[dict[str, Any]]: ...


def synthesize(
    n: int,
    *,
    seed: int = 42,
    as_of: DateLike = "2026-11-01",
    model: Model | None = None,
    profiles: bool = False,
) -> pa.Table | list[dict[str, Any]]:
    """A deterministic synthetic population of ``n`` enterprises with several years of records.

    By default a pyarrow Table with one column per input of ``model`` (the
    reference set when omitted), derived as of ``as_of``, plus the hidden
    ``true_propensity`` (annual probability of a violation) and
    ``true_segment`` of each enterprise; with ``profiles=True``, the nested
    profiles as dicts. The same seed gives the same data.
    """
    native = None if model is None else model._native
    out = _riskgrade.synthesize(n, seed=seed, as_of=_as_of(as_of), model=native, profiles=profiles)
    if profiles:
        return [json.loads(line) for line in out.splitlines() if line]
    table: pa.Table = out
    return table


# The history store lives in its own module; it uses the helpers above.
from ._store import (  # noqa: E402
    Commitment,
    Evaluation,
    MonthRun,
    OutcomesRecorded,
    PeriodComparison,
    Store,
    Verification,
)


def validate(source: str | os.PathLike[str]) -> Model:
    """Loads and checks a model file (or TOML text); raises :class:`ModelError` with the position."""
    text = os.fspath(source)
    if isinstance(source, os.PathLike) or "\n" not in text:
        return Model.from_path(text)
    return Model.from_toml(text)


def __dir__() -> list[str]:
    """The public names only (not the modules and typing names the package imports)."""
    return sorted([*__all__, "plot"])
