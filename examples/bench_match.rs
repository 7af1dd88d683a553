//! Native matrix-lookup benchmark, run by `make bench` (bench/run.mjs): for each built-in matrix given on the
//! command line, every operation is called once with real-looking ids filled into its path parameters (shuffled),
//! then lookups are timed in batches with `Instant`; prints one JSON object per matrix on stdout.
//!
//! Usage: `cargo run --release --example bench_match -- www/matrices/microsoft-graph.json ...`

use std::hint::black_box;
use std::time::Instant;
use token_doctor::matrix::{Lookup, Matrix};

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(1);
        usize::try_from(self.next().checked_rem(n).unwrap_or(0)).unwrap_or(0)
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                char::from_digit(u32::try_from(self.next() % 16).unwrap_or(0), 16).unwrap_or('0')
            })
            .collect()
    }

    fn guid(&mut self) -> String {
        format!(
            "{}-{}-4{}-8{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }
}

/// A real-looking value for a path parameter named `name`.
fn fill(name: &str, rng: &mut Rng) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("id") || lower.starts_with("id") || lower.ends_with("key") {
        rng.guid()
    } else if lower.contains("date") || lower.contains("day") || lower.contains("interval") {
        "2024-05-01".to_string()
    } else if lower.contains("version") {
        "3".to_string()
    } else {
        format!("sample{}", rng.below(1000))
    }
}

/// The called path for a template: every `{param}` replaced, the platform's first base path in front.
fn called_path(template: &str, base: &str, rng: &mut Rng) -> String {
    let mut out = String::from(base);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        out.push_str(head);
        match tail.find('}') {
            Some(close) => {
                let name = tail.get(1..close).unwrap_or("");
                out.push_str(&fill(name, rng));
                rest = tail.get(close.saturating_add(1)..).unwrap_or("");
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn bench(file: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let t0 = Instant::now();
    let matrix = Matrix::from_json(&text)?;
    let parse_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let base = matrix
        .platform
        .base_paths
        .first()
        .cloned()
        .unwrap_or_default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut calls: Vec<(String, String)> = matrix
        .operations()
        .iter()
        .map(|op| (op.method.clone(), called_path(&op.path, &base, &mut rng)))
        .collect();
    for i in (1..calls.len()).rev() {
        let j = rng.below(i.saturating_add(1));
        calls.swap(i, j);
    }
    let matched = calls
        .iter()
        .filter(|(m, p)| matches!(matrix.lookup(m, p), Lookup::Found { .. }))
        .count();
    let unmatched: Vec<String> = calls
        .iter()
        .filter(|(m, p)| !matches!(matrix.lookup(m, p), Lookup::Found { .. }))
        .take(5)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    // Only lookups that find their entry are timed: a miss also ranks the nearest entries (a different cost).
    let found: Vec<&(String, String)> = calls
        .iter()
        .filter(|(m, p)| matches!(matrix.lookup(m, p), Lookup::Found { .. }))
        .collect();
    if found.is_empty() {
        return Err(format!("{file}: no operation matched"));
    }
    let batch = 200usize;
    let samples = 300usize;
    let mut k = 0usize;
    let mut per_op_ns: Vec<f64> = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        for _ in 0..batch {
            if let Some((m, p)) = found.get(k.checked_rem(found.len()).unwrap_or(0)) {
                black_box(matrix.lookup(black_box(m), black_box(p)));
            }
            k = k.wrapping_add(1);
        }
        #[allow(clippy::cast_precision_loss)]
        per_op_ns.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    per_op_ns.sort_by(f64::total_cmp);
    let median = quantile(&per_op_ns, 0.5);
    Ok(serde_json::json!({
        "file": file,
        "platform": matrix.platform.id,
        "operations": matrix.operations().len(),
        "matched": matched,
        "unmatched": unmatched,
        "parseMs": parse_ms,
        "lookupNs": { "median": median, "p25": quantile(&per_op_ns, 0.25), "p75": quantile(&per_op_ns, 0.75), "n": samples, "batch": batch },
        "perSecond": 1e9 / median,
    })
    .to_string())
}

fn main() {
    let mut failed = false;
    for file in std::env::args().skip(1) {
        match bench(&file) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                println!("{}", serde_json::json!({ "file": file, "error": e }));
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
