//! `candour rate FILE|-`: rates an assessment given as JSON and prints the result as
//! JSON, so that anyone can check the engine against the framework.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use candour_engine::{Assessment, Framework, rate};

/// The largest assessment read: far more than 34 statements in any number of
/// service groups need, small enough that a wrong file is refused at once.
const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(file: &Path) -> anyhow::Result<()> {
    let (text, source) = super::read_input(file, MAX_INPUT_BYTES)?;
    let framework = Framework::current().context("the built-in quality framework cannot be loaded")?;
    let assessment = Assessment::from_json(&text).with_context(|| format!("{source} is not a valid assessment"))?;
    let result = rate(framework, &assessment).with_context(|| format!("{source} cannot be rated"))?;
    let json = serde_json::to_string_pretty(&result).context("cannot write the result as JSON")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("cannot write the result")?;
    Ok(())
}
