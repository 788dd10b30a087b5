//! The console's clients side by side: one pane per engine client, each a redis-cli session
//! of its own (its prompt, its scrollback, its state: database, transaction, subscriptions,
//! a blocking wait, watched keys), and above them the messages seen flowing from a publisher
//! through a channel to every subscriber. A multi-line paste into a pane is sent as one
//! pipeline. A running script's line offers to stop it from another pane. The pure parts
//! ([`reconcile`], [`title`], [`badges`], [`add_flows`], [`pipeline_lines`], [`stop_command`],
//! [`stop_label`]) are tested natively; the components only wire them to the DOM.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::console::log::{Entry, Log};
use crate::console::pane::Pane;
use crate::console::prompt::Prompt;
use crate::console::reply_line::{CopyButton, ReplyLine};
use crate::console::teach;
use crate::i18n::clients::ClientStrings;
use crate::i18n::{fill, put, Strings};
use crate::lesson::view::OpenLesson;
use crate::share::dialog::Share;
use crate::state::{use_shared, EngineState, Shared, Tab};
use keyspace_protocol::console::{
    clip_echo, help_topic, typed_arg, BlockedView, ClientView, FlowKind, PaneId, PausedView,
    Replies, RunningScript, TrackingView, PANES_MAX,
};
use keyspace_protocol::Request;

/// Lines a pasted pipeline may hold: a paste beyond it is cut there, and the pane says so.
pub const PIPELINE_MAX: usize = 10_000;

/// A pane's title: the client's name, else the scenario participant it continues, else its
/// number.
pub fn title(view: &ClientView, text: &ClientStrings) -> String {
    view.name
        .clone()
        .or_else(|| view.label.clone())
        .unwrap_or_else(|| fill(text.client_n, view.pane as usize))
}

/// What a pane's header says about its client's state, each as (kind, text): the kind names
/// the badge's style.
pub fn badges(view: &ClientView, text: &ClientStrings) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if view.db != 0 {
        out.push(("db", fill(text.db, view.db)));
    }
    if let Some(queued) = view.multi {
        out.push(("multi", fill(text.in_multi, queued)));
    }
    if view.subscriptions > 0 {
        let mut channels = view.channels.join(" ");
        if view.subscriptions > view.channels.len() {
            channels.push_str(" …");
        }
        out.push((
            "subscribed",
            format!("{}: {channels}", fill(text.subscribed, view.subscriptions)),
        ));
    }
    if let Some(blocked) = &view.blocked {
        let mut badge = format!(
            "{} · {} {}",
            text.blocked,
            blocked.command.to_uppercase(),
            waited_keys(blocked, text)
        );
        if let Some((group, consumer)) = &blocked.group {
            let who = put(
                &put(text.blocked_group, "group", group),
                "consumer",
                consumer,
            );
            badge.push_str(&format!(" · {who}"));
        }
        out.push(("blocked", badge));
    }
    if !view.watching.is_empty() {
        let (kind, label) = if view.watch_broken {
            ("watch-broken", text.watch_broken)
        } else {
            ("watch", text.watching)
        };
        out.push((kind, format!("{label}: {}", view.watching.join(" "))));
    }
    if view.waiting_lines > 0 {
        out.push(("waiting", fill(text.waiting_lines, view.waiting_lines)));
    }
    if let Some(paused) = &view.paused {
        out.push(("paused", paused_text(paused, text.paused)));
    }
    if let Some(tracking) = &view.tracking {
        out.push(("tracking", tracking_badge(tracking, text)));
    }
    if view.monitor {
        out.push(("monitor", text.monitoring.to_string()));
    }
    // The lines typed meanwhile print no reply: the header says why.
    match view.replies {
        Replies::On => {}
        Replies::Off => out.push(("replies-off", text.replies_off.to_string())),
        Replies::SkipNext => out.push(("replies-off", text.reply_skipped.to_string())),
    }
    out
}

