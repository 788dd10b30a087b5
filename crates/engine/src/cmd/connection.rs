//! Connection commands: PING, ECHO, QUIT, RESET, HELLO. They act on the calling client's own
//! state (its protocol, database, name, whether it is closing), never on the keyspace.

use crate::args::string2ll;
use crate::cmd::client::checked_client_name;
use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};

/// What HELLO reports as the server's version: the Redis this engine answers like.
pub const REDIS_VERSION: &str = "7.0.15";

/// The flags Redis gives the commands a client may send before it has authenticated, even
/// while the server is loading or busy with a script.
const HANDSHAKE: u32 =
    flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::FAST | flag::NO_AUTH | flag::ALLOW_BUSY;

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
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: Some(ping),
        subcommands: &[],
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flag::LOADING | flag::STALE | flag::FAST,
        group: "connection",
        since: "1.0.0",
        summary: "Returns the given string.",
        syntax: "message",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(echo),
        subcommands: &[],
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: HANDSHAKE,
        group: "connection",
        since: "1.0.0",
        summary: "Closes the connection after replying OK.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(quit),
        subcommands: &[],
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: HANDSHAKE,
        group: "connection",
        since: "6.2.0",
        summary: "Resets the connection: ends MULTI, WATCH, subscriptions and MONITOR; RESP2, database 0, no name, the default user.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(reset),
        subcommands: &[],
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: HANDSHAKE,
        group: "connection",
        since: "6.0.0",
        summary: "Handshakes with the server: picks the protocol (RESP2 or RESP3), and can authenticate and name the connection.",
        syntax: "[protover [AUTH username password] [SETNAME clientname]]",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(hello),
        subcommands: &[],
    },
];

/// ```text
/// PING [message]
/// ```
/// `PONG`, or the message as a bulk string.
/// In RESP2's subscribed context the reply is a message-shaped `[pong, message]` (the
/// message empty when not given), so a client reading a stream of pushes can tell it apart.
fn ping(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let subscribed = engine
        .client(call.client)
        .is_some_and(|c| c.protocol == 2 && c.subscriptions.any());
    match (call.argv, subscribed) {
        ([_], false) => Ok(Reply::Simple("PONG".into()).into()),
        ([_, message], false) => Ok(Reply::bulk(message.clone()).into()),
        ([_], true) => Ok(Reply::bulk_array([&b"pong"[..], b""]).into()),
        ([_, message], true) => Ok(Reply::bulk_array([&b"pong"[..], message]).into()),
        _ => Err(Error::WrongArity(call.name.to_string())),
    }
}

/// ```text
/// ECHO message
/// ```
fn echo(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::bulk(call.argv[1].clone()).into())
}

/// ```text
/// QUIT
/// ```
/// Replies `OK`; the front end closes the connection once that reply is sent. Redis 7.0 handles
/// QUIT before looking at its arguments, so any arguments are ignored.
fn quit(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if let Some(client) = engine.clients.get_mut(&call.client) {
        client.closing = true;
    }
    Ok(Reply::ok().into())
}

/// ```text
/// RESET
/// ```
/// Puts the connection back as it was when it connected (Redis's `clearClientConnectionState`):
/// no longer a monitor, no tracking, no transaction, no watched key, no subscription (left
/// without confirmations), RESP2, database 0, no name, replies on, the `default` user
/// (authenticated only if it needs no password); and replies `RESET`. CLIENT NO-EVICT stays
/// as it was, as in Redis 7.0.
fn reset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    engine.stop_monitoring(call.client);
    engine.discard_transaction(call.client);
    engine.unsubscribe_all(call.client);
    engine.disable_tracking(call.client);
    let authenticated = !engine.acl.auth_required();
    if let Some(client) = engine.clients.get_mut(&call.client) {
        client.protocol = 2;
        client.db = 0;
        client.name = None;
        client.reply_off = false;
        client.reply_skip_next = false;
        client.user = b"default".to_vec();
        client.authenticated = authenticated;
    }
    Ok(Reply::Simple("RESET".into()).into())
}

/// ```text
/// HELLO [protover [AUTH username password] [SETNAME clientname]]
/// ```
/// Switches the connection to RESP `protover` (2 or 3) and answers with a map describing the
/// server and the connection: server, version, proto, id, mode, role, modules. Without
/// arguments it only reports. The version is checked first; then the options run in order,
/// each taking effect at once as in Redis 7.0, so `HELLO 3 SETNAME a NOSUCH` fails yet leaves
/// the name `a`; the protocol changes only when every option has passed.
///
/// `AUTH user password` authenticates as `crate::cmd::acl`'s AUTH does; a connection that is
/// still not authenticated after the options gets NOAUTH and keeps its protocol.
fn hello(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let protocol = match call.argv.get(1) {
        None => None,
        Some(arg) => match string2ll(arg) {
            None => return Err(Error::ProtocolVersionNotInteger),
            Some(v @ (2 | 3)) => Some(v as u8),
            Some(_) => return Err(Error::NoProto),
        },
    };
    if engine.client(call.client).is_none() {
        return Ok(Reply::Null.into());
    }
    let mut rest = call.argv.get(2..).unwrap_or_default();
    while let Some((option, after)) = rest.split_first() {
        rest = match after {
            [user, password, more @ ..] if option.eq_ignore_ascii_case(b"auth") => {
                engine.authenticate(call.client, user, password, call.argv)?;
                more
            }
            [name, more @ ..] if option.eq_ignore_ascii_case(b"setname") => {
                let name = checked_client_name(name)?;
                if let Some(client) = engine.clients.get_mut(&call.client) {
                    client.name = name;
                }
                more
            }
            _ => {
                return Err(Error::HelloSyntax(
                    String::from_utf8_lossy(option).into_owned(),
                ))
            }
        };
    }
    let auth_required = engine.acl.auth_required();
    let Some(client) = engine.clients.get_mut(&call.client) else {
        return Ok(Reply::Null.into());
    };
    if !client.authenticated && auth_required {
        return Err(Error::HelloNoAuth);
    }
    if let Some(protocol) = protocol {
        client.protocol = protocol;
    }
    let field = |key: &str, value: Reply| (Reply::bulk(key), value);
    Ok(Reply::Map(vec![
        field("server", Reply::bulk("redis")),
        field("version", Reply::bulk(REDIS_VERSION)),
        field("proto", Reply::Integer(i64::from(client.protocol))),
        field("id", Reply::Integer(client.id.0 as i64)),
        field("mode", Reply::bulk("standalone")),
        field("role", Reply::bulk("master")),
        field("modules", Reply::Array(Vec::new())),
    ])
    .into())
}
