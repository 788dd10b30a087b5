//! LATENCY: reading and resetting the latency monitor's events (`crate::latency`).
//!
//! Every subcommand answers as Redis 7.0's; DOCTOR's report is worded here.

use crate::cmd::server::by_full_name;
use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{flag, truncated, CommandResult, CommandSpec};

/// Flags Redis gives LATENCY's subcommands that read or change the monitor.
const ADMIN: u32 = flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "latency",
    arity: -2,
    flags: 0,
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands.",
    syntax: "subcommand [argument ...]",
    complexity: "Depends on subcommand.",
    keys: &[],
    tips: &[],
    handler: None,
    subcommands: SUBCOMMANDS,
}];

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "doctor",
        arity: 2,
        flags: ADMIN,
        group: "server",
        since: "2.8.13",
        summary: "Reports on the latency spikes recorded, with advice.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_nodes",
            "response_policy:special",
        ],
        handler: Some(doctor),
        subcommands: &[],
    },
    CommandSpec {
        name: "graph",
        arity: 3,
        flags: ADMIN,
        group: "server",
        since: "2.8.13",
        summary: "Draws one event's latency samples as an ASCII chart.",
        syntax: "event",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_nodes",
            "response_policy:special",
        ],
        handler: Some(graph),
        subcommands: &[],
    },
    CommandSpec {
        name: "latest",
        arity: 2,
        flags: ADMIN,
        group: "server",
        since: "2.8.13",
        summary: "Returns the latest sample, and the maximum, of every event.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_nodes",
            "response_policy:special",
        ],
        handler: Some(latest),
        subcommands: &[],
    },
    CommandSpec {
        name: "history",
        arity: 3,
        flags: ADMIN,
        group: "server",
        since: "2.8.13",
        summary: "Returns the samples of one event, oldest first.",
        syntax: "event",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_nodes",
            "response_policy:special",
        ],
        handler: Some(history),
        subcommands: &[],
    },
    CommandSpec {
        name: "reset",
        arity: -2,
        flags: ADMIN,
        group: "server",
        since: "2.8.13",
        summary: "Forgets the samples of the named events, or of every event.",
        syntax: "[event [event ...]]",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: Some(reset),
        subcommands: &[],
    },
    CommandSpec {
        name: "histogram",
        arity: -2,
        flags: ADMIN,
        group: "server",
        since: "7.0.0",
        summary: "Returns the cumulative distribution of the named commands' latencies (every command's, without names).",
        syntax: "[command [command ...]]",
        complexity: "O(N) where N is the number of commands with latency information being retrieved.",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_nodes",
            "response_policy:special",
        ],
        handler: Some(histogram),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "server",
        since: "2.8.13",
        summary: "Lists LATENCY's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(help),
        subcommands: &[],
    },
];

/// ```text
/// LATENCY LATEST
/// ```
fn latest(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(engine.latency.latest().into())
}

/// ```text
/// LATENCY HISTORY event
/// ```
fn history(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(engine.latency.history(&call.argv[2]).into())
}

/// ```text
/// LATENCY DOCTOR
/// ```
fn doctor(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let now_s = engine.now_ms / 1000;
    let slowlog = engine.config.int("slowlog-log-slower-than");
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: engine.latency.doctor(now_s, slowlog).into_bytes(),
    }
    .into())
}

/// ```text
/// LATENCY GRAPH event
/// ```
fn graph(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let event = &call.argv[2];
    match engine.latency.graph(event, engine.now_ms / 1000) {
        Some(chart) => Ok(Reply::Verbatim {
            format: *b"txt",
            text: chart.into_bytes(),
        }
        .into()),
        None => Err(Error::NoLatencySamples(truncated(event, usize::MAX))),
    }
}

/// ```text
/// LATENCY RESET [event ...]
/// ```
fn reset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(engine.latency.reset(&call.argv[2..]) as i64).into())
}

/// ```text
/// LATENCY HISTOGRAM [command ...]
/// ```
/// Per command that has a histogram (it ran while `latency-tracking` was on): its calls and
/// the cumulative distribution of their durations in µs. Named commands in the order given
/// (a container names its subcommands; unknown names are left out, repeated ones repeat),
/// else every command, alphabetically (Redis walks its command table's hash order).
fn histogram(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let stats = &engine.stats.commandstats;
    let with_data = |name: &str| stats.get(name).filter(|s| s.latency.calls() > 0);
    let names: Vec<String> = if call.argv.len() == 2 {
        stats.keys().cloned().collect()
    } else {
        call.argv[2..]
            .iter()
            .filter_map(|arg| by_full_name(arg))
            .flat_map(|named| {
                if named.spec.subcommands.is_empty() {
                    vec![named.name]
                } else {
                    named.subcommands().map(|sub| sub.name).collect()
                }
            })
            .collect()
    };
    let entries = names
        .into_iter()
        .filter_map(|name| {
            let stat = with_data(&name)?;
            let cdf =
                stat.latency.cdf().into_iter().map(|(usec, count)| {
                    (Reply::Integer(usec as i64), Reply::Integer(count as i64))
                });
            let fields = vec![
                (
                    Reply::bulk("calls"),
                    Reply::Integer(stat.latency.calls() as i64),
                ),
                (Reply::bulk("histogram_usec"), Reply::Map(cdf.collect())),
            ];
            Some((Reply::bulk(name.as_str()), Reply::Map(fields)))
        })
        .collect();
    Ok(Reply::Map(entries).into())
}

/// ```text
/// LATENCY HELP
/// ```
/// Redis 7.0's text, which lists every subcommand Redis has.
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help(
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    )
    .into())
}
