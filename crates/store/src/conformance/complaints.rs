//! Conformance cases for the complaints store.

#[allow(unused_imports)]
use super::*;
