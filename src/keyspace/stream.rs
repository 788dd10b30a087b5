//! A stream as its commands see it: a page of entries, oldest first, each an ID (milliseconds
//! and a sequence) with its fields in order and the consumers that hold it pending; above them
//! what XINFO STREAM says of the whole (the last ID generated, entries ever added, listpack
//! nodes); below, each consumer group as XINFO GROUPS, XINFO CONSUMERS and XPENDING show it:
//! the last-delivered ID that `>` reads after, entries read and lag, the consumers with their
//! pending counts and idle times, and the first pending entries with their owner, idle time
//! and delivery count. Idle times are the engine's, as of the inspection.

use leptos::prelude::*;

use crate::i18n::{fill, put};
use crate::keyspace::ttl::format_ttl;
use crate::state::Shared;
use keyspace_protocol::console::typed_arg;
use keyspace_protocol::inspect::{GroupView, StreamEntry, StreamView};

pub fn stream_view(key: String, stream: StreamView, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let StreamView {
        entries,
        last_generated_id,
        entries_added,
        max_deleted_id,
        nodes,
        groups,
    } = stream;
    let facts = move || {
        let t = text().keyspace;
        let mut words = put(t.stream_last_id, "id", &last_generated_id);
        words.push_str(" · ");
        words.push_str(&fill(t.stream_added, entries_added as usize));
        words.push_str(" · ");
        words.push_str(&fill(t.stream_nodes, nodes));
        if max_deleted_id != "0-0" {
            words.push_str(" · ");
            words.push_str(&put(t.stream_max_deleted, "id", &max_deleted_id));
        }
        words
    };
    let rows = entries
        .into_iter()
        .map(|entry| entry_row(entry, shared))
        .collect_view();
    let no_groups = groups.is_empty();
    let create = format!("XGROUP CREATE {} group $", typed_arg(&key));
    let groups = groups
        .into_iter()
        .map(|group| group_view(group, shared))
        .collect_view();
    view! {
        <p class="legend stream-facts">{facts}</p>
        <table class="ranked stream-entries">
            <thead>
                <tr>
                    <th>"ID"</th>
                    <th>{move || text().keyspace.col_fields}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <section class="stream-groups">
            <h4>{move || text().keyspace.groups_title}</h4>
            {no_groups.then(|| view! {
                <p class="legend">{move || text().keyspace.no_groups} " " <code>{create.clone()}</code></p>
            })}
            {groups}
        </section>
    }
}

/// One entry: its ID with the consumers that hold it pending under it, and its fields and
/// values in pairs.
fn entry_row(entry: StreamEntry, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let StreamEntry {
        id,
        fields,
        pending,
        changed,
    } = entry;
    let fields = fields
        .into_iter()
        .map(|(field, value)| {
            view! {
                <span class="pair"><span class="field">{field}</span><span class="value">{value}</span></span>
            }
        })
        .collect_view();
    let held = pending
        .into_iter()
        .map(|(group, consumer)| {
            let words = format!("{group} · {consumer}");
            let title = {
                let words = words.clone();
                move || format!("{} {words}", text().keyspace.col_pending)
            };
            view! { <span class="held" title=title>{words}</span> }
        })
        .collect_view();
    view! {
        <tr class:changed=changed>
            <td class="stream-id">{id}<span class="held-by">{held}</span></td>
            <td class="stream-fields">{fields}</td>
        </tr>
    }
}

/// A group: where it stands in the stream, its consumers, and its first pending entries.
fn group_view(group: GroupView, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let GroupView {
        name,
        last_delivered_id,
        entries_read,
        lag,
        pending,
        consumers,
        consumers_total,
        pel,
    } = group;
    let unknown = move |n: Option<i64>| n.map_or_else(|| "?".to_string(), |n| n.to_string());
    let consumers_more = consumers_total.saturating_sub(consumers.len());
    let pel_more = pending.saturating_sub(pel.len());
    let consumer_rows = consumers
        .into_iter()
        .map(|c| {
            let title = format!("{} ms", c.idle_ms);
            view! {
                <tr>
                    <td class="member">{c.name}</td>
                    <td class="num">{c.pending}</td>
                    <td class="num" title=title>{format_ttl(c.idle_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    let pel_rows = pel
        .into_iter()
        .map(|p| {
            let title = format!("{} ms", p.idle_ms);
            view! {
                <tr>
                    <td class="stream-id">{p.id}</td>
                    <td class="member">{p.consumer}</td>
                    <td class="num" title=title>{format_ttl(p.idle_ms)}</td>
                    <td class="num">{p.deliveries}</td>
                </tr>
            }
        })
        .collect_view();
    let has_pending = pending > 0;
    let has_consumers = consumers_total > 0;
    view! {
        <div class="stream-group">
            <h5><span class="group-name">{name}</span></h5>
            <dl class="group-facts">
                <div><dt>{move || text().keyspace.last_delivered}</dt><dd><code>{last_delivered_id}</code></dd></div>
                <div><dt>{move || text().keyspace.entries_read}</dt><dd>{unknown(entries_read)}</dd></div>
                <div><dt>{move || text().keyspace.lag}</dt><dd>{unknown(lag)}</dd></div>
                <div><dt>{move || text().keyspace.pending}</dt><dd class="pending-count">{pending}</dd></div>
            </dl>
            {has_consumers.then(|| view! {
            <table class="ranked consumers">
                <thead>
                    <tr>
                        <th>{move || text().keyspace.col_consumer}</th>
                        <th class="num">{move || text().keyspace.col_pending_count}</th>
                        <th class="num">{move || text().keyspace.col_idle}</th>
                    </tr>
                </thead>
                <tbody>{consumer_rows}</tbody>
            </table>
            })}
            {(consumers_more > 0).then(|| view! {
                <p class="legend">{move || fill(text().keyspace.more_rows, consumers_more)}</p>
            })}
            {has_pending.then(|| view! {
                <table class="ranked pel">
                    <thead>
                        <tr>
                            <th>{move || text().keyspace.col_pending_id}</th>
                            <th>{move || text().keyspace.col_consumer}</th>
                            <th class="num">{move || text().keyspace.col_idle}</th>
                            <th class="num">{move || text().keyspace.col_deliveries}</th>
                        </tr>
                    </thead>
                    <tbody>{pel_rows}</tbody>
                </table>
            })}
            {(pel_more > 0).then(|| view! {
                <p class="legend">{move || fill(text().keyspace.more_rows, pel_more)}</p>
            })}
        </div>
    }
}
