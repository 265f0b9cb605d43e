"""Grade enterprises with riskgrade inside PySpark, through ``DataFrame.mapInArrow``.

    pip install riskgrade pyspark          # and Java 17 for Spark
    python examples/python/spark_classify.py                     # 20,000 synthetic enterprises
    python examples/python/spark_classify.py --input enterprises.parquet --as-of 2026-11-01 \\
        --output grades.parquet --model examples/models/reference.toml

The input has one row per enterprise: ``id``, ``industry`` and one column per
model input (``riskgrade.Model.inputs``), e.g. the Parquet that
``riskgrade synth`` writes. Spark hands each task an iterator of
``pyarrow.RecordBatch``; the task builds the model once from its canonical JSON
and grades the batches one by one (the batches reach the Rust engine without
a copy). The result schema comes from ``model.result_schema()``. Its column
names contain ``:`` (``dim:general:basic``): Spark accepts them; quote them
with backticks in SQL expressions (``F.col("`dim:general:basic`")``).
A missing input is a null, and NaN in a float column is read as missing too,
as pandas has it (an infinite or negative count is an error row, ``status ==
"error"``, as with any other bad value).

Without ``--master`` the script runs Spark in ``local[2]`` mode; on a cluster,
riskgrade must be installed on the executors' Python.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

import riskgrade


def classify_batches(
    model_json: str, as_of: str, **options: Any
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``mapInArrow``: one model per task, one result batch per input batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = riskgrade.Model.from_json(model_json)
        for batch in batches:
            yield model.classify(batch, as_of, dictionaries=False, **options)

    return run


def synthetic_table(model: riskgrade.Model, n: int, seed: int = 2026) -> pa.Table:
    """Made-up but plausible columns for the model's inputs, so the example runs without data.

    Most enterprises are clean; a few are on a list, penalised or drowning in
    complaints, and ~2% of every input is missing.
    """
    rng = np.random.default_rng(seed)
    penalties = rng.poisson(0.12, n)
    surge = rng.random(n) < 0.02
    special: dict[str, np.ndarray] = {
        "penalties_3y": penalties,
        "major_penalties_3y": rng.binomial(penalties, 0.2),
        "days_since_penalty": np.where(penalties > 0, rng.uniform(0, 1000, n), np.nan),
        "penalty_amount_3y": np.where(penalties > 0, rng.lognormal(9, 1.5, n), 0.0),
        "complaints_1y": rng.poisson(0.3, n) + surge * rng.integers(5, 15, n),
        "complaint_growth_3m": np.where(surge, rng.uniform(1, 3, n), rng.normal(0, 0.2, n)),
        "registered_capital": rng.lognormal(5, 1.5, n),
        "tax_paid": rng.lognormal(3, 1.5, n),
        "paid_in_ratio": rng.beta(5, 2, n),
        "debt_ratio": rng.beta(4, 5, n),
        "revenue_growth": rng.normal(0.08, 0.2, n),
        "years_in_operation": rng.uniform(0, 25, n),
        "insured_staff": rng.lognormal(2.5, 1.2, n).astype(np.int64),
        "shareholders": 1 + rng.poisson(2, n),
        "licences_valid": 1 + rng.poisson(1, n),
        "outbound_investments": rng.poisson(1, n),
        "branches": rng.poisson(0.5, n),
    }
    flags = {"dishonest_listed": 0.01, "judgment_defaulter": 0.01, "abnormal_listed": 0.03,
             "equity_frozen": 0.02, "listed": 0.03, "loss_making": 0.2, "haccp_certified": 0.6}  # fmt: skip
    categories = {
        "enterprise_type": ["llc", "llc", "llc", "sole_proprietorship", "joint_stock", "state_owned"],
        "product_category": ["general", "bakery", "beverage", "meat", "dairy", "infant_formula"],
        "production_scale": ["workshop", "small", "medium", "large"],
    }
    columns: dict[str, pa.Array] = {
        "id": pa.array([f"E{i:07d}" for i in range(n)]),
        "industry": pa.array(rng.choice(["F5211", "C1431", "I6513", "C2614", "E4790"], n)),
    }
    for inp in model.inputs:
        if inp.name in special:
            values = special[inp.name]
        elif inp.type == "bool":
            values = rng.random(n) < flags.get(inp.name, 0.9)
        elif inp.type in ("count", "integer"):
            values = rng.poisson(0.05, n)
        elif inp.type == "category":
            values = rng.choice(categories.get(inp.name, ["other"]), n)
        elif inp.name.endswith("_share"):
            values = np.where(rng.random(n) < 0.05, rng.random(n), 0.0)
        else:
            values = rng.lognormal(2, 1, n)
        missing = rng.random(n) < 0.02
        if values.dtype.kind == "f":
            missing |= np.isnan(values)  # nulls, as Spark would hold them (NaN would read as missing too)
        columns[inp.name] = pa.array(values, mask=missing)
    return pa.table(columns)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", help="Parquet file or directory (default: synthetic enterprises)")
    parser.add_argument("--rows", type=int, default=20_000, help="synthetic enterprises without --input")
    parser.add_argument("--as-of", default="2026-11-01", help="grading date (YYYY-MM-DD)")
    parser.add_argument("--output", help="write the results here as Parquet (a Spark directory)")
    parser.add_argument("--model", help="model or model-set file (default: the embedded reference set)")
    parser.add_argument("--master", default="local[2]", help="Spark master")
    parser.add_argument("--partitions", type=int, default=4, help="partitions to grade in")
    parser.add_argument("--contributions", action="store_true", help="add contrib:* columns")
    args = parser.parse_args(argv)

    # Spark's Python workers must run an interpreter that has riskgrade: this one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # PySpark 4.3 warns that it does not fully support pandas >= 3; this example
    # hands Spark Arrow data only.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    from pyspark.sql import SparkSession
    from pyspark.sql.pandas.types import from_arrow_schema

    model = riskgrade.Model.from_path(args.model) if args.model else riskgrade.Model.reference()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("riskgrade")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if args.input:
            enterprises = spark.read.parquet(args.input)
        else:
            enterprises = spark.createDataFrame(synthetic_table(model, args.rows))
        enterprises = enterprises.repartition(args.partitions)

        schema = from_arrow_schema(model.result_schema(contributions=args.contributions, dictionaries=False))
        grades = enterprises.mapInArrow(
            classify_batches(model.to_json(), args.as_of, contributions=args.contributions),
            schema,
        )
        if args.output:
            grades.write.mode("overwrite").parquet(args.output)
            grades = spark.read.parquet(args.output)
        else:
            grades = grades.cache()

        print(f"graded {grades.count()} enterprises as of {args.as_of} (model set {model.version_id})")
        grades.groupBy("model", "class").count().orderBy("model", "class").show()
        errors = grades.filter("status = 'error'").select("id", "error")
        if errors.count():
            print(f"{errors.count()} rows not graded:")
            errors.show(5, truncate=False)
        # The riskiest of the first model (each model has its own score scale);
        # backticks, because the dimension columns' names contain ':'.
        first_dimension = [f"`{n}`" for n in schema.names if n.startswith("dim:")][:1]
        grades.filter(grades.model == model.models[0]).orderBy("score", ascending=False).select(
            "id", "industry", "score", "class", "rules", *first_dimension
        ).show(5, truncate=60)
        if args.output:
            print(f"results written to {args.output}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
