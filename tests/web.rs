//! The page in a real browser (headless Chromium, through wasm-bindgen-test): mount the app,
//! type and click the way a visitor does, and read what the page shows. The engine runs in the
//! page's own thread here (`in_page`): the test runner serves no worker script.
#![cfg(target_arch = "wasm32")]

use keyspace_playground::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the document with the app mounted in it. The returned handle keeps the
/// app alive until the test ends.
async fn mount() -> (HtmlElement, impl Drop) {
    let wrapper: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone(), || view! { <App in_page=true /> });
    wait_for("the engine to start", 5_000, || {
        page_text(&wrapper, ".status").is_empty()
    })
    .await;
    (wrapper, handle)
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls `done` until it holds; fails the test after `timeout_ms`.
async fn wait_for(what: &str, timeout_ms: u32, done: impl Fn() -> bool) {
    for _ in 0..timeout_ms / 20 {
        if done() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

fn input(page: &HtmlElement) -> HtmlInputElement {
    page.query_selector(".input-line input")
        .unwrap()
        .expect("an input")
        .unchecked_into()
}

fn press(page: &HtmlElement, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input(page).dispatch_event(&event).unwrap();
}

/// Types `line` into the console's input, presses Enter and waits for the reply.
async fn type_line(page: &HtmlElement, line: &str) {
    let before = texts(page, ".entry").len();
    input(page).set_value(line);
    press(page, "Enter");
    // The page renders on its next task: first the waiting entry, then its reply.
    wait_for(&format!("the reply to {line}"), 5_000, || {
        texts(page, ".entry").len() > before && page.query_selector(".pending").unwrap().is_none()
    })
    .await;
}

fn texts(page: &HtmlElement, selector: &str) -> Vec<String> {
    let nodes = page.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.text_content())
        .collect()
}

fn page_text(page: &HtmlElement, selector: &str) -> String {
    texts(page, selector).concat()
}

/// The console's printed lines, as the visitor reads them.
fn log_lines(page: &HtmlElement) -> Vec<String> {
    texts(page, ".log .line")
}

fn panel_keys(page: &HtmlElement) -> Vec<String> {
    texts(page, ".key-row .key")
}

#[wasm_bindgen_test]
async fn typed_commands_print_redis_cli_replies() {
    let (page, _app) = mount().await;
    type_line(&page, "SET greeting hello").await;
    type_line(&page, "GET greeting").await;
    type_line(&page, "INCR visits").await;
    type_line(&page, "GET nosuch").await;
    type_line(&page, "MGET greeting nosuch").await;
    type_line(&page, "INCR greeting").await;
    assert_eq!(
        log_lines(&page),
        [
            "127.0.0.1:6379> SET greeting hello",
            "OK",
            "127.0.0.1:6379> GET greeting",
            "\"hello\"",
            "127.0.0.1:6379> INCR visits",
            "(integer) 1",
            "127.0.0.1:6379> GET nosuch",
            "(nil)",
            "127.0.0.1:6379> MGET greeting nosuch",
            "1) \"hello\"",
            "2) (nil)",
            "127.0.0.1:6379> INCR greeting",
            "(error) ERR value is not an integer or out of range",
        ]
    );
    // Each kind of reply looks different.
    assert_eq!(texts(&page, ".line.number"), ["(integer) 1"]);
    assert_eq!(texts(&page, ".line.nil"), ["(nil)", "2) (nil)"]);
    assert_eq!(
        texts(&page, ".line.error"),
        ["(error) ERR value is not an integer or out of range"]
    );
}

#[wasm_bindgen_test]
async fn a_key_set_with_px_200_leaves_the_panel_on_its_own() {
    let (page, _app) = mount().await;
    type_line(&page, "SET flash bang PX 200").await;
    assert_eq!(panel_keys(&page), ["flash"]);
    assert!(
        page_text(&page, ".key-row .ttl").ends_with(" s"),
        "a countdown"
    );
    // Nobody types: the engine's timer expires it and the panel follows.
    wait_for("the key to expire", 10_000, || panel_keys(&page).is_empty()).await;
}

#[wasm_bindgen_test]
async fn the_panel_lists_keys_with_type_and_size_and_highlights_changes() {
    let (page, _app) = mount().await;
    type_line(&page, "SET name Ada").await;
    type_line(&page, "RPUSH queue a b c").await;
    assert_eq!(panel_keys(&page), ["name", "queue"]);
    assert_eq!(texts(&page, ".key-row .type"), ["string", "list"]);
    assert_eq!(texts(&page, ".key-row .num"), ["3", "3"]);
    assert_eq!(texts(&page, ".key-row.changed .key"), ["queue"]);
}

#[wasm_bindgen_test]
async fn up_recalls_earlier_commands() {
    let (page, _app) = mount().await;
    type_line(&page, "SET a 1").await;
    type_line(&page, "GET a").await;
    press(&page, "ArrowUp");
    assert_eq!(input(&page).value(), "GET a");
    press(&page, "ArrowUp");
    assert_eq!(input(&page).value(), "SET a 1");
    press(&page, "ArrowDown");
    assert_eq!(input(&page).value(), "GET a");
}

#[wasm_bindgen_test]
async fn the_language_switch_changes_the_page_text() {
    let (page, _app) = mount().await;
    let button = |name: &str| -> HtmlElement {
        let buttons = page.query_selector_all("button.lang").unwrap();
        (0..buttons.length())
            .filter_map(|i| buttons.item(i)?.dyn_into::<HtmlElement>().ok())
            .find(|b| b.text_content().as_deref() == Some(name))
            .expect(name)
    };
    button("繁體中文").click();
    wait_for("Chinese", 5_000, || page_text(&page, "h2") == "鍵空間").await;
    assert!(page_text(&page, "h1").contains("遊樂場"));
    button("English").click();
    wait_for("English", 5_000, || page_text(&page, "h2") == "Keyspace").await;
    assert!(page_text(&page, "h1").contains("Keyspace Playground"));
}

#[wasm_bindgen_test]
async fn markup_in_keys_and_values_stays_text() {
    let (page, _app) = mount().await;
    type_line(&page, "SET \"<b>k</b>\" \"<img src=x onerror=alert(1)>\"").await;
    type_line(&page, "GET \"<b>k</b>\"").await;
    let lines = log_lines(&page);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("\"<img src=x onerror=alert(1)>\""),
        "{lines:?}"
    );
    assert_eq!(panel_keys(&page), ["<b>k</b>"]);
    assert!(
        page.query_selector("img, b").unwrap().is_none(),
        "user data became HTML"
    );
}

