"""Shared by the scale-out tests (PySpark, Dask): deterministic synthetic
enterprises in pandas nullable dtypes, and an exact row-by-row comparison."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import riskgrade

# ---------------------------------------------------------------------------
# Deterministic synthetic columns for the model's inputs.

INDUSTRIES = ["F5211", "C1431", "I6513", "C2614", "E4790"]
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
