//! The session in the page's own thread, for the page's browser tests: they mount the page on
//! an [`InPage`] (its `backend` prop), since the test runner serves no worker script. It
//! answers as the worker does, one request at a time, but keeps nothing: every start is a first
//! visit, and what a request leaves for the browser to keep is dropped.

use keyspace_protocol::saved::Restored;
use keyspace_protocol::{Backend, Request, Response};

use crate::clock::{random_seed, BrowserClock};
use crate::session::Session;

/// A [`Backend`] running the console's session where it is called.
#[derive(Default)]
pub struct InPage {
    session: Option<Session>,
}

impl Backend for InPage {
    fn start(&mut self) -> Vec<Response> {
        self.session = Some(Session::new(Box::new(BrowserClock), random_seed()));
        // Nothing is kept in the page's own thread: a fresh playground, as on a first visit.
        vec![Response::Ready, Response::Restored(Restored::default())]
    }

    fn answer(&mut self, request: Request) -> Response {
        let session = self
            .session
            .get_or_insert_with(|| Session::new(Box::new(BrowserClock), random_seed()));
        let response = session.handle(request);
        session.take_store_ops();
        response
    }
}
