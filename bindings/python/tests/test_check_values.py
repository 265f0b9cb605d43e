"""`Model.check` reports every bad value at once, per row and column, as `classify` would grade
it: codes against their standards (GB 32100-2015 credit codes, GB/T 4754-2017 industries,
GB/T 2260 districts, by the set's `[codes]` policy), counts that are negative or not whole,
dates that do not parse, duplicate and missing ids."""

from __future__ import annotations

import pyarrow as pa

import riskgrade
from conftest import AS_OF


def spoiled(table: pa.Table) -> tuple[pa.Table, dict[tuple[int, str], str]]:
    """`table` with one bad value per row in rows 1 to 6, and what check should say of each."""
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    n = table.num_rows
    cols["complaints_1y"] = [float(v) if v is not None else None for v in cols["complaints_1y"]]
    cols["complaints_1y"][1] = 1.5
    cols["complaints_1y"][2] = -2.0
    cols["industry"][3] = "ZZ99"
    cols["industry"][4] = "A1411"  # division 14 is in section C
    cols["id"][5] = cols["id"][0]
    cols["credit_code"] = ["91350100M000100Y43"] * n
    cols["credit_code"][6] = "91350100M000100Y4Z"  # the standard's own counter-example
    cols["district"] = ["东城区"] * n
    types = {name: table.schema.field(name).type for name in table.column_names}
    types["complaints_1y"] = pa.float64()
    out = pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})
    expected = {
        (1, "complaints_1y"): "whole",
        (2, "complaints_1y"): "negative",
        (3, "industry"): "ZZ99",
        (4, "industry"): "section",
        (5, "id"): "",
        (6, "credit_code"): "should be `3`",
    }
    return out, expected


def test_every_bad_value_is_reported_with_its_row_and_column(model: riskgrade.Model, table: pa.Table) -> None:
    data, expected = spoiled(table.slice(0, 40))
    report = model.check(data)
    assert report.ok and not report.clean
    found = {(v["row"], v["column"]): v for v in report.values}
    for (row, column), words in expected.items():
        assert (row, column) in found, (row, column, report.values)
        assert words.lower() in found[(row, column)]["problem"].lower()
        assert found[(row, column)]["id"] == data.column("id")[row].as_py()
    assert len(report.values) == len(expected), report.values
    assert found[(6, "credit_code")]["flagged"]  # the reference set flags credit codes
    assert not found[(3, "industry")]["flagged"]  # and refuses bad industries
    assert report.value_counts() == {"complaints_1y": 2, "industry": 2, "credit_code": 1, "id": 1}
    assert "row 3, enterprise" in str(report) and "values=6" in repr(report)


def test_the_rows_check_finds_bad_are_the_rows_classify_cannot_grade(model: riskgrade.Model, table: pa.Table) -> None:
    data, _ = spoiled(table.slice(0, 40))
    report = model.check(data)
    bad = {v["row"] for v in report.values if not v["flagged"]}
    results = model.classify(data.drop_columns(["credit_code"]), AS_OF, output="arrow")
    errors = {i for i, s in enumerate(results.column("status").to_pylist()) if s == "error"}
    assert errors == bad


def test_a_clean_frame_has_no_bad_values(model: riskgrade.Model, table: pa.Table) -> None:
    report = model.check(table)
    assert report.values == [] and report.clean
    assert riskgrade.ColumnCheck(routed=[], missing=[], extra=[], mistyped=[]).clean


def test_a_category_no_indicator_names_is_flagged_with_the_label_meant(
    model: riskgrade.Model, table: pa.Table
) -> None:
    """`LLC` and `有限责任公司` are not labels of the legal-form indicator (its map has `llc`):
    classify grades them with its `other` points, so check flags them, and says which label
    was meant when only the case differs."""
    data = table.slice(0, 6)
    forms = data.column("enterprise_type").to_pylist()
    forms[0], forms[1], forms[2] = "LLC", "有限责任公司", "llc"
    data = data.set_column(data.schema.get_field_index("enterprise_type"), "enterprise_type", pa.array(forms))
    report = model.check(data)
    found = {v["row"]: v for v in report.values if v["column"] == "enterprise_type"}
    assert sorted(found) == [0, 1], report.values
    assert all(v["flagged"] for v in found.values())
    assert "category `LLC` is not one indicator" in found[0]["problem"]
    assert "other points, 400" in found[0]["problem"]
    assert found[0]["problem"].endswith("did you mean `llc`?")
    assert "did you mean" not in found[1]["problem"]
    # Graded all the same, as check says: the flagged rows are graded.
    graded = model.classify(data, AS_OF, output="arrow").column("status").to_pylist()
    assert graded[0] == graded[1] == "graded"
