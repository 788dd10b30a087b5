//! Sharing a session.
pub mod dialog;
pub mod state;
