"""The history store of the monthly cycle: :class:`Store` and what its calls return.

Imported by the package (``riskgrade.Store``); nothing here is meant to be imported from this
module directly.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from . import (
    OUTCOME_WORDS,
    _from_pandas,
    DataError,
    DateLike,
    Model,
    Output,
    _as_of,
    _check_output,
    _convert,
    _kind,
    _native_input,
    _riskgrade,
    _set,
)
from ._progress import Progress, progress_callback

__all__ = ["Commitment", "Evaluation", "MonthRun", "OutcomesRecorded", "PeriodComparison", "Store", "Verification"]

Pool = str | os.PathLike[str] | object | None
"""An inspector pool: a file (``.csv``, ``.parquet``, ``.jsonl``), a frame with the columns
``id``, ``name``, ``department``, ``district``, ``capacity`` (tasks per draw) and optional
``conflicts`` (enterprise ids, ``;``-separated), or ``None`` for the embedded reference pool of
256 inspectors in Beijing's 16 districts (the one ``riskgrade demo`` uses)."""


def _pool(pool: Pool) -> dict[str, Any]:
    """The native arguments of a pool: ``pool_file`` or ``pool_csv`` (a frame as CSV text, read
    by the same reader as a pool file, with the same checks)."""
    if pool is None:
        return {}
    if isinstance(pool, (str, os.PathLike)):
        return {"pool_file": os.fspath(pool)}
    table = _table(pool, "pool")
    columns = []
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
            col = pa.array([None if v is None else ";".join(map(str, v)) for v in col.to_pylist()], pa.string())
        columns.append(col)
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    pacsv.write_csv(pa.table(columns, names=table.column_names), buffer)
    return {"pool_csv": buffer.getvalue().decode("utf-8")}


def _table(data: object, what: str) -> pa.Table:
    """A pandas or polars frame, a pyarrow Table, a mapping of columns or a list of row dicts as
    a pyarrow Table."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, Mapping):
        return pa.table({str(k): list(v) for k, v in data.items()})
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return pa.Table.from_pylist(list(data))
    kind = _kind(data)
    if kind == "pandas":
        return _from_pandas(data)
    if kind in ("polars", "polars-lazy"):
        frame: Any = data.collect() if kind == "polars-lazy" else data  # type: ignore[attr-defined]
        table: pa.Table = frame.to_arrow()
        return table
    if kind == "arrow-stream":
        return pa.table(data)
    raise TypeError(f"{what}: pass a pandas or polars DataFrame, a pyarrow Table, a mapping of columns or a list of dicts")


def _cell(v: object) -> str | None:
    """A cell as text: dates as ``YYYY-MM-DD``, missing (None, NaN, NaT) as ``None``."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if type(v).__name__ == "NaTType":
        return None
    return str(v)


def _outcome_rows(outcomes: object) -> dict[str, list[str | None]]:
    """An outcome frame's columns as texts: ``enterprise``, ``date``, ``result`` (with
    :data:`OUTCOME_WORDS` translating the Chinese results) and optional ``severity``, ``note``."""
    table = _table(outcomes, "outcomes")
    out: dict[str, list[str | None]] = {}
    for name in ("enterprise", "date", "result", "severity", "note"):
        if name not in table.column_names:
            if name in ("severity", "note"):
                out[name] = [None] * table.num_rows
                continue
            err = DataError(
                f"outcomes: no `{name}` column; outcomes have the columns enterprise, date, result "
                "and optionally severity and note"
            )
            _set(err, row=None, column=name, value=None, file=None, line=None)
            raise err
        values = [_cell(v) for v in table.column(name).to_pylist()]
        if name == "result":
            words = OUTCOME_WORDS["result"]
            values = [None if v is None else words.get(v.strip(), v) for v in values]
        out[name] = values
    return out


