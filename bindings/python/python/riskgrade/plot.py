"""Plots of grading results (class distribution, scores by class, class migration) and of the
monthly loop (classes over periods, detection rates with confidence intervals, the targeting
curve, ROC and KS of a draw's inspections, PSI per indicator).

Needs matplotlib, the ``plot`` extra (``pip install 'riskgrade[plot]'``); the
rest of riskgrade does not, so this module is imported on its own:

>>> import riskgrade, riskgrade.plot
>>> model = riskgrade.Model.reference()
>>> data = riskgrade.synthesize(10_000)
>>> results = model.classify(data, "2026-11-01")
>>> ax = riskgrade.plot.class_distribution(results, by="model", model=model)
>>> ax = riskgrade.plot.score_histogram(results, model="general")
>>> comparison = riskgrade.compare(data, "2026-11-01", before=model, before_rules=False)
>>> ax = riskgrade.plot.migration_heatmap(comparison, before="without rules", after="with rules")
>>> ax.figure.savefig("migration.png")

Every function draws on the ``ax`` it is given (or on a new figure) and
returns that Axes; none calls ``plt.show()``. Results may be pandas or polars
DataFrames or pyarrow Tables (anything :meth:`riskgrade.Model.classify`
returns). Each class keeps its colour in every plot, least risky (green) to
riskiest (red); enterprises that could not be graded are grey.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

try:
    import matplotlib
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.colors import (
        LinearSegmentedColormap,
        ListedColormap,
        LogNorm,
        Normalize,
        to_hex,
    )
    from matplotlib.ticker import StrMethodFormatter
except ImportError as e:  # pragma: no cover - exercised by a test that hides matplotlib
    raise ModuleNotFoundError(
        "riskgrade.plot needs matplotlib, which comes with the plot extra: "
        "pip install 'riskgrade[plot]'",
        name=e.name,
    ) from e

from . import Comparison, Model, PeriodComparison

__all__ = [
    "NOT_GRADED",
    "class_colors",
    "class_distribution",
    "class_over_periods",
    "detection_rates",
    "ks",
    "migration_heatmap",
    "psi",
    "roc",
    "score_histogram",
    "targeting_curve",
    "wilson_interval",
]

NOT_GRADED = "not graded"
"""The bar (and matrix row and column) of the enterprises that could not be graded."""

_NOT_GRADED_COLOR = "#9e9e9e"
# ColorBrewer RdYlGn, 4 classes, reversed: A green, B light green, C orange, D red.
_RISK_COLORS = ["#1a9641", "#a6d96a", "#fdae61", "#d7191c"]
_RISK_MAP = LinearSegmentedColormap.from_list("riskgrade_risk", _RISK_COLORS)


def class_colors(classes: Sequence[str]) -> dict[str, str]:
    """A colour per class name, ``classes`` least risky first: green through orange to red.

    With four classes (the reference A/B/C/D) these are ColorBrewer's RdYlGn
    colours; other counts are spread over the same ramp. :data:`NOT_GRADED`
    is grey.
    """
    names = [c for c in classes if c != NOT_GRADED]
    n = len(names)
    out = {
        name: to_hex(_RISK_MAP(i / (n - 1) if n > 1 else 0.0)) for i, name in enumerate(names)
    }
    out[NOT_GRADED] = _NOT_GRADED_COLOR
    return out


def _to_arrow(results: object, columns: Sequence[str]) -> Any:
    """The `columns` of a pandas or polars DataFrame or a pyarrow Table, as a pyarrow Table."""
    module = type(results).__module__.split(".")[0]
    name = type(results).__name__
    if isinstance(results, pa.RecordBatch):
        results = pa.Table.from_batches([results])
    if isinstance(results, pa.Table):
        table = results
    elif module == "pandas" and name == "DataFrame":
        present = [c for c in columns if c in results.columns]  # type: ignore[attr-defined]
        table = pa.Table.from_pandas(results[present], preserve_index=False)  # type: ignore[index]
    elif module == "polars" and name == "DataFrame":
        present = [c for c in columns if c in results.columns]  # type: ignore[attr-defined]
        table = results.select(present).to_arrow()  # type: ignore[attr-defined]
    elif hasattr(results, "__arrow_c_stream__"):
        table = pa.table(results)
    else:
        raise TypeError(
            f"cannot plot a {type(results).__module__}.{name}: pass the results of "
            "Model.classify (a pandas or polars DataFrame, or a pyarrow Table)"
        )
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(
            f"the results have no column {', '.join(repr(c) for c in missing)}: "
            "pass the results of Model.classify"
        )
    return table.select(list(columns))


def _class_order(found: Iterable[str], classes: Model | Sequence[str] | None) -> list[str]:
    """Class names least risky first: the model's (or the given) order, then any others sorted."""
    order: list[str] = []
    if isinstance(classes, Model):
        names: Iterable[str] = (c.name for c in classes.classes())
    else:
        names = classes or []
    for name in names:
        if name not in order:
            order.append(name)
    order += sorted(set(found) - set(order) - {NOT_GRADED})
    return order


