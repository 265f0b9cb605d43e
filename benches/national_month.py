"""A national month through the CLI: `riskgrade classify` Parquet -> Parquet on tens of millions of rows.

    python benches/national_month.py                       # 50,000,000 enterprises (needs ~5 GB of disk)
    python benches/national_month.py --n 200000 --tile 50000   # a small slice (CI)

The input is synthetic: `--tile` enterprises of the reference set's mix are synthesised once
(`riskgrade.synthesize`), then written again and again under new ids (`<id>-t<k>`) until the file
holds `--n` rows, so the synthesiser's own cost does not grow with the month. The file is kept in
`target/bench-data/` and reused. The CLI (`target/release/riskgrade`, built when missing) then
grades it with the embedded reference set, its rules and top-3 reasons, streaming in batches, under
`/usr/bin/time -v`; the script prints the wall time, the peak resident memory and the rate, checks
the output holds every row, and compares with the targets of a national month on one machine
(<= 90 s, <= 1 GiB peak for 50,000,000 enterprises).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import riskgrade

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01"


def write_month(path: Path, n: int, tile: int) -> None:
    """`n` rows: one synthetic tile of `tile` enterprises repeated under new ids."""
    base = riskgrade.synthesize(tile, seed=7, as_of=AS_OF)
    base = base.drop_columns([c for c in ("true_propensity", "true_segment") if c in base.column_names])
    tmp = path.with_suffix(".partial")
    with pq.ParquetWriter(tmp, base.schema) as w:
        written, k = 0, 0
        while written < n:
            part = base.slice(0, min(tile, n - written))
            ids = pc.binary_join_element_wise(part["id"], f"t{k}", "-")
            part = part.set_column(part.schema.get_field_index("id"), "id", ids)
            w.write_table(part, row_group_size=128 * 1024)
            written += part.num_rows
            k += 1
    tmp.rename(path)


def classify(binary: Path, data: Path, out: Path) -> tuple[float, int, str]:
    """One run of `riskgrade classify`: wall seconds, peak RSS bytes, the command."""
    cmd = ["/usr/bin/time", "-v", str(binary), "classify", "-q", "--data", str(data), "--as-of", AS_OF,
           "--out", str(out)]
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"riskgrade classify failed ({p.returncode}): {p.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024
    return wall, peak, " ".join(["riskgrade", *cmd[3:]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=50_000_000, help="enterprises in the month")
    ap.add_argument("--tile", type=int, default=1_000_000, help="distinct synthetic enterprises repeated")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--riskgrade", default=str(ROOT / "target" / "release" / "riskgrade"),
                    help="the CLI binary (built when missing; rebuild it yourself after changes)")
    args = ap.parse_args()
    if args.n < 1 or args.tile < 1:
        raise SystemExit("--n and --tile must be at least 1")

    data = ROOT / "target" / "bench-data" / f"national-{args.n}-{args.tile}.parquet"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.n:,} enterprises to {data} …", file=sys.stderr)
        t = time.perf_counter()
        write_month(data, args.n, args.tile)
        print(f"  written in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    binary = Path(args.riskgrade)
    if not binary.exists():
        print(f"building {binary} …", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "riskgrade-cli"], cwd=ROOT, check=True)

    meta = pq.ParquetFile(data).metadata
    if meta.num_rows != args.n:
        raise SystemExit(f"{data} holds {meta.num_rows:,} rows, not {args.n:,}: delete it and run again")
    out = data.with_name(data.stem + "-results.parquet")
    runs = [classify(binary, data, out) for _ in range(args.repeats)]
    graded = pq.ParquetFile(out).metadata.num_rows
    if graded != args.n:
        raise SystemExit(f"the results hold {graded:,} rows for {args.n:,} enterprises")
    classes = pq.read_table(out, columns=["class"])["class"].value_counts().to_pylist()
    out.unlink()

    wall = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus (shared); riskgrade {riskgrade.__version__}")
    print(f"input: {args.n:,} enterprises ({args.tile:,} distinct, repeated), "
          f"{data.stat().st_size / 2**20:,.0f} MiB of Parquet, {meta.num_row_groups} row groups")
    print(f"command: {runs[0][2]}")
    print(f"classify, reference set with rules and top-3 reasons ({len(runs)} run(s), median): "
          f"{wall:.1f} s wall, {args.n / wall:,.0f} enterprises/s, peak RSS {peak / 2**20:,.0f} MiB")
    print("classes: " + ", ".join(f"{c['values']} {c['counts']:,}" for c in
                                   sorted(classes, key=lambda c: str(c["values"]))))
    scale = args.n / 50_000_000
    print(f"target for 50,000,000: <= 90 s and <= 1024 MiB; at this size the same rate gives "
          f"{wall / scale:.0f} s for 50,000,000")


if __name__ == "__main__":
    main()
