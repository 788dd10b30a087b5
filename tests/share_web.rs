//! Share links in a real browser (headless Chromium): opening a `#share/...` link replays its
//! lines through the engine, so the keys appear in the panel; a link of markup or damaged
//! data runs nothing else and shows only text; the Share dialog offers the session's link and
//! its QR code. The engine runs in the page's own thread (`common::in_page`).
#![cfg(target_arch = "wasm32")]

use keyspace_playground::i18n::share::{self as words, ShareStrings};
use keyspace_playground::App;
use keyspace_worker::share;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The app opened at `hash`, once its engine has answered everything the link sent.
async fn open_at(hash: &str) -> (HtmlElement, impl Drop) {
    console_error_panic_hook::set_once();
    window().location().set_hash(hash).unwrap();
    let page: HtmlElement = document()
        .create_element("section")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&page).unwrap();
    let handle = mount_to(page.clone(), || view! { <App backend=in_page() /> });
    wait_for("the engine to start and answer", 5_000, || {
        texts(&page, ".status").concat().is_empty()
            && page.query_selector(".pending").unwrap().is_none()
    })
    .await;
    // Later tests in this page start without a link.
    window().location().set_hash("").unwrap();
    (page, handle)
}

/// A note in either language, as the page picked one from the browser's.
fn says(page: &HtmlElement, pick: impl Fn(&ShareStrings) -> String) -> bool {
    let log = texts(page, ".log").concat();
    [&words::EN, &words::ZH_TW]
        .iter()
        .any(|s| log.contains(&pick(s)))
}

fn link(lines: &[&str]) -> String {
    format!("#{}", share::encode(lines).unwrap())
}

#[wasm_bindgen_test]
async fn a_share_link_replays_its_commands_into_the_keyspace() {
    let (page, _app) = open_at(&link(&[
        "SET shared:greeting \"hello world\"",
        "RPUSH shared:list a b c",
        "clear",
    ]))
    .await;
    wait_for("the replayed keys in the panel", 5_000, || {
        let keys = texts(&page, ".key-row .key");
        keys.contains(&"shared:greeting".to_string()) && keys.contains(&"shared:list".to_string())
    })
    .await;
    assert!(says(&page, |s| keyspace_playground::i18n::fill(
        s.replaying,
        3
    )));
    let lines = texts(&page, ".log .line");
    assert!(lines.contains(&"127.0.0.1:6379> RPUSH shared:list a b c".to_string()));
    // The console's own `clear` is no Redis command: the engine answered it, nothing cleared.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("(error) ERR unknown command 'clear'")),
        "{lines:?}"
    );
}

#[wasm_bindgen_test]
async fn markup_in_a_share_link_stays_text() {
    let (page, _app) = open_at(&link(&[
        "<img src=x onerror=document.body.dataset.pwned=1>",
        "SET after-markup 1",
    ]))
    .await;
    wait_for("the key after the markup", 5_000, || {
        texts(&page, ".key-row .key").contains(&"after-markup".to_string())
    })
    .await;
    assert!(page.query_selector("img").unwrap().is_none());
    assert!(document().body().unwrap().dataset().get("pwned").is_none());
    let lines = texts(&page, ".log .line");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("(error) ERR unknown command '<img'")),
        "{lines:?}"
    );
}

#[wasm_bindgen_test]
async fn a_damaged_share_link_runs_nothing() {
    let (page, _app) = open_at("#share/<script>alert(1)</script>").await;
    assert!(says(&page, |s| s.corrupt.to_string()));
    assert!(texts(&page, ".log .line.echo").is_empty());
    assert!(page.query_selector("script").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_share_dialog_offers_the_sessions_link_and_its_qr_code() {
    let (page, _app) = open_at("").await;
    type_line(&page, "SET dialog:key 1").await;
    page.query_selector(".share-open")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    // The worker makes the dialog's link and QR code.
    wait_for("the dialog's link and QR code", 5_000, || {
        page.query_selector(".share-dialog .share-link input")
            .unwrap()
            .is_some()
            && page.query_selector("svg.qr path").unwrap().is_some()
    })
    .await;
    let link: HtmlInputElement = page
        .query_selector(".share-link input")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let url = link.value();
    let fragment = url.split_once('#').map(|(_, f)| f).unwrap_or_default();
    assert_eq!(
        share::decode(fragment),
        Some(Ok(vec!["SET dialog:key 1".to_string()]))
    );
    let path = page
        .query_selector("svg.qr path")
        .unwrap()
        .expect("a QR code");
    assert!(path.get_attribute("d").unwrap().starts_with("M0 0h1v1h-1z"));
}

#[wasm_bindgen_test]
async fn a_link_of_two_clients_opens_a_pane_for_each_and_replays_in_it() {
    let (page, _app) = open_at(&link(&[
        "@client 1",
        "SUBSCRIBE news",
        "@client 2",
        "PUBLISH news hello",
    ]))
    .await;
    let pane = |n: u32| texts(&page, &format!(".pane[data-pane=\"{n}\"] .log .line"));
    wait_for("the message in the first pane", 5_000, || {
        pane(1).iter().any(|l| l.contains("\"hello\""))
    })
    .await;
    assert!(pane(1).contains(&"127.0.0.1:6379> SUBSCRIBE news".to_string()));
    assert!(
        pane(2).contains(&"127.0.0.1:6379> PUBLISH news hello".to_string()),
        "{:?}",
        pane(2)
    );
    assert!(
        pane(2).contains(&"(integer) 1".to_string()),
        "{:?}",
        pane(2)
    );
}

#[wasm_bindgen_test]
async fn the_share_dialog_keeps_the_keyboard_and_esc_closes_it() {
    let (page, _app) = open_at("").await;
    type_line(&page, "SET dialog:keys 1").await;
    let opener: HtmlElement = element(&page, ".share-open");
    opener.click();
    wait_for("the dialog's link", 5_000, || {
        page.query_selector(".share-dialog .share-link input")
            .unwrap()
            .is_some()
    })
    .await;
    let dialog: HtmlElement = element(&page, ".share-dialog");
    let focused = || document().active_element();
    assert_eq!(
        focused(),
        Some(dialog.clone().unchecked_into()),
        "the dialog takes the focus"
    );
    let first: HtmlElement = element(&page, ".share-dialog input");
    first.focus().unwrap();
    let key = |target: &web_sys::Element, key: &str, shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let event =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        target.dispatch_event(&event).unwrap();
        event.default_prevented()
    };
    // Shift+Tab on the first control goes round to the last, inside the dialog.
    let first = focused().unwrap();
    assert!(key(&first, "Tab", true), "Shift+Tab is kept in the dialog");
    let last = focused().unwrap();
    assert_ne!(first, last);
    assert!(dialog.contains(Some(&last)));
    assert!(
        key(&last, "Tab", false),
        "Tab from the last goes to the first"
    );
    assert_eq!(focused(), Some(first.clone()));
    key(&first, "Escape", false);
    wait_for("the dialog to close", 2_000, || {
        page.query_selector(".share-dialog").unwrap().is_none()
    })
    .await;
    assert_eq!(focused(), Some(opener.unchecked_into()));
}