/// A command CLIENT PAUSE holds, in `words` (the badge's or the waiting line's).
fn paused_text(paused: &PausedView, words: &str) -> String {
    let mode = match paused.writes_only {
        true => "WRITE",
        false => "ALL",
    };
    put(&put(words, "cmd", &paused.command), "mode", mode)
}

/// A tracking client's badge: its mode and options, then the keys Redis remembers it read
/// (the copies an invalidation will name) or the prefixes it hears about.
fn tracking_badge(tracking: &TrackingView, text: &ClientStrings) -> String {
    let mut words = vec![text.tracking.to_string()];
    match &tracking.bcast {
        Some(prefixes) if prefixes.is_empty() => words.push("BCAST".into()),
        Some(prefixes) => words.push(format!("BCAST {}", prefixes.join(" "))),
        None => {}
    }
    for (on, option) in [
        (tracking.optin, "OPTIN"),
        (tracking.optout, "OPTOUT"),
        (tracking.noloop, "NOLOOP"),
    ] {
        if on {
            words.push(option.into());
        }
    }
    if let Some(id) = tracking.redirect {
        words.push(format!("REDIRECT {id}"));
    }
    let mut badge = words.join(" · ");
    if tracking.bcast.is_none() {
        let keys = match tracking.keys.is_empty() {
            true => text.tracking_none.to_string(),
            false => tracking.keys.join(" "),
        };
        badge.push_str(&format!(": {keys}"));
        if tracking.more_keys {
            badge.push_str(" …");
        }
    }
    badge
}

/// The line of a blocked command still waiting for its reply, in the words of its badge: for
/// XREAD and XREADGROUP, the ID each stream's new entry must come after, and the group's
/// consumer it reads for.
fn blocked_text(blocked: &BlockedView, text: &ClientStrings) -> String {
    let line = match (&blocked.group, blocked.after_ids.is_empty()) {
        (Some((group, consumer)), _) => put(
            &put(text.blocked_group_line, "group", group),
            "consumer",
            consumer,
        ),
        (None, false) => text.blocked_stream_line.to_string(),
        (None, true) => text.blocked_line.to_string(),
    };
    line.replace("{cmd}", &blocked.command.to_uppercase())
        .replace("{keys}", &waited_keys(blocked, text))
}

/// The keys a blocked command waits on; a stream's with the ID its entry must come after.
fn waited_keys(blocked: &BlockedView, text: &ClientStrings) -> String {
    if blocked.after_ids.is_empty() {
        return blocked.keys.join(" ");
    }
    let streams: Vec<String> = blocked
        .keys
        .iter()
        .zip(&blocked.after_ids)
        .map(|(key, id)| put(&put(text.stream_after, "key", key), "id", id))
        .collect();
    streams.join(text.key_separator)
}

/// The commands of a submitted text (`teach::pipeline`: one line as typed, or the non-blank
/// lines of a paste), at most [`PIPELINE_MAX`]; true if it had more.
pub fn pipeline_lines(text: &str) -> (Vec<String>, bool) {
    let mut lines = teach::pipeline(text);
    let cut = lines.len() > PIPELINE_MAX;
    lines.truncate(PIPELINE_MAX);
    (lines, cut)
}

/// `CLIENT SETNAME` for a name typed in a pane's header, quoted as redis-cli reads it, so that
/// a name Redis refuses (one with a space) gets Redis's own error.
fn setname_line(name: &str) -> String {
    format!("CLIENT SETNAME {}", typed_arg(name))
}

/// Runs typed lines in `pane` (the course page's too, in an embedded console): one line
/// echoed after the prompt as redis-cli echoes it, several as a pipeline. The console
/// entry's id, which its answer carries.
pub(crate) fn run_typed(shared: Shared, pane: Pane, lines: Vec<String>) -> u64 {
    let prompt = pane.view.with_untracked(|v| v.prompt.clone());
    let echo = match lines.as_slice() {
        [line] => clip_echo(format!("{prompt} {line}")),
        _ => format!(
            "{prompt} {}",
            fill(shared.text.get_untracked().clients.pipeline, lines.len())
        ),
    };
    shared.run_in(pane, lines, echo)
}

