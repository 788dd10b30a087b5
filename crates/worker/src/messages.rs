//! The engine's Web Worker: a [`Session`] answering the page's requests one message at a time.
//! The `engine-worker` binary only calls [`run`]; trunk builds it as a worker
//! (`data-type="worker"` in index.html).
//!
//! Before it answers anything, the worker reads what the browser kept (`store`) and opens the
//! playground as it was (`persistence::restore`); after every request, what the request
//! changed is queued to be kept.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::clock::{random_seed, BrowserClock};
use crate::persistence::{saved_state, Stored};
use crate::session::Session;
use crate::store::{self, Writer};
use keyspace_protocol::saved::{NotKept, SavedState};
use keyspace_protocol::{Request, Response};

/// Opens the playground as the browser kept it, starts answering messages, then tells the
/// page it is ready and what it found.
pub fn run() {
    wasm_bindgen_futures::spawn_local(start());
}

async fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let started = js_sys::Date::now();
    let database = if store::claim().await {
        store::open().await.map_err(NotKept::Unavailable)
    } else {
        Err(NotKept::OtherTab)
    };
    // Storage that cannot be read is not written over either: the page says why.
    let (database, stored) = match database {
        Ok(database) => match store::read(&database).await {
            Ok(stored) => (Ok(database), stored),
            Err(reason) => (Err(NotKept::Unavailable(reason)), Stored::default()),
        },
        Err(reason) => (Err(reason), Stored::default()),
    };
    let (session, mut restored) = Session::open(&stored, Box::new(BrowserClock), random_seed());
    restored.load_ms = js_sys::Date::now() - started;
    restored.not_kept = database.as_ref().err().cloned();
    let on_saved = {
        let scope = scope.clone();
        Box::new(move |state: SavedState| post(&scope, &Response::Saved(state)))
    };
    let writer = Writer::new(database.ok(), saved_state(&stored), on_saved);
    drop(stored);
    let session = Rc::new(RefCell::new(session));
    writer.push(session.borrow_mut().take_store_ops());

    let (reply_to, kept) = (scope.clone(), writer.clone());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        // A request that does not parse is a bug in the page: fail loudly, so the page shows
        // its "engine stopped" message instead of waiting forever.
        let request: Request = serde_wasm_bindgen::from_value(ev.data())
            .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad request: {e}")));
        if request == Request::Reset {
            let (writer, reply_to) = (writer.clone(), reply_to.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match writer.reset().await {
                    Ok(()) => post(&reply_to, &Response::ResetDone),
                    Err(reason) => post(
                        &reply_to,
                        &Response::Saved(SavedState {
                            failed: Some(reason),
                            ..writer.state()
                        }),
                    ),
                }
            });
            return;
        }
        if writer.holed() {
            session.borrow_mut().snapshot_after();
        }
        let response = session.borrow_mut().handle(request);
        writer.push(session.borrow_mut().take_store_ops());
        post(&reply_to, &response);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: so does its handler.
    on_message.forget();
    post(&scope, &Response::Ready);
    post(&scope, &Response::Restored(restored));
    post(&scope, &Response::Saved(kept.state()));
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let value = serde_wasm_bindgen::to_value(response)
        .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad response: {e}")));
    if let Err(e) = scope.post_message(&value) {
        wasm_bindgen::throw_val(e);
    }
}
