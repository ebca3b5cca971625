//! The application layer. Every action Candour offers is one call on one area's
//! service; the HTML pages, the JSON API and the command line are thin adapters
//! over the same call. A call takes the [`Actor`] and the raw input, and owns the
//! whole action: parsing into domain types, loading, the one access decision
//! ([`Gate::require`]), the audit entry, the write, and (in the store, in the
//! same transaction) the change journal's entry that monitoring and the directory
//! follow. Each area answers with a typed error of its own ([`AreaError`]).
//!
//! Each service depends only on the store traits it uses; the full
//! [`candour_store::Store`] is the bundle built at start-up, in [`App::new`].

pub mod access;
pub mod accounts;
pub mod assessments;
pub mod complaints;
pub mod error;
pub mod improvement;
pub mod moderation;
pub mod monitoring;
pub mod policies;
pub mod practice;
pub mod register;
pub mod returns;
pub mod voice;
pub mod workspaces;

use std::sync::Arc;

use candour_store::Store;

pub use access::{Actor, Denied, Gate, describe};
pub use error::{AreaError, Failure};
use moderation::Moderation;
use voice::{Voice, VoiceConfig};

use complaints::{ComplaintSettings, Complaints};
use improvement::Improvement;
use workspaces::Workspaces;

/// Every area's service, built once at start-up from the store. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub gate: Gate,
    pub assessments: assessments::Assessments,
    pub complaints: Complaints,
    pub improvement: Improvement,
    pub policies: policies::Policies,
    pub practice: practice::Practice,
    /// People's voice: feedback, the private return link, replies.
    pub voice: Voice,
    /// The moderation queue, reply checks, safeguarding alerts and contacts.
    pub moderation: Moderation,
    pub register: register::Register,
    pub returns: returns::Returns,
    pub workspaces: Workspaces,
}

impl App {
    /// The services, with the voice rules' default settings (alert emails link to
    /// `http://localhost`); see [`App::with_voice`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        let gate = Gate::new(store.clone());
        let practice = practice::Practice::new(store.clone(), store.clone(), gate.clone());
        let policies = policies::Policies::new(store.clone(), store.clone(), store.clone(), gate.clone());
        let assessments = assessments::Assessments::new(store.clone(), store.clone(), store.clone(), gate.clone());
        let complaints = Complaints::new(store.clone(), gate.clone(), ComplaintSettings::default());
        let improvement = Improvement::new(store.clone(), gate.clone());
        let voice = Voice::new(store.clone(), VoiceConfig::new("http://localhost"));
        let moderation = Moderation::new(store.clone(), voice.clone());
        let register = register::Register::new(store.clone());
        let returns = returns::Returns::new(store.clone(), gate.clone());
        let workspaces = Workspaces::new(store.clone(), store.clone(), store.clone(), gate.clone());
        Self {
            gate,
            assessments,
            complaints,
            improvement,
            policies,
            practice,
            voice,
            moderation,
            register,
            returns,
            workspaces,
        }
    }

    /// The complaint clocks and the site's address for the links complaints send.
    pub fn with_complaint_settings(mut self, store: Arc<dyn Store>, settings: ComplaintSettings) -> Self {
        self.complaints = Complaints::new(store, self.gate.clone(), settings);
        self
    }

    /// The voice rules' settings (the public URL alert emails link to).
    pub fn with_voice(mut self, store: Arc<dyn Store>, config: VoiceConfig) -> Self {
        self.voice = Voice::new(store.clone(), config);
        self.moderation = Moderation::new(store, self.voice.clone());
        self
    }
}
