//! CLIENT: a container of subcommands about connections: ID, SETNAME, GETNAME, LIST, INFO,
//! KILL, UNBLOCK, REPLY, NO-EVICT, PAUSE, UNPAUSE, the client-side caching ones (TRACKING,
//! CACHING, GETREDIR, TRACKINGINFO: `crate::tracking`) and HELP, each a row in [`SUBCOMMANDS`]
//! and a line pair in [`HELP`].

use std::fmt::Write as _;

use crate::args::{is, string2ll};
use crate::engine::{Call, Client, ClientId, Engine, Outcome};
use crate::error::Error;
use crate::pause::PauseMode;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};
use crate::tracking::TrackingOptions;

/// Flags Redis gives CLIENT's per-connection subcommands.
const PER_CONNECTION: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE;
/// Flags Redis gives the subcommands that see or act on other connections.
const SERVER_WIDE: u32 = flag::ADMIN | PER_CONNECTION;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    flags: 0,
    group: "connection",
    since: "2.4.0",
    summary: "A container for commands about client connections.",
    syntax: "subcommand [argument ...]",
    complexity: "Depends on subcommand.",
    keys: &[],
    tips: &[],
    handler: None,
    subcommands: SUBCOMMANDS,
}];

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "id",
        arity: 2,
        flags: PER_CONNECTION,
        group: "connection",
        since: "5.0.0",
        summary: "Returns the unique id of the current connection.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(id),
        subcommands: &[],
    },
    CommandSpec {
        name: "setname",
        arity: 3,
        flags: PER_CONNECTION,
        group: "connection",
        since: "2.6.9",
        summary: "Names the current connection; an empty name removes it.",
        syntax: "connection-name",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(setname),
        subcommands: &[],
    },
    CommandSpec {
        name: "getname",
        arity: 2,
        flags: PER_CONNECTION,
        group: "connection",
        since: "2.6.9",
        summary: "Returns the current connection's name, or nil when it has none.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(getname),
        subcommands: &[],
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: SERVER_WIDE,
        group: "connection",
        since: "2.4.0",
        summary: "Lists the connections, one line of fields each.",
        syntax: "[TYPE (NORMAL | MASTER | REPLICA | PUBSUB)] [ID client-id [client-id ...]]",
        complexity: "O(N) where N is the number of client connections",
        keys: &[],
        tips: &["nondeterministic_output"],
        handler: Some(list),
        subcommands: &[],
    },
    CommandSpec {
        name: "info",
        arity: 2,
        flags: PER_CONNECTION,
        group: "connection",
        since: "6.2.0",
        summary: "Returns the current connection's line of CLIENT LIST.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["nondeterministic_output"],
        handler: Some(info),
        subcommands: &[],
    },
    CommandSpec {
        name: "kill",
        arity: -3,
        flags: SERVER_WIDE,
        group: "connection",
        since: "2.4.0",
        summary: "Closes the connection at an address, or every connection matching filters.",
        syntax: "ip:port | ([ID client-id] | [TYPE (NORMAL | MASTER | SLAVE | REPLICA | PUBSUB)] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]) [([ID client-id] | [TYPE (NORMAL | MASTER | SLAVE | REPLICA | PUBSUB)] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]) ...]",
        complexity: "O(N) where N is the number of client connections",
        keys: &[],
        tips: &[],
        handler: Some(kill),
        subcommands: &[],
    },
    CommandSpec {
        name: "unblock",
        arity: -3,
        flags: SERVER_WIDE,
        group: "connection",
        since: "5.0.0",
        summary: "Ends a blocking command's wait, as a timeout or with an error.",
        syntax: "client-id [TIMEOUT | ERROR]",
        complexity: "O(log N) where N is the number of client connections",
        keys: &[],
        tips: &[],
        handler: Some(unblock),
        subcommands: &[],
    },
    CommandSpec {
        name: "reply",
        arity: 3,
        flags: PER_CONNECTION,
        group: "connection",
        since: "3.2.0",
        summary: "Turns the replies to this connection's commands off, on, or off for the next one.",
        syntax: "ON | OFF | SKIP",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(reply),
        subcommands: &[],
    },
    CommandSpec {
        name: "no-evict",
        arity: 3,
        flags: SERVER_WIDE,
        group: "connection",
        since: "7.0.0",
        summary: "Protects the current connection from client eviction, or stops protecting it.",
        syntax: "ON | OFF",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(no_evict),
        subcommands: &[],
    },
    CommandSpec {
        name: "tracking",
        arity: -3,
        flags: PER_CONNECTION,
        group: "connection",
        since: "6.0.0",
        summary: "Turns on or off the server's help with caching on the client side: messages naming the keys to forget.",
        syntax: "(ON | OFF) [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
        complexity: "O(1), plus O(P) for P prefixes given with BCAST.",
        keys: &[],
        tips: &[],
        handler: Some(tracking),
        subcommands: &[],
    },
    CommandSpec {
        name: "caching",
        arity: 3,
        flags: PER_CONNECTION,
        group: "connection",
        since: "6.0.0",
        summary: "In OPTIN or OPTOUT tracking, says whether the keys the next command reads are cached.",
        syntax: "YES | NO",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(caching),
        subcommands: &[],
    },
    CommandSpec {
        name: "getredir",
        arity: 2,
        flags: PER_CONNECTION,
        group: "connection",
        since: "6.0.0",
        summary: "Returns the id of the client tracking messages go to: 0 for this one, -1 when tracking is off.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(getredir),
        subcommands: &[],
    },
    CommandSpec {
        name: "trackinginfo",
        arity: 2,
        flags: PER_CONNECTION,
        group: "connection",
        since: "6.2.0",
        summary: "Describes this connection's tracking: its flags, where messages go, its prefixes.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(trackinginfo),
        subcommands: &[],
    },
    CommandSpec {
        name: "pause",
        arity: -3,
        flags: SERVER_WIDE,
        group: "connection",
        since: "2.9.50",
        summary: "Holds every client's commands, or only those that may write, for a number of milliseconds.",
        syntax: "timeout [WRITE | ALL]",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(pause),
        subcommands: &[],
    },
    CommandSpec {
        name: "unpause",
        arity: 2,
        flags: SERVER_WIDE,
        group: "connection",
        since: "6.2.0",
        summary: "Ends a CLIENT PAUSE early; the held commands run.",
        syntax: "",
        complexity: "O(N), N being the clients the pause held.",
        keys: &[],
        tips: &[],
        handler: Some(unpause),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "connection",
        since: "5.0.0",
        summary: "Lists CLIENT's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(help),
        subcommands: &[],
    },
];

