"""The public API: loading and inspecting models, classifying every kind of frame,
explanations, rule tests, comparisons, pickling, the exception tree, the GIL and Ctrl-C."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import riskgrade
from conftest import AS_OF, PROFILES, make_table

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "models"


def test_the_reference_model_can_be_inspected(model: riskgrade.Model) -> None:
    assert len(model.version_id) == 16 and int(model.version_id, 16) >= 0
    assert model.models == ["general", "food", "special_equipment"]
    special = model.indicators("special_equipment")
    assert len(special) == 16 and sum(i.weight for i in special) == pytest.approx(1.0)
    general = model.indicators("general")
    assert len(general) == 72
    assert sum(i.weight for i in general) == pytest.approx(1.0)
    assert {i.dimension for i in general} == {"basic", "dynamic", "supervision", "relationships", "social"}
    food = model.indicators("food")
    assert any(i.component == "general" for i in food)
    assert [c.name for c in model.classes("general")] == ["A", "B", "C", "D"]
    rules = {r.id: r for r in model.rules}
    assert len(rules) >= 12
    assert rules["veto_dishonest_list"].stage == "before"
    assert rules["veto_dishonest_list"].when == "dishonest_listed"
    assert "dishonest_listed" in {i.name for i in model.inputs}
    with pytest.raises(KeyError, match="no model 'nope'"):
        model.indicators("nope")
    assert "general" in repr(model)


def test_a_file_loads_with_the_same_version_as_the_embedded_set(model: riskgrade.Model) -> None:
    from_file = riskgrade.Model.from_path(EXAMPLES / "reference.toml")
    assert from_file.version_id == model.version_id
    assert riskgrade.validate(EXAMPLES / "general.toml").models == ["general"]
    text = (EXAMPLES / "general.toml").read_text()
    assert riskgrade.Model.from_toml(text).version_id == riskgrade.validate(text).version_id


def test_model_errors_carry_their_position(tmp_path: Path) -> None:
    with pytest.raises(riskgrade.ModelError) as e:
        riskgrade.Model.from_toml('id = "m"\n[scale]\nmin = 0\nmaxx = 10\n')
    assert e.value.line == 4 and e.value.column == 1
    assert "maxx" in str(e.value)
    assert isinstance(e.value, riskgrade.RiskgradeError)

    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    rules = tmp_path / "reference_rules.toml"
    text = rules.read_text()
    assert "${complaints_1y} complaints in a year" in text
    rules.write_text(text.replace("${complaints_1y} complaints in a year", "${complaint_1y} complaints in a year"))
    line = 1 + rules.read_text().split("\n").index(
        next(ln for ln in rules.read_text().split("\n") if "complaint_1y} complaints in a year" in ln)
    )
    with pytest.raises(riskgrade.RuleCompileError) as r:
        riskgrade.Model.from_path(tmp_path / "reference.toml")
    err = r.value
    assert err.rule_id == "complaint_surge"
    assert err.line == line
    assert err.column is not None and err.column > 1
    assert "did you mean `complaints_1y`?" in str(err)
    assert isinstance(err, riskgrade.ModelError)


def test_classify_a_pyarrow_table(model: riskgrade.Model, table: pa.Table) -> None:
    out = model.classify(table, as_of=AS_OF)
    assert isinstance(out, pa.Table)
    assert out.num_rows == table.num_rows
    assert out.column("id").to_pylist() == table.column("id").to_pylist()
    names = out.column_names
    assert names[:15] == [
        "id", "industry", "model", "score", "class", "class_label", "reasons",
        "score_before_rules", "labels", "alerts", "rules", "status", "error",
        "model_version", "as_of",
    ]
    assert any(n.startswith("dim:general:") for n in names)
    classes = out.column("class").to_pylist()
    status = out.column("status").to_pylist()
    assert set(status) <= {"graded", "error"}
    for c, s in zip(classes, status):
        assert (c in {"A", "B", "C", "D"}) == (s == "graded")
    assert "D" in classes and "A" in classes
    # Labels, alerts and rule ids are lists of texts (results schema 3), never joined text.
    for name in ("labels", "alerts", "rules"):
        field = out.schema.field(name)
        assert pa.types.is_list(field.type) and pa.types.is_string(field.type.value_type), field
    # Rules acted: vetoes on the listed enterprises, labels and alerts.
    listed = table.column("dishonest_listed").to_pylist()
    for i, flag in enumerate(listed):
        if flag and status[i] == "graded":
            assert classes[i] == "D"
            assert "veto_dishonest_list" in out.column("rules")[i].as_py()
    assert out.column("model_version").to_pylist()[0] == model.version_id
    # Deterministic.
    assert model.classify(table, as_of=AS_OF).equals(out)


def test_each_kind_of_frame_comes_back_as_its_kind(model: riskgrade.Model, table: pa.Table) -> None:
    expected = model.classify(table, as_of=AS_OF)
    df = table.to_pandas()
    out = model.classify(df, as_of=AS_OF)
    assert isinstance(out, pd.DataFrame)
    # pandas gets `class` as an ordered categorical and flags as nullable booleans;
    # otherwise the same frame.
    assert out["class"].cat.ordered
    assert out["insufficient"].dtype == pd.BooleanDtype()
    plain = expected.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    pd.testing.assert_frame_equal(out.astype({"class": object}), plain.astype({"class": object}))

    pdf = pl.from_arrow(table)
    assert isinstance(pdf, pl.DataFrame)
    pout = model.classify(pdf, as_of=AS_OF)
    assert isinstance(pout, pl.DataFrame)
    assert pout.to_arrow().equals(pl.from_arrow(expected).to_arrow())

    batch = table.combine_chunks().to_batches()[0]
    bout = model.classify(batch, as_of=AS_OF)
    assert isinstance(bout, pa.RecordBatch)
    assert pa.Table.from_batches([bout]).equals(expected.combine_chunks())

    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=500))
    sout = model.classify(reader, as_of=AS_OF)
    assert isinstance(sout, pa.Table)
    assert sout.equals(expected)

    assert isinstance(model.classify(df, as_of=AS_OF, output="arrow"), pa.Table)
    assert isinstance(model.classify(table, as_of=AS_OF, output="pandas"), pd.DataFrame)
    import datetime

    assert model.classify(table, as_of=datetime.date(2026, 11, 1)).equals(expected)


def test_profiles_as_dicts_json_or_lines(model: riskgrade.Model) -> None:
    out = model.classify(PROFILES, as_of=AS_OF)
    assert out.column("id").to_pylist() == ["P1", "P2", "P3"]
    rows = {r["id"]: r for r in out.to_pylist()}
    assert rows["P1"]["class"] == "D"
    assert rows["P1"]["labels"] == ["重点监管"]
    assert any("credit_veto" in a for a in rows["P1"]["alerts"])
    # The food producer's alert goes to the department named on its licence.
    assert any("Haidian Market Regulation Bureau" in a for a in rows["P2"]["alerts"])
    assert rows["P2"]["class"] in {"C", "D"}
    assert rows["P3"]["status"] == "graded"
    assert model.classify(json.dumps(PROFILES), as_of=AS_OF).equals(out)
    lines = "\n".join(json.dumps(p) for p in PROFILES)
    assert model.classify(lines, as_of=AS_OF).equals(out)
    assert model.classify(PROFILES[0], as_of=AS_OF).column("class").to_pylist() == ["D"]


def test_text_that_cannot_be_profile_json_is_refused_not_one_error_row(model: riskgrade.Model, tmp_path: Path) -> None:
    # A file's path, as pandas users pass one, is not read as one unreadable profile.
    path = tmp_path / "batch.csv"
    path.write_text("id,industry\nE1,C14\n", encoding="utf-8")
    for text in (str(path), "id,industry\nE1,C14\n", str(path).encode()):
        with pytest.raises(riskgrade.DataError, match="read it first") as e:
            model.classify(text, as_of=AS_OF)
        assert repr(text[:10] if isinstance(text, str) else text[:10].decode())[1:-1] in str(e.value)
        with pytest.raises(riskgrade.DataError, match="read it first"):
            model.explain(text, as_of=AS_OF, id="E1")
    # Profile JSON with a byte-order mark or leading space, and empty text, are still read.
    lines = "\n".join(json.dumps(p) for p in PROFILES)
    out = model.classify(lines, as_of=AS_OF)
    assert out.column("status").to_pylist() == ["graded"] * len(PROFILES)
    assert model.classify("\ufeff \n" + lines, as_of=AS_OF).equals(out)
    assert model.classify(b"  " + lines.encode(), as_of=AS_OF).equals(out)
    assert model.classify("", as_of=AS_OF).num_rows == 0


def test_a_bad_row_is_reported_and_the_others_graded(model: riskgrade.Model, table: pa.Table) -> None:
    df = table.slice(0, 20).to_pandas()
    df["penalties_3y"] = df["penalties_3y"].astype("float64")
    df.loc[3, "penalties_3y"] = -2.0
    out = model.classify(df, as_of=AS_OF)
    assert out.loc[3, "status"] == "error"
    assert "negative count -2" in out.loc[3, "error"]
    assert (out.drop(index=3)["status"] == "graded").all()
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(df, as_of=AS_OF, strict=True)
    assert e.value.row == 3 and e.value.column == "penalties_3y"

    bad_profiles = "\n".join([json.dumps(PROFILES[0]), '{"id": "X", "industry": "F5211", "recrods": []}', json.dumps(PROFILES[2])])
    out = model.classify(bad_profiles, as_of=AS_OF)
    # In the input's order: the profile that could not be read stands where it was given.
    assert out.column("status").to_pylist() == ["graded", "error", "graded"]
    assert out.column("id").to_pylist() == [PROFILES[0]["id"], "X", PROFILES[2]["id"]]
    assert "recrods" in out.column("error")[1].as_py()


def test_data_errors_name_the_column(model: riskgrade.Model, table: pa.Table) -> None:
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(table.drop_columns(["complaints_1y"]), as_of=AS_OF)
    assert e.value.column == "complaints_1y"
    assert "complaints_1y" in str(e.value)
    with pytest.raises(riskgrade.DataError) as d:
        model.classify(table, as_of="2026-13-01")
    assert d.value.column == "as_of"
    with pytest.raises(ValueError, match="fail-row, skip-rule or abort"):
        model.classify(table, as_of=AS_OF, on_rule_error="explode")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot grade a builtins.int"):
        model.classify(42, as_of=AS_OF)
    with pytest.raises(KeyError, match="no-such-id"):
        model.explain(table, AS_OF, "no-such-id")


def test_explain_one_enterprise(model: riskgrade.Model) -> None:
    ex = model.explain(PROFILES, AS_OF, "P1")
    assert isinstance(ex, riskgrade.Explanation)
    assert ex.class_ == "D" and ex.model == "general"
    assert any("veto_dishonest_list" in r and "decides the class" in r for r in ex.rules)
    assert ex.labels == ["重点监管"]
    assert len(ex.indicators) == 72
    assert sum(i["contribution"] for i in ex.indicators) == pytest.approx(ex.base_score)
    assert "rules:" in str(ex) and "enterprise `P1`" in str(ex)


def test_rule_tests_run_from_python(model: riskgrade.Model, tmp_path: Path) -> None:
    results = model.test_rules(EXAMPLES / "reference_rules.tests.toml")
    assert len(results) >= 20 and all(r.passed for r in results), [str(r) for r in results if not r.passed]
    failing = textwrap.dedent(
        """
        as_of = "2026-11-01"
        [[case]]
        name = "wrong on purpose"
        inputs = { dishonest_listed = true }
        expect = { class = "A" }
        """
    )
    (r,) = model.test_rules(failing)
    assert not r.passed
    # Inputs a case does not give are missing: a note says the enterprise is below the minimum evidence.
    assert r.failures[0] == "class: expected A, got D"
    assert r.failures[1:] == [f for f in r.failures[1:] if f.startswith("note: insufficient information: ")]
    assert "FAIL  wrong on purpose" in str(r)


def test_compare_shows_what_the_rules_move(model: riskgrade.Model, table: pa.Table) -> None:
    c = riskgrade.compare(table, AS_OF, before=model, before_rules=False)
    assert c.total == table.num_rows
    assert c.classes == ["A", "B", "C", "D"]
    m = c.matrix()
    assert m.loc[["A", "B", "C"], "D"].sum() > 0  # vetoes move enterprises to D
    assert int(m.values.sum()) == table.num_rows
    moved = sum(c.counts[i][j] for i in range(5) for j in range(5) if i != j)
    assert len(c.movers) == moved
    assert set(c.movers.column_names) >= {"id", "class_before", "class_after", "rules_only_after"}
    into_d = [r for r in c.movers.to_pylist() if r["class_after"] == "D"]
    assert into_d and any("veto" in r["rules_only_after"] for r in into_d)
    assert all(r["rules_only_after"] for r in into_d), "every move into D has a rule behind it"
    assert "class migration" in str(c)
    # The same model with its rules on both sides moves nothing.
    same = riskgrade.compare(table.to_pandas(), AS_OF, before=model)
    assert len(same.movers) == 0 and isinstance(same.movers, pd.DataFrame)


def test_models_pickle_and_round_trip(model: riskgrade.Model, table: pa.Table) -> None:
    back = pickle.loads(pickle.dumps(model))
    assert back == model and back.version_id == model.version_id
    assert back.classify(table, as_of=AS_OF).equals(model.classify(table, as_of=AS_OF))
    assert riskgrade.Model.from_json(model.to_json()).version_id == model.version_id
    assert riskgrade.Model.from_toml(riskgrade.Model.from_path(EXAMPLES / "general.toml").to_toml()).models == ["general"]


def test_result_schema_matches_the_results(model: riskgrade.Model, table: pa.Table) -> None:
    assert model.result_schema() == model.classify(table, as_of=AS_OF).schema
    assert "contrib:general:supervision.lists.dishonest" in model.result_schema(contributions=True).names


def test_the_gil_is_released_while_grading(model: riskgrade.Model) -> None:
    big = make_table(model, 2000)
    big = pa.concat_tables([big] * 100)  # 200,000 rows
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.05)
    before = ticks
    model.classify(big, as_of=AS_OF, reasons=False)
    during = ticks - before
    stop.set()
    t.join()
    # With the GIL held for the whole batch the other thread could not have run at all.
    assert during > 10_000, during


def test_ctrl_c_stops_a_long_batch(tmp_path: Path) -> None:
    script = tmp_path / "long.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            import pyarrow as pa, riskgrade
            from conftest import make_table
            model = riskgrade.Model.reference()
            big = pa.concat_tables([make_table(model, 2000)] * 1000)  # 2,000,000 rows
            print("ready", flush=True)
            try:
                for _ in range(20):
                    model.classify(big, as_of="2026-11-01")
                print("finished", flush=True)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(3)
            """
        )
    )
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 3, (out, err)
    assert "interrupted" in out and "finished" not in out


