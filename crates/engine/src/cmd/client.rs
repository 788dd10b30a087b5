//! CLIENT: a container of subcommands about connections. This issue brings ID, SETNAME,
//! GETNAME and HELP; LIST, INFO and KILL arrive with later issues, each a row in
//! [`SUBCOMMANDS`] and a line pair in [`HELP`].

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec, KeyPositions};

/// Flags Redis gives CLIENT's per-connection subcommands.
const PER_CONNECTION: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    flags: 0,
    group: "connection",
    since: "2.4.0",
    summary: "A container for commands about client connections.",
    syntax: "subcommand [argument ...]",
    complexity: "Depends on subcommand.",
    keys: KeyPositions::NONE,
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
        keys: KeyPositions::NONE,
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
        keys: KeyPositions::NONE,
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
        keys: KeyPositions::NONE,
        handler: Some(getname),
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
        keys: KeyPositions::NONE,
        handler: Some(help),
        subcommands: &[],
    },
];

/// CLIENT HELP's lines for the subcommands we have, worded and ordered as Redis 7.0 words them.
const HELP: &[&str] = &[
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
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