/// CLIENT HELP's lines for the subcommands we have, worded and ordered as Redis 7.0 words them.
const HELP: &[&str] = &[
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];

/// ```text
/// CLIENT ID
/// ```
fn id(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(call.client.0 as i64).into())
}

/// ```text
/// CLIENT SETNAME connection-name
/// ```
/// Names the connection (CLIENT LIST shows it), or removes the name when it is empty. A name
/// may only hold printable ASCII other than space, so CLIENT LIST stays splittable on spaces.
fn setname(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let name = checked_client_name(&call.argv[2])?;
    if let Some(client) = engine.clients.get_mut(&call.client) {
        client.name = name;
    }
    Ok(Reply::ok().into())
}

/// ```text
/// CLIENT GETNAME
/// ```
fn getname(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::bulk_or_null(engine.client(call.client).and_then(|c| c.name.clone())).into())
}

/// ```text
/// CLIENT HELP
/// ```
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("CLIENT", HELP).into())
}

/// Redis's client types, as CLIENT LIST and CLIENT KILL name them (`getClientType`): a
/// replica's master client, a replica (not a monitor, which Redis also counts as one), else
/// `pubsub` while subscribed, else `normal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientType {
    Normal,
    Replica,
    PubSub,
    Master,
}

impl ClientType {
    /// `getClientTypeByName`, any case.
    fn parse(name: &[u8]) -> Result<ClientType, Error> {
        match name.to_ascii_lowercase().as_slice() {
            b"normal" => Ok(ClientType::Normal),
            b"slave" | b"replica" => Ok(ClientType::Replica),
            b"pubsub" => Ok(ClientType::PubSub),
            b"master" => Ok(ClientType::Master),
            _ => Err(Error::UnknownClientType(
                String::from_utf8_lossy(name).into_owned(),
            )),
        }
    }