class Store:
    """The history store of the monthly cycle (a SQLite file written by ``riskgrade run``).

    Opened read-only by default: nothing is written to the file or its folder, so a store in
    use by the monthly run can be read safely; ``writable=True`` opens it for writing (and
    migrates an older file). Each query returns a frame of the kind ``output`` names (``"auto"``
    and ``"arrow"``: a pyarrow Table; ``"pandas"``; ``"polars"``), built in Rust from the same
    readers the command line prints. A period not in the store is a :class:`KeyError`; a file
    that is not a store, or a newer one, is a :class:`DataError` with ``file``.

    Opened writable, it runs the rest of the cycle as the command line does, through the same
    library calls with the same checks and audit trail: :meth:`run_month`; :meth:`commit`,
    :meth:`draw`, :meth:`verify`, :meth:`record_outcomes`, :meth:`evaluate` (with
    :meth:`draws` and :meth:`tasks` to read them); :meth:`override`, :meth:`repair`,
    :meth:`objection`, :meth:`resolve` and :meth:`revoke`. A draw, decision or commitment
    that does not exist is a :class:`KeyError`; a request the store refuses is a
    :class:`DataError`, and nothing is written. None of them prints.

    >>> import riskgrade, tempfile, os
    >>> missing = os.path.join(tempfile.mkdtemp(), "none.db")
    >>> try:
    ...     riskgrade.Store(missing)
    ... except riskgrade.DataError as e:
    ...     print(type(e).__name__, e.file == missing)
    DataError True
    """

    __slots__ = ("_native", "_output")

    def __init__(self, path: str | os.PathLike[str], *, writable: bool = False, output: Output = "auto") -> None:
        _check_output(output)
        self._native = _riskgrade.Store(os.fspath(path), writable=writable)
        self._output: Output = output

    @property
    def path(self) -> str:
        """The store's file."""
        return self._native.path

    @property
    def writable(self) -> bool:
        """Whether the store was opened for writing."""
        return self._native.writable

    def _out(self, table: pa.Table, output: Output | None) -> Any:
        return _convert(table, "arrow", self._output if output is None else output)

    def periods(self, *, output: Output | None = None) -> Any:
        """The stored periods, oldest first: as-of date, model version, source, counts, and a
        ``class:X`` count per class (as ``riskgrade periods`` prints)."""
        return self._out(self._native.periods(), output)

    def results(self, period: str, *, output: Output | None = None) -> Any:
        """A stored period's results in id order: id, industry, district, model, score,
        score_before_rules, class, reasons, labels, alerts and rules (lists), the manual
        decision that set the class, status (``graded`` or ``error``, as
        :meth:`Model.classify` says), error. :mod:`riskgrade.plot` takes it as it takes results.
        Repeated texts (``industry``, ``district``, ``model``, ``class``, ``status``) are
        Arrow dictionary columns, categoricals in pandas and polars. In pandas, ``class`` is
        an ordered categorical of the stored classes, least risky first, as
        :meth:`Model.classify` gives it; ``labels``, ``alerts`` and ``rules`` are Arrow-backed
        list columns (``pd.ArrowDtype``: ``res["labels"].list.len()``; a cell read by
        ``.iloc`` or iteration is a Python list), handed over without a copy."""
        table = self._native.results(str(period))
        target = self._output if output is None else output
        if target != "pandas":
            return self._out(table, output)
        names = self._native.periods().column_names
        classes = [c.removeprefix("class:") for c in names if c.startswith("class:")]
        return _convert(table, "pandas", "pandas", classes=classes, arrow_lists=True)

    def changes(self, period: str, id: str | None = None, *, output: Output | None = None) -> Any:
        """Why classes changed in ``period`` against the stored period before it: id,
        from_class, to_class, kind (records, repair, indicators, rules, manual, ...), detail."""
        return self._out(self._native.changes(str(period), id), output)

    def history(self, id: str, *, output: Output | None = None) -> Any:
        """One enterprise's class period by period, oldest first, with why it changed
        (``KeyError`` for an enterprise in none of the stored periods)."""
        return self._out(self._native.history(id), output)

    def decisions(self, enterprise: str | None = None, *, output: Output | None = None) -> Any:
        """The manual decisions (overrides, repairs, objections), oldest first, with status."""
        return self._out(self._native.decisions(enterprise), output)

    def audit(self, enterprise: str | None = None, *, output: Output | None = None) -> Any:
        """The append-only audit trail (``at`` in seconds since 1970, UTC)."""
        return self._out(self._native.audit(enterprise), output)

    def queue(self, period: str, department: str | None = None, *, output: Output | None = None) -> Any:
        """Each department's queue of the period's routed alerts: department, id, class,
        topics, labels (only ``department``'s rows when given)."""
        return self._out(self._native.queue(str(period), department), output)

    def compare(self, before: str, after: str, *, output: Output | None = None) -> PeriodComparison:
        """Compares two stored periods as ``riskgrade changes`` does: the class migration
        matrix, the enterprises that entered and left, the movers with their reasons (riskiest
        move first) and the PSI of scores and indicators."""
        summary, movers, psi, text = self._native.compare(str(before), str(after))
        d = json.loads(summary)
        return PeriodComparison(
            before=d["from"],
            after=d["to"],
            classes=d["classes"],
            counts=d["matrix"],
            entered=d["entered"],
            left=d["left"],
            movers=self._out(movers, output),
            psi=self._out(psi, output),
            text=text,
        )

    def run_month(
        self,
        model: Model,
        data: object,
        period: str,
        *,
        as_of: DateLike | None = None,
        replace: bool = False,
        progress: Progress = None,
    ) -> MonthRun:
        """Grades a month into the store, as ``riskgrade run`` does (the store must be opened
        with ``writable=True``): decisions in effect apply, the period replaces an earlier run
        of it atomically, and what changed since the previous period is stored (see
        :meth:`changes`). ``data`` is what :meth:`Model.classify` takes; profiles let credit
        repairs apply and record changes be explained. ``as_of`` defaults to the period's
        last day. A period that inspections were drawn from is replaced only with
        ``replace=True`` (``riskgrade run --replace``); otherwise it is a :class:`DataError` and
        the stored period stays. ``progress`` shows the grading as :meth:`Model.classify`'s
        does (``True`` for a tqdm bar, or a callable told ``(done, total)``); an exception it
        raises while the month is graded, Ctrl-C included, stops the run and nothing is stored.
        The last call, ``(total, total)``, comes once the month is stored."""
        kind = _kind(data)
        with progress_callback(progress, "run_month") as tell:
            text, figures = self._native.run_month(
                model._native,
                _native_input(data, kind),
                str(period),
                None if as_of is None else _as_of(as_of),
                replace,
                progress=tell,
            )
        return MonthRun(text=text, **json.loads(figures))

    # -- inspections: commit, draw, verify, outcomes, evaluate ------------------------------

    def draws(self, *, output: Output | None = None) -> Any:
        """Every draw, oldest first: ``draw`` (its number), period, drawn_on, plan, seed, tasks,
        the ``commitment`` it was drawn under (or null) and the digests of its inputs."""
        return self._out(self._native.draws(), output)

    def tasks(self, draw: int, *, output: Output | None = None) -> Any:
        """A draw's tasks by number: task, enterprise, class and score (in the period drawn
        from), stratum, kind (``random``, ``full_coverage``, ``due``, ``forced``), why,
        inspectors (a list), status (``open``/``closed``) and, once recorded, inspected_on,
        result, severity and note. An unknown draw is a :class:`KeyError`."""
        return self._out(self._native.tasks(int(draw)), output)

    def commit(
        self,
        period: str,
        *,
        plan: str | os.PathLike[str] = "henan-2021",
        pool: Pool = None,
        date: DateLike | None = None,
        by: str = "riskgrade",
    ) -> Commitment:
        """Stores the commitment to a draw's inputs — plan, candidate list with classes, pool,
        inspection history — before the seed exists, as ``riskgrade draw commit`` does; publish
        its digest, then :meth:`draw` with ``commitment=`` and the seed. ``plan`` is a plan file
        or an embedded plan (``henan-2021``, ``yuexiu-2021``, ``bayannur-2022``,
        ``food-production``); ``date`` defaults to the first day of the next month."""
        number, digest, digests = self._native.commit(
            str(period), plan=os.fspath(plan), date=None if date is None else _as_of(date), by=by, **_pool(pool)
        )
        return Commitment(number=number, digest=digest, digests=json.loads(digests))

    def draw(
        self,
        period: str | None = None,
        *,
        seed: str,
        plan: str | os.PathLike[str] | None = None,
        pool: Pool = None,
        date: DateLike | None = None,
        commitment: int | Commitment | None = None,
        by: str = "riskgrade",
    ) -> int:
        """Draws enterprises and inspectors ("double random") and records the draw and its
        tasks, as ``riskgrade draw`` does; returns the draw's number (see :meth:`tasks`).

        Either under a ``commitment`` made by :meth:`commit` (which fixes the period, plan and
        date; inputs that changed since are refused), or from ``period`` by ``plan`` (default
        ``henan-2021``) on ``date`` (default: the first day of the next month). ``seed`` is the
        published seed: anyone holding it and the inputs can re-draw (:meth:`verify`). A pool
        too small for the plan is a :class:`DataError` naming the shortfall, and nothing is
        recorded."""
        if isinstance(commitment, Commitment):
            commitment = commitment.number
        return int(
            self._native.draw(
                seed=str(seed),
                by=by,
                period=None if period is None else str(period),
                plan=None if plan is None else os.fspath(plan),
                commitment=commitment,
                date=None if date is None else _as_of(date),
                **_pool(pool),
            )
        )

    def verify(self, draw: int, *, pool: Pool = None, output: Output | None = None) -> Verification:
        """Re-draws a stored draw from its stored plan, the stored period, the history, ``pool``
        and its seed, and checks the inputs against its digests and commitment, then the tasks,
        as ``riskgrade verify`` does. A draw that does not re-draw the same is not an error
        here: :attr:`Verification.identical` is False and the differing inputs and tasks say
        why."""
        summary, differences = self._native.verify(int(draw), **_pool(pool))
        d = json.loads(summary)
        return Verification(differences=self._out(differences, output), **d)

    def record_outcomes(self, draw: int, outcomes: object, *, by: str = "riskgrade") -> OutcomesRecorded:
        """Closes tasks of ``draw`` with what the inspections found, all or nothing, as
        ``riskgrade outcomes`` does; the outcomes count as inspection records from the next
        :meth:`run_month` on.

        ``outcomes`` is a frame (pandas, polars, pyarrow), a mapping of columns or a list of
        dicts with ``enterprise``, ``date`` (text or dates), ``result`` and optionally
        ``severity`` and ``note``. A result is ``problem``, ``no_problem``, ``not_reachable``
        or ``refused``, or the Chinese words of :data:`OUTCOME_WORDS` (发现问题, 未发现问题,
        无法联系, 拒绝检查); anything else, or a missing value, is a :class:`DataError` naming
        the row (from 0), the column and the value, and nothing is recorded. So is an outcome
        for an enterprise the draw has no open task for."""
        cols = _outcome_rows(outcomes)
        closed, still_open = self._native.record_outcomes(
            int(draw), cols["enterprise"], cols["date"], cols["result"], cols["severity"], cols["note"], by=by
        )
        return OutcomesRecorded(draw=int(draw), closed=closed, still_open=still_open)

    def evaluate(self, draw: int, *, random_only: bool = False, output: Output | None = None) -> Evaluation:
        """How well the classes and scores targeted problems in a draw's closed tasks, as
        ``riskgrade evaluate`` does: detection rate and lift per class, whether the rate rises
        from the least to the most risky class, AUC, KS and Gini. ``random_only=True`` counts
        only the random picks, a uniform sample of each class (no bias from forced tasks)."""
        d, text = self._native.evaluate(int(draw), random_only=random_only)
        e = json.loads(d)
        rows = e["classes"] + e["unlisted"]
        table = pa.table(
            {
                "class": pa.array([r["class"] for r in rows], pa.string()),
                "inspected": pa.array([r["inspected"] for r in rows], pa.int64()),
                "problems": pa.array([r["problems"] for r in rows], pa.int64()),
                "detection_rate": pa.array([r["detection_rate"] for r in rows], pa.float64()),
                "lift": pa.array([r["lift"] for r in rows], pa.float64()),
            }
        )
        return Evaluation(
            draw=int(draw),
            random_only=random_only,
            classes=self._out(table, output),
            monotone=e["monotone"],
            inspected=e["inspected"],
            problems=e["problems"],
            detection_rate=e["detection_rate"],
            scored=e["scored"],
            auc=e["auc"],
            ks=e["ks"],
            gini=e["gini"],
            text=text,
        )

    # -- manual decisions, each audited -----------------------------------------------------

    def override(
        self,
        id: str,
        class_: str,
        *,
        effective: DateLike,
        by: str,
        reason: str,
        until: DateLike | None = None,
    ) -> int:
        """Sets an enterprise's class whatever its score and rules from ``effective`` (until
        ``until``, or until revoked), as ``riskgrade decide override`` does; returns the
        decision's number. It applies to the runs graded as of that date or later."""
        return int(
            self._native.override_class(
                id, class_, effective=_as_of(effective), by=by, reason=reason, until=None if until is None else _as_of(until)
            )
        )

    def repair(self, id: str, *, record: str, record_date: DateLike, repaired: DateLike, by: str, reason: str) -> int:
        """Credit repair (信用修复): the enterprise's ``record`` (its kind: ``penalty``,
        ``abnormal_list``, ``dishonest_list``, ...) of ``record_date`` counts no more from
        ``repaired``, as ``riskgrade decide repair`` does; returns the decision's number. An
        unknown kind is a :class:`ValueError`; a repair dated before its record a
        :class:`DataError`."""
        return int(
            self._native.repair(
                id, record=record, record_date=_as_of(record_date), repaired=_as_of(repaired), by=by, reason=reason
            )
        )

    def objection(self, id: str, period: str, *, filed: DateLike, by: str, reason: str) -> int:
        """Files an enterprise's objection to its grade of ``period``, open until
        :meth:`resolve`, as ``riskgrade decide objection`` does; returns its number."""
        return int(self._native.objection(id, str(period), filed=_as_of(filed), by=by, reason=reason))

    def resolve(
        self,
        decision: int,
        outcome: Literal["upheld", "rejected"],
        *,
        by: str,
        note: str,
        class_: str | None = None,
        effective: DateLike | None = None,
    ) -> int | None:
        """Resolves an open objection, as ``riskgrade decide resolve`` does: ``"rejected"``
        keeps the grade; ``"upheld"`` with ``class_`` and ``effective`` records the new class as
        an override, whose number is returned. Resolving anything but an open objection is a
        :class:`DataError`; an unknown number a :class:`KeyError`."""
        if outcome not in ("upheld", "rejected"):
            raise ValueError(f"outcome={outcome!r}: use 'upheld' or 'rejected'")
        follow = self._native.resolve(
            int(decision),
            upheld=outcome == "upheld",
            by=by,
            note=note,
            class_=class_,
            effective=None if effective is None else _as_of(effective),
        )
        return None if follow is None else int(follow)

    def revoke(self, decision: int, *, by: str, why: str) -> None:
        """Withdraws an active override or repair, as ``riskgrade decide revoke`` does."""
        self._native.revoke(int(decision), by=by, why=why)

    def __repr__(self) -> str:
        return f"riskgrade.{self._native!r}"


