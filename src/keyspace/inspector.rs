//! The inspector: the key selected in the keyspace panel, shown the way its type thinks of it
//! (see `inspect` for what the worker sends). A string is its text with its encoding; a list, a
//! row of cells with indexes from both ends; a hash, a field/value table; a set, chips; a
//! sorted set, a ranked table with score bars. A value that can be looked at in more than one
//! way offers them in a row of buttons: a string as bits or a HyperLogLog (`bits`), a geo set as
//! a map (`geo_map`). A stream is a table of entries with its consumer groups (`stream`). Long values come a page at a time; what the last command changed is
//! highlighted. Every key, field and value is rendered as text.

use leptos::prelude::*;

use crate::i18n::{fill, fill_range};
use crate::keyspace::bits::{bitmap_view, hll_view};
use crate::keyspace::geo_map::map_view;
use crate::keyspace::stream::stream_view;
use crate::keyspace::target::InspectTarget;
use crate::keyspace::ttl::format_ttl;
use crate::state::{use_shared, Shared};
use keyspace_protocol::inspect::{
    tail_index, Body, Element, Field, Form, InspectQuery, Inspection, ScoreRange, Scored,
    BITS_PAGE, PAGE,
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
        forms,
        body,
    } = inspection;
    if body == Body::Missing {
        return view! { <p class="key-gone">{move || text().keyspace.key_gone}</p> }.into_any();
    }
    let is_string = matches!(
        body,
        Body::String { .. } | Body::Bits(_) | Body::HyperLogLog(_)
    );
    let is_stream = matches!(body, Body::Stream(_));
    let shown = shown_form(&body);
    let size = move || {
        let t = text();
        fill(
            if is_string {
                t.keyspace.bytes
            } else if is_stream {
                t.keyspace.entries
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
    let pager = match &body {
        Body::String { .. } | Body::HyperLogLog(_) => ().into_any(),
        _ => pager(key.clone(), shown, offset, total, shared, target).into_any(),
    };
    let switcher = form_switcher(key.clone(), forms, shown, shared, target);
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
        Body::Bits(bitmap) => view! {
            <BitGoto key=key.clone() shared=shared target=target/>
            {bitmap_view(key, bitmap, offset, shared)}
        }
        .into_any(),
        Body::HyperLogLog(registers) => hll_view(key, registers, shared).into_any(),
        Body::Map(map) => map_view(map, total, offset, shared).into_any(),
        // Go to ID only where there are pages to go to: a short stream keeps its line.
        Body::Stream(stream) => view! {
            {(total > PAGE).then(|| view! { <IdGoto key=key.clone() shared=shared target=target/> })}
            {stream_view(key, stream, shared)}
        }
        .into_any(),
    };
    view! {
        {facts}
        {switcher}
        <div class="inspect-body">{content}</div>
        {pager}
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

/// Which form a body is in.
fn shown_form(body: &Body) -> Option<Form> {
    match body {
        Body::String { .. } => Some(Form::Text),
        Body::Bits(_) => Some(Form::Bits),
        Body::HyperLogLog(_) => Some(Form::HyperLogLog),
        Body::ZSet(..) => Some(Form::Ranked),
        Body::Map(_) => Some(Form::Map),
        _ => None,
    }
}

/// The row of ways to look at the value, the one shown pressed.
fn form_switcher(
    key: String,
    forms: Vec<Form>,
    shown: Option<Form>,
    shared: Shared,
    target: InspectTarget,
) -> impl IntoView {
    let text = move || shared.text.get();
    (!forms.is_empty()).then(|| {
        let buttons = forms
            .into_iter()
            .map(|form| {
                let key = key.clone();
                let name = move || {
                    let t = text();
                    match form {
                        Form::Text => t.keyspace.form_text,
                        Form::Bits => t.keyspace.form_bits,
                        Form::HyperLogLog => t.keyspace.form_hll,
                        Form::Ranked => t.keyspace.form_ranked,
                        Form::Map => t.keyspace.form_map,
                    }
                };
                let open = move |_| {
                    shared.send(target.open(InspectQuery {
                        key: key.clone(),
                        offset: 0,
                        form: Some(form),
                        at_id: None,
                    }))
                };
                view! {
                    <button class="form" aria-pressed=(shown == Some(form)).to_string() on:click=open>{name}</button>
                }
            })
            .collect_view();
        view! {
            <div class="forms" role="group" aria-label=move || text().keyspace.form_label>
                <span class="forms-label">{move || text().keyspace.form_label}</span>
                {buttons}
            </div>
        }
    })
}

/// Previous / next page, and what the page shows: 50 elements of an aggregate, or 512 bits of
/// a bitmap (counted in bits, its offset in bytes).
fn pager(
    key: String,
    form: Option<Form>,
    offset: usize,
    total: usize,
    shared: Shared,
    target: InspectTarget,
) -> impl IntoView {
    let text = move || shared.text.get();
    let bits = form == Some(Form::Bits);
    let step = if bits { BITS_PAGE } else { PAGE };
    (total > step).then(|| {
        let key = StoredValue::new(key);
        let go = move |offset: usize| {
            move |_| {
                shared.send(target.open(InspectQuery {
                    key: key.get_value(),
                    offset,
                    form,
                    at_id: None,
                }))
            }
        };
        let last = (offset + step).min(total);
        let range = move || match bits {
            true => fill_range(text().keyspace.bits_range, offset * 8, last * 8 - 1, total * 8),
            false => fill_range(text().keyspace.page_range, offset + 1, last, total),
        };
        view! {
            <nav class="pager">
                <button class="prev" disabled={offset == 0} on:click=go(offset.saturating_sub(step))>
                    {move || text().keyspace.prev_page}
                </button>
                <span class="range">{range}</span>
                <button class="next" disabled={last >= total} on:click=go(last)>
                    {move || text().keyspace.next_page}
                </button>
            </nav>
        }
    })
}

/// A text box that opens the page of a stream holding an ID (or the first entry after it):
/// where `XRANGE key id +` would start.
#[component]
fn IdGoto(key: String, shared: Shared, target: InspectTarget) -> impl IntoView {
    let text = move || shared.text.get();
    let key = StoredValue::new(key);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let go = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = input.get().map(|i| i.value().trim().to_string());
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            shared.send(target.open(InspectQuery {
                at_id: Some(id),
                ..InspectQuery::new(key.get_value())
            }));
        }
    };
    view! {
        <form class="bit-goto id-goto" on:submit=go>
            <label>
                {move || text().keyspace.id_goto} " "
                <input node_ref=input name="id" type="text" inputmode="numeric" placeholder="1700000000000-0" spellcheck="false"/>
            </label>
        </form>
    }
}

/// A number box that opens the page holding a bit: where a SETBIT of user 100,000 is.
#[component]
fn BitGoto(key: String, shared: Shared, target: InspectTarget) -> impl IntoView {
    let text = move || shared.text.get();
    let key = StoredValue::new(key);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let go = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let bit = input
            .get()
            .and_then(|i| i.value().trim().parse::<usize>().ok());
        if let Some(bit) = bit {
            shared.send(target.open(InspectQuery {
                key: key.get_value(),
                offset: bit / 8 / BITS_PAGE * BITS_PAGE,
                form: Some(Form::Bits),
                at_id: None,
            }));
        }
    };
    view! {
        <form class="bit-goto" on:submit=go>
            <label>
                {move || text().keyspace.bits_goto} " "
                <input node_ref=input name="bit" type="number" min="0" inputmode="numeric"/>
            </label>
        </form>
    }
}