    fn of(client: &Client) -> ClientType {
        if client.master {
            ClientType::Master
        } else if client.replica && !client.monitor {
            ClientType::Replica
        } else if client.subscriptions.any() {
            ClientType::PubSub
        } else {
            ClientType::Normal
        }
    }
}

/// A client's line of CLIENT LIST, newline included, with Redis 7.0's fields in its order.
/// The connection's own fields are the front end's (`addr`, `laddr`, `fd`); the memory
/// fields are estimates of the same shape as Redis's, since the engine's allocations are
/// not Redis's: buffers as an idle Redis client has them, plus what the current request
/// (`current`) and the queued transaction hold, counted as Redis counts them.
pub(crate) fn client_line(engine: &Engine, client: &Client, current: Option<&[Vec<u8>]>) -> String {
    let now = engine.now_ms;
    // A monitor is a replica to Redis, listed with its own letter.
    let mut flags = String::from(match (client.monitor, client.replica) {
        (true, _) => "O",
        (false, true) => "S",
        (false, false) => "",
    });
    if client.master {
        flags.push('M');
    }
    for (on, letter) in [
        (client.subscriptions.any(), 'P'),
        (client.multi.is_some(), 'x'),
        (client.is_blocked(), 'b'),
        (client.tracking.is_some(), 't'),
        (
            client.tracking.as_ref().is_some_and(|t| t.broken_redirect),
            'R',
        ),
        (client.tracking.as_ref().is_some_and(|t| t.bcast), 'B'),
        (client.dirty_cas, 'd'),
        (client.closing, 'c'),
        (client.no_evict, 'e'),
    ] {
        if on {
            flags.push(letter);
        }
    }
    if flags.is_empty() {
        flags.push('N');
    }
    // The request being run sits in the query buffer as RESP, and its arguments in argv.
    let (qbuf, argv_mem) = current.map_or((0, 0), |argv| {
        let header = |n: usize| n.to_string().len() + 3;
        let qbuf = header(argv.len())
            + argv
                .iter()
                .map(|a| header(a.len()) + a.len() + 2)
                .sum::<usize>();
        (qbuf, argv.iter().map(Vec::len).sum::<usize>())
    });
    // Redis's `multiStateMemOverhead`: each queued argument's bytes and a pointer to it.
    let multi_mem: usize = client.multi.as_ref().map_or(0, |t| {
        t.queue
            .iter()
            .map(|argv| argv.iter().map(|a| a.len() + 8).sum::<usize>())
            .sum()
    });
    let name = client.name.as_deref().unwrap_or_default();
    let mut line = String::new();
    let _ = writeln!(
        line,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={flags} db={} sub={} \
         psub={} ssub={} multi={} qbuf={qbuf} qbuf-free={} argv-mem={argv_mem} \
         multi-mem={multi_mem} rbs=1024 rbp={qbuf} obl=0 oll=0 omem=0 tot-mem={} events=r \
         cmd={} user={} redir={} resp={}",
        client.id.0,
        client.addr,
        client.laddr,
        client.fd,
        String::from_utf8_lossy(name),
        now.saturating_sub(client.created_ms) / 1000,
        now.saturating_sub(client.last_interaction_ms) / 1000,
        client.db,
        client.subscriptions.channels.len(),
        client.subscriptions.patterns.len(),
        client.subscriptions.shard_channels.len(),
        client.multi.as_ref().map_or(-1, |t| t.queue.len() as i64),
        20474 - qbuf.min(20474),
        22272 + qbuf + argv_mem + multi_mem,
        client.last_command,
        // The master client runs as no user at all, which Redis prints so.
        match client.master {
            true => "(superuser)".into(),
            false => String::from_utf8_lossy(&client.user),
        },
        redirect_of(client),
        client.protocol,
    );
    line
}

