//! Router tests for improvement.
