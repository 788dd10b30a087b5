//! Keyspace Playground's page: a Leptos 0.8 app (client-side rendered) that draws and listens;
//! the engine runs in a Web Worker (`keyspace-worker`), so that no command can freeze the page,
//! and the two talk in `keyspace-protocol`'s messages.
//!
//! - [`host`]: the engine in a Web Worker (or, for the tests, a backend in the page).
//! - [`console`]: the console's scrollback, with long replies collapsed and paged.
//! - [`history`]: Up/Down through earlier commands, kept across reloads; Ctrl+R searches it.
//! - [`teach`]: `help`'s layout, error explanations and the editing keys.
//! - [`ttl`]: a key's TTL bar and countdown; [`chart`]: the Server tab's chart and figures.
//! - [`i18n`]: the page's text in 繁體中文 and English.
//! - [`prefs`]: what the page remembers in `localStorage`.
//! - [`app`], [`clients_view`], [`prompt`], [`docs_panel`], [`reply_line`], [`panel`],
//!   [`inspector`], [`scenario_view`], [`server_view`], [`persist_view`], [`share_view`]: the
//!   components, which only render what the modules above compute and the worker answers.

pub mod app;
pub mod console;
pub mod host;
pub mod i18n;
pub mod keyspace;
pub mod prefs;
pub mod saved;
pub mod scenario;
pub mod server;
pub mod share;

pub use app::App;
