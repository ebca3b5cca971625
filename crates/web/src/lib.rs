//! Candour's web server: the public pages (server-rendered HTML that works without
//! JavaScript), the JSON API and the health check, over any [`Store`].

mod api;
mod assets;
mod error;
mod pages;
mod params;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use candour_store::Store;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use params::{DirectoryParams, FieldError, FieldErrors};

/// No page takes a body; anything bigger than this is refused before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// A request still running after this is answered with a 503 rather than left hanging.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Everything comes from our own origin; no inline script or style, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What every handler shares. Backends answer the directory's lists and the
/// register counts from an index rebuilt whenever the register changes, so they
/// are asked for on every request and never lag an import.
#[derive(Clone)]
pub(crate) struct AppState {
    store: Arc<dyn Store>,
}

/// The whole site: pages, API, health check and assets, with tracing, a request
/// body limit, a timeout, gzip compression and security headers.
pub fn app(store: Arc<dyn Store>) -> Router {
    let state = AppState { store };
    let api = Router::new()
        .route("/v1/locations", get(api::locations))
        .route("/v1/locations/{id}", get(api::location))
        .route("/v1/providers/{id}", get(api::provider))
        .fallback(api::not_found)
        // Open data: any website may read the API from a browser.
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")));
    let router = Router::new()
        .route("/", get(pages::home))
        .route("/locations", get(pages::directory))
        .route("/locations/{id}", get(pages::location))
        .route("/providers/{id}", get(pages::provider))
        .route("/healthz", get(api::health))
        .route("/assets/{name}", get(assets::serve_asset))
        .nest("/api", api)
        .fallback(pages::not_found)
        .with_state(state);
    with_middleware(router)
}

fn with_middleware(router: Router) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router.layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(set(header::X_FRAME_OPTIONS, "DENY"))
            .layer(set(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
            .layer(set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
            .layer(set(HeaderName::from_static("permissions-policy"), "camera=(), geolocation=(), microphone=()"))
            .layer(CompressionLayer::new())
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT)),
    )
}

/// Serves the app on `listener` until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, store: Arc<dyn Store>) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving Candour");
    }
    axum::serve(listener, app(store)).with_graceful_shutdown(shutdown_signal()).await
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
