"""The inspection half of the cycle and the manual decisions from Python: each `riskgrade.Store`
call is made on one copy of a store and the command line's equivalent on another, and the two
copies must then hold the same (draws, tasks, outcomes, evaluations, decisions, audit trail).

Like test_store.py, these need the `riskgrade` binary (test.sh builds it first).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

import riskgrade
from test_store import BIN, ROOT, cli

pytestmark = pytest.mark.skipif(BIN is None, reason="no riskgrade binary (see test_store.py)")

POOL = ROOT / "examples" / "inspectors" / "beijing-pool.csv"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert BIN is not None
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cycle") / "demo.db"
    cli("demo", "-n", "300", "--months", "3", "-q", "-s", path)
    return path


@pytest.fixture
def twins(demo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the demo store: one for Python, one for the command line."""
    ours, theirs = tmp_path / "python.db", tmp_path / "cli.db"
    shutil.copy(demo, ours)
    shutil.copy(demo, theirs)
    return ours, theirs


def last_period(store: riskgrade.Store) -> str:
    period: str = store.periods().column("period")[-1].as_py()
    return period


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_draw_from_python_is_the_draw_the_command_line_makes(twins: tuple[Path, Path], tmp_path: Path) -> None:
    ours, theirs = twins
    store = riskgrade.Store(ours, writable=True)
    period = last_period(store)
    number = store.draw(period, seed="2026-03 public seed", by="analyst")
    out = tmp_path / "tasks.csv"
    printed = cli("draw", "-s", theirs, "-p", period, "--pool", POOL, "--seed", "2026-03 public seed", "--by", "analyst", "-o", out)
    assert f"draw #{number}:" in printed
    tasks = store.tasks(number)
    assert isinstance(tasks, pa.Table) and tasks.num_rows > 0
    printed_tasks = read_csv(out)
    assert [int(r["task"]) for r in printed_tasks] == tasks.column("task").to_pylist()
    for row, task in zip(printed_tasks, tasks.to_pylist()):
        assert (row["enterprise"], row["class"], row["stratum"], row["why"]) == (
            task["enterprise"],
            task["class"],
            task["stratum"],
            task["why"],
        )
        assert row["inspectors"].split(";") == task["inspectors"]
        assert task["status"] == "open" and task["result"] is None
    ours_draws = store.draws().drop_columns(["recorded_at"])
    theirs_draws = riskgrade.Store(theirs).draws().drop_columns(["recorded_at"])
    assert ours_draws.equals(theirs_draws)
    # The embedded pool is the example pool file: the same digest either way.
    assert ours_draws.column("pool_digest")[-1] == theirs_draws.column("pool_digest")[-1]
    # The task's score is the enterprise's stored score of the period drawn from.
    scores = {r["id"]: r["score"] for r in store.results(period).to_pylist()}
    assert all(t["score"] == pytest.approx(scores[t["enterprise"]]) for t in tasks.to_pylist())


def test_a_pool_given_as_a_frame_is_read_as_the_pool_file_is(twins: tuple[Path, Path]) -> None:
    ours, theirs = twins
    import pyarrow.csv as pacsv

    pool = pacsv.read_csv(POOL)
    store = riskgrade.Store(ours, writable=True)
    period = last_period(store)
    a = store.draw(period, seed="s", pool=pool.to_pandas())
    b = riskgrade.Store(theirs, writable=True).draw(period, seed="s", pool=POOL)
    assert store.tasks(a).equals(riskgrade.Store(theirs).tasks(b))
    small = pool.slice(0, 1).to_pandas()
    small["capacity"] = 1
    draws = store.draws().num_rows
    with pytest.raises(riskgrade.DataError, match="short"):
        store.draw(period, seed="s", pool=small)
    assert store.draws().num_rows == draws, "a draw that cannot be made records nothing"
    bad = pool.to_pandas().astype({"capacity": object})
    bad.loc[3, "capacity"] = "many"
    with pytest.raises(riskgrade.DataError) as e:
        store.draw(period, seed="s", pool=bad)
    assert (e.value.row, e.value.column) == (3, "capacity") and "row 3," in str(e.value)


