//! Conformance cases for the policies store.

#[allow(unused_imports)]
use super::*;
