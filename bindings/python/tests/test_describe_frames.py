"""`Model.frame` describes a model as a frame: the same rows as `indicators()`, `inputs`,
`classes()` and `rules`, in the kind `output` names."""

from __future__ import annotations

import dataclasses

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import riskgrade


def test_each_description_is_the_list_as_a_frame(model: riskgrade.Model) -> None:
    lists = {
        "indicators": model.indicators(),
        "inputs": model.inputs,
        "classes": model.classes(),
        "rules": model.rules,
    }
    for what, rows in lists.items():
        table = model.frame(what)  # type: ignore[arg-type]
        assert isinstance(table, pa.Table) and table.num_rows == len(rows)
        first = dataclasses.asdict(rows[0])
        assert table.column_names == list(first)
        for name, value in first.items():
            if not isinstance(value, dict):
                assert table.column(name)[0].as_py() == value
    general = model.frame("indicators", model="general", output="pandas")
    assert isinstance(general, pd.DataFrame) and set(general["model"]) == {"general"}
    assert general["weight"].sum() == pytest.approx(1.0)
    assert isinstance(model.frame("classes", output="polars"), pl.DataFrame)
    with pytest.raises(ValueError, match="'indicators'"):
        model.frame("weights")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="belong to the set"):
        model.frame("rules", model="general")
    with pytest.raises(KeyError):
        model.frame("indicators", model="no such model")
    with pytest.raises(ValueError, match="'auto'"):
        model.frame("inputs", output="numpy")  # type: ignore[arg-type]
