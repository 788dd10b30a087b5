//! The engine's Web Worker: a [`Session`] answering the page's requests one message at a time.
//! The `engine-worker` binary only calls [`run`]; trunk builds it as a worker
//! (`data-type="worker"` in index.html).
//!
//! Before it answers anything, the worker reads what the browser kept (`store`) and opens the
//! playground as it was (`persistence::restore`); after every request, what the request
//! changed is queued to be kept. A SHUTDOWN stops the server: once what was queued is
//! written, the worker reads the kept state back and starts the server on it the same way,
//! as redis-server started again would; requests that arrive meanwhile wait for it.
//!
//! A worker started for an embedded console (`engine-worker-loader.js?embed`, see
//! docs/embedding.md) keeps nothing: it neither claims the storage's lock nor opens
//! IndexedDB, so a course page's consoles start empty, forget everything, and never stand in
//! the way of the playground open in a tab of its own.
//!
//! The built-in scenarios' files are not in the worker's module: the first request that needs
//! them (the page's list, opening one) fetches them from beside the worker's script, and the
//! scenario player's requests wait for them in order while everything else is answered.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, RequestCache, RequestInit};

use crate::clock::{random_seed, BrowserClock};
use crate::persistence::{saved_state, Stored};
use crate::player::Shelf;
use crate::session::Session;
use crate::store::{self, Writer};
use keyspace_protocol::repl::ReplRequest;
use keyspace_protocol::saved::{NotKept, SavedState};
use keyspace_protocol::{Request, Response};
use keyspace_scenarios::builtin;

/// Opens the playground as the browser kept it, starts answering messages, then tells the
/// page it is ready and what it found.
pub fn run() {
    wasm_bindgen_futures::spawn_local(start());
}

/// The worker once started: the session, the queue of writes to IndexedDB, and the requests
/// held while the server restarts.
struct Worker {
    scope: DedicatedWorkerGlobalScope,
    session: RefCell<Session>,
    writer: Rc<Writer>,
    /// Why this tab keeps nothing, if so: a restart then starts empty.
    not_kept: RefCell<Option<NotKept>>,
    /// Requests that arrived after a SHUTDOWN, answered once the server has started again;
    /// `None` while it runs.
    held: RefCell<Option<VecDeque<Request>>>,
    /// The scenario player's requests waiting for the built-in scenarios' files while they
    /// are fetched; `None` when no fetch is under way.
    fetching: RefCell<Option<VecDeque<Request>>>,
}

async fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let started = js_sys::Date::now();
    // Why nothing is kept, if so; `None` within that for an embedded console.
    let database: Result<_, Option<NotKept>> = if embedded(&scope) {
        Err(None)
    } else if store::claim().await {
        store::open()
            .await
            .map_err(|reason| Some(NotKept::Unavailable(reason)))
    } else {
        Err(Some(NotKept::OtherTab))
    };
    // Storage that cannot be read is not written over either: the page says why.
    let (database, stored) = match database {
        Ok(database) => match store::read(&database).await {
            Ok(stored) => (Ok(database), stored),
            Err(reason) => (Err(Some(NotKept::Unavailable(reason))), Stored::default()),
        },
        Err(reason) => (Err(reason), Stored::default()),
    };
    let (session, mut restored) = Session::open(&stored, Box::new(BrowserClock), random_seed());
    restored.load_ms = js_sys::Date::now() - started;
    // An embedded console keeps nothing by design: nothing to say about it.
    restored.not_kept = database.as_ref().err().cloned().flatten();
    let on_saved = {
        let scope = scope.clone();
        Box::new(move |state: SavedState| post(&scope, &Response::Saved(state)))
    };
    let writer = Writer::new(database.ok(), saved_state(&stored), on_saved);
    drop(stored);
    let worker = Rc::new(Worker {
        scope: scope.clone(),
        session: RefCell::new(session),
        writer,
        not_kept: RefCell::new(restored.not_kept.clone()),
        held: RefCell::new(None),
        fetching: RefCell::new(None),
    });
    worker.keep();

    let on_message = {
        let worker = worker.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // A request that does not parse is a bug in the page: fail loudly, so the page
            // shows its "engine stopped" message instead of waiting forever.
            let request: Request = serde_wasm_bindgen::from_value(ev.data())
                .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad request: {e}")));
            worker.receive(request);
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: so does its handler.
    on_message.forget();
    post(&scope, &Response::Ready);
    post(&scope, &Response::Restored(restored));
    post(&scope, &Response::Saved(worker.writer.state()));
}

