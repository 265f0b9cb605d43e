"""riskgrade inside Dask (``map_partitions``) on a local cluster of 2 worker processes.

The distributed results must equal :meth:`riskgrade.Model.classify` run in this
process on the same data, row for row and column for column (scores exactly).
The workers are separate processes, so the model really travels pickled (as
its canonical JSON) and is rebuilt on the other side.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from distributed import Client, LocalCluster

import riskgrade

AS_OF = "2026-11-01"
ROWS = 3000

# ---------------------------------------------------------------------------
# Deterministic synthetic columns for the model's inputs (the same generator is
# in test_spark.py; each test module stands alone).

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


def as_arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def model() -> riskgrade.Model:
    return riskgrade.Model.reference()


@pytest.fixture(scope="module")
def frame(model: riskgrade.Model) -> pd.DataFrame:
    # Shuffled, so that restoring the order by id means something.
    return synthetic_frame(model, ROWS).sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_workers_are_processes_that_unpickle_the_model(client: Client, model: riskgrade.Model) -> None:
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    assert client.submit(lambda m: m.version_id, model).result() == model.version_id


def test_map_partitions_equals_in_process(
    client: Client, model: riskgrade.Model, frame: pd.DataFrame
) -> None:
    ddf = dd.from_pandas(frame, npartitions=4)
    assert ddf.npartitions >= 3
    meta = model.classify(frame.iloc[:0], AS_OF)
    graded = ddf.map_partitions(lambda part, m: m.classify(part, AS_OF), model, meta=meta)
    got = graded.compute()

    want = model.classify(frame, AS_OF)
    assert list(got.columns) == list(want.columns)
    assert list(got.dtypes) == list(want.dtypes) == list(meta.dtypes)
    assert_same_rows(as_arrow(got), as_arrow(want))
    pd.testing.assert_frame_equal(
        got.sort_values("id").reset_index(drop=True),
        want.sort_values("id").reset_index(drop=True),
        check_exact=True,
    )

    # The data exercises what the comparison is about.
    assert set(want["class"].dropna()) >= {"A", "B", "C", "D"}
    assert (want["status"] == "error").sum() == 1
    rules = ",".join(want["rules"].dropna())
    assert "veto_dishonest_list" in rules and "complaint_surge" in rules
    assert want["alerts"].notna().any() and want["labels"].notna().any()
    assert want["model"].nunique() == 2


def test_map_partitions_with_contributions_and_schema_meta(
    client: Client, model: riskgrade.Model, frame: pd.DataFrame
) -> None:
    # Options travel with the function; the meta comes from result_schema.
    options: dict[str, Any] = {"contributions": True, "max_reasons": 2}
    meta = model.result_schema(contributions=True).empty_table().to_pandas()
    ddf = dd.from_pandas(frame.iloc[:900], npartitions=3)

    def run(part: pd.DataFrame, m: riskgrade.Model) -> pd.DataFrame:
        return m.classify(part, AS_OF, **options)

    got = ddf.map_partitions(run, model, meta=meta).compute()
    want = model.classify(frame.iloc[:900], AS_OF, **options)
    assert any(name.startswith("contrib:") for name in want.columns)
    assert list(got.dtypes) == list(want.dtypes)
    assert_same_rows(as_arrow(got), as_arrow(want))
