//! What an inspector shows: whose key (the console's engine or the scenario player's), the
//! key and page asked for, and the page once it came.

use leptos::prelude::*;

use keyspace_protocol::inspect::{InspectQuery, Inspection};
use keyspace_protocol::scenario::ScenarioRequest;
use keyspace_protocol::Request;

/// Whose key an inspector shows: the console's engine, or the scenario player's (in one of its
/// databases).
#[derive(Clone, Copy)]
pub enum Source {
    Console,
    Scenario(RwSignal<usize>),
}

/// An inspector's state: the key and page asked for, the page once it came, and the clock
/// its countdown runs on (the engine's own, which after "Continue in the console" or in a
/// scenario is not the browser's).
#[derive(Clone, Copy)]
pub struct InspectTarget {
    pub query: RwSignal<Option<InspectQuery>>,
    pub inspection: RwSignal<Option<Inspection>>,
    pub now_ms: Signal<u64>,
    pub source: Source,
}

impl InspectTarget {
    pub fn new(now_ms: Signal<u64>, source: Source) -> InspectTarget {
        InspectTarget {
            query: RwSignal::new(None),
            inspection: RwSignal::new(None),
            now_ms,
            source,
        }
    }

    /// Opens `query`'s key (or another page of it): the request that asks its engine for the
    /// page.
    pub fn open(&self, query: InspectQuery) -> Request {
        let same_key = self
            .query
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.key == query.key));
        if !same_key {
            self.inspection.set(None);
        }
        self.query.set(Some(query.clone()));
        match self.source {
            Source::Console => Request::Inspect(query),
            Source::Scenario(db) => Request::Scenario(ScenarioRequest::Inspect {
                db: db.get_untracked(),
                query,
            }),
        }
    }

    pub fn close(&self) {
        self.query.set(None);
        self.inspection.set(None);
    }

    /// Shows an inspected page, unless the inspector moved to another key meanwhile.
    pub fn show(&self, inspection: Inspection) {
        let current = self
            .query
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.key == inspection.key));
        if current {
            self.inspection.set(Some(inspection));
        }
    }

    /// Whether `key` is the one open.
    pub fn is_open(&self, key: &str) -> bool {
        self.query
            .with(|q| q.as_ref().is_some_and(|q| q.key == key))
    }
}
