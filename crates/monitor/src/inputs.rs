//! The monitor's data in memory: each registered service's facts from the register
//! and its months of voice counts and returns, as the engine reads them. A service
//! that keeps its complaints in Candour has its returns' complaint figures replaced by
//! its complaint log's from the month of the first complaint it logged.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_domain::voice::Criticality;
use candour_domain::voice_month::VoiceMonth;
use candour_engine::monitoring::{MonitoringPolicy, PolicyReads, Service, ServiceMonth};
use candour_engine::stats::{PeerGroup, PeerScope, SizeBand};
use candour_store::{
    ComplaintLog, LocationReadRate, Locations, MonitorStore, Readings, ServiceFacts, StoreError, StoreResult,
    Unreadable,
};

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
    let months = policy.history_months.max(policy.manager_months).max(12).max(policy.people.window_months + 1);
    month.minus(months - 1).unwrap_or(month)
}

/// A registered service whose stored data could not be read: it is left out of
/// the computation (and so of its peers' comparisons) and reported, while every
/// other service is computed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NotComputed {
    pub location: String,
    /// Its name, when the register's row could be read.
    pub name: Option<String>,
    pub reason: String,
    /// What the register says of it, when its row could be read (to decide who may see it).
    #[serde(skip)]
    pub facts: Option<ServiceFacts>,
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
    /// Positions in `facts` by local authority (lower-cased): area pages count
    /// their services' verdicts without reading every service.
    pub areas: Arc<HashMap<String, Vec<usize>>>,
    /// The services left out, by location ID.
    pub not_computed: Arc<Vec<NotComputed>>,
}

impl Inputs {
    /// Reads every registered service and its months ending with `today`'s month.
    pub async fn load(store: &dyn MonitorStore, policy: &MonitoringPolicy, today: NaiveDate) -> StoreResult<Inputs> {
        let month = Month::of(today);
        let from = history_start(month, policy);
        let Readings { rows: facts, unreadable } = store.monitored_locations().await?;
        let index: HashMap<LocationId, usize> = facts.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let mut months = Months::new(facts.len(), &index, from);
        months.unreadable = unreadable;
        months.read(store, Locations::All, from, today).await?;
        months.read_policy_reads(store, month).await?;
        let not_computed = not_computed(&facts, std::mem::take(&mut months.unreadable));
        let services = months.into_services(&facts);
        let (facts, services) = leave_out(facts, services, &not_computed);
        Ok(Inputs::new(month, from, facts, services, not_computed))
    }

    /// Inputs of these services, indexed.
    pub fn new(
        month: Month,
        from: Month,
        facts: Vec<ServiceFacts>,
        services: Vec<Arc<Service>>,
        not_computed: Vec<NotComputed>,
    ) -> Inputs {
        let index = facts.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let mut areas: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, facts) in facts.iter().enumerate() {
            if let Some(area) = &facts.local_authority {
                areas.entry(area.trim().to_lowercase()).or_default().push(i);
            }
        }
        Inputs {
            month,
            from,
            facts: Arc::new(facts),
            services,
            index: Arc::new(index),
            areas: Arc::new(areas),
            not_computed: Arc::new(not_computed),
        }
    }

    /// Whether these inputs still end with `today`'s month.
    pub fn covers(&self, today: NaiveDate) -> bool {
        self.month == Month::of(today)
    }

    pub fn position(&self, id: &LocationId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Reads the listed services' months again, together, as they stand on `today`:
    /// with `since`, only their voice figures from that month on and their latest
    /// alerts (all that new responses change). Locations not on the register are
    /// left alone: they join at the next full reload. Policy read rates are read
    /// again for those in `policy_reads`, and kept as they were otherwise. `false`
    /// when any one's data cannot be read: only a full reload leaves a service out.
    pub async fn reload(
        &mut self,
        store: &dyn MonitorStore,
        ids: &[LocationId],
        today: NaiveDate,
        policy_reads: &HashSet<LocationId>,
        since: Option<Month>,
    ) -> StoreResult<bool> {
        let known: Vec<LocationId> = ids.iter().filter(|id| self.index.contains_key(*id)).cloned().collect();
        let index: HashMap<LocationId, usize> = known.iter().enumerate().map(|(j, id)| (id.clone(), j)).collect();
        if let Some(since) = since.filter(|&since| since >= self.from) {
            return self.reload_voice(store, &known, &index, since).await;
        }
        let mut months = Months::new(known.len(), &index, self.from);
        months.read(store, Locations::These(&known), self.from, today).await?;
        if !months.unreadable.is_empty() {
            return Ok(false);
        }
        for (j, id) in known.iter().enumerate() {
            let i = self.index[id];
            months.policy_reads[j] = if policy_reads.contains(id) {
                let rates = store.policy_read_rates(Some(&self.facts[i].provider_id)).await?;
                rates.iter().find(|rate| &rate.location_id == id).map(|rate| reads_in(rate, self.month))
            } else {
                self.services[i].policy_reads
            };
        }
        let facts: Vec<ServiceFacts> = known.iter().map(|id| self.facts[self.index[id]].clone()).collect();
        for (id, service) in known.iter().zip(months.into_services(&facts)) {
            self.services[self.index[id]] = Arc::new(service);
        }
        Ok(true)
    }

    /// The voice figures from `since` on and the latest alerts of `known` (at their
    /// positions in `index`), read back beside what is held of them.
    async fn reload_voice(
        &mut self,
        store: &dyn MonitorStore,
        known: &[LocationId],
        index: &HashMap<LocationId, usize>,
        since: Month,
    ) -> StoreResult<bool> {
        let mut read = Months::new(known.len(), index, since);
        let which = Locations::These(known);
        let (voice, alerts) = tokio::try_join!(
            store.voice_months(which, since),
            store.latest_alerts(which, Criticality::SEVERE.level()),
        )?;
        read.take_voice(voice);
        read.take_alerts(alerts);
        if !read.unreadable.is_empty() {
            return Ok(false);
        }
        for ((id, recent), alert) in known.iter().zip(read.months).zip(read.alerts) {
            let i = self.index[id];
            let mut service = Service::clone(&self.services[i]);
            service.months = with_voice_from(&service.months, since, recent);
            service.last_severe_alert = alert;
            self.services[i] = Arc::new(service);
        }
        Ok(true)
    }
}

