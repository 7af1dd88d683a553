//! The matrix reader and its index: `Matrix::from_json` (the plain and the compact form; users can give their own
//! matrix as a document) on arbitrary text, then lookups. Input: the document, optionally followed by a line
//! `---` and called operations, one a line (`METHOD path`). Every operation of a matrix that reads must be found
//! by its own template called as a path, with its own method (unless a platform base path or a `%` escape in the
//! template changes the path as called), and no lookup may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_doctor::matrix::{Lookup, Matrix};

/// Whether every `{` opens a non-empty `{name}` that closes before the next brace. A template with stray braces
/// (`{id}}`, `{}`) need not match itself: its parameters are matched left to right without backtracking.
fn well_formed_braces(path: &str) -> bool {
    path.split('/').all(|segment| {
        let mut open: Option<usize> = None;
        for (i, c) in segment.char_indices() {
            match (c, open) {
                ('{', None) => open = Some(i),
                ('}', Some(at)) if i > at + 1 => open = None,
                ('{' | '}', _) => return false,
                _ => {}
            }
        }
        open.is_none()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (doc, calls) = text.split_once("\n---\n").unwrap_or((&text, ""));
    let Ok(matrix) = Matrix::from_json(doc) else {
        return;
    };
    let bases = &matrix.platform.base_paths;
    for op in matrix.operations.iter().take(64) {
        // What a called path goes through and a template does not (Matrix::normalize_path, percent-decoding),
        // and the limit on segments.
        let changed_as_called = op.path.contains('%')
            || op.path.contains(['?', '#'])
            || op.path.contains("://")
            || op.path.trim() != op.path
            || !op.path.starts_with('/')
            || op.path.contains("//")
            || op.path.ends_with('/')
            || op.path.split('/').count() > 60
            || !well_formed_braces(&op.path)
            || bases.iter().any(|b| !b.is_empty());
        match matrix.lookup(&op.method, &op.path) {
            Lookup::Found { op: found, .. } => {
                assert!(found.method.eq_ignore_ascii_case(&op.method), "{} found {}", op.method, found.method);
            }
            Lookup::NotFound { .. } => {
                assert!(changed_as_called || op.method.is_empty(), "{} {} is not found by its own path", op.method, op.path);
            }
        }
    }
    for line in calls.lines().take(16) {
        let (method, path) = line.split_once(' ').unwrap_or(("GET", line));
        if let Lookup::Found { op, .. } = matrix.lookup(method, path) {
            assert!(op.method.eq_ignore_ascii_case(method));
        }
        let _ = matrix.lookup_all(path);
    }
});
