//! Damaged Parquet files that make the decoder panic are refused like any bad data file:
//! exit 4 with the file named, and no panic message or backtrace on the terminal.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn importing_a_damaged_parquet_file_is_bad_data_without_a_panic_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../riskgrade-monthly/tests/corpus/shared");
    for name in [
        "decoder-panic-header.parquet",
        "decoder-panic-pages.parquet",
    ] {
        let file = corpus.join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_riskgrade"))
            .args(["import", "-s", db.to_str().unwrap(), file.to_str().unwrap()])
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(4), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains("the file is damaged"),
            "{name}: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
    }
}
