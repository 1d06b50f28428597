//! The contract between a terminal and the operations centre's registry.
