//! The monitor's data in memory: each registered service's facts from the register
//! and its months of voice counts and returns, as the engine reads them. A service
//! that keeps its complaints in Candour has its returns' complaint figures replaced by
//! its complaint log's from the month of the first complaint it logged.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_domain::voice::Criticality;
use candour_domain::voice_month::VoiceMonth;
use candour_engine::monitoring::{MonitoringPolicy, PolicyReads, Service, ServiceMonth};
use candour_engine::stats::{PeerGroup, PeerScope, SizeBand};
use candour_store::{ComplaintLog, Locations, ServiceFacts, Store, StoreError, StoreResult};

/// Specialisms whose people are highly dependent on staff or may not be able to speak
/// up: the first closed-culture risk factor (monitoring notes), matched within the
/// register's wording, ignoring case.
const DEPENDENT: [&str; 5] = ["learning disab", "autis", "dementia", "mental health", "brain injur"];

/// The peers a service is compared with within `scope`: the same kind and size. The
/// watchlist compares England-wide.
pub fn peer_group(facts: &ServiceFacts, scope: PeerScope) -> PeerGroup {
    PeerGroup { kind: facts.kind, size: Some(SizeBand::of(facts.beds)), scope }
}

fn dependent(facts: &ServiceFacts) -> bool {
    facts.specialisms.iter().any(|s| {
        let s = s.to_lowercase();
        DEPENDENT.iter().any(|d| s.contains(d))
    })
}

/// The first month monitoring reads for `month` under `policy`.
pub fn history_start(month: Month, policy: &MonitoringPolicy) -> Month {
    let back = policy.history_months.max(policy.manager_months).max(12) as i32 - 1;
    let index = month.year() * 12 + month.month() as i32 - 1 - back;
    Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).unwrap_or(month)
}

/// Every registered service with its months, in the same order in both lists.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The month computed (the current one) and the first month read.
    pub month: Month,
    pub from: Month,
    /// Shared with the snapshots, so that a new one copies pointers, not months.
    pub facts: Arc<Vec<ServiceFacts>>,
    pub services: Vec<Arc<Service>>,
    pub index: Arc<HashMap<LocationId, usize>>,
}

impl Inputs {
    /// Reads every registered service and its months ending with `today`'s month.
    pub async fn load(store: &dyn Store, policy: &MonitoringPolicy, today: NaiveDate) -> StoreResult<Inputs> {
        let month = Month::of(today);
        let from = history_start(month, policy);
        let facts = store.monitored_locations().await?;
        let index: HashMap<LocationId, usize> = facts.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let mut months = Months::new(facts.len(), &index);
        months.read(store, Locations::All, from, today).await?;
        months.read_policy_reads(store, month).await?;
        let services = months.into_services(&facts).into_iter().map(Arc::new).collect();
        Ok(Inputs { month, from, facts: Arc::new(facts), services, index: Arc::new(index) })
    }

    /// Whether these inputs still end with `today`'s month.
    pub fn covers(&self, today: NaiveDate) -> bool {
        self.month == Month::of(today)
    }

    pub fn position(&self, id: &LocationId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Reads one service's months again, as they stand on `today`. A location not on
    /// the register is left alone: it joins at the next full reload. Policy reads are
    /// kept as they were until then.
    pub async fn reload_one(&mut self, store: &dyn Store, id: &LocationId, today: NaiveDate) -> StoreResult<()> {
        let Some(i) = self.position(id) else { return Ok(()) };
        let one = HashMap::from([(id.clone(), 0)]);
        let mut months = Months::new(1, &one);
        months.read(store, Locations::One(id), self.from, today).await?;
        months.policy_reads[0] = self.services[i].policy_reads;
        let facts = std::slice::from_ref(&self.facts[i]);
        self.services[i] = Arc::new(months.into_services(facts).remove(0));
        Ok(())
    }
}

/// Months gathered per service while reading.
struct Months<'a> {
    index: &'a HashMap<LocationId, usize>,
    months: Vec<HashMap<Month, ServiceMonth>>,
    alerts: Vec<Option<NaiveDate>>,
    complaints: Vec<Option<ComplaintLog>>,
    policy_reads: Vec<Option<PolicyReads>>,
}

impl<'a> Months<'a> {
    fn new(len: usize, index: &'a HashMap<LocationId, usize>) -> Self {
        Months {
            index,
            months: vec![HashMap::new(); len],
            alerts: vec![None; len],
            complaints: vec![None; len],
            policy_reads: vec![None; len],
        }
    }

    async fn read(
        &mut self,
        store: &dyn Store,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        for (id, month, voice) in store.voice_months(which, from).await? {
            if let Some(entry) = self.entry(&id, month) {
                entry.voice = voice;
            }
        }
        for (id, figures) in store.monitored_returns(which, from).await? {
            if let Some(entry) = self.entry(&id, figures.month) {
                entry.return_ = Some(figures);
            }
        }
        for (id, raised) in store.latest_alerts(which, Criticality::SEVERE.level()).await? {
            if let Some(&i) = self.index.get(&id) {
                self.alerts[i] = Some(raised.date_naive());
            }
        }
        for log in store.complaint_logs(which, from, today).await? {
            if let Some(&i) = self.index.get(&log.location_id) {
                self.complaints[i] = Some(log);
            }
        }
        Ok(())
    }

    /// Every location's policy read rate, as it stands in `month`.
    async fn read_policy_reads(&mut self, store: &dyn Store, month: Month) -> Result<(), StoreError> {
        let clip = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        for rate in store.policy_read_rates(None).await? {
            if let Some(&i) = self.index.get(&rate.location_id) {
                let (confirmed, expected) = (clip(rate.reads.confirmed), clip(rate.reads.expected));
                self.policy_reads[i] = Some(PolicyReads { month, confirmed, expected });
            }
        }
        Ok(())
    }

    fn entry(&mut self, id: &LocationId, month: Month) -> Option<&mut ServiceMonth> {
        let &i = self.index.get(id)?;
        let blank = || ServiceMonth { month, voice: VoiceMonth::default(), return_: None };
        Some(self.months[i].entry(month).or_insert_with(blank))
    }

    fn into_services(self, facts: &[ServiceFacts]) -> Vec<Service> {
        let all = facts.iter().zip(self.months).zip(self.alerts).zip(self.complaints).zip(self.policy_reads);
        all.map(|((((facts, months), last_severe_alert), complaints), policy_reads)| {
            let mut months: Vec<ServiceMonth> = months.into_values().collect();
            months.sort_by_key(|m| m.month);
            if let Some(log) = &complaints {
                count_complaints_from_the_log(&mut months, log);
            }
            Service {
                id: facts.id.as_str().to_string(),
                peer_group: peer_group(facts, PeerScope::England).key(),
                dependent: dependent(facts),
                last_severe_alert,
                overdue_complaints: complaints.as_ref().and_then(|log| log.overdue),
                complaint_log_since: complaints.map(|log| log.since),
                policy_reads,
                months,
            }
        })
        .collect()
    }
}

/// From the month it logged its first complaint, a service's complaint figures are
/// its log's: complaints received that month, upheld (fully or partly) and answered
/// by the deadline. Only months with a return change, as complaints are counted per
/// occupied bed, which the return gives.
fn count_complaints_from_the_log(months: &mut [ServiceMonth], log: &ComplaintLog) {
    for month in months.iter_mut() {
        let (Some(figures), Some(logged)) = (month.return_.as_mut(), log.counts(month.month)) else { continue };
        figures.complaints_received = logged.received;
        figures.complaints_upheld = logged.upheld;
        figures.complaints_on_time = logged.on_time;
    }
}
