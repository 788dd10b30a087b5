//! The Scenarios tab.
pub mod state;
pub mod stepping;
pub mod view;
