//! The session in the page's own thread, for the page's browser tests: they mount the page on
//! an [`InPage`] (its `backend` prop), since the test runner serves no worker script. It
//! answers as the worker does, one request at a time, but keeps nothing: every start is a first
//! visit, what a request leaves for the browser to keep is dropped, and a SHUTDOWN restarts
//! the server empty, as a Redis without persistence restarts. The built-in scenarios are
//! compiled in, as the test runner serves no files to fetch them from.

use keyspace_protocol::saved::Restored;
use keyspace_protocol::{Backend, Request, Response};

use crate::clock::{random_seed, BrowserClock};
use crate::persistence::Stored;
use crate::player::Shelf;
use crate::session::Session;

/// A fresh session holding the compiled-in scenarios.
fn session() -> Session {
    let mut session = Session::new(Box::new(BrowserClock), random_seed());
    session.shelve_scenarios(Shelf::compiled_in());
    session
}

/// A [`Backend`] running the console's session where it is called.
#[derive(Default)]
pub struct InPage {
    session: Option<Session>,
}

impl Backend for InPage {
    fn start(&mut self) -> Vec<Response> {
        self.session = Some(session());
        // Nothing is kept in the page's own thread: a fresh playground, as on a first visit.
        vec![Response::Ready, Response::Restored(Restored::default())]
    }

    fn answer(&mut self, request: Request) -> Vec<Response> {
        let session = self.session.get_or_insert_with(session);
        let mut responses = vec![session.handle(request)];
        if session.shutdown_requested() {
            let restored =
                session.restart(&Stored::default(), Box::new(BrowserClock), random_seed());
            responses.push(Response::Restarted(restored));
        }
        session.take_store_ops();
        responses
    }
}
