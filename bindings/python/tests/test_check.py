"""Mapping one's own columns: `Model.check` reports every column problem at once, `columns=`
maps names, and a frame needs only the columns of the models its rows are routed to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import riskgrade
from conftest import AS_OF

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def general_only(model: riskgrade.Model, table: pa.Table) -> pa.Table:
    """The rows routed to the general model, without the columns only the food model reads."""
    res = model.classify(table, AS_OF, output="arrow")
    rows = [i for i, m in enumerate(res.column("model").to_pylist()) if m == "general"]
    food = {i.input for i in model.indicators("food") if i.input is not None}
    general = {i.input for i in model.indicators("general") if i.input is not None}
    return table.take(rows).drop_columns(sorted(food - general))


def test_every_missing_extra_and_mistyped_column_is_reported_at_once(model: riskgrade.Model, table: pa.Table) -> None:
    names = ["complaints_1y", "debt_ratio", "listed", "abnormal_entries_3y"]
    broken = table.drop_columns(["id", *names[:3]])
    at = broken.schema.get_field_index("abnormal_entries_3y")
    broken = broken.set_column(at, "abnormal_entries_3y", pa.array([[1]] * broken.num_rows))
    broken = broken.append_column("unrelated", pa.array([1] * broken.num_rows))
    report = model.check(broken)
    assert not report.ok
    assert {m["column"] for m in report.missing} == {"id", *names[:3]}
    assert [m["column"] for m in report.mistyped] == ["abnormal_entries_3y"]
    assert "List" in report.mistyped[0]["problem"]
    assert report.extra == ["unrelated"]
    assert set(report.routed) == {"general", "food", "special_equipment"}
    assert "missing: complaints_1y" in str(report) and "not ok" in str(report)
    assert "complaints_1y" in repr(report) and len(repr(report)) < 300
    assert "<table>" in report._repr_html_()
    # classify stops at the first of them; check showed them all.
    with pytest.raises(riskgrade.DataError):
        model.classify(broken, AS_OF)


def test_own_column_names_map_through_columns(model: riskgrade.Model, table: pa.Table) -> None:
    own = {"id": "企业代码", "industry": "行业代码", "complaints_1y": "投诉次数"}
    renamed = table.rename_columns([own.get(n, n) for n in table.schema.names])
    mapping = {v: k for k, v in own.items()}
    assert {m["column"] for m in model.check(renamed).missing} == set(own)
    expected = model.classify(table, AS_OF, output="arrow")
    for frame in (renamed, renamed.to_pandas(), pl.from_arrow(renamed), pl.from_arrow(renamed).lazy()):  # type: ignore[union-attr]
        assert model.check(frame, columns=mapping).ok
        got = model.classify(frame, AS_OF, columns=mapping, output="arrow")
        assert got.column("class").to_pylist() == expected.column("class").to_pylist()
    with pytest.raises(ValueError, match="profiles"):
        model.classify([{"id": "x"}], AS_OF, columns=mapping)


def test_a_frame_needs_only_the_columns_of_the_models_routed_to(model: riskgrade.Model, table: pa.Table) -> None:
    general = general_only(model, table)
    assert general.num_rows > 100
    report = model.check(general)
    assert report.ok and report.routed == ["general"], report
    out = model.classify(general, AS_OF, output="arrow")
    full = model.classify(table, AS_OF, output="arrow")
    by_id = dict(zip(full.column("id").to_pylist(), full.column("score").to_pylist()))
    assert out.column("score").to_pylist() == [by_id[i] for i in out.column("id").to_pylist()]
    assert set(out.column("status").to_pylist()) <= {"graded", "partial"}
    # A food producer among them needs the food model's columns again, and check says which.
    food_row = next(
        i for i, m in enumerate(full.column("model").to_pylist()) if m == "food"
    )
    mixed = pa.concat_tables([general, table.take([food_row]).select(general.schema.names)])
    report = model.check(mixed)
    assert not report.ok and set(report.routed) == {"general", "food"}
    assert "product_category" in {m["column"] for m in report.missing}
    with pytest.raises(riskgrade.DataError):
        model.classify(mixed, AS_OF)


def test_a_licence_holder_needs_the_columns_of_the_model_its_licence_routes_to(
    model: riskgrade.Model, table: pa.Table
) -> None:
    """Rows are routed by industry and by the licence types they hold, as the library routes
    them: one holder of a special-equipment use licence among general rows brings back the
    special-equipment model's columns, and check says which."""
    general = general_only(model, table)
    special = {i.input for i in model.indicators("special_equipment") if i.input is not None}
    others = {i.input for m in ("general", "food") for i in model.indicators(m) if i.input is not None}
    # The reference rules read these two for every row (reference_rules.toml), so they stay.
    read_by_rules = {"se_crowded_venue", "se_accidents_2y"}
    only_special = special - others - read_by_rules
    assert only_special, "the special-equipment model has inputs of its own"
    licence = "licence_special_equipment_use"
    general = general.drop_columns(sorted(only_special & set(general.schema.names)))
    if licence in general.schema.names:
        general = general.drop_columns([licence])
    for nobody_holds in (pa.array([0] * general.num_rows, pa.int64()),
                         pa.array([None] * general.num_rows, pa.float64())):
        nobody = general.append_column(licence, nobody_holds)
        report = model.check(nobody)
        assert report.ok and report.routed == ["general"], report
        assert model.classify(nobody, AS_OF, output="arrow").column("model").unique().to_pylist() == ["general"]
    for held in (pa.array([1.0] + [None] * (general.num_rows - 1), pa.float64()),
                 pa.array([2] + [0] * (general.num_rows - 1), pa.int8())):
        holder = general.append_column(licence, held)
        report = model.check(holder)
        assert not report.ok and set(report.routed) == {"general", "special_equipment"}, report
        assert {m["column"] for m in report.missing} == only_special, report
        with pytest.raises(riskgrade.DataError):
            model.classify(holder, AS_OF)
    # The licence column is a count: a column of booleans is reported as mistyped, not read.
    flags = general.append_column(licence, pa.array([True] * general.num_rows))
    report = model.check(flags)
    assert not report.ok and licence in {m["column"] for m in report.mistyped}, report


