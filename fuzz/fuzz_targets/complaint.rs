#![no_main]

//! A new complaint as the form sends it (urlencoded) and as the API sends it
//! (JSON), and a step recorded on one (JSON); the first byte chooses which.

use candour_domain::complaints::{ComplaintStep, Intake, NewComplaintDetails, RawComplaint, RawStep};
use candour_web::form_readers;
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else { return };
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("a valid date");
    let raw = match choice % 3 {
        0 => form_readers::complaint(&form_readers::pairs(body)),
        1 => match serde_json::from_slice::<RawComplaint>(body) {
            Ok(raw) => raw,
            Err(_) => return,
        },
        _ => {
            if let Ok(step) = serde_json::from_slice::<RawStep>(body) {
                let _ = ComplaintStep::parse(&step, today);
            }
            return;
        }
    };
    for intake in [Intake::Online, Intake::Logged] {
        let _ = NewComplaintDetails::parse(&raw, intake, today);
    }
});
