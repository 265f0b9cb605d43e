//! The loop closed (研判、识别、抽查、反馈): a department closes an alert over
//! the API with a finding, and the next month's run grades the enterprise with
//! that finding as an inspection record, and says so in its reasons.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use riskgrade::store::{Role, Store};
use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{Enterprise, ModelSet, Month, MonthInput, Options, run_month};
use riskgrade_serve::{Config, issue_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Fail = Box<dyn std::error::Error + Send + Sync>;

fn grade(path: &Path, set: &Arc<ModelSet>, people: &[Enterprise], p: Month) -> Result<(), Fail> {
    let mut store = Store::open(path)?;
    run_month(
        &mut store,
        set,
        MonthInput::Profiles(people),
        p,
        p.last_day(),
        &Options::default(),
    )?;
    Ok(())
}

async fn post(addr: SocketAddr, target: &str, key: &str, body: &str) -> Result<String, Fail> {
    let mut s = TcpStream::connect(addr).await?;
    let req = format!(
        "POST {target} HTTP/1.1\r\nhost: l\r\nauthorization: Bearer {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).await?;
    Ok(answer)
}

/// Percent-encodes a path segment.
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finding_of_a_closed_alert_is_graded_the_next_month_with_its_reason() -> Result<(), Fail>
{
    let dir = tempfile::tempdir()?;
    let (with, without) = (dir.path().join("with.db"), dir.path().join("without.db"));
    let set = Arc::new(riskgrade::examples::reference()?);
    let (oct, nov): (Month, Month) = ("2026-10".parse()?, "2026-11".parse()?);
    let people = generate(&SynthConfig::new(600, 11, oct.last_day())).enterprises;
    for path in [&with, &without] {
        grade(path, &set, &people, oct)?;
    }
    // The least risky enterprise (by score) with an alert routed to a department, never
    // inspected before and graded by the general model (whose indicators read inspection
    // findings): the finding is then among the indicators that drive its score.
    let store = Store::open_read_only(&with)?;
    let queues = riskgrade::queues(&store, oct)?;
    let general = |id: &str| -> bool {
        matches!(store.result(oct, id), Ok(Some(r)) if r.model.as_deref() == Some("general"))
    };
    let score = |id: &str| -> f64 {
        store
            .result(oct, id)
            .ok()
            .flatten()
            .and_then(|r| r.score)
            .unwrap_or(f64::INFINITY)
    };
    let never_inspected = |id: &str| {
        people.iter().any(|e| {
            e.id.0 == id
                && !e
                    .records
                    .iter()
                    .any(|r| matches!(r.kind, riskgrade::RecordKind::Inspection { .. }))
        })
    };
    let (department, enterprise) = queues
        .departments
        .iter()
        .filter(|d| d.department != "(no route)")
        .flat_map(|d| d.items.iter().map(move |i| (d.department.clone(), i)))
        .filter(|(_, i)| never_inspected(&i.id) && general(&i.id))
        .min_by(|(_, a), (_, b)| {
            score(&a.id)
                .total_cmp(&score(&b.id))
                .then_with(|| a.id.cmp(&b.id))
        })
        .map(|(d, i)| (d, i.id.clone()))
        .ok_or("no routed alert of an enterprise never inspected")?;
    drop(store);
    let key = issue_key(
        &mut Store::open(&with)?,
        Role::Department,
        Some(&department),
        "desk",
        "test",
    )?
    .key;
    let running =
        riskgrade_serve::start(Config::new(&with).listen(SocketAddr::from(([127, 0, 0, 1], 0))))
            .await?;
    let target = format!(
        "/api/v1/departments/{}/alerts/{}/close",
        segment(&department),
        segment(&enterprise)
    );
    let body = r#"{"period":"2026-10","action":"on-site check","finding":"problem","date":"2026-11-05","note":"unlicensed storage"}"#;
    let answer = post(running.addr(), &target, &key, body).await?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    running.stop().await?;

    for path in [&with, &without] {
        grade(path, &set, &people, nov)?;
    }
    let graded = |path: &Path| -> Result<_, Fail> {
        let store = Store::open_read_only(path)?;
        Ok(store.result(nov, &enterprise)?.ok_or("not graded")?)
    };
    let (found, control) = (graded(&with)?, graded(&without)?);
    // The finding feeds the general model's "problems found" indicator: it is among the
    // stored drivers of the enterprise graded with it (one problem: 500 points, weighted
    // 0.45·0.16·0.35 = 12.6 of the score), and not of the control.
    let run = Store::open_read_only(&with)?.run(nov)?.ok_or("no run")?;
    let problems = run.indicators["general"]
        .iter()
        .position(|p| p == "supervision.inspections.problems")
        .ok_or("no problems indicator")?;
    let points = |row: &riskgrade::store::ResultRow| {
        row.driver_points()
            .into_iter()
            .find(|(i, _)| *i == problems)
            .map(|(_, p)| p)
    };
    assert_eq!(
        (points(&found), points(&control)),
        (Some(12.6), None),
        "with the finding: {}\nwithout: {}",
        found.drivers,
        control.drivers
    );
    assert_ne!(found.score, control.score, "the finding changes the score");
    Ok(())
}

/// A real draw's closed inspections are published without a key, with names
/// and credit codes from the directory and nothing internal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_inspections_are_published_with_names_and_nothing_internal() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("publish.db");
    let set = Arc::new(riskgrade::examples::reference()?);
    let oct: Month = "2026-10".parse()?;
    let people = generate(&SynthConfig::new(2000, 5, oct.last_day())).enterprises;
    grade(&path, &set, &people, oct)?;
    let plan = riskgrade::inspect::examples::plan("henan-2021").ok_or("no plan")??;
    let pool_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inspectors/beijing-pool.csv");
    let pool = riskgrade::read_pool(&pool_file)?;
    let drawn = riskgrade::demo::simulate_inspections(
        &mut Store::open(&path)?,
        oct,
        7,
        &plan,
        &pool,
        |n, _, _| n % 3 == 0,
    )?;
    let closed = Store::open_read_only(&path)?
        .inspections_until("2026-12-31".parse()?)?
        .len();
    assert!(closed > 0, "{drawn:?}");
    let running =
        riskgrade_serve::start(Config::new(&path).listen(SocketAddr::from(([127, 0, 0, 1], 0))))
            .await?;
    let mut s = TcpStream::connect(running.addr()).await?;
    s.write_all(b"GET /api/v1/public/inspections?limit=1000 HTTP/1.1\r\nhost: l\r\nconnection: close\r\n\r\n").await?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).await?;
    running.stop().await?;
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).ok_or("no body")?)?;
    assert_eq!(body["total"].as_u64(), Some(closed as u64), "{answer}");
    let rows = body["inspections"].as_array().ok_or("no rows")?;
    for r in rows {
        let keys: Vec<&str> = r
            .as_object()
            .ok_or("row")?
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "enterprise",
                "name",
                "credit_code",
                "task",
                "department",
                "date",
                "result",
                "disposal"
            ]
        );
        let e = people
            .iter()
            .find(|e| Some(e.id.0.as_str()) == r["enterprise"].as_str())
            .ok_or("unknown enterprise")?;
        assert_eq!(r["name"].as_str(), Some(e.name.as_str()));
        assert_eq!(r["credit_code"].as_str(), e.credit_code.as_deref());
    }
    Ok(())
}
