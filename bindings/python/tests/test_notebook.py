"""The year-in-a-notebook example (examples/python/year.ipynb) runs end to end on the installed
package, executed by nbclient in a fresh kernel; its outputs are not kept in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[3] / "examples" / "python" / "year.ipynb"


def test_the_notebook_is_committed_without_outputs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_notebook_runs_a_year_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("RISKGRADE_NOTEBOOK_N", "600")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    last = nb.cells[-1].outputs[-1]["data"]["text/plain"]
    assert "'months': 12" in last and "'graded': 600" in last
    assert "'inspected': 0" not in last and "'decisions': 2" in last
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "execute_result"]
    assert any("text/html" in o["data"] for o in shown), "a comparison shows as HTML"
