//! The Server tab: the console engine's memory against `maxmemory` as a gauge, the eviction
//! policy as a selector and the limit as an input (both typed into the console as CONFIG SET,
//! so the learner sees the command), the hit rate and evictions of the last two minutes as a
//! chart, INFO as collapsible sections under Redis's exact field names, SLOWLOG as a table,
//! the biggest keys as `redis-cli --bigkeys` / `--memkeys` rank them, and the LRU lab.
//!
//! Everything shown comes from the worker's [`crate::server`] answers; this module only
//! renders them and sends the visitor's choices.

use std::time::Duration;

use leptos::prelude::*;

use crate::console::editor::lua_code;
use crate::i18n::{count_form, put};
use crate::server::chart::{
    chart_lines, counts_bytes, format_utc_time, memory_fill, memory_setting, CHART_HEIGHT,
    CHART_WIDTH,
};
use crate::state::{use_shared, EngineState, Tab};
use keyspace_protocol::server::{BigKey, Fate, LabGrid, LoadedCode, ServerRequest};
use keyspace_protocol::Request;

/// How often the panel samples the engine (the chart's resolution).
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// Dots per row in the LRU lab's grids.
const LAB_COLUMNS: usize = 30;

/// The Server tab. It samples the engine every second while the page is open, so the chart
/// has history when the tab is opened; INFO and SLOWLOG come only while it is shown.
#[component]
pub fn ServerPanel() -> impl IntoView {
    let shared = use_shared();
    let s = shared.server;
    let sample = move || {
        if shared.engine.get_untracked() != EngineState::Ready || s.sent.get_value() {
            return;
        }
        s.sent.set_value(true);
        let detail = shared.tab.get_untracked() == Tab::Server;
        shared.send(Request::Server(ServerRequest::Status { detail }));
    };
    if let Ok(handle) = set_interval_with_handle(sample, SAMPLE_EVERY) {
        on_cleanup(move || handle.clear());
    }
    // Opening the tab shows fresh figures at once rather than up to a second later.
    Effect::new(move || {
        if shared.tab.get() == Tab::Server && shared.engine.get() == EngineState::Ready {
            s.sent.set_value(false);
            sample();
        }
    });

    view! {
        <section class="server" hidden=move || shared.tab.get() != Tab::Server>
            <div class="server-top">
                <Gauge />
                <Chart />
            </div>
            <LruLab />
            <crate::saved::section::SavedSection />
            <BiggestKeys />
            <Slowlog />
            <LoadedCodeView />
            <ServerLog />
            <Info />
        </section>
    }
}

