"""A third party re-draws a published draw from the published files alone.

Pure Python (hashlib, json, csv): it follows docs/inspections.md ("The draw, in two stages
keyed separately" and "Publication") and imports nothing of riskgrade. The files come from the
`riskgrade` command line binary (`cargo build -p riskgrade-cli`), found through the
RISKGRADE_BIN environment variable or in the workspace's target directory; without it the test
is skipped with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
POOL = ROOT / "examples" / "inspectors" / "beijing-pool.csv"


def _binary() -> Path | None:
    given = os.environ.get("RISKGRADE_BIN")
    if given:
        return Path(given) if Path(given).is_file() else None
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("debug", "release"):
        candidate = target / profile / "riskgrade"
        if candidate.is_file():
            return candidate
    return None


BIN = _binary()
pytestmark = pytest.mark.skipif(
    BIN is None,
    reason="no riskgrade binary: build it with `cargo build -p riskgrade-cli` or set RISKGRADE_BIN",
)


def run(*args: str | Path) -> str:
    assert BIN is not None
    done = subprocess.run(
        [str(BIN), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def class_ratio(plan: dict, cls: str) -> tuple[float, bool]:
    """The class's ratio per draw and whether it is fully covered (docs, step 2)."""
    rule = plan["class"][cls]
    if rule.get("full_coverage"):
        return 1.0, True
    if rule.get("ratio") is not None:
        return float(rule["ratio"]), False
    return min(1.0, float(rule["per_year"]) / max(1, int(plan["draws_per_year"]))), False


def redraw(folder: Path) -> list[tuple[int, str, str]]:
    """The tasks (number, enterprise, kind) re-drawn from the published files."""
    plan_bytes = (folder / "plan.json").read_bytes()
    list_bytes = (folder / "candidates.jsonl").read_bytes()
    draw = json.loads((folder / "draw.json").read_text(encoding="utf-8"))
    c = draw["commitment"]
    # Step 0: the published files are the committed ones, and the commitment is recomputable.
    assert sha256(plan_bytes) == c["plan"]
    assert sha256(list_bytes) == c["candidates"]
    text = (
        f"riskgrade commitment 1\ndate {draw['date']}\nplan {c['plan']}\n"
        f"candidates {c['candidates']}\npool {c['pool']}\nhistory {c['history']}\n"
    )
    if c["digest"] is not None:
        assert sha256(text.encode()) == c["digest"]
    plan = json.loads(plan_bytes)
    entries = [json.loads(line) for line in list_bytes.decode("utf-8").splitlines()]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    # Step 2: tickets and the lottery per cell.
    key = f"{draw['seed']}\n{c['plan']}\n{c['candidates']}\n"
    cells: dict[tuple[str, str], list[dict]] = {}
    for e in entries:
        cells.setdefault((e["class"], e["cell"]), []).append(e)
    tasks: list[tuple[str, str]] = []
    for (cls, _cell), members in sorted(cells.items(), key=lambda kv: (kv[0][0].encode(), kv[0][1].encode())):
        ratio, full = class_ratio(plan, cls)
        n = len(members)
        taken: set[str] = set()
        if full:
            picks = [(e["id"], "full_coverage") for e in members]
        else:
            quota = min(n, max(0, math.ceil(ratio * n - 1e-9)))
            eligible = [e for e in members if e["eligible"]]
            eligible.sort(key=lambda e: (-e["owed"], sha256((key + e["id"]).encode())))
            picks = [(e["id"], "random") for e in eligible[:quota]]
        taken.update(i for i, _ in picks)
        due = [(e["id"], "due") for e in members if e["due"] and e["id"] not in taken]
        taken.update(i for i, _ in due)
        forced = [
            (e["id"], "forced")
            for e in members
            if e.get("forced") and e["id"] not in taken
        ]
        tasks.extend(picks + due + forced)
    return [(i + 1, ent, kind) for i, (ent, kind) in enumerate(tasks)]


def test_a_published_draw_is_redrawn_from_the_docs(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.jsonl"
    store = tmp_path / "history.db"
    run("synth", "-n", "4000", "--as-of", "2026-10-31", "-o", profiles)
    run("run", "-s", store, "-p", "2026-10", "-d", profiles)
    published = []
    for number, plan in enumerate(["henan-2021", "food-production"], start=1):
        out = run("draw", "commit", "-s", store, "-p", "2026-10", "--plan", plan, "--pool", POOL)
        assert f"commitment #{number}" in out
        tasks = tmp_path / f"tasks-{number}.csv"
        seed = f"2026-11 public lottery {number}"
        run("draw", "-s", store, "--commitment", str(number), "--pool", POOL, "--seed", seed, "-o", tasks)
        with tasks.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        outcomes = tmp_path / f"outcomes-{number}.csv"
        with outcomes.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["enterprise", "date", "result", "note"])
            for i, r in enumerate(rows):
                if i % 3 != 2:
                    w.writerow([r["enterprise"], "2026-11-20", "problem" if i % 4 == 0 else "no_problem", "checked"])
        run("outcomes", "-s", store, "--draw", str(number), outcomes)
        folder = tmp_path / f"published-{number}"
        run("publish", "-s", store, "--draw", str(number), "-o", folder)
        published.append((folder, rows))

    for folder, rows in published:
        draw = json.loads((folder / "draw.json").read_text(encoding="utf-8"))
        again = redraw(folder)
        listed = [(t["number"], t["enterprise"], t["kind"]) for t in draw["tasks"]]
        assert again == listed
        assert [r["enterprise"] for r in rows] == [e for _, e, _ in again]
        with (folder / "results.csv").open(encoding="utf-8") as f:
            results = list(csv.DictReader(f))
        assert results, "closed inspections are published"
        assert list(results[0]) == [
            "enterprise", "name", "credit_code", "task", "department", "date", "result", "disposal",
        ]
        drawn = {e for _, e, _ in again}
        assert all(r["enterprise"] in drawn for r in results)
        kinds = {k for _, _, k in again}
        assert "random" in kinds

    # A seed other than the published one gives another draw: the files pin the seed's role.
    folder = published[0][0]
    draw_file = folder / "draw.json"
    draw = json.loads(draw_file.read_text(encoding="utf-8"))
    draw["seed"] = draw["seed"] + " altered"
    draw_file.write_text(json.dumps(draw), encoding="utf-8")
    assert [e for _, e, _ in redraw(folder)] != [t["enterprise"] for t in draw["tasks"]]