/// The clients: the flows of messages, the panes side by side, and the button that adds one.
#[component]
pub fn Clients() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().clients;
    let full = move || shared.panes.with(Vec::len) >= PANES_MAX;
    view! {
        <section class="clients">
            <div class="clients-bar">
                <button
                    class="bar-button add-client"
                    disabled=full
                    title=move || full().then(|| fill(text().panes_full, PANES_MAX))
                    on:click=move |_| shared.send_counted(Request::AddClient)
                >{move || text().add_client}</button>
                <button
                    class="bar-button add-monitor"
                    disabled=full
                    title=move || text().add_monitor_title
                    on:click=move |_| {
                        let newest = shared
                            .panes
                            .with_untracked(|panes| panes.iter().map(|p| p.id).max());
                        shared.monitor_next.set_value(Some(newest.unwrap_or(0)));
                        shared.send_counted(Request::AddClient);
                    }
                >{move || text().add_monitor}</button>
                <Share />
                <OpenLesson />
                <span class="clients-hint">{move || text().panes_hint}</span>
            </div>
            <Flows />
            <PaneRow />
            <p class="hint">{move || shared.text.get().console.keys_hint}</p>
        </section>
    }
}

/// The last messages, each drawn from its publisher through its channel to its receivers.
/// The client panes side by side: the console tab's, and an embedded console's.
#[component]
pub(crate) fn PaneRow() -> impl IntoView {
    let shared = use_shared();
    view! {
        <div class="pane-row" data-panes=move || shared.panes.with(Vec::len).to_string()>
            <For
                each=move || shared.panes.get()
                // By the pane's own log as well as its number: after "Continue in the
                // console" pane 1 is a new client with a new log, and must be drawn anew.
                key=|pane| (pane.id, pane.log)
                children=move |pane| view! { <PaneView pane /> }
            />
        </div>
    }
}

#[component]
fn Flows() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().clients;
    let name_of = move |pane: PaneId| {
        shared.panes.with(|panes| {
            panes
                .iter()
                .find(|p| p.id == pane)
                .map(|p| p.view.with(|v| title(v, text())))
                .unwrap_or_else(|| fill(text().client_n, pane as usize))
        })
    };
    view! {
        <Show when=move || shared.flows.with(|f| !f.is_empty())>
            <section class="flows" aria-label=move || text().flows_title>
                <h2>{move || text().flows_title}</h2>
                <ol>
                    <For
                        each=move || shared.flows.get()
                        key=|shown| shown.id
                        children=move |shown| {
                            let flow = shown.flow;
                            let from = flow.from;
                            let receivers = flow.to.clone();
                            let nobody = receivers.is_empty();
                            // An XADD's entry goes into a stream and out to the readers it woke,
                            // each named with its group; a message through a channel; a write
                            // to tracked keys out to the clients that keep a copy of them.
                            let entry = flow.kind == FlowKind::Entry;
                            let invalidation = flow.kind == FlowKind::Invalidation;
                            let payload = match flow.kind {
                                FlowKind::Entry | FlowKind::Invalidation => flow.message.clone(),
                                FlowKind::Message => format!("\"{}\"", flow.message),
                            };
                            let verb = move || match flow.kind {
                                FlowKind::Entry => Some(text().xadd),
                                FlowKind::Invalidation => Some(text().writes),
                                FlowKind::Message => None,
                            };
                            let channel_title = move || match flow.kind {
                                FlowKind::Entry => Some(text().stream),
                                FlowKind::Invalidation => Some(text().tracked_keys),
                                FlowKind::Message => None,
                            };
                            view! {
                                <li class="flow" class:entry=entry class:invalidation=invalidation>
                                    <span class="chip publisher">
                                        {move || from.map_or_else(|| text().server.to_string(), name_of)}
                                        {move || verb().map(|v| view! { <span class="verb">{v}</span> })}
                                    </span>
                                    <span class="wire" aria-hidden="true"><span class="packet"></span></span>
                                    <span class="chip channel" class:stream=entry class:tracked=invalidation title=channel_title>
                                        {flow.channel.clone()}
                                    </span>
                                    <span class="wire" aria-hidden="true"><span class="packet late"></span></span>
                                    <span class="receivers">
                                        {nobody.then(|| view! { <span class="nobody">{move || text().nobody}</span> })}
                                        {receivers.into_iter().map(|(pane, label)| view! {
                                            <span class="chip subscriber">
                                                {move || name_of(pane)}
                                                {label.clone().map(|p| {
                                                    let p = StoredValue::new(p);
                                                    let words = move || match entry {
                                                        true => put(text().in_group, "group", &p.get_value()),
                                                        false => format!("{} {}", text().via, p.get_value()),
                                                    };
                                                    view! { <span class="pattern">{words}</span> }
                                                })}
                                            </span>
                                        }).collect_view()}
                                    </span>
                                    <span class="payload">{payload}</span>
                                </li>
                            }
                        }
                    />
                </ol>
            </section>
        </Show>
    }
}

