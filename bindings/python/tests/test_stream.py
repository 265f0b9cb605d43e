"""Results schema 4 in Python: dictionary columns handed over without a copy, and
classify_stream over RecordBatchReaders and any ``__arrow_c_stream__`` object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from conftest import AS_OF, make_table

import riskgrade

DICTIONARY_COLUMNS = ("model", "class", "class_label", "status", "model_version", "as_of")


def test_repeated_texts_are_dictionaries_and_the_rest_keeps_its_type(model: riskgrade.Model) -> None:
    table = model.classify(make_table(model, 500), AS_OF)
    for name in DICTIONARY_COLUMNS:
        assert pa.types.is_dictionary(table.schema.field(name).type), name
    assert table.schema.field("score").type == pa.float64()
    assert table.schema.field("reasons").type == pa.string()
    assert table.schema.field("labels").type.value_type == pa.string()
    assert set(table.column("class").to_pylist()) <= {"A", "B", "C", "D", None}
    assert table.column("model_version").to_pylist() == [model.version_id] * 500


def test_pandas_and_polars_read_the_dictionary_columns(model: riskgrade.Model) -> None:
    data = make_table(model, 400)
    df = model.classify(data.to_pandas(), AS_OF)
    dtype = df["class"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    assert list(dtype.categories) == ["A", "B", "C", "D"]
    assert (df["status"] == "graded").sum() + (df["status"] == "error").sum() == 400
    arrow = model.classify(data, AS_OF)
    assert df["class"].astype(object).where(df["class"].notna(), None).tolist() == arrow.column("class").to_pylist()

    pf = model.classify(pl.from_arrow(data), AS_OF)
    assert isinstance(pf, pl.DataFrame)
    assert pf["class"].cast(pl.String).to_list() == arrow.column("class").to_pylist()
    assert pf.filter(pl.col("status") == "graded").height == (df["status"] == "graded").sum()


def test_the_results_table_is_handed_over_without_a_copy(model: riskgrade.Model) -> None:
    data = make_table(model, 20_000)
    model.classify(data, AS_OF)  # warm up
    before = pa.total_allocated_bytes()
    table = model.classify(data, AS_OF)
    grown = pa.total_allocated_bytes() - before
    # The table's buffers stay Rust's: pyarrow's own pool holds none of them.
    assert table.nbytes > 2_000_000
    assert grown < table.nbytes / 20, (grown, table.nbytes)


def _rows(batches: Any) -> list[dict[str, Any]]:
    return pa.Table.from_batches(list(batches)).to_pylist()


@pytest.mark.parametrize("size", [1, 7, 250, 1000, 5000])
def test_a_stream_in_any_batch_size_gives_the_whole_results(model: riskgrade.Model, size: int) -> None:
    data = make_table(model, 1000)
    whole = model.classify(data, AS_OF, output="arrow")
    reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=size))
    results = model.classify_stream(reader, AS_OF)
    assert isinstance(results, pa.RecordBatchReader)
    assert results.schema == whole.schema
    batches = list(results)
    assert [b.num_rows for b in batches] == [b.num_rows for b in data.to_batches(max_chunksize=size)]
    assert _rows(batches) == whole.to_pylist()


def test_any_arrow_c_stream_object_streams_and_options_apply(model: riskgrade.Model) -> None:
    data = make_table(model, 600)

    class Stream:
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=128))
            return reader.__arrow_c_stream__(requested_schema)

    options: dict[str, Any] = {"reasons": False, "rules": False, "dimensions": False}
    got = _rows(model.classify_stream(Stream(), AS_OF, **options))
    assert got == model.classify(data, AS_OF, output="arrow", **options).to_pylist()
    # No indicator or rule reasons; only a row below the minimum evidence says why.
    assert all(not r["reasons"] or (r["insufficient"] and " | " not in r["reasons"]) for r in got)
    polars = _rows(model.classify_stream(pl.from_arrow(data), AS_OF))
    assert polars == model.classify(data, AS_OF, output="arrow").to_pylist()


def test_a_later_batchs_strict_error_names_the_streams_row(model: riskgrade.Model) -> None:
    data = make_table(model, 300)
    counts = [i.name for i in model.inputs if i.type == "count"]
    bad = data.column(counts[0]).to_pylist()
    bad[250] = -5
    data = data.set_column(data.schema.get_field_index(counts[0]), counts[0], pa.array(bad, pa.int64()))
    # Every row known long enough for the minimum evidence: the bad value is the first problem.
    years = data.schema.get_field_index("years_in_operation")
    data = data.set_column(years, "years_in_operation", pa.array([5.0] * data.num_rows, pa.float64()))
    reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=100))
    results = model.classify_stream(reader, AS_OF, strict=True)
    first, second = results.read_next_batch(), results.read_next_batch()
    assert first.num_rows == second.num_rows == 100
    # The third batch holds the stream's row 250: the typed error, the message and `row` agree.
    with pytest.raises(riskgrade.DataError, match=r"\brow 250\b") as e:
        results.read_next_batch()
    assert e.value.row == 250 and e.value.column == counts[0], (e.value.row, e.value.column)


def test_a_missing_column_raises_at_once(model: riskgrade.Model) -> None:
    data = make_table(model, 50).drop_columns(["industry"])
    with pytest.raises(riskgrade.DataError, match="industry"):
        model.classify_stream(pa.RecordBatchReader.from_batches(data.schema, data.to_batches()), AS_OF)


def test_a_share_cut_model_refuses_to_stream_and_grades_whole() -> None:
    henan = Path(__file__).resolve().parents[3] / "examples" / "models" / "henan.toml"
    text = henan.read_text(encoding="utf-8")
    for band, share in [("[0, 200]", "0.6"), ("[200, 500]", "0.25"), ("[500, 750]", "0.1"), ("[750, 1000]", "0.05")]:
        text = text.replace(f"band = {band}", f"share = {share}")
    shares = riskgrade.Model.from_toml(text)
    data = make_table(shares, 20)
    with pytest.raises(riskgrade.DataError, match="shares of the batch"):
        shares.classify_stream(data, AS_OF)
    assert shares.classify(data, AS_OF).num_rows == 20


def test_dictionaries_false_gives_plain_strings_in_the_plain_schema(model: riskgrade.Model) -> None:
    data = make_table(model, 300)
    coded = model.classify(data, AS_OF)
    plain = model.classify(data, AS_OF, dictionaries=False)
    assert plain.schema == model.result_schema(dictionaries=False)
    for name in DICTIONARY_COLUMNS:
        assert plain.schema.field(name).type == pa.string(), name
    assert plain.to_pylist() == coded.to_pylist()
    batch = model.classify(data.to_batches()[0], AS_OF, dictionaries=False)
    assert batch.schema == plain.schema


def test_a_later_batchs_rule_failure_names_the_streams_row(tmp_path: Path) -> None:
    import shutil

    examples = Path(__file__).resolve().parents[3] / "examples" / "models"
    for f in examples.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    rules = tmp_path / "reference_rules.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + '''
[[rule]]
id = "fails_on_77"
stage = "after"
when = "complaints_1y == 77"
script = """
let a = [1, 2];
let b = a[5] + 1;
"""
''',
        encoding="utf-8",
    )
    model = riskgrade.Model.from_path(tmp_path / "reference.toml")
    data = make_table(model, 300)
    i = data.schema.get_field_index("complaints_1y")
    values = [0] * data.num_rows
    values[250] = 77
    data = data.set_column(i, "complaints_1y", pa.array(values, pa.int64()))
    reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches(max_chunksize=100))
    results = model.classify_stream(reader, AS_OF, on_rule_error="abort")
    results.read_next_batch()
    results.read_next_batch()
    # The third batch holds the stream's row 250: counted from the stream, not the batch.
    with pytest.raises(riskgrade.EvaluationError) as e:
        results.read_next_batch()
    assert e.value.row == 250 and e.value.rule_id == "fails_on_77", (e.value.row, str(e.value))
    assert "row 250 " in str(e.value)
