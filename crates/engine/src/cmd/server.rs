//! Server commands: COMMAND, which describes every command from the spec table
//! (`crate::spec`), TIME, LOLWUT (`crate::lolwut`), ROLE, MONITOR (`crate::monitor`), MEMORY
//! (the model of `crate::memory`) and SLOWLOG (`crate::slowlog`). DEBUG has a file of its own
//! (`crate::cmd::debug`).
//!
//! COMMAND answers in Redis 7.0's shapes. Where our table holds less than Redis's JSON files,
//! the missing parts are derived, and say so: ACL categories come from the flags (as Redis's
//! own `setImplicitACLCategories` derives @read, @write, @fast, @slow...) plus the group's data
//! type category and what a row declares (`crate::acl::categories`); key specs come from the legacy (first, last, step) triple, with access flags
//! guessed from `readonly`/`write`. COMMAND DOCS's argument trees, history and deprecation
//! come from `crate::command_docs`.

use crate::acl;
use crate::args::{parse_i64, string2ll};
use crate::cmd::connection::REDIS_VERSION;
use crate::cmd::info::MemoryBreakdown;
use crate::command_docs;
use crate::engine::{Call, Engine, Outcome};
use crate::error::Error;
use crate::glob;
use crate::lolwut;
use crate::memory;
use crate::reply::Reply;
use crate::spec::{
    self, flag, key_flag, BeginSearch, CommandResult, CommandSpec, FindKeys, KeySpec,
};

/// Flags Redis gives COMMAND and its subcommands: usable while loading and on a stale replica,
/// and in the @connection category.
const INTROSPECTION: u32 = flag::LOADING | flag::STALE | flag::ACL_CONNECTION;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "command",
        arity: -1,
        flags: INTROSPECTION,
        group: "server",
        since: "2.8.13",
        summary: "Describes every command: name, arity, flags, key positions and more.",
        syntax: "[subcommand [argument ...]]",
        complexity: "O(N) where N is the total number of Redis commands",
        keys: &[],
        tips: &["nondeterministic_output_order"],
        handler: Some(command),
        subcommands: COMMAND_SUBCOMMANDS,
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: flag::LOADING | flag::STALE | flag::FAST,
        group: "server",
        since: "2.6.0",
        summary:
            "Returns the server's clock: Unix seconds and the microseconds within that second.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["nondeterministic_output"],
        handler: Some(time),
        subcommands: &[],
    },
    CommandSpec {
        name: "lolwut",
        arity: -1,
        flags: flag::READONLY | flag::FAST,
        group: "server",
        since: "5.0.0",
        summary: "Shows the server's version, or a piece of computer art from an earlier version.",
        syntax: "[VERSION version]",
        // Redis gives LOLWUT no complexity.
        complexity: "",
        keys: &[],
        tips: &[],
        handler: Some(lolwut),
        subcommands: &[],
    },
    CommandSpec {
        name: "role",
        arity: 1,
        flags: flag::NOSCRIPT
            | flag::LOADING
            | flag::STALE
            | flag::FAST
            | flag::ACL_ADMIN
            | flag::ACL_DANGEROUS,
        group: "server",
        since: "2.8.12",
        summary: "Tells whether this server is a master or a replica, with its replication state.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(role),
        subcommands: &[],
    },
    CommandSpec {
        name: "monitor",
        arity: 1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE,
        group: "server",
        since: "1.0.0",
        summary: "Turns the connection into a monitor that receives a line for every command the server runs.",
        syntax: "",
        complexity: "",
        keys: &[],
        tips: &[],
        handler: Some(monitor),
        subcommands: &[],
    },
    CommandSpec {
        name: "memory",
        arity: -2,
        flags: 0,
        group: "server",
        since: "4.0.0",
        summary: "A container for memory diagnostics commands.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: MEMORY_SUBCOMMANDS,
    },
    CommandSpec {
        name: "slowlog",
        arity: -2,
        flags: 0,
        group: "server",
        since: "2.2.12",
        summary: "A container for slow log commands.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: SLOWLOG_SUBCOMMANDS,
    },
];

static MEMORY_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "doctor",
        arity: 2,
        flags: 0,
        group: "server",
        since: "4.0.0",
        summary: "Outputs memory problems report.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
        handler: Some(memory_doctor),
        subcommands: &[],
    },
    CommandSpec {
        name: "purge",
        arity: 2,
        flags: 0,
        group: "server",
        since: "4.0.0",
        summary: "Asks the allocator to release memory; nothing to release in the model.",
        syntax: "",
        complexity: "Depends on how much memory is allocated, could be slow",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: Some(memory_purge),
        subcommands: &[],
    },
    CommandSpec {
        name: "stats",
        arity: 2,
        flags: 0,
        group: "server",
        since: "4.0.0",
        summary: "Returns details about memory usage.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
        handler: Some(memory_stats),
        subcommands: &[],
    },
    CommandSpec {
        name: "malloc-stats",
        arity: 2,
        flags: 0,
        group: "server",
        since: "4.0.0",
        summary: "Returns the allocator's statistics; the model has none.",
        syntax: "",
        complexity: "Depends on how much memory is allocated, could be slow",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
        handler: Some(memory_malloc_stats),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "server",
        since: "4.0.0",
        summary: "Lists MEMORY's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(memory_help),
        subcommands: &[],
    },
    CommandSpec {
        name: "usage",
        arity: -3,
        flags: flag::READONLY,
        group: "server",
        since: "4.0.0",
        summary: "Estimates the memory a key and its value take, in Redis's used_memory.",
        syntax: "key [SAMPLES count]",
        complexity: "O(N) where N is the number of samples.",
        keys: &[KeySpec::range(key_flag::RO, 2, 0, 1)],
        tips: &[],
        handler: Some(memory_usage),
        subcommands: &[],
    },
];

