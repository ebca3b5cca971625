//! One notice, written once and sent as plain text and accessible HTML: a greeting,
//! a few paragraphs, the one link it asks its reader to open, and a footer that
//! says why they get it and how to stop it. Notices carry links, never what anyone
//! wrote, nor contact details.

use std::fmt::Write;

use candour_store::{Digest, OutgoingEmail, Unsubscribe};
use chrono::{DateTime, Utc};

use super::NoticeKind;
use candour_domain::markup::{email_page, escape};

/// A link and the words it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub subject: String,
    /// The name to greet, if known.
    pub name: Option<String>,
    pub paragraphs: Vec<String>,
    pub link: Link,
}

/// The footer's links: one-click unsubscribe, and for account holders their settings.
pub struct Footer {
    pub unsubscribe: Unsubscribe,
    pub settings: Option<String>,
}

impl Notice {
    fn greeting(&self) -> String {
        match &self.name {
            Some(name) => format!("Hello {name},"),
            None => "Hello,".to_string(),
        }
    }

    /// The email to `to`, held for their digest if `for_digest`.
    pub fn email(
        &self,
        to: &candour_domain::Email,
        footer: Footer,
        for_digest: bool,
        now: DateTime<Utc>,
    ) -> OutgoingEmail {
        OutgoingEmail {
            to: to.clone(),
            subject: self.subject.clone(),
            body: self.text(&footer),
            html: Some(self.html(&footer)),
            link: Some(self.link.url.clone()),
            unsubscribe: Some(footer.unsubscribe),
            for_digest,
            created_at: now,
        }
    }

    fn text(&self, footer: &Footer) -> String {
        let mut out = format!("{}\n\n", self.greeting());
        for p in &self.paragraphs {
            let _ = write!(out, "{p}\n\n");
        }
        let _ = write!(out, "{}:\n{}\n\n--\n{}\n", self.link.label, self.link.url, self.kind.why());
        let _ = writeln!(out, "Stop these emails: {}", footer.unsubscribe.url);
        if let Some(settings) = &footer.settings {
            let _ = writeln!(out, "Choose which emails you get: {settings}");
        }
        out
    }

    fn html(&self, footer: &Footer) -> String {
        let mut body = format!("<p>{}</p>\n", escape(&self.greeting()));
        for p in &self.paragraphs {
            let _ = writeln!(body, "<p>{}</p>", escape(p));
        }
        let _ = writeln!(
            body,
            "<p><a href=\"{}\" style=\"{LINK}\">{}</a></p>",
            escape(&self.link.url),
            escape(&self.link.label)
        );
        let mut foot = format!(
            "{} <a href=\"{}\">Stop these emails</a>.",
            escape(self.kind.why()),
            escape(&footer.unsubscribe.url)
        );
        if let Some(settings) = &footer.settings {
            let _ = write!(foot, " <a href=\"{}\">Choose which emails you get</a>.", escape(settings));
        }
        email_page(&self.subject, &body, Some(&foot))
    }
}

/// One email gathering a day's held notices: each one's subject and link.
pub fn digest(digest: Digest<'_>, settings: &str, now: DateTime<Utc>) -> OutgoingEmail {
    let n = digest.items.len();
    let subject = format!("Candour: {n} {} since yesterday", if n == 1 { "thing" } else { "things" });
    let mut text =
        String::from("Hello,\n\nHere is what happened on Candour that you asked to hear about once a day.\n\n");
    let mut list = String::from("<ul>\n");
    for item in digest.items {
        let url = item.link.as_deref().unwrap_or(settings);
        let _ = write!(text, "- {}\n  {url}\n\n", item.subject);
        let _ = writeln!(list, "<li><a href=\"{}\">{}</a></li>", escape(url), escape(&item.subject));
    }
    list.push_str("</ul>\n");
    let _ = write!(
        text,
        "--\nYou get this digest because you chose a daily digest.\nChoose which emails you get: {settings}\n"
    );
    let body = format!(
        "<p>Hello,</p>\n<p>Here is what happened on Candour that you asked to hear about once a day.</p>\n{list}"
    );
    let foot = format!(
        "You get this digest because you chose a daily digest. <a href=\"{}\">Choose which emails you get</a>.",
        escape(settings)
    );
    OutgoingEmail {
        html: Some(email_page(&subject, &body, Some(&foot))),
        link: Some(settings.to_string()),
        ..OutgoingEmail::plain(digest.to.clone(), subject, text, now)
    }
}

const LINK: &str = "color:#1d70b8;font-weight:bold";

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            kind: NoticeKind::ComplaintReceived,
            subject: "New complaint about Rose & Crown <House>".into(),
            name: Some("Jo".into()),
            paragraphs: vec!["A complaint about Rose & Crown <House> was received.".into()],
            link: Link {
                label: "Read the complaint".into(),
                url: "https://c.example/manage/complaints/1?a=1&b=2".into(),
            },
        }
    }

    fn footer() -> Footer {
        Footer {
            unsubscribe: Unsubscribe {
                kind: "complaint_received".into(),
                token_hash: "h".into(),
                url: "https://c.example/unsubscribe/t".into(),
            },
            settings: Some("https://c.example/account".into()),
        }
    }

    #[test]
    fn text_and_html_say_the_same_with_the_html_escaped() {
        let to = candour_domain::Email::parse("jo@example.org").unwrap();
        let email = notice().email(&to, footer(), false, Utc::now());
        assert!(
            email.body.contains("Hello Jo,\n\nA complaint about Rose & Crown <House> was received."),
            "{}",
            email.body
        );
        assert!(email.body.contains("Stop these emails: https://c.example/unsubscribe/t"));
        let html = email.html.expect("html");
        assert!(
            html.contains("<html lang=\"en-GB\">")
                && html.contains("<title>New complaint about Rose &amp; Crown &lt;House&gt;</title>")
        );
        assert!(html.contains("Rose &amp; Crown &lt;House&gt; was received."), "{html}");
        assert!(html.contains("href=\"https://c.example/manage/complaints/1?a=1&amp;b=2\""), "{html}");
        assert!(html.contains(">Stop these emails</a>") && html.contains(">Choose which emails you get</a>"));
        assert!(!html.contains("<House>"));
        assert_eq!(email.link.as_deref(), Some("https://c.example/manage/complaints/1?a=1&b=2"));
    }
}