/// One client: its header (name, state, rename, disconnect), its scrollback and its prompt
/// (none in a read-only embedded console).
#[component]
fn PaneView(pane: Pane) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let ctext = move || shared.text.get().clients;
    let renaming = RwSignal::new(false);
    let prompt = move || pane.view.with(|v| v.prompt.clone());

    let activate = move || {
        if shared.active.get_untracked() != pane.id {
            shared.active.set(pane.id);
            shared.refresh_keys();
        }
    };
    // What the prompt submits: one line (redis-cli's own `clear` and `help` are the page's),
    // or several, pasted, sent as one pipeline, as `redis-cli --pipe` sends a file.
    let submit = move |text: String| {
        let (lines, cut) = pipeline_lines(&text);
        match <[String; 1]>::try_from(lines) {
            Ok([line]) => {
                activate();
                if line.trim().eq_ignore_ascii_case("clear") {
                    pane.log.update(Log::clear);
                } else if help_topic(&line).is_some() {
                    let id = shared.id();
                    let echo = clip_echo(format!("{} {line}", prompt()));
                    pane.log.update(|log| log.sent(id, echo));
                    shared.send(Request::Help {
                        seq: id,
                        pane: pane.id,
                        line,
                    });
                } else {
                    run_typed(shared, pane, vec![line]);
                }
            }
            Err(lines) => {
                run_typed(shared, pane, lines);
                if cut {
                    let id = shared.id();
                    pane.log
                        .update(|log| log.note(id, &fill(ctext().pipeline_cut, PIPELINE_MAX)));
                }
            }
        }
    };

    let rename = move |ev: KeyboardEvent| {
        let field: HtmlInputElement = event_target(&ev);
        match ev.key().as_str() {
            "Enter" if !ev.is_composing() => {
                let name = field.value();
                renaming.set(false);
                if !name.is_empty() {
                    submit(setname_line(&name));
                }
            }
            "Escape" => renaming.set(false),
            _ => {}
        }
    };

    let only_one = move || shared.panes.with(Vec::len) <= 1;
    let is_active = move || shared.active.get() == pane.id;
    let state = move || {
        pane.view.with(|v| {
            if v.blocked.is_some() {
                "blocked"
            } else if v.multi.is_some() {
                "multi"
            } else if v.subscriptions > 0 {
                "subscribed"
            } else {
                "ready"
            }
        })
    };

    view! {
        <section
            class="console pane"
            class:active=is_active
            data-pane=pane.id.to_string()
            data-state=state
            on:focusin=move |_| activate()
        >
            <header class="pane-head">
                <span class="pane-title">{move || pane.view.with(|v| title(v, ctext()))}</span>
                <span class="pane-id">{move || pane.view.with(|v| (v.id > 0).then(|| format!("id={}", v.id)))}</span>
                <span class="badges">
                    {move || pane.view.with(|v| badges(v, ctext())).into_iter().map(|(kind, label)| {
                        let full = label.clone();
                        view! { <span class=format!("badge badge-{kind}") title=full>{label}</span> }
                    }).collect_view()}
                </span>
                <span class="pane-actions">
                    {move || if renaming.get() {
                        view! {
                            <input
                                class="rename"
                                type="text"
                                autofocus
                                spellcheck="false"
                                aria-label=move || ctext().rename_label
                                placeholder=move || ctext().rename_label
                                on:keydown=rename
                                on:blur=move |_| renaming.set(false)
                            />
                        }.into_any()
                    } else {
                        view! {
                            <button class="rename-button" on:click=move |_| renaming.set(true)>
                                {move || ctext().rename}
                            </button>
                        }.into_any()
                    }}
                    <button
                        class="remove-client"
                        hidden=only_one
                        title=move || ctext().remove_client
                        aria-label=move || ctext().remove_client
                        on:click=move |_| shared.send_counted(Request::RemoveClient { pane: pane.id })
                    >"×"</button>
                </span>
            </header>
            <div class="status" aria-live="polite">
                {move || match shared.engine.get() {
                    EngineState::Starting => Some(text().console.starting),
                    _ if pane.view.with(|v| v.blocked.is_some()) => None,
                    _ if pane.log.with(Log::waiting) > 0 => Some(text().console.busy),
                    _ => None,
                }}
            </div>
            // The log's lines sit in a bottom-anchored box (style/clients.css): the newest line
            // stays in view as lines arrive, and a reader scrolled up is left where they are.
            <div class="log" role="log" aria-label=move || text().console.output_label>
                <div class="log-lines">
                    {move || {
                        let first_visit = pane.id == 1
                            && shared.panes.with(Vec::len) == 1
                            && pane.log.with(|l| l.entries.is_empty());
                        first_visit.then(|| view! {
                            <div class="welcome">
                                <p class="welcome-title">{move || text().console.welcome_title}</p>
                                <p>{move || text().console.welcome_text}</p>
                                <button class="welcome-scenarios" on:click=move |_| shared.tab.set(Tab::Scenarios)>
                                    {move || text().console.welcome_scenarios}
                                </button>
                            </div>
                        })
                    }}
                    <For
                        each=move || pane.log.with(|l| l.entries.clone())
                        key=|e| (e.id, e.reply.as_ref().map(|r| (r.lines.len(), r.expanded)))
                        children=move |entry| view! { <EntryView entry pane /> }
                    />
                </div>
            </div>
            {(!shared.embed.is_some_and(|e| e.read_only)).then(|| view! {
                <Prompt
                    pane=pane.id
                    prompt=Signal::derive(prompt)
                    on_submit=submit
                    on_clear=move |()| pane.log.update(Log::clear)
                />
            })}
        </section>
    }
}

