#!/usr/bin/env python3
"""riskgrade against the same model written in pandas/numpy, in one run.

The numpy scorecard is built from the same model file the way a data scientist
would write it: per indicator `np.searchsorted` + gather (bins), `np.interp`
(linear), `np.where` (boolean), `Series.map` (category), a weighted sum, and
`np.searchsorted` on the class bands. Before timing, its scores are checked
against riskgrade's row by row, so both compute the same thing.

    pip install -r benches/requirements.txt
    python benches/peer_numpy.py            # 1M enterprises
    python benches/peer_numpy.py --n 200000

It writes the synthetic data once under target/bench-data/ and prints medians
and the ratio. The machine is shared and noisy: compare medians, not single runs.
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
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "examples" / "models" / "general.toml"
AS_OF = "2026-11-01"


def cargo(*args, env=None):
    return subprocess.run(["cargo", *args], cwd=ROOT, check=True, capture_output=True, text=True, env=env).stdout


def build_numpy_scorecard(model):
    """Returns a function DataFrame -> (scores, class index) implementing the model."""
    nodes = {n["path"]: n for n in model["node"]}
    default_missing = model.get("defaults", {}).get("missing")

    def abs_weight(path):
        w = 1.0
        parts = path.split(".")
        for i in range(1, len(parts) + 1):
            w *= nodes[".".join(parts[:i])]["weight"]
        return w

    leaves = []
    for n in model["node"]:
        if "score" not in n:
            continue
        leaves.append((n["input"], abs_weight(n["path"]), n["score"], n.get("missing", default_missing)))
    bands = [c["band"] for c in model["classes"]]
    thresholds = np.array([b[0] for b in bands[1:]], dtype=float)

    def score(df):
        total = np.zeros(len(df))
        for column, w, fn, missing in leaves:
            kind = fn["type"]
            if kind == "category":
                pts = df[column].map(fn["map"]).astype(float)
                pts = pts.where(df[column].isna() | pts.notna(), fn.get("other", np.nan))
                pts = pts.fillna(missing).to_numpy()
            else:
                x = df[column].to_numpy(dtype=float, na_value=np.nan)
                if kind == "bins":
                    pts = np.asarray(fn["points"], dtype=float)[np.searchsorted(fn["edges"], x, side="right")]
                elif kind == "linear":
                    pts = np.interp(x, fn["x"], fn["y"])
                elif kind == "boolean":
                    pts = np.where(x == 1, fn["true"], fn["false"]).astype(float)
                pts = np.where(np.isnan(x), missing, pts)
            total += w * pts
        return total, np.searchsorted(thresholds, total, side="right")

    return score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()

    data = ROOT / "target" / "bench-data" / f"general-{args.n}.parquet"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.n} synthetic enterprises to {data} …", file=sys.stderr)
        cargo("run", "--release", "-q", "-p", "riskgrade-cli", "--", "synth", "-n", str(args.n),
              "--model", str(MODEL), "--as-of", AS_OF, "--out", str(data))

    scores_file = data.with_suffix(".scores.txt")
    env = dict(os.environ, RISKGRADE_SCORES_OUT=str(scores_file))
    rg = json.loads(cargo("run", "--release", "-q", "-p", "riskgrade-benches", "--bin", "grade_file", "--",
                          str(MODEL), str(data), AS_OF, str(args.repeats), env=env))

    model = tomllib.loads(MODEL.read_text())
    scorecard = build_numpy_scorecard(model)
    t = time.perf_counter()
    df = pq.read_table(data).to_pandas()
    load_ms = (time.perf_counter() - t) * 1e3

    np_scores, _ = scorecard(df)
    rg_scores = np.loadtxt(scores_file)
    diff = np.nanmax(np.abs(np_scores - rg_scores))
    assert diff < 1e-6, f"numpy and riskgrade disagree by {diff}"

    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        scorecard(df)
        times.append((time.perf_counter() - t) * 1e3)
    np_ms = statistics.median(times)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; numpy {np.__version__}, pandas {pd.__version__}")
    print(f"rows: {rg['rows']}, indicators: {sum('score' in n for n in model['node'])}, repeats: {args.repeats} (medians)")
    print(f"scores agree: max |numpy - riskgrade| = {diff:.2e}")
    print(f"{'':34}{'ms':>10}")
    print(f"{'riskgrade indicator stage':34}{rg['indicator_stage_ms']:>10.1f}")
    print(f"{'riskgrade with top-3 reasons':34}{rg['with_reasons_ms']:>10.1f}")
    print(f"{'pandas/numpy scorecard':34}{np_ms:>10.1f}")
    print(f"ratio numpy / riskgrade indicator stage: {np_ms / rg['indicator_stage_ms']:.1f}x")
    print(f"ratio numpy / riskgrade with reasons:    {np_ms / rg['with_reasons_ms']:.1f}x")
    peak, inp = rg.get("peak_rss"), rg["input_bytes"]
    if peak:
        print(f"riskgrade peak memory {peak / 2**20:.0f} MiB for {inp / 2**20:.0f} MiB of input columns "
              f"({peak / inp:.2f}x)")


if __name__ == "__main__":
    main()