@dataclasses.dataclass(frozen=True)
class PeriodComparison:
    """Two stored periods compared (see :meth:`Store.compare`); ``str()`` is the CLI's report."""

    before: str
    after: str
    classes: list[str]
    counts: list[list[int]]
    """``counts[i][j]``: enterprises in class ``i`` in ``before`` and ``j`` in ``after``."""
    entered: int
    left: int
    movers: Any
    """Every enterprise that changed class, riskiest move first, with its reasons."""
    psi: Any
    """PSI of each model's score and of each indicator's risk points, with its band."""
    text: str

    def matrix(self) -> Any:
        """The migration matrix as a pandas DataFrame: rows ``before``, columns ``after``."""
        import pandas as pd

        return pd.DataFrame(
            self.counts,
            index=pd.Index(self.classes, name=self.before),
            columns=pd.Index(self.classes, name=self.after),
        )

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"PeriodComparison({self.before!r} -> {self.after!r}, movers={len(self.movers)}, entered={self.entered}, left={self.left})"

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.classes)
        rows = "".join(
            f"<tr><th>{html.escape(c)}</th>{''.join(f'<td>{n:,}</td>' for n in row)}</tr>"
            for c, row in zip(self.classes, self.counts)
        )
        return (
            f"<p>{html.escape(self.before)} &rarr; {html.escape(self.after)}: {len(self.movers):,} moved, "
            f"{self.entered:,} entered, {self.left:,} left</p><table><tr><th></th>{head}</tr>{rows}</table>"
        )


