"""`riskgrade.Store` reads the history store as frames, each compared with what the command
line prints for the same store (a store made by `riskgrade demo`).

The `riskgrade` binary (`cargo build -p riskgrade-cli`) is found through RISKGRADE_BIN or in the
workspace's target directory; without it these tests are skipped (test.sh builds it first).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import riskgrade

ROOT = Path(__file__).resolve().parents[3]


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


def cli(*args: str | Path) -> str:
    assert BIN is not None
    r = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "demo.db"
    cli("demo", "-n", "300", "--months", "3", "-q", "-s", path)
    return path


def test_periods_are_those_the_command_line_lists(db: Path) -> None:
    periods = riskgrade.Store(db).periods()
    assert isinstance(periods, pa.Table)
    lines = [ln for ln in cli("periods", "-s", db).splitlines() if ln.strip()]
    assert periods.column("period").to_pylist() == [ln.split()[0] for ln in lines]
    for row, line in zip(periods.to_pylist(), lines):
        assert f"as of {row['as_of']}" in line and f"model {row['model_version']}" in line
        assert f"{row['enterprises']} enterprises ({row['errors']} not graded)" in line
        for c in "ABCD":
            assert f" {c} {row[f'class:{c}']}" in line


def test_results_are_the_exported_period(db: Path, tmp_path: Path) -> None:
    store = riskgrade.Store(db, output="pandas")
    period = store.periods(output="arrow").column("period")[-1].as_py()
    results = store.results(period)
    assert isinstance(results, pd.DataFrame)
    # `class` as classify gives it in pandas: ordered, least risky first.
    assert results["class"].cat.ordered
    assert list(results["class"].cat.categories) == ["A", "B", "C", "D"]
    stored = store.results(period, output="arrow").column("class").to_pylist()
    assert (results["class"] >= "C").sum() == sum(c in ("C", "D") for c in stored) > 0
    out = tmp_path / "shared.csv"
    cli("export", "-s", db, "-p", period, "-o", out)
    with out.open(encoding="utf-8") as f:
        exported = {row["id"]: row for row in csv.DictReader(f)}
    assert sorted(exported) == results["id"].tolist()
    for id_, cls, score in zip(results["id"], results["class"], results["score"]):
        assert exported[id_]["class"] == (cls or "")
        assert float(exported[id_]["score"]) == pytest.approx(score, abs=1e-3)
    assert results["labels"].map(lambda x: isinstance(x, (list, tuple)) or hasattr(x, "tolist")).all()
    with pytest.raises(KeyError, match="1999-01"):
        store.results("1999-01")
    with pytest.raises(ValueError):
        store.results("not a month")


def test_history_decisions_and_audit_match_the_command_line(db: Path) -> None:
    store = riskgrade.Store(db)
    decisions = store.decisions()
    listed = cli("decide", "list", "-s", db)
    assert decisions.num_rows >= 1
    for d in decisions.to_pylist():
        assert f"#{d['id']} " in listed and d["reason"] in listed
    audit = store.audit()
    assert audit.num_rows == sum(1 for ln in listed.splitlines() if ln.strip()[:1].isdigit())
    enterprise = decisions.column("enterprise")[0].as_py()
    history = store.history(enterprise)
    printed = cli("history", "-s", db, "--id", enterprise)
    assert history.num_rows == len(store.periods().column("period"))
    for period, cls in zip(history.column("period").to_pylist(), history.column("class").to_pylist()):
        assert period in printed and (cls is None or cls in printed)


def test_changes_and_queues_are_the_stored_ones(db: Path) -> None:
    store = riskgrade.Store(db)
    periods = store.periods().column("period").to_pylist()
    changes = store.changes(periods[-1])
    assert set(changes.column_names) == {"id", "from_class", "to_class", "kind", "detail"}
    moved = [r for r in changes.to_pylist() if r["from_class"] != r["to_class"]]
    results = {r["id"]: r["class"] for r in store.results(periods[-1]).to_pylist()}
    assert all(results[r["id"]] == r["to_class"] for r in moved)
    queue = store.queue(periods[-1])
    printed = cli("queue", "-s", db, "-p", periods[-1])
    for department in set(queue.column("department").to_pylist()):
        assert department in printed
        only = store.queue(periods[-1], department)
        assert set(only.column("department").to_pylist()) == {department}


def test_a_store_opens_read_only_by_default(db: Path, tmp_path: Path) -> None:
    before = db.read_bytes()
    store = riskgrade.Store(db)
    assert not store.writable and "read-only" in repr(store)
    store.periods()
    assert db.read_bytes() == before
    assert riskgrade.Store(db, writable=True).writable
    with pytest.raises(riskgrade.DataError) as e:
        riskgrade.Store(tmp_path / "none.db")
    assert e.value.file == str(tmp_path / "none.db")
    not_a_store = tmp_path / "other.db"
    not_a_store.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(riskgrade.DataError):
        riskgrade.Store(not_a_store).periods()
    with pytest.raises(ValueError, match="'auto'"):
        riskgrade.Store(db, output="numpy")  # type: ignore[arg-type]


def test_a_month_run_from_python_stores_what_the_command_line_stores(tmp_path: Path) -> None:
    model = riskgrade.Model.reference()
    profiles = riskgrade.synthesize(200, seed=5, as_of="2026-10-31", profiles=True)
    data = tmp_path / "profiles.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in profiles), encoding="utf-8")
    by_cli = tmp_path / "cli.db"
    cli("run", "-q", "-s", by_cli, "-p", "2026-10", "-d", data)
    with pytest.raises(ValueError, match="read-only"):
        riskgrade.Store(tmp_path / "cli.db").run_month(model, profiles, "2026-10")
    store = riskgrade.Store(tmp_path / "py.db", writable=True)
    run = store.run_month(model, profiles, "2026-10")
    assert (run.period, run.as_of, run.enterprises) == ("2026-10", "2026-10-31", 200)
    assert run.previous is None and "2026-10" in str(run) and len(repr(run)) < 200
    shown = run._repr_html_()
    assert shown.startswith("<p><b>2026-10</b> (as of 2026-10-31): 200 of 200 enterprises graded")
    assert "the first stored period" in shown and len(shown) < 400
    after = riskgrade.Store(tmp_path / "py2.db", writable=True)
    after.run_month(model, profiles, "2026-09")
    shown = after.run_month(model, profiles, "2026-10")._repr_html_()
    assert "against 2026-09: " in shown and " riskier, " in shown, shown
    ours = store.results("2026-10").drop_columns(["manual_decision"])
    theirs = riskgrade.Store(by_cli).results("2026-10").drop_columns(["manual_decision"])
    assert ours.equals(theirs)
    ours_p = store.periods().drop_columns(["source"])
    theirs_p = riskgrade.Store(by_cli).periods().drop_columns(["source"])
    assert ours_p.equals(theirs_p)


def test_two_periods_compare_as_the_command_line_compares_them(db: Path) -> None:
    store = riskgrade.Store(db)
    before, after = store.periods().column("period").to_pylist()[-2:]
    c = store.compare(before, after)
    printed = cli("changes", "-s", db, "--from", before, "--to", after, "--top", "1000")
    assert str(c) == printed.rstrip("\n") or str(c).strip() in printed
    lines = [ln.split() for ln in printed.splitlines()]
    for cls, row in zip(c.classes, c.counts):
        assert [cls, *map(str, row)] in lines
    riskier = sum(n for i, row in enumerate(c.counts) for j, n in enumerate(row) if j > i)
    safer = sum(n for i, row in enumerate(c.counts) for j, n in enumerate(row) if j < i)
    assert f"{riskier} riskier, {safer} less risky, {c.entered} entered, {c.left} left" in printed
    assert len(c.movers) == riskier + safer
    for mover in c.movers.to_pylist():
        assert f"{mover['id']}: {mover['from_class']} -> {mover['to_class']}" in printed
    for row in c.psi.to_pylist():
        assert f"{row['psi']:.4f} [{row['band']}]" in printed or row["psi"] < 0.1
    assert c.matrix().to_numpy().sum() == sum(map(sum, c.counts))
    assert len(repr(c)) < 200 and "<table>" in c._repr_html_()
    with pytest.raises(KeyError):
        store.compare("1999-01", after)


HOSTILE_TEXTS = ["; ", "a; b", "a;b", "", " padded ", "line\nbreak", '"quoted", \'single\'', "重点监管; 食品安全", "[\"x\"]"]


def test_list_texts_come_back_exactly_whatever_they_hold(db: Path, tmp_path: Path) -> None:
    """Labels, alerts and rule ids are lists kept item by item: a text holding `; `, `;`,
    newlines, quotes or nothing at all comes back as the same one item (exported, imported
    into another store by the command line, read by `Store.results`)."""
    store = riskgrade.Store(db)
    period = store.periods().column("period")[-1].as_py()
    shared = tmp_path / "shared.jsonl"
    cli("export", "-s", db, "-p", period, "-o", shared)
    rows = [json.loads(line) for line in shared.read_text(encoding="utf-8").splitlines()]
    want = {}
    for k, row in enumerate(rows):
        texts = HOSTILE_TEXTS[k % len(HOSTILE_TEXTS) :] + HOSTILE_TEXTS[: k % len(HOSTILE_TEXTS)]
        row["labels"], row["alerts"], row["rules"] = texts[:3], texts[3:5], texts[5:6]
        want[row["id"]] = (texts[:3], texts[3:5], texts[5:6])
    shared.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    other = tmp_path / "other.db"
    cli("import", "-s", other, shared, "-q")
    got = riskgrade.Store(other).results(period).to_pylist()
    assert len(got) == len(want)
    for row in got:
        assert (row["labels"], row["alerts"], row["rules"]) == want[row["id"]], row["id"]
