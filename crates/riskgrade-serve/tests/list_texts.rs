//! The service's JSON gives labels, alerts and rule ids as the stored lists, item by item:
//! a text holding `; `, `;`, a newline, quotes, non-ASCII or nothing at all is one item, as
//! it was given (before lists were stored as such, `a; b` came back as two labels).

use std::net::SocketAddr;

use riskgrade::store::{NewRun, ResultRow, Role, Store};
use riskgrade_serve::{Config, issue_key};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Fail = Box<dyn std::error::Error + Send + Sync>;

const TEXTS: [&str; 8] = [
    "; ",
    "a; b",
    "a;b",
    "",
    "line\nbreak",
    "\"quoted\", 'single'",
    "重点监管; 食品安全",
    "x -> y; z",
];

/// `GET target` with `key` on a fresh connection; the JSON body.
async fn get(addr: SocketAddr, target: &str, key: &str) -> Result<Value, Fail> {
    let mut s = TcpStream::connect(addr).await?;
    let req = format!(
        "GET {target} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {key}\r\nconnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let text = String::from_utf8(raw)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no body")?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    Ok(serde_json::from_str(body)?)
}

#[tokio::test]
async fn list_texts_reach_the_json_item_by_item() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("lists.db");
    let mut store = Store::open(&path)?;
    let mut want = Vec::new();
    let mut run = store.begin_run(NewRun::new(
        "2026-10".parse()?,
        "2026-10-31".parse()?,
        "v1",
        ["A", "B", "C", "D"],
    ))?;
    for k in 0..TEXTS.len() {
        let pick = |n: usize| -> Vec<String> {
            (0..n)
                .map(|j| TEXTS[(k + j) % TEXTS.len()].to_string())
                .collect()
        };
        let mut r = ResultRow::graded(&format!("E{k}"), "general", 10.0, "B");
        r.labels = pick(3);
        r.alerts = pick(2);
        r.rules = pick(1);
        want.push(r.clone());
        run.insert(&r)?;
    }
    run.commit()?;
    let key = issue_key(&mut store, Role::Admin, None, "test", "test")?.key;
    drop(store);
    let running =
        riskgrade_serve::start(Config::new(&path).listen(SocketAddr::from(([127, 0, 0, 1], 0))))
            .await?;
    for r in &want {
        let body = get(
            running.addr(),
            &format!("/api/v1/enterprises/{}", r.id),
            &key,
        )
        .await?;
        for (field, items) in [
            ("labels", &r.labels),
            ("alerts", &r.alerts),
            ("rules", &r.rules),
        ] {
            let got: Vec<String> = serde_json::from_value(body[field].clone())?;
            assert_eq!(&got, items, "{} {field}: {body}", r.id);
        }
    }
    Ok(())
}
