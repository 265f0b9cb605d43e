//! The service on a real loopback port: every endpoint, every role, and the
//! security cases (no key, revoked key, another department's queue, repeated
//! bad keys, oversized bodies, hostile parameters), each checked in the
//! access log.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use riskgrade::store::{NewDraw, NewRun, ResultRow, Role, Store, TaskOutcome, TaskRow};
use riskgrade::{InspectionResult, Month};
use riskgrade_serve::{Config, Running, issue_key};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

type Fail = Box<dyn std::error::Error + Send + Sync>;

const CODE: &str = "91110108MA01ABCD1X";

const HOSTILE_LABEL: &str = "<script>alert(\"x\")</script> ' \" label";

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: BufReader<TcpStream>,
}

/// An answer: status, headers (lowercase names) and the JSON body.
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Value,
    text: String,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Conn, Fail> {
        Ok(Conn {
            stream: BufReader::new(TcpStream::connect(addr).await?),
        })
    }

    async fn send(
        &mut self,
        method: &str,
        target: &str,
        key: Option<&str>,
        body: Option<&str>,
    ) -> Result<Answer, Fail> {
        let mut req = format!("{method} {target} HTTP/1.1\r\nhost: localhost\r\n");
        if let Some(k) = key {
            req.push_str(&format!("authorization: Bearer {k}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body.unwrap_or(""));
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .ok_or("no status line")?
            .parse()?;
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            self.stream.read_line(&mut h).await?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").map_or(Ok(0), |v| v.parse())?;
        let mut buf = vec![0u8; len];
        self.stream.read_exact(&mut buf).await?;
        let text = String::from_utf8(buf)?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
            text,
        })
    }
}

