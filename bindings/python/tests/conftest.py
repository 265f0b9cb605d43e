"""Shared fixtures: the reference model, and deterministic synthetic batches built from its inputs."""

from __future__ import annotations

import json
import random
from typing import Any

import pyarrow as pa
import pytest

import riskgrade

AS_OF = "2026-11-01"
INDUSTRIES = ["F5211", "C1431", "I6513", "C2614", "E4790", "C1511"]


def category_labels(model: riskgrade.Model) -> dict[str, list[str]]:
    """The labels each category input's indicators know, from the canonical form."""
    spec = json.loads(model.to_json())
    out: dict[str, list[str]] = {}
    for m in spec["model"]:
        for node in m.get("node", []):
            score = node.get("score") or {}
            if score.get("type") == "category" and "input" in node:
                out.setdefault(node["input"], []).extend(score["map"].keys())
    return out


def make_columns(model: riskgrade.Model, n: int, seed: int = 7) -> dict[str, list[Any]]:
    """`n` enterprises with plausible values for every input, about 4% missing."""
    rng = random.Random(seed)
    cats = category_labels(model)
    cols: dict[str, list[Any]] = {
        "id": [f"E{i:06d}" for i in range(n)],
        "industry": [rng.choice(INDUSTRIES) for _ in range(n)],
    }
    for inp in model.inputs:
        values: list[Any] = []
        for _ in range(n):
            if rng.random() < 0.04:
                values.append(None)
            elif inp.type == "count":
                values.append(rng.choice([0, 0, 0, 0, 1, 2, 3, 6, 12]))
            elif inp.type == "integer":
                values.append(rng.randint(0, 30))
            elif inp.type == "bool":
                values.append(rng.random() < 0.08)
            elif inp.type == "category":
                values.append(rng.choice(cats.get(inp.name, ["other"])))
            elif inp.type == "date":
                values.append(f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
            else:
                values.append(round(rng.uniform(-0.5, 2.0) * 10, 3))
        cols[inp.name] = values
    return cols


def make_table(model: riskgrade.Model, n: int, seed: int = 7) -> pa.Table:
    cols = make_columns(model, n, seed)
    arrays = {}
    types = {i.name: i.type for i in model.inputs}
    for name, values in cols.items():
        t = types.get(name, "text")
        if t in ("count", "integer"):
            arrays[name] = pa.array(values, pa.int64())
        elif t == "bool":
            arrays[name] = pa.array(values, pa.bool_())
        elif t in ("category", "text", "date"):
            arrays[name] = pa.array(values, pa.string())
        else:
            arrays[name] = pa.array(values, pa.float64())
    return pa.table(arrays)


@pytest.fixture(scope="session")
def model() -> riskgrade.Model:
    return riskgrade.Model.reference()


@pytest.fixture(scope="session")
def table(model: riskgrade.Model) -> pa.Table:
    """3,000 synthetic enterprises, as columns."""
    return riskgrade.synthesize(3000, seed=11).drop_columns(["true_propensity", "true_segment"])


PROFILES: list[dict[str, Any]] = [
    {
        "id": "P1",
        "industry": "F5211",
        "registered": "2012-04-01",
        "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}],
    },
    {
        "id": "P2",
        "industry": "C1431",
        "registered": "2015-06-01",
        "licences": [
            {
                "type": "food_production",
                "department": "Haidian Market Regulation Bureau",
                "issued": "2022-01-01",
                "valid_until": "2027-01-01",
            }
        ],
        "records": [
            {"kind": "penalty", "date": "2026-09-01", "severity": "major", "amount": 120000},
        ],
    },
    {"id": "P3", "industry": "I6513", "registered": "2010-01-01"},
]
