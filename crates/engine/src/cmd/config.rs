//! CONFIG: reading and changing the parameters of `crate::config` at run time, with Redis
//! 7.0's rules: GET takes several glob patterns, SET several pairs applied all or nothing.

use crate::config::{Config, PARAMS};
use crate::engine::{Call, Engine, Stats};
use crate::error::Error;
use crate::glob;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};

/// Flags Redis gives CONFIG's subcommands that read or change the server.
const ADMIN: u32 = flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    flags: 0,
    group: "server",
    since: "2.0.0",
    summary: "A container for commands that read and change the server's configuration.",
    syntax: "subcommand [argument ...]",
    complexity: "Depends on subcommand.",
    keys: &[],
    tips: &[],
    handler: None,
    subcommands: SUBCOMMANDS,
}];

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: -3,
        flags: ADMIN,
        group: "server",
        since: "2.0.0",
        summary: "Returns the parameters whose names match any of the patterns, with their values.",
        syntax: "parameter [parameter ...]",
        complexity: "O(N) when N is the number of configuration parameters provided",
        keys: &[],
        tips: &[],
        handler: Some(get),
        subcommands: &[],
    },
    CommandSpec {
        name: "set",
        arity: -4,
        flags: ADMIN,
        group: "server",
        since: "2.0.0",
        summary: "Sets parameters to new values: all of them, or none when any is refused.",
        syntax: "parameter value [parameter value ...]",
        complexity: "O(N) when N is the number of configuration parameters provided",
        keys: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: Some(set),
        subcommands: &[],
    },
    CommandSpec {
        name: "resetstat",
        arity: 2,
        flags: ADMIN,
        group: "server",
        since: "2.0.0",
        summary: "Resets the statistics INFO reports (hits, misses, commands processed...).",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(resetstat),
        subcommands: &[],
    },
    CommandSpec {
        name: "rewrite",
        arity: 2,
        flags: ADMIN,
        group: "server",
        since: "2.8.0",
        summary: "Rewrites the configuration file; refused here, as there is never one.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(rewrite),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "server",
        since: "5.0.0",
        summary: "Lists CONFIG's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(help),
        subcommands: &[],
    },
];

/// CONFIG HELP's lines, as Redis 7.0 words them.
const HELP: &[&str] = &[
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
];

