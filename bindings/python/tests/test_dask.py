"""riskgrade inside Dask (``map_partitions``) on a local cluster of 2 worker processes.

The distributed results must equal :meth:`riskgrade.Model.classify` run in this
process on the same data, row for row and column for column (scores exactly).
The workers are separate processes, so the model really travels pickled (as
its canonical JSON) and is rebuilt on the other side.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pytest
from distributed import Client, LocalCluster

import riskgrade

AS_OF = "2026-11-01"
ROWS = 3000

from scaleout import assert_same_rows, synthetic_frame  # noqa: E402



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
    rules = {r for ids in want["rules"] for r in ids}
    assert {"veto_dishonest_list", "complaint_surge"} <= rules
    assert want["alerts"].map(len).any() and want["labels"].map(len).any()
    assert want["model"].nunique() == 3


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
