//! The spec table: every command's metadata in one place, as Redis keeps it in
//! `src/commands/*.json`. It drives arity errors, `COMMAND` (COUNT, LIST, INFO, DOCS, GETKEYS),
//! ACL key permissions, and the console's completion, hints and help.
//!
//! A row's keys are Redis 7.0's key specs, copied from its `COMMAND INFO`: where each key is
//! and how the command uses it ([`KeySpec`], [`key_flag`]). COMMAND INFO shows them, with the
//! legacy (first, last, step) triple derived from them as Redis derives it
//! ([`CommandSpec::key_positions`]); COMMAND GETKEYS(ANDFLAGS) and the ACL key check find a
//! command line's keys with them (`crate::cmd::server::command_keys`).
//!
//! Each command family declares its rows beside its handlers (`cmd::string::COMMANDS`, ...), the
//! way Redis keeps one JSON file per command; [`table`] is the single table they make together,
//! and [`lookup`] is the only way a name becomes a command.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::Outcome;

/// What a handler returns.
pub type CommandResult = Result<Outcome, Error>;

/// A command's implementation.
pub type Handler = fn(&mut Engine, &Call<'_>) -> CommandResult;

/// Command flags, named as `COMMAND INFO` names them.
pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    /// A read that may still write what it must propagate (PFCOUNT caching its estimate). Not
    /// in [`NAMES`]: Redis's COMMAND INFO hides it on purpose.
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const NO_MULTI: u32 = 1 << 15;
    pub const MOVABLEKEYS: u32 = 1 << 16;
    pub const ALLOW_BUSY: u32 = 1 << 17;
    /// Refused while a replica loads its data asynchronously (SAVE, BGSAVE, BGREWRITEAOF).
    pub const NO_ASYNC_LOADING: u32 = 1 << 18;
    /// Not listed by COMMAND INFO either: refused before it runs (or is queued) unless
    /// `enable-debug-command` allows it (Redis's `CMD_PROTECTED`, DEBUG's flag).
    pub const PROTECTED: u32 = 1 << 19;
    /// Not flags either: ACL categories a row declares beyond those its group and flags imply
    /// (`crate::acl::categories`), as Redis's JSON files list `acl_categories` (@keyspace and
    /// @dangerous on FLUSHALL, @connection on COMMAND). A row declaring a data type category
    /// (SORT's @list @set @sortedset) has no category from its group.
    pub const ACL_KEYSPACE: u32 = 1 << 20;
    pub const ACL_DANGEROUS: u32 = 1 << 21;
    pub const ACL_CONNECTION: u32 = 1 << 22;
    pub const ACL_LIST: u32 = 1 << 23;
    pub const ACL_SET: u32 = 1 << 24;
    pub const ACL_SORTEDSET: u32 = 1 << 25;
    /// @admin for a command without the admin flag (LASTSAVE).
    pub const ACL_ADMIN: u32 = 1 << 26;
    /// Not listed either: a script's command (EVAL, FCALL), whose writes reach the log as
    /// their effects while it runs and never as itself (Redis's `preventCommandPropagation`).
    pub const EFFECTS_PROPAGATED: u32 = 1 << 27;
    /// Accepted from a client that was redirected with -ASK (RESTORE-ASKING).
    pub const ASKING: u32 = 1 << 28;

    /// Every flag with its `COMMAND INFO` name, in Redis's order.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        // MAY_REPLICATE is hidden from COMMAND INFO, on purpose in Redis too.
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLEKEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// How a command uses the keys a [`KeySpec`] finds, named as `COMMAND INFO` names them
/// (Redis's `CMD_KEY_*`). The first four say what happens to the key's value as a whole (read
/// only, read and written, overwritten, removed); the next four are finer: the value is read
/// (`access`), changed in place (`update`), added to (`insert`) or taken from (`delete`). ACL
/// key patterns check the finer ones: `access` needs the read permission, the other three the
/// write one.
pub mod key_flag {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    /// The arguments name shard channels, which pick a cluster slot as keys do but are no keys
    /// (SPUBLISH, SSUBSCRIBE).
    pub const NOT_KEY: u32 = 1 << 8;
    /// The flags differ per invocation: a `get_keys_function` finds the keys and their flags
    /// (SET with or without GET).
    pub const VARIABLE_FLAGS: u32 = 1 << 9;
    /// The spec finds some of the keys only: where it matches, the command's own
    /// `get_keys_function` finds them all (MIGRATE's KEYS).
    pub const INCOMPLETE: u32 = 1 << 10;

    /// Every flag with its `COMMAND INFO` name, in Redis's order.
    pub const NAMES: &[(u32, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];

    /// The names of the bits set in `flags`, in Redis's order.
    pub fn names(flags: u32) -> Vec<&'static str> {
        NAMES
            .iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, name)| *name)
            .collect()
    }
}

