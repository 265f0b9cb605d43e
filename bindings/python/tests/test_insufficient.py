"""Insufficient information (信息不足) from Python: the results flag rows below the model's
minimum evidence and give the reason first, explanations carry it, and ``strict=True``
refuses such a row with its row and id."""

from __future__ import annotations

import pandas as pd
import pytest

import riskgrade
from conftest import AS_OF

KNOWN = {"registered_capital": 500, "shareholders": 3, "paid_in_ratio": 1, "debt_ratio": 0.3, "insured_staff": 40}
PROFILES = [
    {"id": "KNOWN", "industry": "F5211", "registered": "2012-03-01", "attributes": KNOWN},
    {"id": "EMPTY", "industry": "F5211"},
    {"id": "NODATE", "industry": "F5211", "attributes": KNOWN},
    {"id": "BAD", "industry": "ZZ99"},
]


def test_the_results_flag_rows_below_the_evidence_with_the_reason_first() -> None:
    model = riskgrade.Model.reference()
    out = model.classify(PROFILES, as_of=AS_OF).to_pylist()
    assert [r["insufficient"] for r in out] == [False, True, True, None]
    assert [r["class"] for r in out[:3]] == ["A", "B", "B"]
    assert out[1]["reasons"].startswith("insufficient information: `years_in_operation` missing; 0 of ")
    assert out[1]["reasons"].split(" | ")[0].endswith("5 needed -> at least B")
    assert out[2]["reasons"].startswith("insufficient information: `years_in_operation` missing; 5 of ")
    assert "insufficient" not in (out[0]["reasons"] or "")
    assert out[3]["status"] == "error"


def test_pandas_results_carry_a_boolean_flag() -> None:
    model = riskgrade.Model.reference()
    frame = model.classify(PROFILES[:3], as_of=AS_OF, output="pandas")
    assert isinstance(frame, pd.DataFrame)
    assert frame["insufficient"].tolist() == [False, True, True]
    assert int(frame["insufficient"].sum()) == 2
    # The dtype is the same whether or not the batch holds an error row (null flag), so
    # partitions graded apart (Dask, Spark) concatenate to the frame graded whole.
    with_error = model.classify(PROFILES, as_of=AS_OF, output="pandas")
    assert frame["insufficient"].dtype == with_error["insufficient"].dtype == pd.BooleanDtype()
    assert with_error["insufficient"].isna().tolist() == [False, False, False, True]


def test_the_explanation_gives_the_reason() -> None:
    model = riskgrade.Model.reference()
    ex = model.explain(PROFILES, AS_OF, "EMPTY")
    assert ex.insufficient is not None
    assert ex.insufficient.startswith("insufficient information: `years_in_operation` missing")
    assert ex.reasons[0] == ex.insufficient
    assert ex.class_ == "B"
    assert f"1. {ex.insufficient}" in str(ex)
    assert model.explain(PROFILES, AS_OF, "KNOWN").insufficient is None


def test_strict_refuses_a_row_below_the_evidence_naming_row_and_id() -> None:
    model = riskgrade.Model.reference()
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(PROFILES[:3], as_of=AS_OF, strict=True)
    err = e.value
    assert isinstance(err, riskgrade.RiskgradeError)
    assert (err.row, err.id, err.model) == (1, "EMPTY", "general")
    message = str(err)
    assert message.startswith("row 1 (enterprise `EMPTY`): insufficient information for model `general`")
    assert "`years_in_operation` missing" in message
    assert "(2 enterprise(s) below the minimum)" in message
    # With enough evidence strict mode grades.
    out = model.classify(PROFILES[:1], as_of=AS_OF, strict=True)
    assert out.column("insufficient").to_pylist() == [False]
