"""The loop plots draw the values of the store they are given: classes over periods, detection
rates with Wilson intervals, the targeting curve, ROC, KS and PSI (on a store made by
`riskgrade demo`, whose draws have outcomes)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import riskgrade

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import riskgrade.plot as rplot  # noqa: E402
from test_store import BIN, cli  # noqa: E402

pytestmark = pytest.mark.skipif(BIN is None, reason="no riskgrade binary (see test_store.py)")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> riskgrade.Store:
    path = tmp_path_factory.mktemp("plots") / "demo.db"
    cli("demo", "-n", "2000", "--months", "3", "-q", "-s", path)
    return riskgrade.Store(path)


@pytest.fixture(autouse=True)
def close_figures() -> object:
    yield None
    plt.close("all")


def biggest_draw(store: riskgrade.Store) -> int:
    draws = store.draws().to_pylist()
    number: int = max(draws, key=lambda d: d["tasks"])["draw"]
    return number


def test_the_wilson_interval_is_the_published_one() -> None:
    # Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Statistics in Medicine 17 (1998), table I, method 3 (Wilson score, 95%).
    published = {
        (81, 263): (0.2553, 0.3662),
        (15, 148): (0.0624, 0.1605),
        (0, 20): (0.0, 0.1611),
        (1, 29): (0.0061, 0.1718),
    }
    for (x, n), (lo, hi) in published.items():
        assert rplot.wilson_interval(x, n) == pytest.approx((lo, hi), abs=5e-5)
    assert all(math.isnan(v) for v in rplot.wilson_interval(0, 0))


def test_classes_over_periods_are_the_stored_shares(store: riskgrade.Store) -> None:
    periods = store.periods().to_pylist()
    ax = rplot.class_over_periods(store, classes=["A", "B", "C", "D"])
    bars = ax.patches
    assert len(bars) == 4 * len(periods)
    for k, c in enumerate("ABCD"):
        for i, p in enumerate(periods):
            total = sum(p[f"class:{x}"] for x in "ABCD")
            assert bars[k * len(periods) + i].get_height() == pytest.approx(p[f"class:{c}"] / total)
    counts = rplot.class_over_periods(store.periods(output="pandas"), share=False)
    assert counts.patches[0].get_height() == periods[0]["class:A"]


def test_detection_rates_are_the_evaluation_with_its_intervals(store: riskgrade.Store) -> None:
    e = store.evaluate(biggest_draw(store))
    ax = rplot.detection_rates(e)
    rows = [r for r in e.classes.to_pylist() if r["inspected"]]
    from matplotlib.container import BarContainer

    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    assert [b.get_height() for b in bars] == pytest.approx([r["detection_rate"] for r in rows])
    assert bars.errorbar is not None
    lines = bars.errorbar.lines[2][0].get_segments()
    for segment, r in zip(lines, rows):
        lo, hi = rplot.wilson_interval(r["problems"], r["inspected"])
        assert (segment[0][1], segment[1][1]) == pytest.approx((lo, hi))


def test_roc_and_ks_agree_with_the_evaluation(store: riskgrade.Store) -> None:
    draw = biggest_draw(store)
    e = store.evaluate(draw)
    tasks = store.tasks(draw, output="pandas")
    assert e.auc is not None and e.ks is not None and e.scored > 0
    ax = rplot.roc(tasks)
    fpr, tpr = ax.lines[0].get_data()
    area = sum((fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2 for i in range(len(fpr) - 1))
    assert area == pytest.approx(e.auc, abs=1e-9)
    assert f"AUC {e.auc:.3f}" in ax.get_legend().get_texts()[0].get_text()
    ax = rplot.ks(tasks)
    assert ax.get_title() == f"KS {e.ks:.3f}"
    ax = rplot.targeting_curve(tasks)
    xs, ys = ax.lines[0].get_data()
    assert (xs[0], ys[0], xs[-1], ys[-1]) == (0, 0, 1, 1)
    assert f"{e.problems:,} problems in {e.scored:,} inspections" in ax.get_title()
    # Every point, counted afresh: at each distinct score, riskiest first, the share of the
    # closed scored tasks at or above it and the share of the problems they found.
    closed = tasks.dropna(subset=["score", "result"]).to_dict("records")
    problem = {"problem", "not_reachable", "refused"}
    total = sum(t["result"] in problem for t in closed)
    want = [(0.0, 0.0)] + [
        (
            sum(t["score"] >= cut for t in closed) / len(closed),
            sum(t["score"] >= cut and t["result"] in problem for t in closed) / total,
        )
        for cut in sorted({t["score"] for t in closed}, reverse=True)
    ]
    assert list(xs) == pytest.approx([x for x, _ in want])
    assert list(ys) == pytest.approx([y for _, y in want])


def test_psi_bars_are_the_comparison_largest_first(store: riskgrade.Store) -> None:
    before, after = store.periods().column("period").to_pylist()[-2:]
    c = store.compare(before, after)
    ax = rplot.psi(c, top=5)
    values = sorted(c.psi.column("psi").to_pylist(), reverse=True)[:5]
    assert [b.get_width() for b in ax.patches] == pytest.approx(values)
    assert [ln.get_xdata()[0] for ln in ax.lines] == [0.1, 0.25]


def test_loop_plots_refuse_what_they_cannot_draw(store: riskgrade.Store, tmp_path: Path) -> None:
    tasks = store.tasks(biggest_draw(store)).to_pylist()
    only_open = [{**t, "result": None} for t in tasks]
    import pyarrow as pa

    with pytest.raises(ValueError, match="closed, scored"):
        rplot.roc(pa.Table.from_pylist(only_open))
    with pytest.raises(TypeError):
        rplot.detection_rates(object())


def test_the_migration_of_two_stored_periods_is_their_matrix(store: riskgrade.Store) -> None:
    before, after = store.periods().column("period").to_pylist()[-2:]
    c = store.compare(before, after)
    ax = rplot.migration_heatmap(c)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{n:,}" for row in c.counts for n in row]
    assert ax.get_xlabel() == f"class {after}" and ax.get_ylabel() == f"class {before}"
    moved = sum(map(sum, c.counts)) - sum(c.counts[i][i] for i in range(len(c.classes)))
    assert f"{moved:,} moved" in ax.get_title()
