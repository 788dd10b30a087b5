//! The Scenarios tab.
pub mod state;
pub mod view;
