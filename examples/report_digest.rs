//! Prints a digest of what the engine says for every file under the given directories, so that a change meant to
//! be behaviour-neutral (a speed-up) can be checked against the tree before it:
//! `cargo run --release --example report_digest -- fuzz/corpus/diagnose fuzz/corpus/jose_decode tests/corpus > a.txt`,
//! change, run again, `diff a.txt b.txt`. Each line: the file, an FNV-1a digest of the report JSON of
//! `diagnose` (built-in matrices installed, a fixed clock) and of the `Debug` form of `jose::decode`.
//! A file that holds a JSON request (`{"input": ...}`) is diagnosed as that request, a JSON array of corpus cases
//! (`[{"request": ...}]`) as each case, any other file as a pasted input.

mod common;

use token_doctor::fnv;
use token_doctor::matrix::Matrix;
use token_doctor::registry::{BUILT_IN, Registry};
use token_doctor::request::Request;

fn requests_of(bytes: &[u8]) -> Vec<Request> {
    if let Ok(cases) = serde_json::from_slice::<Vec<serde_json::Value>>(bytes) {
        let requests: Vec<Request> = cases
            .iter()
            .filter_map(|c| serde_json::from_value(c.get("request")?.clone()).ok())
            .collect();
        if !requests.is_empty() {
            return requests;
        }
    }
    if let Ok(request) = serde_json::from_slice::<Request>(bytes) {
        return vec![request];
    }
    vec![Request {
        input: String::from_utf8_lossy(bytes).into_owned(),
        ..Default::default()
    }]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut registry = Registry::default();
    for id in BUILT_IN {
        let path = format!("{}/www/matrices/{id}.json", env!("CARGO_MANIFEST_DIR"));
        registry.install(Matrix::from_json(&std::fs::read_to_string(path)?)?);
    }
    for file in common::files_of_args()? {
        let bytes = std::fs::read(&file)?;
        for mut request in requests_of(&bytes) {
            request.now = request.now.or(Some(1_700_000_000.0));
            let report = token_doctor::diagnose(&request, &registry);
            let decoded = format!("{:?}", token_doctor::jose::decode(&request.input));
            println!(
                "{}\t{:016x}\t{:016x}",
                file.display(),
                fnv::hash(serde_json::to_string(&report)?.as_bytes()),
                fnv::hash(decoded.as_bytes())
            );
        }
    }
    Ok(())
}