/// `held` before `since` as it was; from `since`, the voice figures read (`recent`,
/// by distance from `since`) beside the returns held, as a full load would give them.
fn with_voice_from(held: &[ServiceMonth], since: Month, recent: Vec<Option<ServiceMonth>>) -> Vec<ServiceMonth> {
    let mut months: Vec<ServiceMonth> = held.iter().filter(|m| m.month < since).cloned().collect();
    let returned = held.iter().filter(|m| m.month >= since && m.return_.is_some());
    let mut later: BTreeMap<Month, ServiceMonth> =
        returned.map(|m| (m.month, ServiceMonth { voice: VoiceMonth::default(), ..m.clone() })).collect();
    for read in recent.into_iter().flatten() {
        let blank = || ServiceMonth { month: read.month, voice: VoiceMonth::default(), return_: None };
        later.entry(read.month).or_insert_with(blank).voice = read.voice;
    }
    months.extend(later.into_values());
    months
}

/// Months gathered per service while reading.
struct Months<'a> {
    index: &'a HashMap<LocationId, usize>,
    /// The first month read: each service's months are kept by their distance from it.
    from: Month,
    months: Vec<Vec<Option<ServiceMonth>>>,
    /// The service the last row read was for: rows come a service at a time.
    last: Option<(LocationId, usize)>,
    alerts: Vec<Option<NaiveDate>>,
    complaints: Vec<Option<ComplaintLog>>,
    policy_reads: Vec<Option<PolicyReads>>,
    /// Moderators' decisions on bursts of answers.
    burst_reviews: Vec<Vec<(Month, bool)>>,
    /// Registered locations whose data could not be read.
    unreadable: Vec<Unreadable>,
}

impl<'a> Months<'a> {
    fn new(len: usize, index: &'a HashMap<LocationId, usize>, from: Month) -> Self {
        Months {
            index,
            from,
            months: vec![Vec::new(); len],
            last: None,
            alerts: vec![None; len],
            complaints: vec![None; len],
            policy_reads: vec![None; len],
            burst_reviews: vec![Vec::new(); len],
            unreadable: Vec::new(),
        }
    }

    async fn read(
        &mut self,
        store: &dyn MonitorStore,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        // Five queries at once, on connections of their own: the database works on
        // the next while this process decodes the rows of the first.
        let (voice, returns, alerts, logs, reviews) = tokio::try_join!(
            store.voice_months(which, from),
            store.monitored_returns(which, from),
            store.latest_alerts(which, Criticality::SEVERE.level()),
            store.complaint_logs(which, from, today),
            store.burst_reviews(which, from),
        )?;
        self.take_voice(voice);
        for (id, figures) in self.readable(returns) {
            if let Some(entry) = self.entry(&id, figures.month) {
                entry.return_ = Some(figures);
            }
        }
        self.take_alerts(alerts);
        for log in self.readable(logs) {
            if let Some(&i) = self.index.get(&log.location_id) {
                self.complaints[i] = Some(log);
            }
        }
        for (id, month, counted) in self.readable(reviews) {
            if let Some(&i) = self.index.get(&id) {
                self.burst_reviews[i].push((month, counted));
            }
        }
        Ok(())
    }

