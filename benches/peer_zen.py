#!/usr/bin/env python3
"""riskgrade against the same decision written for zen-engine (GoRules JDM), in one run.

The JDM decision graph is generated from the reference set file
(examples/models/reference.toml with its included models and rule file), for
the **general model**: the data are restricted to the enterprises the set
routes to the general model (as riskgrade routes them: not food production,
C13-C15 except C132, and not users of special equipment), and each row carries
`model = "general"`.

    request ──> one decision table per indicator (72 in the general model: bins, linear
            │   segments, boolean, category; missing points first) ──> "weighted
            │   sum" expression (base score)
            ├──> "rules" decision table (hit policy collect, one row per rule in
            │   running order: vetoes force D, floors, caps, point adjustments,
            │   labels, alert topics)
            └──> "alert routing" decision table (department in charge of the
                industry, longest prefix first)
    weighted sum + rules ──> "resolve" expression (score = clamp(base + Σ
        points); cap = lowest at_most; floor = highest at_least; forced class)
        ──> "class bands" decision table ──> "class before promotion"
        expression ──> (+ request) "positive signal" decision table (promote)
        ──> (+ alert routing) "final" expression (class: shift clamped, cap,
        then floor, forced overrides; key-supervision label; alerts routed)

The indicator tables, weights and bands are generated from the model file; the
rules are written by hand below (RULES_JDM) to mirror
examples/models/reference_rules.toml, and the script stops if the rule file has
a rule they do not cover. Before timing, zen's final score, class, labels and
routed alerts are compared with riskgrade's row by row on a sample, and the
agreement rates are printed.

    pip install -r benches/requirements.txt
    python benches/peer_zen.py                # 200,000 synthetic enterprises
    python benches/peer_zen.py --n 1000000 --sample 20000

riskgrade grades every general-model row of the file with rules and the top-3
reasons (grade_file's `with_rules_ms`, 2 threads); zen evaluates a sample of
rows (`--sample`), one `evaluate` call per enterprise, each way a user would
call it. Both are reported per enterprise; the machine is shared and noisy:
compare medians, not single runs. Neither timing includes loading: riskgrade's
frame is in memory, and zen's contexts (dicts, or JSON strings) are built
before its clock starts. zen computes no reasons; riskgrade's with-rules time
includes them. The first `--check` rows are compared and the first `--sample`
rows timed; the generated graph is written to
target/bench-data/reference-general.jdm.json for inspection.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import zen

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "examples" / "models" / "reference.toml"
AS_OF = "2026-11-01"
MODEL = "general"


def cargo(*args, env=None):
    return subprocess.run(["cargo", *args], cwd=ROOT, check=True, capture_output=True, text=True, env=env).stdout


# ---- the model set, as riskgrade reads it ------------------------------------------------------

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


# ---- JDM building blocks ---------------------------------------------------------------------

def num(x):
    """A number as a ZEN literal (plain decimal digits, the shortest that round-trips)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else format(Decimal(repr(x)), "f")


def lit(v):
    """A string (or list of strings) as a ZEN literal."""
    return json.dumps(v, ensure_ascii=False)


def node(id_, type_, name, content=None):
    n = {"id": id_, "type": type_, "name": name, "position": {"x": 0, "y": 0}}
    if content is not None:
        n["content"] = content
    return n


def table(id_, name, inputs, outputs, rows, hit="first", **attrs):
    """A decision table: `inputs` [(id, field or None)], `outputs` [(id, field)], rows of cell dicts."""
    # zen skips a row that lacks a cell for any column: empty cells are "".
    cells = [i for i, _ in inputs] + [o for o, _ in outputs]
    content = {
        "hitPolicy": hit,
        "inputs": [{"id": i, "name": i, **({"field": f} if f else {})} for i, f in inputs],
        "outputs": [{"id": o, "name": o, "field": f} for o, f in outputs],
        "rules": [{"_id": f"{id_}-{k}", **{c: row.get(c, "") for c in cells}} for k, row in enumerate(rows)],
        **attrs,
    }
    return node(id_, "decisionTableNode", name, content)


