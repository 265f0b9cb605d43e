#!/usr/bin/env python3
"""riskgrade against the whole reference set written in numpy, rules included, in one run.

The reference set (examples/models/reference.toml, the set embedded in
crates/riskgrade-model: the general model, the food-production model for
industries C13-C15 except C132, the special-equipment model for holders of a
special-equipment use licence, and the 16 reference rules of
reference_rules.toml) is written once more the way a data scientist would
vectorise it:

- routing: the set's routes (industry and licence, licence, industry, as the
  engine ranks them) looked up once per distinct industry code and licences
  held;
- indicators: per leaf `np.searchsorted` + gather (bins), `np.interp`
  (linear), `np.where` (boolean), a lookup table over the category codes,
  missing points where the value is missing, a weighted sum per model; the
  food model's general-credit leaf bins the row's general score;
- classes: `np.searchsorted` on each model's band thresholds;
- rules: one `np.where` per rule over the rows where its `when` holds, in
  riskgrade's running order (stage, priority higher first, id), each action
  folded into columnar state (points added, class shift, highest floor, lowest
  cap, most severe forced class) and the score and class recomputed after
  every rule exactly as the engine does after each rule on a row
  (crates/riskgrade-engine/src/rules/row.rs `resolve`): score = base + points
  clamped to the model's scale, class = band of the score, shifted and
  clamped, capped, floored, forced; labels kept once per row in the order
  their first rule gave them.

Every reference rule is vectorised faithfully: `recent_major_penalty` calls
`count("penalty.major", "3y")` and `days_since("penalty")`, which read records
only when grading profiles; on columns (this benchmark's input) they read the
derived inputs `major_penalties_3y` and `days_since_penalty`, and only its
reason text uses them. The script stops if the rule file has a rule written
here in no form (RULES below), or one of them is not in the file.

Before timing, numpy's score (within 1e-9), class and labels are compared row
by row with riskgrade's from Python (defaults, and reasons=False) and with the
CLI's Parquet output; with the rules off, numpy's indicators-only score and
class with `classify(rules=False, reasons=False)`. Then, side by side in one
run, medians of `--repeats`:

- numpy, indicators only; numpy, indicators and all rules (no reasons);
- `Model.classify(pyarrow.Table)` with the defaults (rules, top-3 reasons,
  dimension columns), with `reasons=False`, and with `rules=False,
  reasons=False`;
- the CLI, `riskgrade classify` Parquet -> Parquet, wall time and peak RSS
  (`/usr/bin/time -v`), against the in-memory size of the input's columns.

Both sides start from columns in memory: riskgrade from the pyarrow Table,
numpy from float arrays and category codes (as pandas categoricals would hold
them) prepared from the same table before the clock starts.

    pip install ./bindings/python -r benches/requirements.txt
    python benches/peer_numpy_rules.py                  # 1M enterprises, then the zen peer
    python benches/peer_numpy_rules.py --n 20000 --repeats 1 --no-zen   # CI's small slice

With `--zen` (the default unless --no-zen) the zen-engine peer
(benches/peer_zen.py) runs after it, so one command gives the whole
comparison. The machine is shared and noisy: compare medians, not single runs.
"""
import argparse
import hashlib
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import riskgrade

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "examples" / "models" / "reference.toml"
AS_OF = "2026-11-01"
CLASSES = np.array(["A", "B", "C", "D"])


# ---- the set file, as riskgrade reads it -------------------------------------------------------

def load_set(path):
    """The set file, its included models (by id) and its rules, with tomllib."""
    s = tomllib.loads(path.read_text())
    models = {}
    for inc in s.get("include", []):
        m = tomllib.loads((path.parent / inc).read_text())
        models[m["id"]] = m
    rules = []
    for rf in s.get("rule_files", []):
        rules.extend(tomllib.loads((path.parent / rf).read_text()).get("rule", []))
    return s, models, rules


