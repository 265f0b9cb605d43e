"""The native module behind :mod:`riskgrade` (private; use the package's API)."""

import os
from collections.abc import Callable
from typing import Any, TypeAlias, final

__all__ = [
    "DataError",
    "EvaluationError",
    "GradedStream",
    "Model",
    "ModelError",
    "RiskgradeError",
    "RuleCompileError",
    "Store",
    "__version__",
    "calibrate",
    "check",
    "compare",
    "explain_many",
    "synthesize",
]

__version__: str
"""The version of riskgrade the native module was built from."""

class RiskgradeError(Exception):
    """Base class of every riskgrade error.

    Raised as itself only for a kind of error this build does not map to a subclass; the
    others are `ModelError`, `RuleCompileError`, `DataError` and `EvaluationError`. A bad
    argument is a `ValueError`, something that does not exist a `KeyError`, and Ctrl-C a
    `KeyboardInterrupt`.
    """

class ModelError(RiskgradeError):
    """A model or model set that cannot be loaded.

    A file that cannot be read sets `file`; a syntax error `file` (`None` for text), `line`
    and `column` (from 1); an invalid model `model` (its id) and `path` (the node path the
    problem names, or `None`), with `file`, `line` and `column` where known. The attributes
    not set so are `None`.
    """

    file: str | None
    line: int | None
    column: int | None
    model: str | None
    path: str | None

class RuleCompileError(ModelError):
    """A rule that does not compile, or whose declaration is wrong (a bad or duplicate id, a
    script given both inline and as a file, a script file that cannot be used).

    `rule_id` names the rule; `file`, `line` and `column` (from 1) place it when known.
    `model` and `path` are `None` for a problem found in the set's declaration of the rule,
    and are not set at all for one found in the rule itself (its script or `when`).
    """

    rule_id: str | None

class DataError(RiskgradeError):
    """Input data that cannot be graded, or a request riskgrade refuses on its data.

    Raised for a missing or mistyped column, a bad value under `strict`, a grading date that
    does not parse (`column` is `"as_of"`), unreadable profiles or Arrow data, rule-test
    files, plans, inspector pools, inspection outcomes, and what a `Store` refuses. `row`
    (from 0, as `DataFrame.iloc` counts; the message names the same row), `column`, `file`,
    `line` (from 1) and `value` are set when known and `None` otherwise. A row below its
    model's minimum evidence under `strict` also carries `id` and `model`; a calibration
    the method cannot make, `method`; an error of one side of :func:`compare`, `side`
    (`"before"` or `"after"`). Every attribute an error does not set reads as `None`.
    """

    row: int | None
    column: str | None
    file: str | None
    line: int | None
    value: str | None
    id: str | None
    model: str | None
    method: str | None
    side: str | None

class EvaluationError(RiskgradeError):
    """A batch that could not be evaluated.

    A rule that failed while running sets `row` (from 0; `None` outside a batch), `rule_id`,
    and the `file`, `line` and `column` (from 1) of the rule's script. Two gradings that
    cannot be compared set only `row` (`None` when no row is at fault) and `rule_id`
    (`None`). An internal failure (its message says "internal error (please report it)")
    sets none of them (each reads as `None`). An error of one side of :func:`compare` also
    sets `side` (`"before"` or `"after"`).
    """

    row: int | None
    rule_id: str | None
    file: str | None
    line: int | None
    column: int | None
    side: str | None

@final
class GradedStream:
    """The results of :meth:`Model.classify_stream`: an iterator of `pyarrow.RecordBatch`,
    each graded (without the GIL) when it is pulled.

    A batch that cannot be graded raises its typed error: `DataError` (with `row` counted
    from the stream's first row, 0-based) or `EvaluationError`.
    """

    @property
    def schema(self) -> Any:
        """The results' `pyarrow.Schema`, that of `classify`'s results."""
    def __iter__(self) -> GradedStream:
        """The stream itself."""
    def __next__(self) -> Any:
        """Grades the next input batch and returns its results as a `pyarrow.RecordBatch`."""

