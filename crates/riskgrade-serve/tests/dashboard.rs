//! The dashboard on a loopback port: sign-in and its cookie, every page with
//! hostile text rendered inert, CSRF-less and foreign posts refused, a
//! department closing an alert through its form, revocation ending sessions,
//! and each request in the access log.

use std::net::SocketAddr;
use std::path::Path;

use riskgrade::store::{AccessQuery, AlertRef, AlertStatus, NewRun, ResultRow, Role, Store};
use riskgrade_serve::{Config, Running, issue_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Fail = Box<dyn std::error::Error + Send + Sync>;

const HOSTILE: &str = r#"<script>alert("x")</script>" onmouseover="alert(1)"#;

struct Answer {
    status: u16,
    head: String,
    body: String,
}

async fn call(
    addr: SocketAddr,
    method: &str,
    target: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Result<Answer, Fail> {
    let mut s = TcpStream::connect(addr).await?;
    let mut req = format!("{method} {target} HTTP/1.1\r\nhost: l\r\nconnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("cookie: rg_session={c}\r\n"));
    }
    if let Some(f) = form {
        req.push_str(&format!(
            "content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n",
            f.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(form.unwrap_or(""));
    s.write_all(req.as_bytes()).await?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).await?;
    let (head, body) = raw.split_once("\r\n\r\n").ok_or("no head")?;
    let status = head.split_whitespace().nth(1).ok_or("no status")?.parse()?;
    Ok(Answer {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in; the session cookie's value.
async fn sign_in(addr: SocketAddr, key: &str) -> Result<String, Fail> {
    let a = call(
        addr,
        "POST",
        "/dashboard/sign-in",
        None,
        Some(&format!("key={}", urlencode(key))),
    )
    .await?;
    assert_eq!(a.status, 303, "{}", a.body);
    let cookie = a
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .ok_or("no cookie")?
        .to_string();
    for flag in ["httponly", "samesite=strict", "path=/dashboard"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let value = cookie
        .split("rg_session=")
        .nth(1)
        .and_then(|v| v.split(';').next())
        .ok_or("no value")?;
    Ok(value.to_string())
}

/// The session's CSRF token, from a page's sign-out form.
fn csrf(page: &str) -> Result<String, Fail> {
    let at = page.find("name=\"csrf\" value=\"").ok_or("no csrf field")? + 19;
    Ok(page[at..at + 64].to_string())
}

fn fixture(dir: &Path) -> Result<(std::path::PathBuf, [String; 4]), Fail> {
    let path = dir.join("dash.db");
    let mut store = Store::open(&path)?;
    for (period, class) in [("2026-09", "B"), ("2026-10", "D")] {
        let mut run = store.begin_run(NewRun::new(
            period.parse()?,
            format!("{period}-28").parse()?,
            "v1",
            ["A", "B", "C", "D"],
        ))?;
        let mut r = ResultRow::graded("E1", "general", 80.0, class);
        r.labels = vec![HOSTILE.into()];
        r.reasons = HOSTILE.into();
        r.alerts = vec![format!("{HOSTILE} -> market"), "food -> health".into()];
        run.insert(&r)?;
        run.commit()?;
    }
    let mut key = |role, d: Option<&str>| -> Result<String, Fail> {
        Ok(issue_key(&mut store, role, d, "t", "t")?.key)
    };
    Ok((
        path,
        [
            key(Role::Department, Some("market"))?,
            key(Role::Department, Some("health"))?,
            key(Role::Analyst, None)?,
            key(Role::Public, None)?,
        ],
    ))
}

async fn start(path: &Path) -> Result<Running, Fail> {
    Ok(riskgrade_serve::start(
        Config::new(path)
            .listen(SocketAddr::from(([127, 0, 0, 1], 0)))
            .auth_limit(3, std::time::Duration::from_secs(60)),
    )
    .await?)
}

#[tokio::test]
async fn pages_render_hostile_text_inert_and_forms_need_their_token() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, [market, health, analyst, public]) = fixture(dir.path())?;
    let running = start(&path).await?;
    let addr = running.addr();
    // Without a session every page sends to the sign-in form.
    let a = call(addr, "GET", "/dashboard", None, None).await?;
    assert_eq!(a.status, 303);
    assert!(a.head.contains("location: /dashboard/sign-in"));
    let m = sign_in(addr, &market).await?;
    for target in [
        "/dashboard",
        "/dashboard/enterprises/E1",
        "/dashboard/departments/market/alerts",
        "/dashboard/inspections",
    ] {
        let a = call(addr, "GET", target, Some(&m), None).await?;
        assert_eq!(a.status, 200, "{target}: {}", a.body);
        assert!(
            a.head
                .contains("content-security-policy: default-src 'none'"),
            "{target}"
        );
        assert!(
            !a.body.contains("<script") && !a.body.contains("\" onmouseover"),
            "{target} renders hostile text live"
        );
        if target.contains("E1") || target.contains("alerts") {
            assert!(a.body.contains("&lt;script&gt;"), "{target} lost the text");
        }
    }
    let month = call(addr, "GET", "/dashboard", Some(&m), None).await?;
    assert!(month.body.contains("<svg") && month.body.contains("Migration from 2026-09"));
    // Another department's queue is refused and says nothing of it.
    let other = call(
        addr,
        "GET",
        "/dashboard/departments/health/alerts",
        Some(&m),
        None,
    )
    .await?;
    assert_eq!(other.status, 403);
    assert!(!other.body.contains("food"));
    // Posts without the session's token, or with another's, are refused; the department's own closes the alert.
    let queue = call(
        addr,
        "GET",
        "/dashboard/departments/market/alerts",
        Some(&m),
        None,
    )
    .await?;
    let token = csrf(&queue.body)?;
    let h = sign_in(addr, &health).await?;
    let h_token = csrf(
        &call(
            addr,
            "GET",
            "/dashboard/departments/health/alerts",
            Some(&h),
            None,
        )
        .await?
        .body,
    )?;
    let close = "/dashboard/departments/market/alerts/E1/close";
    let form = |t: &str| {
        format!(
            "csrf={t}&period=2026-10&action=on-site+check&finding=problem&date=2026-11-05&note=%3Cb%3E"
        )
    };
    for bad in [
        form(""),
        "period=2026-10&action=x&date=2026-11-05".to_string(),
        form(&h_token),
    ] {
        assert_eq!(
            call(addr, "POST", close, Some(&m), Some(&bad))
                .await?
                .status,
            403,
            "{bad}"
        );
    }
    assert_eq!(
        call(addr, "POST", close, Some(&h), Some(&form(&h_token)))
            .await?
            .status,
        403,
        "health closed market's alert"
    );
    let done = call(addr, "POST", close, Some(&m), Some(&form(&token))).await?;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = call(
        addr,
        "GET",
        "/dashboard/departments/market/alerts",
        Some(&m),
        None,
    )
    .await?;
    assert!(after.body.contains("on-site check") && after.body.contains("&lt;b&gt;"));
    // Analysts read every queue, without forms; public keys have no dashboard.
    let an = sign_in(addr, &analyst).await?;
    let q = call(
        addr,
        "GET",
        "/dashboard/departments/health/alerts",
        Some(&an),
        None,
    )
    .await?;
    assert_eq!(q.status, 200);
    assert!(!q.body.contains("/close"));
    let p = sign_in(addr, &public).await?;
    assert_eq!(
        call(addr, "GET", "/dashboard", Some(&p), None)
            .await?
            .status,
        403
    );
    running.stop().await?;
    let store = Store::open_read_only(&path)?;
    let alert = AlertRef {
        period: "2026-10".parse()?,
        enterprise: "E1".into(),
        department: "market".into(),
    };
    assert_eq!(
        store.alert_state(&alert)?.map(|s| s.status),
        Some(AlertStatus::Closed)
    );
    let log = store.access_log(&AccessQuery {
        limit: 1000,
        ..AccessQuery::default()
    })?;
    let forbidden = log
        .iter()
        .filter(|e| e.outcome == "forbidden" && e.target.starts_with("/dashboard"))
        .count();
    assert!(forbidden >= 6, "{forbidden} refusals logged");
    Ok(())
}

#[tokio::test]
async fn bad_keys_are_rate_limited_and_revocation_ends_sessions() -> Result<(), Fail> {
    let dir = tempfile::tempdir()?;
    let (path, [market, ..]) = fixture(dir.path())?;
    let running = start(&path).await?;
    let addr = running.addr();
    let m = sign_in(addr, &market).await?;
    for i in 0..3 {
        let a = call(
            addr,
            "POST",
            "/dashboard/sign-in",
            None,
            Some(&format!("key=rgk_guess_{i}")),
        )
        .await?;
        assert_eq!(a.status, 401);
    }
    let limited = call(
        addr,
        "POST",
        "/dashboard/sign-in",
        None,
        Some(&format!("key={}", urlencode(&market))),
    )
    .await?;
    assert_eq!(limited.status, 429);
    assert_eq!(
        call(addr, "GET", "/dashboard", Some(&m), None)
            .await?
            .status,
        200
    );
    Store::open(&path)?.revoke_key(&market[4..16], "admin")?;
    let a = call(addr, "GET", "/dashboard", Some(&m), None).await?;
    assert_eq!(a.status, 303, "a revoked key's session goes on");
    running.stop().await?;
    Ok(())
}
