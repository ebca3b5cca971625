//! Conformance cases for the improvement store.

#[allow(unused_imports)]
use super::*;
