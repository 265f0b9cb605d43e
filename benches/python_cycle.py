"""Times the Python calls of the monthly cycle added on `riskgrade.Store` and `Model`.

    python benches/python_cycle.py [N]

- `Model.check` of N enterprises (columns and every value, one grading without rules);
- `Model.explain_many` of 100 ids against 100 calls of `Model.explain` (one grading each);
- on a store of N enterprises graded into one month: `Store.draw`, `Store.tasks`,
  `Store.record_outcomes` of every task, `Store.evaluate`, `Store.verify`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import riskgrade


def timed(label: str, f):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = f()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    model = riskgrade.Model.reference()
    data = riskgrade.synthesize(n, seed=1, as_of="2026-10-31")
    report = timed(f"check, {n:,} rows", lambda: model.check(data.drop_columns(["true_propensity", "true_segment"])))
    print(f"  {len(report.values)} bad values")
    ids = data.column("id").to_pylist()[:: max(1, n // 100)][:100]
    timed(f"explain_many, {len(ids)} ids of {n:,}", lambda: model.explain_many(data, "2026-10-31", ids))
    timed(f"explain, 10 ids of {n:,} one by one", lambda: [model.explain(data, "2026-10-31", i) for i in ids[:10]])
    with tempfile.TemporaryDirectory() as folder:
        store = riskgrade.Store(Path(folder) / "bench.db", writable=True)
        timed(f"run_month, {n:,} enterprises", lambda: store.run_month(model, data, "2026-10"))
        draw = timed("draw (henan-2021, reference pool)", lambda: store.draw("2026-10", seed="bench"))
        tasks = timed("tasks", lambda: store.tasks(draw))
        print(f"  {tasks.num_rows} tasks")
        outcomes = {
            "enterprise": tasks.column("enterprise").to_pylist(),
            "date": ["2026-11-15"] * tasks.num_rows,
            "result": ["发现问题" if i % 7 == 0 else "未发现问题" for i in range(tasks.num_rows)],
        }
        timed("record_outcomes, every task", lambda: store.record_outcomes(draw, outcomes))
        timed("evaluate", lambda: store.evaluate(draw))
        timed("verify", lambda: store.verify(draw))


if __name__ == "__main__":
    main()
