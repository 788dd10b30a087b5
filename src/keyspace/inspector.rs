//! The inspector: the key selected in the keyspace panel, shown the way its type thinks of it
//! (see `inspect` for what the worker sends). A string is its text with its encoding; a list, a
//! row of cells with indexes from both ends; a hash, a field/value table; a set, chips; a
//! sorted set, a ranked table with score bars. Long values come a page at a time; what the last
//! command changed is highlighted. Every key, field and value is rendered as text.

use leptos::prelude::*;

use crate::i18n::{fill, fill_range};
use crate::keyspace::target::InspectTarget;
use crate::keyspace::ttl::format_ttl;
use crate::state::{use_shared, Shared};
use keyspace_protocol::inspect::{
    tail_index, Body, Element, Field, InspectQuery, Inspection, ScoreRange, Scored, PAGE,
};

#[component]
pub fn Inspector(target: InspectTarget) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    move || {
        let query = target.query.get()?;
        let view = match target.inspection.get() {
            // Asked for, not here yet: keep the space, without flashing a placeholder.
            None => view! { <div class="inspect-loading"></div> }.into_any(),
            Some(inspection) => inspection_view(inspection, shared, target).into_any(),
        };
        Some(view! {
            <section class="inspector" aria-label=move || text().keyspace.inspector_label>
                <header class="inspect-head">
                    <h3 class="inspect-key" title=query.key.clone()>{query.key.clone()}</h3>
                    <button class="close" on:click=move |_| target.close()>
                        {move || text().keyspace.close}
                    </button>
                </header>
                {view}
            </section>
        })
    }
}

fn inspection_view(inspection: Inspection, shared: Shared, target: InspectTarget) -> impl IntoView {
    let text = move || shared.text.get();
    let Inspection {
        key,
        offset,
        total,
        type_name,
        encoding,
        expires_at_ms,
        body,
    } = inspection;
    if body == Body::Missing {
        return view! { <p class="key-gone">{move || text().keyspace.key_gone}</p> }.into_any();
    }
    let is_string = matches!(body, Body::String { .. });
    let size = move || {
        let t = text();
        fill(
            if is_string {
                t.keyspace.bytes
            } else {
                t.keyspace.elements
            },
            total,
        )
    };
    let ttl = expires_at_ms.map(|at| {
        view! {
            <span class="inspect-ttl">
                {move || format_ttl(at.saturating_sub(target.now_ms.get()))}
            </span>
        }
    });
    let facts = view! {
        <p class="inspect-facts">
            <span class=format!("type type-{type_name}")>{type_name.clone()}</span>
            <span class="encoding">{move || text().keyspace.encoding} " " <code>{encoding.clone()}</code></span>
            <span class="size">{size}</span>
            {ttl}
        </p>
    };
    let content = match body {
        Body::Missing => ().into_any(),
        Body::String {
            text: value,
            changed,
        } => {
            let rest = total.saturating_sub(value.len());
            let more = (rest > 0).then(|| {
                view! { <p class="more-bytes">{move || fill(text().keyspace.more_bytes, rest)}</p> }
            });
            view! {
                <pre class="string-value" class:changed=changed>{value}</pre>
                {more}
            }
            .into_any()
        }
        Body::List(cells) => list_view(cells, offset, total, shared).into_any(),
        Body::Hash(fields) => hash_view(fields, shared).into_any(),
        Body::Set(members) => view! {
            <ul class="chips">
                {members.into_iter().map(|Element { text, changed }| {
                    let title = text.clone();
                    view! { <li class="chip" class:changed=changed title=title>{text}</li> }
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Body::ZSet(rows, range) => zset_view(rows, range, offset, shared).into_any(),
    };
    view! {
        {facts}
        <div class="inspect-body">{content}</div>
        {pager(key, offset, total, is_string, shared, target)}
    }
    .into_any()
}

/// A row of cells, each with its index from the head above and from the tail below.
fn list_view(cells: Vec<Element>, offset: usize, total: usize, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    view! {
        <p class="legend">
            <span class="idx">"0 1 2…"</span> " " {move || text().keyspace.from_head} " · "
            <span class="idx tail">"…-2 -1"</span> " " {move || text().keyspace.from_tail}
        </p>
        <ol class="cells">
            {cells.into_iter().enumerate().map(|(i, Element { text, changed })| {
                let index = offset + i;
                let title = text.clone();
                view! {
                    <li class="cell" class:changed=changed>
                        <span class="idx">{index}</span>
                        <span class="val" title=title>{text}</span>
                        <span class="idx tail">{tail_index(index, total)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

fn hash_view(fields: Vec<Field>, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    view! {
        <table class="fields">
            <thead>
                <tr><th>{move || text().keyspace.col_field}</th><th>{move || text().keyspace.col_value}</th></tr>
            </thead>
            <tbody>
                {fields.into_iter().map(|Field { field, value, changed }| view! {
                    <tr class:changed=changed><td class="field">{field}</td><td>{value}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn zset_view(rows: Vec<Scored>, range: ScoreRange, offset: usize, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    // What the bars measure: from the lowest score (empty) to the highest (full).
    let legend = move || {
        let t = text();
        if range.lowest == range.highest {
            t.keyspace.bars_equal.to_string()
        } else {
            let words = t
                .keyspace
                .bars_range
                .replace("{low}", &range.lowest)
                .replace("{high}", &range.highest);
            if range.infinite {
                format!("{words} {}", t.keyspace.bars_infinite)
            } else {
                words
            }
        }
    };
    view! {
        <p class="legend bars-legend">{legend}</p>
        <table class="ranked">
            <thead>
                <tr>
                    <th class="num">{move || text().keyspace.col_rank}</th>
                    <th>{move || text().keyspace.col_member}</th>
                    <th class="num">{move || text().keyspace.col_score}</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().enumerate().map(|(i, Scored { member, score, fraction, changed })| view! {
                    <tr class:changed=changed>
                        <td class="num">{offset + i}</td>
                        <td class="member">{member}</td>
                        <td class="num score">{score}</td>
                        <td class="score-bar">
                            <span class="bar">
                                <span class="fill" style:width=format!("{:.1}%", fraction * 100.0)></span>
                            </span>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Previous / next page, and which elements are shown.
fn pager(
    key: String,
    offset: usize,
    total: usize,
    is_string: bool,
    shared: Shared,
    target: InspectTarget,
) -> impl IntoView {
    let text = move || shared.text.get();
    (!is_string && total > PAGE).then(|| {
        let go = move |key: String, offset: usize| {
            move |_| {
                shared.send(target.open(InspectQuery {
                    key: key.clone(),
                    offset,
                }))
            }
        };
        let last = (offset + PAGE).min(total);
        view! {
            <nav class="pager">
                <button class="prev" disabled={offset == 0} on:click=go(key.clone(), offset.saturating_sub(PAGE))>
                    {move || text().keyspace.prev_page}
                </button>
                <span class="range">{move || fill_range(text().keyspace.page_range, offset + 1, last, total)}</span>
                <button class="next" disabled={last >= total} on:click=go(key, offset + PAGE)>
                    {move || text().keyspace.next_page}
                </button>
            </nav>
        }
    })
}