def test_compare_with_outcomes_is_a_champion_challenger_report(model: riskgrade.Model, table: pa.Table) -> None:
    rows = riskgrade.synthesize(3000, seed=11).to_pylist()[::5]  # the table's enterprises, with their hidden risk
    frame = pd.DataFrame({"enterprise": [r["id"] for r in rows], "problem": [r["true_propensity"] > 0.3 for r in rows]})
    c = riskgrade.compare(table, AS_OF, before=model, after=model, after_rules=False, outcomes=frame)
    assert c.outcomes is not None
    assert c.outcomes["matched"] == len(rows) and c.outcomes["unmatched"] == 0
    champion, challenger = c.outcomes["champion"], c.outcomes["challenger"]
    assert champion["inspected"] == challenger["inspected"] == len(rows)
    assert champion["problems"] == int(frame["problem"].sum())
    assert 0.5 < champion["auc"] <= 1.0 and c.outcomes["class_psi"] >= 0.0
    rates = c.detection_rates()
    assert list(rates.index) == ["A", "B", "C", "D"]
    assert int(rates[("champion", "inspected")].sum()) == len(rows)
    assert "champion → challenger: AUC" in str(c)
    # A mapping works too, and a result column instead of problem.
    as_dict = dict(zip(frame["enterprise"], frame["problem"]))
    assert riskgrade.compare(table, AS_OF, before=model, outcomes=as_dict).outcomes["matched"] == len(rows)  # type: ignore[index]
    results = pa.table({"enterprise": frame["enterprise"], "result": ["problem" if p else "no_problem" for p in frame["problem"]]})
    by_result = riskgrade.compare(table, AS_OF, before=model, outcomes=results)
    assert by_result.outcomes is not None and by_result.outcomes["champion"]["problems"] == champion["problems"]
    with pytest.raises(ValueError, match="enterprise"):
        riskgrade.compare(table, AS_OF, before=model, outcomes=pd.DataFrame({"id": ["x"]}))
    # Without outcomes there is nothing to tabulate.
    with pytest.raises(ValueError, match="no outcomes"):
        riskgrade.compare(table, AS_OF, before=model).detection_rates()


