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
pub mod error;
pub mod moderation;
pub mod voice;

use std::sync::Arc;

use candour_store::Store;

pub use access::{Actor, Denied, Gate, describe};
pub use error::{AreaError, Failure};
use moderation::Moderation;
use voice::{Voice, VoiceConfig};

/// Every area's service, built once at start-up from the store. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub gate: Gate,
    /// People's voice: feedback, the private return link, replies.
    pub voice: Voice,
    /// The moderation queue, reply checks, safeguarding alerts and contacts.
    pub moderation: Moderation,
}

impl App {
    /// The services, with the voice rules' default settings (alert emails link to
    /// `http://localhost`); see [`App::with_voice`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        let gate = Gate::new(store.clone());
        let voice = Voice::new(store.clone(), VoiceConfig::new("http://localhost"));
        let moderation = Moderation::new(store.clone(), voice.clone());
        Self { gate, voice, moderation }
    }

    /// The same, with the voice rules' settings (the public URL alert emails link to).
    pub fn with_voice(mut self, store: Arc<dyn Store>, config: VoiceConfig) -> Self {
        self.voice = Voice::new(store.clone(), config);
        self.moderation = Moderation::new(store, self.voice.clone());
        self
    }
}