/// Where a key spec starts looking: at a fixed argument, after a keyword looked for from
/// `startfrom` on (backwards from the end when negative: XREAD's STREAMS; GEORADIUS's STORE),
/// or somewhere no spec can say (SORT's STORE may come anywhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeginSearch {
    Index(i32),
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

/// How a key spec finds its keys from where it began: a range (`lastkey` counts from the
/// beginning, or from the end when negative, every `keystep`-th argument; with a `limit`, -1
/// means the first 1/`limit` of what is left: XREAD's keys, then as many IDs), a count read at
/// `keynumidx` with the keys from `firstkey` on (both relative to the beginning), or unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindKeys {
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

/// One of a command's key specs, as Redis 7.0's `COMMAND INFO` gives them: which arguments
/// are keys and how the command uses them ([`key_flag`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// Redis's note on the spec, or empty.
    pub notes: &'static str,
    pub flags: u32,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

impl KeySpec {
    /// The keys from `index` to `lastkey` (see [`FindKeys::Range`]).
    pub const fn range(flags: u32, index: i32, lastkey: i32, keystep: i32) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin_search: BeginSearch::Index(index),
            find_keys: FindKeys::Range {
                lastkey,
                keystep,
                limit: 0,
            },
        }
    }

    /// The keys after `keyword` (searched from `startfrom`), up to `lastkey` with `limit`
    /// (see [`FindKeys::Range`]).
    pub const fn keyword(
        flags: u32,
        keyword: &'static str,
        startfrom: i32,
        lastkey: i32,
        keystep: i32,
        limit: i32,
    ) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin_search: BeginSearch::Keyword { keyword, startfrom },
            find_keys: FindKeys::Range {
                lastkey,
                keystep,
                limit,
            },
        }
    }

    /// A count at `index + keynumidx`, then that many keys (see [`FindKeys::Keynum`]).
    pub const fn keynum(
        flags: u32,
        index: i32,
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    ) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin_search: BeginSearch::Index(index),
            find_keys: FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            },
        }
    }

    /// Keys no spec can find: the command's own `get_keys_function` finds them.
    pub const fn unknown(flags: u32) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin_search: BeginSearch::Unknown,
            find_keys: FindKeys::Unknown,
        }
    }

    pub const fn notes(self, notes: &'static str) -> KeySpec {
        KeySpec { notes, ..self }
    }
}

/// Redis's legacy (first, last, step) description of a command's keys, derived from its key
/// specs as `populateCommandLegacyRangeSpec` derives it: the one index-and-range spec as it
/// is, or else the consecutive step-1 ranges joined (others are skipped; a command with such
/// keys is `movablekeys`). `last` -1 means the last argument, -2 the one before it; all zero
/// for commands without keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyPositions {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

