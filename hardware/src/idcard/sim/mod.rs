//! Simulated reader (in progress).
