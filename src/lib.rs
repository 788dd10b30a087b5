//! Keyspace Playground's page: a Leptos 0.8 app (client-side rendered) that runs the `keyspace`
//! engine in the browser.
//!
//! - [`session`]: an engine with one client, turning typed lines into redis-cli's output.
//! - [`i18n`]: the page's text in 繁體中文 and English.
//! - [`clock`]: the browser's clocks and a seed for the engine.
//! - [`app`]: the components, which only render what the modules above compute.

pub mod app;
pub mod clock;
pub mod i18n;
pub mod session;

pub use app::App;
