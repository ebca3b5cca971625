//! Router tests for complaints.
