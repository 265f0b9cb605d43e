"""Plots of grading results: class distribution, scores by class, class migration.

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

from . import Comparison, Model

__all__ = [
    "NOT_GRADED",
    "class_colors",
    "class_distribution",
    "migration_heatmap",
    "score_histogram",
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
    comparison: Comparison,
    *,
    normalize: bool = False,
    before: str = "before",
    after: str = "after",
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """The class migration matrix of a :func:`riskgrade.compare` as an annotated heatmap.

    Rows are the classes before, columns after (``before`` and ``after`` name
    the two gradings in the axis labels, e.g. ``"without rules"``). Cells
    show counts, or with ``normalize=True`` each row's shares (where the
    enterprises of a class went). The colours are on a log scale so that
    the few movers off the diagonal show next to the many who stayed; empty
    cells are white. The ``not graded`` row and column are drawn only when
    some enterprise was not graded.
    """
    labels = list(comparison.labels)
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

    total = int(comparison.total)
    moved = total - int(np.trace(counts))
    share = f" ({moved / total:.1%})" if total else ""
    ax.set_title(f"Class migration of {total:,} enterprises: {moved:,} moved{share}")
    if colorbar:
        figure = ax.get_figure()
        if figure is not None:
            bar = figure.colorbar(image, ax=ax, shrink=0.8)
            bar.set_label("share of the row (log scale)" if normalize else "enterprises (log scale)")
    return ax
