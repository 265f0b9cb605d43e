//! # riskgrade-serve
//!
//! The results service over the history store.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
