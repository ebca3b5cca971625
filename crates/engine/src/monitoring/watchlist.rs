//! The watchlist: each service's score from its indicators, its band from 1 (look
//! first) to 6, and its reasons in plain words, the most serious first.

use candour_domain::percent::percent_of_share;
use serde::Serialize;

use super::catalogue::{Indicator, Statistic};
use super::flags::{Fact, Seriousness};
use super::{IndicatorResult, MonitoringError, ServiceIndicators, Status};

/// How scores become bands, and how far a flag lifts a service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BandPolicy {
    /// A score at or above `cuts[0]` is band 1, at or above `cuts[1]` band 2, … ; below
    /// `cuts[4]` (or with no indicator data) band 6. Falling, each above 0 and at most 1.
    /// The default puts any risk at all (the smallest score is 1/38) in band 5 or above.
    pub cuts: [f64; 5],
    /// A serious flag (no registered manager) keeps the service in this band or above.
    pub serious_band: u8,
    /// A concern flag (silence, manager changes, few complaints) keeps it in this band or above.
    pub concern_band: u8,
}

impl Default for BandPolicy {
    fn default() -> Self {
        BandPolicy { cuts: [0.5, 0.3, 0.2, 0.1, 0.01], serious_band: 2, concern_band: 3 }
    }
}

impl BandPolicy {
    pub fn validate(&self) -> Result<(), MonitoringError> {
        let in_range = self.cuts.iter().all(|&c| c > 0.0 && c <= 1.0);
        let falling = self.cuts.windows(2).all(|pair| pair[0] > pair[1]);
        if !(in_range && falling) {
            return Err(MonitoringError::Bands(format!(
                "the band cut-points must fall from band 1 to band 5, each above 0 and at most 1 (they are {:?})",
                self.cuts
            )));
        }
        for (name, band) in [("serious", self.serious_band), ("concern", self.concern_band)] {
            if !(1..=6).contains(&band) {
                return Err(MonitoringError::Bands(format!("the {name} band must be 1 to 6 (it is {band})")));
            }
        }
        Ok(())
    }

    /// The band of a score; band 6 when no indicator has data.
    pub fn band(&self, score: Option<f64>) -> u8 {
        let Some(score) = score else { return 6 };
        self.cuts.iter().position(|&cut| score >= cut).map_or(6, |i| i as u8 + 1)
    }

    /// The highest band a flag of this seriousness allows.
    fn ceiling(&self, seriousness: Seriousness) -> u8 {
        match seriousness {
            Seriousness::Override => 1,
            Seriousness::Serious => self.serious_band,
            Seriousness::Concern => self.concern_band,
        }
    }
}

/// One reason a service is where it is on the watchlist.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    pub seriousness: Seriousness,
    /// The indicator or flag code it comes from.
    pub code: &'static str,
    pub text: String,
    pub data: Vec<Fact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WatchEntry {
    pub service_id: String,
    pub peer_group: String,
    pub risk: u32,
    pub elevated: u32,
    pub with_data: u32,
    /// (risk + 2 × elevated) / (2 × indicators with data); `None` when none has data.
    pub score: Option<f64>,
    /// The band of the score alone.
    pub score_band: u8,
    /// The band shown: the score's band, lifted by any flag.
    pub band: u8,
    pub reasons: Vec<Reason>,
}

/// The watchlist of the services given, band 1 first, then by score (highest first).
pub fn watchlist(services: &[ServiceIndicators], policy: &BandPolicy) -> Result<Vec<WatchEntry>, MonitoringError> {
    policy.validate()?;
    let mut entries: Vec<WatchEntry> = services.iter().map(|s| watch_entry(s, policy)).collect();
    entries.sort_by(watch_order);
    Ok(entries)
}

/// The watchlist's order: band 1 first, then by score, highest first.
pub fn watch_order(a: &WatchEntry, b: &WatchEntry) -> std::cmp::Ordering {
    a.band.cmp(&b.band).then(b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)))
}

/// One service's entry: its score, band and reasons (`policy` already validated).
pub fn watch_entry(service: &ServiceIndicators, policy: &BandPolicy) -> WatchEntry {
    let count = |status| service.indicators.iter().filter(|r| r.status == status).count() as u32;
    let (risk, elevated) = (count(Status::Risk), count(Status::Elevated));
    let with_data = service.indicators.iter().filter(|r| r.status.has_data()).count() as u32;
    let score = (with_data > 0).then(|| f64::from(risk + 2 * elevated) / f64::from(2 * with_data));
    let score_band = policy.band(score);
    let band = service.flags.iter().map(|f| policy.ceiling(f.seriousness)).fold(score_band, u8::min);
    let covered: Vec<Indicator> = service.flags.iter().filter_map(|f| f.kind.indicator()).collect();
    let mut reasons: Vec<Reason> = service
        .flags
        .iter()
        .map(|f| Reason {
            seriousness: f.seriousness,
            code: f.kind.code(),
            text: f.reason.clone(),
            data: f.data.clone(),
        })
        .chain(
            service
                .indicators
                .iter()
                .filter(|r| !covered.contains(&r.indicator))
                .filter_map(|r| indicator_reason(r, service)),
        )
        .collect();
    // Stable: flags stay before indicators of the same seriousness.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.seriousness));
    WatchEntry {
        service_id: service.service_id.clone(),
        peer_group: service.peer_group.clone(),
        risk,
        elevated,
        with_data,
        score,
        score_band,
        band,
        reasons,
    }
}

/// "Agency share of hours is high against similar services: 42% against 12% …".
fn indicator_reason(result: &IndicatorResult, service: &ServiceIndicators) -> Option<Reason> {
    let seriousness = match result.status {
        Status::Elevated => Seriousness::Serious,
        Status::Risk => Seriousness::Concern,
        Status::NotEnoughData | Status::NoEvidenceOfRisk => return None,
    };
    let (info, comparison, value) = (result.indicator.info(), result.comparison?, result.value?);
    let show = |v: f64| match info.statistic {
        Statistic::Proportion => percent_of_share(v),
        Statistic::Rate | Statistic::Mean => format!("{v:.2}"),
    };
    let side = if comparison.z >= 0.0 { "high" } else { "low" };
    let drift = if result.cusum_signal { ", and it has been drifting the wrong way" } else { "" };
    let text = format!(
        "{} is {side} against similar services: {} against {} ({}){drift}.",
        info.name,
        show(value),
        show(comparison.theta0),
        info.unit
    );
    let window = format!("{} months to {}", result.window_months, service.month);
    let data = vec![
        Fact { label: "value", value: show(value) },
        Fact { label: "similar services", value: show(comparison.theta0) },
        Fact { label: "adjusted z", value: format!("{:.2}", comparison.z) },
        Fact { label: "n", value: result.n.to_string() },
        Fact { label: "data window", value: window },
    ];
    Some(Reason { seriousness, code: info.code, text, data })
}
