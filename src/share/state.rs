//! What sharing keeps on the page: the lines sent to the engine, a link's lines waiting to
//! be replayed, and what the worker made of the lines for the dialog.

use leptos::prelude::*;

use keyspace_protocol::console::PaneId;
use keyspace_protocol::share::ShareBundle;

/// What sharing needs from the page: the lines sent to the engine, whether the dialog is
/// open, and what the worker made of the lines for it.
#[derive(Clone, Copy)]
pub struct ShareState {
    /// The lines sent, with the pane each was typed in.
    pub(crate) typed: RwSignal<Vec<(PaneId, String)>>,
    /// A link's lines waiting for the panes they were typed in to open: `(client, line)`.
    pub(crate) pending: StoredValue<Vec<(usize, String)>>,
    pub(crate) open: RwSignal<bool>,
    /// A link's lines, held while the learner is asked whether they may replace what the
    /// browser kept.
    pub(crate) asking: RwSignal<Option<Vec<String>>>,
    pub bundle: RwSignal<Option<ShareBundle>>,
}

impl ShareState {
    pub fn new() -> ShareState {
        ShareState {
            typed: RwSignal::new(Vec::new()),
            pending: StoredValue::new(Vec::new()),
            open: RwSignal::new(false),
            asking: RwSignal::new(None),
            bundle: RwSignal::new(None),
        }
    }

    /// A line on its way to the engine from `pane`.
    pub fn record(&self, pane: PaneId, line: &str) {
        self.typed.update(|t| t.push((pane, line.to_string())));
    }
}

impl Default for ShareState {
    fn default() -> ShareState {
        ShareState::new()
    }
}
