//! In-process tests of the whole router over a real SQLite store.

mod access_matrix;
mod anonymity;
mod api;
mod api_monitoring;
mod assessments;
mod benchmark;
mod browser;
mod directory;
mod failures;
mod feedback;
mod fixture;
mod moderation;
mod pages;
mod protections;
mod returns;
mod sign_in;
mod socket;
mod watchlist;
mod workspaces;
