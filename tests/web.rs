//! The page in a real browser (headless Chromium, through wasm-bindgen-test): mount the app,
//! type and click the way a visitor does, and read what the page shows. The engine runs in the
//! page's own thread here (`common::in_page`): the test runner serves no worker script.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use keyspace_playground::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

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
async fn ctrl_l_clears_and_the_input_keeps_its_focus() {
    let (page, _app) = mount().await;
    input(&page).focus().unwrap();
    type_line(&page, "PING").await;
    type_line(&page, "SET a 1").await;
    let field: web_sys::Element = input(&page).unchecked_into();
    assert_eq!(document().active_element(), Some(field.clone()));
    press_with(&page, "l", true);
    wait_for("an empty console", 5_000, || log_lines(&page).is_empty()).await;
    assert_eq!(document().active_element(), Some(field));
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

/// Clicks the keyspace panel's row for `key` and waits for its inspector.
async fn open_key(page: &HtmlElement, key: &str) {
    let rows = page.query_selector_all(".key-row").unwrap();
    let row: HtmlElement = (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
        .find(|r| {
            r.query_selector(".key")
                .ok()
                .flatten()
                .and_then(|k| k.text_content())
                .as_deref()
                == Some(key)
        })
        .unwrap_or_else(|| panic!("no row for {key}"));
    row.click();
    wait_for(&format!("the inspector of {key}"), 5_000, || {
        page_text(page, ".inspect-key") == key
            && page.query_selector(".inspect-facts").unwrap().is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn each_type_opens_in_its_own_inspector() {
    let (page, _app) = mount().await;
    type_line(&page, "SET greeting hello").await;
    type_line(&page, "RPUSH queue a b c").await;
    type_line(&page, "HSET user:1 name Ada lang Rust").await;
    type_line(&page, "SADD tags redis wasm").await;
    type_line(&page, "ZADD board 10 ada 30 bob 20 cy").await;

    open_key(&page, "greeting").await;
    assert_eq!(page_text(&page, ".string-value"), "hello");
    assert_eq!(page_text(&page, ".encoding code"), "embstr");

    open_key(&page, "queue").await;
    assert_eq!(texts(&page, ".cell .val"), ["a", "b", "c"]);
    assert_eq!(texts(&page, ".cell .idx:not(.tail)"), ["0", "1", "2"]);
    assert_eq!(texts(&page, ".cell .idx.tail"), ["-3", "-2", "-1"]);
    assert_eq!(page_text(&page, ".encoding code"), "quicklist");

    open_key(&page, "user:1").await;
    assert_eq!(texts(&page, ".fields td"), ["name", "Ada", "lang", "Rust"]);

    open_key(&page, "tags").await;
    assert_eq!(texts(&page, ".chip"), ["redis", "wasm"]);

    open_key(&page, "board").await;
    assert_eq!(texts(&page, ".ranked .member"), ["ada", "cy", "bob"]);
    assert_eq!(texts(&page, ".ranked .score"), ["10", "20", "30"]);
    assert_eq!(
        page.query_selector_all(".ranked .fill").unwrap().length(),
        3
    );

    // The inspector follows commands, and highlights what the last one changed.
    type_line(&page, "ZINCRBY board 100 ada").await;
    wait_for("ada on top", 5_000, || {
        texts(&page, ".ranked .member") == ["cy", "bob", "ada"]
    })
    .await;
    assert_eq!(texts(&page, ".ranked tr.changed .member"), ["ada"]);

    // Deleted, it says so; closed, it goes away.
    type_line(&page, "DEL board").await;
    wait_for("the key gone", 5_000, || {
        !page_text(&page, ".key-gone").is_empty()
    })
    .await;
    let close: HtmlElement = page
        .query_selector(".inspector .close")
        .unwrap()
        .unwrap()
        .unchecked_into();
    close.click();
    wait_for("the inspector closed", 5_000, || {
        page.query_selector(".inspector").unwrap().is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_100_000_member_sorted_set_opens_a_page_at_a_time() {
    let (page, _app) = mount().await;
    for chunk in 0..10 {
        let pairs: Vec<String> = (0..10_000)
            .map(|i| {
                let n = chunk * 10_000 + i;
                format!("{n} m{n}")
            })
            .collect();
        type_line(&page, &format!("ZADD big {}", pairs.join(" "))).await;
    }
    let start = js_sys::Date::now();
    open_key(&page, "big").await;
    let took = js_sys::Date::now() - start;
    web_sys::console::log_1(&format!("opening a 100,000-member sorted set: {took} ms").into());
    assert_eq!(texts(&page, ".ranked .member").len(), 50);
    assert!(page_text(&page, ".pager .range").contains("100000"));
    let prev: HtmlElement = page
        .query_selector(".pager .prev")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(prev.has_attribute("disabled"), "no page before the first");
    let next: HtmlElement = page
        .query_selector(".pager .next")
        .unwrap()
        .unwrap()
        .unchecked_into();
    next.click();
    wait_for("the second page", 5_000, || {
        texts(&page, ".ranked .member").first().map(String::as_str) == Some("m50")
    })
    .await;
}

#[wasm_bindgen_test]
async fn markup_in_an_inspected_value_stays_text() {
    let (page, _app) = mount().await;
    type_line(
        &page,
        "HSET h \"<b>f</b>\" \"<img src=x onerror=alert(1)>\"",
    )
    .await;
    open_key(&page, "h").await;
    assert_eq!(
        texts(&page, ".fields td"),
        ["<b>f</b>", "<img src=x onerror=alert(1)>"]
    );
    assert!(page.query_selector("img, b").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn history_and_language_survive_a_reload() {
    let (page, app) = mount().await;
    type_line(&page, "ECHO remembered").await;
    let chinese: HtmlElement = page
        .query_selector("button.lang[lang=zh-Hant-TW]")
        .unwrap()
        .expect("the 繁體中文 button")
        .unchecked_into();
    chinese.click();
    wait_for("Chinese", 5_000, || page_text(&page, "h2") == "鍵空間").await;
    drop(app);
    page.remove();

    // A fresh page, as after a reload: the same localStorage.
    let (page, _app) = mount().await;
    assert_eq!(page_text(&page, "h2"), "鍵空間");
    press(&page, "ArrowUp");
    assert_eq!(input(&page).value(), "ECHO remembered");
    let english: HtmlElement = page
        .query_selector("button.lang[lang=en]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    english.click();
    wait_for("English", 5_000, || page_text(&page, "h2") == "Keyspace").await;
}

#[wasm_bindgen_test]
async fn an_engine_that_cannot_start_gets_a_friendly_message_and_a_reset_button() {
    // Without a backend the app starts its Web Worker, whose script this test server does not
    // have: the worker fails as a crashed engine would.
    let wrapper: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let _app = mount_to(wrapper.clone(), || view! { <App /> });
    wait_for("the failure message", 10_000, || {
        wrapper.query_selector(".failure").unwrap().is_some()
    })
    .await;
    let reset: HtmlElement = wrapper
        .query_selector(".failure button")
        .unwrap()
        .expect("a reset button")
        .unchecked_into();
    assert!(!page_text(&wrapper, ".failure p").is_empty());
    // The rest of the page still works: the input takes text.
    input(&wrapper).set_value("PING");
    reset.click();
    wait_for("the restart noted", 5_000, || {
        !log_lines(&wrapper).is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_panel_filters_by_pattern_and_type() {
    let (page, _app) = mount().await;
    type_line(&page, "MSET user:1 a user:2 b post:1 c").await;
    type_line(&page, "RPUSH user:list x").await;
    let pattern: HtmlInputElement = page
        .query_selector(".filters .pattern")
        .unwrap()
        .unwrap()
        .unchecked_into();
    pattern.set_value("user:*");
    pattern
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    wait_for("the user keys", 5_000, || {
        panel_keys(&page) == ["user:1", "user:2", "user:list"]
    })
    .await;
    let types: web_sys::HtmlSelectElement = page
        .query_selector(".filters .type-filter")
        .unwrap()
        .unwrap()
        .unchecked_into();
    types.set_value("list");
    types
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    wait_for("the user list", 5_000, || {
        panel_keys(&page) == ["user:list"]
    })
    .await;
}

/// The pane of client `n` (1 is the first).
fn pane(page: &HtmlElement, n: u32) -> HtmlElement {
    page.query_selector(&format!(".pane[data-pane=\"{n}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no pane {n}"))
        .unchecked_into()
}

async fn add_client(page: &HtmlElement) -> HtmlElement {
    let before = texts(page, ".pane").len();
    let button: HtmlElement = page
        .query_selector(".add-client")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    wait_for("a new pane", 5_000, || {
        texts(page, ".pane").len() == before + 1
    })
    .await;
    pane(page, before as u32 + 1)
}

#[wasm_bindgen_test]
async fn a_message_published_in_one_pane_appears_in_the_subscribers_pane() {
    let (page, _app) = mount().await;
    let first = pane(&page, 1);
    let second = add_client(&page).await;
    assert_eq!(page_text(&second, ".pane-title"), "client 2");
    type_line(&second, "SUBSCRIBE news").await;
    assert_eq!(
        second.get_attribute("data-state").as_deref(),
        Some("subscribed")
    );
    assert!(page_text(&second, ".badge-subscribed").contains("news"));
    type_line(&first, "PUBLISH news hello").await;
    assert_eq!(log_lines(&first).last().unwrap(), "(integer) 1");
    wait_for("the message in the subscriber's pane", 5_000, || {
        log_lines(&second).ends_with(&[
            "1) \"message\"".into(),
            "2) \"news\"".into(),
            "3) \"hello\"".into(),
        ])
    })
    .await;
    // The flow is drawn from the publisher through the channel to the subscriber.
    let flow = texts(&page, ".flow .chip");
    assert_eq!(flow, ["client 1", "news", "client 2"]);
    assert_eq!(page_text(&page, ".flow .payload"), "\"hello\"");
}

#[wasm_bindgen_test]
async fn a_watch_broken_from_another_pane_turns_red_and_exec_returns_nil() {
    let (page, _app) = mount().await;
    let first = pane(&page, 1);
    let second = add_client(&page).await;
    type_line(&first, "SET balance 10").await;
    type_line(&first, "WATCH balance").await;
    let row_class = |page: &HtmlElement| {
        page.query_selector(".key-row")
            .unwrap()
            .unwrap()
            .class_name()
    };
    wait_for("the watched key marked", 5_000, || {
        row_class(&page).contains("watched")
    })
    .await;
    type_line(&first, "MULTI").await;
    assert_eq!(page_text(&first, ".prompt"), "127.0.0.1:6379(TX)>");
    type_line(&first, "INCRBY balance 5").await;
    assert_eq!(log_lines(&first).last().unwrap(), "QUEUED");
    type_line(&second, "SET balance 0").await;
    wait_for("the broken watch in red", 5_000, || {
        row_class(&page).contains("watch-broken")
    })
    .await;
    assert!(page_text(&first, ".badge-watch-broken").contains("balance"));
    type_line(&first, "EXEC").await;
    assert_eq!(log_lines(&first).last().unwrap(), "(nil)");
    type_line(&first, "GET balance").await;
    assert_eq!(log_lines(&first).last().unwrap(), "\"0\"");
}

#[wasm_bindgen_test]
async fn a_blocked_pane_shows_what_it_waits_for_until_another_pane_serves_it() {
    let (page, _app) = mount().await;
    let first = pane(&page, 1);
    let second = add_client(&page).await;
    input(&second).set_value("BLPOP jobs 0");
    press(&second, "Enter");
    wait_for("the pane to block", 5_000, || {
        second.get_attribute("data-state").as_deref() == Some("blocked")
    })
    .await;
    assert!(page_text(&second, ".badge-blocked").contains("BLPOP jobs"));
    assert_eq!(
        texts(&second, ".pending").len(),
        1,
        "the BLPOP waits for its reply"
    );
    type_line(&first, "RPUSH jobs report").await;
    wait_for("the BLPOP reply", 5_000, || {
        log_lines(&second).ends_with(&["1) \"jobs\"".into(), "2) \"report\"".into()])
    })
    .await;
    assert_eq!(second.get_attribute("data-state").as_deref(), Some("ready"));
}

#[wasm_bindgen_test]
async fn a_multi_line_paste_runs_as_one_pipeline() {
    let (page, _app) = mount().await;
    input(&page).set_value("SET hits 1\nINCR hits\nGET hits\n");
    press(&page, "Enter");
    wait_for("the pipeline's replies", 5_000, || {
        log_lines(&page).ends_with(&["GET hits".into(), "\"2\"".into()])
    })
    .await;
    assert_eq!(
        log_lines(&page),
        [
            "127.0.0.1:6379> (pipeline of 3 commands)",
            "SET hits 1",
            "OK",
            "INCR hits",
            "(integer) 2",
            "GET hits",
            "\"2\""
        ]
    );
    assert_eq!(
        input(&page).value(),
        "",
        "the paste ran rather than landing in the input"
    );
}
