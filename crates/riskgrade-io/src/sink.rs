//! Writing rows to a file fast: rows are rendered to bytes in parallel chunks,
//! and the chunks are written in order through one buffer.
//!
//! Every output is written to a temporary file beside its destination and
//! renamed over it once complete, so a results file is either complete or
//! absent (a full disk or a failed encoding leaves the previous file, if any).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::IoError;

/// An output being written to a temporary file beside `path`; dropped before
/// [`Pending::finish`], it removes the temporary file.
pub(crate) struct Pending {
    path: PathBuf,
    temp: PathBuf,
    armed: bool,
}

impl Pending {
    /// Flushes `out`, syncs it to disk and renames it to the destination.
    pub(crate) fn finish(mut self, out: BufWriter<File>) -> Result<(), IoError> {
        let file = out
            .into_inner()
            .map_err(|e| IoError::io(&self.path, e.error()))?;
        file.sync_all().map_err(|e| IoError::io(&self.path, &e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| IoError::io(&self.path, &e))?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.armed {
            // The write failed already; that error is the one to report.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A temporary name beside `path`: hidden, unique to this process and call.
fn temp_path(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy());
    let temp = format!(".{name}.{}-{n}.partial", std::process::id());
    path.with_file_name(temp)
}

/// Creates a temporary file beside `path` for writing through a large buffer;
/// [`Pending::finish`] puts it in place.
pub(crate) fn create(path: &Path) -> Result<(BufWriter<File>, Pending), IoError> {
    let temp = temp_path(path);
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| IoError::io(path, &e))?;
    let pending = Pending {
        path: path.to_path_buf(),
        temp,
        armed: true,
    };
    Ok((BufWriter::with_capacity(1 << 20, file), pending))
}

/// Writes `bytes` to `path` whole or not at all: through a temporary file beside it, synced
/// and renamed over it (a full disk leaves the previous file, if any, and no temporary file).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("riskgrade-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("draw.json");
/// riskgrade_io::write_file(&path, b"{}\n")?;
/// assert_eq!(std::fs::read(&path)?, b"{}\n");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The file cannot be created, written, synced or renamed ([`IoError::Io`] with the path).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let (mut out, pending) = create(path)?;
    out.write_all(bytes).map_err(|e| IoError::io(path, &e))?;
    pending.finish(out)
}

/// Writes `prefix`, then rows `0..rows` rendered by `render` (called on
/// consecutive ranges of at most `chunk` rows, in parallel), then `suffix`.
///
/// At most a few chunks per thread are held in memory at once.
pub(crate) fn write_chunks<F>(
    path: &Path,
    rows: usize,
    chunk: usize,
    prefix: &[u8],
    suffix: &[u8],
    render: F,
) -> Result<(), IoError>
where
    F: Fn(Range<usize>, &mut Vec<u8>) -> Result<(), IoError> + Sync,
{
    let (mut out, pending) = create(path)?;
    let io = |e: std::io::Error| IoError::io(path, &e);
    out.write_all(prefix).map_err(io)?;
    render_chunks(&mut out, path, 0..rows, chunk, render)?;
    out.write_all(suffix).map_err(io)?;
    pending.finish(out)
}

/// Writes rows `rows` rendered by `render` (called on consecutive ranges of
/// at most `chunk` rows, in parallel) to `out`, in order; `path` names the
/// destination in errors. At most a few chunks per thread are held in memory at once.
pub(crate) fn render_chunks<F>(
    out: &mut BufWriter<File>,
    path: &Path,
    rows: Range<usize>,
    chunk: usize,
    render: F,
) -> Result<(), IoError>
where
    F: Fn(Range<usize>, &mut Vec<u8>) -> Result<(), IoError> + Sync,
{
    let io = |e: std::io::Error| IoError::io(path, &e);
    let chunk = chunk.max(1);
    let group = chunk * 4 * rayon::current_num_threads().max(1);
    let mut start = rows.start;
    while start < rows.end {
        let end = (start + group).min(rows.end);
        let ranges: Vec<Range<usize>> = (start..end)
            .step_by(chunk)
            .map(|s| s..(s + chunk).min(end))
            .collect();
        let rendered: Vec<Result<Vec<u8>, IoError>> = ranges
            .into_par_iter()
            .map(|r| {
                let mut buf = Vec::with_capacity(r.len() * 64);
                render(r, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for buf in rendered {
            out.write_all(&buf?).map_err(io)?;
        }
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_file_replaces_whole_files_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("results.csv");
        write_file(&path, b"first\n").expect("write");
        write_file(&path, b"second\n").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second\n");
        assert_eq!(names(dir.path()), ["results.csv"]);
        // A destination that cannot be written names it and leaves no temporary file.
        let err = write_file(&dir.path().join("absent").join("x.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("x.csv"), "{err}");
        assert_eq!(names(dir.path()), ["results.csv"]);
    }

    fn rows(path: &Path, fail_at: Option<usize>) -> Result<(), IoError> {
        write_chunks(path, 50_000, 1000, b"head\n", b"tail\n", |range, buf| {
            for r in range {
                if Some(r) == fail_at {
                    return Err(IoError::io(path, &std::io::Error::other("disk full")));
                }
                buf.extend_from_slice(format!("{r}\n").as_bytes());
            }
            Ok(())
        })
    }

    #[test]
    fn a_failing_write_leaves_no_partial_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.csv");
        // Failing in the first chunk, in the middle, and on the last row.
        for fail_at in [0, 23_456, 49_999] {
            assert!(rows(&path, Some(fail_at)).is_err());
            assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        }
    }

    #[test]
    fn a_failing_write_keeps_the_previous_file_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.csv");
        rows(&path, None).expect("first write");
        let before = std::fs::read(&path).expect("read");
        assert!(before.ends_with(b"49999\ntail\n"));
        assert!(rows(&path, Some(30_000)).is_err());
        assert_eq!(std::fs::read(&path).expect("read"), before);
        assert_eq!(names(dir.path()), ["results.csv"]);
    }

    #[test]
    fn a_destination_that_cannot_be_replaced_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.csv");
        std::fs::create_dir(&path).expect("a folder where the file should go");
        std::fs::write(path.join("inside"), b"x").expect("write");
        assert!(rows(&path, None).is_err());
        assert_eq!(names(dir.path()), ["results.csv"]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_destination() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no/such/folder/results.csv");
        let err = rows(&path, None).expect_err("no folder");
        assert!(err.to_string().contains("results.csv"), "{err}");
    }
}