/// One typed line and its reply, collapsed when long.
#[component]
fn EntryView(entry: Entry, pane: Pane) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let echo =
        (!entry.echo.is_empty()).then(|| view! { <div class="line echo">{entry.echo}</div> });
    // The first line without a reply is the one running (a script, or blocked, as the header
    // says); the others wait behind it.
    let id = entry.id;
    let first = move || {
        pane.log.with(|log| {
            log.entries
                .iter()
                .find(|e| e.reply.is_none())
                .is_some_and(|e| e.id == id)
        })
    };
    let pending = move || {
        let t = text();
        if !first() {
            return t.console.queued.to_string();
        }
        pane.view
            .with(|v| match (&v.running_script, &v.paused, &v.blocked) {
                (Some(run), _, _) => script_line(*run, t.clients),
                (None, Some(paused), _) => paused_text(paused, t.clients.paused_line),
                (None, None, Some(blocked)) => blocked_text(blocked, t.clients),
                (None, None, None) => t.console.running.to_string(),
            })
    };
    // A running script's line offers to stop it the way Redis allows: SCRIPT KILL (FUNCTION
    // KILL for a function) typed in another pane (the script's own connection waits for its
    // reply), or SHUTDOWN NOSAVE once the script has written. The button stays while the
    // script runs, its words and command following the script, so that a focused button
    // keeps the focus.
    let offered = Memo::new(move |_| first() && pane.view.with(|v| v.running_script.is_some()));
    let other_pane = Memo::new(move |_| {
        shared
            .panes
            .with(|panes| panes.iter().find(|p| p.id != pane.id).copied())
            .map(|p| p.id)
    });
    let stop = move || {
        offered.get().then(|| {
            let from = move || {
                let id = other_pane.get()?;
                shared
                    .panes
                    .with(|panes| panes.iter().find(|p| p.id == id).copied())
            };
            let label = move || {
                let client = from().map(|other| other.view.with(|v| v.id));
                pane.view
                    .with(|v| stop_label(v, client, text().clients))
                    .unwrap_or_default()
            };
            let send = move |_| {
                let command = pane.view.with_untracked(stop_command);
                if let (Some(other), Some(command)) = (from(), command) {
                    let prompt = other.view.with_untracked(|v| v.prompt.clone());
                    let echo = clip_echo(format!("{prompt} {command}"));
                    shared.run_in(other, vec![command.to_string()], echo);
                }
            };
            move || match other_pane.get() {
                Some(_) => {
                    view! { <button class="tool stop-script" on:click=send>{label}</button> }
                        .into_any()
                }
                None => view! { <span class="stop-script">{label}</span> }.into_any(),
            }
        })
    };
    let body = match entry.reply {
        None => view! { <div class="pending">{pending}" "{stop}</div> }.into_any(),
        Some(reply) => {
            let hidden = reply.hidden();
            let id = reply.id;
            let more = (hidden > 0).then(|| {
                let label = move || {
                    let t: &Strings = text();
                    if reply.expanded {
                        fill(t.console.show_more, hidden)
                    } else {
                        fill(t.console.show_all, reply.total)
                    }
                };
                let expand = move |_| {
                    let from = shared
                        .panes
                        .with_untracked(|panes| {
                            panes
                                .iter()
                                .find_map(|p| p.log.try_update(|log| log.expand(id)))
                        })
                        .flatten();
                    if let Some(from) = from {
                        shared.send(Request::More { reply: id, from });
                    }
                };
                view! { <button class="more" on:click=expand>{label}</button> }
            });
            let copied = reply
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let lines = reply
                .shown()
                .iter()
                .map(|line| view! { <ReplyLine line=line.clone() /> })
                .collect_view();
            view! { {lines} {more} <CopyButton text=copied /> }.into_any()
        }
    };
    view! { <div class="entry">{echo} {body}</div> }
}

