"""`riskgrade.Store` reads the history store as frames, each compared with what the command
line prints for the same store (a store made by `riskgrade demo`).

The `riskgrade` binary (`cargo build -p riskgrade-cli`) is found through RISKGRADE_BIN or in the
workspace's target directory; without it these tests are skipped (test.sh builds it first).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
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
    # Lists are Arrow-backed (no array per row), each cell a Python list; repeated texts categorical.
    assert all(isinstance(results[c].dtype, pd.ArrowDtype) for c in ("labels", "alerts", "rules"))
    assert all(isinstance(x, list) for x in results["labels"]) and isinstance(results["labels"].iloc[0], list)
    assert (results["labels"].list.len() >= 0).all()
    assert all(isinstance(results[c].dtype, pd.CategoricalDtype) for c in ("industry", "district", "model", "status"))
    with pytest.raises(KeyError, match="1999-01") as missing:
        store.results("1999-01")
    assert missing.value.period == "1999-01" and missing.value.file == str(db)  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        store.results("not a month")


def test_decisions_and_audit_match_the_command_line(db: Path) -> None:
    store = riskgrade.Store(db)
    decisions = store.decisions()
    listed = cli("decide", "list", "-s", db)
    assert decisions.num_rows >= 1
    for d in decisions.to_pylist():
        assert f"#{d['id']} " in listed and d["reason"] in listed
    audit = store.audit()
    assert audit.num_rows == sum(1 for ln in listed.splitlines() if ln.strip()[:1].isdigit())


def _score_text(score: float | None) -> str:
    """A score as the command line prints it (`score_text`, crates/riskgrade-cli/src/ui.rs): rounded
    to 2 decimals, halves away from zero, then `format_number` (crates/riskgrade-core/src/frame):
    a whole number without decimals, else at most 2 decimals without trailing zeros."""
    if score is None:
        return "-"
    x = float(Decimal(score * 100.0).to_integral_value(ROUND_HALF_UP)) / 100.0
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def test_history_of_an_enterprise_in_no_period_is_a_key_error_as_the_command_line_refuses_it(db: Path) -> None:
    assert BIN is not None
    r = subprocess.run([str(BIN), "history", "-s", str(db), "--id", "NOBODY"], capture_output=True, text=True, check=False)
    assert r.returncode == 2 and "enterprise NOBODY is in none of the stored periods" in r.stderr
    with pytest.raises(KeyError, match="enterprise NOBODY is in none of the stored periods"):
        riskgrade.Store(db).history("NOBODY")


def test_history_is_what_the_command_line_prints(db: Path) -> None:
    """`Store.history` of every enterprise, line by line as `riskgrade history` prints it: per
    period the class, the score as printed, the class it was before, the manual decision that set
    it (from `Store.results`), or why it is absent or not graded; then each change as `kind:
    detail` (kinds from `Store.changes`); then the enterprise's decisions."""
    store = riskgrade.Store(db)
    periods = store.periods().to_pylist()
    results = {p["period"]: {r["id"]: r for r in store.results(p["period"]).to_pylist()} for p in periods}
    notes: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for p in periods:
        for n in store.changes(p["period"]).to_pylist():
            notes.setdefault((p["period"], n["id"]), []).append((n["kind"], n["detail"]))
    ids = sorted(set().union(*results.values()))
    assert len(ids) >= 300
    shown: Counter[str] = Counter()
    for id_ in ids:
        history = store.history(id_).to_pylist()
        assert [(h["period"], h["as_of"], h["model_version"]) for h in history] == [
            (p["period"], p["as_of"], p["model_version"]) for p in periods
        ]
        want = [f"{id_}: class month by month"]
        last: str | None = None
        for h in history:
            row = results[h["period"]].get(id_)
            if row is None:
                assert (h["class"], h["score"], h["error"], h["changes"]) == (None, None, None, []), (id_, h)
                want.append(f"{h['period']}  (not in this period)")
            elif h["class"] is not None:
                was = f"  (was {last})" if last is not None and last != h["class"] else ""
                decision = row["manual_decision"]
                manual = "" if decision is None else f"  [manual decision #{decision}]"
                want.append(f"{h['period']}  {h['class']}  score {_score_text(h['score'])}{was}{manual}")
                shown["moved"] += bool(was)
                shown["manual"] += bool(manual)
            else:
                want.append(f"{h['period']}  not graded: {h['error'] or ''}")
            changes = notes.get((h["period"], id_), [])
            assert [detail for _, detail in changes] == h["changes"], (id_, h["period"])
            want += [f"      {kind}: {detail}" for kind, detail in changes]
            shown["changes"] += len(changes)
            if row is not None and h["class"] is not None:
                last = h["class"]
        decisions = store.decisions(id_).to_pylist()
        if decisions:
            want.append("decisions:")
            for d in decisions:
                outcome = "" if d["outcome"] is None else f" -> {d['outcome']}"
                want.append(f"  {d['description']}{outcome}")
            shown["decisions"] += len(decisions)
        printed = cli("history", "-s", db, "--id", id_)
        assert printed.splitlines() == "\n".join(want).splitlines(), id_
    # What is compared holds every kind of line the command prints for a graded enterprise.
    assert min(shown["moved"], shown["manual"], shown["changes"], shown["decisions"]) > 0, shown


