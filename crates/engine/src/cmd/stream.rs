//! The stream family (Redis's `t_stream.c` commands): XADD and the reads (XRANGE, XREVRANGE,
//! XLEN, XREAD), deletion and trimming (XDEL, XTRIM), consumer groups (XGROUP, XREADGROUP, XACK,
//! XPENDING, XCLAIM, XAUTOCLAIM), XINFO and XSETID. The structure is `crate::types::stream`'s;
//! this file reads arguments in Redis's order, with its errors, and answers as Redis does.
//!
//! What Redis does beside the reply is done here too, in its way for each command: which
//! keyspace notification it sends, whether it touches WATCHed keys (XADD, XDEL, XTRIM do; the
//! group commands do not), how much it counts as changed, and what it propagates to the
//! append-only log: XADD with the ID it chose and MAXLEN/MINID `~` as the exact trim it did,
//! XREADGROUP, XCLAIM and XAUTOCLAIM as the XCLAIMs (and XGROUP commands) that recreate their
//! pending entries, never themselves. Blocked XREAD and XREADGROUP clients are served by
//! [`serve_blocked`], which `crate::blocking` calls when a stream they wait on is written.

use crate::args::{is, parse_i64, string2ull};
use crate::blocking::{Blocked, GroupWait, Serve, StreamWait};
use crate::db::Value;
use crate::engine::{Call, ClientId, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::stream::{
    AppendError, Delivery, Entry, Group, NewId, NodeLimits, Stream, StreamId, Trim,
    ENTRIES_READ_UNKNOWN,
};
use crate::Outcome;

const STREAM_RO: u32 = key_flag::RO | key_flag::ACCESS;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Appends a new entry to a stream, creating it if needed.",
        syntax: "key [NOMKSTREAM] [(MAXLEN | MINID) [= | ~] threshold [LIMIT count]] (* | id) field value [field value ...]",
        complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)
            .notes("UPDATE instead of INSERT because of the optional trimming feature")],
        tips: &["nondeterministic_output"],
        handler: Some(xadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns the entries of a stream within a range of IDs.",
        syntax: "key start end [COUNT count]",
        complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        keys: &[KeySpec::range(STREAM_RO, 1, 0, 1)],
        tips: &[],
        handler: Some(xrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns the entries of a stream within a range of IDs, newest first.",
        syntax: "key end start [COUNT count]",
        complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        keys: &[KeySpec::range(STREAM_RO, 1, 0, 1)],
        tips: &[],
        handler: Some(xrevrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Returns the number of entries in a stream.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(xlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Deletes entries from a stream, answering how many it found.",
        syntax: "key id [id ...]",
        complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(xdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: flag::WRITE,
        group: "stream",
        since: "5.0.0",
        summary: "Deletes the oldest entries of a stream, by length or by ID.",
        syntax: "key (MAXLEN | MINID) [= | ~] threshold [LIMIT count]",
        complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(xtrim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: flag::READONLY | flag::BLOCKING | flag::MOVABLEKEYS,
        group: "stream",
        since: "5.0.0",
        summary: "Reads the entries of streams after given IDs, waiting for some if none is there.",
        syntax: "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
        complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        keys: &[KeySpec::keyword(STREAM_RO, "STREAMS", 1, -1, 1, 2)],
        tips: &[],
        handler: Some(xread),
        subcommands: &[],
    },
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: flag::WRITE | flag::BLOCKING | flag::MOVABLEKEYS,
        group: "stream",
        since: "5.0.0",
        summary: "Reads entries for a consumer of a group: new ones (>) or its own pending ones, waiting for new ones if none is there.",
        syntax: "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
        complexity: "For each stream mentioned: O(M) with M the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        keys: &[KeySpec::keyword(STREAM_RO, "STREAMS", 4, -1, 1, 2)],
        tips: &[],
        handler: Some(xreadgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "xgroup",
        arity: -2,
        flags: 0,
        group: "stream",
        since: "5.0.0",
        summary: "A container for consumer group commands.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: XGROUP_SUBCOMMANDS,
    },
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: flag::WRITE | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Acknowledges entries of a group's pending entries list, answering how many were pending.",
        syntax: "key group id [id ...]",
        complexity: "O(1) for each message ID processed.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(xack),
        subcommands: &[],
    },
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns a group's pending entries: a summary, or the entries with their owner, idle time and deliveries.",
        syntax: "key group [[IDLE min-idle-time] start end count [consumer]]",
        complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        keys: &[KeySpec::range(STREAM_RO, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(xpending),
        subcommands: &[],
    },
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: flag::WRITE | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Gives pending entries idle long enough to another consumer.",
        syntax: "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]",
        complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(xclaim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: flag::WRITE | flag::FAST,
        group: "stream",
        since: "6.2.0",
        summary: "Gives the pending entries idle long enough, from an ID on, to another consumer, answering where to go on from.",
        syntax: "key group consumer min-idle-time start [COUNT count] [JUSTID]",
        complexity: "O(1) if COUNT is small.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(xautoclaim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xinfo",
        arity: -2,
        flags: 0,
        group: "stream",
        since: "5.0.0",
        summary: "A container for stream introspection commands.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: XINFO_SUBCOMMANDS,
    },
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "stream",
        since: "5.0.0",
        summary: "Sets a stream's last ID, and its entries added and highest deleted ID.",
        syntax: "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-entry-id]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(xsetid),
        subcommands: &[],
    },
];

static XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "create",
        arity: -5,
        flags: flag::WRITE | flag::DENYOOM,
        group: "stream",
        since: "5.0.0",
        summary: "Creates a consumer group, and with MKSTREAM its stream.",
        syntax: "key groupname (id | $) [MKSTREAM] [ENTRIESREAD entries-read]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1)],
        tips: &[],
        handler: Some(xgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "setid",
        arity: -5,
        flags: flag::WRITE,
        group: "stream",
        since: "5.0.0",
        summary: "Sets a consumer group's last delivered ID and read counter.",
        syntax: "key groupname (id | $) [ENTRIESREAD entries-read]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 2, 0, 1)],
        tips: &[],
        handler: Some(xgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "destroy",
        arity: 4,
        flags: flag::WRITE,
        group: "stream",
        since: "5.0.0",
        summary: "Destroys a consumer group, with its consumers and pending entries.",
        syntax: "key groupname",
        complexity:
            "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 2, 0, 1)],
        tips: &[],
        handler: Some(xgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "createconsumer",
        arity: 5,
        flags: flag::WRITE | flag::DENYOOM,
        group: "stream",
        since: "6.2.0",
        summary: "Creates a consumer in a consumer group.",
        syntax: "key groupname consumername",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1)],
        tips: &[],
        handler: Some(xgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "delconsumer",
        arity: 5,
        flags: flag::WRITE,
        group: "stream",
        since: "5.0.0",
        summary:
            "Deletes a consumer from a consumer group, answering how many entries it had pending.",
        syntax: "key groupname consumername",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 2, 0, 1)],
        tips: &[],
        handler: Some(xgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "stream",
        since: "5.0.0",
        summary: "Returns helpful text about the different subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(xgroup_help),
        subcommands: &[],
    },
];

static XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "stream",
        arity: -3,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns information about a stream, or with FULL its entries, groups and pending entries too.",
        syntax: "key [FULL [COUNT count]]",
        complexity: "O(1)",
        keys: &[KeySpec::range(STREAM_RO, 2, 0, 1)],
        tips: &[],
        handler: Some(xinfo),
        subcommands: &[],
    },
    CommandSpec {
        name: "groups",
        arity: 3,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns a stream's consumer groups.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(STREAM_RO, 2, 0, 1)],
        tips: &[],
        handler: Some(xinfo),
        subcommands: &[],
    },
    CommandSpec {
        name: "consumers",
        arity: 4,
        flags: flag::READONLY,
        group: "stream",
        since: "5.0.0",
        summary: "Returns the consumers of a consumer group.",
        syntax: "key groupname",
        complexity: "O(1)",
        keys: &[KeySpec::range(STREAM_RO, 2, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(xinfo),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "stream",
        since: "5.0.0",
        summary: "Returns helpful text about the different subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(xinfo),
        subcommands: &[],
    },
];

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

/// At most this many entries for a blocked XREAD without COUNT
/// (`XREAD_BLOCKED_DEFAULT_COUNT`).
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// XAUTOCLAIM looks at up to this many PEL entries per entry it may claim.
const AUTOCLAIM_ATTEMPTS_FACTOR: u64 = 10;

/// The largest allocation that can succeed on the x86-64 machines Redis runs on (their 47-bit
/// user address space): XAUTOCLAIM's COUNT asks for 16 bytes per entry up front, and a COUNT
/// needing more than this fails to allocate there.
const ADDRESS_SPACE: u64 = 1 << 47;

// --- Arguments ------------------------------------------------------------------------------

/// What C's string functions see of an argument: up to its first NUL.
fn c_str(arg: &[u8]) -> &[u8] {
    &arg[..arg.iter().position(|&b| b == 0).unwrap_or(arg.len())]
}

/// An argument as Redis's `%s` prints it in an error.
fn text(arg: &[u8]) -> String {
    String::from_utf8_lossy(c_str(arg)).into_owned()
}

/// Reads a stream ID as `streamGenericParseIDOrReply` does: `ms-seq`, or `ms` alone with
/// `missing_seq`, each part as `string2ull` reads it; `-` and `+` for the lowest and highest
/// IDs unless `strict`; with `seq_auto`, `ms-*` too (then the second value is false: the
/// sequence is to be chosen). At most 127 bytes, read up to a NUL.
fn parse_id_generic(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    seq_auto: bool,
) -> Result<(StreamId, bool)> {
    if arg.len() > 127 {
        return Err(Error::InvalidStreamId);
    }
    let buf = c_str(arg);
    match buf {
        b"-" | b"+" if strict => Err(Error::InvalidStreamId),
        b"-" => Ok((StreamId::MIN, true)),
        b"+" => Ok((StreamId::MAX, true)),
        _ => match buf.strip_suffix(b"-*") {
            Some(ms) if seq_auto => {
                let ms = string2ull(ms).ok_or(Error::InvalidStreamId)?;
                Ok((StreamId::new(ms, 0), false))
            }
            _ => StreamId::parse(buf, missing_seq)
                .map(|id| (id, true))
                .ok_or(Error::InvalidStreamId),
        },
    }
}

/// An ID where `-` and `+` are allowed (XGROUP SETID).
fn parse_id(arg: &[u8]) -> Result<StreamId> {
    parse_id_generic(arg, 0, false, false).map(|(id, _)| id)
}

/// An ID where `-` and `+` are not (XDEL, XACK, XCLAIM, XREAD's IDs...).
fn parse_strict_id(arg: &[u8]) -> Result<StreamId> {
    parse_id_generic(arg, 0, true, false).map(|(id, _)| id)
}

/// A range end (`streamParseIntervalIDOrReply`): `(id` excludes it (and may not be `-` or
/// `+`); whether it was excluded.
fn parse_interval(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool)> {
    match arg {
        [b'(', rest @ ..] if !rest.is_empty() => {
            Ok((parse_id_generic(rest, missing_seq, true, false)?.0, true))
        }
        _ => Ok((parse_id_generic(arg, missing_seq, false, false)?.0, false)),
    }
}

/// A range's start: `ms` alone means `ms-0`, and `(id` the ID after it.
fn range_start(arg: &[u8]) -> Result<StreamId> {
    match parse_interval(arg, 0)? {
        (id, true) => id.incr().ok_or(Error::InvalidStartId),
        (id, false) => Ok(id),
    }
}

/// A range's end: `ms` alone means its last sequence, and `(id` the ID before it.
fn range_end(arg: &[u8]) -> Result<StreamId> {
    match parse_interval(arg, u64::MAX)? {
        (id, true) => id.decr().ok_or(Error::InvalidEndId),
        (id, false) => Ok(id),
    }
}

/// An integer read with the command's own error (`getLongLongFromObjectOrReply` with a
/// message).
fn integer(arg: &[u8], message: &'static str) -> Result<i64> {
    parse_i64(arg).map_err(|_| Error::InvalidArgument(message))
}

/// XADD's and XTRIM's arguments after the key (`streamParseAddOrTrimArgsOrReply`).
struct AddTrimArgs {
    /// XADD's ID: `None` for `*`.
    id: Option<(StreamId, bool)>,
    /// Where the ID is (XADD): the fields follow it.
    id_at: usize,
    no_mkstream: bool,
    trim: Option<Trim>,
    /// Where the trim's threshold is, to log the trim done instead of `~`'s.
    trim_at: usize,
    approx: bool,
    /// Entries a `~` trim may remove at most; 0: no limit.
    limit: u64,
}

fn parse_add_trim(engine: &Engine, argv: &[Vec<u8>], xadd: bool) -> Result<AddTrimArgs> {
    let mut args = AddTrimArgs {
        id: None,
        id_at: 0,
        no_mkstream: false,
        trim: None,
        trim_at: 0,
        approx: false,
        limit: 0,
    };
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        let is_maxlen = is(opt, "maxlen");
        if xadd && c_str(opt) == b"*" && !opt.is_empty() {
            break;
        } else if (is_maxlen || is(opt, "minid")) && more > 0 {
            if args.trim.is_some() {
                return Err(Error::TrimStrategyTwice);
            }
            args.approx = false;
            let next = c_str(&argv[i + 1]);
            if more >= 2 && (next == b"~" || next == b"=") {
                args.approx = next == b"~";
                i += 1;
            }
            let threshold = &argv[i + 1];
            args.trim = Some(if is_maxlen {
                let max = parse_i64(threshold)?;
                Trim::MaxLen(u64::try_from(max).map_err(|_| Error::MaxlenNegative)?)
            } else {
                Trim::MinId(parse_strict_id(threshold)?)
            });
            i += 1;
            args.trim_at = i;
        } else if is(opt, "limit") && more > 0 {
            limit = parse_i64(&argv[i + 1])?;
            if limit < 0 {
                return Err(Error::LimitNegative);
            }
            limit_given = true;
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            args.no_mkstream = true;
        } else if xadd {
            args.id = Some(parse_id_generic(opt, 0, true, true)?);
            break;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    args.id_at = i;
    if limit != 0 && args.trim.is_none() {
        return Err(Error::LimitWithoutStrategy);
    }
    if !xadd && args.trim.is_none() {
        return Err(Error::XtrimWithoutStrategy);
    }
    args.limit = if engine.replaying_log() {
        // The log holds the trims as done: no limit applies to them again.
        0
    } else if limit_given {
        if !args.approx {
            return Err(Error::LimitWithoutApprox);
        }
        limit as u64
    } else if args.approx {
        // At most 100 nodes' worth, within 10,000 and 1,000,000 whatever the node size.
        let default = engine
            .config
            .int("stream-node-max-entries")
            .wrapping_mul(100);
        if default <= 0 {
            10_000
        } else {
            default.min(1_000_000) as u64
        }
    } else {
        0
    };
    Ok(args)
}

// --- Keys -------------------------------------------------------------------------------------

fn as_stream(value: &Value) -> Result<&Stream> {
    match value {
        Value::Stream(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

fn as_stream_mut(value: &mut Value) -> Result<&mut Stream> {
    match value {
        Value::Stream(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

/// Reads a key as a stream (counting a hit or a miss): `None` when missing.
fn read_stream<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<Option<&'e Stream>> {
    engine.lookup_read(db, key).map(as_stream).transpose()
}

/// Looks a key up for writing as a stream: `None` when missing.
fn write_stream<'e>(
    engine: &'e mut Engine,
    db: usize,
    key: &[u8],
) -> Result<Option<&'e mut Stream>> {
    engine.lookup_write(db, key).map(as_stream_mut).transpose()
}

/// The stream a read just found, to change in place ([`Engine::looked_up_mut`]).
fn stream_after_read<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> &'e mut Stream {
    match engine.looked_up_mut(db, key) {
        Some(Value::Stream(s)) => s,
        _ => unreachable!("the caller found a stream at this key"),
    }
}

fn node_limits(engine: &Engine) -> NodeLimits {
    NodeLimits {
        max_bytes: engine.config.int("stream-node-max-bytes").max(0) as u64,
        max_entries: engine.config.int("stream-node-max-entries").max(0) as u64,
    }
}

// --- Replies ----------------------------------------------------------------------------------

fn id_reply(id: StreamId) -> Reply {
    Reply::bulk(id.to_string())
}

/// An entry as every read answers it: its ID, then its fields and values.
fn entry_reply(entry: Entry) -> Reply {
    Reply::Array(vec![id_reply(entry.id), Reply::bulk_array(entry.fields)])
}

fn entries_reply(entries: impl IntoIterator<Item = Entry>) -> Reply {
    Reply::Array(entries.into_iter().map(entry_reply).collect())
}

fn int(n: impl TryInto<i64>) -> Reply {
    Reply::Integer(n.try_into().unwrap_or(i64::MAX))
}

fn protocol(engine: &Engine, client: ClientId) -> u8 {
    engine.clients.get(&client).map_or(2, |c| c.protocol)
}

/// XREAD's reply over the keys it read from: `[[key, entries], ...]` in RESP2, a map from key
/// to entries in RESP3.
fn keys_reply(protocol: u8, read: Vec<(Vec<u8>, Reply)>) -> Reply {
    if protocol >= 3 {
        Reply::Map(read.into_iter().map(|(k, v)| (Reply::Bulk(k), v)).collect())
    } else {
        Reply::Array(
            read.into_iter()
                .map(|(k, v)| Reply::Array(vec![Reply::Bulk(k), v]))
                .collect(),
        )
    }
}

// --- XADD, XRANGE, XLEN, XDEL, XTRIM ------------------------------------------------------------

/// ```text
/// XADD key [NOMKSTREAM] [(MAXLEN | MINID) [= | ~] threshold [LIMIT count]] (* | id) field value [field value ...]
/// ```
/// The new entry's ID. `*` takes it from the clock, `ms-*` chooses its sequence; it must be
/// above the stream's last. With NOMKSTREAM a missing key answers nil and stays missing.
/// MAXLEN/MINID trim after adding (`~`: whole nodes only, at most LIMIT entries).
fn xadd(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let args = parse_add_trim(engine, argv, true)?;
    let fields_at = args.id_at + 1;
    let fields = argv.get(fields_at..).unwrap_or_default();
    if fields.len() < 2 || fields.len() % 2 == 1 {
        return Err(Error::WrongArity(call.name.to_string()));
    }
    if matches!(args.id, Some((id, true)) if id.is_zero()) {
        return Err(Error::XaddIdZero);
    }
    let (db, key) = (call.db, &argv[1]);
    if write_stream(engine, db, key)?.is_none() {
        if args.no_mkstream {
            return Ok(Reply::Null.into());
        }
        engine.db_add(db, key, Value::stream(Stream::new()));
    }
    let limits = node_limits(engine);
    let now = engine.now_ms;
    let stream = write_stream(engine, db, key)?.expect("the stream exists now");
    if stream.last_id() == StreamId::MAX {
        return Err(Error::StreamExhausted);
    }
    let new_id = match args.id {
        None => NewId::Auto(now),
        Some((id, false)) => NewId::Ms(id.ms),
        Some((id, true)) => NewId::Exact(id),
    };
    let id = stream.append(fields, new_id, limits).map_err(|e| match e {
        AppendError::NotGreater => Error::XaddIdTooSmall,
        AppendError::TooLarge => Error::StreamElementsTooLarge,
    })?;
    let trimmed = args
        .trim
        .map(|trim| trim_logged(stream, trim, &args))
        .unwrap_or_default();
    engine.notify(NotifyClass::Stream, "xadd", db, key);
    if trimmed.0 > 0 {
        engine.announce(NotifyClass::Stream, "xtrim", db, key);
    }
    // Logged with the ID it got and, after a `~` trim, the trim it did.
    let id_text = id.to_string();
    let mut logged: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    logged[args.id_at] = id_text.as_bytes();
    if let Some(threshold) = &trimmed.1 {
        logged[args.trim_at - 1] = b"=";
        logged[args.trim_at] = threshold.as_bytes();
    }
    engine.also_propagate(db, &logged);
    engine.prevent_propagation();
    engine.signal_key_as_ready(db, key);
    Ok(Reply::bulk(id_text).into())
}

/// Trims as XADD and XTRIM ask: how many entries went, and for a `~` trim the exact threshold
/// that does the same again when logged (`streamRewriteTrimArgument`: the length left, or
/// the first ID left, tombstones included).
fn trim_logged(stream: &mut Stream, trim: Trim, args: &AddTrimArgs) -> (u64, Option<String>) {
    let deleted = stream.trim(trim, args.approx, args.limit);
    let exact = args.approx.then(|| match trim {
        Trim::MaxLen(_) => stream.len().to_string(),
        Trim::MinId(_) => stream.edge_id(true, false).to_string(),
    });
    (deleted, exact)
}

/// ```text
/// XRANGE key start end [COUNT count]
/// ```
/// The entries from `start` to `end` (`-` and `+` for the ends of the stream, `(id` to
/// exclude an end), at most COUNT of them; COUNT 0 answers the null array.
fn xrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    range_generic(engine, call, false)
}

/// ```text
/// XREVRANGE key end start [COUNT count]
/// ```
/// As XRANGE, newest first.
fn xrevrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    range_generic(engine, call, true)
}

fn range_generic(engine: &mut Engine, call: &Call<'_>, rev: bool) -> CommandResult {
    let argv = call.argv;
    let (start, end) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let start = range_start(start)?;
    let end = range_end(end)?;
    let mut count: Option<usize> = None;
    let mut options = argv[4..].iter();
    while let Some(option) = options.next() {
        match options.as_slice().first() {
            Some(value) if is(option, "count") => {
                options.next();
                count = Some(usize::try_from(parse_i64(value)?).unwrap_or(0));
            }
            _ => return Err(Error::Syntax),
        }
    }
    let Some(stream) = read_stream(engine, call.db, &argv[1])? else {
        return Ok(Reply::Array(Vec::new()).into());
    };
    let range = stream.range(start, end, rev);
    Ok(match count {
        Some(0) => Reply::NullArray,
        Some(n) => entries_reply(range.take(n)),
        None => entries_reply(range),
    }
    .into())
}

/// ```text
/// XLEN key
/// ```
fn xlen(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_stream(engine, call.db, &call.argv[1])?.map_or(0, Stream::len);
    Ok(int(len).into())
}

/// ```text
/// XDEL key id [id ...]
/// ```
/// How many of the entries existed and were deleted. A missing key answers 0 before the IDs
/// are read; a bad ID fails before anything is deleted.
fn xdel(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (db, key) = (call.db, &call.argv[1]);
    if write_stream(engine, db, key)?.is_none() {
        return Ok(int(0).into());
    }
    let ids = call.argv[2..]
        .iter()
        .map(|arg| parse_strict_id(arg))
        .collect::<Result<Vec<_>>>()?;
    let stream = write_stream(engine, db, key)?.expect("checked above");
    let deleted: Vec<StreamId> = ids.into_iter().filter(|&id| stream.delete(id)).collect();
    if !deleted.is_empty() {
        stream.deleted(&deleted);
        engine.notify(NotifyClass::Stream, "xdel", db, key);
        engine.dirty += deleted.len() as u64 - 1;
    }
    Ok(int(deleted.len()).into())
}

/// ```text
/// XTRIM key (MAXLEN | MINID) [= | ~] threshold [LIMIT count]
/// ```
/// How many entries went: MAXLEN keeps the newest `threshold`, MINID the entries from that ID
/// on; with `~` only whole nodes go (at most LIMIT entries, by default 100 nodes' worth).
fn xtrim(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let args = parse_add_trim(engine, call.argv, false)?;
    let (db, key) = (call.db, &call.argv[1]);
    let Some(stream) = write_stream(engine, db, key)? else {
        return Ok(int(0).into());
    };
    let trim = args.trim.expect("XTRIM's arguments require a strategy");
    let (deleted, exact) = trim_logged(stream, trim, &args);
    if deleted > 0 {
        engine.notify(NotifyClass::Stream, "xtrim", db, key);
        engine.dirty += deleted - 1;
        if let Some(threshold) = &exact {
            let mut logged: Vec<&[u8]> = call.argv.iter().map(Vec::as_slice).collect();
            logged[args.trim_at - 1] = b"=";
            logged[args.trim_at] = threshold.as_bytes();
            engine.also_propagate(db, &logged);
            engine.prevent_propagation();
        }
    }
    Ok(int(deleted).into())
}

// --- XREAD, XREADGROUP --------------------------------------------------------------------------

/// ```text
/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
/// ```
/// For each stream with entries after its ID (`$`: after its last ID now), those entries, up
/// to COUNT each; the null array when none has any, after waiting up to BLOCK ms for one
/// (0: forever) when BLOCK is given.
fn xread(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    read_generic(engine, call, false)
}

/// ```text
/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
/// ```
/// With `>`: the group's entries never delivered, handed to `consumer` (created if needed)
/// and added to its pending entries unless NOACK; waits for some with BLOCK. With an ID: the
/// consumer's own pending entries after it, delivered again (an entry deleted since comes
/// back as its ID with nil).
fn xreadgroup(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let result = read_generic(engine, call, true);
    engine.prevent_propagation();
    result
}

/// A BLOCK timeout in milliseconds (`getTimeoutFromObjectOrReply`): its deadline, or `None`
/// for 0 (forever).
fn parse_block(arg: &[u8], now_ms: u64) -> Result<Option<u64>> {
    let ms = parse_i64(arg).map_err(|_| Error::TimeoutNotInteger)?;
    let ms = u64::try_from(ms).map_err(|_| Error::TimeoutNegative)?;
    Ok((ms > 0).then(|| now_ms.saturating_add(ms)))
}

/// XREAD and XREADGROUP (Redis's `xreadCommand`).
fn read_generic(engine: &mut Engine, call: &Call<'_>, xreadgroup: bool) -> CommandResult {
    let argv = call.argv;
    let mut block: Option<Option<u64>> = None;
    let mut count: usize = 0;
    let mut streams_at = 0;
    let mut group: Option<GroupWait> = None;
    let mut noack = false;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let option = &argv[i];
        if is(option, "block") && more > 0 {
            // A script may not wait: Redis refuses BLOCK there outright, before its value.
            if engine.clients.get(&call.client).is_some_and(|c| c.script) {
                return Err(Error::BlockFromScript(text(&argv[0])));
            }
            i += 1;
            block = Some(parse_block(&argv[i], engine.now_ms)?);
        } else if is(option, "count") && more > 0 {
            i += 1;
            count = usize::try_from(parse_i64(&argv[i])?).unwrap_or(0);
        } else if is(option, "streams") && more > 0 {
            streams_at = i + 1;
            if !(argv.len() - streams_at).is_multiple_of(2) {
                return Err(Error::XreadUnbalanced);
            }
            break;
        } else if is(option, "group") && more >= 2 {
            if !xreadgroup {
                return Err(Error::XreadGroupOnly("GROUP"));
            }
            group = Some(GroupWait {
                group: argv[i + 1].clone(),
                consumer: argv[i + 2].clone(),
                noack: false,
            });
            i += 2;
        } else if is(option, "noack") {
            if !xreadgroup {
                return Err(Error::XreadGroupOnly("NOACK"));
            }
            noack = true;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if streams_at == 0 {
        return Err(Error::Syntax);
    }
    if xreadgroup && group.is_none() {
        return Err(Error::XreadgroupWithoutGroup);
    }
    if let Some(g) = &mut group {
        g.noack = noack;
    }
    let n = (argv.len() - streams_at) / 2;
    let keys = &argv[streams_at..streams_at + n];
    let db = call.db;
    // Every key and ID is checked before anything is read, as Redis does.
    let mut ids = Vec::with_capacity(n);
    for (key, arg) in keys.iter().zip(&argv[streams_at + n..]) {
        let stream = read_stream(engine, db, key)?;
        if let Some(g) = &group {
            if stream.and_then(|s| s.group(&g.group)).is_none() {
                return Err(Error::NoGroupForRead {
                    key: text(key),
                    group: text(&g.group),
                });
            }
        }
        let id = match arg.as_slice() {
            b"$" if xreadgroup => return Err(Error::XreadgroupDollar),
            b"$" => stream.map_or(StreamId::MIN, Stream::last_id),
            b">" if !xreadgroup => return Err(Error::XreadGreaterThanId),
            // The highest ID stands for `>`: the group's last ID, whatever it is by then.
            b">" => StreamId::MAX,
            _ => parse_strict_id(arg)?,
        };
        ids.push(id);
    }
    let mut read = Vec::new();
    for (key, &after) in keys.iter().zip(&ids) {
        let Some(stream) = read_stream(engine, db, key)? else {
            continue;
        };
        let last = stream.last_entry_id();
        let from = match &group {
            Some(_) if after != StreamId::MAX => Some((after, true)),
            Some(g) => {
                let group_last = stream.group(&g.group).map_or(StreamId::MAX, Group::last_id);
                last.filter(|&l| l > group_last)
                    .map(|_| (group_last, false))
            }
            None => last.filter(|&l| l > after).map(|_| (after, false)),
        };
        let Some((after, history)) = from else {
            continue;
        };
        let entries = read_key(engine, db, key, after, count, group.as_ref(), history);
        if group.is_some() {
            engine.dirty += 1;
        }
        read.push((key.clone(), entries));
    }
    if !read.is_empty() {
        return Ok(keys_reply(protocol(engine, call.client), read).into());
    }
    let Some(timeout_at) = block else {
        return Ok(Reply::NullArray.into());
    };
    if !engine.may_block() {
        return Ok(Reply::NullArray.into());
    }
    let wait = StreamWait {
        ids,
        count: if count == 0 {
            BLOCKED_DEFAULT_COUNT
        } else {
            count
        },
        group,
    };
    engine.block(
        call.client,
        Blocked {
            db,
            keys: keys.to_vec(),
            timeout_at,
            serve: Serve::Stream(wait),
        },
    );
    Ok(Outcome::Blocked)
}

/// Reads one stream for XREAD or XREADGROUP (the caller found it, and decided there is
/// something to read): its entries after `after`, at most `count` (0: all). For a group, the
/// consumer is found or created and the entries delivered as the group delivers them, or with
/// `history` taken from the consumer's own PEL; what that changes is propagated.
fn read_key(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    after: StreamId,
    count: usize,
    group: Option<&GroupWait>,
    history: bool,
) -> Reply {
    let start = after.incr().unwrap_or(StreamId::MIN);
    let now = engine.now_ms as i64;
    let Some(g) = group else {
        let stream = stream_after_read(engine, db, key);
        let range = stream.range(start, StreamId::MAX, false);
        return if count == 0 {
            entries_reply(range)
        } else {
            entries_reply(range.take(count))
        };
    };
    ensure_consumer(engine, db, key, &g.group, &g.consumer, g.noack);
    let stream = stream_after_read(engine, db, key);
    if history {
        let entries = stream.deliver_history(&g.group, &g.consumer, start, count, now);
        return Reply::Array(
            entries
                .into_iter()
                .map(|(id, fields)| {
                    let fields = fields.map_or(Reply::NullArray, Reply::bulk_array);
                    Reply::Array(vec![id_reply(id), fields])
                })
                .collect(),
        );
    }
    let delivery = stream.deliver(&g.group, &g.consumer, start, count, g.noack, now);
    let state = stream
        .group(&g.group)
        .map(|group| (group.last_id(), group.entries_read_raw()));
    propagate_delivery(engine, db, key, &g.group, &delivery, state);
    entries_reply(delivery.entries)
}

/// Finds a consumer (marking it seen) or creates it, as XREADGROUP, XCLAIM and XAUTOCLAIM do;
/// a creation is announced, counted and, for a NOACK read (whose deliveries propagate no
/// XCLAIM that would create it), propagated.
fn ensure_consumer(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    propagate: bool,
) {
    let now = engine.now_ms as i64;
    let stream = stream_after_read(engine, db, key);
    let Some(g) = stream.group_mut(group) else {
        return;
    };
    if g.touch_consumer(consumer, now) || !g.create_consumer(consumer, now) {
        return;
    }
    engine.dirty += 1;
    engine.announce(NotifyClass::Stream, "xgroup-createconsumer", db, key);
    if propagate {
        engine.also_propagate(db, &[b"XGROUP", b"CREATECONSUMER", key, group, consumer]);
    }
}

/// Propagates a delivery (`streamPropagateXCLAIM`, `streamPropagateGroupID`): an XCLAIM per
/// pending entry created or taken over, with the group's last ID as it stood then; after a
/// NOACK read that moved the group, XGROUP SETID with its last ID and counter (`state`).
fn propagate_delivery(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    group: &[u8],
    delivery: &Delivery,
    state: Option<(StreamId, i64)>,
) {
    for claim in &delivery.claims {
        let id = claim.id.to_string();
        propagate_claim(
            engine,
            db,
            key,
            group,
            id.as_bytes(),
            &claim.consumer,
            (claim.delivery_time, claim.delivery_count),
            claim.group_last_id,
        );
    }
    if let (true, Some((last_id, entries_read))) = (delivery.last_id_moved, state) {
        propagate_setid(engine, db, key, group, last_id, entries_read);
    }
}

/// `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last`: an XCLAIM
/// that sets a pending entry as it stands (`delivery`: its time and count) on any copy of the
/// stream, or, its entry gone, removes it there too. `id` as the command had it.
#[allow(clippy::too_many_arguments)]
fn propagate_claim(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    group: &[u8],
    id: &[u8],
    consumer: &[u8],
    delivery: (i64, u64),
    group_last_id: StreamId,
) {
    let (time, count) = (delivery.0.to_string(), delivery.1.to_string());
    let last = group_last_id.to_string();
    engine.also_propagate(
        db,
        &[
            b"XCLAIM",
            key,
            group,
            consumer,
            b"0",
            id,
            b"TIME",
            time.as_bytes(),
            b"RETRYCOUNT",
            count.as_bytes(),
            b"FORCE",
            b"JUSTID",
            b"LASTID",
            last.as_bytes(),
        ],
    );
}

/// `XGROUP SETID key group id ENTRIESREAD n`.
fn propagate_setid(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    group: &[u8],
    last_id: StreamId,
    entries_read: i64,
) {
    let (last, read) = (last_id.to_string(), entries_read.to_string());
    engine.also_propagate(
        db,
        &[
            b"XGROUP",
            b"SETID",
            key,
            group,
            last.as_bytes(),
            b"ENTRIESREAD",
            read.as_bytes(),
        ],
    );
}

/// Serves a client blocked in XREAD or XREADGROUP on `key`, which holds a stream that was just
/// written and that the caller looked up (`serveClientsBlockedOnStreamKey`): when the stream's last ID is past what the
/// client waits after (for a group, the group's last ID as it now stands), it reads as the
/// command would have and is unblocked with `{key: entries}`; a group destroyed meanwhile ends
/// the wait with NOGROUP. Otherwise it keeps waiting.
pub(crate) fn serve_blocked(engine: &mut Engine, client: ClientId, db: usize, key: &[u8]) {
    let Some(Blocked {
        keys,
        serve: Serve::Stream(wait),
        ..
    }) = engine.clients.get(&client).and_then(|c| c.blocked.clone())
    else {
        return;
    };
    let Some(at) = keys.iter().position(|k| k == key) else {
        return;
    };
    let stream = stream_after_read(engine, db, key);
    let after = match &wait.group {
        Some(g) => match stream.group(&g.group) {
            Some(group) => group.last_id(),
            None => {
                engine.unblock_with(client, Error::NoGroupBlocked.into());
                return;
            }
        },
        None => wait.ids[at],
    };
    if stream.last_id() <= after {
        return;
    }
    let entries = read_key(
        engine,
        db,
        key,
        after,
        wait.count,
        wait.group.as_ref(),
        false,
    );
    let reply = keys_reply(protocol(engine, client), vec![(key.to_vec(), entries)]);
    engine.unblock_with(client, reply);
    engine.end_propagation();
}

// --- Consumer groups ------------------------------------------------------------------------------

/// ```text
/// XGROUP CREATE key group (id | $) [MKSTREAM] [ENTRIESREAD entries-read]
/// XGROUP SETID key group (id | $) [ENTRIESREAD entries-read]
/// XGROUP DESTROY key group
/// XGROUP CREATECONSUMER key group consumer
/// XGROUP DELCONSUMER key group consumer
/// ```
/// One handler for the subcommands, as Redis's `xgroupCommand`: options first, then the key
/// (which must exist, unless CREATE ... MKSTREAM) and the group (for SETID, CREATECONSUMER and
/// DELCONSUMER), then the subcommand with its exact argument count.
fn xgroup(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let sub = argv[1].to_ascii_lowercase();
    let (db, key, group) = (call.db, &argv[2], &argv[3]);
    let syntax = || Error::SubcommandSyntax {
        subcommand: text(&argv[1]),
        command: "XGROUP".to_string(),
    };
    let create = sub == b"create";
    let setid = sub == b"setid";
    let mut mkstream = false;
    let mut entries_read = ENTRIES_READ_UNKNOWN;
    let mut i = 5;
    while i < argv.len() {
        if create && is(&argv[i], "mkstream") {
            mkstream = true;
            i += 1;
        } else if (create || setid) && is(&argv[i], "entriesread") && i + 1 < argv.len() {
            entries_read = parse_i64(&argv[i + 1])?;
            if entries_read < 0 && entries_read != ENTRIES_READ_UNKNOWN {
                return Err(Error::EntriesReadNegative);
            }
            i += 2;
        } else {
            return Err(syntax());
        }
    }
    let exists = write_stream(engine, db, key)?.map(|s| s.group(group).is_some());
    if !mkstream {
        let Some(group_exists) = exists else {
            return Err(Error::XgroupKeyMissing);
        };
        let needs_group = matches!(
            sub.as_slice(),
            b"setid" | b"createconsumer" | b"delconsumer"
        );
        if needs_group && !group_exists {
            return Err(Error::NoGroup {
                group: text(group),
                key: text(key),
            });
        }
    }
    match (sub.as_slice(), argv.len()) {
        (b"create", 5..=8) => {
            let id = match argv[4].as_slice() {
                b"$" => None,
                arg => Some(parse_strict_id(arg)?),
            };
            if exists.is_none() {
                engine.db_add(db, key, Value::stream(Stream::new()));
                engine.signal_modified_key(db, key, true);
            }
            let stream = write_stream(engine, db, key)?.expect("the stream exists now");
            let id = id.unwrap_or(stream.last_id());
            if !stream.create_group(group, id, entries_read) {
                return Err(Error::BusyGroup);
            }
            engine.dirty += 1;
            engine.announce(NotifyClass::Stream, "xgroup-create", db, key);
            Ok(Reply::ok().into())
        }
        (b"setid", 5 | 7) => {
            let stream = write_stream(engine, db, key)?.expect("checked above");
            let id = match argv[4].as_slice() {
                b"$" => stream.last_id(),
                arg => parse_id(arg)?,
            };
            if let Some(g) = stream.group_mut(group) {
                g.set_last_id(id, entries_read);
            }
            engine.dirty += 1;
            engine.announce(NotifyClass::Stream, "xgroup-setid", db, key);
            Ok(Reply::ok().into())
        }
        (b"destroy", 4) => {
            let stream = write_stream(engine, db, key)?.expect("checked above");
            if !stream.destroy_group(group) {
                return Ok(int(0).into());
            }
            engine.dirty += 1;
            engine.announce(NotifyClass::Stream, "xgroup-destroy", db, key);
            // XREADGROUP clients blocked on the group end with NOGROUP.
            engine.signal_key_as_ready(db, key);
            Ok(int(1).into())
        }
        (b"createconsumer", 5) => {
            let now = engine.now_ms as i64;
            let stream = write_stream(engine, db, key)?.expect("checked above");
            let created = stream
                .group_mut(group)
                .is_some_and(|g| g.create_consumer(&argv[4], now));
            if created {
                engine.dirty += 1;
                engine.announce(NotifyClass::Stream, "xgroup-createconsumer", db, key);
            }
            Ok(int(i64::from(created)).into())
        }
        (b"delconsumer", 5) => {
            let stream = write_stream(engine, db, key)?.expect("checked above");
            let pending = stream
                .group_mut(group)
                .and_then(|g| g.delete_consumer(&argv[4]));
            if pending.is_some() {
                engine.dirty += 1;
                engine.announce(NotifyClass::Stream, "xgroup-delconsumer", db, key);
            }
            Ok(int(pending.unwrap_or(0)).into())
        }
        _ => Err(syntax()),
    }
}

/// ```text
/// XGROUP HELP
/// ```
fn xgroup_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("XGROUP", XGROUP_HELP).into())
}

/// ```text
/// XACK key group id [id ...]
/// ```
/// How many of the IDs were pending in the group; they no longer are. A missing key or group
/// answers 0 before the IDs are read.
fn xack(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (db, key, group) = (call.db, &call.argv[1], &call.argv[2]);
    let found = read_stream(engine, db, key)?.is_some_and(|s| s.group(group).is_some());
    if !found {
        return Ok(int(0).into());
    }
    let ids = call.argv[3..]
        .iter()
        .map(|arg| parse_strict_id(arg))
        .collect::<Result<Vec<_>>>()?;
    let stream = stream_after_read(engine, db, key);
    let g = stream.group_mut(group).expect("checked above");
    let acked = ids.into_iter().filter(|&id| g.ack(id)).count();
    engine.dirty += acked as u64;
    Ok(int(acked).into())
}

/// ```text
/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
/// ```
/// Without a range: how many entries are pending, the lowest and highest IDs, and per
/// consumer with some, how many. With one: up to `count` pending entries in it (of
/// `consumer` only, if given), each with its owner, the ms since its last delivery and its
/// deliveries; IDLE keeps those idle that long at least.
fn xpending(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(Error::Syntax);
    }
    let mut extended = None;
    if argc >= 6 {
        let mut at = 3;
        let mut min_idle = 0;
        if is(&argv[3], "idle") {
            min_idle = parse_i64(&argv[4])?;
            if argc < 8 {
                return Err(Error::Syntax);
            }
            at += 2;
        }
        let count = usize::try_from(parse_i64(&argv[at + 2])?).unwrap_or(0);
        let start = range_start(&argv[at])?;
        let end = range_end(&argv[at + 1])?;
        let consumer = argv.get(at + 3).cloned();
        extended = Some((min_idle, start, end, count, consumer));
    }
    let (key, group) = (&argv[1], &argv[2]);
    let now = engine.now_ms as i64;
    let stream = read_stream(engine, call.db, key)?;
    let Some(g) = stream.and_then(|s| s.group(group)) else {
        return Err(Error::NoKeyOrGroup {
            key: text(key),
            group: text(group),
        });
    };
    let Some((min_idle, start, end, count, consumer)) = extended else {
        let Some((first, last)) = g.pending_bounds() else {
            return Ok(
                Reply::Array(vec![int(0), Reply::Null, Reply::Null, Reply::NullArray]).into(),
            );
        };
        let owners = g
            .consumers()
            .filter(|c| c.pending_len() > 0)
            .map(|c| {
                Reply::Array(vec![
                    Reply::bulk(c.name()),
                    Reply::bulk(c.pending_len().to_string()),
                ])
            })
            .collect();
        return Ok(Reply::Array(vec![
            int(g.pending_len()),
            id_reply(first),
            id_reply(last),
            Reply::Array(owners),
        ])
        .into());
    };
    let ids: Box<dyn Iterator<Item = StreamId>> = match &consumer {
        Some(name) => match g.consumer(name) {
            Some(c) => Box::new(c.pending_from(start)),
            None => return Ok(Reply::Array(Vec::new()).into()),
        },
        None => Box::new(g.pending_from(start).map(|(id, _)| id)),
    };
    let mut out = Vec::new();
    for id in ids.take_while(|&id| id <= end) {
        if out.len() >= count {
            break;
        }
        let Some(nack) = g.pending_entry(id) else {
            continue;
        };
        let idle = now - nack.delivery_time;
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        out.push(Reply::Array(vec![
            id_reply(id),
            Reply::bulk(&*nack.consumer),
            int(idle.max(0)),
            int(nack.delivery_count),
        ]));
    }
    Ok(Reply::Array(out).into())
}

/// How XCLAIM sets a claimed entry's delivery count.
#[derive(Clone, Copy)]
enum Retry {
    /// RETRYCOUNT n.
    Set(u64),
    /// One more delivery.
    Increment,
    /// JUSTID: unchanged.
    Keep,
}

impl Retry {
    fn apply(self, old: u64) -> u64 {
        match self {
            Retry::Set(n) => n,
            Retry::Increment => old.wrapping_add(1),
            Retry::Keep => old,
        }
    }
}

/// ```text
/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
/// ```
/// Gives `consumer` (created if needed) the pending entries among the IDs that have been idle
/// `min-idle-time` ms at least, answering them (JUSTID: their IDs). Their idle time restarts
/// (or is set by IDLE or TIME) and their deliveries count one more (JUSTID: unchanged;
/// RETRYCOUNT: set). FORCE claims an ID not pending, if its entry exists; a pending entry
/// whose entry was deleted leaves the PEL. LASTID raises the group's last ID.
fn xclaim(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let (db, key, group, consumer) = (call.db, &argv[1], &argv[2], &argv[3]);
    let found = read_stream(engine, db, key)?.is_some_and(|s| s.group(group).is_some());
    if !found {
        return Err(Error::NoKeyOrGroup {
            key: text(key),
            group: text(group),
        });
    }
    let min_idle = integer(&argv[4], "Invalid min-idle-time argument for XCLAIM")?.max(0);
    let ids: Vec<(StreamId, &[u8])> = argv[5..]
        .iter()
        .map_while(|arg| Some((parse_strict_id(arg).ok()?, arg.as_slice())))
        .collect();
    let now = engine.now_ms as i64;
    let (mut force, mut justid) = (false, false);
    let mut delivery_time: Option<i64> = None;
    let mut retry: Option<u64> = None;
    let mut last_id = StreamId::MIN;
    let mut i = 5 + ids.len();
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let option = &argv[i];
        if is(option, "force") {
            force = true;
        } else if is(option, "justid") {
            justid = true;
        } else if is(option, "idle") && more > 0 {
            i += 1;
            let idle = integer(&argv[i], "Invalid IDLE option argument for XCLAIM")?;
            delivery_time = Some(now.wrapping_sub(idle));
        } else if is(option, "time") && more > 0 {
            i += 1;
            delivery_time = Some(integer(
                &argv[i],
                "Invalid TIME option argument for XCLAIM",
            )?);
        } else if is(option, "retrycount") && more > 0 {
            i += 1;
            let n = integer(&argv[i], "Invalid RETRYCOUNT option argument for XCLAIM")?;
            // A negative count means "not given", as Redis's -1 does.
            retry = u64::try_from(n).ok();
        } else if is(option, "lastid") && more > 0 {
            i += 1;
            last_id = parse_strict_id(&argv[i])?;
        } else {
            return Err(Error::XclaimOption(text(option)));
        }
        i += 1;
    }
    let stream = stream_after_read(engine, db, key);
    let mut propagate_last_id = stream
        .group_mut(group)
        .is_some_and(|g| g.raise_last_id(last_id));
    // A time to come, or before 1970, is taken as now rather than refused.
    let delivery_time = delivery_time
        .filter(|&t| (0..=now).contains(&t))
        .unwrap_or(now);
    let retry = match (retry, justid) {
        (Some(n), _) => Retry::Set(n),
        (None, true) => Retry::Keep,
        (None, false) => Retry::Increment,
    };
    let mut claimed = Vec::new();
    let mut consumer_ready = false;
    for (id, arg) in ids {
        let stream = stream_after_read(engine, db, key);
        let exists = stream.get(id);
        let g = stream.group_mut(group).expect("checked above");
        let pending = g.pending_entry(id).cloned();
        let Some(entry) = exists else {
            // The entry is gone: so is its pending entry, as an XCLAIM logs it.
            if let Some(nack) = pending {
                let last = g.last_id();
                g.drop_pending(id);
                let delivery = (nack.delivery_time, nack.delivery_count);
                propagate_claim(engine, db, key, group, arg, &nack.consumer, delivery, last);
                propagate_last_id = false;
                engine.dirty += 1;
            }
            continue;
        };
        if pending.is_none() && !force {
            continue;
        }
        if let Some(nack) = &pending {
            if min_idle != 0 && now - nack.delivery_time < min_idle {
                continue;
            }
        }
        if !consumer_ready {
            ensure_consumer(engine, db, key, group, consumer, false);
            consumer_ready = true;
        }
        let stream = stream_after_read(engine, db, key);
        let g = stream.group_mut(group).expect("checked above");
        let nack = g
            .assign(id, consumer, delivery_time, |old| retry.apply(old))
            .clone();
        let last = g.last_id();
        claimed.push(if justid {
            id_reply(id)
        } else {
            entry_reply(entry)
        });
        let delivery = (nack.delivery_time, nack.delivery_count);
        propagate_claim(engine, db, key, group, arg, &nack.consumer, delivery, last);
        propagate_last_id = false;
        engine.dirty += 1;
    }
    if propagate_last_id {
        let stream = stream_after_read(engine, db, key);
        let g = stream.group(group).expect("checked above");
        let (last, read) = (g.last_id(), g.entries_read_raw());
        propagate_setid(engine, db, key, group, last, read);
        engine.dirty += 1;
    }
    engine.prevent_propagation();
    Ok(Reply::Array(claimed).into())
}

