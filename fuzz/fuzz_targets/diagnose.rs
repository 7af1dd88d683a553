//! The whole `diagnose` request path, with the three built-in platforms installed. The input is either a JSON request (what the page and embedders send,
//! parsed exactly as the wasm boundary parses it) or raw bytes split into request fields at 0xFF bytes (0xFF never
//! occurs in UTF-8, so every field is arbitrary text): input, operation, response, previous, matrix,
//! introspection, expected audience, expected issuer, platform.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use token_doctor::registry::Registry;
use token_doctor::report::{Severity, Verdict};
use token_doctor::request::{Expect, Request};

/// A fixed clock, as the tests use (the engine takes `now` from the request).
const NOW: f64 = 1_700_000_000.0;

fn request_of(data: &[u8]) -> Request {
    if data.first() == Some(&b'{') {
        if let Ok(mut request) = serde_json::from_slice::<Request>(data) {
            request.now = request.now.or(Some(NOW));
            return request;
        }
    }
    let mut fields = data
        .split(|b| *b == 0xFF)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut next = move || fields.next().filter(|f| !f.is_empty());
    let input = next().unwrap_or_default();
    let operation = next();
    let response = next();
    let previous = next();
    let matrix = next().map(Value::String);
    let introspection = next().map(Value::String);
    let audience = next();
    let issuer = next();
    let platform = next();
    let expect = (audience.is_some() || issuer.is_some()).then_some(Expect { audience, issuer });
    Request {
        input,
        operation,
        platform,
        matrix,
        response,
        introspection,
        expect,
        now: Some(NOW),
        previous,
        keys: None,
    }
}

/// The built-in platforms, installed as the page installs them: operations are looked up, scopes compared
/// against real catalogs, nearest operations and scopes searched.
fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = Registry::default();
        for text in [
            include_str!("../../www/matrices/genesys-cloud.json"),
            include_str!("../../www/matrices/microsoft-graph.json"),
            include_str!("../../www/matrices/nice-cxone.json"),
        ] {
            if let Ok(matrix) = token_doctor::matrix::Matrix::from_json(text) {
                registry.install(matrix);
            }
        }
        assert_eq!(registry.installed().len(), 3, "the built-in matrices load");
        registry
    })
}

fuzz_target!(|data: &[u8]| {
    let request = request_of(data);
    let report = token_doctor::diagnose(&request, registry());
    // The report always crosses the boundary as JSON.
    let json = serde_json::to_string(&report);
    assert!(json.is_ok(), "the report does not serialize: {json:?}");
    // The verdict follows from the findings, and the findings are ranked errors first.
    let has_error = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    assert_eq!(
        has_error,
        report.verdict == Verdict::Denied,
        "verdict {:?} vs findings",
        report.verdict
    );
    assert!(
        report
            .findings
            .windows(2)
            .all(|w| w[0].severity <= w[1].severity),
        "findings are not ranked by severity"
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.code.is_empty() && !f.title.is_empty())
    );
});
