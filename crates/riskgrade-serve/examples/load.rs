//! A bounded load generator for the results service, on loopback only:
//! enterprise lookups (or batch lookups) over keep-alive connections, stopped
//! by a request count or a time limit, whichever comes first; prints the
//! throughput, the latency percentiles and the errors.
//!
//! ```sh
//! riskgrade serve --store demo.db &
//! cargo run --release -p riskgrade-serve --example load -- \
//!     --addr 127.0.0.1:8080 --key rgk_... --enterprises 50000 \
//!     --connections 16 --requests 100000 --seconds 30 [--batch 1000] [--period 2026-12]
//! ```
//!
//! Ids are the synthetic population's (`E0000001` …), drawn evenly over
//! `--enterprises`.
//!
//! With `--store DB` instead of `--addr`/`--key`, the service is started in
//! this process on an ephemeral loopback port over `DB` with a fresh `public`
//! key; `--make N` first grades N synthetic enterprises into `DB` for period
//! 2026-10 (and `--months M` more periods after it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

type Fail = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    addr: SocketAddr,
    key: String,
    enterprises: usize,
    connections: usize,
    requests: usize,
    seconds: u64,
    batch: usize,
    period: Option<String>,
    store: Option<std::path::PathBuf>,
    make: usize,
    months: u32,
}

fn args() -> Result<Args, Fail> {
    let mut a = Args {
        addr: "127.0.0.1:8080".parse()?,
        key: String::new(),
        enterprises: 50_000,
        connections: 16,
        requests: 100_000,
        seconds: 30,
        batch: 0,
        period: None,
        store: None,
        make: 0,
        months: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => a.addr = value.parse()?,
            "--key" => a.key = value,
            "--enterprises" => a.enterprises = value.parse()?,
            "--connections" => a.connections = value.parse()?,
            "--requests" => a.requests = value.parse()?,
            "--seconds" => a.seconds = value.parse()?,
            "--batch" => a.batch = value.parse()?,
            "--period" => a.period = Some(value),
            "--store" => a.store = Some(value.into()),
            "--make" => a.make = value.parse()?,
            "--months" => a.months = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    if !a.addr.ip().is_loopback() {
        return Err(format!("{}: this generator only targets loopback addresses", a.addr).into());
    }
    a.requests = a.requests.min(10_000_000);
    a.seconds = a.seconds.min(600);
    a.enterprises = a.enterprises.max(1);
    Ok(a)
}

/// Sends one request on a keep-alive connection; the status.
async fn send(conn: &mut BufReader<TcpStream>, request: &[u8]) -> Result<u16, Fail> {
    conn.get_mut().write_all(request).await?;
    let mut line = String::new();
    conn.read_line(&mut line).await?;
    let status = line.split_whitespace().nth(1).ok_or("no status")?.parse()?;
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        conn.read_line(&mut h).await?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse()?;
        }
    }
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).await?;
    Ok(status)
}

fn request(a: &Args, n: usize) -> String {
    let id = |k: usize| format!("E{:07}", (k * 7919) % a.enterprises + 1);
    let auth = format!("authorization: Bearer {}\r\n", a.key);
    if a.batch == 0 {
        let q = a
            .period
            .as_ref()
            .map(|p| format!("?period={p}"))
            .unwrap_or_default();
        format!(
            "GET /api/v1/enterprises/{}{q} HTTP/1.1\r\nhost: l\r\n{auth}\r\n",
            id(n)
        )
    } else {
        let ids: Vec<String> = (0..a.batch)
            .map(|i| format!("\"{}\"", id(n * a.batch + i)))
            .collect();
        let body = format!("{{\"ids\":[{}]}}", ids.join(","));
        format!(
            "POST /api/v1/enterprises/batch HTTP/1.1\r\nhost: l\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    }
}

/// Grades `n` synthetic enterprises into `path` for 2026-10 and `months` more periods.
fn make_store(path: &std::path::Path, n: usize, months: u32) -> Result<(), Fail> {
    use riskgrade::synth::{SynthConfig, generate};
    let set = Arc::new(riskgrade::examples::reference()?);
    let mut store = riskgrade::store::Store::open(path)?;
    let mut p: riskgrade::Month = "2026-10".parse()?;
    let people = generate(&SynthConfig::new(n, 7, p.last_day())).enterprises;
    for _ in 0..=months {
        let t = Instant::now();
        let input = riskgrade::MonthInput::Profiles(&people);
        riskgrade::run_month(
            &mut store,
            &set,
            input,
            p,
            p.last_day(),
            &riskgrade::Options::default(),
        )?;
        println!(
            "graded {n} enterprises into {} for {p} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
        p = p.next();
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Fail> {
    let mut a = args()?;
    let mut running = None;
    if let Some(path) = a.store.clone() {
        if a.make > 0 {
            make_store(&path, a.make, a.months)?;
            a.enterprises = a.make;
        }
        let mut store = riskgrade::store::Store::open(&path)?;
        a.key = riskgrade_serve::issue_key(
            &mut store,
            riskgrade::store::Role::Public,
            None,
            "load",
            "load",
        )?
        .key;
        drop(store);
        let config = riskgrade_serve::Config::new(&path).listen("127.0.0.1:0".parse()?);
        let r = riskgrade_serve::start(config).await?;
        a.addr = r.addr();
        running = Some(r);
    }
    let a = Arc::new(a);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.connections {
        let (a, next) = (Arc::clone(&a), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut conn = BufReader::new(TcpStream::connect(a.addr).await?);
            let (mut lat, mut errors) = (Vec::new(), 0usize);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= a.requests || Instant::now() > deadline {
                    break;
                }
                let req = request(&a, n);
                let t = Instant::now();
                let status = send(&mut conn, req.as_bytes()).await?;
                lat.push(t.elapsed());
                if status != 200 {
                    errors += 1;
                }
            }
            Ok::<_, Fail>((lat, errors))
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (lat, e) = t.await??;
        all.extend(lat);
        errors += e;
    }
    let secs = t0.elapsed().as_secs_f64();
    all.sort();
    let p = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{} {} in {secs:.2} s over {} connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {errors} non-200",
        all.len(),
        if a.batch == 0 {
            "lookups".to_string()
        } else {
            format!("batches of {}", a.batch)
        },
        a.connections,
        all.len() as f64 / secs,
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        p(1.0).as_secs_f64() * 1e3,
    );
    if let Some(r) = running {
        r.stop().await?;
    }
    Ok(())
}