def expression(id_, name, pairs, **attrs):
    """An expression node; later keys read earlier ones as `$.key`."""
    content = {"expressions": [{"id": f"{id_}-{k}", "key": key, "value": value}
                               for k, (key, value) in enumerate(pairs)], **attrs}
    return node(id_, "expressionNode", name, content)


def indicator_table(k, leaf, missing):
    """One indicator: its points by the leaf's scoring function, missing points first."""
    fn, field, out = leaf["score"], leaf["input"], f"pts_{k}"
    rows = [{"v": "$ == null", "p": num(missing)}]
    kind = fn["type"]
    if kind == "bins":
        e, p = fn["edges"], fn["points"]
        rows.append({"v": f"< {num(e[0])}", "p": num(p[0])})
        for i in range(1, len(e)):
            rows.append({"v": f"[{num(e[i - 1])}..{num(e[i])})", "p": num(p[i])})
        rows.append({"v": f">= {num(e[-1])}", "p": num(p[-1])})
    elif kind == "linear":
        x, y = fn["x"], fn["y"]
        rows.append({"v": f"< {num(x[0])}", "p": num(y[0])})
        for i in range(1, len(x)):
            slope = (y[i] - y[i - 1]) / (x[i] - x[i - 1])
            rows.append({"v": f"[{num(x[i - 1])}..{num(x[i])})",
                         "p": f"{num(y[i - 1])} + ({field} - {num(x[i - 1])}) * {num(slope)}"})
        rows.append({"v": f">= {num(x[-1])}", "p": num(y[-1])})
    elif kind == "boolean":
        rows.append({"v": "$ == true", "p": num(fn["true"])})
        rows.append({"v": "$ == false", "p": num(fn["false"])})
    elif kind == "category":
        for cat, pts in fn["map"].items():
            rows.append({"v": lit(cat), "p": num(pts)})
        if "other" in fn:
            rows.append({"v": "", "p": num(fn["other"])})
    else:
        raise SystemExit(f"no JDM for score type {kind}")
    return table(f"ind-{k}", leaf["path"], [("v", field)], [("p", out)], rows)


# ---- the reference rules, by hand ------------------------------------------------------------
# Each rule of reference_rules.toml: its `when` condition in ZEN (a comparison
# with a missing value is false in riskgrade, so each is guarded with `!= null`;
# an industry list matches by code prefix) and its actions. Class-dependent
# rules (`class ...` in `when`) run after the class is known.

def has(x, op, v):
    return f"({x} != null and {x} {op} {v})"


