//! Candour's web server: the public pages (server-rendered HTML that works without
//! JavaScript), the JSON API and the health check, over any [`Store`]; and the
//! private side: signing in, each role's workspaces, administration and the
//! API's authenticated routes, every one of them asking the one access policy.

mod api;
mod assets;
mod auth;
pub mod charts;
mod config;
mod consistency;
mod download;
mod error;
mod forms;
mod json;
mod manager;
pub mod openapi;
mod pages;
mod pagination;
mod params;
mod pdf;
mod security;
mod state;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use candour_app::voice::{Escalations, Voice, VoiceConfig};
use candour_app::{App, Settings};
use candour_store::Store;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

pub use candour_monitor::Monitor;
pub use config::{ConfigError, RateLimit, WebConfig};
pub use params::{DirectoryParams, FieldError, FieldErrors};

/// The readers that turn a submitted form into the domain's raw input, public
/// so that the fuzz targets in `fuzz/` reach them without the HTTP stack.
pub mod form_readers {
    pub use crate::forms::pairs;
    pub use crate::pages::complaints::read_form as complaint;
    pub use crate::pages::feedback::form::read as feedback;
}
use security::csrf::CsrfSettings;
use security::rate_limit::{FeedbackLimits, RateLimiter};
use state::AppState;

/// Forms are small; anything bigger than this is refused before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Evidence files are the one thing bigger than a form: a request to a path ending in
/// `/evidence` may carry this much (the file itself is checked against a smaller limit).
const MAX_UPLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The most a request to `path` may carry.
fn body_limit(path: &str) -> usize {
    if path.ends_with("/evidence") { MAX_UPLOAD_BYTES } else { MAX_BODY_BYTES }
}
/// A request still running after this is answered with a 503 rather than left hanging.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Everything comes from our own origin; no inline script or style, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole site: public pages, sign-in, private workspaces, administration, API,
/// health check and assets, with tracing, a request body limit, a timeout, gzip
/// compression, security headers, CSRF protection and rate limits.
pub fn app(store: Arc<dyn Store>, config: WebConfig) -> Router {
    let monitor = if config.monitor_on {
        Monitor::start(store.clone(), config.monitoring)
    } else {
        Monitor::off(store.clone(), config.monitoring)
    };
    app_with_monitor(store, config, monitor)
}

/// The site around a monitor the caller keeps (to wait for it in tests, say).
pub fn app_with_monitor(store: Arc<dyn Store>, config: WebConfig, monitor: Monitor) -> Router {
    let csrf = Arc::new(CsrfSettings {
        origin: config.origin().to_string(),
        secure_cookies: config.secure_cookies(),
        body_limit,
    });
    let trust_forwarded_for = config.trust_forwarded_for;
    let https = config.secure_cookies();
    let limiter = RateLimiter::new(store.clone(), "sign-in", config.sign_in_limit);
    let feedback_limits = FeedbackLimits::new(store.clone(), config.feedback_per_address, config.feedback_per_service);
    let app = App::new(store.clone(), &settings(&config));
    let read_your_writes =
        consistency::ReadYourWrites { store: store.clone(), secure_cookies: config.secure_cookies() };
    let open_data = Arc::new(pages::open_data::Files::new());
    let state = AppState { app: Arc::new(app), store, feedback_limits, monitor, config: Arc::new(config), open_data };
    let forms = Router::new()
        .merge(public_routes())
        .merge(pages::feedback::routes())
        .merge(private_routes(limiter))
        .merge(pages::returns::routes())
        .merge(pages::moderation::routes())
        .merge(area_routes())
        .nest("/api", api_routes().split_for_parts().0)
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    let uploads = pages::improvement::upload_routes().layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BYTES));
    let router = forms
        .merge(uploads)
        .with_state(state)
        .layer(from_fn(security::text::refuse_control_characters))
        .layer(from_fn_with_state(read_your_writes, consistency::read_your_writes))
        .layer(from_fn_with_state(csrf, security::csrf::protect))
        .layer(from_fn(move |request, next| security::client_ip::resolve(trust_forwarded_for, request, next)));
    with_middleware(router, https)
}

/// What the application's services are told, from the server's configuration.
fn settings(config: &WebConfig) -> Settings {
    Settings {
        public_url: config.public_url().to_string(),
        accounts: config.accounts.clone(),
        complaints: config.complaint_policy,
    }
}

fn public_routes() -> Router<AppState> {
    Router::new()
        .merge(pages::register::routes())
        .merge(pages::notices::routes())
        .route("/healthz", get(api::health))
        .route("/assets/{name}", get(assets::serve_asset))
}