#[wasm_bindgen_test]
async fn long_replies_collapse_behind_show_all() {
    let (page, _app) = mount().await;
    type_line(&page, "DEBUG POPULATE 50").await;
    type_line(&page, "KEYS *").await;
    // The echo, "OK", the echo, then the first 20 of 50 keys.
    assert_eq!(log_lines(&page).len(), 23);
    let more: HtmlElement = page
        .query_selector("button.more")
        .unwrap()
        .expect("a show-all button")
        .unchecked_into();
    assert!(more.text_content().unwrap_or_default().contains("50"));
    more.click();
    wait_for("the whole reply", 5_000, || log_lines(&page).len() == 53).await;
    assert!(page.query_selector("button.more").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn clear_empties_the_console() {
    let (page, _app) = mount().await;
    type_line(&page, "PING").await;
    input(&page).set_value("clear");
    press(&page, "Enter");
    wait_for("an empty console", 5_000, || log_lines(&page).is_empty()).await;
}

#[wasm_bindgen_test]
async fn the_prompt_shows_the_selected_database() {
    let (page, _app) = mount().await;
    type_line(&page, "SELECT 1").await;
    assert_eq!(page_text(&page, ".prompt"), "127.0.0.1:6379[1]>");
}

#[wasm_bindgen_test]
async fn the_page_says_it_emulates_redis_7_0() {
    let (page, _app) = mount().await;
    assert_eq!(page_text(&page, ".version"), "Redis 7.0");
}
