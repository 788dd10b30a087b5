//! The scenario player's state on the page, as the worker last reported it.

use leptos::prelude::*;

use crate::keyspace::target::{InspectTarget, Source};
use keyspace_protocol::scenario::{PlayState, ScenarioInfo, ScenarioSummary};

/// Play speeds: the label and the time each step stays on screen.
pub const SPEEDS: [(&str, u32); 4] = [("0.5×", 8000), ("1×", 4000), ("2×", 2000), ("4×", 1000)];

/// The player's state on the page: small and `Copy`, every part a signal.
#[derive(Clone, Copy)]
pub struct ScenarioState {
    pub list: RwSignal<Vec<ScenarioSummary>>,
    pub info: RwSignal<Option<ScenarioInfo>>,
    pub play: RwSignal<PlayState>,
    /// The last file's mistake, as the parser said it.
    pub error: RwSignal<Option<String>>,
    /// Whether the open scenario came from a file rather than the built-ins.
    pub from_file: RwSignal<bool>,
    pub playing: RwSignal<bool>,
    /// Index into [`SPEEDS`].
    pub speed: RwSignal<usize>,
    pub presenter: RwSignal<bool>,
    /// A key of the scenario's keyspace opened in its inspector.
    pub inspector: InspectTarget,
    /// "Continue in the console" would replace a console holding this many keys (or typed
    /// lines): the question is on screen.
    pub asking: RwSignal<Option<usize>>,
    /// Milliseconds the current step has been on screen while playing.
    pub(crate) shown_ms: StoredValue<u32>,
    /// A file being read, so that a quick second drop does not race the first.
    pub(crate) loading: RwSignal<bool>,
    /// Why the built-in scenarios could not be downloaded, as the worker said it.
    pub unavailable: RwSignal<Option<String>>,
}

impl ScenarioState {
    pub fn new() -> ScenarioState {
        let play = RwSignal::new(PlayState::default());
        let now_ms = Signal::derive(move || play.with(|p| p.now_ms));
        ScenarioState {
            list: RwSignal::new(Vec::new()),
            info: RwSignal::new(None),
            play,
            error: RwSignal::new(None),
            from_file: RwSignal::new(false),
            playing: RwSignal::new(false),
            speed: RwSignal::new(1),
            presenter: RwSignal::new(false),
            inspector: InspectTarget::new(now_ms, Source::Scenario(RwSignal::new(0))),
            asking: RwSignal::new(None),
            shown_ms: StoredValue::new(0),
            loading: RwSignal::new(false),
            unavailable: RwSignal::new(None),
        }
    }

    /// The engine restarted: whatever was open is gone with it.
    pub fn restarted(&self) {
        self.info.set(None);
        self.play.set(PlayState::default());
        self.playing.set(false);
        self.asking.set(None);
        self.inspector.close();
    }
}

impl Default for ScenarioState {
    fn default() -> ScenarioState {
        ScenarioState::new()
    }
}
