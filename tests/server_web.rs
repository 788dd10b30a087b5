//! The Server tab in a real browser (headless Chromium): the memory gauge and INFO, the policy
//! selector typing CONFIG SET into the console, the evictions counter (and the evicted keys
//! leaving the keyspace panel) after a fill past maxmemory, the LRU lab's four grids, and the
//! page's cap on DEBUG POPULATE.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, HtmlElement, HtmlSelectElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Opens the Server tab (in English: the page's language may be the browser's).
async fn open_server_tab(page: &HtmlElement) {
    click_labelled(page, "button.lang", "English");
    click_labelled(page, "button.tab", "Server");
    wait_for("the server panel's figures", 5_000, || {
        page_text(page, ".gauge-text").contains("64.00M")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_server_tab_shows_the_memory_gauge_and_info() {
    let (page, _app) = mount().await;
    open_server_tab(&page).await;
    assert!(
        page.query_selector(".server").unwrap().is_some()
            && !element::<HtmlElement>(&page, ".server").hidden()
    );
    // 64 MB by default in the page, and what the empty engine uses.
    let gauge = page_text(&page, ".gauge-text");
    assert!(gauge.contains("of 64.00M"), "{gauge}");
    wait_for("INFO's sections", 5_000, || {
        texts(&page, ".info-section summary").contains(&"# Memory".to_string())
    })
    .await;
    let fields = texts(&page, ".info th");
    for name in [
        "used_memory",
        "maxmemory",
        "maxmemory_policy",
        "evicted_keys",
    ] {
        assert!(fields.contains(&name.to_string()), "{name} in {fields:?}");
    }
    assert_eq!(
        element::<HtmlSelectElement>(&page, "select.policy").value(),
        "noeviction"
    );
}

#[wasm_bindgen_test]
async fn the_policy_selector_runs_config_set_in_the_console() {
    let (page, _app) = mount().await;
    open_server_tab(&page).await;
    let select: HtmlSelectElement = element(&page, "select.policy");
    select.set_value("allkeys-lfu");
    select
        .dispatch_event(&Event::new("change").unwrap())
        .unwrap();
    wait_for("the typed CONFIG SET", 5_000, || {
        log_lines(&page)
            .iter()
            .any(|l| l.ends_with("CONFIG SET maxmemory-policy allkeys-lfu"))
    })
    .await;
    type_line(&page, "CONFIG GET maxmemory-policy").await;
    let lines = log_lines(&page);
    assert_eq!(lines[lines.len() - 1], "2) \"allkeys-lfu\"", "{lines:?}");
}

#[wasm_bindgen_test]
async fn filling_past_maxmemory_moves_the_evictions_counter() {
    let (page, _app) = mount().await;
    open_server_tab(&page).await;
    assert_eq!(page_text(&page, ".counters .evicted"), "0");
    type_line(
        &page,
        "CONFIG SET maxmemory 2mb maxmemory-policy allkeys-lru",
    )
    .await;
    type_line(&page, "DEBUG POPULATE 20000").await;
    // Eviction runs before the next command.
    type_line(&page, "PING").await;
    wait_for("evictions to show", 5_000, || {
        page_text(&page, ".counters .evicted")
            .parse::<u64>()
            .is_ok_and(|n| n > 0)
    })
    .await;
    let gauge = page_text(&page, ".gauge-text");
    assert!(gauge.contains("of 2.00M"), "{gauge}");
    // The keyspace panel shows the evicted keys leaving, with the policy that chose them.
    let reasons = texts(&page, ".keys .evicted-row .reason");
    assert_eq!(reasons[0], "evicted (allkeys-lru)", "{reasons:?}");
    assert!(
        reasons.last().unwrap().starts_with("… and "),
        "more than eight were evicted: {reasons:?}"
    );
}

#[wasm_bindgen_test]
async fn the_lru_lab_draws_four_grids() {
    let (page, _app) = mount().await;
    open_server_tab(&page).await;
    element::<HtmlElement>(&page, ".lab-run").click();
    wait_for("the lab's grids", 10_000, || {
        texts(&page, ".lab-grid").len() == 4
    })
    .await;
    assert_eq!(
        texts(&page, ".lab-caption"),
        [
            "maxmemory-samples 1",
            "maxmemory-samples 5",
            "maxmemory-samples 10",
            "exact LRU"
        ]
    );
    let figures = page.query_selector_all(".lab-grid").unwrap();
    for i in 0..figures.length() {
        let figure: HtmlElement = figures.item(i).unwrap().unchecked_into();
        assert_eq!(figure.query_selector_all("circle").unwrap().length(), 600);
    }
    // Exact LRU: the 200 oldest evicted, every other key kept.
    let exact: HtmlElement = figures.item(3).unwrap().unchecked_into();
    assert_eq!(
        exact.query_selector_all("circle.evicted").unwrap().length(),
        200
    );
    assert_eq!(
        exact.query_selector_all("circle.new").unwrap().length(),
        200
    );
    assert_eq!(texts(&page, ".lab-ratio")[3], "hit ratio 100.0%");
}

#[wasm_bindgen_test]
async fn the_page_caps_debug_populate_and_warns_about_no_limit() {
    let (page, _app) = mount().await;
    click_labelled(&page, "button.lang", "English");
    type_line(&page, "DEBUG POPULATE 5000000").await;
    let lines = log_lines(&page);
    assert!(
        lines[lines.len() - 2].ends_with("> DEBUG POPULATE 5000000"),
        "{lines:?}"
    );
    assert!(
        lines[lines.len() - 1].contains("capped at 1000000 keys"),
        "{lines:?}"
    );
    let shown = page.query_selector_all(".log .line").unwrap();
    let last = shown.item(shown.length() - 1).unwrap();
    assert!(last
        .unchecked_into::<web_sys::Element>()
        .class_list()
        .contains("error"));
    type_line(&page, "DBSIZE").await;
    assert_eq!(log_lines(&page).last().unwrap(), "(integer) 0");
    type_line(&page, "CONFIG SET maxmemory 0").await;
    wait_for("the note", 5_000, || {
        log_lines(&page)
            .iter()
            .any(|l| l.starts_with("Note: maxmemory is now 0"))
    })
    .await;
}
