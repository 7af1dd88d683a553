//! What several integration tests share (`mod common;`): the built-in matrices as the page installs them, and an
//! operation lookup that says what was near when it misses. Each test crate uses a part of it.
#![allow(dead_code, clippy::panic, clippy::expect_used)]

use std::sync::OnceLock;
use token_doctor::matrix::{Lookup, Matrix, Operation};
use token_doctor::registry::Registry;

/// The built-in platform matrices (`www/matrices/`), by id.
pub const BUILT_IN: [(&str, &str); 3] = [
    (
        "genesys-cloud",
        include_str!("../../www/matrices/genesys-cloud.json"),
    ),
    (
        "microsoft-graph",
        include_str!("../../www/matrices/microsoft-graph.json"),
    ),
    (
        "nice-cxone",
        include_str!("../../www/matrices/nice-cxone.json"),
    ),
];

/// A registry with every built-in platform installed (read once per test binary); each file must load and be
/// the platform its name says.
pub fn built_in_registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = Registry::default();
        for (id, text) in BUILT_IN {
            let matrix = Matrix::from_json(text)
                .unwrap_or_else(|e| panic!("www/matrices/{id}.json does not load: {e}"));
            assert_eq!(matrix.platform.id, id, "www/matrices/{id}.json");
            registry.install(matrix);
        }
        registry
    })
}

/// The operation `method path` matches in `m`, with the path parameters; on a miss, fails naming the nearest.
pub fn found<'a>(
    m: &'a Matrix,
    method: &str,
    path: &str,
) -> (&'a Operation, Vec<(String, String)>) {
    match m.lookup(method, path) {
        Lookup::Found { op, params } => (op, params),
        Lookup::NotFound { nearest } => panic!(
            "{method} {path} not found; nearest {:?}",
            nearest
                .iter()
                .map(|o| format!("{} {}", o.method, o.path))
                .collect::<Vec<_>>()
        ),
    }
}
