"""Notebook display: short reprs and HTML for explanations, comparisons and calibrations."""

from __future__ import annotations

import pyarrow as pa

import riskgrade
from conftest import AS_OF, PROFILES


def test_an_explanation_has_a_short_repr_and_html(model: riskgrade.Model) -> None:
    e = model.explain(PROFILES, AS_OF, "P1")
    r = repr(e)
    assert len(r) < 200 and r.startswith("Explanation(id='P1'") and "class='D'" in r
    assert len(str(e)) > len(r)
    page = e._repr_html_()
    assert "<b>P1</b>" in page and "<li>" in page
    hostile = riskgrade.Explanation(**{**e.__dict__, "name": "<script>x</script>"})
    assert "<script>" not in hostile._repr_html_()


def test_a_comparison_has_a_short_repr_and_its_matrix_in_html(model: riskgrade.Model, table: pa.Table) -> None:
    c = riskgrade.compare(table, AS_OF, before=model, before_rules=False)
    off_diagonal = sum(n for i, row in enumerate(c.counts) for j, n in enumerate(row) if i != j)
    assert c.moved == off_diagonal > 0
    r = repr(c)
    assert len(r) < 200 and f"total={table.num_rows}" in r and f"moved={off_diagonal}" in r
    page = c._repr_html_()
    assert page.count("<tr>") == len(c.labels) + 1 and "not graded" in page


def test_a_calibration_has_a_short_repr(model: riskgrade.Model, table: pa.Table) -> None:
    cal = riskgrade.calibrate(table, AS_OF, model=model, method="critic")
    r = repr(cal)
    assert len(r) < 200 and "critic" in r and cal.model.version_id in r
    assert "<table" in cal._repr_html_()