/// Flags Redis gives SLOWLOG's subcommands that read or change the log.
const SLOWLOG_ADMIN: u32 = flag::ADMIN | flag::LOADING | flag::STALE;

static SLOWLOG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "server",
        since: "6.2.0",
        summary: "Lists SLOWLOG's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(slowlog_help),
        subcommands: &[],
    },
    CommandSpec {
        name: "get",
        arity: -2,
        flags: SLOWLOG_ADMIN,
        group: "server",
        since: "2.2.12",
        summary: "Returns the slow log's newest entries (10, or count; -1 for all).",
        syntax: "[count]",
        complexity: "O(N) where N is the number of entries returned",
        keys: &[],
        tips: &["request_policy:all_nodes", "nondeterministic_output"],
        handler: Some(slowlog_get),
        subcommands: &[],
    },
    CommandSpec {
        name: "reset",
        arity: 2,
        flags: SLOWLOG_ADMIN,
        group: "server",
        since: "2.2.12",
        summary: "Clears all entries from the slow log.",
        syntax: "",
        complexity: "O(N) where N is the number of entries in the slowlog",
        keys: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: Some(slowlog_reset),
        subcommands: &[],
    },
    CommandSpec {
        name: "len",
        arity: 2,
        flags: SLOWLOG_ADMIN,
        group: "server",
        since: "2.2.12",
        summary: "Returns the number of entries in the slow log.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "request_policy:all_nodes",
            "response_policy:agg_sum",
            "nondeterministic_output",
        ],
        handler: Some(slowlog_len),
        subcommands: &[],
    },
];

static COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "count",
        arity: 2,
        flags: INTROSPECTION,
        group: "server",
        since: "2.8.13",
        summary: "Returns how many commands there are (subcommands not counted).",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(count),
        subcommands: &[],
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: INTROSPECTION,
        group: "server",
        since: "7.0.0",
        summary: "Returns every command's name, subcommands included, optionally filtered.",
        syntax: "[FILTERBY (MODULE module-name | ACLCAT category | PATTERN pattern)]",
        complexity: "O(N) where N is the total number of Redis commands",
        keys: &[],
        tips: &["nondeterministic_output_order"],
        handler: Some(list),
        subcommands: &[],
    },
    CommandSpec {
        name: "info",
        arity: -2,
        flags: INTROSPECTION,
        group: "server",
        since: "2.8.13",
        summary: "Describes the named commands, or every command when none is named.",
        syntax: "[command-name [command-name ...]]",
        complexity: "O(N) where N is the number of commands to look up",
        keys: &[],
        tips: &["nondeterministic_output_order"],
        handler: Some(info),
        subcommands: &[],
    },
    CommandSpec {
        name: "docs",
        arity: -2,
        flags: INTROSPECTION,
        group: "server",
        since: "7.0.0",
        summary: "Returns the documentation of the named commands, or of every command when none is named.",
        syntax: "[command-name [command-name ...]]",
        complexity: "O(N) where N is the number of commands to look up",
        keys: &[],
        tips: &["nondeterministic_output_order"],
        handler: Some(docs),
        subcommands: &[],
    },
    CommandSpec {
        name: "getkeys",
        arity: -4,
        flags: INTROSPECTION,
        group: "server",
        since: "2.8.13",
        summary: "Returns which arguments of a full command are keys.",
        syntax: "command [arg [arg ...]]",
        complexity: "O(N) where N is the number of arguments to the command",
        keys: &[],
        tips: &[],
        handler: Some(getkeys),
        subcommands: &[],
    },
    CommandSpec {
        name: "getkeysandflags",
        arity: -4,
        flags: INTROSPECTION,
        group: "server",
        since: "7.0.0",
        summary: "Returns which arguments of a full command are keys, with how the command uses each.",
        syntax: "command [arg [arg ...]]",
        complexity: "O(N) where N is the number of arguments to the command",
        keys: &[],
        tips: &[],
        handler: Some(getkeysandflags),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: INTROSPECTION,
        group: "server",
        since: "5.0.0",
        summary: "Lists COMMAND's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(help),
        subcommands: &[],
    },
];

/// COMMAND HELP's lines, as Redis 7.0 words them.
const HELP: &[&str] = &[
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
];

/// A command as COMMAND names it: its spec and its full name (`get`, `client|setname`).
pub(crate) struct Named {
    pub(crate) name: String,
    pub(crate) spec: &'static CommandSpec,
}

impl Named {
    fn top(spec: &'static CommandSpec) -> Named {
        Named {
            name: spec.name.to_string(),
            spec,
        }
    }

    /// This container's subcommands, named `container|sub`.
    pub(crate) fn subcommands(&self) -> impl Iterator<Item = Named> + '_ {
        self.spec.subcommands.iter().map(|spec| Named {
            name: format!("{}|{}", self.name, spec.name),
            spec,
        })
    }
}

/// Every command, each followed by its subcommands, as Redis walks its command table.
fn every_command() -> impl Iterator<Item = Named> {
    spec::table().flat_map(|spec| {
        let command = Named::top(spec);
        let subcommands: Vec<Named> = command.subcommands().collect();
        std::iter::once(command).chain(subcommands)
    })
}

