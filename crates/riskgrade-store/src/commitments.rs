//! Commitments: the digests of a draw's inputs, stored and published before its seed exists,
//! and the draw made under each ("one public": nobody can re-roll a draw by changing its inputs
//! once the seed is known).

use riskgrade_core::{Date, Month};
use rusqlite::{OptionalExtension, params};

use crate::audit::audit;
use crate::inspections::{NewDraw, insert_draw};
use crate::{InvalidRequest, Result, Store, StoreError, now};

/// A commitment to record, or as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentRow {
    /// Its number (0 before it is recorded).
    pub id: i64,
    /// The graded period the draw will be based on.
    pub period: Month,
    /// The draw date.
    pub drawn_on: Date,
    /// The plan's id.
    pub plan_id: String,
    /// The plan (canonical JSON).
    pub plan: String,
    /// Digest of the plan.
    pub plan_digest: String,
    /// Digest of the candidate list.
    pub candidates_digest: String,
    /// Digest of the inspector pool.
    pub pool_digest: String,
    /// Digest of the inspection history.
    pub history_digest: String,
    /// The commitment's own digest, published before the seed.
    pub digest: String,
    /// When it was recorded (unix seconds).
    pub committed_at: i64,
    /// The draw made under it, once drawn.
    pub draw: Option<i64>,
}

const COLUMNS: &str = "id, period, drawn_on, plan_id, plan, plan_digest, candidates_digest, \
     pool_digest, history_digest, digest, committed_at, draw";