    fn take_voice(&mut self, voice: Readings<(LocationId, Month, VoiceMonth)>) {
        for (id, month, voice) in self.readable(voice) {
            if let Some(entry) = self.entry(&id, month) {
                entry.voice = voice;
            }
        }
    }

    fn take_alerts(&mut self, alerts: Readings<(LocationId, DateTime<Utc>)>) {
        for (id, raised) in self.readable(alerts) {
            if let Some(&i) = self.index.get(&id) {
                self.alerts[i] = Some(raised.date_naive());
            }
        }
    }

    /// The rows read; the registered locations that could not be read are noted.
    /// (A location ID that does not even read cannot be a registered service's.)
    fn readable<T>(&mut self, readings: Readings<T>) -> Vec<T> {
        let registered = |u: &Unreadable| LocationId::parse(&u.location).is_ok_and(|id| self.index.contains_key(&id));
        let unreadable: Vec<Unreadable> = readings.unreadable.into_iter().filter(registered).collect();
        self.unreadable.extend(unreadable);
        readings.rows
    }

    /// Every location's policy read rate, as it stands in `month`.
    async fn read_policy_reads(&mut self, store: &dyn MonitorStore, month: Month) -> Result<(), StoreError> {
        for rate in store.policy_read_rates(None).await? {
            if let Some(&i) = self.index.get(&rate.location_id) {
                self.policy_reads[i] = Some(reads_in(&rate, month));
            }
        }
        Ok(())
    }

    /// Where `id`'s service is in the lists.
    fn position(&mut self, id: &LocationId) -> Option<usize> {
        match &self.last {
            Some((last, i)) if last == id => Some(*i),
            _ => {
                let &i = self.index.get(id)?;
                self.last = Some((id.clone(), i));
                Some(i)
            }
        }
    }

    fn entry(&mut self, id: &LocationId, month: Month) -> Option<&mut ServiceMonth> {
        let i = self.position(id)?;
        let at = usize::try_from(months_between(self.from, month)).ok()?;
        let months = &mut self.months[i];
        if months.len() <= at {
            months.resize(at + 1, None);
        }
        let blank = || ServiceMonth { month, voice: VoiceMonth::default(), return_: None };
        Some(months[at].get_or_insert_with(blank))
    }

    fn into_services(self, facts: &[ServiceFacts]) -> Vec<Service> {
        let all = facts.iter().zip(self.months).zip(self.alerts).zip(self.complaints).zip(self.policy_reads);
        all.zip(self.burst_reviews)
            .map(|(((((facts, months), last_severe_alert), complaints), policy_reads), burst_reviews)| {
                let mut months: Vec<ServiceMonth> = months.into_iter().flatten().collect();
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
                    burst_reviews,
                    months,
                }
            })
            .collect()
    }
}

/// How many months `to` comes after `from` (negative before it).
fn months_between(from: Month, to: Month) -> i32 {
    (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32
}

/// A location's policy read rate as monitoring counts it in `month`.
fn reads_in(rate: &LocationReadRate, month: Month) -> PolicyReads {
    let clip = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    PolicyReads { month, confirmed: clip(rate.reads.confirmed), expected: clip(rate.reads.expected) }
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

/// One entry per location left out, its reasons together, in location order.
fn not_computed(facts: &[ServiceFacts], unreadable: Vec<Unreadable>) -> Vec<NotComputed> {
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for u in unreadable {
        let known = reasons.entry(u.location).or_default();
        if !known.contains(&u.reason) {
            known.push(u.reason);
        }
    }
    let known: HashMap<&str, &ServiceFacts> = facts.iter().map(|f| (f.id.as_str(), f)).collect();
    let entry = |(location, reasons): (String, Vec<String>)| {
        let facts = known.get(location.as_str()).map(|&f| f.clone());
        NotComputed { name: facts.as_ref().map(|f| f.name.clone()), reason: reasons.join("; "), location, facts }
    };
    reasons.into_iter().map(entry).collect()
}

/// The services not `left` out, each logged.
fn leave_out(
    facts: Vec<ServiceFacts>,
    services: Vec<Service>,
    left: &[NotComputed],
) -> (Vec<ServiceFacts>, Vec<Arc<Service>>) {
    for n in left {
        tracing::warn!(location = %n.location, reason = %n.reason, "a service could not be computed: left out");
    }
    let left: HashSet<&str> = left.iter().map(|n| n.location.as_str()).collect();
    let kept = facts.into_iter().zip(services).filter(|(facts, _)| !left.contains(facts.id.as_str()));
    kept.map(|(facts, service)| (facts, Arc::new(service))).unzip()
}