_Batch: TypeAlias = str | object
"""Profile JSON text, or Arrow data (anything with the Arrow PyCapsule interface)."""

_Outcomes: TypeAlias = tuple[list[Any], str, list[Any]]
"""Enterprise ids, `result` or `problem`, and that column's values."""

@final
class Model:
    """A compiled model set: models, routing, rules and alert routing.

    Immutable and thread-safe; pickles through its canonical JSON. `classify`, `explain` and
    `test_rules` run on a worker thread with the GIL released, and Ctrl-C stops them
    (`KeyboardInterrupt`).
    """

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> Model:
        """Loads a model or model set file: `.json` is read as JSON, anything else as TOML.

        Paths in its `include` and `rule_files` are relative to the file.

        Raises:
            ModelError: the file cannot be read (`file`), does not parse (`file`, `line`,
                `column`) or is not a valid model (`model`, `path`).
            RuleCompileError: a rule does not compile (`rule_id`, `file`, `line`, `column`).
        """
    @staticmethod
    def from_toml(text: str) -> Model:
        """Loads a model, or a self-contained model set, from TOML text.

        Raises:
            ModelError: the text does not parse (`line`, `column`) or is not a valid model.
            RuleCompileError: a rule does not compile.
        """
    @staticmethod
    def from_json(text: str) -> Model:
        """Loads a model set from JSON text, such as another model's `to_json()`.

        Raises:
            ModelError: the text does not parse or is not a valid model set.
            RuleCompileError: a rule does not compile.
        """
    @staticmethod
    def reference() -> Model:
        """The embedded reference set: general and food-production models, reference rules and
        routing."""
    @property
    def version_id(self) -> str:
        """The version id: the first 16 hex digits of the SHA-256 of the canonical JSON."""
    def to_json(self) -> str:
        """The canonical JSON; `from_json` of it gives an identical model (same `version_id`)."""
    def to_toml(self) -> str:
        """The canonical TOML.

        Raises:
            ModelError: the set cannot be written as TOML (not expected in practice).
        """
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickles the model as `Model.from_json` and its canonical JSON."""
    def describe(self) -> str:
        """What the set holds, as JSON text.

        Returns:
            An object with `version_id`, `name`, `models` (each with `id`, `name`, `scale`
            as `[min, max]`, `higher_is`, `classes` as `{name, label}`, and `indicators` as
            `{path, name, weight, dimension, source, score}`, where `source` is
            `{"input": name}` or `{"model": id}` and `score` the kind of scoring function),
            `inputs` (`{name, type, derive, description}`) and `rules` (`{id, description,
            stage, priority, enabled, effective, expires, when, file}`).
        """
    def classify(
        self,
        data: _Batch,
        as_of: str,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: str = "fail-row",
        progress: Callable[[int, int], object] | None = None,
    ) -> Any:
        """Grades a batch as of a date; returns the results as a `pyarrow.Table`.

        Args:
            data: Arrow data (one row per enterprise: `id`, `industry` and the inputs of the
                models its rows are routed to), or profiles as JSON text (an array, or one
                object per line) whose inputs are derived from their records as of `as_of`.
            as_of: The grading date, `YYYY-MM-DD`.
            reasons: Compute each enterprise's top reasons.
            max_reasons: At most this many reasons per enterprise, over each model's own
                `max_reasons`.
            contributions: Add a `contrib:…` column per indicator.
            dimensions: Add a `dim:…` column per dimension.
            strict: Raise on the first bad row instead of reporting it in its row; a rule's
                failure then stops the batch too, unless `on_rule_error` is `"skip-rule"`.
            rules: Run the set's rules.
            on_rule_error: `"fail-row"`, `"skip-rule"` or `"abort"`.
            progress: Called as `progress(done, total)` on the calling thread while
                enterprises are graded; an exception it raises stops the grading and
                propagates.

        Returns:
            One row per enterprise in the results schema (`id`, `industry`, `model`,
            `score`, `class`, `class_label`, `reasons`, `score_before_rules`, `labels`,
            `alerts`, `rules`, `status`, `error`, `model_version`, `as_of`, `insufficient`,
            …), with repeated texts as dictionary columns. A bad row has `status` `"error"`
            and its reason in `error`.

        Raises:
            DataError: a column is missing or mistyped, `as_of` does not parse, or (with
                `strict`) a row is bad or below its model's minimum evidence.
            EvaluationError: a rule failed and the policy stops the batch.
            ValueError: `on_rule_error` is not a policy.
        """
    def classify_stream(
        self,
        data: Any,
        as_of: str,
        *,
        reasons: bool = True,
        max_reasons: int | None = None,
        contributions: bool = False,
        dimensions: bool = True,
        strict: bool = False,
        rules: bool = True,
        on_rule_error: str = "fail-row",
    ) -> GradedStream:
        """Grades an Arrow stream batch by batch, as the results are read.

        `data` is anything with the Arrow PyCapsule interface; the other arguments are those
        of `classify`. The first batch is graded at the call, so a missing column raises
        here; each later batch is graded when it is pulled from the returned iterator, and
        raises the same typed errors (a `DataError` whose `row` counts from the stream's
        first row, 0-based, as its message does).

        Returns:
            A :class:`GradedStream` of `pyarrow.RecordBatch`, one results batch per input
            batch, in the schema of `classify`.

        Raises:
            DataError: the first batch cannot be graded, or a model cuts its classes by
                shares of the batch and so needs every score at once (use `classify`).
            EvaluationError: a rule failed in the first batch and the policy stops it.
            ValueError: `on_rule_error` is not a policy.
        """
    def explain(
        self, data: _Batch, as_of: str, id: str, *, rules: bool = True, on_rule_error: str = "fail-row"
    ) -> str:
        """Grades a batch and explains why one enterprise got its grade.

        Returns:
            The explanation as JSON text: `id`, `name`, `industry`, `model`, `model_name`,
            `version`, `as_of`, `score`, `base_score`, `class`, `class_label`, `dimensions`
            and `indicators` (points, weights, contributions and shares), `rules`, `labels`,
            `reasons`, `issues`, `insufficient`, and the readable report as `text`.

        Raises:
            KeyError: the batch holds no enterprise `id`.
            DataError: the batch cannot be graded (as for `classify`).
            EvaluationError: a rule failed and the policy stops the batch.
            ValueError: `on_rule_error` is not a policy.
        """
    def test_rules(self, text: str, name: str = "<tests>") -> str:
        """Runs rule tests against the set.

        Args:
            text: The TOML text of a `.tests.toml` file.
            name: The name the tests are known by in messages and in `file`.

        Returns:
            A JSON array, one object per test: `name`, `passed`, `failures`, `effects`,
            `class` and `score` (`null` when the test grades nothing), and `report`.

        Raises:
            DataError: the tests cannot be read (`file`, `line`, `column`).
        """

@final
class Store:
    """A history store, read-only unless `writable`; each query returns a `pyarrow.Table`.

    Thread-safe: one connection behind a lock. A period, draw, decision or commitment the
    store does not hold is a `KeyError`; a request the store refuses is a `DataError` with
    `file` (the store's), and nothing is written. A period is `YYYY-MM` (else `ValueError`).
    """

    def __new__(cls, path: str | os.PathLike[str], *, writable: bool = False) -> Store:
        """Opens a store: read-only (nothing is written to the file or its folder) unless
        `writable`, which opens it as the command line's writing commands do.

        Raises:
            DataError: the file cannot be opened or is not a store (`file`).
        """
    @property
    def path(self) -> str:
        """The store's file."""
    @property
    def writable(self) -> bool:
        """Whether the store was opened for writing."""
    def periods(self) -> Any:
        """The stored periods, oldest first.

        Columns: `period`, `as_of`, `model_version`, `source`, `enterprises`, `graded`,
        `errors`, and a `class:X` count per class.
        """
    def results(self, period: str) -> Any:
        """The results of a stored period, in id order.

        Columns: `id`, `industry`, `district`, `model`, `score`, `score_before_rules`,
        `class`, `reasons`, `labels`, `alerts`, `rules`, `manual_decision`, `status`
        (`graded` or `error`) and `error`.

        Raises:
            KeyError: the store has no run of `period`.
            ValueError: `period` is not `YYYY-MM`.
        """
    def changes(self, period: str, id: str | None = None) -> Any:
        """Why classes changed in a stored period against the period before it (of one
        enterprise when `id` is given).

        Columns: `id`, `from_class`, `to_class`, `kind`, `detail`.

        Raises:
            KeyError: the store has no run of `period`.
            ValueError: `period` is not `YYYY-MM`.
        """
    def history(self, id: str) -> Any:
        """One enterprise's class period by period, oldest first, with why it changed.

        Columns: `period`, `as_of`, `model_version`, `class`, `score`, `error`, and
        `changes` (a list of details). An enterprise in none of the stored periods is a
        `KeyError`, as `riskgrade history` refuses it.
        """
    def decisions(self, enterprise: str | None = None) -> Any:
        """The manual decisions (of one enterprise when given), oldest first.

        Columns: `id`, `enterprise`, `kind`, `class`, `period`, `effective`, `until`,
        `reason`, `decided_by`, `status`, `outcome`, `follows`, `description`.
        """
    def audit(self, enterprise: str | None = None) -> Any:
        """The audit trail (of one enterprise when given), in order.

        Columns: `seq`, `at` (seconds since 1970, UTC), `actor`, `action`, `decision`,
        `enterprise`, `detail`.
        """
    def queue(self, period: str, department: str | None = None) -> Any:
        """Each department's queue of the period's routed alerts: one row per department and
        enterprise (only `department`'s rows when given).

        Columns: `department`, `id`, `class`, `topics` and `labels` (lists).

        Raises:
            KeyError: the store has no run of `period`.
            ValueError: `period` is not `YYYY-MM`.
        """
    def compare(self, from_: str, to: str) -> tuple[str, Any, Any, str]:
        """Compares two stored periods, as `riskgrade changes` does.

        Returns:
            The summary as JSON (`from`, `to`, `classes`, `matrix`, `entered`, `left`); the
            movers (`id`, `from_class`, `to_class`, `steps`, `score_before`, `score_after`,
            `reasons`); the PSI of scores and indicators (`model`, `what`, `psi`, `band`);
            and the printed report.

        Raises:
            KeyError: the store has no run of one of the periods.
            ValueError: a period is not `YYYY-MM`.
        """
    def run_month(
        self,
        model: Model,
        data: _Batch,
        period: str,
        as_of: str | None = None,
        replace: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> tuple[str, str]:
        """Grades a month into the store, as `riskgrade run` does.

        Decisions in effect apply, the period replaces an earlier run of it atomically, and
        what changed since the previous period is stored. `data` is Arrow data or profile
        JSON text, as `Model.classify` takes; `as_of` defaults to the period's last day. A
        period inspections were drawn from is replaced only with `replace`. `progress`, when
        given, is called on this thread as `(done, total)` while the month is graded; an
        exception it raises stops the run before anything is stored.

        Returns:
            The report's text, and its figures as JSON (`period`, `as_of`, `enterprises`,
            `graded`, `errors`, `previous`, `riskier`, `less_risky`, `new`, `gone`).

        Raises:
            ValueError: the store is read-only, or `period` is not `YYYY-MM`.
            DataError: the period was drawn from and `replace` is false, `as_of` does not
                parse, the batch cannot be read or lacks a column, or the store refuses the run.
            EvaluationError: the grading failed.
        """
    def draws(self) -> Any:
        """Every draw, oldest first.

        Columns: `draw` (its number), `period`, `drawn_on`, `plan`, `seed`, `tasks`,
        `commitment` (the commitment it was drawn under, or null), `plan_digest`,
        `candidates_digest`, `pool_digest`, `history_digest`, `recorded_at`.
        """
    def tasks(self, draw: int) -> Any:
        """A draw's tasks by number, with the enterprise's score and the outcome once recorded.

        Columns: `task`, `enterprise`, `class`, `score` (in the period drawn from),
        `stratum`, `kind`, `why`, `inspectors` (a list), `status` (`open` or `closed`),
        `inspected_on`, `result`, `severity`, `note`.

        Raises:
            KeyError: the store has no such draw.
        """
    def commit(
        self,
        period: str,
        *,
        plan: str,
        pool_file: str | os.PathLike[str] | None = None,
        pool_csv: str | None = None,
        date: str | None = None,
        by: str,
    ) -> tuple[int, str, str]:
        """Stores the commitment to a draw's inputs before the seed exists, as `riskgrade draw
        commit` does.

        Args:
            period: The stored period to draw from.
            plan: A plan file, or the name of an embedded plan.
            pool_file: An inspector pool file (`.csv`, `.parquet`, `.jsonl`).
            pool_csv: An inspector pool as CSV text (used when `pool_file` is not given;
                with neither, the embedded reference pool).
            date: The draw's date (default: the first day of the month after `period`).
            by: Who commits, for the audit trail.

        Returns:
            The commitment's number, its digest, and the digests of its inputs as JSON
            (`plan`, `candidates`, `pool`, `history`).

        Raises:
            ValueError: the store is read-only, `period` is not `YYYY-MM`, or `plan` is
                neither a file nor an embedded plan.
            KeyError: the store has no run of `period`.
            DataError: the plan, the pool or `date` cannot be read, or the draw would be
                refused.
        """
    def draw(
        self,
        *,
        seed: str,
        by: str,
        period: str | None = None,
        plan: str | None = None,
        commitment: int | None = None,
        pool_file: str | os.PathLike[str] | None = None,
        pool_csv: str | None = None,
        date: str | None = None,
    ) -> int:
        """Draws enterprises and inspectors and records the draw and its tasks, as `riskgrade
        draw` does; returns the draw's number.

        Either under a stored `commitment` (which fixes the period, plan and date: give none
        of them), or from `period` by `plan` (default `henan-2021`) on `date` (default: the
        first day of the next month). The pool is given as for `commit`; `seed` is the
        published seed.

        Raises:
            ValueError: the store is read-only, neither or both of `period` and
                `commitment` are given, `commitment` comes with a `plan` or `date`, or the
                plan is unknown.
            KeyError: the store has no run of `period`, or no such commitment.
            DataError: the plan, the pool or `date` cannot be read, the pool is too small
                for the plan, or the inputs differ from the commitment.
        """
    def verify(
        self, draw: int, *, pool_file: str | os.PathLike[str] | None = None, pool_csv: str | None = None
    ) -> tuple[str, Any]:
        """Re-draws a stored draw and checks its inputs and tasks, as `riskgrade verify` does.

        A draw that does not re-draw the same is not an error: the summary says so.

        Returns:
            The summary as JSON (`draw`, `identical`, `commitment`, `commitment_digest`,
            `inputs` as `{input, stored, now}`, `stored_tasks`, `tasks_again`,
            `enterprises_differ`, `inspectors_differ`), and the differing tasks (`task`,
            `stored_enterprise`, `stored_inspectors`, `again_enterprise`,
            `again_inspectors`).

        Raises:
            KeyError: the store has no such draw.
            DataError: the pool cannot be read, or the stored draw cannot be re-drawn.
        """
    def record_outcomes(
        self,
        draw: int,
        enterprise: list[str | None],
        date: list[str | None],
        result: list[str | None],
        severity: list[str | None],
        note: list[str | None],
        *,
        by: str,
    ) -> tuple[int, int]:
        """Closes tasks of `draw` with what the inspections found, all or nothing, as
        `riskgrade outcomes` does.

        The five lists are the columns of the outcomes, row for row. A `result` is
        `problem`, `no_problem`, `not_reachable` or `refused` (or 发现问题, 未发现问题,
        无法联系, 拒绝检查); `date` is `YYYY-MM-DD`.

        Returns:
            How many tasks were closed, and how many of the draw's tasks are still open.

        Raises:
            ValueError: the columns differ in length, or the store is read-only.
            DataError: a value is missing or bad, an enterprise has no open task in the
                draw, or its task is closed already (`row` from 0, `column`, `value`).
            KeyError: the store has no such draw.
        """
    def evaluate(self, draw: int, *, random_only: bool = False) -> tuple[str, str]:
        """Evaluates a draw's closed tasks against the classes and scores they were drawn with,
        as `riskgrade evaluate` does; `random_only` counts only the random picks.

        Returns:
            The evaluation as JSON (`classes` and `unlisted`, each row with `class`,
            `inspected`, `problems`, `detection_rate`, `lift`; `monotone`, `inspected`,
            `problems`, `detection_rate`, `scored`, `auc`, `ks`, `gini`), and its printed
            table.

        Raises:
            KeyError: the store has no such draw.
            DataError: the period the draw was made from is not stored.
        """
    def override_class(
        self, id: str, class_: str, *, effective: str, by: str, reason: str, until: str | None = None
    ) -> int:
        """Records a class override from `effective` (until `until`, or until revoked), as
        `riskgrade decide override` does; returns the decision's number.

        Raises:
            ValueError: the store is read-only.
            DataError: a date does not parse, or the store refuses the decision.
        """
    def repair(self, id: str, *, record: str, record_date: str, repaired: str, by: str, reason: str) -> int:
        """Records a credit repair: the enterprise's `record` (its kind) of `record_date`
        counts no more from `repaired`, as `riskgrade decide repair` does; returns the
        decision's number.

        Raises:
            ValueError: `record` is not a record kind, or the store is read-only.
            DataError: a date does not parse, or the store refuses the decision.
        """
    def objection(self, id: str, period: str, *, filed: str, by: str, reason: str) -> int:
        """Files an enterprise's objection to its grade of `period`, open until resolved, as
        `riskgrade decide objection` does; returns its number.

        Raises:
            ValueError: `period` is not `YYYY-MM`, or the store is read-only.
            DataError: `filed` does not parse, or the store refuses the decision.
        """
    def resolve(
        self,
        decision: int,
        *,
        upheld: bool,
        by: str,
        note: str,
        class_: str | None = None,
        effective: str | None = None,
    ) -> int | None:
        """Resolves an open objection, as `riskgrade decide resolve` does.

        A rejected objection keeps the grade; an upheld one with `class_` (and `effective`,
        the day it counts from) records the new class as an override.

        Returns:
            The number of the override an upheld objection's new class is recorded as, or
            `None`.

        Raises:
            ValueError: `class_` or `effective` is given for a rejected objection, `class_`
                without `effective` for an upheld one, or the store is read-only.
            KeyError: the store has no such decision.
            DataError: the decision is not an open objection, or `effective` does not parse.
        """
    def revoke(self, decision: int, *, by: str, why: str) -> None:
        """Withdraws an active override or repair, as `riskgrade decide revoke` does.

        Raises:
            ValueError: the store is read-only.
            KeyError: the store has no such decision.
            DataError: the store refuses (the decision is not an active override or repair).
        """

def check(model: Model, data: _Batch, as_of: str) -> str:
    """The models the batch's rows are routed to and its missing, extra and mistyped columns, as JSON.

    A dry run without grading: `data` must be Arrow data. The values of the usable columns
    are checked as a grading as of `as_of` without rules would find them.

    Returns:
        JSON text with `routed` (model ids), `missing` (`{column, type}`), `extra` (column
        names), `mistyped` (`{column, type, problem}`) and `values` (`{row, id, column,
        problem, flagged}`, `row` from 0, `flagged` for a value graded anyway).

    Raises:
        DataError: `data` is profile text, the Arrow stream cannot be read, or `as_of` does
            not parse.
    """

def explain_many(
    model: Model, data: _Batch, as_of: str, ids: list[str], *, rules: bool = True, on_rule_error: str = "fail-row"
) -> list[str]:
    """One explanation as JSON per id, from one grading of the batch.

    The explanations are in the order of `ids`, each as `Model.explain` returns it.

    Raises:
        KeyError: one for every id the batch does not hold; its `ids` attribute lists them.
        DataError: the batch cannot be graded (as for `Model.classify`).
        EvaluationError: a rule failed and the policy stops the batch.
        ValueError: `on_rule_error` is not a policy.
    """

def compare(
    before: Model,
    after: Model,
    data: _Batch,
    as_of: str,
    *,
    before_rules: bool = True,
    after_rules: bool = True,
    top: int = 10,
    outcomes: _Outcomes | None = None,
) -> tuple[str, Any, str, str | None]:
    """Grades one batch with two model sets (or one set with and without rules) and compares.

    `top` is how many of the biggest moves the printed report shows. With `outcomes`
    (inspection results), `before` is the champion and `after` the challenger, both judged
    on the same outcomes.

    Returns:
        The migration matrix as JSON (`classes`, `matrix` with a last `not graded` row and
        column, `total`); the movers as a `pyarrow.Table` (`id`, `class_before`,
        `class_after`, `move`, `steps`, scores, models and the rules that moved them); the
        printed report; and, with `outcomes`, the champion vs challenger report as JSON
        (`champion`, `challenger`, `class_psi`, `score_psi`, `matched`, `unmatched`), else
        `None`.

    Raises:
        ValueError: the outcome column is neither `result` nor `problem`.
        DataError: an outcome is bad or missing, `as_of` does not parse, or the batch cannot
            be read.
        EvaluationError: the two gradings cannot be compared (`row`).

    An error of one side's grading is raised as `Model.classify` raises it, with a `side`
    attribute naming the side.
    """

def calibrate(
    model: Model,
    data: _Batch,
    as_of: str,
    *,
    method: str,
    model_id: str | None = None,
    outcomes: _Outcomes | None = None,
    under: str | None = None,
    expert_share: float = 0.0,
    holdout: float = 0.3,
    seed: int = 0,
    shares: list[float] | None = None,
    keep_bands: bool = False,
) -> tuple[Model, str, str, str]:
    """Grades a batch and sets a model's weights from it.

    Args:
        method: `entropy` or `critic` (from how the indicators vary across the batch), or
            `logistic` (fitted on `outcomes`), in any case.
        model_id: The model to calibrate (default: the set's default model).
        outcomes: Inspection outcomes, for `logistic`.
        under: Entropy, CRITIC: only the leaves below this node get new weights.
        expert_share: The share of the current weights mixed into the new ones.
        holdout: Logistic: the share of the outcomes held out to evaluate the fit.
        seed: Logistic: chooses the held-out outcomes.
        shares: Logistic: the class shares to cut the new scores to (default: the old
            shares).
        keep_bands: Logistic: keep the class bands instead; excludes `shares`.

    Returns:
        The new model (in memory), the report's text, each leaf's absolute weight as JSON
        (`[{leaf, before, after}]`), and the provenance entries added as JSON.

    Raises:
        ValueError: an unknown method, model or node, a node that is not a leaf or has
            nothing below it, or a setting out of range (`model`, `node`, `argument`).
        DataError: the outcomes cannot be read or are missing, the method cannot use the
            data (`method`), or the batch cannot be graded.
        ModelError: the new version does not validate (not expected in practice).
    """

def synthesize(
    n: int, *, seed: int = 42, as_of: str = "2026-11-01", model: Model | None = None, profiles: bool = False
) -> Any:
    """A synthetic population of `n` enterprises as of a date; the same seed gives the same data.

    Returns:
        A `pyarrow.Table` with `id`, `name`, `industry`, `district`, one column per input
        of `model` (the reference set when `None`) derived as of `as_of`, and the hidden
        `true_propensity` and `true_segment`; with `profiles`, the profiles as JSON Lines
        text (`model` is then not used).

    Raises:
        DataError: `as_of` does not parse.
    """