/// ```text
/// CONFIG GET parameter [parameter ...]
/// ```
/// Every parameter matching any of the arguments, once, with its value: a map in RESP3, a flat
/// name/value array in RESP2. An argument without `*`, `?` or `[` is looked up directly and
/// answered under the name as it was given (`CONFIG GET HZ` says `HZ`); a pattern is matched
/// without regard to case against every name, old aliases included, and each match is
/// answered under the name it matched. The playground's own parameters, and Redis's hidden
/// ones, answer only to their exact name, so that a pattern lists what Redis's does.
fn get(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mut found: Vec<(Vec<u8>, usize)> = Vec::new();
    let already = |found: &[(Vec<u8>, usize)], name: &[u8]| {
        found.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    for pattern in &call.argv[2..] {
        if !pattern.iter().any(|c| b"[*?".contains(c)) {
            if let Some((index, _)) = Config::param(pattern) {
                if !already(&found, pattern) {
                    found.push((pattern.clone(), index));
                }
            }
            continue;
        }
        for (index, param) in PARAMS.iter().enumerate().filter(|(_, p)| !p.exact_only()) {
            for name in std::iter::once(&param.name).chain(param.aliases) {
                if glob::matches(pattern, name.as_bytes(), true)
                    && !already(&found, name.as_bytes())
                {
                    found.push((name.as_bytes().to_vec(), index));
                }
            }
        }
    }
    let pairs = found
        .into_iter()
        .map(|(name, index)| (Reply::bulk(name), Reply::bulk(engine.config.get(index))));
    Ok(Reply::Map(pairs.collect()).into())
}

/// ```text
/// CONFIG SET parameter value [parameter value ...]
/// ```
/// Sets every pair or none. As in Redis 7.0, the names are checked first, in order, and the
/// first problem is the answer (an unknown name, an immutable parameter, one named twice);
/// then the values, and a refused value leaves every parameter as it was; last, a new `port`
/// or `bind` moves the listeners, and when that fails every parameter is left as it was too.
fn set(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if call.argv.len() % 2 == 1 {
        return Err(Error::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = call.argv[2..]
        .chunks_exact(2)
        .map(|p| (p[0].as_slice(), p[1].as_slice()))
        .collect();
    let mut indexes: Vec<usize> = Vec::with_capacity(pairs.len());
    for (name, _) in &pairs {
        let (index, param) = Config::settable(name, false)?;
        if crate::config::PROTECTED.contains(&param.name)
            && engine.config.text("enable-protected-configs") == "no"
        {
            return Err(Error::ConfigSetFailed {
                name: String::from_utf8_lossy(name).into_owned(),
                reason: "can't set protected config".into(),
            });
        }
        if indexes.contains(&index) {
            return Err(Error::ConfigSetDuplicate(
                String::from_utf8_lossy(name).into_owned(),
            ));
        }
        indexes.push(index);
    }
    let mut next = engine.config.clone();
    for (&index, (_, value)) in indexes.iter().zip(pairs) {
        next.set_index(index, value)?;
    }
    // `dir` must name a directory where the storage keeps its files (`crate::persist`).
    if next.text("dir") != engine.config.text("dir") {
        let dir = engine
            .persistence
            .storage
            .resolve_dir(next.text("dir"))
            .map_err(|reason| Error::ConfigSetFailed {
                name: "dir".into(),
                reason,
            })?;
        next.set(b"dir", dir.as_bytes(), false)?;
    }
    if let Some(name) = tls_refusal(&indexes, &engine.config, &next) {
        return Err(Error::ConfigSetFailed {
            name: name.into(),
            reason: "Unable to update TLS configuration. Check server logs.".into(),
        });
    }
    // Listening anew is the last step, as it is the one that changes the world outside: when
    // it fails nothing has been changed, and the reply names the first of `port` and `bind`
    // given, with Redis's reason.
    let moved = indexes
        .iter()
        .copied()
        .find(|&i| matches!(PARAMS[i].name, "port" | "bind") && next.get(i) != engine.config.get(i))
        .map(|i| PARAMS[i].name);
    if let (Some(name), Some(listening)) = (moved, engine.listening.as_mut()) {
        listening
            .rebind(next.text("bind"), next.int("port"))
            .map_err(|_| Error::ConfigSetFailed {
                name: name.into(),
                reason: if name == "port" {
                    "Unable to listen on this port. Check server logs."
                } else {
                    "Failed to bind to specified addresses."
                }
                .into(),
            })?;
    }
    engine.config = next;
    if indexes.iter().any(|&i| PARAMS[i].name == "requirepass") {
        let password = engine.config.text("requirepass").as_bytes().to_vec();
        engine.acl.set_requirepass(&password);
    }
    engine.apply_config();
    Ok(Reply::ok().into())
}

/// The TLS parameters whose apply step runs on every CONFIG SET that names them, changed or
/// not (Redis's `VOLATILE_CONFIG`: the files they name may have changed on the disk).
const TLS_FILES: &[&str] = &[
    "tls-cert-file",
    "tls-key-file",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-dh-params-file",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
];

/// The native server has no TLS (`crate::config`), so it answers as a Redis whose TLS
/// settings cannot be loaded: a new `tls-port` fails when applied (`applyTLSPort`), and so
/// does any TLS parameter applied while TLS would be on (a TLS port, or TLS for replication
/// or the cluster bus: `applyTlsCfg`). Apply steps run in the order of the parameters that
/// call for them, so the refusal names the first given that calls for a failing one.
fn tls_refusal(indexes: &[usize], old: &Config, next: &Config) -> Option<&'static str> {
    let tls_on =
        next.int("tls-port") != 0 || next.flag("tls-replication") || next.flag("tls-cluster");
    indexes
        .iter()
        .map(|&i| (i, PARAMS[i].name))
        .find_map(|(i, name)| {
            let changed = next.get(i) != old.get(i);
            let fails = match name {
                "tls-port" => changed,
                "tls-auth-clients" => false,
                _ if name.starts_with("tls-") => tls_on && (changed || TLS_FILES.contains(&name)),
                _ => false,
            };
            fails.then_some(name)
        })
}

/// ```text
/// CONFIG RESETSTAT
/// ```
/// Zeroes the counters INFO reports (keyspace hits and misses, commands processed,
/// connections received, expired and evicted keys, error counts...) and the memory peak.
fn resetstat(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.stats = Stats::default();
    engine.lazyfree.reset_stats();
    engine.peak_memory = engine.used_memory();
    Ok(Reply::ok().into())
}

/// ```text
/// CONFIG REWRITE
/// ```
/// The engine has no configuration file (nor any file), so it answers as a Redis started
/// without one does.
fn rewrite(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Err(Error::NoConfigFile)
}

/// ```text
/// CONFIG HELP
/// ```
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("CONFIG", HELP).into())
}
