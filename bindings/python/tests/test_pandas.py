"""riskgrade behaves as pandas, polars and pyarrow users expect: results on the input's index,
the ids from the index, validated arguments, wrapped conversion errors, one row-number
convention, one meaning of NaN, a strict outcome vocabulary, clean names."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import riskgrade
from conftest import AS_OF

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def frame(table: pa.Table) -> pd.DataFrame:
    return table.slice(0, 300).to_pandas()


def test_results_come_back_on_the_inputs_index(model: riskgrade.Model, frame: pd.DataFrame) -> None:
    sub = frame[frame.index % 3 == 1]
    res = model.classify(sub, AS_OF)
    assert res.index.equals(sub.index)
    # The pandas idiom lines up on a filtered frame: no NaN, and each class is the row's own.
    sub = sub.copy()
    sub["class"] = res["class"]
    assert sub["class"].notna().all()
    alone = model.classify(frame, AS_OF).set_index("id")["class"]
    assert (sub.set_index("id")["class"].astype(str) == alone.loc[sub["id"]].astype(str)).all()
    fresh = model.classify(sub.drop(columns="class"), AS_OF, keep_index=False)
    assert fresh.index.equals(pd.RangeIndex(len(sub)))


def test_an_id_in_the_index_is_read_as_the_ids(model: riskgrade.Model, frame: pd.DataFrame) -> None:
    by_id = frame.set_index("id")
    res = model.classify(by_id, AS_OF)
    assert res.index.equals(by_id.index)
    assert res["id"].tolist() == by_id.index.tolist()
    assert res["class"].astype(str).tolist() == model.classify(frame, AS_OF)["class"].astype(str).tolist()
    # Another index name is not an id.
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(frame.set_index("id").rename_axis("code"), AS_OF)
    assert e.value.column == "id"


@pytest.mark.parametrize("output", [None, "Pandas", "numpy", "", 3])
def test_an_unknown_output_is_a_value_error_listing_the_choices(
    model: riskgrade.Model, frame: pd.DataFrame, output: Any
) -> None:
    with pytest.raises(ValueError, match="'auto', 'arrow', 'pandas', 'polars'"):
        model.classify(frame, AS_OF, output=output)
    with pytest.raises(ValueError, match="'auto', 'arrow', 'pandas', 'polars'"):
        riskgrade.compare(frame, AS_OF, before=model, output=output)


def test_a_polars_lazy_frame_is_collected(model: riskgrade.Model, table: pa.Table) -> None:
    lazy = pl.from_arrow(table.slice(0, 100)).lazy()  # type: ignore[union-attr]
    res = model.classify(lazy, AS_OF)
    assert isinstance(res, pl.DataFrame)
    assert res["class"].to_list() == model.classify(table.slice(0, 100), AS_OF).column("class").to_pylist()
    assert model.explain(lazy, AS_OF, table.column("id")[0].as_py()).id == table.column("id")[0].as_py()


def test_a_value_pyarrow_cannot_convert_is_a_data_error_with_row_and_column(
    model: riskgrade.Model, frame: pd.DataFrame
) -> None:
    for column, row, value in [("complaints_1y", 7, "seven"), ("debt_ratio", 0, "n/a"), ("listed", 120, 3.5)]:
        bad = frame.copy()
        bad[column] = bad[column].astype(object)
        bad.iloc[row, bad.columns.get_loc(column)] = value
        with pytest.raises(riskgrade.DataError) as e:
            model.classify(bad, AS_OF)
        assert (e.value.row, e.value.column) == (row, column)
        assert f"row {row}," in str(e.value) and f"`{column}`" in str(e.value)
        assert e.value.value == str(value)


def test_rows_count_from_zero_in_the_message_and_the_attribute(model: riskgrade.Model, table: pa.Table) -> None:
    ids = table.column("id").to_pylist()[:5]
    bad = pa.table({"enterprise": ids, "result": ["problem", "no_problem", "no_problem", "probelm", "refused"]})
    with pytest.raises(riskgrade.DataError) as e:
        riskgrade.compare(table, AS_OF, before=model, outcomes=bad)
    assert e.value.row == 3
    assert "row 3," in str(e.value) and "row 4" not in str(e.value)


def test_the_zero_based_rewrite_is_exact(model: riskgrade.Model, table: pa.Table) -> None:
    # Row 9 (from 0) is named "row 9", never "row 10", and "row 1" inside "row 10" is not touched.
    ids = table.column("id").to_pylist()[:12]
    values = ["problem"] * 12
    values[9] = "oops"
    with pytest.raises(riskgrade.DataError) as e:
        riskgrade.compare(table, AS_OF, before=model, outcomes=pa.table({"enterprise": ids, "result": values}))
    assert e.value.row == 9 and "row 9," in str(e.value) and "row 10" not in str(e.value)


def test_a_column_of_the_wrong_type_names_its_column(model: riskgrade.Model, table: pa.Table) -> None:
    at = table.schema.get_field_index("complaints_1y")
    for values in (pa.array([[1]] * table.num_rows), pa.array([b"1"] * table.num_rows)):
        with pytest.raises(riskgrade.DataError) as e:
            model.classify(table.set_column(at, "complaints_1y", values), AS_OF)
        assert e.value.column == "complaints_1y"


def test_rule_tests_from_a_path_or_a_string_path_behave_alike(model: riskgrade.Model, tmp_path: Path) -> None:
    tests = EXAMPLES / "rules" / "reference.tests.toml"
    if not tests.exists():
        tests = next(EXAMPLES.rglob("*.tests.toml"))
    from_path = model.test_rules(tests)
    from_str = model.test_rules(str(tests))
    from_text = model.test_rules(tests.read_text(encoding="utf-8"))
    assert [r.name for r in from_path] == [r.name for r in from_str] == [r.name for r in from_text]
    assert [r.passed for r in from_path] == [r.passed for r in from_str]
    missing = tmp_path / "nowhere.tests.toml"
    for arg in (missing, str(missing), "examples/rules/reference.tests.toml"):
        with pytest.raises(riskgrade.RiskgradeError) as e:
            model.test_rules(arg)  # type: ignore[arg-type]
        assert isinstance(e.value, riskgrade.DataError)
        assert e.value.file == str(arg)
        assert "TOML" not in str(e.value) and "expected" not in str(e.value)
    # A missing model is in the same family.
    with pytest.raises(riskgrade.RiskgradeError) as m:
        riskgrade.Model.from_path(missing)
    assert m.value.file == str(missing)  # type: ignore[attr-defined]


def test_explaining_an_unknown_id_is_a_key_error(model: riskgrade.Model, frame: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="nope"):
        model.explain(frame, AS_OF, "nope")


def test_exceptions_are_named_under_riskgrade_and_pickle() -> None:
    for cls in (
        riskgrade.RiskgradeError,
        riskgrade.ModelError,
        riskgrade.RuleCompileError,
        riskgrade.DataError,
        riskgrade.EvaluationError,
    ):
        assert cls.__module__ == "riskgrade"
        assert repr(cls) == f"<class 'riskgrade.{cls.__name__}'>"
        assert cls.__qualname__ == cls.__name__
        again = pickle.loads(pickle.dumps(cls("x")))
        assert type(again) is cls


def test_dir_shows_the_public_names_only() -> None:
    names = dir(riskgrade)
    for leaked in ("pa", "json", "os", "Any", "dataclasses", "Literal", "overload", "Mapping"):
        assert leaked not in names
    assert set(riskgrade.__all__) <= set(names)


def test_class_is_an_ordered_categorical(model: riskgrade.Model, frame: pd.DataFrame) -> None:
    res = model.classify(frame, AS_OF)
    dtype = res["class"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    assert list(dtype.categories) == ["A", "B", "C", "D"]
    risky = res[res["class"] >= "C"]
    assert set(risky["class"].astype(str)) <= {"C", "D"}
    assert res["class"].max() == max(res["class"].dropna().astype(str))


def test_models_are_equal_by_version_id(model: riskgrade.Model) -> None:
    from_file = riskgrade.Model.from_path(REPO / "examples" / "models" / "reference.toml")
    assert from_file == model and hash(from_file) == hash(model)
    assert riskgrade.Model.from_path(REPO / "examples" / "models" / "general.toml") != model


class _ArrowStream:
    """Any object with ``__arrow_c_stream__``, as other Arrow libraries hand them over."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.table.__arrow_c_stream__(requested_schema)