@dataclasses.dataclass(frozen=True)
class MonthRun:
    """A month graded into a store (see :meth:`Store.run_month`); ``str()`` is the CLI's report."""

    period: str
    as_of: str
    enterprises: int
    graded: int
    errors: int
    previous: str | None
    """The stored period it was compared with."""
    riskier: int
    less_risky: int
    new: int
    gone: int
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return (
            f"MonthRun(period={self.period!r}, enterprises={self.enterprises}, graded={self.graded}, "
            f"riskier={self.riskier}, less_risky={self.less_risky})"
        )

    def _repr_html_(self) -> str:
        import html

        against = (
            f"against {html.escape(self.previous)}: {self.riskier:,} riskier, {self.less_risky:,} less risky, "
            f"{self.new:,} new, {self.gone:,} gone"
            if self.previous is not None
            else "the first stored period"
        )
        return (
            f"<p><b>{html.escape(self.period)}</b> (as of {html.escape(self.as_of)}): "
            f"{self.graded:,} of {self.enterprises:,} enterprises graded, {self.errors:,} errors; {against}</p>"
        )


@dataclasses.dataclass(frozen=True)
class Commitment:
    """A stored commitment to a draw's inputs (see :meth:`Store.commit`): publish ``digest``
    before the seed exists."""

    number: int
    digest: str
    digests: dict[str, str]
    """The digests of the plan, the candidate list, the pool and the inspection history."""


