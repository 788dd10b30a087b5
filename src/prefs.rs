//! What the page remembers in `localStorage`: the language, the theme, the presenter zoom and
//! the command history. Storage may be missing or full (private windows, quotas): then the
//! page simply forgets, it never fails. An embedded console ([`forget_all`]) neither reads nor
//! writes them: a course page's consoles leave the playground's own choices alone.

use std::cell::Cell;

const PREFIX: &str = "keyspace-playground.";

thread_local! {
    /// Set once by an embedded console: storage is not touched at all.
    static FORGETFUL: Cell<bool> = const { Cell::new(false) };
}

/// From now on nothing is read from or written to `localStorage`.
pub fn forget_all() {
    FORGETFUL.with(|f| f.set(true));
}

fn storage() -> Option<web_sys::Storage> {
    if FORGETFUL.with(Cell::get) {
        return None;
    }
    web_sys::window()?.local_storage().ok()?
}

/// The saved value of `name`, if any.
pub fn load(name: &str) -> Option<String> {
    storage()?.get_item(&format!("{PREFIX}{name}")).ok()?
}

/// Saves `value` under `name`, or forgets it quietly.
pub fn save(name: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&format!("{PREFIX}{name}"), value);
    }
}
