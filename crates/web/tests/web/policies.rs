//! Router tests for policies.