/// The command a full name (`get`, `CLIENT|ID`) names, as Redis's `lookupCommandBySds` reads it.
pub(crate) fn by_full_name(name: &[u8]) -> Option<Named> {
    let mut parts = name.split(|&b| b == b'|');
    let container = Named::top(spec::lookup(parts.next()?)?);
    match (parts.next(), parts.next()) {
        (None, _) => Some(container),
        (Some(sub), None) => container
            .subcommands()
            .find(|named| named.spec.name.as_bytes().eq_ignore_ascii_case(sub)),
        _ => None,
    }
}

/// The command a full command line names, as Redis's `lookupCommand` reads it: the container's
/// subcommand when there is one, else the command itself.
fn by_argv(argv: &[Vec<u8>]) -> Option<&'static CommandSpec> {
    let command = spec::lookup(argv.first()?)?;
    match argv.get(1) {
        Some(sub) if !command.subcommands.is_empty() => command.subcommand(sub),
        _ => Some(command),
    }
}

/// The ACL categories of a command, by name, in Redis's order (`crate::acl::categories`).
fn acl_categories(spec: &CommandSpec) -> Vec<&'static str> {
    let mask = acl::categories(spec);
    acl::CATEGORIES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, c)| *c)
        .collect()
}

fn statuses(words: &[&str]) -> Vec<Reply> {
    words.iter().map(|w| Reply::Simple(w.to_string())).collect()
}

/// A command's key specs as COMMAND INFO gives them: notes (when there are), flags, where
/// the search begins and how the keys are found from there.
fn key_specs(spec: &CommandSpec) -> Vec<Reply> {
    let int = |n: i32| Reply::Integer(n.into());
    let search = |kind: &str, fields: Vec<(&str, Reply)>| {
        Reply::field_map(vec![
            ("type", Reply::bulk(kind)),
            ("spec", Reply::field_map(fields)),
        ])
    };
    spec.keys
        .iter()
        .map(|key_spec| {
            let begin_search = match key_spec.begin_search {
                BeginSearch::Index(index) => search("index", vec![("index", int(index))]),
                BeginSearch::Keyword { keyword, startfrom } => search(
                    "keyword",
                    vec![
                        ("keyword", Reply::bulk(keyword)),
                        ("startfrom", int(startfrom)),
                    ],
                ),
                BeginSearch::Unknown => search("unknown", Vec::new()),
            };
            let find_keys = match key_spec.find_keys {
                FindKeys::Range {
                    lastkey,
                    keystep,
                    limit,
                } => search(
                    "range",
                    vec![
                        ("lastkey", int(lastkey)),
                        ("keystep", int(keystep)),
                        ("limit", int(limit)),
                    ],
                ),
                FindKeys::Keynum {
                    keynumidx,
                    firstkey,
                    keystep,
                } => search(
                    "keynum",
                    vec![
                        ("keynumidx", int(keynumidx)),
                        ("firstkey", int(firstkey)),
                        ("keystep", int(keystep)),
                    ],
                ),
                FindKeys::Unknown => search("unknown", Vec::new()),
            };
            let mut fields = Vec::new();
            if !key_spec.notes.is_empty() {
                fields.push(("notes", Reply::bulk(key_spec.notes)));
            }
            fields.push((
                "flags",
                Reply::Set(statuses(&key_flag::names(key_spec.flags))),
            ));
            fields.push(("begin_search", begin_search));
            fields.push(("find_keys", find_keys));
            Reply::field_map(fields)
        })
        .collect()
}

/// One command's COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL
/// categories, tips, key specs, subcommands.
fn info_entry(named: &Named) -> Reply {
    let spec = named.spec;
    // Redis answers an empty set for a command without subcommands but an array otherwise.
    let subcommands = if spec.subcommands.is_empty() {
        Reply::Set(Vec::new())
    } else {
        Reply::Array(named.subcommands().map(|sub| info_entry(&sub)).collect())
    };
    let categories = acl_categories(spec)
        .iter()
        .map(|c| Reply::Simple(format!("@{c}")))
        .collect();
    let positions = spec.key_positions();
    Reply::Array(vec![
        Reply::bulk(named.name.as_str()),
        Reply::Integer(spec.arity.into()),
        Reply::Set(statuses(&spec.flag_names())),
        Reply::Integer(positions.first.into()),
        Reply::Integer(positions.last.into()),
        Reply::Integer(positions.step.into()),
        Reply::Set(categories),
        Reply::Set(spec.tips.iter().map(|t| Reply::bulk(*t)).collect()),
        Reply::Set(key_specs(spec)),
        subcommands,
    ])
}

/// One command's COMMAND DOCS entry, in Redis's order: summary, since, group, complexity, then
/// what it has of doc flags, deprecation, history, arguments (`crate::command_docs`) and
/// subcommands.
fn docs_entry(named: &Named) -> Reply {
    let spec = named.spec;
    let doc = command_docs::of(&named.name);
    let mut fields = vec![
        ("summary", Reply::bulk(spec.summary)),
        ("since", Reply::bulk(spec.since)),
        ("group", Reply::bulk(spec.group)),
    ];
    if !spec.complexity.is_empty() {
        fields.push(("complexity", Reply::bulk(spec.complexity)));
    }
    if !doc.doc_flags.is_empty() {
        fields.push(("doc_flags", Reply::Set(statuses(&doc.doc_flags))));
    }
    if let Some(version) = doc.deprecated_since {
        fields.push(("deprecated_since", Reply::bulk(version)));
    }
    if let Some(replacement) = doc.replaced_by {
        fields.push(("replaced_by", Reply::bulk(replacement)));
    }
    if !doc.history.is_empty() {
        let changes = doc.history.iter().map(|(version, change)| {
            Reply::Array(vec![Reply::bulk(*version), Reply::bulk(*change)])
        });
        fields.push(("history", Reply::Set(changes.collect())));
    }
    if !doc.arguments.is_empty() {
        fields.push(("arguments", command_docs::arguments_reply(&doc.arguments)));
    }
    if !spec.subcommands.is_empty() {
        let subs = named
            .subcommands()
            .map(|sub| (Reply::bulk(sub.name.as_str()), docs_entry(&sub)));
        fields.push(("subcommands", Reply::Map(subs.collect())));
    }
    Reply::field_map(fields)
}

