//! The scenario player in a real browser (headless Chromium): open a built-in scenario, step
//! with the buttons and the keyboard, read the narration, the replies and the keyspace, step
//! back, and load a malformed file. The engine runs in the page's own thread (`common::in_page`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use keyspace_playground::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// The app in English, on the Scenarios tab, the picker filled.
async fn mount_scenarios() -> (HtmlElement, impl Drop) {
    console_error_panic_hook::set_once();
    let page: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&page).unwrap();
    let handle = mount_to(page.clone(), || view! { <App backend=in_page() /> });
    button(&page, "button.lang", "English").click();
    button(&page, "button.tab", "Scenarios").click();
    wait_for("the scenario cards", 5_000, || {
        page.query_selector(".sc-card").unwrap().is_some()
    })
    .await;
    (page, handle)
}

/// Presses `key` as a presentation clicker does: on the page, not in a field.
fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().body().unwrap().dispatch_event(&event).unwrap();
}

fn position(page: &HtmlElement) -> String {
    page_text(page, ".sc-progress span")
}

async fn at_step(page: &HtmlElement, n: usize) {
    let wanted = format!("Step {n} of 7");
    wait_for(&wanted, 5_000, || position(page) == wanted).await;
}

/// The scenario keyspace's rows: key, and the change label if any.
fn keys(page: &HtmlElement) -> Vec<(String, String)> {
    let rows = page.query_selector_all(".sc-key").unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
        .map(|row| {
            let text = |s: &str| {
                row.query_selector(s)
                    .ok()
                    .flatten()
                    .and_then(|e| e.text_content())
                    .unwrap_or_default()
            };
            (text(".key"), text(".sc-badge"))
        })
        .collect()
}

#[wasm_bindgen_test]
async fn cache_aside_plays_step_by_step() {
    let (page, _app) = mount_scenarios().await;
    button(&page, ".sc-card", "Cache-aside").click();
    wait_for("the introduction", 5_000, || {
        page_text(&page, ".sc-say").contains("UserCache.get_user looks in Redis first")
    })
    .await;
    assert_eq!(position(&page), "Step 0 of 7");
    assert!(page_text(&page, ".sc-code").contains("class UserCache:"));

    // A button: step 1, the miss.
    element::<HtmlElement>(&page, ".sc-next").click();
    at_step(&page, 1).await;
    assert!(page_text(&page, ".sc-say").starts_with("A visitor opens user 123's profile"));
    assert_eq!(texts(&page, ".sc-run .sc-line"), ["GET user:123"]);
    assert_eq!(texts(&page, ".sc-run .line"), ["(nil)"]);
    assert_eq!(texts(&page, ".sc-client"), ["app"]);
    assert!(page.query_selector(".sc-mismatch").unwrap().is_none());
    // The step's code lines are highlighted.
    let highlighted: Vec<String> = texts(&page, ".sc-code-line.current .sc-ln");
    assert_eq!(highlighted, ["7", "8", "9", "10", "11", "12"]);

    // The keyboard: step 2 (its 80 ms pass on the way to step 3), then step 3, SETEX.
    press("ArrowRight");
    at_step(&page, 2).await;
    assert_eq!(page_text(&page, ".sc-clock"), "Virtual time+0s");
    press("PageDown");
    at_step(&page, 3).await;
    assert_eq!(page_text(&page, ".sc-clock"), "Virtual time+80ms");
    assert_eq!(texts(&page, ".sc-run .line"), ["OK", "(integer) 300"]);
    assert_eq!(keys(&page), [("user:123".into(), "created".into())]);
    // Shown right after SETEX 300: the two minutes that follow pass on the way to step 4.
    assert_eq!(page_text(&page, ".sc-key .sc-ttl"), "5 m 00 s");
    assert!(page_text(&page, ".sc-wait").contains("2m 00s"));

    // On to the end: the refilled key, then its expiry in the wait after step 6.
    press("ArrowRight");
    press("ArrowRight");
    press("ArrowRight");
    at_step(&page, 6).await;
    assert_eq!(keys(&page), [("user:123".into(), "created".into())]);
    assert_eq!(page_text(&page, ".sc-clock"), "Virtual time+2m 00s");
    press("ArrowRight");
    at_step(&page, 7).await;
    assert_eq!(keys(&page), [("user:123".into(), "expired".into())]);
    assert_eq!(page_text(&page, ".sc-clock"), "Virtual time+7m 01s");
    assert!(
        page_text(&page, ".sc-lesson").contains("The application, not Redis, manages the cache")
    );

    // Back restores the earlier state: step 3's key, its TTL as it was.
    element::<HtmlElement>(&page, ".sc-back").click();
    at_step(&page, 6).await;
    press("ArrowLeft");
    at_step(&page, 5).await;
    assert_eq!(keys(&page), [("user:123".into(), "deleted".into())]);
    button(&page, ".sc-step button", "The profile is stored as JSON").click();
    at_step(&page, 3).await;
    assert_eq!(keys(&page), [("user:123".into(), "created".into())]);
    assert_eq!(texts(&page, ".sc-run .line"), ["OK", "(integer) 300"]);

    // The narration follows the language switch.
    button(&page, "button.lang", "繁體中文").click();
    wait_for("the narration in 繁體中文", 5_000, || {
        page_text(&page, ".sc-say").starts_with("用 SETEX 把資料以 JSON 存起來")
    })
    .await;
    assert_eq!(position(&page), "第 3 步，共 7 步");
    button(&page, "button.lang", "English").click();

    // "Continue in the console" hands the scenario's keyspace to the console, at this step.
    element::<HtmlElement>(&page, ".sc-continue").click();
    wait_for("the console with the scenario's key", 5_000, || {
        texts(&page, ".key-row .key") == ["user:123"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_malformed_file_shows_its_line_and_field() {
    let (page, _app) = mount_scenarios().await;
    let source = include_str!("../crates/scenarios/scenarios/cache-aside.toml").replacen(
        "wait = \"80ms\"",
        "wait = \"80 parsecs\"",
        1,
    );
    let line = source.lines().position(|l| l.contains("parsecs")).unwrap() + 1;
    let parts = js_sys::Array::of1(&source.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "mine.toml").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = element(&page, ".sc-file input");
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    wait_for("the mistake", 5_000, || {
        page.query_selector(".sc-error-text").unwrap().is_some()
    })
    .await;
    let message = page_text(&page, ".sc-error-text");
    assert!(
        message.starts_with(&format!("line {line}, step 2, steps[1].wait: a duration")),
        "{message}"
    );
    // Nothing broke: a built-in scenario still opens, and the mistake goes away.
    button(&page, ".sc-card", "Cache-aside").click();
    wait_for("the scenario", 5_000, || position(&page) == "Step 0 of 7").await;
    assert!(page.query_selector(".sc-error").unwrap().is_none());

    // A good file plays like a built-in one, marked as the visitor's.
    let good = include_str!("../crates/scenarios/scenarios/cache-aside.toml");
    let parts = js_sys::Array::of1(&good.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "good.toml").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    wait_for("the file's scenario", 5_000, || {
        page.query_selector(".sc-from-file").unwrap().is_some()
    })
    .await;
    element::<HtmlElement>(&page, ".sc-next").click();
    at_step(&page, 1).await;
    assert_eq!(texts(&page, ".sc-run .line"), ["(nil)"]);
}
