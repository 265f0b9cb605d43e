"""riskgrade.plot: each plot renders to a PNG and draws what the results and comparisons hold."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests

import matplotlib.image
import matplotlib.pyplot as plt
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import riskgrade
import riskgrade.plot as rplot
from conftest import AS_OF

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data() -> pa.Table:
    """2,000 synthetic enterprises, without the hidden truth columns."""
    return riskgrade.synthesize(2000, seed=3).drop_columns(["true_propensity", "true_segment"])


@pytest.fixture(scope="module")
def results(model: riskgrade.Model, data: pa.Table) -> pa.Table:
    return model.classify(data, AS_OF)


@pytest.fixture(scope="module")
def results_with_errors(model: riskgrade.Model, data: pa.Table) -> pa.Table:
    """The same batch with two bad rows (negative counts), which come back as errors. (A NaN is
    a missing value, as pandas reads it, whatever the kind of frame.)"""
    i = data.schema.get_field_index("branches")
    values = data.column("branches").to_pylist()
    values[2], values[5] = -1.0, -3.0
    return model.classify(data.set_column(i, "branches", pa.array(values, pa.float64())), AS_OF)


@pytest.fixture(scope="module")
def comparison(model: riskgrade.Model, data: pa.Table) -> riskgrade.Comparison:
    return riskgrade.compare(data, AS_OF, before=model, before_rules=False)


def figure_of(ax: Axes) -> Figure:
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    return figure


def render(ax: Axes, path: Path, size: tuple[float, float] = (8.0, 5.0), dpi: int = 100) -> None:
    """Saves the Axes' figure as a PNG and checks that it reads back as an image of the expected size."""
    figure = figure_of(ax)
    figure.set_size_inches(*size)
    figure.savefig(path, dpi=dpi)
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.shape == (round(size[1] * dpi), round(size[0] * dpi), 4)
    # a real drawing, not a blank canvas: several distinct colours
    assert len({tuple(p) for p in image[::7, ::7].reshape(-1, 4).tolist()}) > 5


def class_counts(table: pa.Table, by: str | None = None) -> Counter[tuple[Any, str]]:
    """(group, class) -> enterprises, errors as "not graded", counted row by row."""
    rows = table.to_pylist()
    return Counter(
        (
            row[by] if by else None,
            row["class"] if row["status"] == "graded" and row["class"] is not None else "not graded",
        )
        for row in rows
    )


def bars(ax: Axes, container: int = 0) -> list[float]:
    return [float(p.get_height()) for p in ax.containers[container]]