def test_a_verification_agrees_with_the_command_line(twins: tuple[Path, Path], tmp_path: Path) -> None:
    ours, _ = twins
    store = riskgrade.Store(ours, writable=True)
    number = store.draw(last_period(store), seed="verify me")
    v = riskgrade.Store(ours).verify(number)
    assert v.identical and bool(v) and v.inputs == [] and len(v.differences) == 0
    printed = cli("verify", "-s", ours, "--draw", str(number), "--pool", POOL)
    assert f"identical ({v.stored_tasks} tasks)" in printed
    # Another pool: the pool's digest differs, and the tasks whose inspectors change are listed.
    other = tmp_path / "other-pool.csv"
    lines = POOL.read_text(encoding="utf-8").splitlines()
    other.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    w = store.verify(number, pool=other)
    assert not w.identical and [i["input"] for i in w.inputs] == ["pool"]
    differences = tmp_path / "differences.csv"
    r = run("verify", "-s", ours, "--draw", str(number), "--pool", other, "--differences", differences)
    assert r.returncode == 7, r.stderr
    if w.differences.num_rows:
        listed = read_csv(differences)
        assert [int(x["task"]) for x in listed] == w.differences.column("task").to_pylist()
        assert [x["again_inspectors"] for x in listed] == w.differences.column("again_inspectors").to_pylist()
    assert f"{w.stored_tasks} stored" in r.stderr
    with pytest.raises(KeyError) as e:
        store.verify(999)
    assert e.value.draw == 999  # type: ignore[attr-defined]


def test_outcomes_from_python_close_the_tasks_the_command_line_closes(twins: tuple[Path, Path], tmp_path: Path) -> None:
    ours, theirs = twins
    store = riskgrade.Store(ours, writable=True)
    period = last_period(store)
    number = store.draw(period, seed="outcomes")
    assert riskgrade.Store(theirs, writable=True).draw(period, seed="outcomes", pool=POOL) == number
    tasks = store.tasks(number).to_pylist()[:12]
    english = ["problem", "no_problem", "not_reachable", "refused"]
    chinese = {"problem": "发现问题", "no_problem": "未发现问题", "not_reachable": "无法联系", "refused": "拒绝检查"}
    results = [english[i % 4] for i in range(len(tasks))]
    import pandas as pd

    frame = pd.DataFrame(
        {
            "enterprise": [t["enterprise"] for t in tasks],
            "date": pd.to_datetime(["2026-03-10"] * len(tasks)),
            "result": [chinese[r] if i % 2 else r for i, r in enumerate(results)],
            "severity": ["serious" if r == "problem" else None for r in results],
        }
    )
    done = store.record_outcomes(number, frame, by="inspector 7")
    assert (done.closed, done.still_open) == (len(tasks), store.tasks(number).num_rows - len(tasks))
    file = tmp_path / "outcomes.csv"
    with file.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["enterprise", "date", "result", "severity"])
        for t, r in zip(tasks, results):
            w.writerow([t["enterprise"], "2026-03-10", r, "serious" if r == "problem" else ""])
    printed = cli("outcomes", "-s", theirs, "--draw", str(number), "--by", "inspector 7", file)
    assert f"{len(tasks)} task(s) of draw #{number} closed; {done.still_open} still open" in printed
    assert store.tasks(number).equals(riskgrade.Store(theirs).tasks(number))
    ours_audit = store.audit().drop_columns(["at"])
    theirs_audit = riskgrade.Store(theirs).audit().drop_columns(["at"])
    assert ours_audit.equals(theirs_audit)
    for random_only in (False, True):
        e = store.evaluate(number, random_only=random_only, output="pandas")
        args = ["evaluate", "-s", theirs, "--draw", str(number)] + (["--random-only"] if random_only else [])
        assert str(e).strip() in cli(*args)
        assert e.inspected == int(e.classes["inspected"].sum())
        assert e.problems == int(e.classes["problems"].sum())
    e = store.evaluate(number)
    assert len(repr(e)) < 200 and "<table>" in e._repr_html_()
    # Not reachable and refused count as problems found, as `riskgrade evaluate` counts them.
    assert e.problems == sum(r != "no_problem" for r in results)


@pytest.mark.parametrize(
    ("change", "column", "row"),
    [
        ({"result": "maybe"}, "result", 1),
        ({"result": None}, "result", 1),
        ({"date": "10 March"}, "date", 1),
        ({"enterprise": ""}, "enterprise", 1),
        ({"enterprise": "NOT-DRAWN"}, "enterprise", 1),
    ],
)
def test_a_bad_outcome_names_its_row_and_nothing_is_recorded(
    twins: tuple[Path, Path], change: dict[str, object], column: str, row: int
) -> None:
    ours, _ = twins
    store = riskgrade.Store(ours, writable=True)
    number = store.draw(last_period(store), seed="bad outcomes")
    ids = store.tasks(number).column("enterprise").to_pylist()[:3]
    rows: list[dict[str, object]] = [{"enterprise": i, "date": "2026-03-10", "result": "no_problem"} for i in ids]
    rows[row].update(change)
    with pytest.raises(riskgrade.DataError) as e:
        store.record_outcomes(number, rows)
    assert (e.value.row, e.value.column) == (row, column)
    assert f"row {row}" in str(e.value)
    assert store.tasks(number).column("status").to_pylist().count("closed") == 0


