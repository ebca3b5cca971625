//! `candour rate FILE|-`: rates an assessment given as JSON and prints the result as
//! JSON, so that anyone can check the engine against the framework.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use candour_engine::{Assessment, Framework, rate};

/// The largest assessment read: far more than 34 statements in any number of
/// service groups need, small enough that a wrong file is refused at once.
const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(file: &Path) -> anyhow::Result<()> {
    let (text, source) = read_input(file)?;
    let framework = Framework::current().context("the built-in quality framework cannot be loaded")?;
    let assessment = Assessment::from_json(&text).with_context(|| format!("{source} is not a valid assessment"))?;
    let result = rate(framework, &assessment).with_context(|| format!("{source} cannot be rated"))?;
    let json = serde_json::to_string_pretty(&result).context("cannot write the result as JSON")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("cannot write the result")?;
    Ok(())
}

/// Reads the file, or standard input for `-`, as UTF-8 text.
fn read_input(file: &Path) -> anyhow::Result<(String, String)> {
    let (reader, source): (Box<dyn Read>, String) = if file == Path::new("-") {
        (Box::new(std::io::stdin().lock()), "standard input".to_string())
    } else {
        let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        (Box::new(opened), file.display().to_string())
    };
    let mut bytes = Vec::new();
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {source}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        anyhow::bail!("{source} is larger than {} MiB: it cannot be an assessment", MAX_INPUT_BYTES / 1024 / 1024);
    }
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{source} is not UTF-8 text"))?;
    Ok((text, source))
}