def tick_labels(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


@pytest.mark.parametrize("output", ["arrow", "pandas", "polars"])
def test_class_distribution_bars_are_the_class_counts(
    model: riskgrade.Model, data: pa.Table, output: str, tmp_path: Path
) -> None:
    results = model.classify(data, AS_OF, output=output)  # type: ignore[call-overload]
    expected = class_counts(model.classify(data, AS_OF, output="arrow"))
    assert {cls for _, cls in expected} == {"A", "B", "C", "D"}

    ax = rplot.class_distribution(results)

    assert tick_labels(ax) == ["A", "B", "C", "D"]
    assert bars(ax) == [expected[(None, c)] for c in "ABCD"]
    assert sum(bars(ax)) == data.num_rows
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == f"{expected[(None, 'A')]:,}\n{expected[(None, 'A')] / data.num_rows:.1%}"
    assert "2,000 graded" in ax.get_title()
    render(ax, tmp_path / f"classes-{output}.png")


def test_class_distribution_shows_rows_not_graded(results_with_errors: pa.Table, tmp_path: Path) -> None:
    errors = pc.sum(pc.equal(results_with_errors.column("status"), "error")).as_py()
    assert errors == 2
    expected = class_counts(results_with_errors)

    ax = rplot.class_distribution(results_with_errors.to_pandas())

    assert tick_labels(ax) == ["A", "B", "C", "D", "not graded"]
    assert bars(ax) == [expected[(None, c)] for c in ["A", "B", "C", "D", "not graded"]]
    assert bars(ax)[-1] == errors
    assert ax.get_title() == "Enterprises by class: 1,998 graded, 2 not graded"
    render(ax, tmp_path / "classes-errors.png")


def test_class_distribution_groups_by_model_in_the_model_order(
    model: riskgrade.Model, results_with_errors: pa.Table, tmp_path: Path
) -> None:
    expected = class_counts(results_with_errors, by="model")

    ax = rplot.class_distribution(pl_frame(results_with_errors), by="model", model=model)

    classes = ["A", "B", "C", "D", "not graded"]
    # one bar container per class, one bar per model in the set's order
    assert [c.get_label() for c in ax.containers] == classes
    assert [t.split("\n")[0] for t in tick_labels(ax)] == ["general", "food", "special_equipment"]
    for k, cls in enumerate(classes):
        assert bars(ax, k) == [expected[(m, cls)] for m in ["general", "food", "special_equipment"]]
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == classes
    # each class keeps its colour: the same in the grouped and the plain plot
    plain = rplot.class_distribution(results_with_errors)
    for k in range(5):
        assert ax.containers[k][0].get_facecolor() == plain.containers[0][k].get_facecolor()
    render(ax, tmp_path / "classes-by-model.png", size=(10.0, 5.0))


def pl_frame(table: pa.Table) -> Any:
    import polars as pl

    return pl.from_arrow(table)


def test_class_distribution_shows_every_class_of_the_model(model: riskgrade.Model, results: pa.Table) -> None:
    safe = results.filter(pc.is_in(results.column("class"), pa.array(["A", "B"])))
    expected = class_counts(safe)

    assert tick_labels(rplot.class_distribution(safe)) == ["A", "B"]
    ax = rplot.class_distribution(safe, model=model)
    assert tick_labels(ax) == ["A", "B", "C", "D"]
    assert bars(ax) == [expected[(None, "A")], expected[(None, "B")], 0, 0]


def test_class_colours_run_from_green_to_red() -> None:
    colors = rplot.class_colors(["A", "B", "C", "D"])
    assert colors == {
        "A": "#1a9641",
        "B": "#a6d96a",
        "C": "#fdae61",
        "D": "#d7191c",
        "not graded": "#9e9e9e",
    }
    three = rplot.class_colors(["low", "mid", "high"])
    assert three["low"] == "#1a9641" and three["high"] == "#d7191c"


def test_score_histogram_needs_a_model_when_the_results_hold_several(results: pa.Table) -> None:
    assert set(results.column("model").to_pylist()) == {"general", "food", "special_equipment"}
    with pytest.raises(ValueError, match=r"3 models \(food, general, special_equipment\).*pass model="):
        rplot.score_histogram(results)
    with pytest.raises(ValueError, match="no graded enterprise of model 'nope'"):
        rplot.score_histogram(results, model="nope")


@pytest.mark.parametrize("model_id", ["general", "food", "special_equipment"])
def test_score_histogram_counts_every_graded_row_of_the_model(
    results_with_errors: pa.Table, model_id: str, tmp_path: Path
) -> None:
    rows = [r for r in results_with_errors.to_pylist() if r["model"] == model_id]
    graded = [r for r in rows if r["status"] == "graded"]
    by_class = Counter(r["class"] for r in graded)

    ax = rplot.score_histogram(results_with_errors.to_pandas(), model=model_id, bins=30)

    heights = [p.get_height() for p in ax.patches]  # type: ignore[attr-defined]
    assert sum(heights) == len(graded)
    assert len(heights) == 30 * len(by_class)  # stacked: 30 bars per class
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == sorted(by_class)
    # per class: its 30 bars hold its enterprises, in its colour
    colors = rplot.class_colors(sorted(by_class))
    for k, cls in enumerate(sorted(by_class)):
        patches = ax.patches[30 * k : 30 * (k + 1)]
        assert sum(p.get_height() for p in patches) == by_class[cls]  # type: ignore[attr-defined]
        assert matplotlib.colors.to_hex(patches[0].get_facecolor()) == colors[cls]
    scores = [r["score"] for r in graded]
    low, high = ax.patches[0].get_x(), ax.patches[29].get_x() + ax.patches[29].get_width()  # type: ignore[attr-defined]
    assert low == pytest.approx(min(scores)) and high == pytest.approx(max(scores))
    assert ax.get_xlabel() == f"score ({model_id})"
    assert f"{len(graded):,} graded" in ax.get_title()
    assert ("not graded" in ax.get_title()) == (len(rows) > len(graded))
    render(ax, tmp_path / f"scores-{model_id}.png")


def test_score_histogram_overlaid_and_for_a_single_model(results: pa.Table, tmp_path: Path) -> None:
    general = results.filter(pc.equal(results.column("model"), "general"))
    ax = rplot.score_histogram(general, stacked=False, classes=["A", "B", "C", "D"])
    # one filled step outline per class
    assert len(ax.patches) == 4
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["A", "B", "C", "D"]
    render(ax, tmp_path / "scores-overlaid.png")


def test_migration_heatmap_annotates_the_comparison_counts(
    comparison: riskgrade.Comparison, tmp_path: Path
) -> None:
    assert comparison.total == 2000
    # nobody was left ungraded, so the "not graded" row and column are left out
    assert comparison.counts[-1] == [0] * 5 and all(row[-1] == 0 for row in comparison.counts)
    k = len(comparison.classes)

    ax = rplot.migration_heatmap(comparison, before="without rules", after="with rules")

    texts = [t.get_text() for t in ax.texts]
    assert [int(t.replace(",", "")) for t in texts] == [n for row in comparison.counts[:k] for n in row[:k]]
    assert tick_labels(ax) == comparison.classes
    assert [t.get_text() for t in ax.get_yticklabels()] == comparison.classes
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("class without rules", "class with rules")
    stayed = sum(comparison.counts[i][i] for i in range(k))
    assert f"{comparison.total - stayed:,} moved" in ax.get_title()
    assert len(figure_of(ax).axes) == 2  # the heatmap and its colour bar
    render(ax, tmp_path / "migration.png", size=(7.0, 6.0))


def test_migration_heatmap_shows_row_shares(comparison: riskgrade.Comparison, tmp_path: Path) -> None:
    k = len(comparison.classes)
    ax = rplot.migration_heatmap(comparison, normalize=True, colorbar=False)

    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == k * k
    for i, row in enumerate(comparison.counts[:k]):
        total = sum(row)
        for j, n in enumerate(row[:k]):
            text = texts[i * k + j]
            if n == 0:
                assert text == "0"
            elif n / total < 0.0005:
                assert text == "<0.1%"
            else:
                assert float(text.rstrip("%")) == pytest.approx(100 * n / total, abs=0.05)
    assert len(figure_of(ax).axes) == 1
    render(ax, tmp_path / "migration-shares.png", size=(6.0, 5.0))


def test_migration_heatmap_keeps_not_graded_when_some_were(
    model: riskgrade.Model, data: pa.Table
) -> None:
    i = data.schema.get_field_index("branches")
    values = data.column("branches").to_pylist()
    values[7] = -1.0
    bad = data.set_column(i, "branches", pa.array(values, pa.float64()))
    comparison = riskgrade.compare(bad, AS_OF, before=model, before_rules=False)

    ax = rplot.migration_heatmap(comparison)

    assert tick_labels(ax) == [*comparison.classes, "not graded"]
    texts = [int(t.get_text().replace(",", "")) for t in ax.texts]
    assert texts == [n for row in comparison.counts for n in row]
    assert texts[-1] == 1


def test_plots_draw_on_the_axes_they_are_given(
    results: pa.Table, comparison: riskgrade.Comparison, tmp_path: Path
) -> None:
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(18, 5), layout="constrained")
    assert rplot.class_distribution(results, ax=left) is left
    assert rplot.score_histogram(results, model="general", ax=middle) is middle
    assert rplot.migration_heatmap(comparison, ax=right) is right
    assert figure_of(left) is figure and len(plt.get_fignums()) == 1
    render(left, tmp_path / "all.png", size=(18.0, 5.0))


