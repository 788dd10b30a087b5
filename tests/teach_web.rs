//! The teaching console in a real browser (headless Chromium): completion with Tab, the grey
//! syntax hint, `help` in either language, Ctrl+R, the raw RESP toggle, pasted pipelines, the
//! docs panel's examples, error explanations and the focus. The engine runs in the page's own
//! thread (`common::in_page`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// Types `text` into the input as a visitor does (the cursor ends after it) without sending
/// it, and waits until the engine's answer about it is shown.
async fn type_text(page: &HtmlElement, text: &str) {
    let field = input(page);
    field.set_value(text);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let highlighted = text.to_string();
    wait_for(&format!("the highlighting of {text:?}"), 5_000, || {
        page_text(page, ".editor .highlight").starts_with(&highlighted)
            && page
                .query_selector(".editor .highlight span")
                .unwrap()
                .is_some()
    })
    .await;
}

async fn english(page: &HtmlElement) {
    button(page, "button.lang", "English").click();
    sleep(0).await;
}

#[wasm_bindgen_test]
async fn zra_and_tab_completes_to_a_zrange_command() {
    let (page, _app) = mount().await;
    type_text(&page, "ZRA").await;
    wait_for("the suggestion list", 5_000, || {
        texts(&page, ".suggestions li").contains(&"ZRANGE".to_string())
    })
    .await;
    press(&page, "Tab");
    assert_eq!(input(&page).value(), "ZRANGE");
    // Tab again goes on to the next choice of the same list.
    press(&page, "Tab");
    assert!(
        input(&page).value().starts_with("ZRAN"),
        "{}",
        input(&page).value()
    );
    assert_ne!(input(&page).value(), "ZRANGE");
}

#[wasm_bindgen_test]
async fn set_k_v_shows_the_remaining_syntax_in_grey() {
    let (page, _app) = mount().await;
    type_text(&page, "SET k v ").await;
    wait_for("the hint", 5_000, || {
        page_text(&page, ".ghost")
            == "[NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"
    })
    .await;
    // The options valid here are offered, and an existing key completes where a key goes.
    assert!(texts(&page, ".suggestions li").contains(&"KEEPTTL".to_string()));
    type_line(&page, "SET greeting hello").await;
    type_text(&page, "GET gr").await;
    wait_for("the key completion", 5_000, || {
        texts(&page, ".suggestions li") == ["greeting"]
    })
    .await;
    press(&page, "Tab");
    assert_eq!(input(&page).value(), "GET greeting");
}

#[wasm_bindgen_test]
async fn a_wrong_arity_or_unknown_command_is_marked_before_sending() {
    let (page, _app) = mount().await;
    english(&page).await;
    type_text(&page, "GET a b").await;
    wait_for("the verdict", 5_000, || {
        page_text(&page, "#prompt-verdict-1") == "b has no place here"
    })
    .await;
    assert_eq!(
        input(&page).get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    type_text(&page, "NOSUCH x").await;
    wait_for("the verdict", 5_000, || {
        page_text(&page, "#prompt-verdict-1") == "unknown command"
    })
    .await;
}

#[wasm_bindgen_test]
async fn help_set_prints_the_summary_in_the_chosen_language() {
    let (page, _app) = mount().await;
    button(&page, "button.lang", "繁體中文").click();
    type_line(&page, "HELP SET").await;
    let lines = log_lines(&page);
    assert_eq!(lines[0], "127.0.0.1:6379> HELP SET");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("  SET key value [NX | XX]")));
    assert!(
        lines.contains(&"  摘要: 把字串存到鍵下；可選擇只在鍵存在（或不存在）時才存、設定存活時間，或傳回舊值。".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"  時間複雜度: O(1)".to_string()));
    english(&page).await;
    type_line(&page, "help set").await;
    let lines = log_lines(&page);
    assert!(lines
        .iter()
        .any(|l| l.starts_with("  summary: Stores a string under a key")));
    assert!(lines.contains(&"  since: 1.0.0".to_string()));
    assert!(lines.contains(&"  group: string".to_string()));
}

#[wasm_bindgen_test]
async fn ctrl_r_finds_an_earlier_command() {
    let (page, _app) = mount().await;
    type_line(&page, "SET alpha 1").await;
    type_line(&page, "GET alpha").await;
    type_line(&page, "PING").await;
    press_with(&page, "r", true);
    for key in ["a", "l", "p"] {
        press(&page, key);
    }
    wait_for("the newest match", 5_000, || {
        page_text(&page, ".rsearch-found") == "GET alpha"
    })
    .await;
    press_with(&page, "r", true);
    wait_for("an older match", 5_000, || {
        page_text(&page, ".rsearch-found") == "SET alpha 1"
    })
    .await;
    press(&page, "Escape");
    assert_eq!(input(&page).value(), "SET alpha 1");
}