RULES_JDM = {
    "veto_dishonest_list": {
        "when": "dishonest_listed == true",
        "force": '"D"', "label": '"重点监管"', "alert": '"credit_veto"'},
    "veto_judgment_defaulter": {
        "when": "judgment_defaulter == true",
        "force": '"D"', "label": '"重点监管"'},
    "high_concern_industry": {
        "when": "(startsWith(industry, \"C26\") or startsWith(industry, \"C27\")) and ("
                + has("penalties_3y", ">", 0) + " or " + has("inspection_problems_3y", ">", 0)
                + " or abnormal_listed == true)",
        "at_least": '"C"', "alert": '"safety"'},
    "recent_major_penalty": {
        "when": has("major_penalties_3y", ">", 0) + " and " + has("days_since_penalty", "<=", 365),
        "at_least": '"C"', "alert": 'model == "food" ? "food_safety" : "major_penalty"'},
    "repeated_abnormal_listing": {
        "when": has("abnormal_entries_3y", ">=", 2),
        "at_least": '"C"'},
    "inspection_obstructed": {
        "when": has("inspection_refused_3y", ">", 0) + " or " + has("not_reachable_3y", ">=", 2),
        "at_least": '"C"', "alert": '"inspection"'},
    "related_party_contagion": {
        "when": has("related_defaulter_share", ">=", 0.5) + " or " + has("related_revoked_share", ">=", 0.5),
        "points": 'model == "food" ? 5 : 40'},
    "complaint_surge": {
        "when": has("complaints_1y", ">=", 5) + " and " + has("complaint_growth_3m", ">=", 1),
        "points": 'model == "food" ? 3 : 25', "alert": '"complaints"'},
    "debt_distress": {
        "when": "equity_frozen == true and " + has("debt_ratio", ">", 0.9),
        "points": 'model == "food" ? 3 : 30', "label": '"债务风险"'},
    "food_licence_lapsed": {
        "when": 'model == "food" and ' + has("licences_expired_1y", ">", 0) + " and "
                + has("licences_valid", "==", 0),
        "points": "5", "alert": '"food_safety"'},
    "inclusive_prudent_new_business": {
        "when": "new_business_form == true and " + has("years_in_operation", "<", 1) + " and "
                + has("major_penalties_3y", "==", 0),
        "at_most": '"B"', "label": '"包容审慎"'},
    "food_campaign_2026": {
        "when": 'model == "food" and ' + has("complaints_1y", ">=", 1),
        "label": '"2026食品安全专项"'},
    # Class-dependent: evaluated on the class before promotion / the final class.
    "positive_signal": {
        "class_when": ["B", "C"],
        "when": "annual_report_on_time == true and " + has("penalties_3y", "==", 0) + " and "
                + has("complaints_1y", "==", 0) + " and " + has("abnormal_entries_3y", "==", 0)
                + " and " + has("insured_staff", ">=", 50),
        "shift": "-1"},
    "key_supervision_label": {"class_at_least": "C", "label": '"重点监管"'},
    # Special-equipment users: never routed to the general model, so these never fire here.
    "special_equipment_crowded_venue": {
        "when": has("licence_special_equipment_use", ">=", 1) + " and se_crowded_venue == true",
        "label": '"公众聚集场所"'},
    "special_equipment_recent_accident": {
        "when": has("licence_special_equipment_use", ">=", 1) + " and " + has("se_accidents_2y", ">=", 1),
        "label": '"近两年特种设备事故"', "alert": '"special_equipment"'},
}
ACTIONS = ["force", "at_least", "at_most", "points", "label", "alert"]