#[component]
fn Gauge() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let status = move || shared.server.status.get().unwrap_or_default();
    let fill = move || memory_fill(&status());
    let limit = RwSignal::new(String::new());
    let set_limit = move || {
        let value = limit.get_untracked().trim().to_string();
        if !value.is_empty() {
            let sent = shared.run_line(format!("CONFIG SET maxmemory {value}"));
            shared.server.limit_sent.set_value(sent);
            shared.server.limit_error.set(None);
            limit.set(String::new());
        }
    };
    view! {
        <div class="gauge-box">
            <h3>{move || text().memory}</h3>
            <div
                class="gauge"
                role="meter"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || fill().map(|f| ((f * 100.0).round() as u64).to_string())
            >
                <div
                    class="gauge-fill"
                    class:full=move || fill().is_some_and(|f| f >= 1.0)
                    style:width=move || format!("{:.1}%", fill().unwrap_or(0.0).min(1.0) * 100.0)
                ></div>
            </div>
            <p class="gauge-text">
                {move || {
                    // Nothing until the engine's first answer: a default status would read
                    // as "no limit".
                    let st = shared.server.status.get()?;
                    Some(match memory_fill(&st) {
                        Some(f) => format!(
                            "{} ({:.1}%)",
                            put(
                                &put(text().used_of, "used", &st.used_memory_human),
                                "max",
                                &st.maxmemory_human,
                            ),
                            f * 100.0
                        ),
                        None => format!("{} · {}", st.used_memory_human, text().no_limit),
                    })
                }}
            </p>
            {move || (status().maxmemory == 0 && shared.server.status.with(Option::is_some)).then(|| view! {
                <p class="warning" role="alert">{move || text().no_limit_warning}</p>
            })}
            <p class="note">{move || text().page_default}</p>
            <div class="server-controls">
                <label>
                    <span>{move || text().policy}</span>
                    <select
                        class="policy"
                        prop:value=move || status().policy
                        on:change=move |ev| {
                            let policy = event_target_value(&ev);
                            let _ = shared.run_line(format!("CONFIG SET maxmemory-policy {policy}"));
                        }
                    >
                        // Selected by the option too: the list arrives from the worker after
                        // the select's value was first set.
                        {move || shared.server.policies.get().into_iter().map(|name| {
                            let (chosen, value) = (name.clone(), name.clone());
                            view! {
                                <option value=value prop:selected=move || status().policy == chosen>{name}</option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <label class="exact">
                    <input
                        type="checkbox"
                        prop:checked=move || status().exact_lru
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let value = if on { "yes" } else { "no" };
                            let _ = shared.run_line(format!("CONFIG SET playground-exact-lru {value}"));
                        }
                    />
                    <span>{move || text().exact_lru}</span>
                </label>
                <label>
                    <span>{move || text().maxmemory}</span>
                    <input
                        class="maxmemory"
                        type="text"
                        // The limit in force, as CONFIG SET takes it, until something is typed.
                        placeholder=move || shared.server.status.with(|s| s.as_ref().map(|s| memory_setting(s.maxmemory)))
                        aria-invalid=move || shared.server.limit_error.with(Option::is_some).to_string()
                        aria-describedby="maxmemory-error"
                        prop:value=move || limit.get()
                        on:input=move |ev| limit.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                set_limit();
                            }
                        }
                    />
                    <button on:click=move |_| set_limit()>{move || text().set}</button>
                </label>
            </div>
            <p id="maxmemory-error" class="field-error" role="alert">
                {move || shared.server.limit_error.get()}
            </p>
            <p class="note">{move || text().exact_lru_note}</p>
            <dl class="counters">
                <dt>{move || text().keys}</dt><dd class="key-total">{move || status().keys}</dd>
                <dt>{move || text().hits}</dt><dd>{move || status().keyspace_hits}</dd>
                <dt>{move || text().misses}</dt><dd>{move || status().keyspace_misses}</dd>
                <dt>{move || text().evicted_keys}</dt><dd class="evicted">{move || status().evicted_keys}</dd>
            </dl>
        </div>
    }
}

