//! The console: the client panes side by side, each with its scrollback and its input line.
pub mod clients;
pub mod docs_panel;
pub mod editor;
pub mod history;
pub mod input;
pub mod log;
pub mod pane;
pub mod prompt;
pub mod reply_line;
pub mod teach;