/// One request on a fresh connection.
async fn call(
    addr: SocketAddr,
    method: &str,
    target: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Result<Answer, Fail> {
    Conn::open(addr)
        .await?
        .send(method, target, key, body)
        .await
}

struct Keys {
    admin: String,
    analyst: String,
    public: String,
    market: String,
    health: String,
}

fn row(id: &str, class: &str, score: f64, alerts: &str, labels: &str) -> ResultRow {
    let mut r = ResultRow::graded(id, "general", score, class);
    let items = |s: &str| -> Vec<String> {
        s.split("; ")
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    r.alerts = items(alerts);
    r.labels = items(labels);
    r.reasons = format!("reason of {id}");
    r
}

/// A store with two periods, alerts routed to `market` and `health`, a draw
/// with a closed and an open task, and one key per role.
fn fixture(dir: &Path) -> Result<(PathBuf, Keys), Fail> {
    let path = dir.join("serve.db");
    let mut store = Store::open(&path)?;
    for (period, as_of, d_class) in [
        ("2026-09", "2026-09-30", "C"),
        ("2026-10", "2026-10-31", "D"),
    ] {
        let mut run = store.begin_run(NewRun::new(
            period.parse()?,
            as_of.parse()?,
            "v1",
            ["A", "B", "C", "D"],
        ))?;
        run.insert(&row(
            "E1",
            d_class,
            80.0,
            "dishonest -> market; food -> health",
            HOSTILE_LABEL,
        ))?;
        run.insert(&row("E2", "A", 10.0, "", ""))?;
        run.insert(&row("E3", "C", 60.0, "food -> health", "food"))?;
        run.insert(&row("E4", "B", 30.0, "licence -> market", ""))?;
        run.commit()?;
    }
    let e1: riskgrade::Enterprise = serde_json::from_value(json!({
        "id": "E1", "name": "Haidian Foods Ltd", "industry": "C1411", "credit_code": CODE
    }))?;
    store.record_directory(&[e1])?;
    let task = |n, e: &str| TaskRow {
        number: n,
        enterprise: e.into(),
        class: "D".into(),
        stratum: "district=Haidian".into(),
        why: "class D".into(),
        inspectors: vec!["INS-1".into(), "INS-2".into()],
    };
    let draw = store.record_draw(
        &NewDraw {
            period: "2026-10".parse()?,
            drawn_on: "2026-11-02".parse()?,
            plan_id: "henan-2021".into(),
            plan_digest: "p".into(),
            plan: "{}".into(),
            seed: "42".into(),
            candidates_digest: "c".into(),
            pool_digest: "q".into(),
            history_digest: "h".into(),
            tasks: vec![task(1, "E1"), task(2, "E3")],
        },
        "test",
    )?;
    store.record_outcomes(
        &[TaskOutcome {
            draw,
            enterprise: "E1".into(),
            date: "2026-11-10".parse()?,
            result: InspectionResult::Problem,
            severity: Some("serious".into()),
            note: Some("internal note".into()),
        }],
        "test",
    )?;
    let mut key = |role, dept: Option<&str>| -> Result<String, Fail> {
        Ok(issue_key(&mut store, role, dept, "test", "test")?.key)
    };
    let keys = Keys {
        admin: key(Role::Admin, None)?,
        analyst: key(Role::Analyst, None)?,
        public: key(Role::Public, None)?,
        market: key(Role::Department, Some("market"))?,
        health: key(Role::Department, Some("health"))?,
    };
    Ok((path, keys))
}

fn config(path: &Path) -> Config {
    Config::new(path).listen(SocketAddr::from(([127, 0, 0, 1], 0)))
}

async fn started(config: Config) -> Result<Running, Fail> {
    Ok(riskgrade_serve::start(config).await?)
}

/// The access log's entries with this outcome, waiting for the writer.
async fn logged(
    addr: SocketAddr,
    admin: &str,
    outcome: &str,
    at_least: usize,
) -> Result<Vec<Value>, Fail> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = call(
            addr,
            "GET",
            &format!("/api/v1/access-log?outcome={outcome}&limit=1000"),
            Some(admin),
            None,
        )
        .await?;
        let entries = a.body["entries"].as_array().cloned().unwrap_or_default();
        if entries.len() >= at_least || Instant::now() > deadline {
            return Ok(entries);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_documented_route_is_served_and_nothing_else() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path)).await?;
    let addr = running.addr();
    let doc = call(addr, "GET", "/api/v1/openapi.json", None, None).await?;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().ok_or("no paths")?;
    let mut served = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().ok_or("no methods")? {
            let target = path
                .replace("{period}", "2026-10")
                .replace("{department}", "market")
                .replace("{enterprise}", "E4")
                .replace("{id}", "E1");
            let key = if target.contains("/alerts/E4/") {
                &keys.market
            } else {
                &keys.admin
            };
            let body = (method == "post")
                .then_some(r#"{"period":"2026-10","action":"check","date":"2026-11-05"}"#);
            let body = body.map(|b| {
                if target.ends_with("/batch") {
                    r#"{"ids":["E1","E9"]}"#
                } else if target.ends_with("/keys") {
                    r#"{"role":"public","note":"route test"}"#
                } else if target.ends_with("/acknowledge") {
                    r#"{"period":"2026-10"}"#
                } else if target.ends_with("/assign") {
                    r#"{"period":"2026-10","assignee":"inspector 7"}"#
                } else {
                    b
                }
            });
            let method = method.to_uppercase();
            let a = call(addr, &method, &target, Some(key), body).await?;
            let msg = a.body["error"]["message"].as_str().unwrap_or_default();
            assert!(!msg.starts_with("no endpoint"), "{method} {target}: {msg}");
            assert!(
                a.status < 300 || method == "DELETE",
                "{method} {target}: {} {}",
                a.status,
                a.text
            );
            served += 1;
        }
    }
    assert_eq!(served, 17);
    for (method, target) in [
        ("GET", "/api/v1/nothing"),
        ("PUT", "/api/v1/periods"),
        ("GET", "/api/v2/periods"),
    ] {
        let a = call(addr, method, target, Some(&keys.admin), None).await?;
        assert_eq!(a.status, 404, "{method} {target}");
        assert_eq!(a.body["error"]["code"], "not_found");
    }
    running.stop().await?;
    Ok(())
}

