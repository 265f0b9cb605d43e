//! The store's tables and their versioned migrations.
//!
//! The schema version lives in SQLite's `user_version`. Opening a store runs
//! every migration newer than the file's version, each in its own transaction,
//! and refuses a file written by a newer riskgrade.

/// Migrations in order; migration `i` brings the schema to version `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, results, explained changes, manual decisions, the audit trail.
    r"
CREATE TABLE runs (
    period        TEXT PRIMARY KEY,          -- YYYY-MM
    as_of         TEXT NOT NULL,             -- YYYY-MM-DD
    version_id    TEXT NOT NULL,             -- model set version id
    input_digest  TEXT NOT NULL,             -- sha-256 of the graded input
    source        TEXT NOT NULL,             -- 'local' or the department a shared result set came from
    started_at    INTEGER NOT NULL,          -- unix seconds
    finished_at   INTEGER NOT NULL,
    enterprises   INTEGER NOT NULL,
    graded        INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    classes       TEXT NOT NULL,             -- JSON: class names, least risky first
    class_counts  TEXT NOT NULL,             -- JSON: enterprises per class, same order
    indicators    TEXT NOT NULL              -- JSON: model id -> indicator paths (the numbering of `drivers`)
);
CREATE TABLE results (
    period      TEXT NOT NULL,
    id          TEXT NOT NULL,
    model       TEXT,
    score       REAL,
    base_score  REAL,                        -- before rules
    class       TEXT,                        -- NULL when the enterprise could not be graded
    reasons     TEXT NOT NULL,               -- top reasons, as text, '; '-separated
    drivers     TEXT NOT NULL,               -- indicators above their least risky points: 'index:points' joined by ' '
    labels      TEXT NOT NULL,
    alerts      TEXT NOT NULL,
    rules       TEXT NOT NULL,               -- ids of the rules that acted
    manual      INTEGER,                     -- the manual decision that set the class
    error       TEXT,                        -- why the enterprise was not graded
    PRIMARY KEY (period, id)
) WITHOUT ROWID;
CREATE TABLE changes (
    period      TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    from_class  TEXT,
    to_class    TEXT,
    kind        TEXT NOT NULL,               -- new | record | repair | indicator | rule | manual | model
    detail      TEXT NOT NULL,
    PRIMARY KEY (period, id, seq)
) WITHOUT ROWID;
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    enterprise   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('override', 'repair', 'objection')),
    class        TEXT,                       -- override: the class; objection: the class asked for
    record_kind  TEXT,                       -- repair: the record's kind
    record_date  TEXT,                       -- repair: the record's date
    period       TEXT,                       -- objection: the period objected to
    effective    TEXT NOT NULL,              -- the decision counts from this date (repair: the repair date)
    until        TEXT,                       -- override: last day it counts (NULL: until revoked)
    reason       TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'open', 'upheld', 'rejected')),
    outcome      TEXT,                       -- objection: how it was resolved
    follows      INTEGER REFERENCES decisions(id)  -- an override that resolves this objection
);
CREATE INDEX decisions_enterprise ON decisions (enterprise);
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    decision     INTEGER,
    enterprise   TEXT,
    detail       TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
",
    // 2: where each enterprise is (for strata), inspection draws, their tasks and outcomes.
    r"
ALTER TABLE runs ADD COLUMN compared_with TEXT;    -- the period the change notes were computed against
ALTER TABLE results ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN industry TEXT NOT NULL DEFAULT '';
CREATE TABLE draws (
    id                 INTEGER PRIMARY KEY,
    period             TEXT NOT NULL,        -- the graded period the draw is based on
    drawn_on           TEXT NOT NULL,        -- the draw date
    plan_id            TEXT NOT NULL,
    plan_digest        TEXT NOT NULL,
    plan               TEXT NOT NULL,        -- the plan as drawn (canonical JSON)
    seed               TEXT NOT NULL,        -- the published seed
    candidates_digest  TEXT NOT NULL,
    pool_digest        TEXT NOT NULL,
    history_digest     TEXT NOT NULL,
    recorded_at        INTEGER NOT NULL,
    tasks              INTEGER NOT NULL
);
CREATE TABLE tasks (
    draw          INTEGER NOT NULL REFERENCES draws(id),
    number        INTEGER NOT NULL,
    enterprise    TEXT NOT NULL,
    class         TEXT NOT NULL,
    stratum       TEXT NOT NULL,
    why           TEXT NOT NULL,
    inspectors    TEXT NOT NULL,             -- ';'-separated inspector ids
    status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    inspected_on  TEXT,
    result        TEXT CHECK (result IN ('no_problem', 'problem', 'not_reachable', 'refused')),
    severity      TEXT,
    note          TEXT,
    PRIMARY KEY (draw, number)
) WITHOUT ROWID;
CREATE INDEX tasks_enterprise ON tasks (enterprise);
",
    // 3: the results service: API keys, the access log, alert handling.
    r"
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,            -- the key's public id (part of the key)
    role        TEXT NOT NULL CHECK (role IN ('public', 'department', 'analyst', 'admin')),
    department  TEXT,                        -- required for role 'department'
    note        TEXT NOT NULL,
    salt        TEXT NOT NULL,               -- hex
    hash        TEXT NOT NULL,               -- hex sha-256 of salt and secret; the secret is never stored
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  INTEGER,
    CHECK (role <> 'department' OR department IS NOT NULL)
);
CREATE TABLE access_log (
    seq         INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,            -- unix milliseconds
    key         TEXT,                        -- the key's public id, when a known key was presented
    role        TEXT NOT NULL,
    department  TEXT,
    client      TEXT NOT NULL,
    method      TEXT NOT NULL,
    target      TEXT NOT NULL,               -- path and query
    status      INTEGER NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX access_log_key ON access_log (key);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TABLE alert_handling (
    period          TEXT NOT NULL,
    enterprise      TEXT NOT NULL,
    department      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'assigned', 'closed')),
    assignee        TEXT,
    acknowledged_at INTEGER,
    assigned_at     INTEGER,
    closed_at       INTEGER,
    action          TEXT,                    -- the disposition: action taken
    finding         TEXT CHECK (finding IN ('no_problem', 'problem', 'not_reachable', 'refused')),
    finding_date    TEXT,                    -- the disposition's date
    note            TEXT,
    updated_by      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (period, enterprise, department)
) WITHOUT ROWID;
CREATE INDEX alert_handling_findings ON alert_handling (finding_date) WHERE finding IS NOT NULL;
",
    // 4: commitments published before a draw's seed, and the draw made under each.
    r"
