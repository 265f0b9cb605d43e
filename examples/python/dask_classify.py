"""Grade enterprises with riskgrade inside Dask, through ``DataFrame.map_partitions``.

    pip install riskgrade "dask[dataframe]" distributed
    python examples/python/dask_classify.py                      # 20,000 synthetic enterprises
    python examples/python/dask_classify.py --input enterprises.parquet --as-of 2026-11-01 \\
        --output grades.parquet --model examples/models/reference.toml

The input has one row per enterprise: ``id``, ``industry`` and one column per
model input (``riskgrade.Model.inputs``), e.g. the Parquet that
``riskgrade synth`` writes. The script starts a local cluster of worker
processes (or joins one with ``--scheduler``). ``map_partitions`` pickles the
model with the task graph (a ``riskgrade.Model`` pickles as its canonical
JSON), each worker rebuilds it, and grades each pandas partition; the GIL is
released while the Rust engine works. ``meta`` (the result's columns and
dtypes) comes from ``model.result_schema()``.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

import riskgrade


def classify_partition(
    part: pd.DataFrame, model: riskgrade.Model, as_of: str, options: dict[str, Any]
) -> pd.DataFrame:
    """Grades one partition; the result keeps the partition's index, so rows line up."""
    grades = model.classify(part, as_of, **options)
    grades.index = part.index
    return grades


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
            missing |= np.isnan(values)  # NaN is not "missing" in Arrow: it is an error
        columns[inp.name] = pa.array(values, mask=missing)
    return pa.table(columns)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--input", help="Parquet file or directory (default: synthetic enterprises)")
    parser.add_argument("--rows", type=int, default=20_000, help="synthetic enterprises without --input")
    parser.add_argument("--as-of", default="2026-11-01", help="grading date (YYYY-MM-DD)")
    parser.add_argument("--output", help="write the results here as Parquet (a Dask directory)")
    parser.add_argument("--model", help="model or model-set file (default: the embedded reference set)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of the synthetic data")
    parser.add_argument("--contributions", action="store_true", help="add contrib:* columns")
    args = parser.parse_args(argv)

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    model = riskgrade.Model.from_path(args.model) if args.model else riskgrade.Model.reference()
    options = {"contributions": args.contributions}

    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        if args.input:
            enterprises = dd.read_parquet(args.input, dtype_backend="pyarrow")
        else:
            frame = synthetic_table(model, args.rows).to_pandas(types_mapper=pd.ArrowDtype)
            enterprises = dd.from_pandas(frame, npartitions=args.partitions)

        meta = model.result_schema(contributions=args.contributions).empty_table().to_pandas()
        grades = enterprises.map_partitions(
            classify_partition, model, args.as_of, options, meta=meta
        )
        grades = grades.persist()  # graded once, on the workers, for the summary and the file
        if args.output:
            grades.to_parquet(args.output, write_index=False)

        print(f"graded {len(grades)} enterprises as of {args.as_of} (model set {model.version_id})")
        counts = grades.groupby(["model", "class"]).size().compute().sort_index()
        print(counts.rename("count").to_string(), end="\n\n")
        errors = grades.loc[grades["status"] == "error", ["id", "error"]].compute()
        if len(errors):
            print(f"{len(errors)} rows not graded:\n{errors.head().to_string(index=False)}", end="\n\n")
        first_model = grades[grades["model"] == model.models[0]]  # scores are on each model's scale
        riskiest = first_model.nlargest(5, "score").compute()
        first_dimension = [c for c in meta.columns if c.startswith("dim:")][:1]
        print(riskiest[["id", "industry", "score", "class", "rules", *first_dimension]].to_string(index=False))
        if args.output:
            print(f"\nresults written to {args.output}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
