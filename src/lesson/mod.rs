//! Lessons in Markdown beside the console: `state` (the lesson open, or why none opened) and
//! `view` (opening one from a file, a drop or a `#lesson=` link; its panel and Run buttons).
pub mod state;
pub mod view;
