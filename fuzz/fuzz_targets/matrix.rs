//! The matrix reader and its index: `Matrix::from_json` (the plain and the compact form; users can give their own
//! matrix as a document) on arbitrary text, then lookups. The compact form's fast `paths` reader, alone and read in
//! place in the document, must read what serde reads (or decline), and a compact matrix, whose operations are built
//! one first segment at a time when looked up, must answer every lookup as the same operations indexed whole.
//! Input: the document, optionally followed by a line `---` and called operations, one a line (`METHOD path`).
//! Every operation of a matrix that reads must be found by its own template called as a path, with its own method
//! (unless the path as called differs: a base path, a host, a query, a `%` escape, stray braces), and give back
//! each `{name}` of a plain template as its value; no lookup may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_doctor::matrix::{Lookup, Matrix, canonical_paths_agree, compact_read_agrees};

/// A lookup's answer, for comparing two matrices.
fn answer(l: &Lookup<'_>) -> String {
    match l {
        Lookup::Found { op, params } => format!("found {} {} {params:?}", op.method, op.path),
        Lookup::NotFound { nearest } => {
            let near: Vec<String> = nearest
                .iter()
                .map(|o| format!("{} {}", o.method, o.path))
                .collect();
            format!("not found; nearest {near:?}")
        }
    }
}

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

/// The parameter names of a template whose segments are each a literal without braces or one whole `{name}`;
/// None for any other template.
fn plain_params(path: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    for segment in path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if name.is_empty() || name.contains(['{', '}']) {
                return None;
            }
            names.push(name);
        } else if segment.contains(['{', '}']) {
            return None;
        }
    }
    Some(names)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (doc, calls) = text.split_once("\n---\n").unwrap_or((&text, ""));
    assert!(
        canonical_paths_agree(doc),
        "the fast paths reader disagrees with serde"
    );
    assert!(
        compact_read_agrees(doc),
        "the in-place document reader disagrees with serde"
    );
    let Ok(matrix) = Matrix::from_json(doc) else {
        return;
    };
    // Looked up before anything builds all its operations, then against them indexed whole.
    let fresh = Matrix::from_json(doc).expect("reads twice");
    let whole = Matrix::new(matrix.platform.clone(), matrix.operations().to_vec());
    for line in calls.lines().take(16) {
        let (method, path) = line.split_once(' ').unwrap_or(("GET", line));
        assert_eq!(
            answer(&fresh.lookup(method, path)),
            answer(&whole.lookup(method, path)),
            "{method} {path}"
        );
    }
    for op in matrix.operations().iter().take(64) {
        // What a called path goes through and a template does not (Matrix::normalize_path: trimmed, scheme and
        // host, query and fragment, base path and trailing slash dropped; then percent-decoding), and the limit
        // on segments.
        let changed_as_called = matrix.normalize_path(&op.path) != op.path
            || op.path.contains('%')
            || op.path.split('/').count() > 60
            || !well_formed_braces(&op.path);
        assert_eq!(
            answer(&matrix.lookup(&op.method, &op.path)),
            answer(&whole.lookup(&op.method, &op.path))
        );
        match matrix.lookup(&op.method, &op.path) {
            Lookup::Found { op: found, params } => {
                assert!(
                    found.method.eq_ignore_ascii_case(&op.method),
                    "{} found {}",
                    op.method,
                    found.method
                );
                // Called as itself, a template of plain `{name}` segments gives back each `{name}` as the value.
                if found.path == op.path && !changed_as_called && !op.path.contains(':') {
                    if let Some(names) = plain_params(&op.path) {
                        let expected: Vec<(String, String)> = names
                            .iter()
                            .map(|n| (n.to_string(), format!("{{{n}}}")))
                            .collect();
                        assert_eq!(params, expected, "{} {}", op.method, op.path);
                    }
                }
            }
            Lookup::NotFound { .. } => {
                assert!(
                    changed_as_called || op.method.is_empty(),
                    "{} {} is not found by its own path",
                    op.method,
                    op.path
                );
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