#[tokio::test]
async fn each_role_sees_what_it_may_and_no_more() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let names = BTreeMap::from([("D".to_string(), "信用风险高 high".to_string())]);
    let running = started(config(&path).class_names(names)).await?;
    let addr = running.addr();
    let get = |key: &str| {
        let key = key.to_string();
        async move { call(addr, "GET", "/api/v1/enterprises/E1", Some(&key), None).await }
    };
    let public = get(&keys.public).await?;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["class"], "D");
    assert_eq!(public.body["class_name"], "信用风险高 high");
    assert_eq!(public.body["labels"], json!([HOSTILE_LABEL]));
    for hidden in ["score", "reasons", "alerts", "rules", "history"] {
        assert!(public.body.get(hidden).is_none(), "public sees {hidden}");
    }
    let market = get(&keys.market).await?;
    assert_eq!(market.body["score"], 80.0);
    assert_eq!(market.body["alerts"], json!(["dishonest -> market"]));
    assert!(market.body.get("history").is_none());
    let analyst = get(&keys.analyst).await?;
    assert_eq!(analyst.body["alerts"].as_array().map(Vec::len), Some(2));
    assert_eq!(analyst.body["history"].as_array().map(Vec::len), Some(2));

    // Queues: own only; analysts read all; another department's is 403 with nothing leaked.
    let own = call(
        addr,
        "GET",
        "/api/v1/departments/market/alerts",
        Some(&keys.market),
        None,
    )
    .await?;
    assert_eq!(own.status, 200);
    let ids: Vec<&str> = own.body["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .filter_map(|i| i["enterprise"].as_str())
        .collect();
    assert_eq!(ids, ["E1", "E4"]);
    let other = call(
        addr,
        "GET",
        "/api/v1/departments/health/alerts",
        Some(&keys.market),
        None,
    )
    .await?;
    assert_eq!(other.status, 403);
    assert_eq!(other.body["error"]["code"], "forbidden");
    for leak in ["E1", "E3", "food", "health"] {
        assert!(
            !other.text.contains(leak),
            "403 body leaks `{leak}`: {}",
            other.text
        );
    }
    let all = call(
        addr,
        "GET",
        "/api/v1/departments/health/alerts",
        Some(&keys.analyst),
        None,
    )
    .await?;
    assert_eq!(all.status, 200);
    let public_queue = call(
        addr,
        "GET",
        "/api/v1/departments/market/alerts",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(public_queue.status, 403);
    // Only the department acts on its alerts; analysts and admins are read-only there.
    for key in [&keys.analyst, &keys.admin, &keys.health, &keys.public] {
        let a = call(
            addr,
            "POST",
            "/api/v1/departments/market/alerts/E1/acknowledge",
            Some(key),
            Some("{}"),
        )
        .await?;
        assert_eq!(a.status, 403);
    }
    // Keys and the access log are for admins.
    for key in [&keys.analyst, &keys.market, &keys.public] {
        for target in ["/api/v1/keys", "/api/v1/access-log"] {
            assert_eq!(
                call(addr, "GET", target, Some(key), None).await?.status,
                403,
                "{target}"
            );
        }
        let a = call(
            addr,
            "POST",
            "/api/v1/keys",
            Some(key),
            Some(r#"{"role":"admin"}"#),
        )
        .await?;
        assert_eq!(a.status, 403);
    }
    let forbidden = logged(addr, &keys.admin, "forbidden", 14).await?;
    assert!(forbidden.len() >= 14, "{}", forbidden.len());
    assert!(
        forbidden
            .iter()
            .any(|e| e["target"] == "/api/v1/departments/health/alerts"
                && e["department"] == "market")
    );
    running.stop().await?;
    Ok(())
}

#[tokio::test]
async fn no_key_bad_key_and_revoked_key_get_401_and_are_logged() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path)).await?;
    let addr = running.addr();
    let none = call(addr, "GET", "/api/v1/periods", None, None).await?;
    assert_eq!(
        (none.status, none.body["error"]["code"].as_str()),
        (401, Some("no_key"))
    );
    let bad = call(
        addr,
        "GET",
        "/api/v1/periods",
        Some("rgk_000000000000_00"),
        None,
    )
    .await?;
    assert_eq!(
        (bad.status, bad.body["error"]["code"].as_str()),
        (401, Some("bad_key"))
    );
    // Open endpoints need no key.
    for target in [
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/public/inspections",
    ] {
        assert_eq!(
            call(addr, "GET", target, None, None).await?.status,
            200,
            "{target}"
        );
    }
    // An admin issues a key over the API and revokes it; it stops working at once.
    let issued = call(
        addr,
        "POST",
        "/api/v1/keys",
        Some(&keys.admin),
        Some(r#"{"role":"department","department":"tax"}"#),
    )
    .await?;
    assert_eq!(issued.status, 201);
    let key = issued.body["key"].as_str().ok_or("no key")?.to_string();
    let id = issued.body["id"].as_str().ok_or("no id")?.to_string();
    assert_eq!(
        call(addr, "GET", "/api/v1/periods", Some(&key), None)
            .await?
            .status,
        200
    );
    let listed = call(addr, "GET", "/api/v1/keys", Some(&keys.admin), None).await?;
    assert!(!listed.text.contains(&key[17..]), "the secret is listed");
    let revoked = call(
        addr,
        "DELETE",
        &format!("/api/v1/keys/{id}"),
        Some(&keys.admin),
        None,
    )
    .await?;
    assert_eq!(revoked.status, 200);
    let after = call(addr, "GET", "/api/v1/periods", Some(&key), None).await?;
    assert_eq!(
        (after.status, after.body["error"]["code"].as_str()),
        (401, Some("revoked_key"))
    );
    let again = call(
        addr,
        "DELETE",
        &format!("/api/v1/keys/{id}"),
        Some(&keys.admin),
        None,
    )
    .await?;
    assert_eq!(again.status, 409);
    // A department key needs its department.
    let no_dept = call(
        addr,
        "POST",
        "/api/v1/keys",
        Some(&keys.admin),
        Some(r#"{"role":"department"}"#),
    )
    .await?;
    assert_eq!(no_dept.status, 409);
    let entries = logged(addr, &keys.admin, "revoked_key", 1).await?;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["key"], id.as_str());
    assert_eq!(entries[0]["status"], 401);
    assert_eq!(logged(addr, &keys.admin, "no_key", 1).await?.len(), 1);
    assert_eq!(logged(addr, &keys.admin, "bad_key", 1).await?.len(), 1);
    running.stop().await?;
    // The log outlives the service, in the store.
    let store = Store::open_read_only(&path)?;
    let log = store.access_log(&riskgrade::store::AccessQuery::default())?;
    assert!(log.iter().any(|e| e.outcome == "revoked_key"));
    assert!(log.iter().all(|e| e.client == "127.0.0.1"));
    Ok(())
}

