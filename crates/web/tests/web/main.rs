//! In-process tests of the whole router over a real SQLite store.

mod api;
mod directory;
mod failures;
mod fixture;
mod pages;
mod socket;