def _subplots(figsize: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _graded_class(cls: str | None, status: str | None) -> str:
    return cls if status == "graded" and cls is not None else NOT_GRADED


def class_distribution(
    results: object,
    *,
    by: str | None = None,
    model: Model | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bars of the enterprises per class, labelled with their counts and shares.

    ``results`` is what :meth:`riskgrade.Model.classify` returned. The classes
    run least risky first: in ``model.classes()`` order when ``model`` (the
    :class:`riskgrade.Model` that graded them) is given, every one of its
    classes shown even when empty; otherwise the class names found, sorted
    (A, B, C, D). Rows that could not be graded (``status`` ``"error"``) get a
    grey ``not graded`` bar when there are any.

    With ``by="model"`` (or any other column of the results, such as
    ``"district"``) the bars are grouped: one group per value, the shares
    within each group, a legend of the classes.
    """
    columns = ["class", "status"] + ([by] if by is not None else [])
    table = _to_arrow(results, columns)
    keys = ["class", "status"] + ([by] if by is not None else [])
    grouped = table.group_by(keys).aggregate([([], "count_all")]).to_pylist()

    counts: dict[tuple[str | None, str], int] = {}
    for row in grouped:
        group = row[by] if by is not None else None
        key = (None if group is None else str(group), _graded_class(row["class"], row["status"]))
        counts[key] = counts.get(key, 0) + int(row["count_all"])
    found = {cls for _, cls in counts}
    order = _class_order(found, model)
    if NOT_GRADED in found:
        order.append(NOT_GRADED)
    colors = class_colors(order)
    total = sum(counts.values())
    not_graded = sum(n for (_, cls), n in counts.items() if cls == NOT_GRADED)

    if by is None:
        if ax is None:
            ax = _subplots((1.6 + 1.1 * len(order), 4.5))
        heights = [counts.get((None, cls), 0) for cls in order]
        bars = ax.bar(order, heights, color=[colors[c] for c in order], edgecolor="white")
        ax.bar_label(bars, labels=[_count_share(h, total) for h in heights], padding=2, fontsize=9)
        ax.set_xlabel("class")
    else:
        present = {g for g, _ in counts}
        groups = _group_order(present, by, model)
        if ax is None:
            ax = _subplots((2.0 + 0.75 * len(groups) * len(order), 4.8))
        sizes = {g: sum(n for (gg, _), n in counts.items() if gg == g) for g in groups}
        width = 0.8 / len(order)
        for k, cls in enumerate(order):
            heights = [counts.get((g, cls), 0) for g in groups]
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(groups))]
            bars = ax.bar(xs, heights, width, label=cls, color=colors[cls], edgecolor="white")
            labels = [_count_share(h, sizes[g]) for h, g in zip(heights, groups)]
            ax.bar_label(bars, labels=labels, padding=2, fontsize=7)
        ax.set_xticks(
            range(len(groups)),
            [f"{'(none)' if g is None else g}\n{sizes[g]:,} enterprises" for g in groups],
        )
        ax.set_xlabel(by)
        ax.legend(title="class", frameon=False)
    ax.set_ylabel("enterprises")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.margins(y=0.18)
    ax.spines[["top", "right"]].set_visible(False)
    title = f"Enterprises by class: {total - not_graded:,} graded"
    if not_graded:
        title += f", {not_graded:,} not graded"
    ax.set_title(title)
    return ax


def _count_share(n: int, total: int) -> str:
    return f"{n:,}\n{n / total:.1%}" if total else f"{n:,}"


def _group_order(present: set[str | None], by: str, model: Model | None) -> list[str | None]:
    named = sorted(g for g in present if g is not None)
    if by == "model" and model is not None:
        known = [m for m in model.models if m in present]
        named = known + [g for g in named if g not in known]
    return [*named, *([None] if None in present else [])]


def score_histogram(
    results: object,
    *,
    model: str | None = None,
    classes: Model | Sequence[str] | None = None,
    bins: int | Sequence[float] = 40,
    stacked: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Histograms of the scores of one model's graded enterprises, one colour per class.

    Each model of a set has its own score scale, so the histogram is of one
    model's rows: ``model`` is its id (``"general"``), and may be left out
    only when the results hold a single model (otherwise :class:`ValueError`).
    The classes are stacked (``stacked=True``) or overlaid, least risky first:
    in the order of ``classes`` (a :class:`riskgrade.Model`, or class names)
    when given, else sorted by name. ``bins`` is a number of bins or their
    edges. Rows that were not graded have no score and are left out (the
    title counts them). The score is the final one, after the rules, so a
    rule that moved a class without moving the score shows as that class's
    bar among another class's scores.
    """
    table = _to_arrow(results, ["model", "class", "score", "status"])
    rows = table.to_pydict()
    models = sorted({m for m, s in zip(rows["model"], rows["status"]) if m is not None and s == "graded"})
    if model is None:
        if len(models) > 1:
            raise ValueError(
                f"the results hold {len(models)} models ({', '.join(models)}), each with its own "
                f"score scale: pass model= one of them, e.g. score_histogram(results, model={models[0]!r})"
            )
        if not models:
            raise ValueError("the results hold no graded enterprise: there is no score to plot")
        model = models[0]
    elif model not in models:
        raise ValueError(
            f"the results hold no graded enterprise of model {model!r}; they have {models or 'none'}"
        )

    by_class: dict[str, list[float]] = {}
    not_graded = 0
    for m, cls, score, status in zip(rows["model"], rows["class"], rows["score"], rows["status"]):
        if m != model:
            continue
        if status != "graded" or cls is None or score is None:
            not_graded += 1
            continue
        by_class.setdefault(cls, []).append(float(score))
    order = [c for c in _class_order(by_class, classes) if c in by_class]
    colors = class_colors(_class_order(by_class, classes))
    scores = np.asarray([s for c in order for s in by_class[c]], dtype=np.float64)
    edges: list[float] = np.histogram_bin_edges(scores, bins=bins).tolist()

    if ax is None:
        ax = _subplots((8.0, 4.5))
    if stacked:
        ax.hist(
            [by_class[c] for c in order],
            bins=edges,
            stacked=True,
            color=[colors[c] for c in order],
            label=order,
            edgecolor="white",
            linewidth=0.4,
        )
    else:
        for cls in order:
            ax.hist(
                by_class[cls],
                bins=edges,
                histtype="stepfilled",
                alpha=0.45,
                color=colors[cls],
                edgecolor=colors[cls],
                label=cls,
            )
    graded = sum(len(v) for v in by_class.values())
    title = f"Scores by class, model {model}: {graded:,} graded"
    if not_graded:
        title += f", {not_graded:,} not graded"
    ax.set_title(title)
    ax.set_xlabel(f"score ({model})")
    ax.set_ylabel("enterprises")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.legend(title="class", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def migration_heatmap(
    comparison: Comparison | PeriodComparison,
    *,
    normalize: bool = False,
    before: str | None = None,
    after: str | None = None,
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """The class migration matrix of a :func:`riskgrade.compare`, or of two stored periods
    (:meth:`riskgrade.Store.compare`, the enterprises graded in both), as an annotated heatmap.

    Rows are the classes before, columns after (``before`` and ``after`` name
    the two gradings in the axis labels, e.g. ``"without rules"``). Cells
    show counts, or with ``normalize=True`` each row's shares (where the
    enterprises of a class went). The colours are on a log scale so that
    the few movers off the diagonal show next to the many who stayed; empty
    cells are white. The ``not graded`` row and column are drawn only when
    some enterprise was not graded.
    """
    if isinstance(comparison, PeriodComparison):
        labels = list(comparison.classes)
        total_of = sum(map(sum, comparison.counts))
        before = comparison.before if before is None else before
        after = comparison.after if after is None else after
    else:
        labels = list(comparison.labels)
        total_of = int(comparison.total)
    before = "before" if before is None else before
    after = "after" if after is None else after
    counts = np.asarray(comparison.counts, dtype=np.int64)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"a {counts.shape} matrix for {len(labels)} classes (with not graded)")
    if labels[-1] == NOT_GRADED and not counts[-1, :].any() and not counts[:, -1].any():
        labels, counts = labels[:-1], counts[:-1, :-1]

    rows = counts.sum(axis=1, keepdims=True)
    if normalize:
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(rows > 0, counts / np.maximum(rows, 1), np.nan)
    else:
        values = counts.astype(np.float64)
    positive = values[np.isfinite(values) & (values > 0)]
    masked = np.ma.masked_where(~np.isfinite(values) | (values <= 0), values)
    norm: Normalize
    if positive.size:
        low, high = float(positive.min()), float(positive.max())
        norm = LogNorm(vmin=low, vmax=high if high > low else low * 10)
    else:
        norm = Normalize(vmin=0.0, vmax=1.0)
    # Blues without its near-white end, so that a cell of 1 is tinted, unlike an empty one.
    cmap = ListedColormap(matplotlib.colormaps["Blues"](np.linspace(0.15, 1.0, 256))).with_extremes(
        bad="white"
    )

    k = len(labels)
    if ax is None:
        ax = _subplots((2.2 + 1.05 * k, 1.4 + 0.95 * k))
    image = ax.imshow(masked, cmap=cmap, norm=norm)
    for i in range(k):
        for j in range(k):
            value = values[i, j]
            if normalize and counts[i, j]:
                text = f"{value:.1%}" if value >= 0.0005 else "<0.1%"
            elif normalize and not rows[i, 0]:
                text = "–"
            else:
                text = f"{int(counts[i, j]):,}"
            dark = bool(np.isfinite(value) and value > 0 and norm(value) > 0.6)
            color = "white" if dark else ("#333333" if counts[i, j] else "#9e9e9e")
            weight = "bold" if i == j else "normal"
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize=9, fontweight=weight)
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_xticks([x - 0.5 for x in range(1, k)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, k)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(f"class {after}")
    ax.set_ylabel(f"class {before}")

    total = int(total_of)
    moved = total - int(np.trace(counts))
    share = f" ({moved / total:.1%})" if total else ""
    ax.set_title(f"Class migration of {total:,} enterprises: {moved:,} moved{share}")
    if colorbar:
        figure = ax.get_figure()
        if figure is not None:
            bar = figure.colorbar(image, ax=ax, shrink=0.8)
            bar.set_label("share of the row (log scale)" if normalize else "enterprises (log scale)")
    return ax


# -- the monthly loop: periods, inspections, outcomes ------------------------------------------


def class_over_periods(
    periods: object,
    *,
    share: bool = True,
    classes: Model | Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Stacked bars of each stored period's enterprises per class, oldest period first.

    ``periods`` is :meth:`riskgrade.Store.periods` (or the :class:`riskgrade.Store` itself):
    one ``class:X`` column per class. With ``share=True`` each bar is the period's graded
    enterprises split into shares (so months of different sizes compare); otherwise counts.
    """
    if type(periods).__name__ == "Store" and hasattr(periods, "periods"):
        periods = periods.periods(output="arrow")
    table = _to_arrow(periods, ["period"])
    full = periods if isinstance(periods, pa.Table) else _to_arrow(periods, _columns(periods))
    names = [c.removeprefix("class:") for c in full.column_names if c.startswith("class:")]
    order = _class_order(names, classes)
    colors = class_colors(order)
    labels = [str(p) for p in table.column("period").to_pylist()]
    counts = {c: np.asarray(full.column(f"class:{c}").to_pylist(), dtype=np.float64) for c in order}
    totals = sum(counts.values(), np.zeros(len(labels)))
    if ax is None:
        ax = _subplots((2.0 + 0.7 * len(labels), 4.5))
    bottom = np.zeros(len(labels))
    for c in order:
        heights = np.divide(counts[c], totals, out=np.zeros(len(labels)), where=totals > 0) if share else counts[c]
        ax.bar(labels, heights, bottom=bottom, label=c, color=colors[c], edgecolor="white", linewidth=0.5)
        bottom = bottom + heights
    ax.set_xlabel("period")
    if share:
        ax.set_ylabel("share of the graded enterprises")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    else:
        ax.set_ylabel("enterprises")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.tick_params(axis="x", labelrotation=45 if len(labels) > 8 else 0)
    ax.legend(title="class", frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"Classes over {len(labels)} period(s)")
    return ax


def _columns(frame: object) -> list[str]:
    """A frame's column names (pandas, polars or pyarrow)."""
    if isinstance(frame, pa.Table):
        return list(frame.column_names)
    columns = getattr(frame, "columns", None)
    return [str(c) for c in columns] if columns is not None else []


def wilson_interval(problems: int, inspected: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a detection rate ``problems / inspected``.

    It stays inside [0, 1] and is sound for the small counts of a class's inspections (unlike
    the normal approximation); ``(nan, nan)`` when nothing was inspected.
    """
    if inspected <= 0:
        return (float("nan"), float("nan"))
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = problems / inspected
    denominator = 1 + z * z / inspected
    centre = (p + z * z / (2 * inspected)) / denominator
    half = z * float(np.sqrt(p * (1 - p) / inspected + z * z / (4 * inspected * inspected))) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _rates(source: object) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """(side, [(class, inspected, problems)]) from an Evaluation or a Comparison with outcomes."""
    if isinstance(source, Comparison):
        if source.outcomes is None:
            raise ValueError("the comparison has no outcomes: pass outcomes= to riskgrade.compare")
        return [
            (side, [(c["class"], int(c["inspected"]), int(c["problems"])) for c in source.outcomes[side]["classes"]])
            for side in ("champion", "challenger")
        ]
    classes = getattr(source, "classes", None)
    if classes is None or not hasattr(source, "inspected"):
        raise TypeError("pass a riskgrade.Store.evaluate() result or a riskgrade.compare() with outcomes")
    rows = _to_arrow(classes, ["class", "inspected", "problems"]).to_pylist()
    return [("", [(r["class"], int(r["inspected"]), int(r["problems"])) for r in rows])]


def detection_rates(
    evaluation: object,
    *,
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """Detection rate per class with its Wilson confidence interval, least risky class first.

    ``evaluation`` is :meth:`riskgrade.Store.evaluate` (a draw's inspections), or a
    :func:`riskgrade.compare` with ``outcomes=`` (champion and challenger side by side). The
    rate should rise from the least to the most risky class; the intervals show how far the
    class's few inspections let one say so. Bars are labelled ``problems/inspected``; a class
    with no inspections has no bar.
    """
    sides = _rates(evaluation)
    order = _class_order([c for _, rows in sides for c, _, _ in rows], [c for c, _, _ in sides[0][1]])
    colors = class_colors(order)
    if ax is None:
        ax = _subplots((2.0 + 1.0 * len(order) * len(sides), 4.5))
    width = 0.8 / len(sides)
    for k, (side, rows) in enumerate(sides):
        by = {c: (n, p) for c, n, p in rows}
        xs, heights, low, high, labels, fill = [], [], [], [], [], []
        for i, c in enumerate(order):
            n, p = by.get(c, (0, 0))
            if n == 0:
                continue
            lo, hi = wilson_interval(p, n, confidence)
            xs.append(i - 0.4 + width * (k + 0.5))
            heights.append(p / n)
            low.append(p / n - lo)
            high.append(hi - p / n)
            labels.append(f"{p}/{n}")
            fill.append(colors[c])
        hatch = "//" if k == 1 else None
        bars = ax.bar(
            xs,
            heights,
            width,
            yerr=[low, high],
            capsize=4,
            color=fill,
            edgecolor="#333333" if hatch else "white",
            hatch=hatch,
            label=side or None,
            error_kw={"elinewidth": 1, "ecolor": "#333333"},
        )
        ax.bar_label(bars, labels=labels, padding=3, fontsize=8, label_type="center")
    ax.set_xticks(range(len(order)), order)
    ax.set_xlabel("class")
    ax.set_ylabel(f"detection rate ({confidence:.0%} Wilson interval)")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.set_ylim(0, 1.05)
    if len(sides) > 1:
        ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("Problems found per class")
    return ax


_PROBLEM_RESULTS = frozenset({"problem", "not_reachable", "refused"})
"""The results that count as a problem found, as ``riskgrade evaluate`` counts them."""


def _scored(tasks: object) -> tuple[Any, Any]:
    """(scores, problem found) of a draw's closed, scored tasks, riskiest first."""
    rows = _to_arrow(tasks, ["score", "result"]).to_pylist()
    pairs = [(float(r["score"]), r["result"] in _PROBLEM_RESULTS) for r in rows if r["score"] is not None and r["result"] is not None]
    if not pairs or all(p for _, p in pairs) or not any(p for _, p in pairs):
        raise ValueError("the tasks need closed, scored inspections with and without a problem found")
    pairs.sort(key=lambda x: -x[0])
    scores = np.asarray([s for s, _ in pairs], dtype=np.float64)
    found = np.asarray([p for _, p in pairs], dtype=bool)
    return scores, found


def _curve(scores: Any, found: Any) -> tuple[Any, Any, Any]:
    """Cumulative (inspections, problems, non-problems) shares at each distinct score, riskiest
    first, starting at 0: ties are taken together, as the AUC and KS of ``evaluate`` are."""
    last = np.r_[scores[1:] != scores[:-1], True]
    tp = np.cumsum(found)[last]
    fp = np.cumsum(~found)[last]
    n = np.arange(1, len(scores) + 1)[last]
    zero = np.zeros(1)
    return (
        np.r_[zero, n / len(scores)],
        np.r_[zero, tp / found.sum()],
        np.r_[zero, fp / (~found).sum()],
    )


def targeting_curve(tasks: object, *, ax: Axes | None = None) -> Axes:
    """The share of the problems found against the share of the inspections, riskiest score first.

    ``tasks`` is :meth:`riskgrade.Store.tasks` of a draw with outcomes (its ``score`` and
    ``result``). The diagonal is uniform random inspection; the higher the curve above it, the
    more problems targeting by score finds with the same inspections. Not reachable and
    refused count as problems, as ``riskgrade evaluate`` counts them.
    """
    scores, found = _scored(tasks)
    inspected, problems, _ = _curve(scores, found)
    if ax is None:
        ax = _subplots((5.5, 5.0))
    ax.plot(inspected, problems, color=_RISK_COLORS[3], label="by score", drawstyle="default")
    ax.plot([0, 1], [0, 1], color=_NOT_GRADED_COLOR, linestyle="--", label="uniform")
    ax.set_xlabel("share of the inspections (riskiest score first)")
    ax.set_ylabel("share of the problems found")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"Targeting: {int(found.sum()):,} problems in {len(found):,} inspections")
    return ax


def roc(tasks: object, *, ax: Axes | None = None) -> Axes:
    """The ROC curve of the scores of a draw's inspections, with its AUC in the legend.

    ``tasks`` is :meth:`riskgrade.Store.tasks` with outcomes. The AUC is the area under the
    drawn curve (ties between equal scores count half), the one :meth:`riskgrade.Store.evaluate`
    reports.
    """
    scores, found = _scored(tasks)
    _, tpr, fpr = _curve(scores, found)
    auc = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
    if ax is None:
        ax = _subplots((5.0, 5.0))
    ax.plot(fpr, tpr, color=_RISK_COLORS[3], label=f"score (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color=_NOT_GRADED_COLOR, linestyle="--", label="chance")
    ax.set_xlabel("share of the inspections without a problem")
    ax.set_ylabel("share of the problems")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("ROC")
    return ax


def ks(tasks: object, *, ax: Axes | None = None) -> Axes:
    """The KS plot: cumulative shares of the inspections with and without a problem by score,
    riskiest first, and the widest gap between them (the KS statistic :meth:`riskgrade.Store.evaluate`
    reports) marked."""
    scores, found = _scored(tasks)
    inspected, tpr, fpr = _curve(scores, found)
    gap = np.abs(tpr - fpr)
    at = int(np.argmax(gap))
    if ax is None:
        ax = _subplots((6.0, 4.5))
    ax.plot(inspected, tpr, color=_RISK_COLORS[3], label="with a problem")
    ax.plot(inspected, fpr, color=_RISK_COLORS[0], label="without")
    ax.vlines(inspected[at], min(tpr[at], fpr[at]), max(tpr[at], fpr[at]), color="#333333", linestyle=":", label=f"KS {gap[at]:.3f}")
    ax.set_xlabel("share of the inspections (riskiest score first)")
    ax.set_ylabel("cumulative share")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"KS {gap[at]:.3f}")
    return ax


_PSI_BANDS = {"stable": _RISK_COLORS[0], "watch": _RISK_COLORS[2], "shifted": _RISK_COLORS[3]}


def psi(comparison: object, *, top: int = 20, ax: Axes | None = None) -> Axes:
    """Horizontal bars of the population stability index of each indicator (and score) between
    two periods, largest first, coloured by band, with the usual 0.1 and 0.25 thresholds.

    ``comparison`` is :meth:`riskgrade.Store.compare` (its ``psi`` frame: model, what, psi,
    band), or that frame; ``top`` bars at most.
    """
    frame = getattr(comparison, "psi", comparison)
    rows = _to_arrow(frame, ["model", "what", "psi", "band"]).to_pylist()
    rows.sort(key=lambda r: -float(r["psi"]))
    rows = rows[:top]
    labels = [f"{r['model']}: {r['what']}" for r in rows]
    values = [float(r["psi"]) for r in rows]
    if ax is None:
        ax = _subplots((7.5, 1.2 + 0.3 * max(len(rows), 1)))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, values, color=[_PSI_BANDS.get(str(r["band"]), _NOT_GRADED_COLOR) for r in rows])
    ax.set_yticks(ys, labels, fontsize=8)
    for x in (0.1, 0.25):
        ax.axvline(x, color="#333333", linestyle=":", linewidth=1)
    ax.set_xlabel("PSI")
    ax.spines[["top", "right"]].set_visible(False)
    before, after = getattr(comparison, "before", None), getattr(comparison, "after", None)
    ax.set_title("Stability" + (f": {before} to {after}" if before else ""))
    return ax