def running_order(rules, as_of):
    """Rules that apply on `as_of`, in riskgrade's running order: stage, priority (higher first), id."""
    stage = {"before": 0, "after": 1}
    live = [r for r in rules if r.get("enabled", True)
            and str(r.get("effective", "0000-00-00")) <= as_of
            and ("expires" not in r or as_of < str(r["expires"]))]
    return sorted(live, key=lambda r: (stage[r["stage"]], -r.get("priority", 0), r["id"]))


def leaves_of(model):
    """(input or None, model reference or None, absolute weight, score function, missing points)."""
    nodes = {n["path"]: n for n in model["node"]}
    default_missing = model.get("defaults", {}).get("missing")
    out = []
    for n in model["node"]:
        if "score" not in n:
            continue
        w, parts = 1.0, n["path"].split(".")
        for i in range(1, len(parts) + 1):
            w *= nodes[".".join(parts[:i])]["weight"]
        out.append((n.get("input"), n.get("model"), w, n["score"], n.get("missing", default_missing)))
    return out


def thresholds_of(model):
    return np.array([c["band"][0] for c in model["classes"][1:]], dtype=float)


# ---- the columns, as numpy holds them -------------------------------------------------------------

def numpy_columns(table, models):
    """Float arrays (NaN where missing, booleans as 0/1) and (codes, categories) per text input."""
    cols = {}
    names = {"industry"} | {i for m in models.values() for (i, *_r) in leaves_of(m) if i}
    names |= set(RULE_INPUTS) & set(table.column_names)
    for name in sorted(names):
        col = table.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            enc = col.combine_chunks().dictionary_encode()
            codes = enc.indices.to_numpy(zero_copy_only=False)
            codes = np.where(np.isnan(codes.astype(float)), -1, codes).astype(np.int64)
            cols[name] = (codes, enc.dictionary.to_pylist())
        else:
            cols[name] = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    return cols


def points(fn, x, missing):
    """One leaf's points over a column."""
    kind = fn["type"]
    if kind == "category":
        codes, cats = x
        other = fn.get("other", missing)
        lut = np.array([fn["map"].get(c, other) for c in cats] + [missing], dtype=float)
        return lut[codes]  # code -1 (missing) reads the last entry
    if kind == "bins":
        pts = np.asarray(fn["points"], dtype=float)[np.searchsorted(fn["edges"], x, side="right")]
    elif kind == "linear":
        pts = np.interp(x, fn["x"], fn["y"])
    elif kind == "boolean":
        pts = np.where(x == 1, fn["true"], fn["false"]).astype(float)
    else:
        raise SystemExit(f"leaf type {kind!r} is not written in numpy here")
    return np.where(np.isnan(x), missing, pts)


def model_score(leaves, cols, rows, scores_of):
    """A model's weighted sum over `rows` (a slice or index array)."""
    total = None
    for column, ref, w, fn, missing in leaves:
        if ref is not None:
            x = scores_of[ref][rows]
        elif isinstance(cols[column], tuple):
            x = (cols[column][0][rows], cols[column][1])
        else:
            x = cols[column][rows]
        p = w * points(fn, x, missing)
        total = p if total is None else total + p
    return total


# ---- the reference set in numpy -------------------------------------------------------------------