/// ```text
/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
/// ```
/// XCLAIM over the PEL from `start` on: up to COUNT (100) entries idle long enough are given
/// to `consumer`, looking at ten times as many at most. Answers the ID to go on from (0-0 at
/// the end), the entries claimed (JUSTID: their IDs), and the IDs of pending entries whose
/// entry was deleted, which leave the PEL.
fn xautoclaim(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let (db, key, group, consumer) = (call.db, &argv[1], &argv[2], &argv[3]);
    let min_idle = integer(&argv[4], "Invalid min-idle-time argument for XAUTOCLAIM")?.max(0);
    let start = range_start(&argv[5])?;
    let mut count: u64 = 100;
    let mut justid = false;
    let max_count = i64::MAX / 16;
    let mut i = 6;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(&argv[i], "count") && more > 0 {
            count = parse_i64(&argv[i + 1])
                .ok()
                .filter(|n| (1..=max_count).contains(n))
                .ok_or(Error::InvalidArgument("COUNT must be > 0"))? as u64;
            i += 1;
        } else if is(&argv[i], "justid") {
            justid = true;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    let found = read_stream(engine, db, key)?.is_some_and(|s| s.group(group).is_some());
    if !found {
        return Err(Error::NoKeyOrGroup {
            key: text(key),
            group: text(group),
        });
    }
    if count.saturating_mul(16) > ADDRESS_SPACE {
        return Err(Error::XautoclaimCountTooHigh);
    }
    let now = engine.now_ms as i64;
    let mut attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
    let mut cursor = Some(start);
    let (mut claimed, mut deleted) = (Vec::new(), Vec::new());
    let mut consumer_ready = false;
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let stream = stream_after_read(engine, db, key);
        let g = stream.group(group).expect("checked above");
        let Some((id, nack)) = cursor.and_then(|from| g.pending_from(from).next()) else {
            cursor = None;
            break;
        };
        let nack = nack.clone();
        cursor = id.incr();
        let Some(entry) = stream.get(id) else {
            let g = stream.group_mut(group).expect("checked above");
            let last = g.last_id();
            g.drop_pending(id);
            let (arg, delivery) = (id.to_string(), (nack.delivery_time, nack.delivery_count));
            let arg = arg.as_bytes();
            propagate_claim(engine, db, key, group, arg, &nack.consumer, delivery, last);
            engine.dirty += 1;
            deleted.push(id_reply(id));
            count -= 1;
            continue;
        };
        if min_idle != 0 && now - nack.delivery_time < min_idle {
            continue;
        }
        if !consumer_ready {
            ensure_consumer(engine, db, key, group, consumer, false);
            consumer_ready = true;
        }
        let stream = stream_after_read(engine, db, key);
        let g = stream.group_mut(group).expect("checked above");
        let retry = if justid {
            Retry::Keep
        } else {
            Retry::Increment
        };
        let nack = g.assign(id, consumer, now, |old| retry.apply(old)).clone();
        let last = g.last_id();
        claimed.push(if justid {
            id_reply(id)
        } else {
            entry_reply(entry)
        });
        count -= 1;
        let (arg, delivery) = (id.to_string(), (nack.delivery_time, nack.delivery_count));
        propagate_claim(
            engine,
            db,
            key,
            group,
            arg.as_bytes(),
            &nack.consumer,
            delivery,
            last,
        );
        engine.dirty += 1;
    }
    // Where the next call goes on: the next pending entry not looked at, if any.
    let stream = stream_after_read(engine, db, key);
    let g = stream.group(group).expect("checked above");
    let next = cursor
        .and_then(|from| g.pending_from(from).next())
        .map_or(StreamId::MIN, |(id, _)| id);
    engine.prevent_propagation();
    Ok(Reply::Array(vec![
        id_reply(next),
        Reply::Array(claimed),
        Reply::Array(deleted),
    ])
    .into())
}

