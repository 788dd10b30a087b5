//! Offline and installable: the release build registers its service worker (written by
//! `scripts/post-build.py` from `web/service-worker.js`), which keeps every file of the build so
//! that after one visit the page opens with no network; and when a newer build has been
//! installed beside the running one, a notice says so and offers the reload that switches.
//!
//! A debug build (`trunk serve`'s) registers nothing, so it always shows what was just built.
//! The switch waits for the reader: a page never runs half on one build and half on another,
//! and what the playground keeps in IndexedDB is read by the new build (its format is
//! versioned, `keyspace-worker`'s persistence).

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    RegistrationOptions, ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration,
    ServiceWorkerState, ServiceWorkerUpdateViaCache,
};

use crate::state::use_shared;

/// The worker's file, beside index.html (its scope is the page's folder, under any sub-path).
const WORKER: &str = "./service-worker.js";

/// The notice "a new version is ready", shown while a newer build waits.
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let ready = RwSignal::new(false);
    let waiting = StoredValue::new_local(None::<ServiceWorker>);
    if let Some(container) = container() {
        register(container, ready, waiting);
    }
    let reload = move |_| {
        let Some(container) = container() else {
            return;
        };
        // Once the waiting worker has taken over, the page reloads from its cache. Set only
        // now: on a first visit the worker also takes over (it claims the page), and that
        // must not reload anything.
        let reload = Closure::<dyn FnMut()>::new(|| {
            let _ = window().location().reload();
        });
        container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
        reload.forget();
        waiting.with_value(|worker| {
            if let Some(worker) = worker {
                let message = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&message, &"type".into(), &"keyspace:activate".into());
                let _ = worker.post_message(&message);
            }
        });
    };
    view! {
        <Show when=move || ready.get()>
            <div class="update-ready" role="status">
                <p>{move || text().app.update_ready}</p>
                <button on:click=reload>{move || text().app.update_reload}</button>
            </div>
        </Show>
    }
}

/// The browser's service worker container, in a release build that has one to register.
fn container() -> Option<ServiceWorkerContainer> {
    if cfg!(debug_assertions) {
        return None;
    }
    let navigator = window().navigator();
    // Absent where service workers are not allowed (an insecure origin, some private modes).
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// Registers the worker and watches for a newer one: `ready` turns true, with the worker in
/// `waiting`, when one is installed while an older one controls the page.
fn register(
    container: ServiceWorkerContainer,
    ready: RwSignal<bool>,
    waiting: StoredValue<Option<ServiceWorker>, LocalStorage>,
) {
    let options = RegistrationOptions::new();
    // The worker's own file is always checked with the server, past the HTTP cache, so a
    // new build is noticed on the next visit.
    options.set_update_via_cache(ServiceWorkerUpdateViaCache::None);
    let registered = container.register_with_options(WORKER, &options);
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(registered).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        let controlled = {
            let container = container.clone();
            move || container.controller().is_some()
        };
        let offer = move |worker: ServiceWorker| {
            waiting.set_value(Some(worker));
            ready.set(true);
        };
        if let (Some(worker), true) = (registration.waiting(), controlled()) {
            offer(worker);
        }
        let watched = registration.clone();
        let found = Closure::<dyn FnMut()>::new(move || {
            let Some(worker) = watched.installing() else {
                return;
            };
            let installing = worker.clone();
            let controlled = controlled.clone();
            let changed = Closure::<dyn FnMut()>::new(move || {
                if installing.state() == ServiceWorkerState::Installed && controlled() {
                    offer(installing.clone());
                }
            });
            worker.set_onstatechange(Some(changed.as_ref().unchecked_ref()));
            // The handlers live as long as the page does.
            changed.forget();
        });
        registration.set_onupdatefound(Some(found.as_ref().unchecked_ref()));
        found.forget();
    });
}
