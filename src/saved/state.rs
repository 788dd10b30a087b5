//! What the page shows of the playground the browser keeps: what was restored, the state of
//! the store, and the questions open (reset, an RDB file replacing the keyspace).

use leptos::prelude::*;

use keyspace_protocol::saved::{Restored, SavedState};

/// The section's state in the page.
#[derive(Clone, Copy)]
pub struct SavedUi {
    pub restored: RwSignal<Option<Restored>>,
    pub state: RwSignal<Option<SavedState>>,
    /// The reset is waiting for the learner's confirmation.
    pub confirming: RwSignal<bool>,
    /// The outcome of the last RDB file loaded.
    pub loaded: RwSignal<Option<Result<usize, String>>>,
    /// An RDB file chosen or dropped, waiting for the learner to confirm that it may replace
    /// the keyspace: its name (its bytes are in `rdb`).
    pub replacing: RwSignal<Option<String>>,
    pub(crate) rdb: StoredValue<Vec<u8>>,
}

impl SavedUi {
    pub fn new() -> SavedUi {
        SavedUi {
            restored: RwSignal::new(None),
            state: RwSignal::new(None),
            confirming: RwSignal::new(false),
            loaded: RwSignal::new(None),
            replacing: RwSignal::new(None),
            rdb: StoredValue::new(Vec::new()),
        }
    }
}

impl Default for SavedUi {
    fn default() -> SavedUi {
        SavedUi::new()
    }
}
