//! "Continue in the console": the console takes over the scenario player's engine as it
//! stands, its keyspace, TTLs and clients, one pane for each of the scenario's clients, and its
//! virtual time goes on at the pace of the console's own clock from where the scenario left it.

use keyspace::{Clock, ManualClock, ShiftedClock};
use keyspace_protocol::scenario::ScenarioResponse;
use keyspace_protocol::Response;

use super::Session;
use crate::persistence::{self, PageStorage, StoreOp};
use crate::resident::WasmMemory;
use keyspace_protocol::console::PANES_MAX;

impl Session {
    /// Takes over the scenario's engine: its keyspace, TTLs and clients become the console's,
    /// one pane for each of the scenario's clients, and its virtual time goes on at the pace
    /// of the console's own clock from where the scenario left it.
    pub(super) fn continue_scenario(&mut self) -> Response {
        let Some(runner) = self.player.take_runner() else {
            return Response::Scenario(ScenarioResponse::Invalid(
                "no scenario is open".to_string(),
            ));
        };
        let (mut engine, virtual_clock, clients) = runner.into_parts();
        let real = self.engine.set_clock(Box::new(ManualClock::default()));
        let offset_ms = virtual_clock.now_ms() as i64 - real.now_ms() as i64;
        engine.set_clock(Box::new(ShiftedClock::starting_at(
            real,
            virtual_clock.now_ms(),
        )));
        self.store_ops
            .lock()
            .expect("one thread")
            .push(StoreOp::Clock(persistence::clock_record(offset_ms)));
        engine.set_capture_events(true);
        engine.set_resident_memory(Box::new(WasmMemory));
        engine.take_events();
        // Whatever the scenario's clients were sent and never read is theirs, not news.
        for &(_, id) in &clients {
            engine.drain(id);
        }
        self.engine = engine;
        // What the browser keeps is now this engine's keyspace and config.
        self.engine
            .set_storage(Box::new(PageStorage::new(self.store_ops.clone())));
        self.snapshot();
        self.panes.clear();
        self.next_pane = 1;
        for (name, id) in clients.into_iter().take(PANES_MAX) {
            self.add_pane(Some(id), Some(name));
        }
        if self.panes.is_empty() {
            self.add_pane(None, None);
        }
        self.shown = self.panes[0].id;
        self.kept.clear();
        self.marked_against = None;
        Response::Scenario(ScenarioResponse::Continued)
    }
}
