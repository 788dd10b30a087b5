//! The Scenarios tab.
pub mod view;