def build_jdm(set_toml, model, rules):
    """The JDM decision graph (a dict) for `model` of the set, with the set's rules and alert routing."""
    nodes, edges = [node("request", "inputNode", "Request")], []

    def edge(a, b):
        edges.append({"id": f"{a}->{b}", "sourceId": a, "targetId": b, "type": "edge"})

    # Indicators: absolute weights (product of the weights on the path) and points.
    by_path = {n["path"]: n for n in model["node"]}
    default_missing = model.get("defaults", {}).get("missing")
    terms = []
    for k, leaf in enumerate(n for n in model["node"] if "score" in n):
        w, parts = 1.0, leaf["path"].split(".")
        for i in range(1, len(parts) + 1):
            w *= by_path[".".join(parts[:i])]["weight"]
        nodes.append(indicator_table(k, leaf, leaf.get("missing", default_missing)))
        edge("request", f"ind-{k}")
        edge(f"ind-{k}", "score")
        terms.append(f"{num(w)} * pts_{k}")
    nodes.append(expression("score", "weighted sum", [("base", " + ".join(terms))]))

    # Classes: index by name, and bands (lower bounds, the first class from the scale's minimum).
    names = [c["name"] for c in model["classes"]]
    idx = {c: i for i, c in enumerate(names)}
    lo, hi = model["scale"]["min"], model["scale"]["max"]
    class_index = lambda literal: str(idx[json.loads(literal)])  # noqa: E731  "C" -> 2

    # Rules that read only inputs: one collect table, rows in running order.
    ordered = running_order(rules, AS_OF)
    missing = [r["id"] for r in ordered if r["id"] not in RULES_JDM]
    if missing:
        raise SystemExit(f"peer_zen.py has no JDM for rule(s) {missing}: add them to RULES_JDM")
    rows, late = [], []
    for r in ordered:
        j = RULES_JDM[r["id"]]
        if "class_when" in j or "class_at_least" in j:
            late.append((r["id"], j))
            continue
        row = {"when": j["when"], "rule": lit(r["id"])}
        for a in ACTIONS:
            if a in j:
                row[a] = class_index(j[a]) if a in ("force", "at_least", "at_most") else j[a]
        rows.append(row)
    nodes.append(table("rules", "rules (in running order)", [("when", None)],
                       [("rule", "rule")] + [(a, a) for a in ACTIONS], rows,
                       hit="collect", outputPath="fired"))
    edge("request", "rules")

    # Resolve: score = clamp(base + Σ points); the lowest cap, the highest floor, the most severe forced class.
    top = len(names) - 1
    nodes.append(expression("resolve", "resolve", [
        ("adjust", "sum(map(filter(fired, #.points != null), #.points))"),
        ("score", f"max([{num(min(lo, hi))}, min([{num(max(lo, hi))}, base + $.adjust])])"),
        ("cap", f"min(flatten([[{top}], map(filter(fired, #.at_most != null), #.at_most)]))"),
        ("floor", "max(flatten([[0], map(filter(fired, #.at_least != null), #.at_least)]))"),
        ("forced", "len(filter(fired, #.force != null)) > 0 ? "
                   "max(map(filter(fired, #.force != null), #.force)) : null"),
        ("base", "base"),
        ("fired", "fired"),
    ]))
    edge("score", "resolve")
    edge("rules", "resolve")

    # The class by bands (a band's lower bound is where the class starts).
    bounds = [c["band"][0] for c in model["classes"]][1:]
    band_rows = [{"s": f"< {num(bounds[0])}", "c": "0"}]
    band_rows += [{"s": f"[{num(bounds[i - 1])}..{num(bounds[i])})", "c": str(i)} for i in range(1, len(bounds))]
    band_rows += [{"s": f">= {num(bounds[-1])}", "c": str(len(bounds))}]
    nodes.append(table("bands", "class bands", [("s", "score")], [("c", "band")], band_rows, passThrough=True))
    edge("resolve", "bands")
    clamp = lambda e: f"max([0, min([{top}, {e}])])"  # noqa: E731
    pre = f"forced != null ? forced : max([floor, min([cap, {clamp('band')}])])"
    nodes.append(expression("preclass", "class before promotion", [("class_pre", pre)], passThrough=True))
    edge("bands", "preclass")

    # Class-dependent rules: promote/demote on the class so far; labels on the final class.
    promote_rows, final_labels = [], []
    for rid, j in late:
        if "class_when" in j:
            cond = f"class_pre in [{', '.join(str(idx[c]) for c in j['class_when'])}] and ({j['when']})"
            promote_rows.append({"when": cond, "rule": lit(rid), "shift": j["shift"]})
        else:
            final_labels.append((idx[j["class_at_least"]], j["label"]))
    nodes.append(table("promote", "positive signal (promote)", [("when", None)],
                       [("rule", "rule"), ("shift", "steps")], promote_rows,
                       hit="collect", outputPath="shifted", passThrough=True))
    edge("preclass", "promote")
    edge("request", "promote")

    # Alert routing: the department in charge of the industry (longest prefix), and per topic.
    routing = set_toml.get("routing", {})
    registry = routing.get("departments", {})

    def name(d):
        """A department as alerts carry it: its name in the set's registry (ids stay as written otherwise)."""
        return registry.get(d, {}).get("name", d)

    default = name(routing.get("default"))
    ind_rows = [{"i": f"startsWith($, {lit(p)})", "d": lit(name(d))}
                for p, d in sorted(routing.get("industry", {}).items(), key=lambda x: -len(x[0]))]
    ind_rows.append({"i": "", "d": lit(default)})
    nodes.append(table("routing", "department in charge of the industry", [("i", "industry")],
                       [("d", "industry_department")], ind_rows))
    edge("request", "routing")
    dept = lit(default)  # a topic without a route
    for topic, t in sorted(routing.get("topic", {}).items()):
        if "department" in t:
            d = lit(name(t["department"]))
        elif t.get("by") == "licence" and t["licence"] in routing.get("licence", {}):
            # a columnar batch has no profile naming the issuer: the licence table
            d = lit(name(routing["licence"][t["licence"]]))
        elif t.get("by") in ("licence", "industry"):
            d = "industry_department"
        dept = f"(#.alert == {lit(topic)} ? {d} : {dept})"

    # Final class: shift clamped, cap, then floor; a forced class overrides all.
    label_set = []
    for j in RULES_JDM.values():
        if "label" in j and j["label"] not in label_set:
            label_set.append(j["label"])
    key_labels = " or ".join(f"(# == {lab} and $.cls >= {c})" for c, lab in final_labels) or "false"
    nodes.append(expression("final", "final class, labels and alerts", [
        ("score", "score"),
        ("shift", "sum(map(shifted, #.steps))"),
        ("cls", f"forced != null ? forced : max([floor, min([cap, {clamp('band + $.shift')}])])"),
        ("class", f"{lit(names)}[$.cls]"),
        ("base", "base"),
        # labels given, once each (compared as a set)
        ("labels", f"filter([{', '.join(label_set)}], "
                   f"# in map(filter(fired, #.label != null), #.label) or {key_labels})"),
        ("alerts", f"map(filter(fired, #.alert != null), #.alert + \"@\" + {dept})"),
        ("rules", "flatten([map(fired, #.rule), map(shifted, #.rule)])"),
    ]))
    edge("promote", "final")
    edge("routing", "final")
    nodes.append(node("response", "outputNode", "Response"))
    edge("final", "response")
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


