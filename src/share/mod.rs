//! Sharing a session.
pub mod dialog;
