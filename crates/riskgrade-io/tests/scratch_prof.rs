use riskgrade_core::{InputSpec, InputType, Schema};
use riskgrade_io::*;
fn spec(ty: InputType) -> InputSpec { InputSpec { ty, derive: None, attribute: None, column: None, description: None } }
#[test]
#[ignore]
fn generate() {
    let n = 1_000_000; let k = 45;
    let mut cols = vec![
        OutColumn::new("id", OutData::Text((0..n).map(|i| Some(format!("E{i:08}"))).collect())),
        OutColumn::new("name", OutData::Text((0..n).map(|i| Some(format!("Enterprise {i}"))).collect())),
        OutColumn::new("industry", OutData::Text((0..n).map(|i| Some(format!("C{}", 13 + i % 3))).collect())),
    ];
    for c in 0..k {
        let data = match c % 3 {
            0 => OutData::Number((0..n).map(|i| Some(((i * 7919 + c) % 100_003) as f64 / 97.0)).collect()),
            1 => OutData::Integer((0..n).map(|i| Some(((i + c) % 13) as i64)).collect()),
            _ => OutData::Text((0..n).map(|i| Some(["small", "medium", "large"][(i + c) % 3].to_string())).collect()),
        };
        cols.push(OutColumn::new(format!("x{c}"), data));
    }
    let t = std::time::Instant::now();
    write_table(std::path::Path::new("/tmp/rg_large.csv"), &cols).unwrap();
    println!("csv write {:?}", t.elapsed());
    let t = std::time::Instant::now();
    write_table(std::path::Path::new("/tmp/rg_large.parquet"), &cols).unwrap();
    println!("parquet write {:?}", t.elapsed());
}
fn schema() -> Schema {
    Schema::new((0..45).map(|c| (format!("x{c}"), spec(if c % 3 == 2 { InputType::Category } else { InputType::Number }))))
}
#[test]
#[ignore]
fn read_csv() {
    let t = std::time::Instant::now();
    let f = read_frame(std::path::Path::new("/tmp/rg_large.csv"), &schema()).unwrap();
    println!("csv read {:?} {}", t.elapsed(), f.len());
}
#[test]
#[ignore]
fn read_pq() {
    let t = std::time::Instant::now();
    let f = read_frame(std::path::Path::new("/tmp/rg_large.parquet"), &schema()).unwrap();
    println!("pq read {:?} {}", t.elapsed(), f.len());
}
