"""Two gradings side by side (:func:`compare`), weights set from data (:func:`calibrate`), and
the inspection outcomes both read (:data:`OUTCOME_WORDS`)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any, Literal

from . import _riskgrade
from ._frames import DateLike, Output, _as_of, _check_output, _convert, _kind, _native_input
from ._model import Model

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
