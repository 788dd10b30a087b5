//! The engine's Web Worker: a [`Session`] answering the page's requests one message at a time.
//! `src/bin/engine-worker.rs` only calls [`run`]; trunk builds that binary as a worker
//! (`data-type="worker"` in index.html).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::clock::{random_seed, BrowserClock};
use crate::protocol::{Request, Response};
use crate::session::Session;

/// Starts answering messages, then tells the page it is ready.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let session = RefCell::new(Session::new(Box::new(BrowserClock), random_seed()));
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        // A request that does not parse is a bug in the page: fail loudly, so the page shows
        // its "engine stopped" message instead of waiting forever.
        let request: Request = serde_wasm_bindgen::from_value(ev.data())
            .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad request: {e}")));
        let response = session.borrow_mut().handle(request);
        post(&reply_to, &response);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: so does its handler.
    on_message.forget();
    post(&scope, &Response::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let value = serde_wasm_bindgen::to_value(response)
        .unwrap_or_else(|e| wasm_bindgen::throw_str(&format!("bad response: {e}")));
    if let Err(e) = scope.post_message(&value) {
        wasm_bindgen::throw_val(e);
    }
}