impl Store {
    /// Records a commitment (its `id`, `committed_at` and `draw` are ignored); returns its
    /// number. Audited.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn record_commitment(&mut self, c: &CommitmentRow, actor: &str) -> Result<i64> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("recording a commitment of plan {}", c.plan_id),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO commitments (period, drawn_on, plan_id, plan, plan_digest, candidates_digest, \
             pool_digest, history_digest, digest, committed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                c.period.to_string(),
                c.drawn_on.to_string(),
                c.plan_id,
                c.plan,
                c.plan_digest,
                c.candidates_digest,
                c.pool_digest,
                c.history_digest,
                c.digest,
                now()
            ],
        )
        .map_err(wrap)?;
        let id = tx.last_insert_rowid();
        let detail = format!(
            "commitment #{id} {} to a draw of plan {} on {} from period {}",
            c.digest, c.plan_id, c.drawn_on, c.period
        );
        audit(&tx, actor, "commit", None, None, &detail).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    /// One commitment by number.
    ///
    /// # Errors
    /// No such commitment, or SQLite errors.
    pub fn commitment(&self, id: i64) -> Result<CommitmentRow> {
        self.query_commitments("WHERE id = ?1", &[&id])?
            .pop()
            .ok_or(InvalidRequest::NoCommitment { commitment: id }.into())
    }

    /// The commitment a draw was made under, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn commitment_of_draw(&self, draw: i64) -> Result<Option<CommitmentRow>> {
        Ok(self.query_commitments("WHERE draw = ?1", &[&draw])?.pop())
    }

    /// Records a draw made under commitment `commitment`, in one transaction with marking the
    /// commitment drawn; a commitment is drawn once.
    ///
    /// # Errors
    /// No such commitment, a commitment drawn already, or SQLite errors.
    pub fn record_committed_draw(
        &mut self,
        d: &NewDraw,
        commitment: i64,
        actor: &str,
    ) -> Result<i64> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("recording a draw under commitment #{commitment}"),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let used: Option<Option<i64>> = tx
            .query_row(
                "SELECT draw FROM commitments WHERE id = ?1",
                [commitment],
                |r| r.get(0),
            )
            .optional()
            .map_err(wrap)?;
        match used {
            None => return Err(InvalidRequest::NoCommitment { commitment }.into()),
            Some(Some(draw)) => {
                return Err(InvalidRequest::CommitmentUsed { commitment, draw }.into());
            }
            Some(None) => {}
        }
        let id = insert_draw(&tx, d, actor).map_err(wrap)?;
        tx.execute(
            "UPDATE commitments SET draw = ?2 WHERE id = ?1",
            params![commitment, id],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    fn query_commitments(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CommitmentRow>> {
        let ctx = "reading commitments";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM commitments {filter} ORDER BY id"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map(args, |r| {
                let text = |i: usize| r.get::<_, String>(i);
                Ok((
                    r.get::<_, i64>(0)?,
                    [
                        text(1)?,
                        text(2)?,
                        text(3)?,
                        text(4)?,
                        text(5)?,
                        text(6)?,
                        text(7)?,
                        text(8)?,
                        text(9)?,
                    ],
                    r.get::<_, i64>(10)?,
                    r.get::<_, Option<i64>>(11)?,
                ))
            })
            .map_err(|e| self.sql(ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, [period, on, plan_id, plan, pd, cd, pool, hd, digest], at, draw) =
                row.map_err(|e| self.sql(ctx, e))?;
            let bad = |column: &'static str, value: &str| {
                self.corrupt("commitments", format_args!("#{id}"), column, value)
            };
            out.push(CommitmentRow {
                id,
                period: period.parse().map_err(|_| bad("period", &period))?,
                drawn_on: on.parse().map_err(|_| bad("drawn_on", &on))?,
                plan_id,
                plan,
                plan_digest: pd,
                candidates_digest: cd,
                pool_digest: pool,
                history_digest: hd,
                digest,
                committed_at: at,
                draw,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskRow;

    fn draw(on: &str, whys: &[(&str, &str)]) -> NewDraw {
        NewDraw {
            period: "2026-01".parse().expect("a month"),
            drawn_on: on.parse().expect("a date"),
            plan_id: "p".into(),
            plan_digest: "pd".into(),
            plan: "{}".into(),
            seed: "s".into(),
            candidates_digest: "cd".into(),
            pool_digest: "ld".into(),
            history_digest: "hd".into(),
            tasks: whys
                .iter()
                .enumerate()
                .map(|(i, (e, why))| TaskRow {
                    number: i as u32 + 1,
                    enterprise: (*e).into(),
                    class: "B".into(),
                    stratum: "all".into(),
                    why: (*why).into(),
                    inspectors: vec!["I1".into()],
                })
                .collect(),
        }
    }

    #[test]
    fn a_commitment_is_drawn_once_and_counts_follow_the_draws() {
        let mut store = Store::in_memory().expect("a store");
        let row = CommitmentRow {
            id: 0,
            period: "2026-01".parse().expect("a month"),
            drawn_on: "2026-02-01".parse().expect("a date"),
            plan_id: "p".into(),
            plan: "{}".into(),
            plan_digest: "pd".into(),
            candidates_digest: "cd".into(),
            pool_digest: "ld".into(),
            history_digest: "hd".into(),
            digest: "c".into(),
            committed_at: 0,
            draw: None,
        };
        let id = store.record_commitment(&row, "clerk").expect("recorded");
        assert_eq!(store.commitment(id).expect("stored").digest, "c");
        let d = draw(
            "2026-02-01",
            &[
                ("E1", "random: 1 of 2, class B"),
                ("E2", "alert: complaints"),
            ],
        );
        let drawn = store.record_committed_draw(&d, id, "clerk").expect("drawn");
        assert_eq!(store.commitment(id).expect("stored").draw, Some(drawn));
        assert_eq!(
            store.commitment_of_draw(drawn).expect("read").map(|c| c.id),
            Some(id)
        );
        let again = store.record_committed_draw(&d, id, "clerk").unwrap_err();
        assert!(
            matches!(
                again,
                StoreError::Invalid(InvalidRequest::CommitmentUsed { commitment, draw })
                    if commitment == id && draw == drawn
            ),
            "{again}"
        );
        assert!(store.record_committed_draw(&d, 99, "clerk").is_err());
        // Only one draw was stored: a refused one leaves nothing behind.
        assert_eq!(store.draws().expect("read").len(), 1);
        let counts = store
            .year_counts(
                "2026-03-01".parse().expect("a date"),
                "2026-01".parse().expect("a month"),
            )
            .expect("counted");
        assert_eq!(counts["E1"].drawn, 1);
        assert_eq!((counts["E2"].forced, counts["E2"].forced_in_period), (1, 1));
        // A draw dated the day asked about does not count, nor does an earlier year.
        let same_day = store
            .year_counts(
                "2026-02-01".parse().expect("a date"),
                "2026-01".parse().expect("a month"),
            )
            .expect("counted");
        assert!(same_day.is_empty());
        let next_year = store
            .year_counts(
                "2027-01-05".parse().expect("a date"),
                "2026-12".parse().expect("a month"),
            )
            .expect("counted");
        assert!(next_year.is_empty());
    }
}
