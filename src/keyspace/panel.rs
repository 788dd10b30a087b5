//! The keyspace panel: every key of the console's database with its type, size and a live TTL
//! bar, filtered by pattern and type, the keys the last command changed highlighted.
//!
//! It is virtualized: the page holds only the rows on screen (a [`KeyWindow`] from the
//! engine), a spacer gives the scrollbar the height of the whole list, and the rows stay
//! pinned to the top of the viewport (`position: sticky`) while the scroll position picks
//! which window to ask for. The spacer's height is capped (browsers cannot lay out a
//! 36-million-pixel box), so a scroll position maps to a key by proportion.

use leptos::prelude::*;

use crate::i18n::fill;
use crate::keyspace::ttl::format_ttl;
use crate::state::use_shared;
use keyspace_protocol::inspect::InspectQuery;
use keyspace_protocol::keys::KeyRow;

/// The types the filter offers, as TYPE names them.
const TYPES: [&str; 5] = ["string", "list", "hash", "set", "zset"];
/// The tallest spacer, in pixels: well under every browser's layout limit.
const SPACER_MAX_PX: f64 = 4_000_000.0;
/// Rows asked for at least, whatever the panel's height now.
const MIN_ROWS: usize = 40;
/// A row's height before one is on screen to measure.
const ROW_PX_GUESS: f64 = 36.0;

#[component]
pub fn KeyPanel() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let scroller = NodeRef::<leptos::html::Div>::new();
    // A row's height, measured when the visitor scrolls (layout is fresh then) rather than
    // after each new window, when reading it would force the browser to lay out at once.
    let row_height = StoredValue::new(ROW_PX_GUESS);
    let row_px = move || {
        let measured = scroller
            .get_untracked()
            .and_then(|s| s.query_selector(".key-row").ok().flatten())
            .and_then(|r| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(r).ok())
            .map(|r| f64::from(r.offset_height()).max(1.0));
        if let Some(px) = measured {
            row_height.set_value(px);
        }
        row_height.get_value()
    };
    let spacer_px = move || {
        (shared.window.with(|w| w.total) as f64 * row_height.get_value()).min(SPACER_MAX_PX)
    };

    // The window follows the scroll position; how many rows fit follows the panel's height.
    let on_scroll = move |_| {
        let Some(s) = scroller.get_untracked() else {
            return;
        };
        let visible = (f64::from(s.client_height()) / row_px()).ceil() as usize + 1;
        let total = shared.window.with_untracked(|w| w.total);
        let room = f64::from((s.scroll_height() - s.client_height()).max(1));
        let fraction = (f64::from(s.scroll_top()) / room).clamp(0.0, 1.0);
        let offset = (fraction * total.saturating_sub(visible - 1) as f64).round() as usize;
        // Enough rows for a taller panel too (the inspector closing, the window growing), so
        // that no blank shows before the next scroll.
        let rows = visible.max(MIN_ROWS);
        let moved = shared
            .query
            .with_untracked(|q| q.offset != offset || q.count != rows);
        if moved {
            shared.query.update(|q| {
                q.offset = offset;
                q.count = rows;
            });
            shared.refresh_keys();
        }
    };
    let refilter = move |change: &dyn Fn(&mut keyspace_protocol::keys::KeyQuery)| {
        shared.query.update(|q| {
            change(q);
            q.offset = 0;
        });
        if let Some(s) = scroller.get_untracked() {
            s.set_scroll_top(0);
        }
        shared.refresh_keys();
    };

    let rows = move || shared.window.with(|w| w.rows.clone());
    let summary = move || {
        let t = text();
        shared.window.with(|w| {
            format!(
                "{} {} · {}",
                t.keyspace.db_label,
                w.db,
                fill(t.keyspace.keys_count, w.total)
            )
        })
    };

    view! {
        <section class="keys" aria-label=move || text().keyspace.keys_title>
            <header class="keys-head">
                <h2>{move || text().keyspace.keys_title}</h2>
                <span class="keys-summary">{summary}</span>
            </header>
            <div class="filters">
                <input
                    type="search"
                    class="pattern"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=move || text().keyspace.filter_placeholder
                    aria-label=move || text().keyspace.filter_label
                    on:input=move |ev| {
                        let pattern = event_target_value(&ev);
                        refilter(&move |q| q.pattern = pattern.clone());
                    }
                />
                <select
                    class="type-filter"
                    aria-label=move || text().keyspace.type_label
                    on:change=move |ev| {
                        let type_name = event_target_value(&ev);
                        refilter(&move |q| q.type_name = type_name.clone());
                    }
                >
                    <option value="">{move || text().keyspace.all_types}</option>
                    {TYPES.map(|t| view! { <option value=t>{t}</option> })}
                </select>
            </div>
            <div class="key-columns" aria-hidden="true">
                <span>{move || text().keyspace.col_key}</span>
                <span>{move || text().keyspace.col_type}</span>
                <span class="num">{move || text().keyspace.col_size}</span>
                <span>{move || text().keyspace.col_ttl}</span>
            </div>
            <div class="key-scroll" node_ref=scroller on:scroll=on_scroll>
                <div class="key-rows">
                    <crate::server::panel::EvictedKeys />
                    <For
                        each=rows
                        // By the row alone (a key is in a window once): a scroll by a few
                        // rows keeps the rows still on screen instead of redrawing them all.
                        key=|row| row.clone()
                        children=move |row| view! { <KeyRowView row /> }
                    />
                    {move || shared.window.with(|w| w.total == 0).then(|| view! {
                        <p class="no-keys">{move || text().keyspace.no_keys}</p>
                    })}
                </div>
                <div class="key-spacer" style:height=move || format!("{}px", spacer_px())></div>
            </div>
            {move || (shared.inspector.query.with(Option::is_none) && shared.window.with(|w| w.total > 0))
                .then(|| view! { <p class="inspect-hint">{move || text().keyspace.inspect_hint}</p> })}
        </section>
    }
}

