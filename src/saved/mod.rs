//! Saved in this browser.
pub mod section;