/// Signing in, accounts, workspaces and administration: never cached, and the
/// forms that guess at secrets limited per client.
fn private_routes(limiter: RateLimiter) -> Router<AppState> {
    Router::new()
        .merge(pages::accounts::routes(limiter))
        .merge(pages::manage::routes())
        .merge(pages::monitoring::routes())
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// Assessments, complaints, improvement plans, the policy cascade and good practice: each area's
/// pages, never cached (complaints and plans are private; the rest changes often).
fn area_routes() -> Router<AppState> {
    Router::new()
        .merge(pages::assessments::routes())
        .merge(pages::complaints::routes())
        .merge(pages::improvement::routes())
        .merge(pages::policies::routes())
        .merge(pages::practice::routes())
        .merge(pages::visits::routes())
        .merge(pages::site::routes())
        .merge(pages::developers::routes())
        .merge(pages::feeds::routes())
        .merge(pages::open_data::routes())
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// The JSON API, nested under `/api`, each route described by its handler (see [`openapi`]).
fn api_routes() -> OpenApiRouter<AppState> {
    let private = OpenApiRouter::new()
        .merge(pages::manage::api_routes())
        .merge(pages::monitoring::api_routes())
        .merge(pages::returns::api_routes())
        .merge(pages::complaints::api_routes())
        .merge(pages::improvement::api_routes())
        .merge(pages::assessments::api_routes())
        .merge(pages::policies::api_routes())
        .merge(pages::practice::api_routes())
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    OpenApiRouter::new()
        .merge(pages::register::api_routes())
        .merge(pages::feedback::api_routes())
        .merge(private)
        .route("/v1/openapi.json", get(openapi::document))
        .fallback(api::not_found)
        // Open data: any website may read the API from a browser. Private routes
        // take a bearer token, never cookies, so this shares nobody's session.
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
}

/// Browsers that have reached the site over https keep to https for a year.
/// Sent only when the public URL is https: over plain http it would be ignored,
/// and a site not yet on https must not be told to be.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

fn with_middleware(router: Router, https: bool) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let hsts = https.then(|| set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY));
    router.layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http().make_span_with(security::redact::span_without_secrets))
            .layer(set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(set(header::X_FRAME_OPTIONS, "DENY"))
            .layer(set(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
            .layer(set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
            .layer(set(HeaderName::from_static("permissions-policy"), "camera=(), geolocation=(), microphone=()"))
            .option_layer(hsts)
            .layer(CompressionLayer::new())
            .layer(from_fn(explain_too_large))
            .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BYTES))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT)),
    )
}

/// The body limit answers a bare 413; say what happened and what to do instead, as a
/// page or, for the API, as its JSON error.
async fn explain_too_large(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = request.uri().path().starts_with("/api/");
    let limit = body_limit(request.uri().path());
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let error = error::WebError::TooLarge { limit_kb: limit / 1024 };
    if api { error::ApiError(error).into_response() } else { error::PageError(error).into_response() }
}

/// Serves the app on `listener` until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, store: Arc<dyn Store>, config: WebConfig) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, public_url = config.public_url(), "serving Candour");
    }
    // Figures due publication (the demo's, say) are published before the first
    // visitor; then they are kept current on a timer.
    let voice = Voice::new(store.clone(), VoiceConfig::new(config.public_url()));
    let escalations = Escalations::new(store.clone(), config.alert_escalation, config.public_url());
    refresh_voice_snapshots_now(&voice).await;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(VOICE_REFRESH_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            refresh_voice_snapshots_now(&voice).await;
            queue_due_reminders_now(&voice).await;
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ESCALATE_EVERY);
        loop {
            every.tick().await;
            escalate_due_alerts_now(&escalations).await;
        }
    });
    let services = App::new(store.clone(), &settings(&config));
    let jobs = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(NOTICES_EVERY);
        loop {
            every.tick().await;
            // One instance at a time does the pass; each notice goes once whatever happens.
            match jobs.try_job_lock("notices").await {
                Ok(Some(_held)) => queue_due_notices_now(&services).await,
                Ok(None) => {}
                Err(err) => tracing::error!(error = %err, "the notices pass could not take its lock"),
            }
        }
    });
    let service = app(store, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await
}

/// How often the server looks for services whose published voice figures are due
/// a new batch (at most daily each, by the voice policy; looking is one cheap pass),
/// and for reminder emails due.
const VOICE_REFRESH_EVERY: Duration = Duration::from_secs(10 * 60);

/// How often the server looks for safeguarding alerts due escalation: an alert that
/// went to no one is due at once, so within a minute.
const ESCALATE_EVERY: Duration = Duration::from_secs(60);

/// How often the server looks for notices that fall due with time (complaint
/// deadlines, improvement actions, policies to read, replies and planned changes,
/// news of followed services) and for the day's digests, gathered at 07:00.
const NOTICES_EVERY: Duration = Duration::from_secs(5 * 60);

async fn queue_due_notices_now(app: &App) {
    let now = chrono::Utc::now();
    logged("complaint deadline notices", app.complaints.queue_deadline_notices(now).await);
    logged("improvement action notices", app.improvement.queue_action_notices(now).await);
    logged("notices of policies to read", app.policies.queue_read_notices(now).await);
    logged("notices of replies and planned changes", app.voice.queue_reply_notices(now).await);
    logged("news of followed services", app.notices.queue_service_news(now).await);
    logged("daily digests", app.notices.queue_digests(now).await);
}

/// Says in the log what a pass of the notices queued, or why it could not.
fn logged(what: &str, queued: Result<u32, impl std::fmt::Display>) {
    match queued {
        Ok(0) => {}
        Ok(n) => tracing::info!(count = n, "queued {what}"),
        Err(err) => tracing::error!(error = %err, "{what} could not be queued"),
    }
}

async fn refresh_voice_snapshots_now(voice: &Voice) {
    match voice.refresh_snapshots(chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(services = n, "published new voice figures"),
        Err(err) => tracing::error!(error = %err, "voice figures could not be refreshed"),
    }
}

async fn queue_due_reminders_now(voice: &Voice) {
    match voice.queue_due_reminders(chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminders = n, "queued reminder emails"),
        Err(err) => tracing::error!(error = %err, "reminder emails could not be queued"),
    }
}

async fn escalate_due_alerts_now(escalations: &Escalations) {
    match escalations.escalate_due(chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(alerts = n, "escalated safeguarding alerts no one has acknowledged"),
        Err(err) => tracing::error!(error = %err, "safeguarding alerts could not be escalated"),
    }
}

/// Refreshes the published voice figures in the background, after a moderation
/// that may complete a batch: the request does not wait for it.
pub(crate) fn refresh_voice_snapshots(voice: &Voice) {
    let voice = voice.clone();
    tokio::spawn(async move { refresh_voice_snapshots_now(&voice).await });
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