def test_outcome_calls_refuse_what_they_cannot_do(twins: tuple[Path, Path]) -> None:
    ours, _ = twins
    with pytest.raises(ValueError, match="read-only"):
        riskgrade.Store(ours).record_outcomes(1, [{"enterprise": "x", "date": "2026-01-05", "result": "problem"}])
    store = riskgrade.Store(ours, writable=True)
    with pytest.raises(riskgrade.DataError) as e:
        store.record_outcomes(1, [{"enterprise": "x", "date": "2026-01-05"}])
    assert e.value.column == "result"
    with pytest.raises(KeyError):
        store.record_outcomes(999, [{"enterprise": "x", "date": "2026-01-05", "result": "problem"}])
    with pytest.raises(KeyError):
        store.tasks(999)
    with pytest.raises(KeyError):
        store.evaluate(999)
    with pytest.raises(ValueError, match="commitment"):
        store.draw(seed="s")


def test_a_commitment_then_a_draw_under_it_match_the_command_line(twins: tuple[Path, Path]) -> None:
    ours, theirs = twins
    store = riskgrade.Store(ours, writable=True)
    period = last_period(store)
    c = store.commit(period, plan="henan-2021")
    printed = cli("draw", "commit", "-s", theirs, "-p", period, "--plan", "henan-2021", "--pool", POOL)
    assert f"commitment #{c.number} " in printed and c.digest in printed
    assert set(c.digests) == {"plan", "candidates", "pool", "history"}
    number = store.draw(commitment=c, seed="after the commitment")
    cli("draw", "-s", theirs, "--commitment", str(c.number), "--pool", POOL, "--seed", "after the commitment")
    assert store.tasks(number).equals(riskgrade.Store(theirs).tasks(number))
    assert store.draws().column("commitment")[-1].as_py() == c.number
    with pytest.raises(riskgrade.DataError, match="drawn already"):
        store.draw(commitment=c.number, seed="again")
    with pytest.raises(KeyError):
        store.draw(commitment=999, seed="s")
    with pytest.raises(ValueError, match="embedded plan"):
        store.commit(period, plan="no-such-plan")


def test_decisions_from_python_are_those_the_command_line_records(twins: tuple[Path, Path]) -> None:
    ours, theirs = twins
    store = riskgrade.Store(ours, writable=True)
    ids = store.results(last_period(store)).column("id").to_pylist()
    a, b = ids[0], ids[1]
    n1 = store.override(a, "C", effective="2026-03-01", until="2026-12-31", by="chief", reason="site visit")
    cli("decide", "override", "-s", theirs, "--id", a, "--class", "C", "--from", "2026-03-01", "--until", "2026-12-31", "--by", "chief", "--reason", "site visit")
    n2 = store.repair(b, record="penalty", record_date="2025-06-01", repaired="2026-03-01", by="chief", reason="rectified")
    cli("decide", "repair", "-s", theirs, "--id", b, "--record", "penalty", "--record-date", "2025-06-01", "--repaired", "2026-03-01", "--by", "chief", "--reason", "rectified")
    n3 = store.objection(a, "2026-02", filed="2026-03-05", by="the enterprise", reason="wrong penalty")
    cli("decide", "objection", "-s", theirs, "--id", a, "--period", "2026-02", "--filed", "2026-03-05", "--by", "the enterprise", "--reason", "wrong penalty")
    n4 = store.resolve(n3, "upheld", class_="B", effective="2026-03-10", by="chief", note="penalty was annulled")
    cli("decide", "resolve", "-s", theirs, "--decision", str(n3), "--outcome", "upheld", "--class", "B", "--from", "2026-03-10", "--by", "chief", "--note", "penalty was annulled")
    store.revoke(n2, by="chief", why="repair entered by mistake")
    cli("decide", "revoke", "-s", theirs, "--decision", str(n2), "--by", "chief", "--why", "repair entered by mistake")
    assert n4 is not None and n1 < n2 < n3 < n4
    assert store.decisions().equals(riskgrade.Store(theirs).decisions())
    assert store.audit().drop_columns(["at"]).equals(riskgrade.Store(theirs).audit().drop_columns(["at"]))
    listed = cli("decide", "list", "-s", ours)
    for d in store.decisions(a).to_pylist():
        assert f"#{d['id']} " in listed
    objection = riskgrade.Store(ours).decisions(a, output="pandas").set_index("id").loc[n3]
    assert objection["status"] == "upheld"


