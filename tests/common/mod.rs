//! What the browser tests share: mounting the app in the page, waiting without blocking it,
//! typing into the console as a visitor does, and reading what the page shows.
// Each test file uses its own part of these.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use keyspace_playground::host::SharedBackend;
use keyspace_playground::App;
use keyspace_worker::InPage;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit};

/// The worker's session in the page's own thread, for the app to run on: the test runner
/// serves no worker script.
pub fn in_page() -> SharedBackend {
    Rc::new(RefCell::new(InPage::default()))
}

/// A fresh element in the document with the app mounted in it. The returned handle keeps the
/// app alive until the test ends.
pub async fn mount() -> (HtmlElement, impl Drop) {
    let wrapper: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone(), || view! { <App backend=in_page() /> });
    wait_for("the engine to start", 5_000, || {
        page_text(&wrapper, ".status").is_empty()
    })
    .await;
    (wrapper, handle)
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls `done` until it holds; fails the test after `timeout_ms`.
pub async fn wait_for(what: &str, timeout_ms: u32, done: impl Fn() -> bool) {
    for _ in 0..timeout_ms / 20 {
        if done() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// The console's input (a textarea: it grows for pasted pipelines).
pub fn input(page: &HtmlElement) -> HtmlTextAreaElement {
    page.query_selector(".input-line textarea")
        .unwrap()
        .expect("an input")
        .unchecked_into()
}

pub fn press(page: &HtmlElement, key: &str) {
    press_with(page, key, false);
}

pub fn press_with(page: &HtmlElement, key: &str, ctrl: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input(page).dispatch_event(&event).unwrap();
}

/// Types `line` into the console's input, presses Enter and waits for the reply.
pub async fn type_line(page: &HtmlElement, line: &str) {
    let before = texts(page, ".entry").len();
    input(page).set_value(line);
    press(page, "Enter");
    // The page renders on its next task: first the waiting entry, then its reply.
    wait_for(&format!("the reply to {line}"), 5_000, || {
        texts(page, ".entry").len() > before && page.query_selector(".pending").unwrap().is_none()
    })
    .await;
}

pub fn texts(page: &HtmlElement, selector: &str) -> Vec<String> {
    let nodes = page.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.text_content())
        .collect()
}

pub fn page_text(page: &HtmlElement, selector: &str) -> String {
    texts(page, selector).concat()
}

/// The console's printed lines, as the visitor reads them.
pub fn log_lines(page: &HtmlElement) -> Vec<String> {
    texts(page, ".log .line")
}

pub fn panel_keys(page: &HtmlElement) -> Vec<String> {
    texts(page, ".key-row .key")
}

pub fn element<T: JsCast>(page: &HtmlElement, selector: &str) -> T {
    page.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

/// The button among `selector` whose text is `label`.
pub fn button(page: &HtmlElement, selector: &str, label: &str) -> HtmlElement {
    let nodes = page.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<HtmlElement>().ok())
        .find(|b| b.text_content().unwrap_or_default().contains(label))
        .unwrap_or_else(|| panic!("no {selector} saying {label}"))
}

/// Clicks the first `selector` whose text is `label`.
pub fn click_labelled(page: &HtmlElement, selector: &str, label: &str) {
    let nodes = page.query_selector_all(selector).unwrap();
    let target = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .find(|n| n.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no {selector} saying {label}"));
    target.unchecked_into::<HtmlElement>().click();
}