@dataclasses.dataclass(frozen=True)
class Verification:
    """A stored draw re-drawn (see :meth:`Store.verify`)."""

    draw: int
    identical: bool
    """Whether the same inputs re-draw the same tasks, and match the draw's commitment."""
    commitment: int | None
    commitment_digest: str | None
    inputs: list[dict[str, str]]
    """The inputs whose digests differ: ``input`` (plan, candidates, pool, history,
    commitment), ``stored`` and ``now``."""
    stored_tasks: int
    tasks_again: int
    enterprises_differ: int
    inspectors_differ: int
    differences: Any
    """Every differing task: task, stored and re-drawn enterprise and inspectors."""

    def __bool__(self) -> bool:
        return self.identical

    def __repr__(self) -> str:
        return (
            f"Verification(draw={self.draw}, identical={self.identical}, inputs={[i['input'] for i in self.inputs]}, "
            f"tasks={self.stored_tasks}, differing={len(self.differences)})"
        )


@dataclasses.dataclass(frozen=True)
class OutcomesRecorded:
    """What :meth:`Store.record_outcomes` did."""

    draw: int
    closed: int
    """Tasks closed by these outcomes."""
    still_open: int
    """Tasks of the draw still open."""


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """A draw's closed tasks against the classes and scores they were drawn with (see
    :meth:`Store.evaluate`); ``str()`` is the CLI's table."""

    draw: int
    random_only: bool
    classes: Any
    """Per class, least risky first: inspected, problems, detection_rate, lift."""
    monotone: bool
    """Whether the detection rate never falls from one class to the next riskier one."""
    inspected: int
    problems: int
    detection_rate: float | None
    scored: int
    """Inspections with a score: those AUC, KS and Gini are computed on."""
    auc: float | None
    ks: float | None
    gini: float | None
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        return (
            f"Evaluation(draw={self.draw}, inspected={self.inspected}, problems={self.problems}, "
            f"monotone={self.monotone}, auc={f(self.auc)}, ks={f(self.ks)})"
        )

    def _repr_html_(self) -> str:
        import html

        t = self.classes if isinstance(self.classes, pa.Table) else pa.table(self.classes)

        def f(x: float | None, spec: str = ".3f", scale: float = 1.0, unit: str = "") -> str:
            return "-" if x is None else f"{scale * x:{spec}}{unit}"

        rows = "".join(
            f"<tr><th>{html.escape(str(r['class']))}</th><td>{r['inspected']:,}</td><td>{r['problems']:,}</td>"
            f"<td>{f(r['detection_rate'], '.2f', 100.0, '%')}</td><td>{f(r['lift'], '.2f')}</td></tr>"
            for r in t.to_pylist()
        )

        which = "random picks" if self.random_only else "all closed tasks"
        return (
            f"<p>draw #{self.draw} ({which}): {self.problems:,} problems in {self.inspected:,} inspections; "
            f"AUC {f(self.auc)}, KS {f(self.ks)}, Gini {f(self.gini)}; rising: {'yes' if self.monotone else 'no'}</p>"
            "<table><tr><th>class</th><th>inspected</th><th>problems</th><th>rate</th><th>lift</th></tr>"
            f"{rows}</table>"
        )
