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

import datetime as _dt
import json
import os
from typing import Any, Literal, overload

import pyarrow as pa

from . import _riskgrade
from ._compare import OUTCOME_WORDS, Calibration, CalibrationMethod, Comparison, calibrate, compare
from ._frames import DateLike as DateLike
from ._frames import OnRuleError as OnRuleError
from ._frames import Output as Output
from ._frames import _as_of as _as_of
from ._frames import _check_output as _check_output
from ._frames import _convert as _convert
from ._frames import _from_pandas as _from_pandas
from ._frames import _kind as _kind
from ._frames import _native_input as _native_input
from ._frames import _set as _set
from ._info import ClassInfo, Indicator, InputInfo, RuleInfo, RuleTestResult
from ._model import Model
from ._reports import ColumnCheck, Explanation
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


# The history store lives in its own module; it uses the helpers imported above.
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


# The public classes and functions are shown, pickled and documented as `riskgrade.X`, wherever
# in the package they are defined.
for _public in (
    Calibration,
    ClassInfo,
    ColumnCheck,
    Comparison,
    Explanation,
    Indicator,
    InputInfo,
    Model,
    RuleInfo,
    RuleTestResult,
    calibrate,
    compare,
):
    _public.__module__ = __name__
del _public


def __dir__() -> list[str]:
    """The public names only (not the modules and typing names the package imports)."""
    return sorted([*__all__, "plot"])
