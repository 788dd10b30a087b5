//! The Replication view's DOM: the bar of controls (clock speed, latency, a node more, a
//! share link), a card per node (its role, replication ID, offset, backlog, its master or
//! replicas, its sync counters, Stop/Start and Partition, and its console), and a row per
//! pair of nodes with what travels each way (commands and bytes in flight, a dot per packet
//! where it is on the wire, a pulse when bytes arrive) and the Cut/Heal button; the lesson
//! played, in a column of its own ([`super::lesson`]). While the view is shown, the page's
//! timer moves the virtual clock ([`tick`]).

use leptos::ev::KeyboardEvent;
use leptos::html::Div;
use leptos::prelude::*;

use crate::i18n::{count_form, fill, put};
use crate::repl::lesson::{LessonPanel, LessonPicker};
use crate::state::{use_shared, Shared, Tab};
use keyspace_protocol::repl::{
    address, bytes_text, clock_text, is_link, latency_text, short_id, speed_text, LinkView,
    NodeView, ReplRequest, Role, Traffic, LATENCIES_MS, PANE_LINES_KEPT, SPEEDS_PERCENT,
};
use keyspace_protocol::Request;

/// The page's timer ran (`app::TICK`, `real_ms` ago): the virtual clock moves, unless a tick
/// is still out.
pub fn tick(shared: Shared, real_ms: u64) {
    let r = shared.repl;
    if shared.tab.get_untracked() != Tab::Replication
        || !r.opened.get_value()
        || r.ticking.get_value()
    {
        return;
    }
    r.ticking.set_value(true);
    shared.send(Request::Repl(ReplRequest::Tick { real_ms }));
}

/// A `#repl/...` location: the view opens on the topology it carries. Whether it was one.
pub fn open_link(shared: Shared, hash: &str) -> bool {
    if !is_link(hash) {
        return false;
    }
    shared.repl.opened.set_value(true);
    shared.repl.logs.set(Default::default());
    shared.tab.set(Tab::Replication);
    shared.send(Request::Repl(ReplRequest::OpenLink {
        hash: hash.to_string(),
    }));
    true
}

fn send(shared: Shared, request: ReplRequest) {
    shared.send(Request::Repl(request));
}

