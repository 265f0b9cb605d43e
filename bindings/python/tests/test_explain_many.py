"""`Model.explain_many` explains several enterprises from one grading: each explanation is the
one `explain` gives for that id alone, and unknown ids are one KeyError naming them all."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

import riskgrade
from conftest import AS_OF, PROFILES


def test_each_explanation_is_the_one_explain_gives(model: riskgrade.Model, table: pa.Table) -> None:
    ids = table.column("id").to_pylist()[::500]
    many = model.explain_many(table, AS_OF, ids)
    assert list(many) == ids
    for id_ in ids:
        assert many[id_] == model.explain(table, AS_OF, id_)
    profiles = model.explain_many(PROFILES, AS_OF, ["P3", "P1"])
    assert list(profiles) == ["P3", "P1"] and profiles["P1"].class_ == "D"
    assert model.explain_many(table, AS_OF, []) == {}


def test_one_grading_serves_every_id(model: riskgrade.Model) -> None:
    data = riskgrade.synthesize(20_000, seed=3)
    ids = data.column("id").to_pylist()[:20]
    start = time.perf_counter()
    model.explain(data, AS_OF, ids[0])
    one = time.perf_counter() - start
    start = time.perf_counter()
    model.explain_many(data, AS_OF, ids)
    twenty = time.perf_counter() - start
    assert twenty < 5 * one, (one, twenty)


def test_unknown_ids_are_one_key_error_naming_them(model: riskgrade.Model, table: pa.Table) -> None:
    known = table.column("id")[0].as_py()
    with pytest.raises(KeyError) as e:
        model.explain_many(table, AS_OF, [known, "NOPE-1", "NOPE-2"])
    assert e.value.ids == ["NOPE-1", "NOPE-2"]  # type: ignore[attr-defined]
    assert "2 of the 3 ids" in str(e.value) and "NOPE-2" in str(e.value)
    with pytest.raises(TypeError):
        model.explain_many(table, AS_OF, known)
