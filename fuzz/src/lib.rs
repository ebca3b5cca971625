//! What the fuzz targets share: the file importers read from a path, so each
//! input is written to a file of this process's own before it is read.

use std::path::PathBuf;

use candour_cqc::{ImportOptions, NoProgress, SourceKind};
use candour_store::RegisterSnapshot;

/// Writes `data` to a scratch file with `extension` and returns its path.
pub fn scratch_file(data: &[u8], extension: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("candour-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the scratch folder can be made");
    let path = dir.join(format!("input.{extension}"));
    std::fs::write(&path, data).expect("the scratch file can be written");
    path
}

/// Reads `data` as a file of `kind`, then plans it against an empty register,
/// as `candour import` does. Refusals are fine; panics, hangs and runaway
/// memory are what the fuzzer looks for.
pub fn import(kind: SourceKind, data: &[u8], extension: &str) {
    let path = scratch_file(data, extension);
    if let Ok(parsed) = kind.read(&path, &NoProgress) {
        let options = ImportOptions { skip_invalid: true, ..ImportOptions::default() };
        let _ = candour_cqc::plan(parsed, &RegisterSnapshot::default(), &options);
    }
}
