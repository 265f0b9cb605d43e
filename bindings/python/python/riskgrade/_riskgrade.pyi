"""The native module behind :mod:`riskgrade` (private; use the package's API)."""

import os
from collections.abc import Callable
from typing import Any, TypeAlias, final

__all__ = [
    "DataError",
    "EvaluationError",
    "Model",
    "ModelError",
    "RiskgradeError",
    "RuleCompileError",
    "Store",
    "__version__",
    "calibrate",
    "check",
    "compare",
    "explain_many",
    "synthesize",
]

__version__: str

class RiskgradeError(Exception): ...

class ModelError(RiskgradeError):
    file: str | None
    line: int | None
    column: int | None
    model: str | None
    path: str | None

class RuleCompileError(ModelError):
    rule_id: str

class DataError(RiskgradeError):
    row: int | None
    column: str | None
    file: str | None
    line: int | None
    value: str | None

class EvaluationError(RiskgradeError):
    row: int | None
    rule_id: str | None
    file: str | None
    line: int | None
    column: int | None

_Batch: TypeAlias = str | object
"""Profile JSON text, or Arrow data (anything with the Arrow PyCapsule interface)."""

_Outcomes: TypeAlias = tuple[list[Any], str, list[Any]]
"""Enterprise ids, `result` or `problem`, and that column's values."""

@final
class Model:
    @staticmethod
    def from_path(path: str) -> Model: ...
    @staticmethod
    def from_toml(text: str) -> Model: ...
    @staticmethod
    def from_json(text: str) -> Model: ...
    @staticmethod
    def reference() -> Model: ...
    @property
    def version_id(self) -> str: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def describe(self) -> str: ...
    def classify(
        self,
        data: _Batch,
        as_of: str,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: str = "fail-row",
        progress: Callable[[int, int], object] | None = None,
    ) -> Any: ...
    def classify_stream(
        self,
        data: Any,
        as_of: str,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: str = "fail-row",
    ) -> Any: ...
    def explain(
        self, data: _Batch, as_of: str, id: str, *, rules: bool = True, on_rule_error: str = "fail-row"
    ) -> str: ...
    def test_rules(self, text: str, name: str = "<tests>") -> str: ...

@final
class Store:
    """A history store, read-only unless `writable`; each query returns a `pyarrow.Table`."""

    def __new__(cls, path: str | os.PathLike[str], *, writable: bool = False) -> Store: ...
    @property
    def path(self) -> str: ...
    @property
    def writable(self) -> bool: ...
    def periods(self) -> Any: ...
    def results(self, period: str) -> Any: ...
    def changes(self, period: str, id: str | None = None) -> Any: ...
    def history(self, id: str) -> Any: ...
    def decisions(self, enterprise: str | None = None) -> Any: ...
    def audit(self, enterprise: str | None = None) -> Any: ...
    def queue(self, period: str, department: str | None = None) -> Any: ...
    def compare(self, from_: str, to: str) -> tuple[str, Any, Any, str]: ...
    def run_month(
        self, model: Model, data: _Batch, period: str, as_of: str | None = None, replace: bool = False
    ) -> tuple[str, str]: ...
    def draws(self) -> Any: ...
    def tasks(self, draw: int) -> Any: ...
    def commit(
        self,
        period: str,
        *,
        plan: str,
        pool_file: str | os.PathLike[str] | None = None,
        pool_csv: str | None = None,
        date: str | None = None,
        by: str,
    ) -> tuple[int, str, str]: ...
    def draw(
        self,
        *,
        seed: str,
        by: str,
        period: str | None = None,
        plan: str | None = None,
        commitment: int | None = None,
        pool_file: str | os.PathLike[str] | None = None,
        pool_csv: str | None = None,
        date: str | None = None,
    ) -> int: ...
    def verify(
        self, draw: int, *, pool_file: str | os.PathLike[str] | None = None, pool_csv: str | None = None
    ) -> tuple[str, Any]: ...
    def record_outcomes(
        self,
        draw: int,
        enterprise: list[str | None],
        date: list[str | None],
        result: list[str | None],
        severity: list[str | None],
        note: list[str | None],
        *,
        by: str,
    ) -> tuple[int, int]: ...
    def evaluate(self, draw: int, *, random_only: bool = False) -> tuple[str, str]: ...
    def override_class(
        self, id: str, class_: str, *, effective: str, by: str, reason: str, until: str | None = None
    ) -> int: ...
    def repair(self, id: str, *, record: str, record_date: str, repaired: str, by: str, reason: str) -> int: ...
    def objection(self, id: str, period: str, *, filed: str, by: str, reason: str) -> int: ...
    def resolve(
        self,
        decision: int,
        *,
        upheld: bool,
        by: str,
        note: str,
        class_: str | None = None,
        effective: str | None = None,
    ) -> int | None: ...
    def revoke(self, decision: int, *, by: str, why: str) -> None: ...

def check(model: Model, data: _Batch, as_of: str) -> str:
    """The models the batch's rows are routed to and its missing, extra and mistyped columns, as JSON."""

def explain_many(
    model: Model, data: _Batch, as_of: str, ids: list[str], *, rules: bool = True, on_rule_error: str = "fail-row"
) -> list[str]:
    """One explanation as JSON per id, from one grading of the batch."""

def compare(
    before: Model,
    after: Model,
    data: _Batch,
    as_of: str,
    *,
    before_rules: bool = True,
    after_rules: bool = True,
    top: int = 10,
    outcomes: _Outcomes | None = None,
) -> tuple[str, Any, str, str | None]: ...
def calibrate(
    model: Model,
    data: _Batch,
    as_of: str,
    *,
    method: str,
    model_id: str | None = None,
    outcomes: _Outcomes | None = None,
    under: str | None = None,
    expert_share: float = 0.0,
    holdout: float = 0.3,
    seed: int = 0,
    shares: list[float] | None = None,
    keep_bands: bool = False,
) -> tuple[Model, str, str, str]: ...
def synthesize(
    n: int, *, seed: int = 42, as_of: str = "2026-11-01", model: Model | None = None, profiles: bool = False
) -> Any: ...
