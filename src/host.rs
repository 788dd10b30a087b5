//! Where the engine runs. On the page it runs in a Web Worker (the `engine-worker` binary that
//! trunk builds with `data-type="worker"`), so a million-key DEBUG POPULATE keeps the worker
//! busy while the page still scrolls and types. The browser tests mount the app without a
//! built worker script, so there the same [`Session`] answers in the page's own thread, one
//! request per task: that takes the `in-page-engine` feature, which only the tests turn on
//! (Cargo.toml), so that the page's own .wasm leaves the engine out. Either way the page sees one interface: [`Host::send`] a [`Request`], and
//! the [`Response`]s come back in order through the callback.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

#[cfg(feature = "in-page-engine")]
use crate::{
    clock::{random_seed, BrowserClock},
    session::Session,
};
use keyspace_protocol::{Request, Response};

/// The worker's entry script, copied beside the page by trunk (index.html).
pub const WORKER_SCRIPT: &str = "./engine-worker-loader.js";

/// Called with each response, in order.
pub type OnResponse = Rc<dyn Fn(Response)>;
/// Called once if the engine dies, with what the browser said.
pub type OnFailure = Rc<dyn Fn(String)>;

/// A running engine.
pub struct Host {
    inner: Inner,
}

enum Inner {
    Worker {
        worker: Worker,
        /// Requests sent before the worker said [`Response::Ready`].
        early: Rc<RefCell<Vec<Request>>>,
        ready: Rc<Cell<bool>>,
        // Kept alive as long as the worker: the browser calls them.
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_error: Closure<dyn FnMut(ErrorEvent)>,
    },
    #[cfg(feature = "in-page-engine")]
    InPage(Rc<RefCell<Session>>, OnResponse),
}

impl Host {
    /// Starts the engine in a worker; if the browser cannot even create one, reports it.
    pub fn worker(on_response: OnResponse, on_failure: OnFailure) -> Option<Host> {
        let worker = match Worker::new(WORKER_SCRIPT) {
            Ok(worker) => worker,
            Err(e) => {
                on_failure(format!("{e:?}"));
                return None;
            }
        };
        let early = Rc::new(RefCell::new(Vec::new()));
        let ready = Rc::new(Cell::new(false));
        let on_message = {
            let (worker, early, ready, on_failure) = (
                worker.clone(),
                early.clone(),
                ready.clone(),
                on_failure.clone(),
            );
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                match serde_wasm_bindgen::from_value::<Response>(ev.data()) {
                    Ok(Response::Ready) => {
                        ready.set(true);
                        for request in early.borrow_mut().drain(..) {
                            post(&worker, &request, on_failure.as_ref());
                        }
                        on_response(Response::Ready);
                    }
                    Ok(response) => on_response(response),
                    Err(e) => on_failure(e.to_string()),
                }
            })
        };
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            ev.prevent_default();
            on_failure(ev.message());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Host {
            inner: Inner::Worker {
                worker,
                early,
                ready,
                _on_message: on_message,
                _on_error: on_error,
            },
        })
    }

    /// Runs the engine in the page's own thread (the browser tests).
    #[cfg(feature = "in-page-engine")]
    pub fn in_page(on_response: OnResponse, _on_failure: OnFailure) -> Option<Host> {
        let session = Session::new(Box::new(BrowserClock), random_seed());
        let host = Host {
            inner: Inner::InPage(Rc::new(RefCell::new(session)), on_response.clone()),
        };
        leptos::task::spawn_local(async move {
            on_response(Response::Ready);
            // Nothing is kept in the page's own thread: a fresh playground, as on a first visit.
            on_response(Response::Restored(Default::default()));
        });
        Some(host)
    }

    /// Without the `in-page-engine` feature there is no engine in the page: says so.
    #[cfg(not(feature = "in-page-engine"))]
    pub fn in_page(_on_response: OnResponse, on_failure: OnFailure) -> Option<Host> {
        on_failure("built without the in-page-engine feature".to_string());
        None
    }

    /// Sends a request; its response arrives later, after those of earlier requests.
    pub fn send(&self, request: Request) {
        match &self.inner {
            Inner::Worker {
                worker,
                early,
                ready,
                ..
            } => {
                if ready.get() {
                    post(worker, &request, &|e| web_sys::console::error_1(&e.into()));
                } else {
                    early.borrow_mut().push(request);
                }
            }
            #[cfg(feature = "in-page-engine")]
            Inner::InPage(session, on_response) => {
                let (session, on_response) = (session.clone(), on_response.clone());
                leptos::task::spawn_local(async move {
                    let response = session.borrow_mut().handle(request);
                    // Nothing is kept between the tests' pages: the worker keeps it.
                    session.borrow_mut().take_store_ops();
                    on_response(response);
                });
            }
        }
    }
}

impl Drop for Host {
    // Without the in-page engine, a worker is the only kind of host.
    #[allow(irrefutable_let_patterns)]
    fn drop(&mut self) {
        if let Inner::Worker { worker, .. } = &self.inner {
            worker.terminate();
        }
    }
}

fn post(worker: &Worker, request: &Request, on_failure: &dyn Fn(String)) {
    let sent = serde_wasm_bindgen::to_value(request)
        .map_err(|e| e.to_string())
        .and_then(|value| worker.post_message(&value).map_err(|e| format!("{e:?}")));
    if let Err(e) = sent {
        on_failure(e);
    }
}