impl KeyPositions {
    fn of(specs: &[KeySpec]) -> KeyPositions {
        let range = |spec: &KeySpec| match (spec.begin_search, spec.find_keys) {
            (
                BeginSearch::Index(index),
                FindKeys::Range {
                    lastkey, keystep, ..
                },
            ) => Some((index, lastkey, keystep)),
            _ => None,
        };
        if let [spec] = specs {
            if let Some((first, lastkey, step)) = range(spec) {
                let last = if lastkey < 0 {
                    lastkey
                } else {
                    first + lastkey
                };
                return KeyPositions { first, last, step };
            }
        }
        let (mut first, mut last, mut prev_last) = (i32::MAX, 0i32, 0i32);
        for (index, lastkey, step) in specs.iter().filter_map(range) {
            if step != 1 || (prev_last != 0 && prev_last != index - 1) {
                continue;
            }
            first = first.min(index);
            let absolute = if lastkey >= 0 {
                lastkey + index
            } else {
                lastkey
            };
            // Compared unsigned, as Redis compares them: a count from the end is the larger.
            last = (last as u32).max(absolute as u32) as i32;
            prev_last = last;
        }
        if first == i32::MAX {
            return KeyPositions {
                first: 0,
                last: 0,
                step: 0,
            };
        }
        KeyPositions {
            first,
            last,
            step: 1,
        }
    }
}

/// One row of the spec table.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case name; for a subcommand, the part after the container (`setname`).
    pub name: &'static str,
    /// Redis's arity: N means exactly N arguments counting the name, -N means at least N.
    /// A subcommand's arity counts the container too (`CLIENT SETNAME n` is 3).
    pub arity: i32,
    /// Bits from [`flag`].
    pub flags: u32,
    /// Redis's group: `string`, `generic`, `connection`, `server`...
    pub group: &'static str,
    /// The Redis version that introduced it.
    pub since: &'static str,
    /// One line in English (the 繁體中文 line lives with the UI strings).
    pub summary: &'static str,
    /// The arguments after the name, as Redis's docs write them.
    pub syntax: &'static str,
    /// Time complexity, as Redis's docs give it.
    pub complexity: &'static str,
    /// Its key specs, in Redis's order.
    pub keys: &'static [KeySpec],
    /// Redis's command tips, as COMMAND INFO lists them (`nondeterministic_output`,
    /// `request_policy:all_shards`, ...): what a client or a cluster proxy should know.
    pub tips: &'static [&'static str],
    /// The implementation; `None` for a container, which only dispatches to `subcommands`.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
}

/// A command of Redis's `group` with no subcommands and no tips: how the families whose
/// commands are all alike (bitmaps, geo, HyperLogLog, sorted sets) write their rows.
#[allow(clippy::too_many_arguments)]
pub const fn row(
    group: &'static str,
    name: &'static str,
    arity: i32,
    flags: u32,
    since: &'static str,
    summary: &'static str,
    syntax: &'static str,
    complexity: &'static str,
    keys: &'static [KeySpec],
    handler: Handler,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        group,
        since,
        summary,
        syntax,
        complexity,
        keys,
        tips: &[],
        handler: Some(handler),
        subcommands: &[],
    }
}

impl CommandSpec {
    /// True when `flag` (from [`flag`]) is set.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// The flag names, in Redis's order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        flag::NAMES
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, name)| *name)
            .collect()
    }

    /// The legacy (first, last, step) triple COMMAND INFO lists beside the key specs.
    pub fn key_positions(&self) -> KeyPositions {
        KeyPositions::of(self.keys)
    }

    /// Does `argc` (the name included) satisfy the arity?
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// The subcommand called `name` (any case).
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.subcommands
            .iter()
            .find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
    }
}

/// Every command family's rows, in one table.
pub fn table() -> impl Iterator<Item = &'static CommandSpec> {
    crate::cmd::FAMILIES.iter().flat_map(|family| family.iter())
}

/// The top-level command called `name` (any case). Every command goes through here, so the
/// table is indexed once by lower-case name rather than walked per call (a walk over two
/// hundred rows cost more than GET itself).
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    static INDEX: OnceLock<HashMap<&'static [u8], &'static CommandSpec>> = OnceLock::new();
    let index = INDEX.get_or_init(|| table().map(|spec| (spec.name.as_bytes(), spec)).collect());
    // Names are short; a longer argument cannot be a command and needs no copy.
    let mut lower = [0u8; 32];
    let name_lower = lower.get_mut(..name.len())?;
    name_lower.copy_from_slice(name);
    name_lower.make_ascii_lowercase();
    index.get(&*name_lower).copied()
}

