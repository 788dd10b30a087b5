//! The Share button and its dialog: the link that replays this session's lines (and the
//! current scenario step's link), a QR code of it for a projector, and the session as a
//! redis-cli script or a RESP file. Everything it shows is computed by `crate::share` in the
//! worker; this only wires it to the DOM. [`open_link`] and [`replay`] replay a
//! `#share/...` link when the page opens.

use leptos::prelude::*;

use crate::i18n::fill;
use crate::scenario::view as scenario_view;
use crate::state::{use_shared, Shared};
use keyspace_protocol::console::clip_echo;
use keyspace_protocol::share::{self, ShareBundle, ShareError, QR_QUIET_ZONE};
use keyspace_protocol::Request;

/// Asks the worker for a `#share/...` location's lines (see [`replay`]).
pub fn open_link(shared: Shared) {
    let hash = window().location().hash().unwrap_or_default();
    if share::is_link(&hash) {
        shared.send(Request::OpenShare { hash });
    }
}

/// Replays a share link's lines through the console as if typed (but never through the
/// console's own words, such as `clear`); a link that cannot be replayed runs nothing and
/// says why in the console.
/// A link opens on a fresh playground, so that it opens the same state for everyone: when the
/// browser kept one with keys or changed parameters, the learner is asked first (replacing it
/// resets the playground and opens the link again).
pub fn replay(shared: Shared, lines: Result<Vec<String>, ShareError>) {
    // What the browser kept, or what was typed since (a link pasted into an open tab).
    let kept = shared
        .saved
        .restored
        .with_untracked(|r| r.as_ref().is_some_and(|r| r.keys > 0 || r.config > 0))
        || shared.window.with_untracked(|w| w.db_size > 0)
        || shared.share.typed.with_untracked(|typed| !typed.is_empty());
    match lines {
        Ok(lines) if kept => shared.share.asking.set(Some(lines)),
        lines => run_link(shared, lines),
    }
}

fn run_link(shared: Shared, lines: Result<Vec<String>, ShareError>) {
    let text = shared.text.get_untracked().share;
    match lines {
        Ok(lines) => {
            // Replayed once: a reload must not ask again.
            scenario_view::replace_hash(None);
            let script = share::by_client(lines);
            shared.note(&fill(text.replaying, script.len()));
            run_script(shared, script);
        }
        Err(error) => shared.note(text.error(error)),
    }
}

/// Runs lines in the console as if typed, each `(client, line)` in the client-th pane (opened
/// first when there are fewer panes): a share link's lines, an embedded console's `run=`
/// lines, a lesson's Run button.
pub fn run_script(shared: Shared, script: Vec<(usize, String)>) {
    let clients = script.iter().map(|(c, _)| *c).max().unwrap_or(1);
    let open = shared.panes.with_untracked(Vec::len);
    // Panes asked for already (an earlier script still waiting for them) are not asked again.
    let waiting = shared
        .share
        .pending
        .with_value(|s| s.iter().map(|(c, _)| *c).max().unwrap_or(0));
    shared
        .share
        .pending
        .update_value(|pending| pending.extend(script));
    for _ in open.max(waiting)..clients {
        shared.send_counted(Request::AddClient);
    }
    run_pending(shared);
}

/// Runs a link's lines once the panes they were typed in are open (the N-th client in the
/// N-th pane); until then they wait.
pub fn run_pending(shared: Shared) {
    let needed = shared
        .share
        .pending
        .with_value(|script| script.iter().map(|(c, _)| *c).max());
    let Some(needed) = needed else {
        return;
    };
    let panes = shared.panes.get_untracked();
    if panes.len() < needed {
        return;
    }
    for (client, line) in shared.share.pending.with_value(Vec::clone) {
        let pane = panes[client - 1];
        let echo = clip_echo(format!(
            "{} {line}",
            pane.view.with_untracked(|v| v.prompt.clone())
        ));
        shared.run_in(pane, vec![line], echo);
    }
    shared.share.pending.set_value(Vec::new());
}

/// The buttons, inputs and links inside `root`, in document order.
fn focusable(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(found) = root.query_selector_all("button, input, a[href], select, textarea") else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(node).ok())
        .collect()
}