/// ```text
/// CLIENT LIST [TYPE (NORMAL | MASTER | REPLICA | PUBSUB)] [ID client-id [client-id ...]]
/// ```
/// One line per connection (see [`client_line`]), by id; only those of a type, or those with
/// the ids given, in the order given. An id that is not a number is an error; one that no
/// client has lists nothing.
fn list(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let wanted: Vec<&Client> = match &call.argv[2..] {
        [] => engine.clients().collect(),
        [option, kind] if is(option, "type") => {
            let kind = ClientType::parse(kind)?;
            engine
                .clients()
                .filter(|c| ClientType::of(c) == kind)
                .collect()
        }
        [option, ids @ ..] if is(option, "id") && !ids.is_empty() => {
            let mut wanted = Vec::new();
            for id in ids {
                let id = string2ll(id).ok_or(Error::InvalidClientId)?;
                let found = u64::try_from(id)
                    .ok()
                    .and_then(|id| engine.client(ClientId(id)));
                wanted.extend(found);
            }
            wanted
        }
        _ => return Err(Error::Syntax),
    };
    let text: String = wanted
        .into_iter()
        .filter(|c| !c.closing || c.id == call.client)
        .map(|c| client_line(engine, c, (c.id == call.client).then_some(call.argv)))
        .collect();
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
    .into())
}

/// ```text
/// CLIENT INFO
/// ```
/// This connection's line of CLIENT LIST.
fn info(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let line = engine
        .client(call.client)
        .map(|c| client_line(engine, c, Some(call.argv)))
        .unwrap_or_default();
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: line.into_bytes(),
    }
    .into())
}

/// CLIENT KILL's filters; every one given must match.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    kind: Option<ClientType>,
    addr: Option<Vec<u8>>,
    laddr: Option<Vec<u8>>,
    user: Option<Vec<u8>>,
    skip_me: bool,
}

impl KillFilter {
    /// `[ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port] [SKIPME yes/no]`, in
    /// pairs, any order, each checked as it is read.
    fn parse(args: &[Vec<u8>], engine: &Engine) -> Result<KillFilter, Error> {
        let mut filter = KillFilter {
            skip_me: true,
            ..KillFilter::default()
        };
        for pair in args.chunks(2) {
            let [option, value] = pair else {
                return Err(Error::Syntax);
            };
            if is(option, "id") {
                let id = string2ll(value)
                    .filter(|&id| id > 0)
                    .ok_or(Error::ClientIdNotPositive)?;
                filter.id = Some(id as u64);
            } else if is(option, "type") {
                filter.kind = Some(ClientType::parse(value)?);
            } else if is(option, "addr") {
                filter.addr = Some(value.clone());
            } else if is(option, "laddr") {
                filter.laddr = Some(value.clone());
            } else if is(option, "user") {
                if !engine.acl.users.contains_key(value.as_slice()) {
                    return Err(Error::NoSuchUser(
                        String::from_utf8_lossy(value).into_owned(),
                    ));
                }
                filter.user = Some(value.clone());
            } else if is(option, "skipme") {
                filter.skip_me = if is(value, "yes") {
                    true
                } else if is(value, "no") {
                    false
                } else {
                    return Err(Error::Syntax);
                };
            } else {
                return Err(Error::Syntax);
            }
        }
        Ok(filter)
    }

    fn matches(&self, client: &Client, me: ClientId) -> bool {
        !(self.skip_me && client.id == me)
            && self.id.is_none_or(|id| client.id.0 == id)
            && self.kind.is_none_or(|kind| ClientType::of(client) == kind)
            && self
                .addr
                .as_ref()
                .is_none_or(|a| client.addr.as_bytes() == a.as_slice())
            && self
                .laddr
                .as_ref()
                .is_none_or(|a| client.laddr.as_bytes() == a.as_slice())
            && self.user.as_ref().is_none_or(|u| client.user == *u)
    }
}