#[tokio::test]
async fn repeated_bad_keys_are_rate_limited_per_client() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path).auth_limit(3, Duration::from_secs(60))).await?;
    let addr = running.addr();
    let mut conn = Conn::open(addr).await?;
    for i in 0..3 {
        let a = conn
            .send(
                "GET",
                "/api/v1/periods",
                Some(&format!("rgk_guess_{i}")),
                None,
            )
            .await?;
        assert_eq!(a.status, 401);
    }
    let limited = conn
        .send("GET", "/api/v1/periods", Some("rgk_guess_4"), None)
        .await?;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body["error"]["code"], "rate_limited");
    assert!(
        limited
            .headers
            .get("retry-after")
            .is_some_and(|s| s.parse::<u64>().is_ok())
    );
    // Even a good key waits out the window: guessing cannot continue with a known key in between.
    let good = conn
        .send("GET", "/api/v1/periods", Some(&keys.analyst), None)
        .await?;
    assert_eq!(good.status, 429);
    running.stop().await?;
    let store = Store::open_read_only(&path)?;
    let log = store.access_log(&riskgrade::store::AccessQuery::default())?;
    assert_eq!(
        log.iter().filter(|e| e.outcome == "rate_limited").count(),
        2
    );
    assert_eq!(log.iter().filter(|e| e.outcome == "bad_key").count(), 3);
    Ok(())
}

