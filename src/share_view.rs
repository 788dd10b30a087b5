//! The Share button and its dialog: the link that replays this session's lines (and the
//! current scenario step's link), a QR code of it for a projector, and the session as a
//! redis-cli script or a RESP file. Everything it shows is computed by `crate::share` in the
//! worker; this only wires it to the DOM. [`open_link`] and [`replay`] replay a
//! `#share/...` link when the page opens.

use leptos::prelude::*;

use crate::app::Shared;
use crate::i18n::fill;
use crate::protocol::Request;
use crate::scenario_view;
use crate::share::{self, ShareBundle, ShareError, QR_QUIET_ZONE};

/// What sharing needs from the page: the lines sent to the engine, whether the dialog is
/// open, and what the worker made of the lines for it.
#[derive(Clone, Copy)]
pub struct ShareState {
    typed: RwSignal<Vec<String>>,
    open: RwSignal<bool>,
    pub bundle: RwSignal<Option<ShareBundle>>,
}

impl ShareState {
    pub fn new() -> ShareState {
        ShareState {
            typed: RwSignal::new(Vec::new()),
            open: RwSignal::new(false),
            bundle: RwSignal::new(None),
        }
    }

    /// A line on its way to the engine.
    pub fn record(&self, line: &str) {
        self.typed.update(|t| t.push(line.to_string()));
    }
}

impl Default for ShareState {
    fn default() -> ShareState {
        ShareState::new()
    }
}

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
pub fn replay(shared: Shared, lines: Result<Vec<String>, ShareError>) {
    let text = shared.text.get_untracked().share;
    match lines {
        Ok(lines) => {
            shared.note(&fill(text.replaying, lines.len()));
            for line in lines {
                shared.run_line(line);
            }
        }
        Err(error) => shared.note(text.error(error)),
    }
}

/// The page's address without its hash: what a share link is based on.
fn page_url() -> String {
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
pub fn Share(shared: Shared) -> impl IntoView {
    let state = shared.share;
    let text = move || shared.text.get().share;
    let copied = RwSignal::new(false);
    // While the dialog is open, the worker makes its contents from the lines typed so far.
    Effect::new(move || {
        if state.open.get() {
            let lines = state.typed.get();
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
    view! {
        <div class="share">
            <button class="bar-button share-open" on:click=move |_| {
                copied.set(false);
                state.open.set(true);
            }>{move || text().button}</button>
            <Show when=move || state.open.get()>
                <div class="share-dialog" role="dialog" aria-modal="true" aria-label=move || text().title>
                    <h2>{move || text().title}</h2>
                    {body}
                    {move || scenario_link().map(|url| view! {
                        <label class="share-link">
                            <span>{move || text().scenario_link}</span>
                            <input type="text" readonly prop:value=url />
                        </label>
                    })}
                    <button class="share-close" on:click=move |_| state.open.set(false)>
                        {move || text().close}
                    </button>
                </div>
            </Show>
        </div>
    }
}