#[component]
fn KeyRowView(row: KeyRow) -> impl IntoView {
    let shared = use_shared();
    let key = row.key.clone();
    let changed = move || shared.changed.with(|c| c.contains(&key));
    // WATCHed by a client: marked, and red once the watch is broken (EXEC will fail).
    let watch = {
        let key = row.key.clone();
        Memo::new(move |_| {
            shared
                .watched
                .with(|w| w.iter().find(|w| w.key == key).map(|w| w.broken))
        })
    };
    let ttl = match row.expires_at_ms {
        None => view! { <span class="ttl none">{move || shared.text.get().keyspace.no_ttl}</span> }
            .into_any(),
        Some(at) => {
            let key = row.key.clone();
            let left = move || at.saturating_sub(shared.now_ms.get());
            let width = move || {
                let now = shared.now_ms.get();
                let fraction = shared.ttl.with_value(|t| t.fraction_left(&key, at, now));
                format!("{:.1}%", fraction * 100.0)
            };
            view! {
                <span class="ttl">
                    <span class="bar"><span class="fill" style:width=width></span></span>
                    <span class="left">{move || format_ttl(left())}</span>
                </span>
            }
            .into_any()
        }
    };
    let selected = {
        let key = row.key.clone();
        move || shared.inspector.is_open(&key)
    };
    let open = {
        let key = row.key.clone();
        move || shared.send(shared.inspector.open(InspectQuery::new(key.clone())))
    };
    let open_by_key = open.clone();
    view! {
        <div
            class="key-row"
            class:changed=changed
            class:watched=move || watch.get() == Some(false)
            class:watch-broken=move || watch.get() == Some(true)
            class:selected=selected.clone()
            role="button"
            tabindex="0"
            aria-pressed=move || selected().to_string()
            on:click=move |_| open()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    open_by_key();
                }
            }
        >
            <span class="key" title=row.key.clone()>{row.key.clone()}</span>
            <span class=format!("type type-{}", row.type_name)>{row.type_name.clone()}</span>
            <span class="num">{row.size}</span>
            {ttl}
        </div>
    }
}