/// ```text
/// COMMAND
/// ```
/// Every command's COMMAND INFO entry.
fn command(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(all_info())
}

fn all_info() -> crate::Outcome {
    let top = spec::table().map(|spec| info_entry(&Named::top(spec)));
    Reply::Array(top.collect()).into()
}

/// ```text
/// COMMAND COUNT
/// ```
fn count(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(spec::table().count() as i64).into())
}

/// ```text
/// COMMAND LIST [FILTERBY (MODULE module-name | ACLCAT category | PATTERN pattern)]
/// ```
/// Every command's full name, subcommands included. No module is ever loaded, so filtering by
/// module lists nothing; an unknown ACL category lists nothing too. Patterns ignore case.
fn list(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    let keep: Box<dyn Fn(&Named) -> bool> = match &call.argv[2..] {
        [] => Box::new(|_| true),
        [filterby, kind, arg] if filterby.eq_ignore_ascii_case(b"filterby") => {
            if kind.eq_ignore_ascii_case(b"module") {
                Box::new(|_| false)
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                let category = acl::category_bit(arg);
                Box::new(move |named| {
                    category.is_some_and(|bit| acl::categories(named.spec) & bit != 0)
                })
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                Box::new(move |named| glob::matches(arg, named.name.as_bytes(), true))
            } else {
                return Err(Error::Syntax);
            }
        }
        _ => return Err(Error::Syntax),
    };
    let names = every_command()
        .filter(|named| keep(named))
        .map(|named| named.name);
    Ok(Reply::bulk_array(names).into())
}

/// ```text
/// COMMAND INFO [command-name [command-name ...]]
/// ```
/// Each named command's entry (a subcommand as `container|sub`), nil for an unknown name;
/// every command's entry when none is named.
fn info(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    if call.argv.len() == 2 {
        return Ok(all_info());
    }
    let entries = call.argv[2..]
        .iter()
        .map(|name| by_full_name(name).map_or(Reply::Null, |named| info_entry(&named)));
    Ok(Reply::Array(entries.collect()).into())
}

/// ```text
/// COMMAND DOCS [command-name [command-name ...]]
/// ```
/// A map from each known named command (unknown names are left out) to its documentation;
/// every command's when none is named.
fn docs(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    let named: Vec<Named> = if call.argv.len() == 2 {
        spec::table().map(Named::top).collect()
    } else {
        call.argv[2..]
            .iter()
            .filter_map(|name| by_full_name(name))
            .collect()
    };
    let entries = named
        .iter()
        .map(|n| (Reply::bulk(n.name.as_str()), docs_entry(n)));
    Ok(Reply::Map(entries.collect()).into())
}

/// The keys of a full command line with how the command uses each (argument index,
/// [`key_flag`] bits), checked as COMMAND GETKEYS checks them, in Redis's order: a known
/// command, one that takes keys, an argument count its arity allows, at least one key unless
/// the command may have none.
fn keys_of(argv: &[Vec<u8>]) -> Result<Vec<KeyReference>, Error> {
    let spec = by_argv(argv).ok_or(Error::InvalidCommandSpecified)?;
    if !has_keys(spec) {
        return Err(Error::CommandHasNoKeys);
    }
    if !spec.arity_ok(argv.len()) {
        return Err(Error::GetKeysWrongArity);
    }
    let keys = command_keys(spec, argv);
    if keys.is_empty() && !spec.has(flag::NO_MANDATORY_KEYS) {
        return Err(Error::InvalidArgumentsForCommand);
    }
    Ok(keys)
}

/// A key of a command line: its argument index and how the command uses it ([`key_flag`]
/// bits), Redis's `keyReference`.
pub(crate) type KeyReference = (usize, u32);

/// Does the command take keys at all (`doesCommandHaveKeys`)? Shard channels in a key spec's
/// place are no keys.
pub(crate) fn has_keys(spec: &CommandSpec) -> bool {
    spec.keys.iter().any(|k| k.flags & key_flag::NOT_KEY == 0)
}

