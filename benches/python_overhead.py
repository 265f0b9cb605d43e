#!/usr/bin/env python3
"""The Python package against the Rust batch on the same data, in one run.

1,000,000 synthetic enterprises (the reference set: general + food models,
14 rules) are written once to Parquet under target/bench-data/. Then, with the
same default options (rules, top reasons, dimension columns):

- the Rust batch (`benches/src/bin/rust_batch.rs`): Arrow batches → frame →
  grades → results table → one Arrow batch;
- `model.classify(table)` from a pyarrow Table (zero-copy in, a pyarrow Table out);
- `model.classify(df)` from a pandas DataFrame (pandas → Arrow in, Arrow → pandas out);

and the general model's indicator stage written in pandas/numpy
(`peer_numpy.build_numpy_scorecard`) against `classify` of the same model
with rules and reasons off. Medians of several repeats; the machine is shared
and noisy, so compare ratios.

    pip install ./bindings/python -r benches/requirements.txt
    python benches/python_overhead.py            # 1M enterprises
    python benches/python_overhead.py --n 200000
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import riskgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benches"))
from peer_numpy import build_numpy_scorecard  # noqa: E402

AS_OF = "2026-11-01"
REFERENCE = ROOT / "examples" / "models" / "reference.toml"
GENERAL = ROOT / "examples" / "models" / "general.toml"


def timed(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    data = ROOT / "target" / "bench-data" / f"python-reference-{args.n}.parquet"
    model = riskgrade.Model.from_path(REFERENCE)
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.n} synthetic enterprises to {data} …", file=sys.stderr)
        pq.write_table(riskgrade.synthesize(args.n, seed=42, as_of=AS_OF, model=model), data, row_group_size=128 * 1024)

    rust = json.loads(subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "riskgrade-benches", "--bin", "rust_batch", "--",
         str(REFERENCE), str(data), AS_OF, str(args.repeats)],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)

    table = pq.read_table(data)
    df = table.to_pandas()
    arrow_ms, out = timed(lambda: model.classify(table, as_of=AS_OF), args.repeats)
    pandas_ms, pout = timed(lambda: model.classify(df, as_of=AS_OF), args.repeats)
    assert out.num_rows == rust["rows"] == len(pout) == args.n

    # The same model in pandas/numpy: the general model's indicator stage.
    general = riskgrade.Model.from_path(GENERAL)
    scorecard = build_numpy_scorecard(tomllib.loads(GENERAL.read_text()))
    np_ms, (np_scores, _) = timed(lambda: scorecard(df), args.repeats)
    lean = {"reasons": False, "dimensions": False, "rules": False, "output": "arrow"}
    rg_ms, rg = timed(lambda: general.classify(table, as_of=AS_OF, **lean), args.repeats)
    rg_scores = rg.column("score").to_numpy(zero_copy_only=False)
    diff = float(np.nanmax(np.abs(np_scores - rg_scores)))
    assert diff < 1e-6, f"numpy and riskgrade disagree by {diff}"

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; Python {platform.python_version()}, "
          f"pyarrow {pa.__version__}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"rows: {args.n}, reference set (2 models, 14 rules), repeats: {args.repeats} (medians)")
    print(f"{'':46}{'ms':>10}{'vs Rust':>10}")
    e2e = rust["end_to_end_ms"]
    print(f"{'Rust batch (Arrow in, Arrow results out)':46}{e2e:>10.1f}{'':>10}")
    print(f"{'Python classify(pyarrow.Table)':46}{arrow_ms:>10.1f}{arrow_ms / e2e - 1:>+10.1%}")
    print(f"{'Python classify(pandas.DataFrame)':46}{pandas_ms:>10.1f}{pandas_ms / e2e - 1:>+10.1%}")
    print(f"general model, indicator stage only; scores agree within {diff:.1e}:")
    print(f"{'pandas/numpy scorecard':46}{np_ms:>10.1f}")
    print(f"{'Python classify (no reasons, no rules)':46}{rg_ms:>10.1f}")
    print(f"ratio pandas/numpy / riskgrade from Python: {np_ms / rg_ms:.1f}x")


if __name__ == "__main__":
    main()
