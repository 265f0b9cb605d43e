"""How fast a stored period reaches pandas: `Store.results(period, output="pandas")`.

    python benches/python_store_results.py [rows]      # default 2,000,000

Grades `rows` synthetic enterprises (columns, not profiles) into a temporary store, then times
reading the period back into pandas (median of five; `class` an ordered categorical). Install
the package built in release mode first (`./test.sh` does); the target is one second for two
million rows.
"""

from __future__ import annotations

import os
import platform
import statistics
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
    times = []
    for _ in range(5):
        s = time.perf_counter()
        df = store.results("2026-10")
        times.append(time.perf_counter() - s)
    assert len(df) == n == run.enterprises
    assert df["class"].cat.ordered
    median = statistics.median(times)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus (shared); riskgrade {riskgrade.__version__}")
    print(f"{n:,} rows: synthesize {t1 - t0:.2f} s, run_month {t2 - t1:.2f} s, "
          f"results -> pandas {median:.3f} s (median of 5; target <= 1 s for 2,000,000 rows)")


if __name__ == "__main__":
    main()
