//! Prints a digest of what `openapi::import` makes of every file under the given directories (a `.gz` file is
//! decompressed first), so that a change meant to be behaviour-neutral can be checked against the tree before it:
//! `cargo run --release --example import_digest -- fuzz/corpus/openapi_import fuzz/seeds/openapi_import
//! tests/fixtures tests/fixtures/openapi > a.txt`, change, run again, `diff a.txt b.txt`. Each line: the file and an
//! FNV-1a digest of the import (through the outline) and of the whole-tree import: the matrix as JSON, with every
//! operation, and the problems and format.
//! `report_digest` diagnoses the files of `fuzz/corpus/openapi_import` as pasted tokens; this one imports them.

mod common;

use std::io::Read;
use token_doctor::fnv;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for file in common::files_of_args()? {
        let mut bytes = std::fs::read(&file)?;
        if file.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
            bytes = out;
        }
        let text = String::from_utf8_lossy(&bytes);
        // The matrix as JSON (its operations: `Debug` shows deferred parts as "(built)"), and the rest.
        let shown = |i: token_doctor::openapi::Imported| {
            let matrix = i.matrix.as_ref().map(token_doctor::json::to_string);
            format!("{matrix:?} {:?} {:?}", i.problems, i.format)
        };
        let imported = shown(token_doctor::openapi::import(&text));
        let whole = shown(token_doctor::openapi::import_whole_tree(&text));
        println!(
            "{}\t{:016x}\t{:016x}",
            file.display(),
            fnv::hash(imported.as_bytes()),
            fnv::hash(whole.as_bytes())
        );
    }
    Ok(())
}
