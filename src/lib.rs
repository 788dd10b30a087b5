//! Keyspace Playground's page: a Leptos 0.8 app (client-side rendered) that draws and listens;
//! the engine runs in a Web Worker (`keyspace-worker`), so that no command can freeze the page,
//! and the two talk in `keyspace-protocol`'s messages. The modules are the screen's parts,
//! each folder with its state and its views; docs/ARCHITECTURE.md follows a typed line
//! through them.
//!
//! - [`app`]: the page's frame (header, tabs, drops, the presenter's zoom) and the answers
//!   of the engine dispatched to the parts; [`state`]: the state they share, as context.
//! - [`console`]: the client panes, their scrollback, the input line (its keys in
//!   `console::input`, the history, the teaching words) and the docs panel.
//! - [`keyspace`]: the keyspace panel, the inspector and the TTL countdowns.
//! - [`scenario`]: the scenario player; [`server`]: the Server tab and its chart;
//!   [`saved`]: what the browser keeps; [`share`]: links, exports and the QR code.
//! - [`embed`]: the playground in a course page's iframe, driven over `postMessage`.
//! - [`i18n`]: the page's text in 繁體中文 and English, one table per part.
//! - [`host`]: the engine in a Web Worker (or, for the tests, a backend in the page);
//!   [`prefs`]: what the page remembers in `localStorage`; [`offline`]: the release build's
//!   service worker and the notice that a new version is ready.
//!
//! No module imports one that imports it back (`tests/modules.rs` checks).

pub mod app;
pub mod console;
pub mod embed;
pub mod host;
pub mod i18n;
pub mod keyspace;
pub mod lesson;
pub mod offline;
pub mod prefs;
pub mod repl;
pub mod saved;
pub mod scenario;
pub mod server;
pub mod share;
pub mod state;

pub use app::App;