/// The keys of a command line whose arity is right, with their flags, as Redis's
/// `getKeysFromCommandWithSpecs` finds them: by the key specs when they can tell (their flags
/// fixed, every spec's keys where it says), and otherwise by the command's own
/// `get_keys_function`. Empty when neither finds any.
pub(crate) fn command_keys(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<KeyReference> {
    let variable = spec
        .keys
        .iter()
        .any(|k| k.flags & key_flag::VARIABLE_FLAGS != 0);
    if !variable {
        if let Some(keys) = keys_by_specs(spec, argv) {
            return keys;
        }
    }
    get_keys_function(spec, argv)
}

/// `getKeysUsingKeySpecs`: every spec's keys in order, or `None` when a spec cannot say
/// (unknown, a count that is no strict non-negative integer, keys past the end). A spec whose
/// keyword is missing finds no keys.
fn keys_by_specs(spec: &CommandSpec, argv: &[Vec<u8>]) -> Option<Vec<KeyReference>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for key_spec in spec.keys {
        if key_spec.flags & key_flag::NOT_KEY != 0 {
            continue;
        }
        let mut first = match key_spec.begin_search {
            BeginSearch::Index(index) => i64::from(index),
            BeginSearch::Keyword { keyword, startfrom } => {
                match keyword_position(argv, keyword, startfrom) {
                    Some(at) => at as i64 + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => return None,
        };
        let (last, step) = match key_spec.find_keys {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let lastkey = i64::from(lastkey);
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / i64::from(limit) + lastkey)
                };
                (last, keystep)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                let count_at = usize::try_from(first + i64::from(keynumidx)).ok()?;
                let count = string2ll(argv.get(count_at)?).filter(|&n| n >= 0)?;
                first += i64::from(firstkey);
                // A count past the arguments (up to i64::MAX) finds no keys, as in Redis.
                (first.checked_add(count - 1)?, keystep)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let indexes = (first..=last).step_by(step.max(1) as usize);
        keys.extend(indexes.map(|i| (i as usize, key_spec.flags)));
    }
    Some(keys)
}

/// Where a keyword key spec finds its keyword (case-insensitive), searching forwards from a
/// positive `startfrom` up to the argument before the last, or backwards from the end down to
/// the second argument: `getKeysUsingKeySpecs`' walk, whose bounds are never searched.
fn keyword_position(argv: &[Vec<u8>], keyword: &str, startfrom: i32) -> Option<usize> {
    let argc = argv.len() as i64;
    let (start, end) = match startfrom {
        1.. => (i64::from(startfrom), argc - 1),
        _ => (argc + i64::from(startfrom), 1),
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            return None;
        }
        if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
            return Some(i as usize);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

/// The `get_keys_function` of the commands whose key specs cannot always tell: SET (is the
/// old value read? `setGetKeys`), BITFIELD (is the key only read? `bitfieldGetKeys`), SORT
/// and SORT_RO (STORE may come anywhere), and the commands
/// with a count of keys, which Redis reads again with C's `atoi` (`genericGetKeys`: the keys,
/// then the destination, all without flags).
fn get_keys_function(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<KeyReference> {
    match (spec.group, spec.name) {
        ("string", "set") => {
            let get = argv
                .iter()
                .skip(3)
                .any(|arg| arg.eq_ignore_ascii_case(b"get"));
            let flags = match get {
                true => key_flag::RW | key_flag::ACCESS | key_flag::UPDATE,
                false => key_flag::OW | key_flag::UPDATE,
            };
            vec![(1, flags)]
        }
        ("bitmap", "bitfield") => {
            let flags = match crate::cmd::bitops::bitfield_reads_only(argv) {
                true => key_flag::RO | key_flag::ACCESS,
                false => key_flag::RW | key_flag::ACCESS | key_flag::UPDATE,
            };
            vec![(1, flags)]
        }
        ("generic", "sort") => {
            let store = crate::cmd::sort::store_key_index(argv);
            let store = store.map(|at| (at, key_flag::OW | key_flag::UPDATE));
            std::iter::once((1, key_flag::RO | key_flag::ACCESS))
                .chain(store)
                .collect()
        }
        ("generic", "sort_ro") => vec![(1, key_flag::RO | key_flag::ACCESS)],
        ("stream", "xread" | "xreadgroup") => xread_get_keys(argv),
        _ => generic_get_keys(spec, argv),
    }
}

/// `xreadGetKeys`: the keys after the first STREAMS met among the options (skipped with their
/// arguments), half of what follows it, without flags; none when the rest is odd.
fn xread_get_keys(argv: &[Vec<u8>]) -> Vec<KeyReference> {
    let mut i = 1;
    let mut streams = None;
    while i < argv.len() {
        let arg = argv[i].to_ascii_lowercase();
        match arg.as_slice() {
            b"block" | b"count" => i += 1,
            b"group" => i += 2,
            b"noack" => {}
            b"streams" => {
                streams = Some(i);
                break;
            }
            _ => break,
        }
        i += 1;
    }
    let Some(at) = streams else {
        return Vec::new();
    };
    let rest = argv.len() - at - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return Vec::new();
    }
    (at + 1..at + 1 + rest / 2).map(|i| (i, 0)).collect()
}

/// `genericGetKeys` for a command with a count of keys: the count at its key spec's place,
/// read with `atoi`; the keys after it; a destination (the range spec before it) last.
fn generic_get_keys(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<KeyReference> {
    let mut count_spec = None;
    let mut destination = None;
    for key_spec in spec.keys {
        match (key_spec.begin_search, key_spec.find_keys) {
            (
                BeginSearch::Index(index),
                FindKeys::Keynum {
                    keynumidx,
                    firstkey,
                    keystep,
                },
            ) => {
                count_spec = Some((index + keynumidx, index + firstkey, keystep));
            }
            (BeginSearch::Index(index), FindKeys::Range { .. }) => destination = Some(index),
            _ => {}
        }
    }
    let Some((count_at, first, step)) = count_spec else {
        return Vec::new();
    };
    let (count_at, first, step) = (count_at as usize, first as usize, step.max(1) as usize);
    let Some(count) = argv.get(count_at).map(|arg| atoi(arg)) else {
        return Vec::new();
    };
    if count < 1 || count > (argv.len().saturating_sub(first) / step) as i64 {
        return Vec::new();
    }
    (0..count as usize)
        .map(|i| (first + i * step, 0))
        .chain(destination.map(|at| (at as usize, 0)))
        .collect()
}

/// C's `atoi`: optional blanks and sign, then digits up to the first non-digit; 0 when none.
fn atoi(bytes: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start();
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    sign * digits[..end]
        .parse::<i64>()
        .unwrap_or(if end == 0 { 0 } else { i64::MAX })
}

/// ```text
/// COMMAND GETKEYS command [arg [arg ...]]
/// ```
fn getkeys(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = &call.argv[2..];
    let keys = keys_of(argv)?;
    Ok(Reply::bulk_array(keys.into_iter().map(|(at, _)| argv[at].as_slice())).into())
}

/// ```text
/// COMMAND GETKEYSANDFLAGS command [arg [arg ...]]
/// ```
/// Each key with how the command uses it ([`key_flag`]).
fn getkeysandflags(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = &call.argv[2..];
    let keys = keys_of(argv)?;
    let entries = keys.into_iter().map(|(at, flags)| {
        Reply::Array(vec![
            Reply::bulk(argv[at].as_slice()),
            Reply::Set(statuses(&key_flag::names(flags))),
        ])
    });
    Ok(Reply::Array(entries.collect()).into())
}

/// ```text
/// COMMAND HELP
/// ```
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("COMMAND", HELP).into())
}

/// ```text
/// TIME
/// ```
/// The engine's clock as two bulk strings: Unix seconds, and microseconds within the second.
/// The clock counts milliseconds, so the microseconds are always a multiple of 1000.
fn time(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let now_ms = engine.now_ms;
    Ok(Reply::bulk_array([
        (now_ms / 1000).to_string(),
        (now_ms % 1000 * 1000).to_string(),
    ])
    .into())
}

/// ```text
/// LOLWUT [VERSION version] [argument ...]
/// ```
/// `VERSION 5` draws Schotter (`[columns [squares-per-row [squares-per-column]]]`, 66 8 12 by
/// default), `VERSION 6` the skyline (`[columns [rows]]`, 80 20), anything else only names
/// the version, as 7.0 does. Redis reads the version as an unsigned int written `N.0.0` and
/// picks the drawing by its first characters, so `VERSION 4294967301` is 5.
fn lolwut(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = &call.argv;
    let (version, args) = match argv.get(1) {
        Some(word) if argv.len() >= 3 && word.eq_ignore_ascii_case(b"version") => {
            let asked = parse_i64(&argv[2])? as u32;
            (format!("{asked}.0.0"), &argv[3..])
        }
        _ => (REDIS_VERSION.to_string(), &argv[1..]),
    };
    // The drawings' parameters, each clamped to 1..=max after all are read.
    let numbers = |defaults: &[(i64, i64)]| -> Result<Vec<i32>, Error> {
        let mut values = Vec::new();
        for (at, &(default, max)) in defaults.iter().enumerate() {
            let value = match args.get(at) {
                Some(arg) => parse_i64(arg)?,
                None => default,
            };
            values.push(value.clamp(1, max) as i32);
        }
        Ok(values)
    };
    let text = if version.starts_with("5.") {
        let n = numbers(&[(66, 1000), (8, 200), (12, 200)])?;
        lolwut::schotter(&mut engine.rng, n[0], n[1], n[2], REDIS_VERSION)
    } else if version.starts_with("6.") {
        let n = numbers(&[(80, 1000), (20, 1000)])?;
        lolwut::skyline(&mut engine.rng, n[0], n[1], REDIS_VERSION)
    } else {
        format!("Redis ver. {REDIS_VERSION}\n")
    };
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
    .into())
}