def test_decisions_are_refused_as_the_command_line_refuses_them(twins: tuple[Path, Path]) -> None:
    ours, _ = twins
    with pytest.raises(ValueError, match="read-only"):
        riskgrade.Store(ours).override("E1", "C", effective="2026-03-01", by="x", reason="y")
    store = riskgrade.Store(ours, writable=True)
    before = store.decisions().num_rows
    with pytest.raises(ValueError, match="not a record kind"):
        store.repair("E1", record="parking_ticket", record_date="2025-01-01", repaired="2026-01-01", by="x", reason="y")
    with pytest.raises(riskgrade.DataError, match="before the record"):
        store.repair("E1", record="penalty", record_date="2026-01-01", repaired="2025-01-01", by="x", reason="y")
    with pytest.raises(riskgrade.DataError, match="reason"):
        store.override("E1", "C", effective="2026-03-01", by="x", reason="")
    with pytest.raises(riskgrade.DataError, match="until"):
        store.override("E1", "C", effective="2026-03-01", until="2026-01-01", by="x", reason="y")
    with pytest.raises(riskgrade.DataError, match="as_of|date"):
        store.override("E1", "C", effective="March", by="x", reason="y")
    with pytest.raises(KeyError) as e:
        store.revoke(999, by="x", why="y")
    assert e.value.decision == 999  # type: ignore[attr-defined]
    n = store.override("E1", "C", effective="2026-03-01", by="x", reason="y")
    with pytest.raises(riskgrade.DataError, match="only an open objection"):
        store.resolve(n, "rejected", by="x", note="y")
    o = store.objection("E1", "2026-02", filed="2026-03-05", by="x", reason="y")
    with pytest.raises(ValueError, match="upheld"):
        store.resolve(o, "rejected", class_="B", by="x", note="y")
    with pytest.raises(ValueError, match="effective"):
        store.resolve(o, "upheld", class_="B", by="x", note="y")
    with pytest.raises(ValueError, match="'upheld' or 'rejected'"):
        store.resolve(o, "maybe", by="x", note="y")  # type: ignore[arg-type]
    assert store.resolve(o, "rejected", by="x", note="y") is None
    store.revoke(n, by="x", why="y")
    with pytest.raises(riskgrade.DataError, match="only an active"):
        store.revoke(n, by="x", why="y")
    assert store.decisions().num_rows == before + 2


def test_outcomes_may_come_as_polars_or_a_mapping_of_columns(twins: tuple[Path, Path]) -> None:
    import polars as pl

    ours, _ = twins
    store = riskgrade.Store(ours, writable=True)
    number = store.draw(last_period(store), seed="polars")
    ids = store.tasks(number).column("enterprise").to_pylist()[:4]
    import datetime as dt

    frame = pl.DataFrame({"enterprise": ids[:2], "date": [dt.date(2026, 3, 10)] * 2, "result": ["问题", "无法联系"]})
    with pytest.raises(riskgrade.DataError) as e:
        store.record_outcomes(number, frame)  # 问题 alone is not a result
    assert (e.value.row, e.value.column, e.value.value) == (0, "result", "问题")
    done = store.record_outcomes(number, frame.with_columns(pl.lit("发现问题").alias("result")))
    assert done.closed == 2
    done = store.record_outcomes(number, {"enterprise": ids[2:], "date": ["2026-03-11"] * 2, "result": ["refused", "no_problem"]})
    assert done.closed == 2
    closed = [t for t in store.tasks(number).to_pylist() if t["status"] == "closed"]
    assert [(t["enterprise"], t["result"], t["inspected_on"]) for t in closed] == [
        (ids[0], "problem", "2026-03-10"),
        (ids[1], "problem", "2026-03-10"),
        (ids[2], "refused", "2026-03-11"),
        (ids[3], "no_problem", "2026-03-11"),
    ]


def test_a_drawn_period_is_replaced_only_when_asked_as_on_the_command_line(twins: tuple[Path, Path], tmp_path: Path) -> None:
    import json

    ours, theirs = twins
    store = riskgrade.Store(ours, writable=True)
    period = store.draws().column("period")[0].as_py()
    profiles = riskgrade.synthesize(50, seed=9, as_of=f"{period}-28", profiles=True)
    data = tmp_path / "profiles.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in profiles), encoding="utf-8")
    refused = run("run", "-q", "-s", theirs, "-p", period, "-d", data)
    assert refused.returncode != 0 and "--replace" in refused.stderr
    before = store.results(period)
    with pytest.raises(riskgrade.DataError, match="replace"):
        store.run_month(riskgrade.Model.reference(), profiles, period)
    assert store.results(period).equals(before), "a refused run keeps the stored period"
    cli("run", "-q", "-s", theirs, "-p", period, "-d", data, "--replace")
    run_ = store.run_month(riskgrade.Model.reference(), profiles, period, replace=True)
    assert run_.enterprises == 50
    mine = store.results(period).drop_columns(["manual_decision"])
    assert mine.equals(riskgrade.Store(theirs).results(period).drop_columns(["manual_decision"]))
