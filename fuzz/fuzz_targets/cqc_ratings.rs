#![no_main]

use candour_cqc::SourceKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| candour_fuzz::import(SourceKind::LatestRatings, data, "csv"));
