//! The keyspace panel's window: which keys it shows (a glob pattern, a type, a slice of the
//! list) and the rows of that slice, read by the worker so that the page holds only what is
//! on screen.

use serde::{Deserialize, Serialize};

/// Which keys the panel shows, and which slice of them is on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyQuery {
    /// A glob pattern as KEYS takes it; empty means every key.
    pub pattern: String,
    /// A type name as TYPE answers (`string`, `list`...); empty means every type.
    pub type_name: String,
    /// The first matching key to show.
    pub offset: usize,
    /// How many rows fit on screen.
    pub count: usize,
}

impl Default for KeyQuery {
    fn default() -> KeyQuery {
        KeyQuery {
            pattern: String::new(),
            type_name: String::new(),
            offset: 0,
            count: 40,
        }
    }
}

impl KeyQuery {
    /// No pattern and no type: every key, so a window is a slice read by position.
    pub fn selects_everything(&self) -> bool {
        (self.pattern.is_empty() || self.pattern == "*") && self.type_name.is_empty()
    }
}

/// One key as the panel lists it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyRow {
    /// The key as text (invalid UTF-8 replaced); the page shows it as text, never as HTML.
    pub key: String,
    pub type_name: String,
    /// Bytes for a string, elements for the other types.
    pub size: usize,
    /// When the key expires (Unix ms), if it has a TTL.
    pub expires_at_ms: Option<u64>,
}

/// The rows on screen and how many keys match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWindow {
    /// The database shown: the console client's.
    pub db: usize,
    /// Keys matching the query.
    pub total: usize,
    /// Keys in the database.
    pub db_size: usize,
    pub offset: usize,
    pub rows: Vec<KeyRow>,
    /// The engine's clock when the window was read (Unix ms): the countdowns run from it,
    /// not from the browser's clock, which after "Continue in the console" differs.
    pub now_ms: u64,
}
