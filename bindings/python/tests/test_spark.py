"""riskgrade inside PySpark (``DataFrame.mapInArrow``) on a ``local[2]`` session.

The distributed results must equal :meth:`riskgrade.Model.classify` run in this
process on the same data, row for row and column for column (scores exactly).
The module is skipped when Java is missing, unless ``RISKGRADE_REQUIRE_SPARK=1``
(then it fails), so CI that has Java cannot silently skip it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any

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

from scaleout import assert_same_rows, synthetic_frame  # noqa: E402



def classify_batches(
    model_json: str, as_of: str, **options: Any
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The mapInArrow function: builds the model once per task, grades each batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = riskgrade.Model.from_json(model_json)
        for batch in batches:
            yield model.classify(batch, as_of, dictionaries=False, **options)

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
        arrow_schema = model.result_schema(contributions=contributions, dictionaries=False)
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
    schema = from_arrow_schema(model.result_schema(dictionaries=False))
    graded = sdf.mapInArrow(classify_batches(model.to_json(), AS_OF), schema)
    got = graded.toArrow()

    want = model.classify(pa.Table.from_pandas(frame, preserve_index=False), AS_OF, dictionaries=False)
    assert_same_rows(got, want)

    # The data exercises what the comparison is about.
    assert set(want.column("class").to_pylist()) >= {"A", "B", "C", "D"}
    assert want.column("status").to_pylist().count("error") == 1
    rules = {r for ids in want.column("rules").to_pylist() for r in ids}
    assert {"veto_dishonest_list", "complaint_surge"} <= rules
    assert any(want.column("alerts").to_pylist()) and any(want.column("labels").to_pylist())
    assert len(set(want.column("model").to_pylist()) - {None}) == 3


def test_map_in_arrow_pickled_model_with_contributions(
    spark: SparkSession, model: riskgrade.Model, frame: pd.DataFrame
) -> None:
    # The function closes over the Model itself: Spark pickles it (through its
    # canonical JSON) and each task unpickles it once.
    part = frame.iloc[:600]
    options: dict[str, Any] = {"contributions": True, "max_reasons": 2}
    schema = from_arrow_schema(model.result_schema(contributions=True, dictionaries=False))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield model.classify(batch, AS_OF, dictionaries=False, **options)

    table = pa.Table.from_pandas(part, preserve_index=False)
    got = spark.createDataFrame(table).repartition(3).mapInArrow(run, schema).toArrow()
    want = model.classify(table, AS_OF, dictionaries=False, **options)
    assert any(name.startswith("contrib:") for name in want.column_names)
    assert_same_rows(got, want)