CREATE TABLE commitments (
    id                 INTEGER PRIMARY KEY,
    period             TEXT NOT NULL,        -- the graded period the draw will be based on
    drawn_on           TEXT NOT NULL,        -- the draw date
    plan_id            TEXT NOT NULL,
    plan               TEXT NOT NULL,        -- the plan (canonical JSON)
    plan_digest        TEXT NOT NULL,
    candidates_digest  TEXT NOT NULL,        -- of the candidate list (JSON Lines)
    pool_digest        TEXT NOT NULL,
    history_digest     TEXT NOT NULL,
    digest             TEXT NOT NULL,        -- the commitment's own digest, published before the seed
    committed_at       INTEGER NOT NULL,
    draw               INTEGER UNIQUE REFERENCES draws(id)  -- the draw made under it
);
CREATE INDEX draws_drawn_on ON draws (drawn_on);
",
    // 5: the directory of enterprises: names and credit codes for lookups and publication.
    r"
CREATE TABLE directory (
    id           TEXT PRIMARY KEY,           -- enterprise id
    name         TEXT NOT NULL,              -- registered name ('' when not given)
    credit_code  TEXT                        -- unified social credit code, when given
);
CREATE INDEX directory_credit_code ON directory (credit_code) WHERE credit_code IS NOT NULL;
",
    // 6: the licence types each enterprise of a period held, for plans scoped by licence type;
    // they go with their period (a replaced or removed run takes its licence rows with it).
    r"
CREATE TABLE period_licences (
    period  TEXT NOT NULL,                   -- YYYY-MM
    id      TEXT NOT NULL,                   -- enterprise id
    kind    TEXT NOT NULL,                   -- licence type, e.g. food_production
    PRIMARY KEY (period, id, kind)
) WITHOUT ROWID;
CREATE TRIGGER runs_clear_period_licences AFTER DELETE ON runs
BEGIN DELETE FROM period_licences WHERE period = OLD.period; END;
",
    // 7: lean results. Texts that repeat (classes, models, districts, industries, labels,
    // alerts, rule ids, and the templates of reasons, errors and change notes) are kept once
    // in `texts`; a result row holds their keys, its numbers, and its reasons, drivers,
    // lists and error as structured codes rendered on read (codec.rs). Periods are months
    // since year 0. The rows of `results` and `changes` are converted (upgrade.rs), then
    // those tables are dropped.
    r"
CREATE TABLE texts (
    key   INTEGER PRIMARY KEY,
    text  TEXT NOT NULL UNIQUE
);
CREATE TABLE result_rows (
    period      INTEGER NOT NULL,            -- year * 12 + month - 1
    id          TEXT NOT NULL,
    class       INTEGER,                     -- texts.key; NULL when the enterprise could not be graded
    score       REAL,
    base_score  REAL,                        -- before rules; NULL when the same as score
    model       INTEGER,                     -- texts.key
    district    INTEGER NOT NULL,            -- texts.key
    industry    INTEGER NOT NULL,            -- texts.key
    manual      INTEGER,                     -- the manual decision that set the class
    detail      BLOB NOT NULL,               -- reasons, drivers, labels, alerts, rules, error (codec.rs)
    PRIMARY KEY (period, id)
) WITHOUT ROWID;
CREATE TABLE change_notes (
    period      INTEGER NOT NULL,            -- year * 12 + month - 1
    id          TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    from_class  INTEGER,                     -- texts.key
    to_class    INTEGER,                     -- texts.key
    kind        INTEGER NOT NULL,            -- texts.key of the kind's name
    detail      BLOB NOT NULL,               -- the text, templated (codec.rs)
    PRIMARY KEY (period, id, seq)
) WITHOUT ROWID;
",
    // 8: results as blocks. A period's result rows are kept in blocks of up to 128 rows
    // in id order, one blob each (blocks.rs), found by their first id; the rows of
    // `result_rows` are moved into blocks (upgrade.rs), then that table is dropped.
    r"
CREATE TABLE result_blocks (
    period    INTEGER NOT NULL,              -- year * 12 + month - 1
    seq       INTEGER NOT NULL,              -- the block's place in the period, from 0
    first_id  TEXT NOT NULL,                 -- its first enterprise id
    last_id   TEXT NOT NULL,                 -- its last enterprise id
    rows      INTEGER NOT NULL,
    data      BLOB NOT NULL,                 -- the rows, in id order (blocks.rs)
    PRIMARY KEY (period, seq)
);
CREATE INDEX result_blocks_first_id ON result_blocks (period, first_id);
",
];

/// The migration that converts `results` and `changes` into `result_rows`
/// and `change_notes`: after its SQL, [`crate::upgrade`] moves the rows.
pub(crate) const LEAN_RESULTS: u32 = 7;

/// The migration that moves `result_rows` into `result_blocks`: after its SQL,
/// [`crate::upgrade`] moves the rows.
pub(crate) const RESULT_BLOCKS: u32 = 8;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;