def test_a_pandas_frame_with_its_id_in_the_index_checks_clean(model: riskgrade.Model, table: pa.Table) -> None:
    df = table.to_pandas().set_index("id")
    assert isinstance(df, pd.DataFrame)
    assert model.check(df).ok


def test_the_docstring_examples_run() -> None:
    """Every example in the package's docstrings: the module's and those of each public class
    (with its methods) and function, wherever in the package it is defined."""
    import doctest
    import inspect

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(riskgrade)
    for name in riskgrade.__all__:
        obj = getattr(riskgrade, name)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__.startswith("riskgrade"):
            tests += finder.find(obj, name, module=False, globs={})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 10 and result.failed == 0


def test_a_missing_flag_is_graded_as_its_model_declares_and_silence_is_cautioned(
    model: riskgrade.Model, table: pa.Table
) -> None:
    data = table.slice(0, 200)
    i = data.schema.get_field_index("annual_report_on_time")
    gaps = data.set_column(
        i, "annual_report_on_time", pa.array([None if r % 5 == 0 else True for r in range(200)], pa.bool_())
    )
    on_time = data.set_column(i, "annual_report_on_time", pa.array([True] * 200, pa.bool_()))
    late = data.set_column(i, "annual_report_on_time", pa.array([False] * 200, pa.bool_()))
    # The reference model declares its flags' policies: no caution, and a missing report is
    # graded halfway between filed on time and late, never as either.
    assert model.check(gaps).cautions == []
    graded = [model.classify(t, AS_OF, output="arrow", rules=False).column("score").to_pylist() for t in (gaps, on_time, late)]
    general = model.classify(gaps, AS_OF, output="arrow").column("model").to_pylist()
    rows = [r for r in range(0, 200, 5) if general[r] == "general"]
    assert rows
    for r in rows:
        assert graded[1][r] < graded[0][r] < graded[2][r], (r, graded[0][r], graded[1][r], graded[2][r])
    # A model leaving the flag to [defaults] grades a missing report as filed on time: cautioned.
    text = (EXAMPLES / "models" / "general.toml").read_text(encoding="utf-8")
    silent = riskgrade.Model.from_toml(text.replace("missing = 450\n", "", 1))
    check = silent.check(gaps)
    assert [(c["model"], c["column"], c["missing"]) for c in check.cautions] == [("general", "annual_report_on_time", 40)]
    assert "as `true` does" in check.cautions[0]["caution"] and check.ok
    assert silent.check(on_time).cautions == []