/// ```text
/// ROLE
/// ```
/// A replica's role (`crate::replication::replica`); a master's: its replication offset,
/// and for each online replica its address, the port it listens at and the offset it
/// acknowledged.
fn role(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    if let Some(reply) = engine.replica_role() {
        return Ok(reply.into());
    }
    use crate::replication::master::ReplicaState;
    let r = &engine.replication;
    let replicas = r
        .master
        .replicas()
        .filter(|(_, l)| l.state == Some(ReplicaState::Online))
        .map(|(id, l)| {
            Reply::Array(vec![
                Reply::bulk(engine.replica_ip(*id)),
                Reply::bulk(l.listening_port.to_string()),
                Reply::bulk(l.ack_offset.to_string()),
            ])
        })
        .collect();
    Ok(Reply::Array(vec![
        Reply::bulk("master"),
        Reply::Integer(r.master_repl_offset as i64),
        Reply::Array(replicas),
    ])
    .into())
}

/// ```text
/// MONITOR
/// ```
/// `OK`, then a line per command run by anyone (`crate::monitor`). Refused inside EXEC, which
/// expects a reply per command; a client already monitoring gets no reply at all.
fn monitor(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if engine.in_exec {
        return Err(Error::MonitorDenyBlocking);
    }
    match engine.start_monitoring(call.client) {
        true => Ok(Reply::ok().into()),
        false => Ok(Outcome::Replies(Vec::new())),
    }
}

// --- MEMORY ----------------------------------------------------------------------------------

/// MEMORY USAGE's default sample (`OBJ_COMPUTE_SIZE_DEF_SAMPLES`).
const USAGE_DEFAULT_SAMPLES: usize = 5;

