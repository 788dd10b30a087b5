//! Connection commands: PING, ECHO, QUIT, RESET, HELLO.

use crate::engine::{Call, Engine};
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec, KeyPositions};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: flag::FAST,
        group: "connection",
        since: "1.0.0",
        summary: "Returns the server's liveliness response.",
        syntax: "[message]",
        complexity: "O(1)",
        keys: KeyPositions::NONE,
        handler: Some(ping),
        subcommands: &[],
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flag::FAST,
        group: "connection",
        since: "1.0.0",
        summary: "Returns the given string.",
        syntax: "message",
        complexity: "O(1)",
        keys: KeyPositions::NONE,
        handler: Some(echo),
        subcommands: &[],
    },
];

/// ```text
/// PING [message]
/// ```
/// `PONG`, or the message as a bulk string.
fn ping(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    match call.argv {
        [_] => Ok(Reply::Simple("PONG".into()).into()),
        [_, message] => Ok(Reply::bulk(message.clone()).into()),
        _ => Err(crate::Error::WrongArity(call.name.to_string())),
    }
}

/// ```text
/// ECHO message
/// ```
fn echo(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::bulk(call.argv[1].clone()).into())
}
