//! Diagnoses one request from the command line, with the built-in matrices installed:
//! `echo '{"input":"...","operation":"GET /v1.0/me"}' | cargo run --example diagnose`
//! Prints the report as JSON. A developer tool for looking at what the engine says.

use std::io::Read;
use token_doctor::matrix::Matrix;
use token_doctor::registry::{BUILT_IN, Registry};
use token_doctor::request::Request;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let mut request: Request = serde_json::from_str(&text)?;
    if request.now.is_none() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        request.now = Some(now as f64);
    }
    let mut registry = Registry::default();
    for id in BUILT_IN {
        let path = format!("{}/www/matrices/{id}.json", env!("CARGO_MANIFEST_DIR"));
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|m| Matrix::from_json(&m))
        {
            Ok(m) => registry.install(m),
            Err(e) => eprintln!("{id}: not installed ({e})"),
        }
    }
    let report = token_doctor::diagnose(&request, &registry);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
