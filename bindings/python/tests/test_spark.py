"""riskgrade inside PySpark (``DataFrame.mapInArrow``) on a ``local[2]`` session.

The distributed results must equal :meth:`riskgrade.Model.classify` run in this
process on the same data, row for row and column for column (scores exactly).
The module is skipped when Java is missing, unless ``RISKGRADE_REQUIRE_SPARK=1``
(then it fails), so CI that has Java cannot silently skip it.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import riskgrade

if shutil.which("java") is None:
    if os.environ.get("RISKGRADE_REQUIRE_SPARK") == "1":
        pytest.fail(
            "RISKGRADE_REQUIRE_SPARK=1 but there is no `java` on PATH; PySpark needs Java 17",
            pytrace=False,
        )
    pytest.skip(
        "PySpark needs Java and there is no `java` on PATH "
        "(set RISKGRADE_REQUIRE_SPARK=1 to make this a failure)",
        allow_module_level=True,
    )

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema  # noqa: E402

# PySpark 4.3 warns (FutureWarning) that it does not fully support pandas >= 3
# whenever it checks the pandas version (e.g. in mapInArrow). These tests hand
# Spark Arrow data only, so that warning says nothing about them; ignore just it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

AS_OF = "2026-11-01"
ROWS = 3000

# ---------------------------------------------------------------------------
# Deterministic synthetic columns for the model's inputs (the same generator is
# in test_dask.py; each test module stands alone).

INDUSTRIES = ["F5211", "C1431", "I6510", "C2614", "E4790"]
CATEGORIES = {
    "enterprise_type": ["llc", "llc", "llc", "sole_proprietorship", "joint_stock", "state_owned", "partnership"],
    "product_category": ["general", "bakery", "beverage", "meat", "dairy", "health_food", "infant_formula"],
    "production_scale": ["workshop", "small", "small", "medium", "large"],
}
# Share of True per flag; other flags (annual report on time, ...) are mostly True.
FLAGS = {
    "dishonest_listed": 0.02,
    "judgment_defaulter": 0.02,
    "abnormal_listed": 0.05,
    "equity_frozen": 0.04,
    "listed": 0.03,
    "loss_making": 0.2,
    "haccp_certified": 0.5,
}
NUMBERS = {
    "debt_ratio": lambda rng, n: rng.uniform(0.1, 1.2, n),
    "paid_in_ratio": lambda rng, n: rng.uniform(0.0, 1.0, n),
    "revenue_growth": lambda rng, n: rng.normal(0.05, 0.3, n),
    "complaint_growth_3m": lambda rng, n: rng.normal(0.0, 1.0, n),
    "years_in_operation": lambda rng, n: rng.uniform(0.0, 30.0, n),
    "days_since_penalty": lambda rng, n: rng.uniform(0.0, 1500.0, n),
    "penalty_amount_3y": lambda rng, n: np.where(rng.random(n) < 0.15, rng.lognormal(9, 1.5, n), 0.0),
}
COUNTS = {"insured_staff": 25.0, "shareholders": 2.0, "licences_valid": 1.5, "branches": 0.5}


def synthetic_frame(model: riskgrade.Model, n: int, seed: int = 2026) -> pd.DataFrame:
    """One row per enterprise: ``id``, ``industry`` and a column per model input.

    Nullable dtypes with ~3% missing values, a few dishonest-list entries and
    complaint surges so that rules fire, and one invalid row (a negative
    count) that comes back with ``status == "error"``.
    """
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {
        "id": [f"E{i:06d}" for i in range(n)],
        "industry": rng.choice(INDUSTRIES, n),
    }
    for inp in model.inputs:
        name = inp.name
        if inp.type == "bool":
            col = pd.Series(pd.array(rng.random(n) < FLAGS.get(name, 0.85), dtype="boolean"))
        elif inp.type in ("count", "integer"):
            counts = rng.poisson(COUNTS.get(name, 0.2), n)
            if name == "complaints_1y":  # a complaint surge here and there
                counts += np.where(rng.random(n) < 0.03, rng.integers(5, 15, n), 0)
            col = pd.Series(pd.array(counts, dtype="Int64"))
        elif inp.type == "category":
            col = pd.Series(pd.array(rng.choice(CATEGORIES.get(name, ["other"]), n), dtype="string"))
        elif name.endswith("_share"):
            col = pd.Series(np.where(rng.random(n) < 0.1, rng.random(n), 0.0))
        else:
            col = pd.Series(NUMBERS.get(name, lambda rng, n: rng.lognormal(4.0, 1.5, n))(rng, n))
        col[rng.random(n) < 0.03] = None
        cols[name] = col
    frame = pd.DataFrame(cols)
    frame.loc[7, "branches"] = -3  # invalid: graded as an error row, not an exception
    return frame


def assert_same_rows(got: pa.Table, want: pa.Table) -> None:
    """Equal schemas, and equal values in every column once both are in `id` order."""
    assert got.schema == want.schema
    assert got.num_rows == want.num_rows
    got, want = got.sort_by("id"), want.sort_by("id")
    ids = want.column("id").to_pylist()
    assert len(set(ids)) == len(ids)
    for name in want.column_names:
        g, w = got.column(name).to_pylist(), want.column(name).to_pylist()
        bad = [
            i
            for i, (a, b) in enumerate(zip(g, w))
            if a != b and not (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
        ]
        if bad:
            i = bad[0]
            pytest.fail(f"column {name!r}: {len(bad)} rows differ; first, id {ids[i]}: {g[i]!r} != {w[i]!r}")


def classify_batches(
    model_json: str, as_of: str, **options: Any
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The mapInArrow function: builds the model once per task, grades each batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = riskgrade.Model.from_json(model_json)
        for batch in batches:
            yield model.classify(batch, as_of, **options)

    return run


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    with pytest.MonkeyPatch.context() as mp:
        # Spark's Python workers must run this interpreter (the one with riskgrade).
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        mp.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        mp.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        session = (
            SparkSession.builder.master("local[2]")
            .appName("riskgrade-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            # Small Arrow batches, so that a task grades several batches.
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "400")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


@pytest.fixture(scope="module")
def model() -> riskgrade.Model:
    return riskgrade.Model.reference()


@pytest.fixture(scope="module")
def frame(model: riskgrade.Model) -> pd.DataFrame:
    return synthetic_frame(model, ROWS)


@pytest.fixture(scope="module")
def parquet_path(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("spark") / "enterprises.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return str(path)


def test_result_schema_converts_to_spark(model: riskgrade.Model) -> None:
    for contributions in (False, True):
        arrow_schema = model.result_schema(contributions=contributions)
        spark_schema = from_arrow_schema(arrow_schema)
        # Names such as `dim:general:basic` and `contrib:general:basic.capital.registered_capital`
        # are fine in a StructType (select them with backticks).
        assert spark_schema.names == arrow_schema.names
        assert to_arrow_schema(spark_schema) == arrow_schema


def test_map_in_arrow_equals_in_process(
    spark: SparkSession, model: riskgrade.Model, frame: pd.DataFrame, parquet_path: str
) -> None:
    # Shuffle into 4 partitions, so rows reach the workers out of order.
    sdf = spark.read.parquet(parquet_path).repartition(4)
    assert sdf.rdd.getNumPartitions() == 4
    schema = from_arrow_schema(model.result_schema())
    graded = sdf.mapInArrow(classify_batches(model.to_json(), AS_OF), schema)
    got = graded.toArrow()

    want = model.classify(pa.Table.from_pandas(frame, preserve_index=False), AS_OF)
    assert_same_rows(got, want)

    # The data exercises what the comparison is about.
    assert set(want.column("class").to_pylist()) >= {"A", "B", "C", "D"}
    assert want.column("status").to_pylist().count("error") == 1
    rules = ",".join(r for r in want.column("rules").to_pylist() if r)
    assert "veto_dishonest_list" in rules and "complaint_surge" in rules
    assert any(want.column("alerts").to_pylist()) and any(want.column("labels").to_pylist())
    assert len(set(want.column("model").to_pylist()) - {None}) == 2


def test_map_in_arrow_pickled_model_with_contributions(
    spark: SparkSession, model: riskgrade.Model, frame: pd.DataFrame
) -> None:
    # The function closes over the Model itself: Spark pickles it (through its
    # canonical JSON) and each task unpickles it once.
    part = frame.iloc[:600]
    options: dict[str, Any] = {"contributions": True, "max_reasons": 2}
    schema = from_arrow_schema(model.result_schema(contributions=True))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield model.classify(batch, AS_OF, **options)

    table = pa.Table.from_pandas(part, preserve_index=False)
    got = spark.createDataFrame(table).repartition(3).mapInArrow(run, schema).toArrow()
    want = model.classify(table, AS_OF, **options)
    assert any(name.startswith("contrib:") for name in want.column_names)
    assert_same_rows(got, want)
