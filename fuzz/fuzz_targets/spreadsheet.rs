#![no_main]

//! The ODS/XLSX reader: the first byte chooses the format, the rest is the file.

use candour_cqc::SourceKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, file)) = data.split_first() else { return };
    let extension = if choice % 2 == 0 { "ods" } else { "xlsx" };
    candour_fuzz::import(SourceKind::Directory, file, extension);
});
