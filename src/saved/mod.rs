//! Saved in this browser.
pub mod section;
pub mod state;