/// What stops a pane's running script from another connection, as Redis allows it: SCRIPT
/// KILL for EVAL's script, FUNCTION KILL for FCALL's function, or once the script has written
/// (both then answer UNKILLABLE) only SHUTDOWN NOSAVE, after which the page's server restarts
/// from what the browser keeps, without the script's writes. None when no script runs.
pub fn stop_command(view: &ClientView) -> Option<&'static str> {
    view.running_script.map(|run| match run.wrote {
        false => kill_command(run),
        true => "SHUTDOWN NOSAVE",
    })
}

/// The KILL that names the running script's kind.
fn kill_command(run: RunningScript) -> &'static str {
    match run.function {
        false => "SCRIPT KILL",
        true => "FUNCTION KILL",
    }
}

/// The running line's words for a pane's script, naming its KILL.
pub fn script_line(run: RunningScript, text: &ClientStrings) -> String {
    let line = match run.wrote {
        false => text.script_line,
        true => text.script_line_wrote,
    };
    put(line, "kill", kill_command(run))
}

/// The words of the offer to stop a pane's running script, sent from client `from` (the id
/// of another pane's client), or what to do when there is no other pane.
pub fn stop_label(view: &ClientView, from: Option<u64>, text: &ClientStrings) -> Option<String> {
    let run = view.running_script?;
    let command = stop_command(view)?;
    let offer = match run.wrote {
        false => put(text.stop_script, "kill", command),
        true => text.stop_restart.to_string(),
    };
    Some(match from {
        Some(client) => put(&offer, "n", &client.to_string()),
        None => put(text.stop_needs_pane, "cmd", command),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::clients;
    use keyspace_protocol::console::BlockedView;

    fn view(pane: PaneId) -> ClientView {
        ClientView::connected(pane, pane as u64 + 2)
    }

    #[test]
    fn a_running_script_is_stopped_by_script_kill_until_it_writes_then_only_by_shutdown_nosave() {
        let mut v = view(1);
        assert_eq!(stop_command(&v), None);
        assert_eq!(stop_label(&v, Some(4), &clients::EN), None);
        let mut run = RunningScript {
            function: false,
            wrote: false,
        };
        v.running_script = Some(run);
        assert_eq!(stop_command(&v), Some("SCRIPT KILL"));
        assert_eq!(
            stop_label(&v, Some(4), &clients::EN).unwrap(),
            "Stop: SCRIPT KILL in client 4"
        );
        assert!(script_line(run, &clients::EN).contains("SCRIPT KILL from another client"));
        run.wrote = true;
        v.running_script = Some(run);
        assert_eq!(stop_command(&v), Some("SHUTDOWN NOSAVE"));
        assert_eq!(
            stop_label(&v, Some(4), &clients::EN).unwrap(),
            "Stop and restart from the kept state (SHUTDOWN NOSAVE in client 4): \
             the script's writes are lost"
        );
        assert_eq!(
            stop_label(&v, Some(4), &clients::ZH_TW).unwrap(),
            "停止並從保存的狀態重新啟動（在用戶端 4 送出 SHUTDOWN NOSAVE）：腳本寫入的資料會遺失"
        );
        assert_eq!(
            stop_label(&v, None, &clients::EN).unwrap(),
            "Add a client to send SHUTDOWN NOSAVE from it"
        );
    }

    #[test]
    fn a_running_function_is_stopped_by_function_kill_until_it_writes() {
        let mut v = view(1);
        let mut run = RunningScript {
            function: true,
            wrote: false,
        };
        v.running_script = Some(run);
        assert_eq!(stop_command(&v), Some("FUNCTION KILL"));
        assert_eq!(
            stop_label(&v, Some(4), &clients::ZH_TW).unwrap(),
            "停止：在用戶端 4 送出 FUNCTION KILL"
        );
        assert!(script_line(run, &clients::EN).contains("FUNCTION KILL from another client"));
        run.wrote = true;
        assert_eq!(
            script_line(run, &clients::EN),
            "(running a script that has written: FUNCTION KILL answers UNKILLABLE; \
             only SHUTDOWN NOSAVE from another client ends it)"
        );
        v.running_script = Some(run);
        assert_eq!(stop_command(&v), Some("SHUTDOWN NOSAVE"));
    }

    #[test]
    fn a_pane_is_titled_by_name_then_label_then_number() {
        let mut v = view(3);
        assert_eq!(title(&v, &clients::EN), "client 3");
        assert_eq!(title(&v, &clients::ZH_TW), "用戶端 3");
        v.label = Some("publisher".into());
        assert_eq!(title(&v, &clients::EN), "publisher");
        v.name = Some("worker-1".into());
        assert_eq!(title(&v, &clients::EN), "worker-1");
    }

    #[test]
    fn badges_say_what_state_the_client_is_in() {
        let mut v = view(1);
        assert!(badges(&v, &clients::EN).is_empty());
        v.db = 2;
        v.multi = Some(3);
        v.watching = vec!["balance".into()];
        let shown = badges(&v, &clients::EN);
        assert_eq!(
            shown,
            [
                ("db", "db 2".to_string()),
                ("multi", "MULTI · 3 queued".to_string()),
                ("watch", "WATCH: balance".to_string()),
            ]
        );
        v.watch_broken = true;
        assert_eq!(
            badges(&v, &clients::EN)[2],
            (
                "watch-broken",
                "watch broken: EXEC will fail: balance".to_string()
            )
        );
        let mut v = view(1);
        v.subscriptions = 7;
        v.channels = vec!["news".into(), "n*".into()];
        v.blocked = Some(BlockedView {
            command: "blpop".into(),
            keys: vec!["jobs".into()],
            timeout_at_ms: None,
            after_ids: Vec::new(),
            group: None,
        });
        v.waiting_lines = 2;
        let shown: Vec<_> = badges(&v, &clients::EN).into_iter().map(|b| b.1).collect();
        assert_eq!(
            shown,
            [
                "subscribed · 7: news n* …",
                "blocked · BLPOP jobs",
                "2 typed lines wait"
            ]
        );
        let mut v = view(1);
        v.tracking = Some(TrackingView {
            noloop: true,
            keys: vec!["user:1".into(), "user:2".into()],
            more_keys: true,
            ..TrackingView::default()
        });
        assert_eq!(
            badges(&v, &clients::EN),
            [("tracking", "tracking · NOLOOP: user:1 user:2 …".to_string())]
        );
        v.tracking = Some(TrackingView {
            bcast: Some(vec!["user:".into()]),
            redirect: Some(9),
            ..TrackingView::default()
        });
        assert_eq!(
            badges(&v, &clients::ZH_TW)[0].1,
            "追蹤中 · BCAST user: · REDIRECT 9"
        );
        v.tracking = Some(TrackingView::default());
        v.monitor = true;
        assert_eq!(
            badges(&v, &clients::EN),
            [
                ("tracking", "tracking: no key read yet".to_string()),
                (
                    "monitor",
                    "MONITOR: every command of every client".to_string()
                )
            ]
        );
        let mut v = view(1);
        v.replies = Replies::Off;
        assert_eq!(
            badges(&v, &clients::ZH_TW),
            [(
                "replies-off",
                "不回覆：用 CLIENT REPLY ON 恢復回覆".to_string()
            )]
        );
        v.replies = Replies::SkipNext;
        assert_eq!(
            badges(&v, &clients::EN)[0].1,
            "next reply skipped (CLIENT REPLY SKIP)"
        );
    }

    #[test]
    fn a_stream_read_says_after_which_id_and_for_which_consumer_it_waits() {
        let mut blocked = BlockedView {
            command: "xreadgroup".into(),
            keys: vec!["jobs".into(), "mail".into()],
            timeout_at_ms: None,
            after_ids: vec!["5-0".into(), "0-0".into()],
            group: Some(("workers".into(), "alice".into())),
        };
        let mut v = view(2);
        v.blocked = Some(blocked.clone());
        assert_eq!(
            badges(&v, &clients::EN)[0].1,
            "blocked · XREADGROUP jobs after 5-0, mail after 0-0 · alice of workers"
        );
        assert_eq!(
            blocked_text(&blocked, &clients::EN),
            "(blocked: XREADGROUP for alice of group workers waits for a new entry on jobs after 5-0, mail after 0-0, or its timeout)"
        );
        assert_eq!(
            blocked_text(&blocked, &clients::ZH_TW),
            "（阻塞中：XREADGROUP 替群組 workers 的 alice 等待 jobs 在 5-0 之後、mail 在 0-0 之後 出現新項目，或等到逾時）"
        );
        blocked.command = "xread".into();
        blocked.group = None;
        blocked.keys.truncate(1);
        assert_eq!(
            blocked_text(&blocked, &clients::EN),
            "(blocked: XREAD waits for a new entry on jobs after 5-0, or its timeout)"
        );
    }

    #[test]
    fn a_paste_becomes_the_lines_of_a_pipeline() {
        assert_eq!(
            pipeline_lines("SET a 1\r\n\r\nINCR a\n  \nGET a\n"),
            (
                vec!["SET a 1".into(), "INCR a".into(), "GET a".into()],
                false
            )
        );
        let long = "PING\n".repeat(PIPELINE_MAX + 5);
        let (lines, cut) = pipeline_lines(&long);
        assert_eq!((lines.len(), cut), (PIPELINE_MAX, true));
    }

    #[test]
    fn a_typed_name_is_quoted_for_client_setname() {
        assert_eq!(setname_line("worker"), "CLIENT SETNAME worker");
        assert_eq!(setname_line("my \"w\\"), "CLIENT SETNAME \"my \\\"w\\\\\"");
    }
}
