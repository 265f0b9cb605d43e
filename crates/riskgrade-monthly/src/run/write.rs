//! Stage 5 of a monthly run: the period written to the store in one
//! transaction — the run, every enterprise's result row, the change notes.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use riskgrade_core::Frame;
use riskgrade_engine::{Grades, ReasonWriter};
use riskgrade_store::{ChangeNote, ResultRow, RunInfo, RunWriter, StoreError};

use crate::notes::result_row;

/// Rows are built in parallel this many at a time, a chunk ahead of the inserting thread.
const CHUNK: usize = 16_384;
/// Rows whose leaf points are computed together, one leaf at a time (see
/// [`ReasonWriter::load_points`]).
const BLOCK: usize = 256;

/// Writes the run begun by `writer`: result rows in `order` (id order, the store's key order), then the notes.
/// Returns the stored run and the number of notes of each kind.
pub(super) fn write_period(
    mut writer: RunWriter<'_>,
    grades: &Grades,
    frame: &Frame,
    order: &[usize],
    manual_of: &HashMap<usize, i64>,
    notes: &[ChangeNote],
) -> Result<(RunInfo, BTreeMap<&'static str, u64>), StoreError> {
    let build = |w: &mut ReasonWriter<'_>, rows: &[usize]| {
        w.load_points(rows);
        rows.iter()
            .enumerate()
            .map(|(i, &r)| result_row(grades, frame, w, r, Some(i), manual_of.get(&r).copied()))
            .collect::<Vec<ResultRow>>()
    };
    let chunks: Vec<&[usize]> = order.chunks(CHUNK).collect();
    std::thread::scope(|scope| -> Result<(), StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ResultRow>>(2);
        let build = &build;
        let chunks = &chunks;
        scope.spawn(move || {
            for chunk in chunks {
                let rows: Vec<ResultRow> = chunk
                    .par_chunks(BLOCK)
                    .map_init(|| grades.reason_writer(frame), |w, rows| build(w, rows))
                    .flatten_iter()
                    .collect();
                if tx.send(rows).is_err() {
                    return;
                }
            }
        });
        for rows in rx {
            writer.insert_all(&rows)?;
        }
        Ok(())
    })?;
    let mut by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    for note in notes {
        writer.note(note)?;
        *by_kind.entry(note.kind.name()).or_default() += 1;
    }
    Ok((writer.commit()?, by_kind))
}
