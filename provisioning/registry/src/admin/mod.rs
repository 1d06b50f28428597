//! What the admin subcommands do, as functions tests and tools can call too.

pub mod bundles;
pub mod commands;
pub mod duration;
pub mod keys;
pub mod lawyers;
pub mod legal_aid;
pub mod operators;
pub mod releases;
pub mod report;