/// ```text
/// MEMORY USAGE key [SAMPLES count]
/// ```
/// The key's modelled bytes: its value (aggregates priced from `count` elements spread over
/// it, 5 by default, all with 0), its name, and Redis's unrounded `sizeof(dictEntry)`, as
/// Redis's own estimate adds them. Nil for a missing key.
///
/// Like Redis's, the estimate adds the fixed structs (quicklist and its nodes, dict, dict
/// entries) at their C size, where `used_memory` counts their allocation.
fn memory_usage(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mut samples = USAGE_DEFAULT_SAMPLES;
    let mut options = call.argv[3..].chunks(2);
    for option in options.by_ref() {
        match option {
            [name, count] if name.eq_ignore_ascii_case(b"samples") => {
                let n = string2ll(count).ok_or(Error::NotInteger)?;
                samples = match n {
                    0 => 0,
                    1.. => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return Err(Error::Syntax),
                };
            }
            _ => return Err(Error::Syntax),
        }
    }
    // Redis's MEMORY USAGE finds the key in the dict itself (`dictFind`), not through
    // `lookupKey`: a key past its expiry but not yet collected still answers, nothing is
    // expired, touched or counted. So this one read bypasses the door, on purpose.
    let key = &call.argv[2];
    let Some(entry) = engine.dbs[call.db].keys.get(key.as_slice()) else {
        return Ok(Reply::Null.into());
    };
    // Redis prices a shared integer as if it were the key's own robj, and the fixed structs
    // at their C size.
    let pricing = memory::Pricing {
        structs: &memory::SIZEOF,
        samples,
        whole_listpacks: true,
        shared_integers: false,
    };
    let value = memory::value_size(&entry.value, pricing);
    let usage = value + memory::sds_alloc(key.len()) + memory::SIZEOF.dict_entry;
    Ok(Reply::Integer(usage as i64).into())
}

/// ```text
/// MEMORY STATS
/// ```
/// Redis's breakdown of `used_memory`, from the model; the allocator and fragmentation
/// figures come from the cron's last sample of the resident size (`crate::resident`), as
/// INFO's do. Replication and AOF buffers are never used.
fn memory_stats(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.track_peak_memory();
    let m = MemoryBreakdown::of(engine);
    let int = |n: usize| Reply::Integer(n as i64);
    let mut fields: Vec<(&str, Reply)> = vec![
        ("peak.allocated", int(m.peak)),
        ("total.allocated", int(m.used)),
        ("startup.allocated", int(m.startup)),
        ("replication.backlog", int(0)),
        ("clients.slaves", int(0)),
        ("clients.normal", int(m.clients)),
        ("cluster.links", int(0)),
        ("aof.buffer", int(0)),
        ("lua.caches", int(0)),
        ("functions.caches", int(engine.functions_memory())),
    ];
    let mut dbs = Vec::new();
    for (i, d) in engine.dbs.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        dbs.push((
            format!("db.{i}"),
            Reply::field_map(vec![
                ("overhead.hashtable.main", int(d.main_dict_overhead())),
                ("overhead.hashtable.expires", int(d.expires_dict_overhead())),
            ]),
        ));
    }
    fields.extend(
        dbs.iter()
            .map(|(name, reply)| (name.as_str(), reply.clone())),
    );
    let keys: usize = engine.dbs.iter().map(|d| d.len()).sum();
    let net = m.used.saturating_sub(m.startup);
    let sample = engine.memory_sample();
    let o = sample.overheads();
    let long = |n: u64| Reply::Integer(n as i64);
    let ratio = |r: f32| Reply::Double(f64::from(r));
    fields.extend([
        ("overhead.total", int(m.overhead)),
        ("keys.count", int(keys)),
        (
            "keys.bytes-per-key",
            int(net.checked_div(keys).unwrap_or(0)),
        ),
        ("dataset.bytes", int(m.dataset)),
        ("dataset.percentage", Reply::Double(m.dataset_perc())),
        ("peak.percentage", Reply::Double(m.peak_perc())),
        ("allocator.allocated", long(sample.allocator_allocated)),
        ("allocator.active", long(sample.allocator_active)),
        ("allocator.resident", long(sample.allocator_resident)),
        ("allocator-fragmentation.ratio", ratio(o.allocator_frag)),
        (
            "allocator-fragmentation.bytes",
            Reply::Integer(o.allocator_frag_bytes),
        ),
        ("allocator-rss.ratio", ratio(o.allocator_rss)),
        ("allocator-rss.bytes", Reply::Integer(o.allocator_rss_bytes)),
        ("rss-overhead.ratio", ratio(o.rss_extra)),
        ("rss-overhead.bytes", Reply::Integer(o.rss_extra_bytes)),
        ("fragmentation", ratio(o.total_frag)),
        ("fragmentation.bytes", Reply::Integer(o.total_frag_bytes)),
    ]);
    Ok(Reply::field_map(fields).into())
}

/// Below this much memory (Redis's 5 MB) MEMORY DOCTOR declines to diagnose.
const DOCTOR_MIN_MEMORY: usize = 5 * 1024 * 1024;

/// An overhead MEMORY DOCTOR reports only past this many bytes (Redis's 10 MB).
const DOCTOR_MIN_OVERHEAD: i64 = 10 << 20;

