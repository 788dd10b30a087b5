//! Keyspace Playground's page: a Leptos 0.8 app (client-side rendered) whose `keyspace` engine
//! runs in a Web Worker, so that no command can freeze the page.
//!
//! - [`session`]: the engine's side: one redis-cli client answering those messages.
//! - [`keyview`]: which keys the keyspace panel shows, and how a TTL is drawn.
//! - [`inspect`]: one key's value, a page at a time, as its type's inspector shows it.
//! - [`console`]: the console's scrollback, with long replies collapsed and paged.
//! - [`history`]: Up/Down through earlier commands, kept across reloads; Ctrl+R searches it.
//! - [`assist`]: completion, syntax hints, verdicts and docs for the line being typed (in the
//!   worker); [`docs`]: the 繁體中文 summaries and examples; [`teach`]: `help`'s text, error
//!   explanations, raw RESP and the editing keys, for the page.
//! - [`scenario`]: the scenario player's messages, and the player that answers them.
//! - [`server`]: the server panel's messages and what it draws with; [`lrulab`]: the LRU lab.
//! - [`i18n`]: the page's text in 繁體中文 and English.
//! - [`clock`]: the browser's clocks and a seed for the engine.
//! - [`host`], [`worker`]: the engine in a Web Worker (or in the page, for tests).
//! - [`prefs`]: what the page remembers in `localStorage`.
//! - [`share`]: a session's lines as a share link, a redis-cli script, a RESP file, a QR code.
//! - [`app`], [`clients_view`], [`prompt`], [`docs_panel`], [`reply_line`], [`panel`],
//!   [`inspector`], [`scenario_view`], [`server_view`], [`share_view`]: the components, which
//!   only render what the modules above compute.

pub mod app;
pub mod assist;
pub mod clients_view;
pub mod clock;
pub mod console;
pub mod docs;
pub mod docs_panel;
pub mod history;
pub mod host;
pub mod i18n;
pub mod inspect;
pub mod inspector;
pub mod keyview;
pub mod lrulab;
pub mod panel;
pub mod persist_view;
pub mod persistence;
pub mod prefs;
pub mod prompt;
pub mod reply_line;
pub mod scenario;
pub mod scenario_view;
pub mod server;
pub mod server_view;
pub mod session;
pub mod share;
pub mod share_view;
pub mod store;
pub mod teach;
pub mod worker;

pub use app::App;
