//! What the digest examples share.

use std::path::PathBuf;

/// The files directly under each directory given on the command line, each directory's in name order: what the
/// digest examples read, so that two runs list the same files in the same order.
pub fn files_of_args() -> std::io::Result<Vec<PathBuf>> {
    let mut all = Vec::new();
    for dir in std::env::args().skip(1) {
        let mut files: Vec<_> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        all.extend(files);
    }
    Ok(all)
}
