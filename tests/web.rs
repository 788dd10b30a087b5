//! The page in a real browser (headless Chromium, through wasm-bindgen-test): mount the app,
//! type commands the way a visitor does, and read what the page shows.
#![cfg(target_arch = "wasm32")]

use keyspace_playground::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the document with the app mounted in it. The returned handle keeps the
/// app alive until the test ends.
fn mount() -> (HtmlElement, impl Drop) {
    let wrapper: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone(), App);
    (wrapper, handle)
}

/// Types `line` into the console's input and presses Enter.
async fn type_line(page: &HtmlElement, line: &str) {
    let input: HtmlInputElement = page
        .query_selector("input")
        .unwrap()
        .expect("an input")
        .unchecked_into();
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&enter).unwrap();
    tick().await;
}

/// The console's printed lines, as the visitor reads them.
fn log_lines(page: &HtmlElement) -> Vec<String> {
    let lines = page.query_selector_all(".log .line").unwrap();
    (0..lines.length())
        .filter_map(|i| lines.item(i)?.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn set_then_get_prints_redis_cli_replies() {
    let (page, _app) = mount();
    type_line(&page, "SET greeting hello").await;
    type_line(&page, "GET greeting").await;
    assert_eq!(
        log_lines(&page),
        [
            "127.0.0.1:6379> SET greeting hello",
            "OK",
            "127.0.0.1:6379> GET greeting",
            "\"hello\"",
        ]
    );
}

#[wasm_bindgen_test]
async fn markup_in_values_stays_text() {
    let (page, _app) = mount();
    type_line(&page, "SET markup \"<b>x</b>\"").await;
    type_line(&page, "GET markup").await;
    // The reply line itself: the echo of the typed command holds the same text.
    let lines = log_lines(&page);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("\"<b>x</b>\""),
        "{lines:?}"
    );
    assert!(
        page.query_selector("b").unwrap().is_none(),
        "a value became HTML"
    );
}

#[wasm_bindgen_test]
async fn the_prompt_shows_the_selected_database() {
    let (page, _app) = mount();
    type_line(&page, "SELECT 1").await;
    let prompt = page
        .query_selector(".prompt")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default();
    assert_eq!(prompt, "127.0.0.1:6379[1]>");
}

#[wasm_bindgen_test]
async fn the_page_says_it_emulates_redis_7_0() {
    let (page, _app) = mount();
    let text = page.text_content().unwrap_or_default();
    assert!(text.contains("Redis 7.0"), "{text}");
}