// --- XINFO, XSETID ------------------------------------------------------------------------------

/// ```text
/// XINFO STREAM key [FULL [COUNT count]]
/// XINFO GROUPS key
/// XINFO CONSUMERS key group
/// XINFO HELP
/// ```
/// One handler, as Redis's `xinfoCommand`: HELP first, then the key (which must exist), then
/// the subcommand with its exact argument count.
fn xinfo(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let sub = argv[1].to_ascii_lowercase();
    let syntax = || Error::SubcommandSyntax {
        subcommand: text(&argv[1]),
        command: "XINFO".to_string(),
    };
    if sub == b"help" {
        if argv.len() != 2 {
            return Err(syntax());
        }
        return Ok(Reply::help("XINFO", XINFO_HELP).into());
    }
    if argv.len() < 3 {
        return Err(syntax());
    }
    let now = engine.now_ms as i64;
    let (key, db) = (&argv[2], call.db);
    let Some(stream) = read_stream(engine, db, key)? else {
        return Err(Error::NoSuchKey);
    };
    match (sub.as_slice(), argv.len()) {
        (b"consumers", 4) => {
            let Some(g) = stream.group(&argv[3]) else {
                return Err(Error::NoGroup {
                    group: text(&argv[3]),
                    key: text(key),
                });
            };
            let consumers = g
                .consumers()
                .map(|c| {
                    Reply::field_map(vec![
                        ("name", Reply::bulk(c.name())),
                        ("pending", int(c.pending_len())),
                        ("idle", int((now - c.seen_time()).max(0))),
                    ])
                })
                .collect();
            Ok(Reply::Array(consumers).into())
        }
        (b"groups", 3) => {
            let groups = stream
                .groups()
                .map(|(name, g)| {
                    Reply::field_map(vec![
                        ("name", Reply::bulk(name)),
                        ("consumers", int(g.consumers_len())),
                        ("pending", int(g.pending_len())),
                        ("last-delivered-id", id_reply(g.last_id())),
                        ("entries-read", g.entries_read().map_or(Reply::Null, int)),
                        ("lag", stream.lag(g).map_or(Reply::Null, int)),
                    ])
                })
                .collect();
            Ok(Reply::Array(groups).into())
        }
        (b"stream", _) => {
            let options = &argv[3..];
            let full = match options {
                [] => None,
                [word] if is(word, "full") => Some(10),
                [word, count_word, count] if is(word, "full") && is(count_word, "count") => {
                    let n = parse_i64(count)?;
                    Some(if n < 0 { 10 } else { n as usize })
                }
                _ => return Err(syntax()),
            };
            Ok(stream_info(stream, full).into())
        }
        _ => Err(syntax()),
    }
}