# ---- running ---------------------------------------------------------------------------------

def contexts(tbl, inputs):
    """One JSON-ready dict per row: the model's inputs, the industry (trimmed) and the model id."""
    cols = {c: tbl.column(c).to_pylist() for c in inputs}
    ind = [s.strip() if s is not None else None for s in tbl.column("industry").to_pylist()]
    out = []
    for r in range(tbl.num_rows):
        d = {c: (None if isinstance(v[r], float) and math.isnan(v[r]) else v[r]) for c, v in cols.items()}
        d["industry"] = ind[r]
        d["model"] = MODEL
        out.append(d)
    return out


def timed(fn, items, repeats):
    """Median seconds of `fn(items)` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(items)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000, help="synthetic enterprises (before restricting to the general model)")
    ap.add_argument("--repeats", type=int, default=7, help="riskgrade repeats")
    ap.add_argument("--check", type=int, default=20_000, help="rows compared row by row")
    ap.add_argument("--sample", type=int, default=20_000, help="rows zen evaluates per timing")
    ap.add_argument("--zen-repeats", type=int, default=3)
    args = ap.parse_args()

    set_toml, models, rules = load_set(SET)
    model = models[MODEL]

    # The data: the whole set's inputs, then only the rows the set routes to the general model.
    data = ROOT / "target" / "bench-data" / f"reference-{args.n}.parquet"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.n} synthetic enterprises to {data} …", file=sys.stderr)
        cargo("run", "--release", "-q", "-p", "riskgrade-cli", "--", "synth", "-n", str(args.n),
              "--model", str(SET), "--as-of", AS_OF, "--out", str(data))
    general = data.with_name(f"reference-{args.n}-general.parquet")
    if not general.exists():
        t = pq.read_table(data)
        # The set's own routing (industries, licences held, their precedence) says which rows
        # the general model grades: riskgrade's `model` column, graded once without rules.
        routing = data.with_suffix(".routing.parquet")
        cargo("run", "--release", "-q", "-p", "riskgrade-cli", "--", "classify", "-q", "--no-rules",
              "--model", str(SET), "--data", str(data), "--as-of", AS_OF, "--out", str(routing))
        by = pq.read_table(routing, columns=["id", "model"])
        assert by.column("id").equals(t.column("id")), "the routing run changed the row order"
        pq.write_table(t.filter(pc.equal(by.column("model"), MODEL)), general)
        routing.unlink()

    # riskgrade: every general row, with rules and reasons (and without rules).
    scores_file = general.with_suffix(".scores.txt")
    classes_file = general.with_suffix(".classes.txt")
    env = dict(os.environ, RISKGRADE_SCORES_OUT=str(scores_file), RISKGRADE_CLASSES_OUT=str(classes_file))
    rg = json.loads(cargo("run", "--release", "-q", "-p", "riskgrade-benches", "--bin", "grade_file", "--",
                          str(SET), str(general), AS_OF, str(args.repeats), env=env))
    assert "with_rules_ms" in rg, "grade_file did not time rules: does the set have rules?"
    rg_scores = [float(s) for s in scores_file.read_text().split()]
    rg_rows = [line.split("\t") for line in classes_file.read_text().splitlines()]

    # zen: the decision graph, and one context per row.
    jdm = build_jdm(set_toml, model, rules)
    content = json.dumps(jdm, ensure_ascii=False)
    (ROOT / "target" / "bench-data" / "reference-general.jdm.json").write_text(content)
    tbl = pq.read_table(general)
    inputs = [c for c in model["inputs"] if c in tbl.column_names]
    n_needed = max(args.check, args.sample)
    ctx = contexts(tbl.slice(0, n_needed), inputs)
    ctx_json = [json.dumps(c) for c in ctx]

    engine = zen.ZenEngine()
    decision = engine.create_decision(content)
    parsed = zen.ZenDecisionContent(content)
    loader_engine = zen.ZenEngine({"loader": lambda key: parsed})

    # Equivalence on a sample: score, class, labels (as a set) and routed alerts (in order).
    check = min(args.check, len(ctx))
    agree = {"score": 0, "class": 0, "labels": 0, "alerts": 0, "all": 0}
    max_diff, shown, fired = 0.0, 0, {}
    for r in range(check):
        z = decision.evaluate(ctx[r])["result"]
        for rule in z["rules"]:
            fired[rule] = fired.get(rule, 0) + 1
        cls, labels, alerts = (rg_rows[r] + ["", "", ""])[:3]
        d = abs(z["score"] - rg_scores[r])
        max_diff = max(max_diff, d)
        ok = {
            "score": d < 1e-6,
            "class": z["class"] == cls,
            "labels": set(z["labels"]) == set(filter(None, labels.split("|"))),
            "alerts": z["alerts"] == list(filter(None, alerts.split("|"))),
        }
        ok["all"] = all(ok.values())
        for k, v in ok.items():
            agree[k] += v
        if not ok["all"] and shown < 5:
            shown += 1
            print(f"row {r} ({tbl.column('id')[r]}): zen {z['score']:.6f} {z['class']} {sorted(z['labels'])} "
                  f"{z['alerts']} | riskgrade {rg_scores[r]:.6f} {cls} {labels} {alerts}", file=sys.stderr)

    # Timing: one evaluate per enterprise, each way a user would call it.
    sample = ctx[:args.sample]
    sample_json = ctx_json[:args.sample]
    ways = {
        "engine.evaluate(key, dict), loader": lambda xs: [loader_engine.evaluate("reference", c) for c in xs],
        "decision.evaluate(dict)": lambda xs: [decision.evaluate(c) for c in xs],
        "decision.evaluate(json str)": lambda xs: [decision.evaluate(c) for c in xs],
        "engine.evaluate_batch (1 call)": lambda xs: loader_engine.evaluate_batch(
            [{"key": "reference", "context": c} for c in xs]),
    }
    inputs_of = {"decision.evaluate(json str)": sample_json}
    cpus = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=cpus) as pool:
        def threaded(xs):
            chunk = -(-len(xs) // cpus)
            parts = [xs[i:i + chunk] for i in range(0, len(xs), chunk)]
            return list(pool.map(lambda p: [loader_engine.evaluate("reference", c) for c in p], parts))
        ways[f"engine.evaluate(key, dict), loader, {cpus} threads"] = threaded
        zen_us = {}
        for name, fn in ways.items():
            xs = inputs_of.get(name, sample)
            fn(xs[:200])  # warm up
            zen_us[name] = timed(fn, xs, args.zen_repeats) / len(sample) * 1e6

    rows = rg["rows"]
    rg_us = rg["with_rules_ms"] * 1e3 / rows
    rg_no_rules_us = rg["no_rules_ms"] * 1e3 / rows
    best = min(zen_us, key=zen_us.get)
    print(f"machine: {platform.machine()} {cpu_model()}, {os.cpu_count()} cpus, "
          f"{platform.system()} {platform.release()}; python {platform.python_version()}, "
          f"zen-engine {zen_version()}")
    print(f"data: {args.n} synthetic enterprises, {rows} routed to the `{MODEL}` model "
          f"({sum('score' in n for n in model['node'])} indicators, "
          f"{len(running_order(rules, AS_OF))} rules active on {AS_OF})")
    print(f"agreement on {check} rows (zen vs riskgrade): score {agree['score'] / check:.2%} "
          f"(max |diff| {max_diff:.2e}), class {agree['class'] / check:.2%}, labels {agree['labels'] / check:.2%}, "
          f"alerts {agree['alerts'] / check:.2%}, all {agree['all'] / check:.2%}")
    print("rules zen applied in those rows: " + ", ".join(
        f"{r['id']} {fired.get(r['id'], 0)}" for r in running_order(rules, AS_OF) if "class_at_least" not in RULES_JDM[r["id"]]))
    print(f"riskgrade (medians of {args.repeats}, {rg['threads']} threads, all {rows} rows):")
    print(f"  {'with rules and top-3 reasons':42}{rg['with_rules_ms']:>10.1f} ms {rg_us:>9.3f} µs/enterprise "
          f"{1e6 / rg_us:>12,.0f} enterprises/s")
    print(f"  {'without rules (reasons on)':42}{rg['no_rules_ms']:>10.1f} ms {rg_no_rules_us:>9.3f} µs/enterprise "
          f"{1e6 / rg_no_rules_us:>12,.0f} enterprises/s")
    print(f"zen (medians of {args.zen_repeats}, {len(sample)} rows each):")
    for name, us in zen_us.items():
        print(f"  {name:42}{us:>9.1f} µs/enterprise {1e6 / us:>12,.0f} enterprises/s   "
              f"riskgrade {us / rg_us:>7.1f}x faster")
    print(f"ratio riskgrade / zen per enterprise (zen's fastest, {best}): {zen_us[best] / rg_us:.1f}x "
          f"(target >= 50x)")
    if rg.get("rule_issues"):
        print(f"note: riskgrade reported {rg['rule_issues']} rule issue(s)")
    if agree["all"] != check:
        # The peer must stay a faithful copy: a difference is a failure, not a footnote.
        raise SystemExit(f"zen and riskgrade differ on {check - agree['all']} of {check} rows (shown above)")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def zen_version():
    try:
        from importlib.metadata import version
        return version("zen-engine")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    main()