def test_nan_means_missing_from_pandas_polars_and_pyarrow(model: riskgrade.Model, table: pa.Table) -> None:
    small = table.slice(0, 50)
    at = small.schema.get_field_index("debt_ratio")
    values = small.column("debt_ratio").to_pylist()
    values[3] = math.nan
    values[7] = None
    nan = small.set_column(at, "debt_ratio", pa.array(values, pa.float64()))
    results = [
        model.classify(nan, AS_OF, output="arrow"),
        model.classify(pl.from_arrow(nan), AS_OF, output="arrow"),
        model.classify(nan.to_pandas(), AS_OF, output="arrow"),
        model.classify(nan.to_batches()[0], AS_OF, output="arrow"),
        model.classify(_ArrowStream(nan), AS_OF, output="arrow"),
        model.classify_stream(nan, AS_OF).read_all(),
    ]
    for column in ("status", "score", "class", "reasons"):
        first = results[0].column(column).to_pylist()
        for other in results[1:]:
            assert other.column(column).to_pylist() == first, column
    values[3] = None
    none = small.set_column(at, "debt_ratio", pa.array(values, pa.float64()))
    assert model.classify(none, AS_OF, output="arrow").column("score").to_pylist() == (
        results[0].column("score").to_pylist()
    )
    # A dry run finds no bad value in NaN either: it is the missing value it stands for.
    assert model.check(nan, as_of=AS_OF).values == model.check(none, as_of=AS_OF).values