def test_changes_are_the_moves_the_command_line_lists(db: Path, tmp_path: Path) -> None:
    """`Store.changes` of each period against `riskgrade changes --moved` (every enterprise that
    changed class since the period before, with its reasons as `kind: detail | ...`), both ways;
    the rows of the others are the enterprises `riskgrade changes` counts as entered."""
    store = riskgrade.Store(db)
    periods = store.periods().column("period").to_pylist()
    assert store.changes(periods[0]).num_rows == 0
    compared = 0
    for before, period in zip(periods, periods[1:]):
        changes = store.changes(period)
        assert set(changes.column_names) == {"id", "from_class", "to_class", "kind", "detail"}
        was = {r["id"]: r["class"] for r in store.results(before).to_pylist()}
        now = {r["id"]: r["class"] for r in store.results(period).to_pylist()}
        by_id: dict[str, tuple[str | None, str | None, list[str]]] = {}
        for r in changes.to_pylist():
            from_class, to_class, reasons = by_id.setdefault(r["id"], (r["from_class"], r["to_class"], []))
            assert (r["from_class"], r["to_class"]) == (from_class, to_class), r
            assert (was.get(r["id"]), now.get(r["id"])) == (from_class, to_class), r
            reasons.append(f"{r['kind']}: {r['detail']}")
        moved_file = tmp_path / f"moved-{period}.jsonl"
        printed = cli("changes", "-s", db, "--from", before, "--to", period, "--top", "0", "--moved", moved_file)
        written = [json.loads(line) for line in moved_file.read_text(encoding="utf-8").splitlines()]
        moved = {m["id"]: (m["from_class"], m["to_class"], m["reasons"]) for m in written}
        assert len(moved) == len(written)
        ours = {id_: (f, t, " | ".join(rs)) for id_, (f, t, rs) in by_id.items() if f is not None}
        assert ours == moved, period
        entered = {id_ for id_, (f, t, _) in by_id.items() if f is None}
        assert all(by_id[id_][1] is not None for id_ in entered)
        counts = re.search(r"^(\d+) riskier, (\d+) less risky, (\d+) entered, (\d+) left$", printed, re.MULTILINE)
        assert counts is not None, printed
        assert int(counts[1]) + int(counts[2]) == len(ours) and int(counts[3]) == len(entered)
        compared += len(moved)
    assert compared > 0


def test_queues_are_what_the_command_line_prints(db: Path) -> None:
    """`Store.queue` of each period against `riskgrade queue` line by line: per department its
    enterprises and alerts per topic (and the labels given in the period), then each
    department's queue enterprise by enterprise: id, class, topics and labels, in order."""
    store = riskgrade.Store(db)
    items = 0
    for period in store.periods().column("period").to_pylist():
        queue = store.queue(period).to_pylist()
        departments = list(dict.fromkeys(r["department"] for r in queue))
        summary = [f"alerts of {period} by department:"]
        for department in departments:
            rows = [r for r in queue if r["department"] == department]
            topics = Counter(t for r in rows for t in r["topics"])
            alerts = ", ".join(f"{t} {n}" for t, n in sorted(topics.items()))
            summary.append(f"  {department}: {len(rows)} enterprise(s); {alerts}")
        labels = Counter(label for r in store.results(period).to_pylist() for label in r["labels"])
        if labels:
            summary.append("labels: " + ", ".join(f"{label} {n}" for label, n in sorted(labels.items())))
        # The listing ends with an empty line.
        assert cli("queue", "-s", db, "-p", period).rstrip("\n").splitlines() == summary
        for department in departments:
            only = store.queue(period, department).to_pylist()
            assert only == [r for r in queue if r["department"] == department]
            listed = [f"{department}: {len(only)} enterprise(s) in {period}"]
            for r in only:
                tags = f"  [{', '.join(r['labels'])}]" if r["labels"] else ""
                listed.append(f"  {r['id']} (class {r['class'] or '-'}): {', '.join(r['topics'])}{tags}")
            printed = cli("queue", "-s", db, "-p", period, "--department", department, "--top", "1000000")
            assert printed.splitlines() == listed
        assert len(departments) > 1
        items += len(queue)
    assert items > 0


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
    assert str(e.value) == (
        f"`{tmp_path / 'none.db'}`: no history store there; riskgrade.Store(path, writable=True) creates one"
    )
    assert not (tmp_path / "none.db").exists()
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
