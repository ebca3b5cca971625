//! Following a service by email: anyone asks, and confirms through the link sent
//! to them (double opt-in); then they hear of its new ratings, the replies it
//! publishes and the improvement plans it publishes, each once, with a link to stop.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use candour_domain::{Email, LocationId};
use candour_store::{Follow, LocationDetail, OutgoingEmail, Recipient, StoreError};

use super::{Link, Notice, NoticeKind, Notices};
use crate::voice::{key_hash, new_submission_key};

/// News older than this when first looked at is not sent.
const NEWS_WINDOW: Duration = Duration::days(7);

impl Notices {
    /// Asks to follow a service: keeps the request and emails the link that confirms
    /// it. Nothing else is sent until it is confirmed.
    pub async fn follow(&self, detail: &LocationDetail, raw_email: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let email = Email::parse(raw_email.trim())
            .map_err(|_| StoreError::Invalid("Enter an email address like name@example.com".into()))?;
        let secret = new_submission_key();
        let service = &detail.location.name;
        let url = format!("{}/follow/{secret}", self.public_url);
        let body = format!(
            "Hello,\n\nSomeone, we hope you, asked to be emailed news of {service}: new ratings, the replies it \
             publishes to what people say, and its improvement plans.\n\nTo start, confirm here:\n\n{url}\n\n\
             If it was not you, ignore this email: nothing more will be sent.\n"
        );
        let confirmation =
            OutgoingEmail::plain(email.clone(), format!("Confirm you want news of {service}"), body, now);
        let hash = key_hash(&secret).expect("a fresh key is well formed");
        self.store.add_follow(&detail.location.id, &email, &hash, &confirmation, now).await
    }

    /// Confirms a follow from its link: the service followed.
    pub async fn confirm_follow(&self, secret: &str, now: DateTime<Utc>) -> Result<LocationDetail, StoreError> {
        let hash = key_hash(secret).map_err(|_| StoreError::NotFound)?;
        let follow = self.store.confirm_follow(&hash, now).await?;
        self.store.location(&follow.location_id).await
    }

    /// The service a follow link is for, and whether it is confirmed already.
    pub async fn followed(&self, secret: &str) -> Result<(LocationDetail, bool), StoreError> {
        let hash = key_hash(secret).map_err(|_| StoreError::NotFound)?;
        let follow = self.store.follow_by_token(&hash).await?;
        Ok((self.store.location(&follow.location_id).await?, follow.confirmed_at.is_some()))
    }

    /// Queues each follower's news of the last week from the day they confirmed on,
    /// each item once: a new rating, a published reply, a published improvement plan.
    pub async fn queue_service_news(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let follows = self.store.follows().await?;
        if follows.is_empty() {
            return Ok(0);
        }
        let since = now - NEWS_WINDOW;
        let news = self.news(&follows, since).await?;
        let due: Vec<(String, &Follow, &Notice)> = follows
            .iter()
            .flat_map(|f| {
                news.iter()
                    // By the day, as ratings are dated: news of the day they confirmed counts.
                    .filter(move |(location, _, at, _)| {
                        *location == f.location_id && f.confirmed_at.is_some_and(|c| at.date_naive() >= c.date_naive())
                    })
                    .map(move |(_, item, _, notice)| (format!("follow:{}:{item}", f.id), f, notice))
            })
            .collect();
        let keys: Vec<String> = due.iter().map(|(key, ..)| key.clone()).collect();
        let sent = self.sent(&keys).await?;
        let mut queued = 0;
        for (key, follow, notice) in due.into_iter().filter(|(key, ..)| !sent.contains(key)) {
            let person = [Recipient { email: follow.email.clone(), name: String::new() }];
            let emails = self.emails(notice, &person, now).await?;
            queued += u32::from(self.queue_once(&key, &emails, now).await?);
        }
        Ok(queued)
    }

    /// The news since `since` of the services followed: (service, item, when, notice).
    async fn news(
        &self,
        follows: &[Follow],
        since: DateTime<Utc>,
    ) -> Result<Vec<(LocationId, String, DateTime<Utc>, Notice)>, StoreError> {
        let followed: BTreeSet<LocationId> = follows.iter().map(|f| f.location_id.clone()).collect();
        let ids: Vec<LocationId> = followed.iter().cloned().collect();
        let mut news = Vec::new();
        let page = |id: &LocationId| format!("{}/locations/{id}", self.public_url);
        for id in &ids {
            let detail = self.store.location(id).await?;
            let Some(rating) = &detail.headline_rating else { continue };
            let at = rating.published.and_time(NaiveTime::MIN).and_utc();
            if at >= since {
                let verdict = rating.overall.map_or("not rated overall".to_string(), |r| r.name().to_lowercase());
                let service = &detail.location.name;
                news.push((
                    id.clone(),
                    format!("rating:{}", rating.published),
                    at,
                    Notice {
                        kind: NoticeKind::ServiceNews,
                        subject: format!("{service} has a new rating"),
                        name: None,
                        paragraphs: vec![format!(
                            "{service} was rated {verdict} in a report published on {}.",
                            rating.published.format("%-d %B %Y")
                        )],
                        link: Link { label: "See the rating and what it rests on".into(), url: page(id) },
                    },
                ));
            }
        }
        for p in self.store.published_replies(since).await? {
            if !followed.contains(&p.location_id) {
                continue;
            }
            let service = &p.location_name;
            news.push((
                p.location_id.clone(),
                format!("reply:{}", p.reply.id),
                p.reply.checked_at.unwrap_or(p.reply.created_at),
                Notice {
                    kind: NoticeKind::ServiceNews,
                    subject: format!("{service} replied to what someone said"),
                    name: None,
                    paragraphs: vec![format!(
                        "{} published a reply to a story about {service}.",
                        p.reply.provider_name
                    )],
                    link: Link { label: "Read the stories and replies".into(), url: page(&p.location_id) },
                },
            ));
        }
        for plan in self.store.plans_in(&ids).await? {
            let Some(publication) = plan.publication.as_ref().filter(|p| p.published_at >= since) else { continue };
            news.push((
                plan.location_id.clone(),
                format!("plan:{}:{}", plan.id, publication.published_at.timestamp()),
                publication.published_at,
                Notice {
                    kind: NoticeKind::ServiceNews,
                    subject: "An improvement plan was published".into(),
                    name: None,
                    paragraphs: vec![format!("A service you follow published its improvement plan “{}”.", plan.title)],
                    link: Link { label: "See the plan and its progress".into(), url: page(&plan.location_id) },
                },
            ));
        }
        Ok(news)
    }
}
