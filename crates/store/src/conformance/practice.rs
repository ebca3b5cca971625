//! Conformance cases for the practice store.

#[allow(unused_imports)]
use super::*;