/// ```text
/// CLIENT KILL ip:port
/// CLIENT KILL [ID client-id] [TYPE type] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME yes/no]
/// ```
/// The old form closes the connection from that address (`OK`, or an error when there is
/// none); the new form closes every connection matching all the filters given (the caller's
/// own only with SKIPME no) and answers how many. A connection closes once what it was sent
/// is written; a killed client's blocked command is dropped.
fn kill(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (filter, old_form) = match &call.argv[2..] {
        [addr] => (
            KillFilter {
                addr: Some(addr.clone()),
                ..KillFilter::default()
            },
            true,
        ),
        args => (KillFilter::parse(args, engine)?, false),
    };
    let victims: Vec<ClientId> = engine
        .clients()
        .filter(|c| !c.closing && filter.matches(c, call.client))
        .map(|c| c.id)
        .collect();
    for &id in &victims {
        engine.unblock(id);
        engine.forget_replica(id);
        if let Some(c) = engine.clients.get_mut(&id) {
            c.closing = true;
        }
        engine.woken.push(id);
        // The master client has no connection of its own to close: its link drops.
        engine.master_client_killed(id);
    }
    match (old_form, victims.len()) {
        (true, 0) => Err(Error::NoSuchClient),
        (true, _) => Ok(Reply::ok().into()),
        (false, killed) => Ok(Reply::Integer(killed as i64).into()),
    }
}

/// ```text
/// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
/// ```
/// Ends the wait of a client blocked by BLPOP and its kin, with its timeout reply or with an
/// `UNBLOCKED` error: 1, or 0 when that client is not blocked.
fn unblock(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let id = call.argv[2].clone();
    let timed_out = |engine: &Engine| {
        string2ll(&id).map_or(Reply::NullArray, |id| {
            engine.timeout_reply(ClientId(id as u64))
        })
    };
    let reply = match &call.argv[3..] {
        [] => timed_out(engine),
        [reason] if is(reason, "timeout") => timed_out(engine),
        [reason] if is(reason, "error") => Reply::from(Error::Unblocked),
        [_] => return Err(Error::UnblockReason),
        _ => {
            return Err(Error::SubcommandSyntax {
                subcommand: String::from_utf8_lossy(&call.argv[1]).into_owned(),
                command: "CLIENT".into(),
            })
        }
    };
    let id = string2ll(&call.argv[2]).ok_or(Error::NotInteger)?;
    let timeout = !matches!(reply, Reply::Error(_));
    let unblocked = u64::try_from(id)
        .ok()
        .map(ClientId)
        .filter(|&client| engine.unblock_with(client, reply));
    if let (Some(client), true) = (unblocked, timeout) {
        // Redis counts a wait CLIENT UNBLOCK ends as a failed call even when it answers as a
        // timeout (an error counts itself in `unblock_with`).
        engine.count_blocked_failure(client);
    }
    Ok(Reply::Integer(i64::from(unblocked.is_some())).into())
}

/// ```text
/// CLIENT PAUSE timeout [WRITE | ALL]
/// ```
/// Pauses clients for `timeout` milliseconds (`crate::pause`): all their commands, or only
/// those that may write. The mode is read before the timeout, as Redis reads them; a
/// timeout of 0 pauses nothing.
fn pause(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mode = match call.argv.get(3) {
        None => PauseMode::All,
        Some(mode) if is(mode, "write") => PauseMode::Write,
        Some(mode) if is(mode, "all") => PauseMode::All,
        Some(_) => return Err(Error::PauseMode),
    };
    if call.argv.len() > 4 {
        return Err(Error::SubcommandSyntax {
            subcommand: String::from_utf8_lossy(&call.argv[1]).into_owned(),
            command: "CLIENT".into(),
        });
    }
    let timeout = string2ll(&call.argv[2]).ok_or(Error::TimeoutNotInteger)?;
    let end_ms = match u64::try_from(timeout) {
        Err(_) => return Err(Error::TimeoutNegative),
        Ok(0) => 0,
        Ok(ms) => engine.now_ms.saturating_add(ms),
    };
    engine.pause_clients(end_ms, mode);
    Ok(Reply::ok().into())
}

/// ```text
/// CLIENT UNPAUSE
/// ```
/// Ends the pause; the commands it held run once this one is answered.
fn unpause(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.unpause_clients();
    Ok(Reply::ok().into())
}

