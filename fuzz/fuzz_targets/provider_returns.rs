#![no_main]

use candour_domain::returns::template;
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("a valid date");
    let _ = template::read(data, today, &template::no_logs);
});
