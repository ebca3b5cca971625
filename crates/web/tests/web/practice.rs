//! Router tests for practice.