/// ```text
/// MEMORY DOCTOR
/// ```
/// Redis's report, for what can happen here: little memory, a peak far above the current
/// use, and a resident size far above `used_memory` (from the cron's last sample,
/// `crate::resident`). Replicas' buffers, big client buffers and many cached scripts are
/// not diagnosed.
fn memory_doctor(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let m = MemoryBreakdown::of(engine);
    let o = engine.memory_sample().overheads();
    let past = |ratio: f32, limit: f32, bytes: i64| ratio > limit && bytes > DOCTOR_MIN_OVERHEAD;
    let mut issues = Vec::new();
    if m.peak as f32 / m.used as f32 > 1.5 {
        issues.push(
            " * Peak memory: In the past this instance used more than 150% the memory that is \
             currently using. The allocator is normally not able to release memory after a \
             peak, so you can expect to see a big fragmentation ratio, however this is \
             actually harmless and is only due to the memory peak, and if the Redis instance \
             Resident Set Size (RSS) is currently bigger than expected, the memory will be \
             used as soon as you fill the Redis instance with more data. If the memory peak \
             was only occasional and you want to try to reclaim memory, please try the \
             MEMORY PURGE command, otherwise the only other option is to shutdown and restart \
             the instance.\n\n"
                .to_string(),
        );
    }
    if past(o.total_frag, 1.4, o.total_frag_bytes) {
        issues.push(format!(
            " * High total RSS: This instance has a memory fragmentation and RSS overhead \
             greater than 1.4 (this means that the Resident Set Size of the Redis process is \
             much larger than the sum of the logical allocations Redis performed). This \
             problem is usually due either to a large peak memory (check if there is a peak \
             memory entry above in the report) or may result from a workload that causes the \
             allocator to fragment memory a lot. If the problem is a large peak memory, then \
             there is no issue. Otherwise, make sure you are using the Jemalloc allocator and \
             not the default libc malloc. Note: The currently used allocator is \"{}\".\n\n",
            crate::cmd::info::MEM_ALLOCATOR
        ));
    }
    if past(o.allocator_frag, 1.1, o.allocator_frag_bytes) {
        issues.push(
            " * High allocator fragmentation: This instance has an allocator external \
             fragmentation greater than 1.1. This problem is usually due either to a large \
             peak memory (check if there is a peak memory entry above in the report) or may \
             result from a workload that causes the allocator to fragment memory a lot. You \
             can try enabling 'activedefrag' config option.\n\n"
                .to_string(),
        );
    }
    if past(o.allocator_rss, 1.1, o.allocator_rss_bytes) {
        issues.push(
            " * High allocator RSS overhead: This instance has an RSS memory overhead is \
             greater than 1.1 (this means that the Resident Set Size of the allocator is much \
             larger than the sum what the allocator actually holds). This problem is usually \
             due to a large peak memory (check if there is a peak memory entry above in the \
             report), you can try the MEMORY PURGE command to reclaim it.\n\n"
                .to_string(),
        );
    }
    if past(o.rss_extra, 1.1, o.rss_extra_bytes) {
        issues.push(
            " * High process RSS overhead: This instance has non-allocator RSS memory overhead \
             is greater than 1.1 (this means that the Resident Set Size of the Redis process is \
             much larger than the RSS the allocator holds). This problem may be due to Lua \
             scripts or Modules.\n\n"
                .to_string(),
        );
    }
    let text = if m.used < DOCTOR_MIN_MEMORY {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector \
         can't be used in these conditions. Please, leave for your mission on Earth and fill \
         it with some data. The new Sam and I will be back to our programming as soon as I \
         finished rebooting.\n"
            .to_string()
    } else if issues.is_empty() {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what \
         occurs on this base.\n"
            .to_string()
    } else {
        format!(
            "Sam, I detected a few issues in this Redis instance memory implants:\n\n{}\
             I'm here to keep you safe, Sam. I want to help you.\n",
            issues.concat()
        )
    };
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
    .into())
}

/// ```text
/// MEMORY PURGE
/// ```
/// Nothing to give back: the model never holds dirty pages.
fn memory_purge(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::ok().into())
}

/// ```text
/// MEMORY MALLOC-STATS
/// ```
/// What Redis answers when built without jemalloc: the model has no allocator to report on.
fn memory_malloc_stats(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: b"Stats not supported for the current allocator".to_vec(),
    }
    .into())
}

/// ```text
/// MEMORY HELP
/// ```
fn memory_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help(
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    )
    .into())
}

// --- SLOWLOG ---------------------------------------------------------------------------------

/// Entries SLOWLOG GET returns without a count.
const SLOWLOG_GET_DEFAULT: usize = 10;

/// ```text
/// SLOWLOG GET [count]
/// ```
/// The newest `count` entries (10 by default, all with -1), newest first, each as
/// `[id, timestamp, microseconds, [argument ...], "ip:port", "client name"]`.
fn slowlog_get(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = match &call.argv[2..] {
        [] => SLOWLOG_GET_DEFAULT,
        [count] => match string2ll(count).ok_or(Error::SlowlogCount)? {
            -1 => usize::MAX,
            n => usize::try_from(n).map_err(|_| Error::SlowlogCount)?,
        },
        _ => {
            return Err(Error::SubcommandSyntax {
                subcommand: String::from_utf8_lossy(&call.argv[1]).into_owned(),
                command: "SLOWLOG".into(),
            })
        }
    };
    let entries = engine.slowlog.newest(count).map(|e| e.to_reply());
    Ok(Reply::Array(entries.collect()).into())
}

/// ```text
/// SLOWLOG LEN
/// ```
fn slowlog_len(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(engine.slowlog.len() as i64).into())
}

/// ```text
/// SLOWLOG RESET
/// ```
fn slowlog_reset(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.slowlog.reset();
    Ok(Reply::ok().into())
}

/// ```text
/// SLOWLOG HELP
/// ```
fn slowlog_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help(
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    )
    .into())
}
