#![no_main]

//! `candour rate`: an assessment as JSON, rated by the engine.

use candour_engine::{Assessment, Framework, rate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let framework = Framework::current().expect("the built-in framework loads");
    if let Ok(assessment) = Assessment::from_json(text) {
        let _ = rate(framework, &assessment);
    }
});
