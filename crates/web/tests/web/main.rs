//! In-process tests of the whole router over a real store: SQLite, or PostgreSQL
//! when CANDOUR_TEST_POSTGRES is set.

mod access_matrix;
mod anonymity;
mod api;
mod api_monitoring;
mod assessments;
mod benchmark;
mod browser;
mod complaints;
mod developers;
mod differencing;
mod directory;
mod failures;
mod feedback;
mod feeds;
mod fixture;
mod improvement;
mod moderation;
mod notices;
mod open_data;
mod pages;
mod people;
mod policies;
mod practice;
mod protections;
mod returns;
mod sign_in;
mod site;
mod socket;
mod summaries;
mod visits;
mod watchlist;
mod workspaces;