/// The page's address without its hash: what a share link is based on.
pub(crate) fn page_url() -> String {
    let href = window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The page's address with `fragment` as its hash.
fn url_with(fragment: &str) -> String {
    format!("{}#{}", page_url(), fragment.trim_start_matches('#'))
}

/// Offers `bytes` as a file download called `name`.
pub(crate) fn download(name: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let link = document()
        .create_element("a")
        .ok()
        .and_then(|a| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(a).ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The Share button, and the dialog it opens.
#[component]
pub fn Share() -> impl IntoView {
    let shared = use_shared();
    let state = shared.share;
    let text = move || shared.text.get().share;
    let copied = RwSignal::new(false);
    // While the dialog is open, the worker makes its contents from the lines typed so far.
    Effect::new(move || {
        if state.open.get() {
            let lines = state.typed.with(|typed| share::with_clients(typed));
            shared.send(Request::Share {
                lines,
                page_url: page_url(),
            });
        }
    });
    let link = move || state.bundle.with(|b| b.as_ref().map(|b| b.link.clone()));
    let scenario_link = move || {
        let info = shared.scenario.info.get()?;
        let from_file = shared.scenario.from_file.get();
        let step = shared.scenario.play.with(|p| p.position);
        (!from_file).then(|| url_with(&scenario_view::link(&info.id, step)))
    };
    let copy = move |_| {
        if let Some(Ok(url)) = link() {
            let _ = window().navigator().clipboard().write_text(&url);
            copied.set(true);
        }
    };
    let export = move |name: &str, mime: &str, bytes: fn(&ShareBundle) -> &[u8]| {
        state.bundle.with_untracked(|b| {
            if let Some(b) = b {
                download(name, bytes(b), mime);
            }
        });
    };
    let qr = move || {
        let code = state.bundle.with(|b| b.as_ref().map(|b| b.qr.clone()))?;
        Some(match code {
            Some(code) => {
                let side = code.width + 2 * QR_QUIET_ZONE;
                let view_box = format!("-{QR_QUIET_ZONE} -{QR_QUIET_ZONE} {side} {side}");
                view! {
                    <svg class="qr" viewBox=view_box role="img" aria-label=move || text().qr_label>
                        <rect x=-(QR_QUIET_ZONE as i32) y=-(QR_QUIET_ZONE as i32)
                            width=side height=side fill="#fff" />
                        <path d=code.svg_path() fill="#000" />
                    </svg>
                }
                .into_any()
            }
            None => view! { <p class="share-note">{move || text().qr_too_long}</p> }.into_any(),
        })
    };
    let body = move || {
        match link()? {
        Err(ShareError::Empty) => Some(view! { <p class="share-note">{move || text().nothing}</p> }.into_any()),
        Err(error) => Some(view! { <p class="share-note">{move || text().error(error)}</p> }.into_any()),
        Ok(url) => Some(view! {
            <label class="share-link">
                <span>{move || text().link_label}</span>
                <input type="text" readonly prop:value=url />
            </label>
            <button on:click=copy>
                {move || if copied.get() { text().copied } else { text().copy }}
            </button>
            {qr}
            <div class="share-downloads">
                <button on:click=move |_| export("keyspace-session.redis", "text/plain", |b| b.script.as_bytes())>
                    {move || text().download_script}
                </button>
                <button on:click=move |_| export("keyspace-session.resp", "application/octet-stream", |b| &b.resp)>
                    {move || text().download_resp}
                </button>
            </div>
        }
        .into_any()),
    }
    };
    // A modal dialog for the keyboard: the focus goes into it, Tab stays in it, Esc closes it,
    // and the focus returns to the Share button.
    let opener = NodeRef::<leptos::html::Button>::new();
    let dialog = NodeRef::<leptos::html::Div>::new();
    let close = move || {
        state.open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    };
    // The dialog itself takes the focus: its link arrives from the worker a moment later.
    Effect::new(move || {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.focus();
        }
    });
    let keys = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => {
            let Some(inside) = dialog.get_untracked().map(|d| focusable(&d)) else {
                return;
            };
            let (Some(first), Some(last)) = (inside.first(), inside.last()) else {
                return;
            };
            let active = document().active_element();
            let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e.as_ref());
            if ev.shift_key() && at(first) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && at(last) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    let question = move || {
        let lines = state.asking.get()?;
        let keys = shared
            .saved
            .restored
            .with(|r| r.as_ref().map_or(0, |r| r.keys));
        let words = text()
            .replace_question
            .replace("{n}", &share::by_client(lines.clone()).len().to_string())
            .replace("{keys}", &keys.to_string());
        Some(view! {
            <div class="share-replace" role="alertdialog" aria-label=move || text().title>
                <p>{words}</p>
                <button on:click=move |_| {
                    // Reset empties what was kept and reloads the page at the same link.
                    state.asking.set(None);
                    shared.send(Request::Reset);
                }>{move || text().replace_yes}</button>
                <button on:click=move |_| {
                    state.asking.set(None);
                    scenario_view::replace_hash(None);
                    shared.note(text().kept_instead);
                }>{move || text().replace_no}</button>
            </div>
        })
    };
    view! {
        <div class="share">
            {question}
            <button class="bar-button share-open" node_ref=opener on:click=move |_| {
                copied.set(false);
                state.open.set(true);
            }>{move || text().button}</button>
            <Show when=move || state.open.get()>
                <div
                    class="share-dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-label=move || text().title
                    tabindex="-1"
                    node_ref=dialog
                    on:keydown=keys
                >
                    <h2>{move || text().title}</h2>
                    {body}
                    {move || scenario_link().map(|url| view! {
                        <label class="share-link">
                            <span>{move || text().scenario_link}</span>
                            <input type="text" readonly prop:value=url />
                        </label>
                    })}
                    <button class="share-close" on:click=move |_| close()>
                        {move || text().close}
                    </button>
                </div>
            </Show>
        </div>
    }
}