#[tokio::test]
async fn bodies_batches_and_targets_are_bounded() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path).max_body(1024).max_batch(5).max_target(300)).await?;
    let addr = running.addr();
    let big = format!(r#"{{"ids":["{}"]}}"#, "x".repeat(2000));
    let a = call(
        addr,
        "POST",
        "/api/v1/enterprises/batch",
        Some(&keys.public),
        Some(&big),
    )
    .await?;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (413, Some("too_large"))
    );
    let six = r#"{"ids":["E1","E2","E3","E4","E5","E6"]}"#;
    let a = call(
        addr,
        "POST",
        "/api/v1/enterprises/batch",
        Some(&keys.public),
        Some(six),
    )
    .await?;
    assert_eq!(a.status, 413);
    let five = r#"{"ids":["E1","E2","E3","E4","E5"]}"#;
    let a = call(
        addr,
        "POST",
        "/api/v1/enterprises/batch",
        Some(&keys.public),
        Some(five),
    )
    .await?;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["results"].as_array().map(Vec::len), Some(4));
    assert_eq!(a.body["missing"], json!(["E5"]));
    let long = format!("/api/v1/enterprises/E1?period={}", "9".repeat(400));
    let a = call(addr, "GET", &long, Some(&keys.public), None).await?;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (414, Some("target_too_long"))
    );
    for bad in ["{", r#"{"ids":"E1"}"#, r#"{"ids":[],"extra":1}"#] {
        let a = call(
            addr,
            "POST",
            "/api/v1/enterprises/batch",
            Some(&keys.public),
            Some(bad),
        )
        .await?;
        assert_eq!(
            (a.status, a.body["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
    assert!(logged(addr, &keys.admin, "too_large", 2).await?.len() >= 2);
    running.stop().await?;
    Ok(())
}

#[tokio::test]
async fn hostile_parameters_are_refused_or_not_found_and_change_nothing() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path)).await?;
    let addr = running.addr();
    let hostile = [
        "%27%3B%20DROP%20TABLE%20results%3B%20--",
        "E1%27%20OR%20%271%27%3D%271",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%00",
        "%3Cscript%3E",
    ];
    for h in hostile {
        let targets = [
            format!("/api/v1/enterprises/{h}"),
            format!("/api/v1/enterprises/E1?period={h}"),
            format!("/api/v1/periods/{h}"),
            format!("/api/v1/periods/2026-10/migration?from={h}"),
            format!("/api/v1/departments/{h}/alerts"),
            format!("/api/v1/departments/market/alerts?status={h}"),
            format!("/api/v1/access-log?key={h}"),
            format!("/api/v1/public/inspections?period={h}"),
        ];
        for t in targets {
            let a = call(addr, "GET", &t, Some(&keys.admin), None).await?;
            assert!(matches!(a.status, 200 | 400 | 404), "{t}: {}", a.status);
            assert!(a.body.is_object(), "{t}: not JSON: {}", a.text);
            if a.status == 200 {
                assert!(
                    t.contains("access-log") || t.contains("/alerts"),
                    "{t}: {}",
                    a.text
                );
            }
        }
        let a = call(
            addr,
            "POST",
            &format!("/api/v1/departments/market/alerts/{h}/close"),
            Some(&keys.market),
            Some(r#"{"period":"2026-10","action":"x","date":"2026-11-01"}"#),
        )
        .await?;
        assert_eq!(a.status, 404, "{h}");
    }
    // The same in bodies: ids, a department, a note and an assignee are data, never SQL.
    let sql = "'; DROP TABLE results; --";
    let body = json!({"ids": [sql, "../../etc/passwd", "E1"]}).to_string();
    let a = call(
        addr,
        "POST",
        "/api/v1/enterprises/batch",
        Some(&keys.public),
        Some(&body),
    )
    .await?;
    assert_eq!(a.body["missing"], json!([sql, "../../etc/passwd"]));
    let body =
        json!({"role": "department", "department": sql, "note": "<script>x</script>"}).to_string();
    let a = call(addr, "POST", "/api/v1/keys", Some(&keys.admin), Some(&body)).await?;
    assert_eq!(a.status, 201);
    assert_eq!(a.body["department"], sql);
    let body = json!({"period": "2026-10", "assignee": sql}).to_string();
    let a = call(
        addr,
        "POST",
        "/api/v1/departments/market/alerts/E4/assign",
        Some(&keys.market),
        Some(&body),
    )
    .await?;
    assert_eq!(a.body["handling"]["assignee"], sql);
    let periods = call(addr, "GET", "/api/v1/periods", Some(&keys.analyst), None).await?;
    assert_eq!(periods.body["periods"].as_array().map(Vec::len), Some(2));
    // Each refusal is in the access log.
    let refused = logged(addr, &keys.admin, "bad_request", 6).await?.len()
        + logged(addr, &keys.admin, "not_found", 6).await?.len();
    assert!(refused >= hostile.len() * 2, "{refused} refusals logged");
    running.stop().await?;
    let store = Store::open_read_only(&path)?;
    assert_eq!(store.integrity_check()?, "ok");
    assert!(store.result("2026-10".parse()?, "E1")?.is_some());
    Ok(())
}

#[tokio::test]
async fn a_department_closes_an_alert_and_its_finding_becomes_a_record() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path).overdue_days(0)).await?;
    let addr = running.addr();
    let base = "/api/v1/departments/market/alerts/E1";
    let k = Some(keys.market.as_str());
    let a = call(
        addr,
        "POST",
        &format!("{base}/acknowledge"),
        k,
        Some(r#"{"period":"2026-10"}"#),
    )
    .await?;
    assert_eq!(
        (a.status, a.body["handling"]["status"].as_str()),
        (200, Some("acknowledged"))
    );
    let a = call(
        addr,
        "POST",
        &format!("{base}/assign"),
        k,
        Some(r#"{"period":"2026-10","assignee":"inspector 7"}"#),
    )
    .await?;
    assert_eq!(a.body["handling"]["assignee"], "inspector 7");
    let bad = call(
        addr,
        "POST",
        &format!("{base}/close"),
        k,
        Some(r#"{"period":"2026-10","action":"check","date":"2026-11-05","finding":"guilty"}"#),
    )
    .await?;
    assert_eq!(bad.status, 400);
    let no_date = call(
        addr,
        "POST",
        &format!("{base}/close"),
        k,
        Some(r#"{"action":"check"}"#),
    )
    .await?;
    assert_eq!(no_date.status, 400);
    let close = r#"{"period":"2026-10","action":"on-site check","finding":"problem","date":"2026-11-05","note":"expired licence"}"#;
    let a = call(addr, "POST", &format!("{base}/close"), k, Some(close)).await?;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["handling"]["disposition"]["finding"], "problem");
    let again = call(addr, "POST", &format!("{base}/close"), k, Some(close)).await?;
    assert_eq!(
        (again.status, again.body["error"]["code"].as_str()),
        (409, Some("refused"))
    );
    // The queue shows it closed; the other alert (E4) is open and overdue (0 days allowed).
    let q = call(
        addr,
        "GET",
        "/api/v1/departments/market/alerts?period=2026-10",
        k,
        None,
    )
    .await?;
    assert_eq!(q.body["counts"]["closed"], 1);
    assert_eq!(q.body["counts"]["overdue"], 1);
    let closed = call(
        addr,
        "GET",
        "/api/v1/departments/market/alerts?status=closed",
        k,
        None,
    )
    .await?;
    assert_eq!(closed.body["items"][0]["enterprise"], "E1");
    assert_eq!(closed.body["items"][0]["overdue"], false);
    let overdue = call(addr, "GET", "/api/v1/alerts/overdue", k, None).await?;
    assert_eq!(
        overdue.body["departments"],
        json!([{"department": "market", "alerts": 2, "not_closed": 1, "overdue": 1}])
    );
    let all = call(
        addr,
        "GET",
        "/api/v1/alerts/overdue",
        Some(&keys.analyst),
        None,
    )
    .await?;
    assert_eq!(all.body["departments"].as_array().map(Vec::len), Some(2));
    // Health's alert of the same enterprise is its own, still open.
    let h = call(
        addr,
        "GET",
        "/api/v1/departments/health/alerts",
        Some(&keys.health),
        None,
    )
    .await?;
    assert_eq!(h.body["counts"]["open"], 2);
    running.stop().await?;
    let store = Store::open_read_only(&path)?;
    let findings = store.findings_until("2026-11-30".parse()?)?;
    assert_eq!(
        findings,
        vec![(
            "E1".to_string(),
            "2026-11-05".parse()?,
            InspectionResult::Problem
        )]
    );
    let trail = store.audit_trail(Some("E1"))?;
    let steps: Vec<&str> = trail
        .iter()
        .map(|t| t.action.as_str())
        .filter(|a| a.starts_with("alert_"))
        .collect();
    assert_eq!(steps, ["alert_acknowledge", "alert_assign", "alert_close"]);
    Ok(())
}

#[tokio::test]
async fn shared_results_summaries_migration_and_publication() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, keys) = fixture(dir.path())?;
    let running = started(config(&path)).await?;
    let addr = running.addr();
    let p = call(addr, "GET", "/api/v1/periods", Some(&keys.public), None).await?;
    assert_eq!(
        p.body["periods"][1]["classes"][3],
        json!({"class": "D", "class_name": null, "count": 1, "share": 0.25})
    );
    let s = call(
        addr,
        "GET",
        "/api/v1/periods/2026-10",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(
        s.body["alerts_by_department"],
        json!({"health": 2, "market": 2})
    );
    assert_eq!(s.body["labels"]["food"], 1);
    let m = call(
        addr,
        "GET",
        "/api/v1/periods/2026-10/migration?from=2026-09",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(m.body["matrix"][2][3], 1, "{}", m.text);
    assert_eq!(m.body["moved"], 1);
    assert!(m.body.get("movers").is_none());
    let m = call(
        addr,
        "GET",
        "/api/v1/periods/2026-10/migration",
        Some(&keys.analyst),
        None,
    )
    .await?;
    assert_eq!(m.body["from"], "2026-09");
    assert_eq!(m.body["movers"][0]["id"], "E1");
    let old = call(
        addr,
        "GET",
        "/api/v1/enterprises/E1?period=2026-09",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(old.body["class"], "C");
    // By credit code, alone and in a batch, with the name and code from the directory.
    let by_code = call(
        addr,
        "GET",
        &format!("/api/v1/enterprises/{CODE}"),
        Some(&keys.analyst),
        None,
    )
    .await?;
    assert_eq!(by_code.status, 200, "{}", by_code.text);
    assert_eq!(by_code.body["id"], "E1");
    assert_eq!(by_code.body["name"], "Haidian Foods Ltd");
    assert_eq!(by_code.body["credit_code"], CODE);
    assert_eq!(by_code.body["history"].as_array().map(Vec::len), Some(2));
    let by_id = call(
        addr,
        "GET",
        "/api/v1/enterprises/E1",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(
        (
            by_id.body["name"].as_str(),
            by_id.body["credit_code"].as_str()
        ),
        (Some("Haidian Foods Ltd"), Some(CODE))
    );
    let unknown = call(
        addr,
        "GET",
        "/api/v1/enterprises/91110108MA01ABCD2X",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(unknown.status, 404);
    let batch = format!(r#"{{"ids":["{CODE}","E2","91110108MA01ABCD2X"]}}"#);
    let b = call(
        addr,
        "POST",
        "/api/v1/enterprises/batch",
        Some(&keys.public),
        Some(&batch),
    )
    .await?;
    let ids: Vec<&str> = b.body["results"]
        .as_array()
        .ok_or("results")?
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["E1", "E2"]);
    assert_eq!(b.body["missing"], json!(["91110108MA01ABCD2X"]));
    let none = call(
        addr,
        "GET",
        "/api/v1/enterprises/E1?period=2020-01",
        Some(&keys.public),
        None,
    )
    .await?;
    assert_eq!(none.status, 404);
    // The fixture's draw has no plan that loads: it is listed as unavailable, with no details.
    let public = call(addr, "GET", "/api/v1/public/inspections", None, None).await?;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["schema"], "riskgrade.public-inspections/1");
    assert_eq!(
        (
            public.body["total"].as_u64(),
            public.body["unavailable_draws"].clone()
        ),
        (Some(0), json!([1]))
    );
    for internal in [
        "INS-1",
        "serious",
        "internal note",
        "district=Haidian",
        "plan",
        "error",
    ] {
        assert!(
            !public.text.contains(internal),
            "publication shows `{internal}`: {}",
            public.text
        );
    }
    let later = call(
        addr,
        "GET",
        "/api/v1/public/inspections?period=2026-09",
        None,
        None,
    )
    .await?;
    assert_eq!(
        (
            later.body["total"].as_u64(),
            later.body["unavailable_draws"].clone()
        ),
        (Some(0), json!([]))
    );
    running.stop().await?;
    Ok(())
}

/// A bounded load on loopback: lookups over keep-alive connections, no errors,
/// and the throughput and latency printed (`cargo test -p riskgrade-serve --test
/// service -- --nocapture bounded_lookup_load`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_lookup_load() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("load.db");
    let n: usize = 20_000;
    {
        let mut store = Store::open(&path)?;
        let period: Month = "2026-10".parse()?;
        let mut run = store.begin_run(NewRun::new(
            period,
            "2026-10-31".parse()?,
            "v1",
            ["A", "B", "C", "D"],
        ))?;
        for i in 0..n {
            run.insert(&row(
                &format!("E{i:07}"),
                ["A", "B", "C", "D"][i % 4],
                i as f64 % 100.0,
                "",
                "",
            ))?;
        }
        run.commit()?;
    }
    let key = {
        let mut store = Store::open(&path)?;
        issue_key(&mut store, Role::Public, None, "load", "test")?.key
    };
    let running = started(config(&path)).await?;
    let addr = running.addr();
    let (connections, per_connection) = (8, 500);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut latencies = Vec::with_capacity(per_connection);
            for i in 0..per_connection {
                let id = (c * 7919 + i * 104_729) % n;
                let t = Instant::now();
                let a = conn
                    .send(
                        "GET",
                        &format!("/api/v1/enterprises/E{id:07}"),
                        Some(&key),
                        None,
                    )
                    .await?;
                latencies.push(t.elapsed());
                if a.status != 200 {
                    return Err(format!("status {}", a.status).into());
                }
            }
            Ok::<_, Fail>(latencies)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(
            t.await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?,
        );
    }
    let elapsed = t0.elapsed();
    all.sort();
    let p = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    let rate = all.len() as f64 / elapsed.as_secs_f64();
    eprintln!(
        "lookup load: {} requests over {connections} connections in {:.2} s: {rate:.0} req/s, p50 {:?}, p99 {:?}, max {:?} ({n} enterprises)",
        all.len(),
        elapsed.as_secs_f64(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
    assert_eq!(all.len(), connections * per_connection);
    assert!(p(0.99) < Duration::from_secs(2), "p99 {:?}", p(0.99));
    running.stop().await?;
    let store = Store::open_read_only(&path)?;
    let logged = store.access_log(&riskgrade::store::AccessQuery {
        limit: 100_000,
        ..Default::default()
    })?;
    assert_eq!(
        logged.len(),
        connections * per_connection,
        "every request is in the access log"
    );
    Ok(())
}
