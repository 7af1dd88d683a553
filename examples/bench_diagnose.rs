//! Native loop over `diagnose({input})` plus its JSON serialization (what the wasm boundary does), for profiling
//! with `perf`. The tokens file has one token a line, e.g. the bench corpus written by
//! `node -e "import('./bench/tokens.mjs').then(m => m.corpus().forEach(t => console.log(t.token)))"`; then
//! `cargo run --release --example bench_diagnose -- TOKENS_FILE [SECONDS_PER_TOKEN]` prints the median time per
//! call of each token.

use std::hint::black_box;
use std::time::{Duration, Instant};
use token_doctor::registry::Registry;
use token_doctor::request::Request;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: bench_diagnose TOKENS_FILE [SECONDS_PER_TOKEN]")?;
    let seconds: f64 = args.next().map_or(Ok(1.0), |s| s.parse())?;
    let registry = Registry::default();
    // The tokens are made for the current time (bench/tokens.mjs), so the clock is the real one.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        .floor();
    for (line, token) in std::fs::read_to_string(file)?.lines().enumerate() {
        let request = Request {
            input: token.to_string(),
            now: Some(now),
            ..Default::default()
        };
        let mut samples: Vec<f64> = Vec::new();
        let end = Instant::now()
            .checked_add(Duration::from_secs_f64(seconds))
            .ok_or("seconds out of range")?;
        while Instant::now() < end {
            let t0 = Instant::now();
            for _ in 0..100 {
                let report = token_doctor::diagnose(black_box(&request), &registry);
                black_box(token_doctor::json::to_string(&report)?);
            }
            samples.push(t0.elapsed().as_secs_f64() * 1e4);
        }
        samples.sort_by(f64::total_cmp);
        let median = samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN);
        println!("token {line} ({} B): {median:.2} µs", token.len());
    }
    Ok(())
}
