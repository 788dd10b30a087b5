//! What the page remembers in `localStorage`: the language, the theme, the presenter zoom and
//! the command history. Storage may be missing or full (private windows, quotas): then the
//! page simply forgets, it never fails.

const PREFIX: &str = "keyspace-playground.";

fn storage() -> Option<web_sys::Storage> {
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