def test_calibrate_sets_weights_and_the_challenger_is_compared(model: riskgrade.Model, table: pa.Table) -> None:
    truth = riskgrade.synthesize(3000, seed=11).to_pylist()
    inspected = {r["id"]: r["true_propensity"] > 0.25 for r in truth[::3]}
    cal = riskgrade.calibrate(table, AS_OF, model=model, method="logistic", outcomes=inspected, holdout=0.3)
    assert cal.model.version_id != model.version_id
    w = cal.weights  # the general model's 72 leaves
    assert len(w) == 72 and w.index[0].startswith("basic.")
    assert abs(w["before"].sum() - 1.0) < 1e-9 and abs(w["after"].sum() - 1.0) < 1e-9
    assert (w["after"] >= 0).all()
    methods = [p["method"] for p in cal.provenance]
    assert methods == ["logistic", "cutoffs-shares"]
    assert cal.provenance[0]["derived_from"] == model.version_id
    assert "auc_after" in cal.provenance[0]["metrics"]
    assert "on the held-out inspections" in str(cal)
    # The challenger against the champion, on the same outcomes.
    report = riskgrade.compare(table, AS_OF, before=model, after=cal.model, outcomes=inspected)
    assert report.outcomes is not None and report.outcomes["matched"] > 0
    # Entropy below one node changes only that subtree; it needs no outcomes.
    ent = riskgrade.calibrate(table.to_pandas(), AS_OF, model=model, method="entropy", under="supervision.penalties")
    moved = ent.weights[(ent.weights["after"] - ent.weights["before"]).abs() > 1e-12]
    assert len(moved) > 0 and all(p.startswith("supervision.penalties.") for p in moved.index)
    # Profiles (nested records) work too.
    profiles = riskgrade.synthesize(400, seed=5, profiles=True)
    crit = riskgrade.calibrate(profiles, AS_OF, model=model, method="critic", expert_share=0.5)
    assert crit.provenance[0]["method"] == "critic" and crit.provenance[0]["parameters"]["expert_share"] == 0.5
    assert abs(crit.weights["after"].sum() - 1.0) < 1e-9
    # Bad requests say what to change.
    with pytest.raises(ValueError, match="needs outcomes"):
        riskgrade.calibrate(table, AS_OF, model=model, method="logistic")
    with pytest.raises(ValueError, match="not known"):
        riskgrade.calibrate(table, AS_OF, model=model, method="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="did you mean"):
        riskgrade.calibrate(table, AS_OF, model=model, method="critic", under="supervision.penalty")
