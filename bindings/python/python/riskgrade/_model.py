"""The :class:`Model`: loading, describing, grading, checking and explaining batches."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import pyarrow as pa

from . import _riskgrade
from ._frames import (
    DateLike,
    OnRuleError,
    Output,
    _arrow_input,
    _as_of,
    _check_output,
    _convert,
    _kind,
    _native_input,
    _plain_schema,
    _rename,
    _set,
    _stream_input,
)
from ._info import _DESCRIBED, ClassInfo, Indicator, InputInfo, RuleInfo, RuleTestResult
from ._progress import Progress, StreamProgress, progress_callback, stream_with_progress
from ._reports import ColumnCheck, Explanation
from ._riskgrade import DataError

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
        progress: Progress = ...,
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
        progress: Progress = ...,
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
        progress: Progress = None,
    ) -> Any:
        """Grades a batch as of a date and returns one result row per enterprise.

        ``data`` is a pandas or polars DataFrame, a pyarrow Table or
        RecordBatch, any object with ``__arrow_c_stream__`` (one row per
        enterprise: ``id``, ``industry``, and a column per model input), or
        nested profiles (a list of dicts, or JSON text) whose features are
        derived from their records as of the date; text that is not JSON (a
        file's path, say) is a :class:`DataError`: read a file into a frame
        first. The result is the same
        kind as the input (``output="auto"``; profiles give a pyarrow Table),
        or the kind ``output`` names. Columns: ``id``, ``industry``,
        ``model``, ``score``, ``class``, ``class_label``, ``reasons``,
        ``score_before_rules``, ``labels``, ``alerts``, ``rules``, ``status``,
        ``error``, ``model_version``, ``as_of``, ``insufficient`` (bool: below
        the model's minimum evidence, ``[insufficient]``; its reason comes first
        in ``reasons``), ``dim:…`` per dimension, and
        ``contrib:…`` per indicator with ``contributions=True``.
        ``labels``, ``alerts`` and ``rules`` are lists of strings (Arrow
        ``list<string>``; empty when there are none), results schema 4.

        A bad row never stops the batch: it comes back with ``status`` =
        ``"error"`` and the reason in ``error``; ``strict=True`` raises
        :class:`DataError` instead (also for a rule's failure, an
        :class:`EvaluationError`, and for a row below its model's minimum
        evidence, a :class:`DataError` with ``row``, ``id`` and ``model``). The GIL is released while grading, the
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

        ``progress`` shows how far a long batch is: ``True`` draws a tqdm bar
        (``pip install tqdm``), a callable is called as ``progress(done, total)``
        with the enterprises graded so far (on the calling thread, every 50 ms
        and once at the end with ``(total, total)``); nothing is shown by
        default. An exception the callable raises stops the grading and
        reaches the caller, as Ctrl-C does.

        >>> import riskgrade
        >>> seen = []
        >>> _ = riskgrade.Model.reference().classify(
        ...     riskgrade.synthesize(100), "2026-11-01", progress=lambda done, total: seen.append((done, total)))
        >>> seen[-1]
        (100, 100)
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
        with progress_callback(progress, "classify") as tell:
            table = self._native.classify(_native_input(data, kind), _as_of(as_of), **options, progress=tell)
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
        progress: StreamProgress = None,
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
        ``progress`` is told ``(done, total)`` after each results batch is read:
        the enterprises graded so far, and the input's size when it is known
        (a table or frame; ``None`` for a reader); ``True`` draws a tqdm bar.

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
        total = data.num_rows if isinstance(data, (pa.Table, pa.RecordBatch)) else None
        out = self._native.classify_stream(_stream_input(reader, columns or {}), _as_of(as_of), **options)
        # A batch that cannot be graded raises its typed error (DataError…) through the reader.
        results = pa.RecordBatchReader.from_batches(out.schema, out)
        if progress is None or progress is False:
            return results
        return stream_with_progress(results, progress, total, "classify_stream")

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
        date = _as_of(_dt.date.today() if as_of is None else as_of)
        # The report's keys are ColumnCheck's fields.
        return ColumnCheck(**json.loads(_riskgrade.check(self._native, native, date)))

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