#[component]
fn Chart() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let lines = Memo::new(move |_| shared.server.samples.with(|s| chart_lines(&s.intervals())));
    view! {
        <div class="chart-box">
            <h3>{move || text().chart_title}</h3>
            // Axes in HTML around the SVG (stretched to its box, SVG text would be distorted):
            // the hit rate on the left, the evictions' scale on the right, the last minute
            // along the bottom.
            <div class="chart-area">
                <span class="y-axis left" aria-hidden="true">
                    <span>"100%"</span><span>"50%"</span><span>"0%"</span>
                </span>
                <svg
                    class="chart"
                    viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                    preserveAspectRatio="none"
                    role="img"
                    aria-label=move || text().chart_title
                >
                    <line class="grid" x1="0" y1=CHART_HEIGHT / 2.0 x2=CHART_WIDTH y2=CHART_HEIGHT / 2.0 />
                    <line class="axis" x1="0" y1="0" x2="0" y2=CHART_HEIGHT />
                    <line class="axis" x1="0" y1=CHART_HEIGHT x2=CHART_WIDTH y2=CHART_HEIGHT />
                    {move || lines.with(|c| c.evictions.iter().map(|&(x, height)| view! {
                        <rect
                            class="evictions"
                            x=format!("{:.1}", x - c.bar_width / 2.0)
                            y=format!("{:.1}", CHART_HEIGHT - height)
                            width=format!("{:.1}", c.bar_width)
                            height=format!("{height:.1}")
                        />
                    }).collect_view())}
                    {move || lines.with(|c| c.hit_rate.iter().map(|points| view! {
                        <polyline class="hit-rate" points=points.clone() />
                    }).collect_view())}
                </svg>
                <span class="y-axis right" aria-hidden="true">
                    <span>{move || lines.with(|c| c.busiest).to_string()}</span>
                    <span></span>
                    <span>"0"</span>
                </span>
                <span class="x-axis" aria-hidden="true">
                    <span>{move || text().chart_start}</span>
                    <span>{move || text().chart_now}</span>
                </span>
            </div>
            <p class="legend">
                <span class="hit-rate">{move || text().hit_rate}</span>
                <span class="evictions">{move || text().evictions}</span>
                <span>{move || put(text().evictions_scale, "n", &lines.with(|c| c.busiest).to_string())}</span>
            </p>
        </div>
    }
}