/// XINFO STREAM's map; with FULL (`Some(count)`, 0 for all), the entries, and the groups with
/// their PELs and consumers, `count` of each at most.
fn stream_info(stream: &Stream, full: Option<usize>) -> Reply {
    let mut fields = vec![
        ("length", int(stream.len())),
        ("radix-tree-keys", int(stream.node_count())),
        ("radix-tree-nodes", int(stream.rax_nodes())),
        ("last-generated-id", id_reply(stream.last_id())),
        (
            "max-deleted-entry-id",
            id_reply(stream.max_deleted_entry_id()),
        ),
        ("entries-added", int(stream.entries_added())),
        ("recorded-first-entry-id", id_reply(stream.first_id())),
    ];
    let Some(count) = full else {
        let edge = |rev| {
            stream
                .range(StreamId::MIN, StreamId::MAX, rev)
                .next()
                .map_or(Reply::Null, entry_reply)
        };
        fields.push(("groups", int(stream.groups().count())));
        fields.push(("first-entry", edge(false)));
        fields.push(("last-entry", edge(true)));
        return Reply::field_map(fields);
    };
    let limit = if count == 0 { usize::MAX } else { count };
    fields.push((
        "entries",
        entries_reply(
            stream
                .range(StreamId::MIN, StreamId::MAX, false)
                .take(limit),
        ),
    ));
    let groups = stream
        .groups()
        .map(|(name, g)| {
            let pending = g
                .pending_from(StreamId::MIN)
                .take(limit)
                .map(|(id, nack)| {
                    Reply::Array(vec![
                        id_reply(id),
                        Reply::bulk(&*nack.consumer),
                        int(nack.delivery_time),
                        int(nack.delivery_count),
                    ])
                })
                .collect();
            let consumers = g
                .consumers()
                .map(|c| {
                    let own = c
                        .pending()
                        .take(limit)
                        .filter_map(|id| {
                            let nack = g.pending_entry(id)?;
                            Some(Reply::Array(vec![
                                id_reply(id),
                                int(nack.delivery_time),
                                int(nack.delivery_count),
                            ]))
                        })
                        .collect();
                    Reply::field_map(vec![
                        ("name", Reply::bulk(c.name())),
                        ("seen-time", int(c.seen_time())),
                        ("pel-count", int(c.pending_len())),
                        ("pending", Reply::Array(own)),
                    ])
                })
                .collect();
            Reply::field_map(vec![
                ("name", Reply::bulk(name)),
                ("last-delivered-id", id_reply(g.last_id())),
                ("entries-read", g.entries_read().map_or(Reply::Null, int)),
                ("lag", stream.lag(g).map_or(Reply::Null, int)),
                ("pel-count", int(g.pending_len())),
                ("pending", Reply::Array(pending)),
                ("consumers", Reply::Array(consumers)),
            ])
        })
        .collect();
    fields.push(("groups", Reply::Array(groups)));
    Reply::field_map(fields)
}