def test_outcome_texts_follow_a_documented_vocabulary(model: riskgrade.Model, table: pa.Table) -> None:
    ids = table.column("id").to_pylist()[:4]
    english = pa.table({"enterprise": ids, "result": ["problem", "no_problem", "not_reachable", "refused"]})
    chinese = pa.table({"enterprise": ids, "result": ["发现问题", "未发现问题", "无法联系", "拒绝检查"]})
    a = riskgrade.compare(table, AS_OF, before=model, outcomes=english).outcomes
    b = riskgrade.compare(table, AS_OF, before=model, outcomes=chinese).outcomes
    assert a is not None and b is not None and a == b and a["champion"]["problems"] == 3
    flags = pd.DataFrame({"enterprise": ids, "problem": ["是", "否", "无", "有"]})
    judged = riskgrade.compare(table, AS_OF, before=model, outcomes=flags).outcomes
    assert judged is not None and judged["champion"]["problems"] == 2
    assert "否" in riskgrade.OUTCOME_WORDS["problem"] and "未发现问题" in riskgrade.OUTCOME_WORDS["result"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("problem", "未发现问题"),
        ("problem", "maybe"),
        ("problem", None),
        ("problem", math.nan),
        ("result", "False"),
        ("result", "否"),
        ("result", None),
        ("result", math.nan),
    ],
)
def test_an_outcome_outside_the_vocabulary_is_an_error_naming_the_row(
    model: riskgrade.Model, table: pa.Table, column: str, value: Any
) -> None:
    ids = table.column("id").to_pylist()[:3]
    good = "true" if column == "problem" else "problem"
    frame = pd.DataFrame({"enterprise": ids, column: [good, value, good]})
    with pytest.raises(riskgrade.DataError) as e:
        riskgrade.compare(table, AS_OF, before=model, outcomes=frame)
    assert e.value.row == 1 and e.value.column == column
    assert "row 1," in str(e.value)


def test_a_date_column_stands_in_for_an_input_derived_from_one_date(model: riskgrade.Model, table: pa.Table) -> None:
    import datetime as dt

    as_of = dt.date.fromisoformat(AS_OF)
    n = table.num_rows
    # Registration dates up to 30 years back, one in the future (missing, as a profile's would be).
    back = [(i * 7919) % (30 * 366) for i in range(n)]
    back[3] = -10
    registered = [as_of - dt.timedelta(days=k) for k in back]
    last_penalty = [None if i % 4 else as_of - dt.timedelta(days=(i * 37) % 900) for i in range(n)]
    as_numbers = table.set_column(
        table.schema.get_field_index("years_in_operation"),
        "years_in_operation",
        pa.array([k / 365.25 if k >= 0 else None for k in back], pa.float64()),
    ).set_column(
        table.schema.get_field_index("days_since_penalty"),
        "days_since_penalty",
        pa.array([None if d is None else float((as_of - d).days) for d in last_penalty], pa.float64()),
    )
    as_dates = table.drop_columns(["years_in_operation", "days_since_penalty"]).append_column(
        "registered_on", pa.array(registered, pa.date32())
    ).append_column("last_penalty", pa.array(last_penalty, pa.date32()))
    mapping = {"registered_on": "years_in_operation", "last_penalty": "days_since_penalty"}
    assert model.check(as_dates, columns=mapping, as_of=AS_OF).ok
    expected = model.classify(as_numbers, AS_OF, output="arrow")
    assert expected.column("class").null_count == 0
    for data in (as_dates, as_dates.to_pandas(), pl.from_arrow(as_dates)):
        got = model.classify(data, AS_OF, columns=mapping, output="arrow")
        assert got.equals(expected), type(data)
    # A timestamp in China time is read on its local date.
    stamps = pa.array(
        [dt.datetime(d.year, d.month, d.day, 0, 30) for d in registered], pa.timestamp("s", tz="Asia/Shanghai")
    )
    got = model.classify(as_dates.set_column(as_dates.schema.get_field_index("registered_on"), "registered_on", stamps),
                         AS_OF, columns=mapping, output="arrow")
    assert got.equals(expected)
    # Only inputs derived from one date take a date: a date where a count belongs is mistyped.
    wrong = as_dates.set_column(
        as_dates.schema.get_field_index("complaints_1y"), "complaints_1y", pa.array(registered, pa.date32())
    )
    check = model.check(wrong, columns=mapping, as_of=AS_OF)
    assert [m["column"] for m in check.mistyped] == ["complaints_1y"]