#[component]
fn Info() -> impl IntoView {
    let shared = use_shared();
    let titles = Memo::new(move |_| {
        shared.server.status.with(|s| {
            s.as_ref()
                .and_then(|s| s.info.as_ref())
                .map(|info| info.iter().map(|i| i.title.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    view! {
        <div class="info">
            <h3>"INFO"</h3>
            // Keyed by title so that an open section stays open as its figures change.
            <For each=move || titles.get() key=|title| title.clone() let:title>
                <InfoSectionView title />
            </For>
        </div>
    }
}

#[component]
fn InfoSectionView(title: String) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let open = title == "Memory" || title == "Stats";
    let name = title.clone();
    let fields = move || {
        shared.server.status.with(|s| {
            s.as_ref()
                .and_then(|s| s.info.as_ref())
                .and_then(|info| info.iter().find(|i| i.title == name))
                .map(|i| i.fields.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <details class="info-section" open=open>
            <summary>{format!("# {title}")}</summary>
            <table>
                <tbody>
                    {move || fields().into_iter().map(|(k, v)| {
                        // The one figure that is the page's own rather than Redis's.
                        let note = (k == "used_memory_rss").then(|| text().rss_note);
                        view! { <tr title=note><th>{field_name(&k)}</th><td>{v}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// An INFO field's name that may break only after its underscores, never inside a word.
fn field_name(name: &str) -> impl IntoView {
    let parts: Vec<String> = name.split_inclusive('_').map(str::to_string).collect();
    parts
        .into_iter()
        .map(|part| view! { {part} <wbr /> })
        .collect_view()
}

#[component]
fn Slowlog() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let rows = move || {
        shared.server.status.with(|s| {
            s.as_ref()
                .and_then(|s| s.slowlog.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="slowlog">
            <h3>{move || text().slowlog}</h3>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! { <p class="note">{move || text().slowlog_empty}</p> }.into_any();
                }
                view! {
                    <table>
                        <thead><tr>
                            <th>{move || text().col_id}</th>
                            <th>{move || text().col_time}</th>
                            <th>{move || text().col_duration}</th>
                            <th>{move || text().col_command}</th>
                            <th>{move || text().col_client}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.id}</td>
                                    <td>{format_utc_time(r.time)}</td>
                                    <td class="num">{r.duration_us}</td>
                                    <td class="command">{r.command}</td>
                                    <td>{r.client}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </div>
    }
}

/// The scripts and function libraries loaded, each with its code; redrawn only when they
/// change, so that an open one stays open while the figures refresh every second.
#[component]
fn LoadedCodeView() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let code = Memo::new(move |_| {
        shared
            .server
            .status
            .with(|s| s.as_ref().and_then(|s| s.code.clone()))
            .unwrap_or_default()
    });
    view! {
        <div class="loaded-code">
            <h3>{move || text().code_title}</h3>
            {move || {
                let LoadedCode { scripts, libraries } = code.get();
                if scripts.is_empty() && libraries.is_empty() {
                    return view! { <p class="note">{move || text().code_empty}</p> }.into_any();
                }
                let libraries = (!libraries.is_empty()).then(|| view! {
                    <h4>{move || text().libraries}</h4>
                    {libraries.into_iter().map(|library| {
                        let functions = library.functions.into_iter().map(|(name, flags)| view! {
                            <li><code>{name}</code>{flags.into_iter().map(|f| view! { " " <span class="flag">{f}</span> }).collect_view()}</li>
                        }).collect_view();
                        view! {
                            <details class="library">
                                <summary><code>{library.name}</code></summary>
                                <ul class="functions">{functions}</ul>
                                {lua_code(library.code)}
                            </details>
                        }
                    }).collect_view()}
                });
                let scripts = (!scripts.is_empty()).then(|| view! {
                    <h4>{move || text().cached_scripts}</h4>
                    {scripts.into_iter().map(|(sha, body)| {
                        let first = body.lines().next().unwrap_or_default().to_string();
                        view! {
                            <details class="script">
                                <summary><code class="sha">{sha}</code> " " <span class="first-line">{first}</span></summary>
                                {lua_code(body)}
                            </details>
                        }
                    }).collect_view()}
                });
                view! {
                    {libraries}
                    {scripts}
                    <p class="note">{move || text().code_kept}</p>
                }
                .into_any()
            }}
        </div>
    }
}

/// The server's log, newest last, each line with its time (UTC, the engine's clock). It
/// always holds the server's start, so what else writes to it is said above it.
#[component]
fn ServerLog() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let lines = Memo::new(move |_| {
        shared
            .server
            .status
            .with(|s| s.as_ref().and_then(|s| s.log.clone()))
            .unwrap_or_default()
    });
    view! {
        <div class="server-log">
            <h3>{move || text().log_title}</h3>
            <p class="note">{move || text().log_hint}</p>
            <ol class="log-lines">
                {move || lines.get().into_iter().map(|line| view! {
                    <li>
                        <time>{format!("{}.{:03}", format_utc_time(line.at_ms / 1000), line.at_ms % 1000)}</time>
                        " " <span class="log-text">{line.text}</span>
                    </li>
                }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn BiggestKeys() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let size_unit = move |kind: &str| {
        if counts_bytes(kind) {
            text().bytes
        } else {
            text().elements
        }
    };
    let table = move |keys: Vec<BigKey>| {
        view! {
            <table>
                <thead><tr>
                    <th>{move || text().col_key}</th>
                    <th>{move || text().col_type}</th>
                    <th>{move || text().col_size}</th>
                    <th>{move || text().col_memory}</th>
                </tr></thead>
                <tbody>
                    {keys.into_iter().map(|k| {
                        let kind = k.kind.clone();
                        view! {
                            <tr>
                                <td class="key">{k.key}</td>
                                <td>{k.kind}</td>
                                <td class="num">{move || format!("{} {}", k.size, count_form(size_unit(&kind), k.size))}</td>
                                <td class="num">{k.memory_human}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <div class="bigkeys">
            <h3>{move || text().bigkeys}</h3>
            <button on:click=move |_| shared.send(Request::Server(ServerRequest::BigKeys))>
                {move || text().bigkeys_scan}
            </button>
            {move || shared.server.bigkeys.get().map(|big| {
                let totals = big.per_type.iter().filter(|t| t.keys > 0).map(|t| {
                    let kind = t.kind.clone();
                    let (n, m) = (t.keys, t.size);
                    view! {
                        <li>{move || format!("{kind}: {}", put(&put(count_form(text().type_total, n), "n", &n.to_string()), "m", &format!("{m} {}", count_form(size_unit(&kind), m))))}</li>
                    }
                }).collect_view();
                view! {
                    <p class="db">{format!("db{}", big.db)}</p>
                    <ul class="type-totals">{totals}</ul>
                    <h4>{move || text().by_memory}</h4>
                    {table(big.by_memory)}
                    <h4>{move || text().by_size}</h4>
                    {table(big.by_size)}
                }
            })}
        </div>
    }
}

#[component]
fn LruLab() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    let s = shared.server;
    let run = move |_| {
        s.lab_running.set(true);
        shared.send(Request::Server(ServerRequest::LruLab));
    };
    let fate_class = |fate: Fate| match fate {
        Fate::Kept => "kept",
        Fate::Evicted => "evicted",
        Fate::New => "new",
        Fate::NewEvicted => "new-evicted",
    };
    let grid = move |grid: LabGrid| {
        let rows = grid.cells.len().div_ceil(LAB_COLUMNS);
        let caption = move || match grid.samples {
            Some(n) => put(text().lab_samples, "n", &n.to_string()),
            None => text().lab_exact.to_string(),
        };
        let ratio = format!("{:.1}", grid.hit_ratio * 100.0);
        let dots = grid
            .cells
            .iter()
            .enumerate()
            .map(|(i, &fate)| {
                let (x, y) = (i % LAB_COLUMNS, i / LAB_COLUMNS);
                view! {
                    <circle
                        class=fate_class(fate)
                        cx=(x * 10 + 5).to_string()
                        cy=(y * 10 + 5).to_string()
                        r="4"
                    />
                }
            })
            .collect_view();
        view! {
            <figure class="lab-grid">
                <svg viewBox=format!("0 0 {} {}", LAB_COLUMNS * 10, rows * 10) role="img" aria-label=caption>
                    {dots}
                </svg>
                <figcaption>
                    <span class="lab-caption">{caption}</span>
                    " · "
                    <span class="lab-ratio">{move || put(text().lab_hit_ratio, "n", &ratio)}</span>
                </figcaption>
            </figure>
        }
    };
    view! {
        <div class="lab">
            <h3>{move || text().lab}</h3>
            <p class="note">{move || text().lab_intro}</p>
            <button class="lab-run" disabled=move || s.lab_running.get() on:click=run>
                {move || text().lab_run}
            </button>
            <p class="lab-legend">
                <span class="kept">{move || text().lab_kept}</span>
                <span class="evicted">{move || text().lab_evicted}</span>
                <span class="new">{move || text().lab_new}</span>
                <span class="new-evicted">{move || text().lab_new_evicted}</span>
            </p>
            <div class="lab-grids">
                {move || s.lab.get().map(|grids| grids.into_iter().map(grid).collect_view())}
            </div>
        </div>
    }
}

/// In the keyspace panel, above the rows: the keys the last command's evictions removed,
/// fading out with the policy that chose them. Shown again (the animation restarted) for each
/// command that evicts.
#[component]
pub fn EvictedKeys() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().server;
    move || {
        shared.server.evicted.get().map(|evicted| {
            let policy = evicted.policy.clone();
            let more = evicted.total - evicted.keys.len();
            let rows = evicted
                .keys
                .into_iter()
                .map(|key| {
                    let policy = policy.clone();
                    view! {
                        <div class="evicted-row" aria-live="polite">
                            <span class="key">{key}</span>
                            <span class="reason">{move || put(text().evicted_by, "policy", &policy)}</span>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class="evicted-keys">
                    {rows}
                    {(more > 0).then(|| view! {
                        <div class="evicted-row">
                            <span class="reason">{move || put(text().evicted_more, "n", &more.to_string())}</span>
                        </div>
                    })}
                </div>
            }
        })
    }
}
