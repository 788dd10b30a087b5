//! The Server tab.
pub mod chart;
pub mod panel;
pub mod state;