#[wasm_bindgen_test]
async fn the_raw_resp_toggle_shows_the_bytes_of_command_and_reply() {
    let (page, _app) = mount().await;
    english(&page).await;
    button(&page, ".prompt-tools button", "Raw RESP").click();
    type_line(&page, "GET k").await;
    assert_eq!(
        log_lines(&page),
        [
            "127.0.0.1:6379> GET k",
            "→ *2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n",
            "← $-1\\r\\n",
            "(nil)",
        ]
    );
}

#[wasm_bindgen_test]
async fn errors_keep_redis_text_with_an_explanation_beside() {
    let (page, _app) = mount().await;
    english(&page).await;
    type_line(&page, "LPUSH l a").await;
    type_line(&page, "GET l").await;
    assert!(log_lines(&page).contains(
        &"(error) WRONGTYPE Operation against a key holding the wrong kind of value".to_string()
    ));
    assert!(page_text(&page, ".explain").contains("another type of value"));
}

#[wasm_bindgen_test]
async fn the_docs_panel_follows_the_line_and_runs_an_example() {
    let (page, _app) = mount().await;
    english(&page).await;
    type_text(&page, "LPUSH ").await;
    press(&page, "F1");
    wait_for("the docs of LPUSH", 5_000, || {
        page_text(&page, ".docs-name") == "LPUSH"
    })
    .await;
    assert!(page_text(&page, ".docs-summary").starts_with("Adds elements to the head of a list"));
    button(&page, ".docs-example button", "Run").click();
    wait_for("the example's replies", 5_000, || {
        log_lines(&page).contains(&"1) \"c\"".to_string())
    })
    .await;
    assert_eq!(log_lines(&page)[0], "127.0.0.1:6379> LPUSH stack a b c");
}

#[wasm_bindgen_test]
async fn a_click_on_the_log_gives_the_focus_back_to_the_input() {
    let (page, _app) = mount().await;
    type_line(&page, "PING").await;
    if let Some(active) = document().active_element() {
        active.unchecked_into::<HtmlElement>().blur().unwrap();
    }
    element::<HtmlElement>(&page, ".log").click();
    let field: web_sys::Element = input(&page).unchecked_into();
    assert_eq!(document().active_element(), Some(field));
}

#[wasm_bindgen_test]
async fn tab_on_an_empty_line_leaves_the_focus_free_to_move_on() {
    let (page, _app) = mount().await;
    let tab = || {
        let init = KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_bubbles(true);
        init.set_cancelable(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        input(&page).dispatch_event(&event).unwrap();
        event.default_prevented()
    };
    // Blanks only: every command would fit here, but Tab is left to move the focus.
    type_text(&page, "   ").await;
    assert!(!tab(), "Tab on an empty line is the browser's");
    type_text(&page, "GE").await;
    wait_for("the suggestions", 5_000, || {
        !texts(&page, ".suggestions li").is_empty()
    })
    .await;
    assert!(tab(), "Tab completes");
    assert_eq!(input(&page).value(), "GET");
}

#[wasm_bindgen_test]
async fn the_history_list_filters_and_puts_a_line_back() {
    let (page, _app) = mount().await;
    english(&page).await;
    // The history is saved for the page (localStorage): other tests' lines are in it too.
    type_line(&page, "SET kiwibasket apple").await;
    type_line(&page, "PING").await;
    type_line(&page, "GET kiwibasket").await;
    button(&page, ".prompt-tools button", "History").click();
    wait_for("the history list", 5_000, || {
        texts(&page, ".history-line")
            .starts_with(&["GET kiwibasket".to_string(), "PING".to_string()])
    })
    .await;
    let filter: web_sys::HtmlInputElement = element(&page, ".history-list input");
    filter.set_value("kiwibasket");
    filter
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    wait_for("the filtered list", 5_000, || {
        texts(&page, ".history-line") == ["GET kiwibasket", "SET kiwibasket apple"]
    })
    .await;
    button(&page, ".history-line", "SET kiwibasket apple").click();
    assert_eq!(input(&page).value(), "SET kiwibasket apple");
    wait_for("the list closed", 5_000, || {
        page.query_selector(".history-list").unwrap().is_none()
    })
    .await;
}
