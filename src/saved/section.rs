//! "Saved in this browser", in the Server tab: what the worker keeps in IndexedDB (sizes, the
//! last write, a failure such as a full quota), the RDB file to download and one to load,
//! damaged copies found at start, and resetting the playground (after a confirmation). The
//! note printed in the console when a visit restores the playground comes from here too.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::saved::SavedStrings;
use crate::i18n::{count_form, fill};
use crate::state::{use_shared, Shared};
use keyspace_protocol::saved::{NotKept, Restored, SavedState, Source, WriteFailure};
use keyspace_protocol::{Request, Wanted};

/// Reads an RDB file the learner chose or dropped, and asks whether it may replace the
/// keyspace (on the Server tab, where the section is).
pub fn offer_rdb(shared: Shared, file: web_sys::File) {
    let ui = shared.saved;
    shared.tab.set(crate::state::Tab::Server);
    leptos::task::spawn_local(async move {
        let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else {
            ui.loaded
                .set(Some(Err(format!("{}: unreadable", file.name()))));
            return;
        };
        ui.rdb.set_value(js_sys::Uint8Array::new(&buffer).to_vec());
        ui.replacing.set(Some(file.name()));
    });
}

/// A size as people read it.
pub fn size(bytes: usize) -> String {
    match bytes {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
}

/// The console's note on what a visit found kept, one line each.
pub fn restored_note(restored: &Restored, text: &SavedStrings) -> Vec<String> {
    let n = fill;
    let ms = (restored.load_ms.round() as u64).to_string();
    let mut lines = vec![match restored.source {
        Source::Log => n(text.restored_log, restored.keys).replace("{ms}", &ms),
        Source::Snapshot => n(text.restored_rdb, restored.keys).replace("{ms}", &ms),
        Source::Nothing => text.restored_nothing.to_string(),
    }];
    if restored.not_kept.is_some() {
        // Not "nothing was kept": this tab did not look.
        lines.clear();
    }
    if restored.expired > 0 {
        lines.push(n(text.expired, restored.expired));
    }
    if restored.config > 0 {
        lines.push(n(text.config, restored.config));
    }
    if let Some(not_kept) = &restored.not_kept {
        lines.push(not_kept_line(not_kept, text));
    }
    for damage in &restored.damaged {
        lines.push(
            (text.damaged.replace("{file}", &damage.file)).replace("{reason}", &damage.reason),
        );
    }
    lines
}

/// What the section says is kept.
pub fn kept_line(state: &SavedState, text: &SavedStrings) -> String {
    let rdb = if state.rdb == 0 {
        text.no_rdb.to_string()
    } else {
        size(state.rdb)
    };
    count_form(text.kept, state.log_records as u64)
        .replace("{size}", &size(state.bytes()))
        .replace("{log}", &state.log_records.to_string())
        .replace("{base}", &size(state.aof_base))
        .replace("{rdb}", &rdb)
}

/// Why this visit keeps nothing, in plain words.
pub fn not_kept_line(not_kept: &NotKept, text: &SavedStrings) -> String {
    match not_kept {
        NotKept::OtherTab => text.other_tab.to_string(),
        NotKept::Unavailable(reason) => text.unavailable.replace("{reason}", reason),
    }
}

/// The warning for a write that failed, in plain words where the failure is a known one.
pub fn failure(failed: &WriteFailure, text: &SavedStrings) -> String {
    let reason = match failed {
        WriteFailure::QuotaFull => text.quota_full,
        WriteFailure::Other(reason) => reason,
    };
    text.failed.replace("{reason}", reason)
}

/// Whether this visit found something worth a note: a fresh first visit prints nothing.
pub fn worth_a_note(restored: &Restored) -> bool {
    restored.source != Source::Nothing
        || !restored.damaged.is_empty()
        || restored.not_kept.is_some()
}

/// Clears what the page itself keeps of the playground (the console history), before the
/// reload that follows a reset.
pub fn forget_history() {
    crate::prefs::save("history", "");
}

#[component]
pub fn SavedSection() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().saved;
    let ui = shared.saved;
    let status = move || {
        let state = ui.state.get()?;
        let text = text();
        let not_kept = ui
            .restored
            .with(|r| r.as_ref().and_then(|r| r.not_kept.clone()));
        Some(match (not_kept, &state.failed) {
            (Some(not_kept), _) => view! {
                <p class="warning" role="status">{not_kept_line(&not_kept, text)}</p>
            }
            .into_any(),
            (None, Some(failed)) => view! {
                <p class="warning" role="alert">{failure(failed, text)}</p>
            }
            .into_any(),
            (None, None) => {
                view! { <p class="note saved-kept">{kept_line(&state, text)}</p> }.into_any()
            }
        })
    };
    let damaged = move || {
        let state = ui.state.get().unwrap_or_default();
        (!state.damaged.is_empty()).then(|| {
            view! {
                <h4>{move || text().damaged_title}</h4>
                <ul class="saved-damaged">
                    {state.damaged.into_iter().map(|(file, bytes)| {
                        let label = text().damaged_download.replace("{file}", &file);
                        let wanted = file.clone();
                        view! {
                            <li>
                                <button on:click=move |_| shared.send(Request::Download(Wanted::Damaged(wanted.clone())))>
                                    {label}
                                </button>
                                " " {size(bytes)}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    };
    let loaded = move || {
        ui.loaded.get().map(|result| match result {
            Ok(n) => view! {
                <p class="note" role="status">{fill(text().uploaded, n)}</p>
            }
            .into_any(),
            Err(reason) => view! {
                <p class="warning" role="alert">{text().refused.replace("{reason}", &reason)}</p>
            }
            .into_any(),
        })
    };
    let upload = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            offer_rdb(shared, file);
        }
        input.set_value("");
    };
    let replace_question = move || {
        let file = ui.replacing.get()?;
        let keys = shared.window.with(|w| w.db_size);
        let words = count_form(text().replace_rdb, keys as u64)
            .replace("{file}", &file)
            .replace("{keys}", &keys.to_string());
        let answer = move |load: bool| {
            ui.replacing.set(None);
            let bytes = ui.rdb.try_update_value(std::mem::take).unwrap_or_default();
            if load {
                shared.send(Request::LoadRdb(bytes));
            }
        };
        Some(view! {
            <Confirm
                class="saved-confirm saved-replace"
                id="saved-replace-text"
                question=words
                yes=Signal::derive(move || text().replace_rdb_yes)
                on_answer=Callback::new(answer)
            />
        })
    };
    view! {
        <div class="saved" aria-labelledby="saved-title">
            <h3 id="saved-title">{move || text().title}</h3>
            <p class="note">{move || text().intro}</p>
            {status}
            {loaded}
            {replace_question}
            <div class="saved-actions">
                <button on:click=move |_| shared.send(Request::Download(Wanted::Rdb))>
                    {move || text().download}
                </button>
                <label class="saved-upload">
                    <span>{move || text().upload}</span>
                    <input type="file" accept=".rdb,application/octet-stream" on:change=upload />
                </label>
                <button class="danger" on:click=move |_| ui.confirming.set(true)>
                    {move || text().reset}
                </button>
            </div>
            <Show when=move || ui.confirming.get()>
                <Confirm
                    class="saved-confirm"
                    id="saved-confirm-text"
                    question=Signal::derive(move || text().confirm.to_string())
                    yes=Signal::derive(move || text().confirm_yes)
                    on_answer=Callback::new(move |reset: bool| {
                        ui.confirming.set(false);
                        if reset {
                            shared.send(Request::Reset);
                        }
                    })
                />
            </Show>
            {damaged}
        </div>
    }
}

/// A question before something that cannot be undone: the dangerous answer and Cancel, which
/// takes the focus as the safe answer; Esc cancels too.
#[component]
fn Confirm(
    class: &'static str,
    /// The question's element id, which labels the dialog.
    id: &'static str,
    #[prop(into)] question: Signal<String>,
    #[prop(into)] yes: Signal<&'static str>,
    on_answer: Callback<bool>,
) -> impl IntoView {
    let shared = use_shared();
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move || {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div
            class=class
            role="alertdialog"
            aria-labelledby=id
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    on_answer.run(false);
                }
            }
        >
            <p id=id>{question}</p>
            <button class="danger" on:click=move |_| on_answer.run(true)>{yes}</button>
            <button node_ref=cancel on:click=move |_| on_answer.run(false)>
                {move || shared.text.get().saved.confirm_no}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::saved;
    use keyspace_protocol::saved::Damage;

    #[test]
    fn the_note_says_where_the_keys_came_from_and_what_expired() {
        let restored = Restored {
            source: Source::Log,
            keys: 3,
            expired: 1,
            config: 2,
            damaged: vec![],
            load_ms: 12.4,
            not_kept: None,
        };
        assert_eq!(
            restored_note(&restored, &saved::EN),
            [
                "Restored from this browser: 3 keys, from the append-only log (12 ms).",
                "Keys that expired while the page was closed: 1.",
                "Changed parameters back: 2 (CONFIG GET shows them).",
            ]
        );
        assert!(worth_a_note(&restored));
        assert!(!worth_a_note(&Restored::default()));
        let damaged = Restored {
            damaged: vec![Damage {
                file: "dump.rdb".into(),
                reason: "Wrong RDB checksum".into(),
            }],
            ..Restored::default()
        };
        assert!(worth_a_note(&damaged));
        assert_eq!(
            restored_note(&damaged, &saved::ZH_TW)[1],
            "dump.rdb 已損壞，沒有載入（Wrong RDB checksum）。副本已保留：可在「伺服器」分頁下載。"
        );
    }

    #[test]
    fn a_full_quota_is_said_in_plain_words() {
        assert_eq!(
            failure(&WriteFailure::QuotaFull, &saved::EN),
            "Saving in this browser failed: the browser's storage for this page is full \
             (QuotaExceededError). Changes since then are not kept."
        );
        assert_eq!(
            failure(
                &WriteFailure::Other("UnknownError: disk".into()),
                &saved::EN
            ),
            "Saving in this browser failed: UnknownError: disk. Changes since then are not kept."
        );
    }

    #[test]
    fn a_visit_that_keeps_nothing_says_why() {
        let other_tab = Restored {
            not_kept: Some(NotKept::OtherTab),
            ..Restored::default()
        };
        assert!(worth_a_note(&other_tab));
        assert_eq!(restored_note(&other_tab, &saved::EN), [saved::EN.other_tab]);
        assert_eq!(
            not_kept_line(&NotKept::Unavailable("UnknownError".into()), &saved::EN),
            "This browser keeps nothing for this page (UnknownError): a reload starts afresh."
        );
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(size(800), "800 B");
        assert_eq!(size(12_800), "12.5 KB");
        assert_eq!(size(24_777_878), "23.6 MB");
        let state = SavedState {
            aof_base: 2048,
            log: 100,
            log_records: 4,
            ..SavedState::default()
        };
        assert_eq!(
            kept_line(&state, &saved::EN),
            "Kept: 2.1 KB — a log of 4 writes on a 2.0 KB base; dump.rdb none yet."
        );
    }
}