/// Resolves argv to the spec that runs it: the command, or for a container with a subcommand
/// argument, that subcommand. Returns the spec and Redis's full name (`client|setname`).
pub fn resolve(argv: &[Vec<u8>]) -> Result<(&'static CommandSpec, String), Error> {
    let first = argv.first().map(Vec::as_slice).unwrap_or_default();
    let Some(spec) = lookup(first) else {
        return Err(unknown_command(argv));
    };
    if spec.subcommands.is_empty() || argv.len() < 2 {
        return Ok((spec, spec.name.to_string()));
    }
    match spec.subcommand(&argv[1]) {
        Some(sub) => Ok((sub, format!("{}|{}", spec.name, sub.name))),
        None => Err(Error::UnknownSubcommand {
            subcommand: truncated(&argv[1], 128),
            command: truncated(first, usize::MAX).to_uppercase(),
        }),
    }
}

/// The argument indexes of a command line's keys, as COMMAND GETKEYS finds them
/// (`crate::cmd::server::command_keys`); none for an unknown command or a wrong argument count.
pub fn key_indexes(argv: &[Vec<u8>]) -> Vec<usize> {
    match resolve(argv) {
        Ok((spec, _)) if spec.arity_ok(argv.len()) => crate::cmd::server::command_keys(spec, argv)
            .into_iter()
            .map(|(index, _)| index)
            .collect(),
        _ => Vec::new(),
    }
}

/// Redis quotes the name (at most 128 bytes) and then arguments until the quoted list reaches
/// 128 bytes, the last one cut to fit.
fn unknown_command(argv: &[Vec<u8>]) -> Error {
    let name = truncated(argv.first().map(Vec::as_slice).unwrap_or_default(), 128);
    let mut args = Vec::new();
    let mut quoted_len = 0;
    for arg in argv.iter().skip(1) {
        if quoted_len >= 128 {
            break;
        }
        let arg = c_str(arg, 128 - quoted_len);
        quoted_len += arg.len() + 3;
        args.push(String::from_utf8_lossy(arg).into_owned());
    }
    Error::UnknownCommand { name, args }
}

/// What C's `%.*s` prints of `bytes`, as text: up to the first NUL, at most `max` bytes.
pub(crate) fn truncated(bytes: &[u8], max: usize) -> String {
    String::from_utf8_lossy(c_str(bytes, max)).into_owned()
}

/// What C's `%.*s` prints of `bytes`: up to the first NUL, at most `max` bytes.
fn c_str(bytes: &[u8], max: usize) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end.min(max)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_key_positions_come_from_the_key_specs() {
        let positions = |name: &str| {
            let p = lookup(name.as_bytes()).unwrap().key_positions();
            (p.first, p.last, p.step)
        };
        assert_eq!(positions("mset"), (1, -1, 2));
        assert_eq!(positions("get"), (1, 1, 1));
        assert_eq!(positions("blpop"), (1, -2, 1));
        // Destination then sources: two consecutive ranges joined.
        assert_eq!(positions("sunionstore"), (1, -1, 1));
        // A count of keys cannot be told in advance.
        assert_eq!(positions("zunionstore"), (1, 1, 1));
        assert_eq!(positions("zunion"), (0, 0, 0));
        assert_eq!(positions("ping"), (0, 0, 0));
    }

    #[test]
    fn key_indexes_of_command_lines() {
        let keys = |line: &str| {
            let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
            key_indexes(&argv)
        };
        assert_eq!(keys("SPOP k 2"), [1]);
        assert_eq!(keys("MSET a 1 b 2"), [1, 3]);
        assert_eq!(keys("ZUNIONSTORE d 2 a b"), [1, 3, 4]);
        assert_eq!(keys("SORT k BY x STORE d"), [1, 5]);
        assert_eq!(keys("OBJECT ENCODING k"), [2]);
        assert!(keys("RANDOMKEY").is_empty());
        assert!(keys("SPOP").is_empty());
        assert!(keys("NOSUCH k").is_empty());
    }

    #[test]
    fn every_name_is_unique_and_lower_case() {
        let mut names: Vec<_> = table().map(|s| s.name).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| !c.is_ascii_uppercase())));
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a command is declared twice");
    }
}
