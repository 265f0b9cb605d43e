"""What a model set holds, as rows: indicators, classes, inputs and rules; and the outcome of a
rule-test case."""

from __future__ import annotations

import dataclasses
from typing import Any

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


_DESCRIBED: dict[str, type] = {"indicators": Indicator, "inputs": InputInfo, "classes": ClassInfo, "rules": RuleInfo}
"""The dataclass of each kind of row of :meth:`Model.frame`."""
