#![no_main]

//! Feedback as the form sends it (urlencoded) and as the API sends it (JSON),
//! through the same checks; the first byte chooses which.

use candour_domain::voice::{Channel, Feedback, RawFeedback};
use candour_web::form_readers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else { return };
    let raw = if choice % 2 == 0 {
        form_readers::feedback(&form_readers::pairs(body))
    } else {
        let Ok(raw) = serde_json::from_slice::<RawFeedback>(body) else { return };
        raw
    };
    for channel in [Channel::Online, Channel::Paper, Channel::Assisted, Channel::Api] {
        let _ = Feedback::parse(&raw, channel);
    }
});
