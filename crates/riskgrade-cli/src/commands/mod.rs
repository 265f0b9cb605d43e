//! One module per command or command family; each parses nothing and prints
//! what the library computes.

pub(crate) mod calibrate;
pub(crate) mod compare;
pub(crate) mod decide;
pub(crate) mod grade;
pub(crate) mod inspect;
pub(crate) mod keys;
pub(crate) mod monthly;
pub(crate) mod rules;
pub(crate) mod serve;
pub(crate) mod store;
pub(crate) mod synth;
pub(crate) mod validate;