/// ```text
/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
/// ```
/// Sets the stream's last ID (not below its last entry's), and its count of entries added
/// (not below its length) and highest deleted ID (not above the last ID).
fn xsetid(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let id = parse_strict_id(&argv[2])?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(&argv[i], "entriesadded") && more > 0 {
            let n = parse_i64(&argv[i + 1])?;
            entries_added = Some(u64::try_from(n).map_err(|_| Error::EntriesAddedNegative)?);
        } else if is(&argv[i], "maxdeletedid") && more > 0 {
            max_deleted = parse_strict_id(&argv[i + 1])?;
            if id < max_deleted {
                return Err(Error::XsetidBelowMaxDeleted);
            }
        } else {
            return Err(Error::Syntax);
        }
        i += 2;
    }
    let (db, key) = (call.db, &argv[1]);
    let Some(stream) = write_stream(engine, db, key)? else {
        return Err(Error::NoSuchKey);
    };
    if !stream.is_empty() {
        if stream.last_entry_id().is_some_and(|top| id < top) {
            return Err(Error::XsetidBelowTop);
        }
        if entries_added.is_some_and(|added| stream.len() > added) {
            return Err(Error::XsetidEntriesAddedBelowLength);
        }
    }
    stream.set_id(id, entries_added, max_deleted);
    engine.dirty += 1;
    engine.announce(NotifyClass::Stream, "xsetid", db, key);
    Ok(Reply::ok().into())
}
