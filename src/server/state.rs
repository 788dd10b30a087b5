//! The Server tab's state on the page: the engine's figures as last sampled, the chart's
//! history, the biggest keys, the LRU lab's runs.

use leptos::prelude::*;

use crate::server::chart::{Sample, Samples};
use keyspace_protocol::console::{Evicted, LineKind, ReplyPage};
use keyspace_protocol::server::{BigKeys, LabGrid, ServerResponse, ServerStatus};

/// The panel's state on the page: every part a signal.
#[derive(Clone, Copy)]
pub struct ServerState {
    pub status: RwSignal<Option<ServerStatus>>,
    pub samples: RwSignal<Samples>,
    pub bigkeys: RwSignal<Option<BigKeys>>,
    pub lab: RwSignal<Option<Vec<LabGrid>>>,
    pub lab_running: RwSignal<bool>,
    /// The `maxmemory-policy` values the engine takes, for the selector.
    pub policies: RwSignal<Vec<String>>,
    /// The keys the last evicting command evicted, shown leaving the keyspace panel.
    pub evicted: RwSignal<Option<Evicted>>,
    /// A status request is out: the next waits for its answer.
    pub(crate) sent: StoredValue<bool>,
    /// The console entry of the last CONFIG SET maxmemory the gauge's field sent, and the
    /// error it got, shown beside the field (the console shows it too).
    pub(crate) limit_sent: StoredValue<Option<u64>>,
    pub limit_error: RwSignal<Option<String>>,
}

impl ServerState {
    pub fn new() -> ServerState {
        ServerState {
            status: RwSignal::new(None),
            samples: RwSignal::new(Samples::default()),
            bigkeys: RwSignal::new(None),
            lab: RwSignal::new(None),
            lab_running: RwSignal::new(false),
            policies: RwSignal::new(Vec::new()),
            evicted: RwSignal::new(None),
            sent: StoredValue::new(false),
            limit_sent: StoredValue::new(None),
            limit_error: RwSignal::new(None),
        }
    }

    /// A console entry got its reply: if it is the field's CONFIG SET, its error (or none).
    pub fn answered(&self, seq: u64, reply: &ReplyPage) {
        if self.limit_sent.get_value() == Some(seq) {
            self.limit_sent.set_value(None);
            let error = reply
                .lines
                .iter()
                .find(|l| l.kind == LineKind::Error)
                .map(|l| l.text.clone());
            self.limit_error.set(error);
        }
    }

    /// The engine restarted: what was shown was the old engine's.
    pub fn restarted(&self) {
        self.status.set(None);
        self.samples.set(Samples::default());
        self.bigkeys.set(None);
        self.lab_running.set(false);
        self.evicted.set(None);
        self.sent.set_value(false);
    }

    pub fn on_response(&self, response: ServerResponse) {
        match response {
            ServerResponse::Status(status) => {
                self.sent.set_value(false);
                self.samples.update(|s| {
                    s.push(Sample {
                        hits: status.keyspace_hits,
                        misses: status.keyspace_misses,
                        evicted: status.evicted_keys,
                    })
                });
                self.status.set(Some(status));
            }
            ServerResponse::BigKeys(big) => self.bigkeys.set(Some(big)),
            ServerResponse::LruLab(grids) => {
                self.lab_running.set(false);
                self.lab.set(Some(grids));
            }
            ServerResponse::Policies(policies) => self.policies.set(policies),
        }
    }
}

impl Default for ServerState {
    fn default() -> ServerState {
        ServerState::new()
    }
}
