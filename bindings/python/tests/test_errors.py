"""Every error reaches Python as its own exception with its structured attributes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import riskgrade
from conftest import AS_OF, PROFILES

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "models"

RUNTIME_RULE = '''
[[rule]]
id = "fails_at_run_time"
description = "Reads past the end of an array"
stage = "after"
priority = 1
script = """
let a = [1, 2];
let b = a[5] + 1;
"""
'''


def test_an_invalid_model_keeps_its_model_and_path() -> None:
    text = (EXAMPLES / "general.toml").read_text()
    before = 'path = "basic"\nweight = 0.1\n'
    assert before in text
    broken = text.replace(before, 'path = "basic"\nweight = 0.3\n', 1)
    with pytest.raises(riskgrade.ModelError) as e:
        riskgrade.Model.from_toml(broken)
    assert not isinstance(e.value, riskgrade.RuleCompileError)
    assert e.value.model == "general"
    assert e.value.path is not None
    assert e.value.path in str(e.value) or "(top level)" in str(e.value)
    # From text: no file, and the line of the top level's first weight, the one that was changed.
    changed = broken[: broken.index('path = "basic"\nweight = 0.3')].count("\n") + 2
    assert (e.value.file, e.value.line, e.value.column) == (None, changed, 1)
    assert str(e.value).startswith(f"bad model: line {changed}, column 1: model `general`")


def test_a_model_that_makes_no_sense_is_placed_in_its_file(tmp_path: Path) -> None:
    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    food = tmp_path / "food_production.toml"
    text = food.read_text(encoding="utf-8")
    assert text.count("edges = [") > 1
    at = text.index("edges = [")
    end = text.index("]", at)
    broken = text[:at] + "edges = [3, 2, 1" + text[end:]
    food.write_text(broken, encoding="utf-8")
    with pytest.raises(riskgrade.ModelError) as e:
        riskgrade.Model.from_path(tmp_path / "reference.toml")
    err = e.value
    line_start = broken.rindex("\n", 0, broken.rindex("score = ", 0, at)) + 1
    assert err.file == str(food) and err.model == "food", (err.file, err.model)
    assert err.line == broken[:line_start].count("\n") + 1 and err.column == 1, (err.line, err.column)
    assert f"{food}:{err.line}:1: model `food`" in str(err)
    assert err.path is not None and err.path in str(err)


def test_a_bad_when_names_its_rule_file_and_line(tmp_path: Path) -> None:
    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    rules = tmp_path / "reference_rules.toml"
    text = rules.read_text(encoding="utf-8")
    good = 'when = "abnormal_entries_3y >= 2"'
    assert good in text
    rules.write_text(text.replace(good, 'when = "abnormal_entries_3y = 2"'), encoding="utf-8")
    with pytest.raises(riskgrade.RuleCompileError) as e:
        riskgrade.Model.from_path(tmp_path / "reference.toml")
    err = e.value
    assert err.rule_id == "repeated_abnormal_listing"
    assert err.file == str(rules)
    assert err.line == text[: text.index(good)].count("\n") + 1
    assert err.column == 21, err.column  # the `=` in the condition, as the caret shows
    assert f"({rules}:{err.line}): in `when`, column 21" in str(err)
    # A rule error has no model path: it reads as None rather than raising AttributeError.
    assert err.model is None and err.path is None


def test_every_declared_attribute_reads_as_none_when_not_set() -> None:
    declared = {
        riskgrade.ModelError: ["file", "line", "column", "model", "path"],
        riskgrade.RuleCompileError: ["rule_id", "file", "line", "column", "model", "path"],
        riskgrade.DataError: ["row", "column", "file", "line", "value", "id", "model", "method", "side"],
        riskgrade.EvaluationError: ["row", "rule_id", "file", "line", "column", "side"],
    }
    for cls, names in declared.items():
        err = cls("message")
        assert {n: getattr(err, n) for n in names} == dict.fromkeys(names), cls


def test_a_rule_that_fails_at_run_time_is_an_evaluation_error(tmp_path: Path) -> None:
    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    rules = tmp_path / "reference_rules.toml"
    rules.write_text(rules.read_text() + RUNTIME_RULE)
    model = riskgrade.Model.from_path(tmp_path / "reference.toml")
    with pytest.raises(riskgrade.EvaluationError) as e:
        model.classify(PROFILES, as_of=AS_OF, on_rule_error="abort")
    err = e.value
    assert not isinstance(err, riskgrade.ModelError)
    assert err.rule_id == "fails_at_run_time"
    assert err.row == 0
    assert err.line is not None and err.line >= 1
    assert err.column is not None
    assert err.file is not None and err.file.endswith("reference_rules.toml")
    # With the default policy the row reports the error and the batch goes on.
    out = model.classify(PROFILES, as_of=AS_OF)
    assert set(out.column("status").to_pylist()) == {"error"}


def test_an_unknown_outcome_is_a_data_error_naming_the_row_and_the_text(model: riskgrade.Model, table: pa.Table) -> None:
    ids = table.column("id").to_pylist()[:5]
    results = pa.table({"enterprise": ids, "result": ["problem", "no_problem", "probelm", "refused", "no_problem"]})
    with pytest.raises(riskgrade.DataError) as e:
        riskgrade.compare(table, AS_OF, before=model, outcomes=results)
    assert e.value.row == 2 and e.value.column == "result" and e.value.value == "probelm"
    assert "`probelm` is not a result" in str(e.value)
    with pytest.raises(riskgrade.DataError) as c:
        riskgrade.calibrate(table, AS_OF, model=model, method="logistic", outcomes=results)
    assert c.value.row == 2
    flags = {ids[0]: True, ids[1]: "maybe"}
    with pytest.raises(riskgrade.DataError, match="`maybe` is not true/false") as f:
        riskgrade.compare(table, AS_OF, before=model, outcomes=flags)
    assert f.value.row == 1 and f.value.column == "problem"
    # Every known result text counts: anything but no_problem is a problem.
    known = pa.table({"enterprise": ids[:4], "result": ["problem", "no_problem", "not_reachable", "refused"]})
    judged = riskgrade.compare(table, AS_OF, before=model, outcomes=known).outcomes
    assert judged is not None and judged["champion"]["problems"] == 3


def test_calibration_requests_name_what_is_wrong(model: riskgrade.Model, table: pa.Table) -> None:
    with pytest.raises(ValueError) as e:
        riskgrade.calibrate(table, AS_OF, model=model, method="critic", under="supervision.penalty")
    assert e.value.node == "supervision.penalty" and e.value.model == "general"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="exclude each other"):
        riskgrade.calibrate(table, AS_OF, model=model, method="logistic", outcomes={"x": True}, shares=[0.5, 0.5], keep_bands=True)


def test_io_and_comparison_errors_carry_their_attributes(model: riskgrade.Model, table: pa.Table) -> None:
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(table.drop_columns(["complaints_1y"]), as_of=AS_OF)
    assert e.value.column == "complaints_1y" and e.value.file is None
    other = riskgrade.Model.from_path(EXAMPLES / "general.toml")
    with pytest.raises(riskgrade.DataError) as c:
        riskgrade.compare(table.drop_columns(["complaints_1y"]), AS_OF, before=model, after=other)
    assert c.value.column == "complaints_1y"


def test_a_rule_test_file_error_names_its_file_line_and_column(tmp_path: Path) -> None:
    tests = tmp_path / "bad.tests.toml"
    tests.write_text('[[case]]\nname = "x"\nexpct = {}\n', encoding="utf-8")
    model = riskgrade.Model.reference()
    with pytest.raises(riskgrade.DataError) as info:
        model.test_rules(tests)
    e = info.value
    assert e.file == str(tests)
    assert (e.line, e.column) == (3, 1)
    assert "unknown field `expct`" in str(e)


DECLARED_WRONG = {
    "a bad id": '''
[[rule]]
id = "1st rule"
description = "An id that is not an identifier"
stage = "after"
priority = 1
script = "label(\\"x\\");"
''',
    "script and file": '''
[[rule]]
id = "both"
description = "An inline script and a file"
stage = "after"
priority = 1
file = "both.rhai"
script = "label(\\"x\\");"
''',
    "an escaping file": '''
[[rule]]
id = "escapes"
description = "A script file outside the set's folder"
stage = "after"
priority = 1
file = "../outside.rhai"
''',
    "a duplicate id": '''
[[rule]]
id = "twice"
description = "Declared twice"
stage = "after"
priority = 1
script = "label(\\"x\\");"

[[rule]]
id = "twice"
description = "Declared twice"
stage = "after"
priority = 2
script = "label(\\"y\\");"
''',
}


@pytest.mark.parametrize("case", sorted(DECLARED_WRONG))
def test_a_badly_declared_rule_is_a_rule_compile_error_with_its_place(
    case: str, tmp_path: Path
) -> None:
    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "both.rhai").write_text('label("x");')
    rules = tmp_path / "reference_rules.toml"
    rules.write_text(rules.read_text() + DECLARED_WRONG[case])
    with pytest.raises(riskgrade.RuleCompileError) as e:
        riskgrade.Model.from_path(tmp_path / "reference.toml")
    err = e.value
    assert err.rule_id in {"1st rule", "both", "escapes", "twice"}, err.rule_id
    assert err.rule_id in str(err)
    assert err.file is not None and err.file.endswith("reference_rules.toml"), err.file
    assert err.line is not None and err.line >= 1


def test_strict_covers_rule_failures(tmp_path: Path) -> None:
    for f in EXAMPLES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    rules = tmp_path / "reference_rules.toml"
    rules.write_text(rules.read_text() + RUNTIME_RULE)
    model = riskgrade.Model.from_path(tmp_path / "reference.toml")
    with pytest.raises(riskgrade.EvaluationError) as e:
        model.classify(PROFILES, as_of=AS_OF, strict=True)
    assert (e.value.rule_id, e.value.row) == ("fails_at_run_time", 0)
    assert "row 0" in str(e.value)
    # Skipping failing rules is a choice strict mode keeps (with enough on file for the general
    # model's minimum evidence, which strict mode also holds rows to).
    known = {"registered_capital": 500, "shareholders": 3, "paid_in_ratio": 1, "debt_ratio": 0.3, "insured_staff": 40}
    profiles = [p if p["industry"] == "C1431" else {**p, "attributes": known} for p in PROFILES]
    out = model.classify(profiles, as_of=AS_OF, strict=True, on_rule_error="skip-rule")
    assert set(out.column("status").to_pylist()) == {"graded"}


def test_one_profile_that_cannot_be_read_is_its_own_error_row() -> None:
    """A record dated "not a date" in one profile of a list (or a JSON array) does not refuse
    the batch: that profile is an error row naming its line, the others are graded."""
    import json

    model = riskgrade.Model.reference()
    profiles = [
        {"id": "A1", "industry": "F5211", "registered": "2012-01-01"},
        {"id": "B2", "industry": "F5211", "registered": "2012-01-01", "records": [{"kind": "penalty", "date": "not a date"}]},
        {"id": "C3", "industry": "F5211", "registered": "2014-01-01"},
    ]
    for data in (profiles, json.dumps(profiles, indent=1)):
        graded = model.classify(data, "2026-11-01").to_pylist()
        # In the input's order: the profile that could not be read stands where it was given.
        assert [r["id"] for r in graded] == ["A1", "B2", "C3"]
        rows = {r["id"]: r for r in graded}
        assert rows["A1"]["status"] == rows["C3"]["status"] == "graded"
        assert rows["B2"]["status"] == "error"
        assert "`not a date` is not a date" in rows["B2"]["error"]
    # Dicts go one per line, so the line is the profile's place in the list.
    rows = {r["id"]: r for r in model.classify(profiles, "2026-11-01").to_pylist()}
    assert "line 2:" in rows["B2"]["error"]
    with pytest.raises(riskgrade.DataError, match="B2") as e:
        model.classify(profiles, "2026-11-01", strict=True)
    # Rows count in the input's order, from 0, in the message and the attribute alike.
    assert e.value.row == 1 and "row 1" in str(e.value), (e.value.row, str(e.value))
    # Later rows keep their place too.
    many = [{"id": f"E{i}", "industry": "F5211", "registered": "2012-01-01"} for i in range(6)]
    many[4]["registered"] = "soon"
    assert [r["id"] for r in model.classify(many, "2026-11-01").to_pylist()] == [f"E{i}" for i in range(6)]
    with pytest.raises(riskgrade.DataError) as e:
        model.classify(many, "2026-11-01", strict=True)
    assert e.value.row == 4 and "row 4" in str(e.value), (e.value.row, str(e.value))