/// ```text
/// CLIENT NO-EVICT ON | OFF
/// ```
fn no_evict(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let on = if is(&call.argv[2], "on") {
        true
    } else if is(&call.argv[2], "off") {
        false
    } else {
        return Err(Error::Syntax);
    };
    if let Some(client) = engine.clients.get_mut(&call.client) {
        client.no_evict = on;
    }
    Ok(Reply::ok().into())
}

/// CLIENT REPLY: ON answers OK and replies again; OFF and SKIP answer nothing (the reply of
/// the command that turned replies on is the first one sent). SKIP silences the next command
/// only, and does nothing while replies are off. Pub/sub messages and (un)subscribe
/// confirmations are sent whatever the setting ([`Engine::execute`]).
fn reply(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(client) = engine.clients.get_mut(&call.client) else {
        return Ok(Outcome::Replies(Vec::new()));
    };
    if is(&call.argv[2], "on") {
        client.reply_off = false;
        client.reply_skip = false;
        return Ok(Reply::ok().into());
    }
    if is(&call.argv[2], "off") {
        client.reply_off = true;
    } else if is(&call.argv[2], "skip") {
        client.reply_skip_next |= !client.reply_off;
    } else {
        return Err(Error::Syntax);
    }
    Ok(Outcome::Replies(Vec::new()))
}

/// A name CLIENT SETNAME or HELLO ... SETNAME may set: `None` (no name) for an empty one, as
/// Redis's `clientSetNameOrReply` decides.
pub(crate) fn checked_client_name(name: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    if name.is_empty() {
        return Ok(None);
    }
    if name.iter().all(|&b| (b'!'..=b'~').contains(&b)) {
        Ok(Some(name.to_vec()))
    } else {
        Err(Error::InvalidClientName)
    }
}

/// Where a client's tracking messages go, as GETREDIR, TRACKINGINFO and CLIENT LIST's `redir`
/// say it: the target's id, 0 for the client itself, -1 when tracking is off.
fn redirect_of(client: &Client) -> i64 {
    client.tracking.as_ref().map_or(-1, |t| t.redirect as i64)
}

/// ```text
/// CLIENT TRACKING ON | OFF [REDIRECT client-id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
/// ```
/// Every option is read first (a REDIRECT target must exist now; an unknown word is a syntax
/// error), then ON checks them against each other and against the mode the client is in, in
/// Redis's order, before turning tracking on (`crate::tracking`); OFF ignores them.
fn tracking(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mut options = TrackingOptions::default();
    let mut args = call.argv[3..].iter();
    while let Some(option) = args.next() {
        let more = args.len() > 0;
        if is(option, "redirect") && more {
            let id = args.next().expect("one more argument");
            if options.redirect != 0 {
                return Err(Error::TrackingRedirectTwice);
            }
            let id = string2ll(id).ok_or(Error::NotInteger)?;
            if u64::try_from(id)
                .ok()
                .and_then(|id| engine.client(ClientId(id)))
                .is_none()
            {
                return Err(Error::TrackingRedirectMissing);
            }
            options.redirect = id as u64;
        } else if is(option, "bcast") {
            options.bcast = true;
        } else if is(option, "optin") {
            options.optin = true;
        } else if is(option, "optout") {
            options.optout = true;
        } else if is(option, "noloop") {
            options.noloop = true;
        } else if is(option, "prefix") && more {
            options
                .prefixes
                .push(args.next().expect("one more argument").clone());
        } else {
            return Err(Error::Syntax);
        }
    }
    if is(&call.argv[2], "off") {
        engine.disable_tracking(call.client);
        return Ok(Reply::ok().into());
    }
    if !is(&call.argv[2], "on") {
        return Err(Error::Syntax);
    }
    let current = engine.client(call.client).and_then(|c| c.tracking.as_ref());
    if !options.bcast && !options.prefixes.is_empty() {
        return Err(Error::TrackingPrefixWithoutBcast);
    }
    if current.is_some_and(|t| t.bcast != options.bcast) {
        return Err(Error::TrackingBcastSwitch);
    }
    if options.bcast && (options.optin || options.optout) {
        return Err(Error::TrackingOptWithBcast);
    }
    if options.optin && options.optout {
        return Err(Error::TrackingOptinAndOptout);
    }
    if current.is_some_and(|t| (options.optin && t.optout) || (options.optout && t.optin)) {
        return Err(Error::TrackingOptSwitch);
    }
    if options.bcast {
        let existing = current.map(|t| &t.prefixes);
        check_prefix_collisions(existing, &options.prefixes)?;
    }
    engine.enable_tracking(call.client, options);
    Ok(Reply::ok().into())
}