def test_bad_inputs_are_refused_with_a_clear_message(results: pa.Table) -> None:
    with pytest.raises(TypeError, match="cannot plot a builtins.list"):
        rplot.class_distribution([1, 2, 3])
    with pytest.raises(ValueError, match="no column 'status'"):
        rplot.class_distribution(results.drop_columns(["status"]))
    with pytest.raises(ValueError, match="no column 'score'"):
        rplot.score_histogram(results.drop_columns(["score"]), model="general")


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "riskgrade.plot")
    with pytest.raises(ImportError, match=r"pip install 'riskgrade\[plot\]'") as e:
        importlib.import_module("riskgrade.plot")
    assert e.value.name == "matplotlib"


def test_the_package_does_not_import_matplotlib() -> None:
    import subprocess

    code = "import sys, riskgrade; print('matplotlib' in sys.modules, hasattr(riskgrade, 'plot'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_plot_modules_docstring_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples in riskgrade.plot's docstrings run as written (in a scratch folder: one
    saves a figure) and draw what they say."""
    import doctest

    monkeypatch.chdir(tmp_path)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(rplot, "riskgrade.plot"):
        runner.run(test)
    result = runner.summarize(verbose=False)
    plt.close("all")
    assert result.attempted >= 9 and result.failed == 0, result
    saved = matplotlib.image.imread(tmp_path / "migration.png")
    assert saved.shape[0] > 100 and saved.shape[1] > 100
