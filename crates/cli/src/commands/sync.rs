use crate::DbArgs;

pub async fn run(_db: &DbArgs, _since: Option<String>, _base_url: &str) -> anyhow::Result<()> {
    anyhow::bail!("PLACEHOLDER-SYNC")
}
