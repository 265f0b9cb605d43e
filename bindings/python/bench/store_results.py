"""How fast a stored period reaches pandas: `Store.results(period, output="pandas")`.

    python bindings/python/bench/store_results.py [rows]      # default 2,000,000

Grades `rows` synthetic enterprises (columns, not profiles) into a temporary store, then times
reading the period back into pandas (best of three). Build the package in release mode first
(`maturin develop --release`); the target is one second for two million rows.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import riskgrade


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    model = riskgrade.Model.reference()
    t0 = time.perf_counter()
    table = riskgrade.synthesize(n, seed=1, as_of="2026-10-31").drop_columns(["true_propensity", "true_segment"])
    t1 = time.perf_counter()
    path = os.path.join(tempfile.mkdtemp(), "bench.db")
    run = riskgrade.Store(path, writable=True).run_month(model, table, "2026-10")
    t2 = time.perf_counter()
    store = riskgrade.Store(path, output="pandas")
    best = float("inf")
    for _ in range(3):
        s = time.perf_counter()
        df = store.results("2026-10")
        best = min(best, time.perf_counter() - s)
    assert len(df) == n == run.enterprises
    print(f"{n:,} rows: synthesize {t1 - t0:.2f} s, run_month {t2 - t1:.2f} s, results -> pandas {best:.3f} s (best of 3)")


if __name__ == "__main__":
    main()
