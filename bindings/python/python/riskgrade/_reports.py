"""Reports for people and notebooks: one enterprise's :class:`Explanation` and what
:meth:`Model.check` found (:class:`ColumnCheck`)."""

from __future__ import annotations

import dataclasses
from typing import Any

@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why one enterprise got its grade. ``str()`` gives the readable report."""

    id: str
    name: str
    industry: str
    model: str
    model_name: str
    version: str
    as_of: str
    score: float | None
    base_score: float | None
    """The indicators' score, before rules adjusted it."""
    class_: str | None
    class_label: str | None
    dimensions: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    rules: list[str]
    """Every rule effect, in running order, with what came of it."""
    labels: list[str]
    reasons: list[str]
    """Top reasons, most important first: insufficient information, rules, then indicators."""
    issues: list[str]
    text: str
    insufficient: str | None = None
    """Why the enterprise's information is insufficient (below its model's minimum evidence,
    ``[insufficient]``; also the first reason), or ``None``."""

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        score = "-" if self.score is None else f"{self.score:.2f}"
        return (
            f"Explanation(id={self.id!r}, model={self.model!r}, class={self.class_!r}, score={score}, "
            f"rules={len(self.rules)}, reasons={len(self.reasons)}, issues={len(self.issues)})"
        )

    def _repr_html_(self) -> str:
        import html

        esc = html.escape
        score = "-" if self.score is None else f"{self.score:.2f}"
        head = (
            f"<p><b>{esc(self.id)}</b> {esc(self.name)} ({esc(self.industry)}): class "
            f"<b>{esc(str(self.class_))}</b> {esc(str(self.class_label or ''))}, score {score} "
            f"by {esc(self.model_name)} as of {esc(self.as_of)}</p>"
        )
        items = [("reasons", self.reasons), ("rules", self.rules), ("labels", self.labels), ("issues", self.issues)]
        body = "".join(
            f"<p>{name}:</p><ul>{''.join(f'<li>{esc(str(x))}</li>' for x in xs)}</ul>" for name, xs in items if xs
        )
        return head + body


@dataclasses.dataclass(frozen=True)
class ColumnCheck:
    """What :meth:`Model.check` found in a frame's columns, all at once.

    A frame must carry ``id``, ``industry``, the inputs of the models its rows are routed to
    (and of the models whose scores those take) and the inputs the rules read; the columns of a
    model no row is routed to may be absent.
    """

    routed: list[str]
    """The models the rows are routed to (with the models whose scores they take)."""
    missing: list[dict[str, str]]
    """Columns the grading needs and the frame lacks: ``column`` and its input ``type``."""
    extra: list[str]
    """Columns no model reads (ignored when grading)."""
    mistyped: list[dict[str, str]]
    """Columns whose type cannot feed their input: ``column``, ``type`` and ``problem``."""
    values: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Every bad value of the usable columns, one per row and column, as :meth:`Model.classify`
    would report it: ``row`` (from 0, as ``df.iloc``), ``id``, ``column``, ``problem`` (a
    count that is negative or not whole, a date or number that does not parse, a duplicate or
    missing id, a credit code, industry or district code that breaks its standard — GB
    32100-2015, GB/T 4754-2017, GB/T 2260, a category label no indicator names) and
    ``flagged`` (graded anyway: a code the set's ``[codes]`` policy flags, a count with a
    fraction, a category label given the indicator's ``other`` points, with the label meant
    when only the case differs). A row with a problem that is not ``flagged`` comes back from
    :meth:`Model.classify` as an error row."""
    cautions: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Flags the frame leaves missing where their model grades a missing value, silently, as
    ``true`` or ``false`` (or beyond both): ``model``, ``column``, ``missing`` (how many
    values) and ``caution`` (what the model should declare instead: the leaf's own
    ``missing``). Grading goes on; the reference models declare every flag's policy."""

    @property
    def ok(self) -> bool:
        """True when :meth:`Model.classify` can read the frame (extra columns do no harm;
        bad values become error rows, see :attr:`values`)."""
        return not self.missing and not self.mistyped

    @property
    def clean(self) -> bool:
        """True when the frame is :attr:`ok` and no value would make an error row."""
        return self.ok and not any(not v["flagged"] for v in self.values)

    def value_counts(self) -> dict[str, int]:
        """How many bad values each column has, most first."""
        counts: dict[str, int] = {}
        for v in self.values:
            counts[v["column"]] = counts.get(v["column"], 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def __str__(self) -> str:
        lines = [f"routed to: {', '.join(self.routed) or '(no model)'}"]
        lines += [f"missing: {m['column']} ({m['type']})" for m in self.missing]
        lines += [f"mistyped: {m['column']}: {m['problem']}" for m in self.mistyped]
        if self.extra:
            lines.append(f"extra (ignored): {', '.join(self.extra)}")
        for v in self.values[:20]:
            lines.append(f"row {v['row']}, enterprise `{v['id']}`, column `{v['column']}`: {v['problem']}")
        if len(self.values) > 20:
            lines.append(f"... and {len(self.values) - 20} more bad values ({self.value_counts()})")
        lines.append(("ok" if self.ok else "not ok") + ("" if self.clean or not self.ok else ", with bad values"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ColumnCheck(ok={self.ok}, routed={self.routed}, missing={[m['column'] for m in self.missing]}, "
            f"mistyped={[m['column'] for m in self.mistyped]}, extra={len(self.extra)}, values={len(self.values)})"
        )

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{html.escape(kind)}</td><td><code>{html.escape(col)}</code></td><td>{html.escape(what)}</td></tr>"
            for kind, col, what in [
                *(("missing", m["column"], m["type"]) for m in self.missing),
                *(("mistyped", m["column"], m["problem"]) for m in self.mistyped),
                *(("extra", c, "ignored") for c in self.extra),
                *((f"row {v['row']}", v["column"], v["problem"]) for v in self.values[:50]),
            ]
        )
        head = f"<p><b>{'ok' if self.ok else 'not ok'}</b>; routed to {html.escape(', '.join(self.routed))}</p>"
        return head + (f"<table><tr><th></th><th>column</th><th></th></tr>{rows}</table>" if rows else "")
