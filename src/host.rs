//! Where the engine runs. On the page it runs in a Web Worker (the `engine-worker` binary that
//! trunk builds with `data-type="worker"`), so a million-key DEBUG POPULATE keeps the worker
//! busy while the page still scrolls and types. The browser tests have no worker script to
//! load: they give the page a [`Backend`] that answers in the page's own thread (the worker's
//! session, `keyspace_worker::InPage`, which the page itself never links). Either way the page
//! sees one interface: [`Host::send`] a [`Request`], and the [`Response`]s come back in order
//! through the callback.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use keyspace_protocol::{Backend, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The worker's entry script, copied beside the page by trunk (index.html).
pub const WORKER_SCRIPT: &str = "./engine-worker-loader.js";
/// The same script for an embedded console: a worker that keeps nothing (its `messages.rs`).
pub const EMBED_WORKER_SCRIPT: &str = "./engine-worker-loader.js?embed";

/// Called with each response, in order.
pub type OnResponse = Rc<dyn Fn(Response)>;
/// Called once if the engine dies, with what the browser said.
pub type OnFailure = Rc<dyn Fn(String)>;
/// An engine in the page's own thread, shared with the host that drives it.
pub type SharedBackend = Rc<RefCell<dyn Backend>>;

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
    InPage(SharedBackend, OnResponse),
}

impl Host {
    /// Starts the engine in a worker from `script` ([`WORKER_SCRIPT`] or
    /// [`EMBED_WORKER_SCRIPT`]); if the browser cannot even create one, reports it.
    pub fn worker(script: &str, on_response: OnResponse, on_failure: OnFailure) -> Option<Host> {
        let worker = match Worker::new(script) {
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

    /// Starts `backend` afresh in the page's own thread (the browser tests). Its responses
    /// come one task later, as a worker's would.
    pub fn in_page(backend: SharedBackend, on_response: OnResponse) -> Host {
        let started = backend.borrow_mut().start();
        let host = Host {
            inner: Inner::InPage(backend, on_response.clone()),
        };
        leptos::task::spawn_local(async move {
            for response in started {
                on_response(response);
            }
        });
        host
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
            Inner::InPage(backend, on_response) => {
                let (backend, on_response) = (backend.clone(), on_response.clone());
                leptos::task::spawn_local(async move {
                    let responses = backend.borrow_mut().answer(request);
                    for response in responses {
                        on_response(response);
                    }
                });
            }
        }
    }
}

impl Drop for Host {
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