class Numpy:
    """The reference set vectorised: `indicators()` and `grade()` over the columns."""

    def __init__(self, path, as_of):
        self.set, self.models, rules = load_set(path)
        self.order = running_order(rules, as_of)
        written = set(RULES)
        in_file = {r["id"] for r in self.order}
        if written != in_file:
            raise SystemExit(f"the numpy peer does not write rules {sorted(in_file - written)}, "
                             f"and writes rules the file no longer has: {sorted(written - in_file)}")
        self.forms = []
        for r in self.order:
            now = (r.get("when"), hashlib.sha256(r["script"].strip().encode()).hexdigest()[:12])
            forms = RULES[r["id"]]
            forms = forms if isinstance(forms, list) else [forms]
            form = next((f for w, d, f in forms if (w, d) == now), None)
            if form is None:
                raise SystemExit(f"rule {r['id']} changed since its numpy form was written (when {now[0]!r}, "
                                 f"script {now[1]}; written for {[(w, d) for w, d, _ in forms]}): "
                                 f"update it in {__file__}")
            self.forms.append(form)
        self.leaves = {mid: leaves_of(m) for mid, m in self.models.items()}
        self.th = {mid: thresholds_of(m) for mid, m in self.models.items()}
        self.top = {mid: float(m["scale"]["max"]) for mid, m in self.models.items()}
        self.bottom = {mid: float(m["scale"]["min"]) for mid, m in self.models.items()}
        self.model_ids = list(self.models)
        self.general_i = self.model_ids.index("general")
        self.food_i = self.model_ids.index("food")
        for mid, leaves in self.leaves.items():
            refs = {ref for _c, ref, *_r in leaves if ref is not None}
            assert refs <= {"general"} and (mid != "general" or not refs), f"{mid} takes scores of {refs}"
        routes = self.set.get("route", [])
        self.both = [(lic, p, r["model"]) for r in routes if r.get("licences") and r.get("industries")
                     for lic in r["licences"] for p in r["industries"]]
        self.by_licence = [(lic, r["model"]) for r in routes if r.get("licences") and not r.get("industries")
                           for lic in r["licences"]]
        self.by_industry = [(p, r["model"]) for r in routes if r.get("industries") and not r.get("licences")
                            for p in r["industries"]]
        self.licences = sorted({lic for r in routes for lic in r.get("licences", [])})

    def route(self, code, held):
        """The model for an industry code and the licence types held, as the engine picks it
        (crates/riskgrade-model/src/route.rs `pick`): the longest industry prefix among routes
        naming a licence held too, else the first licence route held, else the longest
        industry prefix, else the default."""
        best = None
        for lic, p, m in self.both:
            if (best is None or len(p) > best[0]) and code.startswith(p) and lic in held:
                best = (len(p), m)
        if best:
            return best[1]
        for lic, m in self.by_licence:
            if lic in held:
                return m
        found = None
        for p, m in self.by_industry:
            if code.startswith(p) and (found is None or len(p) >= found[0]):
                found = (len(p), m)
        return found[1] if found else self.set["default"]

    def model_of(self, cols):
        """Per row, the index (in `model_ids`) of the model it is routed to."""
        codes, cats = cols["industry"]
        key = codes.astype(np.int64) + 1  # 0: missing industry
        for bit, lic in enumerate(self.licences):
            x = cols.get(f"licence_{lic}")
            if x is not None:
                key = key + (np.nan_to_num(x, nan=0.0) >= 1) * ((len(cats) + 1) << bit)
        uniq, inverse = np.unique(key, return_inverse=True)
        lut = []
        for k in uniq:
            code = cats[k % (len(cats) + 1) - 1].strip() if k % (len(cats) + 1) else ""
            held = {lic for bit, lic in enumerate(self.licences) if (k // (len(cats) + 1)) >> bit & 1}
            lut.append(self.model_ids.index(self.route(code, held)))
        return np.asarray(lut, dtype=np.int64)[inverse.ravel()]

    def indicators(self, cols):
        """Per row: the base score, its class and the model that grades it (index in `model_ids`).
        The general score is computed for every row: the food model takes it as an indicator."""
        model = self.model_of(cols)
        general = model_score(self.leaves["general"], cols, slice(None), {})
        score = general.copy()
        for i, mid in enumerate(self.model_ids):
            if i != self.general_i:
                rows = np.flatnonzero(model == i)
                score[rows] = model_score(self.leaves[mid], cols, rows, {"general": general})
        return score, self.classes(score, model), model

    def classes(self, score, model):
        """Per row, the band of its score in its model."""
        cls = np.searchsorted(self.th["general"], score, side="right")
        for i, mid in enumerate(self.model_ids):
            if i != self.general_i:
                rows = np.flatnonzero(model == i)
                cls[rows] = np.searchsorted(self.th[mid], score[rows], side="right")
        return cls

    def grade(self, cols):
        """Indicators, then every rule in running order: score, class, labels (per label, its first rule)."""
        base, cls, model = self.indicators(cols)
        st = State(self, base, cls, model, cols)
        for k, form in enumerate(self.forms):
            form(st, k)
        return st.score, st.cls, st.labels


class State:
    """Columnar rule state: what the engine keeps per row while its rules run."""

    def __init__(self, peer, base, cls, model, cols):
        n = len(base)
        self.peer, self.base, self.model, self.c = peer, base, model, cols
        self.food, self.general = model == peer.food_i, model == peer.general_i
        self.score, self.cls = base, cls
        self.adjust = np.zeros(n)
        self.shift = np.zeros(n, dtype=np.int64)
        self.floor = np.full(n, -1, dtype=np.int64)
        self.cap = np.full(n, len(CLASSES) - 1, dtype=np.int64)
        self.forced = np.full(n, -1, dtype=np.int64)
        self.labels = {}
        self.lo = np.array([peer.bottom[m] for m in peer.model_ids])[model]
        self.hi = np.array([peer.top[m] for m in peer.model_ids])[model]

    def x(self, name):
        return self.c[name]

    def true(self, name):
        """A boolean input in a `when` condition: true, not false or missing."""
        return self.c[name] == 1

    def industry_in(self, *prefixes):
        codes, cats = self.c["industry"]
        lut = np.array([c.strip().startswith(prefixes) for c in cats] + [False])
        return lut[codes]

    def resolve(self):
        """The engine's recomputation after a rule (row.rs `resolve`)."""
        self.score = np.clip(self.base + self.adjust, self.lo, self.hi)
        c = self.peer.classes(self.score, self.model)
        c = np.clip(c + self.shift, 0, len(CLASSES) - 1)
        c = np.maximum(np.minimum(c, self.cap), self.floor)
        self.cls = np.where(self.forced >= 0, self.forced, c)

    def force(self, m, c):
        self.forced = np.where(m, np.maximum(self.forced, c), self.forced)

    def at_least(self, m, c):
        self.floor = np.where(m, np.maximum(self.floor, c), self.floor)

    def at_most(self, m, c):
        self.cap = np.where(m, np.minimum(self.cap, c), self.cap)

    def adjust_by(self, m, general, hundred):
        """Points by scale: `general` on the general model's 0-1000, `hundred` on the 0-100 models."""
        self.adjust = self.adjust + np.where(m, np.where(self.general, general, hundred), 0.0)

    def promote(self, m):
        self.shift = self.shift - m

    def label(self, m, k, text):
        first = self.labels.get(text)
        at = np.where(m, k, np.iinfo(np.int64).max)
        self.labels[text] = at if first is None else np.minimum(first, at)


A, B, C, D = range(4)


def _veto_dishonest_list(s, k):
    m = s.true("dishonest_listed")
    s.force(m, D)
    s.label(m, k, "重点监管")
    s.resolve()


def _veto_judgment_defaulter(s, k):
    m = s.true("judgment_defaulter")
    s.force(m, D)
    s.label(m, k, "重点监管")
    s.resolve()


def _high_concern_industry(s, k):
    m = s.industry_in("C26", "C27") & ((s.x("penalties_3y") > 0) | (s.x("inspection_problems_3y") > 0)
                                       | s.true("abnormal_listed"))
    s.at_least(m, C)
    s.resolve()


def _recent_major_penalty(s, k):
    m = (s.x("major_penalties_3y") > 0) & (s.x("days_since_penalty") <= 365)
    s.at_least(m, C)
    s.resolve()


def _repeated_abnormal_listing(s, k):
    s.at_least(s.x("abnormal_entries_3y") >= 2, C)
    s.resolve()


def _inspection_obstructed(s, k):
    s.at_least((s.x("inspection_refused_3y") > 0) | (s.x("not_reachable_3y") >= 2), C)
    s.resolve()


def _related_party_contagion(s, k):
    m = (s.x("related_defaulter_share") >= 0.5) | (s.x("related_revoked_share") >= 0.5)
    s.adjust_by(m, 40.0, 5.0)
    s.resolve()


def _complaint_surge(s, k):
    s.adjust_by((s.x("complaints_1y") >= 5) & (s.x("complaint_growth_3m") >= 1), 25.0, 3.0)
    s.resolve()


def _debt_distress(s, k):
    m = s.true("equity_frozen") & (s.x("debt_ratio") > 0.9)
    s.adjust_by(m, 30.0, 3.0)
    s.label(m, k, "债务风险")
    s.resolve()


def _food_licence_lapsed(s, k):
    m = s.food & (s.x("licences_expired_1y") > 0) & (s.x("licences_valid") == 0)
    s.adjust_by(m, 5.0, 5.0)
    s.resolve()


def _inclusive_prudent_new_business(s, k):
    m = (s.x("years_in_operation") < 1) & (s.x("major_penalties_3y") == 0)
    s.at_most(m, B)
    s.label(m, k, "包容审慎")
    s.resolve()


def _inclusive_prudent_new_business_form(s, k):
    m = s.true("new_business_form") & (s.x("years_in_operation") < 1) & (s.x("major_penalties_3y") == 0)
    s.at_most(m, B)
    s.label(m, k, "包容审慎")
    s.resolve()


def _food_campaign_2026(s, k):
    s.label(s.food & (s.x("complaints_1y") >= 1), k, "2026食品安全专项")


def _positive_signal(s, k):
    m = (((s.cls == B) | (s.cls == C)) & s.true("annual_report_on_time") & (s.x("penalties_3y") == 0)
         & (s.x("complaints_1y") == 0) & (s.x("abnormal_entries_3y") == 0) & (s.x("insured_staff") >= 50))
    s.promote(m)
    s.resolve()


def _key_supervision_label(s, k):
    s.label(s.cls >= C, k, "重点监管")


def _special_equipment_crowded_venue(s, k):
    s.label((s.x("licence_special_equipment_use") >= 1) & s.true("se_crowded_venue"), k, "公众聚集场所")


def _special_equipment_recent_accident(s, k):
    s.label((s.x("licence_special_equipment_use") >= 1) & (s.x("se_accidents_2y") >= 1), k, "近两年特种设备事故")


# Each reference rule by id (reference_rules.toml): the `when` condition and the
# SHA-256 (first 12 hex digits) of the script it was written from, and its numpy
# form (a list: one of several versions of the rule). A rule whose condition or script changed stops the script until its numpy
# form is brought up to date here.
RULES = {
    "veto_dishonest_list": ("dishonest_listed", "1a4a568f6ada", _veto_dishonest_list),
    "veto_judgment_defaulter": ("judgment_defaulter", "c5fb4cdb1614", _veto_judgment_defaulter),
    "high_concern_industry": (
        "industry in ['C26', 'C27'] && (penalties_3y > 0 || inspection_problems_3y > 0 || abnormal_listed)",
        "7908ff733539", _high_concern_industry),
    "recent_major_penalty": ("major_penalties_3y > 0 && days_since_penalty <= 365", "18fa1ac9e357",
                             _recent_major_penalty),
    "repeated_abnormal_listing": ("abnormal_entries_3y >= 2", "971cd168a7b8", _repeated_abnormal_listing),
    "inspection_obstructed": ("inspection_refused_3y > 0 || not_reachable_3y >= 2", "8221b6cf7d68",
                              _inspection_obstructed),
    "related_party_contagion": ("related_defaulter_share >= 0.5 || related_revoked_share >= 0.5", "762c7afe1371",
                                _related_party_contagion),
    "complaint_surge": ("complaints_1y >= 5 && complaint_growth_3m >= 1", "783fb815e6a2", _complaint_surge),
    "debt_distress": ("equity_frozen && debt_ratio > 0.9", "0b21919fba33", _debt_distress),
    "food_licence_lapsed": ("model == 'food' && licences_expired_1y > 0 && licences_valid == 0", "415ec18e61b5",
                            _food_licence_lapsed),
    "inclusive_prudent_new_business": [
        ("new_business_form && years_in_operation < 1 && major_penalties_3y == 0", "3f5c2b7d8d1f",
         _inclusive_prudent_new_business_form),
        ("years_in_operation < 1 && major_penalties_3y == 0", "bc3953f69bd2", _inclusive_prudent_new_business),
    ],
    "food_campaign_2026": ("model == 'food' && complaints_1y >= 1", "57492e336853", _food_campaign_2026),
    "positive_signal": (
        "class in ['B', 'C'] && annual_report_on_time && penalties_3y == 0 && complaints_1y == 0 "
        "&& abnormal_entries_3y == 0 && insured_staff >= 50", "fb03c78bdc06", _positive_signal),
    "key_supervision_label": ("class >= 'C'", "276c41cd6d7c", _key_supervision_label),
    "special_equipment_crowded_venue": ("licence_special_equipment_use >= 1 && se_crowded_venue", "177c9a8d9158",
                                        _special_equipment_crowded_venue),
    "special_equipment_recent_accident": ("licence_special_equipment_use >= 1 && se_accidents_2y >= 1",
                                          "cf3307f1adae", _special_equipment_recent_accident),
}
RULE_INPUTS = [
    "dishonest_listed", "judgment_defaulter", "penalties_3y", "inspection_problems_3y", "abnormal_listed",
    "major_penalties_3y", "days_since_penalty", "abnormal_entries_3y", "inspection_refused_3y",
    "not_reachable_3y", "related_defaulter_share", "related_revoked_share", "complaints_1y",
    "complaint_growth_3m", "equity_frozen", "debt_ratio", "licences_expired_1y", "licences_valid",
    "years_in_operation", "annual_report_on_time", "insured_staff", "new_business_form",
    "licence_special_equipment_use", "se_crowded_venue", "se_accidents_2y",
]


# ---- checking row by row ----------------------------------------------------------------------

def label_text(labels, n):
    """Per row, its labels joined by '|' in the order their first rule gave them."""
    names = list(labels)
    if not names:
        return np.full(n, "", dtype=object)
    firsts = np.stack([labels[t] for t in names], axis=1)
    combos, inverse = np.unique(firsts, axis=0, return_inverse=True)
    none = np.iinfo(np.int64).max
    texts = np.array(["|".join(names[j] for j in np.argsort(row, kind="stable") if row[j] != none)
                      for row in combos], dtype=object)
    return texts[inverse.ravel()]


def on_edge(peer, model, *scores):
    """Rows whose score (any of `scores`) lies within 1e-9 of a band edge of its model: there a
    sum taken in another order (numpy 44.99999999999999, riskgrade 45.0) may fall in the other
    class, and the rules that read the class follow it."""
    edge = np.zeros(len(model), dtype=bool)
    for i, mid in enumerate(peer.model_ids):
        rows = model == i
        for t in peer.th[mid]:
            for s in scores:
                edge |= rows & (np.abs(s - t) < 1e-9)
    return edge


def check(what, out, score, cls, labels=None, edge=None):
    """Asserts riskgrade's results equal numpy's on every row; returns the largest score difference.

    Rows in `edge` (see `on_edge`) are held to the score only. Returns the largest score
    difference and how many edge rows were classed on the other side of their edge."""
    status = out.column("status").to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(status != "graded")
    if len(bad):
        raise SystemExit(f"{what}: {len(bad)} rows not graded, first {bad[0]}: "
                         f"{out.column('error')[int(bad[0])]}")
    rg_score = out.column("score").to_numpy(zero_copy_only=False).astype(float)
    diff = np.abs(rg_score - score)
    wrong = np.flatnonzero(~(diff <= 1e-9))
    if len(wrong):
        r = int(wrong[0])
        raise SystemExit(f"{what}: {len(wrong)} scores differ, first row {r}: riskgrade {rg_score[r]!r}, "
                         f"numpy {score[r]!r} ({out.column('rules')[r]})")
    rg_cls = out.column("class").to_numpy(zero_copy_only=False)
    held = np.ones(len(score), dtype=bool) if edge is None else ~edge
    other_side = int(((rg_cls != CLASSES[cls]) & ~held).sum())
    wrong = np.flatnonzero((rg_cls != CLASSES[cls]) & held)
    if len(wrong):
        r = int(wrong[0])
        raise SystemExit(f"{what}: {len(wrong)} classes differ, first row {r}: riskgrade {rg_cls[r]}, "
                         f"numpy {CLASSES[cls[r]]} ({out.column('rules')[r]})")
    if labels is not None:
        # Cast first: the item field may be non-null or a dictionary of strings.
        lists = pc.cast(out.column("labels"), pa.list_(pa.string()))
        rg_labels = pc.binary_join(lists, "|").to_numpy(zero_copy_only=False)
        np_labels = label_text(labels, len(score))
        wrong = np.flatnonzero((rg_labels != np_labels) & held)
        if len(wrong):
            r = int(wrong[0])
            raise SystemExit(f"{what}: {len(wrong)} label lists differ, first row {r}: riskgrade "
                             f"{rg_labels[r]!r}, numpy {np_labels[r]!r} ({out.column('rules')[r]})")
    return (float(diff.max()) if len(diff) else 0.0), other_side


# ---- timing -------------------------------------------------------------------------------------

def timed_rounds(fs, repeats):
    """Median seconds of each function, run in rounds (one call of each per round) so that the
    shared machine's slow and fast spells fall on all of them alike."""
    times = {k: [] for k in fs}
    for _ in range(repeats):
        for k, f in fs.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def cli(binary, data, out, repeats):
    """`riskgrade classify` Parquet -> Parquet under /usr/bin/time -v: median wall seconds, peak RSS bytes."""
    walls, peaks = [], []
    for _ in range(repeats):
        cmd = ["/usr/bin/time", "-v", str(binary), "classify", "-q", "--model", str(SET), "--data", str(data),
               "--as-of", AS_OF, "--out", str(out)]
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise SystemExit(f"riskgrade classify failed ({p.returncode}): {p.stderr[-2000:]}")
        peaks.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024)
    return statistics.median(walls), statistics.median(peaks), " ".join(cmd[2:])


def main():
    global SET
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="synthetic enterprises (the reference set's mix)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--zen", action=argparse.BooleanOptionalAction, default=True,
                    help="then run the zen-engine peer (benches/peer_zen.py)")
    ap.add_argument("--riskgrade", default=str(ROOT / "target" / "release" / "riskgrade"),
                    help="the CLI binary (built with `cargo build --release -p riskgrade-cli` when missing; "
                         "rebuild it yourself after changes)")
    ap.add_argument("--set", default=str(SET),
                    help="the reference set's file (default: examples/models/reference.toml); e.g. a copy of "
                         "the set as committed, while the working tree's set is being changed")
    args = ap.parse_args()
    SET = Path(args.set).resolve()

    data = ROOT / "target" / "bench-data" / f"reference-rules-{args.n}.parquet"
    model = riskgrade.Model.from_path(SET)
    # Written again when the synthesiser's columns changed since.
    fresh = riskgrade.synthesize(10, seed=42, as_of=AS_OF, model=model).schema
    if not data.exists() or pq.read_schema(data).remove_metadata() != fresh.remove_metadata():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.n} synthetic enterprises to {data} …", file=sys.stderr)
        pq.write_table(riskgrade.synthesize(args.n, seed=42, as_of=AS_OF, model=model), data,
                       row_group_size=128 * 1024)
    binary = Path(args.riskgrade)
    if not binary.exists():
        print(f"building {binary} …", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "riskgrade-cli"], cwd=ROOT, check=True)

    table = pq.read_table(data)
    peer = Numpy(SET, AS_OF)
    cols = numpy_columns(table, peer.models)

    # Equal row by row before any timing.
    np_score, np_cls, np_labels = peer.grade(cols)
    base, base_cls, routed = peer.indicators(cols)
    edge = on_edge(peer, routed, base, np_score)
    diffs = {
        "classify, defaults": check("classify, defaults", model.classify(table, as_of=AS_OF, output="arrow"),
                                    np_score, np_cls, np_labels, edge),
        "classify, reasons=False": check("classify, reasons=False",
                                         model.classify(table, as_of=AS_OF, reasons=False, output="arrow"),
                                         np_score, np_cls, np_labels, edge),
        "classify, rules=False, reasons=False": check(
            "classify, rules=False, reasons=False",
            model.classify(table, as_of=AS_OF, rules=False, reasons=False, output="arrow"), base, base_cls,
            edge=edge),
    }
    out = data.with_suffix(".results.parquet")
    cli_s, cli_rss, cli_cmd = cli(binary, data, out, 1)
    diffs["CLI Parquet -> Parquet"] = check("CLI", pq.read_table(out), np_score, np_cls, np_labels, edge)

    t = timed_rounds({
        "np_ind": lambda: peer.indicators(cols),
        "np_all": lambda: peer.grade(cols),
        "rg_def": lambda: model.classify(table, as_of=AS_OF, output="arrow"),
        "rg_nor": lambda: model.classify(table, as_of=AS_OF, reasons=False, output="arrow"),
        "rg_ind": lambda: model.classify(table, as_of=AS_OF, rules=False, reasons=False, output="arrow"),
    }, args.repeats)
    np_ind, np_all, rg_def, rg_nor, rg_ind = (t[k] for k in ("np_ind", "np_all", "rg_def", "rg_nor", "rg_ind"))
    cli_s, cli_rss, cli_cmd = cli(binary, data, out, args.repeats)
    out.unlink()

    n = table.num_rows
    per_model = ", ".join(f"{int((routed == i).sum())} {m}" for i, m in enumerate(peer.model_ids))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus (shared); Python {platform.python_version()}, "
          f"numpy {np.__version__}, pyarrow {pa.__version__}, riskgrade {riskgrade.__version__}")
    print(f"data: {n} synthetic enterprises (seed 42, as of {AS_OF}), routed {per_model}; "
          f"reference set, {len(peer.order)} rules in effect; repeats: {args.repeats} (medians)")
    print(f"equal row by row (score within 1e-9, class, labels; the {int(edge.sum())} rows within 1e-9 "
          f"of a band edge held to the score only):")
    for what, (d, other) in diffs.items():
        print(f"  {what:40} yes, max |score difference| {d:.1e}; {other} edge rows classed across the edge")
    rows = [
        ("numpy, indicators only", np_ind),
        ("numpy, indicators + all rules, no reasons", np_all),
        ("classify(pyarrow.Table), defaults", rg_def),
        ("classify, reasons=False", rg_nor),
        ("classify, rules=False, reasons=False", rg_ind),
        ("CLI Parquet -> Parquet (wall)", cli_s),
    ]
    print(f"{'':44}{'median s':>10}{'/ numpy all':>13}{'/ numpy ind.':>14}")
    for what, s in rows:
        print(f"{what:44}{s:>10.3f}{s / np_all:>12.2f}x{s / np_ind:>13.2f}x")
    inp = table.nbytes
    print(f"CLI peak RSS {cli_rss / 2**20:.0f} MiB for {inp / 2**20:.0f} MiB of input columns in memory "
          f"({cli_rss / inp:.2f}x); Parquet file {data.stat().st_size / 2**20:.0f} MiB")
    print(f"CLI command: {cli_cmd}")
    print(f"targets (issue 15): defaults / numpy all rules <= 1.0: {rg_def / np_all:.2f}; "
          f"reasons=False / numpy all rules <= 0.5: {rg_nor / np_all:.2f}")

    if args.zen:
        sys.stdout.flush()
        subprocess.run([sys.executable, str(ROOT / "benches" / "peer_zen.py")], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