/// BCAST prefixes of one client must not overlap (one a prefix of the other, or equal): each
/// new one is checked against those the client has, then against the new ones after it
/// (Redis's `checkPrefixCollisionsOrReply`).
fn check_prefix_collisions(
    existing: Option<&std::collections::BTreeSet<Vec<u8>>>,
    new: &[Vec<u8>],
) -> Result<(), Error> {
    let overlap = |a: &[u8], b: &[u8]| a.starts_with(b) || b.starts_with(a);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    for (i, prefix) in new.iter().enumerate() {
        if let Some(old) = existing
            .into_iter()
            .flatten()
            .find(|old| overlap(old, prefix))
        {
            return Err(Error::TrackingPrefixOverlapsExisting(
                text(prefix),
                text(old),
            ));
        }
        if let Some(other) = new[i + 1..].iter().find(|other| overlap(other, prefix)) {
            return Err(Error::TrackingPrefixOverlapsProvided(
                text(prefix),
                text(other),
            ));
        }
    }
    Ok(())
}

/// ```text
/// CLIENT CACHING YES | NO
/// ```
/// In OPTIN mode YES, in OPTOUT mode NO: the next command (or transaction) is the exception
/// to the mode.
fn caching(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(t) = engine
        .clients
        .get_mut(&call.client)
        .and_then(|c| c.tracking.as_mut())
    else {
        return Err(Error::CachingWithoutTracking);
    };
    if is(&call.argv[2], "yes") {
        if !t.optin {
            return Err(Error::CachingYesWithoutOptin);
        }
    } else if is(&call.argv[2], "no") {
        if !t.optout {
            return Err(Error::CachingNoWithoutOptout);
        }
    } else {
        return Err(Error::Syntax);
    }
    t.caching = true;
    Ok(Reply::ok().into())
}

/// ```text
/// CLIENT GETREDIR
/// ```
fn getredir(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let redirect = engine.client(call.client).map_or(-1, redirect_of);
    Ok(Reply::Integer(redirect).into())
}

/// ```text
/// CLIENT TRACKINGINFO
/// ```
/// A map of `flags` (a set: `on` or `off`, then the mode's words), `redirect` and `prefixes`.
fn trackinginfo(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let client = engine.client(call.client);
    let tracking = client.and_then(|c| c.tracking.as_ref());
    let mut flags = vec![if tracking.is_some() { "on" } else { "off" }];
    if let Some(t) = tracking {
        for (on, word) in [
            (t.bcast, "bcast"),
            (t.optin, "optin"),
            (t.optin && t.caching, "caching-yes"),
            (t.optout, "optout"),
            (t.optout && t.caching, "caching-no"),
            (t.noloop, "noloop"),
            (t.broken_redirect, "broken_redirect"),
        ] {
            if on {
                flags.push(word);
            }
        }
    }
    let prefixes = tracking.map(|t| {
        t.prefixes
            .iter()
            .map(|p| Reply::bulk(p.as_slice()))
            .collect()
    });
    Ok(Reply::Map(vec![
        (
            Reply::bulk("flags"),
            Reply::Set(flags.into_iter().map(Reply::bulk).collect()),
        ),
        (
            Reply::bulk("redirect"),
            Reply::Integer(client.map_or(-1, redirect_of)),
        ),
        (
            Reply::bulk("prefixes"),
            Reply::Array(prefixes.unwrap_or_default()),
        ),
    ])
    .into())
}