impl Worker {
    /// Answers a request, or holds it while the server restarts or while the scenarios it
    /// needs are fetched.
    fn receive(self: &Rc<Self>, request: Request) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push_back(request);
            return;
        }
        if matches!(
            request,
            Request::Scenario(_)
                | Request::ContinueScenario { .. }
                | Request::Repl(ReplRequest::Lesson { .. })
        ) {
            if let Some(waiting) = self.fetching.borrow_mut().as_mut() {
                waiting.push_back(request);
                return;
            }
            if self.session.borrow().needs_scenario_files(&request) {
                *self.fetching.borrow_mut() = Some(VecDeque::from([request]));
                wasm_bindgen_futures::spawn_local(self.clone().fetch_scenarios());
                return;
            }
        }
        self.answer(request);
    }

    /// The built-in scenarios fetched (or not): the player gets them, or the reason, and the
    /// requests that waited are answered in order; after a failure they say why, and the
    /// next one that needs the files tries again.
    async fn fetch_scenarios(self: Rc<Self>) {
        let shelf = match fetch_builtin_scenarios(&self.scope).await {
            Ok(sources) => Shelf::Read(sources),
            Err(reason) => Shelf::Unavailable(reason),
        };
        self.session.borrow_mut().shelve_scenarios(shelf);
        let waiting = self.fetching.borrow_mut().take().unwrap_or_default();
        for request in waiting {
            if let Some(held) = self.held.borrow_mut().as_mut() {
                held.push_back(request);
                continue;
            }
            self.answer(request);
        }
    }

    /// Answers a request now.
    fn answer(self: &Rc<Self>, request: Request) {
        if request == Request::Reset {
            let worker = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match worker.writer.reset().await {
                    Ok(()) => post(&worker.scope, &Response::ResetDone),
                    Err(reason) => post(
                        &worker.scope,
                        &Response::Saved(SavedState {
                            failed: Some(reason),
                            ..worker.writer.state()
                        }),
                    ),
                }
            });
            return;
        }
        if self.writer.holed() {
            self.session.borrow_mut().snapshot_after();
        }
        let response = self.session.borrow_mut().handle(request);
        self.keep();
        post(&self.scope, &response);
        // A DEBUG crash ends the worker as it ends redis-server: its error event carries the
        // bug report to the page, which offers a new start.
        let crashed = self.session.borrow().crash_report();
        if let Some(report) = crashed {
            wasm_bindgen::throw_str(&report);
        }
        if self.session.borrow().shutdown_requested() {
            *self.held.borrow_mut() = Some(VecDeque::new());
            wasm_bindgen_futures::spawn_local(self.clone().restart());
        }
    }

    /// Queues what the session changed to be kept.
    fn keep(&self) {
        let ops = self.session.borrow_mut().take_store_ops();
        self.writer.push(ops);
    }

    /// The server after SHUTDOWN: once everything queued is written, what the browser keeps is
    /// read back and the server starts on it, then the requests held meanwhile are answered.
    async fn restart(self: Rc<Self>) {
        let started = js_sys::Date::now();
        let (stored, not_kept) = match self.writer.read_back().await {
            Some(Ok(stored)) => (stored, None),
            // As at the start: what cannot be read is not written over.
            Some(Err(reason)) => {
                self.writer.close();
                (Stored::default(), Some(NotKept::Unavailable(reason)))
            }
            None => (Stored::default(), self.not_kept.borrow().clone()),
        };
        let mut restored =
            (self.session.borrow_mut()).restart(&stored, Box::new(BrowserClock), random_seed());
        drop(stored);
        restored.load_ms = js_sys::Date::now() - started;
        restored.not_kept = not_kept.clone();
        *self.not_kept.borrow_mut() = not_kept;
        self.keep();
        post(&self.scope, &Response::Restarted(restored));
        let held = self.held.borrow_mut().take().unwrap_or_default();
        for request in held {
            self.receive(request);
        }
    }
}

/// Whether this worker serves an embedded console: the page starts it with `?embed` after
/// the loader's name (`host.rs`).
fn embedded(scope: &DedicatedWorkerGlobalScope) -> bool {
    js_sys::Reflect::get(scope, &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
        .ok()
        .and_then(|search| search.as_string())
        .is_some_and(|search| search == "?embed")
}

/// The built-in scenarios' files, fetched together from beside the worker's script (index.html
/// copies them into the build), each revalidated with the host so that a new build's files
/// are the ones read: each id with its source, in the picker's order.
async fn fetch_builtin_scenarios(
    scope: &DedicatedWorkerGlobalScope,
) -> Result<Vec<(String, String)>, String> {
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoCache);
    let fetches: js_sys::Array = builtin::IDS
        .iter()
        .map(|id| scope.fetch_with_str_and_init(&builtin::file(id), &init))
        .collect();
    let responses = JsFuture::from(js_sys::Promise::all(&fetches))
        .await
        .map_err(|e| described(&e))?;
    let mut sources = Vec::with_capacity(builtin::IDS.len());
    for (id, response) in builtin::IDS
        .iter()
        .zip(js_sys::Array::from(&responses).iter())
    {
        let response: web_sys::Response = response.unchecked_into();
        let file = builtin::file(id);
        if !response.ok() {
            return Err(format!("{file}: HTTP {}", response.status()));
        }
        let text = response.text().map_err(|e| described(&e))?;
        let text = JsFuture::from(text)
            .await
            .map_err(|e| format!("{file}: {}", described(&e)))?;
        sources.push((id.to_string(), text.as_string().unwrap_or_default()));
    }
    Ok(sources)
}

/// A JavaScript error's message (`TypeError: Failed to fetch`).
fn described(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => format!("{}: {}", error.name(), error.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    }
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let value = serde_wasm_bindgen::to_value(response)
        .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad response: {e}")));
    if let Err(e) = scope.post_message(&value) {
        wasm_bindgen::throw_val(e);
    }
}