#[component]
pub fn ReplView() -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get().repl;
    let active = move || shared.tab.get() == Tab::Replication;
    // The first time the view is shown, the worker starts its topology.
    Effect::new(move || {
        if active() && !r.opened.get_value() {
            r.opened.set_value(true);
            send(shared, ReplRequest::Open);
        }
    });
    let ports = move || {
        r.topology
            .with(|t| {
                t.as_ref()
                    .map(|t| t.nodes.iter().map(|n| n.port).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    let pairs = move || {
        r.topology
            .with(|t| {
                t.as_ref()
                    .map(|t| t.links.iter().map(|l| (l.a, l.b)).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    view! {
        <section class="repl" hidden=move || !active() aria-label=move || text().tab
            class:with-lesson=move || r.lesson.with(Option::is_some)>
            <LessonPanel />
            <div class="repl-main">
                <p class="repl-intro">{move || text().intro}</p>
                <Controls />
                {move || r.refused.get().map(|error| view! {
                    <p class="repl-refused" role="alert">{shared.text.get().share.error(error)}</p>
                })}
                {move || r.lesson_unavailable.get().map(|reason| view! {
                    <p class="repl-refused" role="alert">
                        {move || shared.text.get().scenario.scenarios_unavailable} " " {reason}
                    </p>
                })}
                <div class="repl-nodes" role="list" aria-label=move || text().nodes_label>
                    <For each=ports key=|port| *port let:port>
                        <NodeCard port />
                    </For>
                </div>
                <h3 class="repl-links-title">{move || text().links_label}</h3>
                <div class="repl-links" role="list">
                    <For each=pairs key=|pair| *pair let:pair>
                        <LinkRow a=pair.0 b=pair.1 />
                    </For>
                </div>
            </div>
        </section>
    }
}

/// The lesson picker, the clock, its speed, the latency, a node more, the share link.
#[component]
fn Controls() -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get().repl;
    let figure = move |f: fn(&keyspace_protocol::repl::Topology) -> u64| {
        r.topology.with(|t| t.as_ref().map_or(0, f))
    };
    let speed = move || figure(|t| u64::from(t.speed_percent)) as u32;
    let latency = move || figure(|t| t.latency_ms);
    let full = move || {
        r.topology
            .with(|t| t.as_ref().is_some_and(|t| t.nodes.len() >= 4))
    };
    view! {
        <div class="repl-bar">
            <LessonPicker />
            <span class="repl-clock">
                {move || text().clock} " "
                <output data-figure="clock">{move || clock_text(figure(|t| t.now_ms))}</output>
            </span>
            <label>
                {move || text().speed}
                <select data-control="speed" on:change=move |ev| {
                    if let Ok(percent) = event_target_value(&ev).parse() {
                        send(shared, ReplRequest::Speed { percent });
                    }
                }>
                    {SPEEDS_PERCENT.map(|percent| view! {
                        <option value=percent.to_string() prop:selected=move || speed() == percent>
                            {move || if percent == 0 { text().paused.to_string() } else { speed_text(percent) }}
                        </option>
                    })}
                </select>
            </label>
            <label>
                {move || text().latency}
                <select data-control="latency" on:change=move |ev| {
                    if let Ok(ms) = event_target_value(&ev).parse() {
                        send(shared, ReplRequest::Latency { ms });
                    }
                }>
                    {LATENCIES_MS.map(|ms| view! {
                        <option value=ms.to_string() prop:selected=move || latency() == ms>{latency_text(ms)}</option>
                    })}
                </select>
            </label>
            <button data-control="add" disabled=full on:click=move |_| send(shared, ReplRequest::AddNode)>
                {move || text().add_node}
            </button>
            <button data-control="share" title=move || text().share_title on:click=move |_| {
                let page_url = crate::share::dialog::page_url();
                send(shared, ReplRequest::Share { page_url });
            }>{move || text().share}</button>
            {move || r.link.get().map(|link| match link {
                Ok(link) => view! {
                    <input class="repl-link" readonly aria-label=move || text().link_label
                        prop:value=link on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        } />
                }.into_any(),
                Err(error) => view! {
                    <span class="repl-refused">{shared.text.get().share.error(error)}</span>
                }.into_any(),
            })}
        </div>
    }
}

/// One node: its figures, its controls and its console.
#[component]
fn NodeCard(port: u16) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get().repl;
    let node = Memo::new(move |_| {
        r.topology.with(|t| {
            t.as_ref()
                .and_then(|t| t.nodes.iter().find(|n| n.port == port).cloned())
                .unwrap_or_default()
        })
    });
    let running = move || node.with(|n| n.running);
    let isolated = move || node.with(|n| n.isolated);
    let role = move || node.with(|n| n.figures.as_ref().map(|f| f.role));
    view! {
        <article
            class="repl-node"
            role="listitem"
            data-port=port
            class:stopped=move || !running()
            class:isolated=isolated
            class:replica=move || role() == Some(Role::Replica)
        >
            <header>
                <h3>{address(port)}</h3>
                <span class="repl-role" data-figure="role">
                    {move || match role() {
                        Some(Role::Master) => text().master,
                        Some(Role::Replica) => text().replica,
                        None => text().stopped,
                    }}
                </span>
                {move || isolated().then(|| view! { <span class="repl-flag">{text().isolated}</span> })}
            </header>
            <Figures node />
            <div class="repl-node-controls">
                <button data-control="power" on:click=move |_| {
                    send(shared, ReplRequest::Power { port, running: !running() });
                }>{move || if running() { text().stop } else { text().start }}</button>
                <button data-control="isolate" aria-pressed=move || isolated().to_string() on:click=move |_| {
                    send(shared, ReplRequest::Isolate { port, isolated: !isolated() });
                }>{move || if isolated() { text().rejoin } else { text().isolate }}</button>
            </div>
            <NodePane port node />
        </article>
    }
}

/// A node's replication figures, as its INFO says them.
#[component]
fn Figures(node: Memo<NodeView>) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().repl;
    move || {
        let t = text();
        let Some(f) = node.get().figures else {
            return view! { <p class="repl-down">{t.stopped}</p> }.into_any();
        };
        let backlog = match f.backlog {
            Some(b) => put(
                &put(
                    &put(t.backlog_figures, "first", &b.first_byte.to_string()),
                    "histlen",
                    &b.histlen.to_string(),
                ),
                "size",
                &bytes_text(b.size),
            ),
            None => t.backlog_none.to_string(),
        };
        let side = match (&f.master, f.replicas.is_empty()) {
            (Some(m), _) => {
                let state = if m.sync_in_progress {
                    t.syncing
                } else if m.link_up {
                    t.link_up
                } else {
                    t.link_down
                };
                let behind = match m.behind {
                    Some(0) => t.caught_up.to_string(),
                    Some(n) => fill(t.behind, n as usize),
                    None => String::new(),
                };
                view! {
                    <dt>{t.master_label}</dt>
                    <dd data-figure="master" data-link=if m.link_up { "up" } else { "down" }>
                        {put(t.replica_of, "addr", &format!("{}:{}", m.host, m.port))}
                        " · " {state} " · " <span data-figure="behind">{behind}</span>
                    </dd>
                }
                .into_any()
            }
            (None, true) => {
                view! { <dt>{t.replicas_label}</dt><dd data-figure="replicas">{t.no_replicas}</dd> }
                    .into_any()
            }
            (None, false) => {
                let lines: Vec<String> = (f.replicas.iter())
                    .map(|s| {
                        let line = put(t.replica_line, "port", &s.port.to_string());
                        let line = put(&line, "state", &s.state);
                        let line = put(&line, "offset", &s.offset.to_string());
                        put(&line, "lag", &s.lag.to_string())
                    })
                    .collect();
                view! {
                    <dt>{t.replicas_label}</dt>
                    <dd data-figure="replicas">{lines.into_iter().map(|l| view! { <div>{l}</div> }).collect_view()}</dd>
                }
                .into_any()
            }
        };
        let syncs = put(
            &put(
                &put(t.syncs, "full", &f.sync_full.to_string()),
                "ok",
                &f.sync_partial_ok.to_string(),
            ),
            "err",
            &f.sync_partial_err.to_string(),
        );
        view! {
            <dl class="repl-figures">
                <dt>{t.replid}</dt>
                <dd class="mono" data-figure="replid" title=f.replid.clone()>{short_id(&f.replid).to_string()}</dd>
                <dt>{t.offset}</dt>
                <dd class="mono" data-figure="offset">{f.offset}</dd>
                <dt>{t.backlog}</dt>
                <dd class="mono" data-figure="backlog">{backlog}</dd>
                {side}
                <dt>"PSYNC"</dt>
                <dd data-figure="syncs" data-partial-ok=f.sync_partial_ok data-full=f.sync_full>{syncs}</dd>
            </dl>
        }
        .into_any()
    }
}

/// A node's console: its scrollback and the line typed into it.
#[component]
fn NodePane(port: u16, node: Memo<NodeView>) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get();
    let scroller = NodeRef::<Div>::new();
    let entries = move || {
        r.logs
            .with(|logs| {
                logs.get(&port).map(|log| {
                    // The newest lines, as many as the pane keeps.
                    let mut lines = 0;
                    let mut shown: Vec<_> = (log.entries.iter().rev())
                        .take_while(|e| {
                            lines += 1 + e.reply.as_ref().map_or(0, |r| r.lines.len());
                            lines <= PANE_LINES_KEPT
                        })
                        .cloned()
                        .collect();
                    shown.reverse();
                    shown
                })
            })
            .unwrap_or_default()
    };
    // The newest line stays in view.
    Effect::new(move || {
        r.logs.track();
        if let Some(div) = scroller.get() {
            div.set_scroll_top(div.scroll_height());
        }
    });
    let submit = move |ev: KeyboardEvent| {
        if ev.key() != "Enter" || ev.is_composing() {
            return;
        }
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let line = input.value();
        if line.trim().is_empty() {
            return;
        }
        input.set_value("");
        if line.trim().eq_ignore_ascii_case("clear") {
            r.logs.update(|logs| {
                logs.entry(port).or_default().clear();
            });
            return;
        }
        let seq = shared.id();
        let echo = format!("{} {line}", node.with_untracked(|n| n.prompt.clone()));
        r.logs
            .update(|logs| logs.entry(port).or_default().sent(seq, echo));
        send(shared, ReplRequest::Run { seq, port, line });
    };
    view! {
        <div class="repl-pane">
            <div class="repl-log" node_ref=scroller role="log" aria-label=move || put(text().repl.pane_label, "addr", &address(port))>
                {move || entries().into_iter().map(|entry| {
                    let lines = entry.reply.map(|reply| reply.lines).unwrap_or_default();
                    view! {
                        <div class="entry">
                            {(!entry.echo.is_empty()).then(|| view! { <div class="line echo">{entry.echo}</div> })}
                            {lines.into_iter().map(|line| view! { <div class=line.kind.class()>{line.text}</div> }).collect_view()}
                        </div>
                    }
                }).collect_view()}
            </div>
            <input
                class="repl-input"
                type="text"
                spellcheck="false"
                autocomplete="off"
                aria-label=move || put(text().repl.pane_label, "addr", &address(port))
                placeholder=move || text().repl.placeholder
                on:keydown=submit
            />
        </div>
    }
}

/// A pair of nodes: what travels each way, and its Cut/Heal button.
#[component]
fn LinkRow(a: u16, b: u16) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get().repl;
    let link = Memo::new(move |_| {
        r.topology.with(|t| {
            t.as_ref()
                .and_then(|t| t.links.iter().find(|l| (l.a, l.b) == (a, b)).cloned())
                .unwrap_or_default()
        })
    });
    let cut = move || link.with(|l| l.cut);
    let state = move || {
        link.with(|l: &LinkView| {
            if l.cut {
                text().link_cut
            } else if l.connected {
                text().link_connected
            } else {
                text().link_idle
            }
        })
    };
    view! {
        <div class="repl-link-row" role="listitem" data-link=format!("{a}-{b}")
            class:cut=cut class:connected=move || link.with(|l| l.connected)>
            <span class="repl-ends">{a} " ⇄ " {b}</span>
            <span class="repl-link-state">{state}</span>
            <Direction from=a to=b traffic=Signal::derive(move || link.with(|l| l.a_to_b.clone())) forward=true />
            <Direction from=b to=a traffic=Signal::derive(move || link.with(|l| l.b_to_a.clone())) forward=false />
            <button data-control="cut" aria-pressed=move || cut().to_string() on:click=move |_| {
                send(shared, ReplRequest::Cut { a, b, cut: !cut() });
            }>{move || if cut() { text().heal } else { text().cut }}</button>
        </div>
    }
}

/// One direction of a link: a track with a dot per packet where it is, a pulse at the end
/// when bytes arrive, and the counts in flight.
#[component]
fn Direction(from: u16, to: u16, traffic: Signal<Traffic>, forward: bool) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().repl;
    let counts = move || {
        traffic.with(|t| {
            put(
                &put(
                    count_form(text().in_flight, t.commands),
                    "c",
                    &t.commands.to_string(),
                ),
                "b",
                &bytes_text(t.bytes),
            )
        })
    };
    view! {
        <div class="repl-direction" data-from=from data-to=to class:backward=!forward
            data-bytes=move || traffic.with(|t| t.bytes) data-commands=move || traffic.with(|t| t.commands)>
            <span class="repl-arrow">{from} " → " {to}</span>
            <div class="repl-track" aria-hidden="true">
                {move || traffic.with(|t| t.packets.iter().map(|&along| {
                    let at = if forward { along } else { 1.0 - along };
                    view! { <span class="repl-packet" style:left=format!("{:.1}%", at * 100.0)></span> }
                }).collect_view())}
                // Drawn anew for each delivery, so that its animation plays again.
                {move || {
                    let delivered = traffic.with(|t| t.delivered);
                    (delivered > 0).then(|| view! { <span class="repl-pulse" data-delivered=delivered></span> })
                }}
            </div>
            <span class="repl-counts">{counts}</span>
        </div>
    }
}
