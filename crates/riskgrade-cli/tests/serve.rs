//! `riskgrade keys` and `riskgrade serve`: a key is shown once and stored
//! hashed, listed without its secret, revoked; the service starts on a
//! loopback port and answers with the key.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use riskgrade::store::{NewRun, ResultRow, Store};

type Fail = Box<dyn std::error::Error>;

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .expect("the riskgrade binary runs")
}

fn store(dir: &Path) -> Result<String, Fail> {
    let path = dir.join("keys.db");
    let mut store = Store::open(&path)?;
    let mut run = store.begin_run(NewRun::new(
        "2026-10".parse()?,
        "2026-10-31".parse()?,
        "v1",
        ["A", "B", "C", "D"],
    ))?;
    run.insert(&ResultRow::graded("E1", "general", 10.0, "A"))?;
    run.commit()?;
    Ok(path.display().to_string())
}

#[test]
fn a_key_is_shown_once_listed_without_its_secret_and_revoked() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let db = store(dir.path())?;
    let out = riskgrade(&[
        "keys",
        "add",
        "-s",
        &db,
        "--role",
        "department",
        "--department",
        "market",
        "--note",
        "market desk",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let key = text
        .lines()
        .last()
        .ok_or("no key printed")?
        .trim()
        .to_string();
    assert!(
        key.starts_with("rgk_") && key.len() == 4 + 12 + 1 + 64,
        "{key}"
    );
    let id = &key[4..16];
    let list = String::from_utf8(riskgrade(&["keys", "list", "-s", &db]).stdout)?;
    assert!(
        list.contains(id) && list.contains("market") && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(&key[17..]), "the secret is listed");
    let stored = Store::open_read_only(&db)?.key(id)?.ok_or("not stored")?;
    assert!(!stored.hash.contains(&key[17..]) && stored.hash.len() == 64);
    let revoke = riskgrade(&["keys", "revoke", "-s", &db, id]);
    assert!(revoke.status.success());
    let list = String::from_utf8(riskgrade(&["keys", "list", "-s", &db]).stdout)?;
    assert!(list.contains("revoked"), "{list}");
    assert_eq!(
        riskgrade(&["keys", "revoke", "-s", &db, id]).status.code(),
        Some(2)
    );
    Ok(())
}

#[test]
fn bad_key_requests_are_refused_with_a_usage_error() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let db = store(dir.path())?;
    for args in [
        vec!["keys", "add", "-s", &db, "--role", "root"],
        vec!["keys", "add", "-s", &db, "--role", "department"],
    ] {
        let out = riskgrade(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let missing = dir.path().join("missing.db").display().to_string();
    assert_eq!(
        riskgrade(&["keys", "add", "-s", &missing, "--role", "admin"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(riskgrade(&["serve", "-s", &missing]).status.code(), Some(2));
    assert!(!Path::new(&missing).exists(), "a missing store was created");
    Ok(())
}

#[test]
fn serve_answers_on_loopback_with_a_key() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let db = store(dir.path())?;
    let out = riskgrade(&["keys", "add", "-s", &db, "--role", "public"]);
    let key = String::from_utf8(out.stdout)?
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(["serve", "-s", &db, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let result = (|| -> Result<String, Fail> {
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .ok_or_else(|| format!("no address in `{line}`"))?;
        let mut s = TcpStream::connect(addr)?;
        write!(
            s,
            "GET /api/v1/enterprises/E1 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\nconnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        s.read_to_string(&mut answer)?;
        Ok(answer)
    })();
    child.kill()?;
    child.wait()?;
    let answer = result?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(r#""class":"A""#) && answer.contains("信用风险低"),
        "{answer}"
    );
    Ok(())
}
