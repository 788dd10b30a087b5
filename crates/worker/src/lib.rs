//! Keyspace Playground's engine worker: everything that holds an engine or IndexedDB, answering
//! the page's [`keyspace_protocol::Request`]s in a Web Worker, so that no command can freeze
//! the page. The page (`keyspace-playground`) never links this crate; its browser tests do,
//! to run it in the page's own thread ([`InPage`]).
//!
//! - [`messages`]: the worker's entry, [`run`]: what the browser kept is restored, then each
//!   message is answered by the session and what it changed is queued to be kept.
//! - [`session`]: the console's engine and its clients, one per pane, answering requests.
//! - [`assist`]: completion, syntax hints and verdicts for the line being typed; [`help`]: the
//!   docs `help` and the docs panel show; [`docs`]: the 繁體中文 summaries and examples.
//! - [`keyview`], [`inspect`]: the keyspace panel's window and the inspectors' pages.
//! - [`player`]: the scenario player, on an engine of its own.
//! - [`repl`]: the Replication view's nodes, on engines of their own, and the simulated
//!   network between them.
//! - [`server`]: the Server tab's figures and the page engine's limits; [`lrulab`]: the LRU
//!   lab's runs.
//! - [`share`]: share links, exports and QR codes.
//! - [`persistence`]: what the browser keeps and restoring it; [`store`]: IndexedDB.
//! - [`clock`]: the browser's clocks and a seed for the engine; [`resident`]: the
//!   WebAssembly memory's size, INFO's `used_memory_rss`.
//! - [`in_page`]: the session answering in the page's own thread, for the browser tests.

pub mod assist;
pub mod clock;
pub mod docs;
pub mod help;
pub mod in_page;
pub mod inspect;
pub mod keyview;
pub mod lesson;
pub mod lrulab;
pub mod messages;
pub mod persistence;
pub mod player;
pub mod repl;
pub mod resident;
pub mod server;
pub mod session;
pub mod share;
pub mod store;

pub use in_page::InPage;
pub use messages::run;
