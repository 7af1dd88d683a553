//! The OpenAPI importer: `openapi::import` on arbitrary text (OpenAPI 3.x / Swagger 2.0 as JSON or YAML, or the
//! project's matrix format).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let imported = token_doctor::openapi::import(&text);
    // Either something usable came out, or at least one problem says why not.
    assert!(
        imported.matrix.is_some() || !imported.problems.is_empty(),
        "import returned neither a matrix nor a problem"
    );
    for problem in &imported.problems {
        assert!(!problem.message.is_empty());
    }
});
