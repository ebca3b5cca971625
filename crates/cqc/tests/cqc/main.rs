//! Tests of the importers and the API client, on fixtures in the regulator's formats.

mod api;
mod client;
mod common;
mod cut_short;
mod directory;
mod plan;
mod ratings;
mod scale;
mod simple;
