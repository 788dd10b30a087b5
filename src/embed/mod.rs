//! The embed mode: the playground inside a course page's iframe (`index.html?embed&…`,
//! docs/embedding.md). One console, and a scenario's stepper when one is asked for, that keeps
//! nothing (its worker opens no IndexedDB and takes no lock, the page reads and writes no
//! preferences), and that the course page drives over `postMessage`.
//!
//! [`params`] reads the address; [`state`] is what an embedded page holds (and what it tells
//! the course page); [`api`] checks and reads the course page's messages; [`view`] draws it.

pub mod api;
pub mod params;
pub mod state;
pub mod view;
