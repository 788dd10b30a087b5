//! The pub/sub family (Redis's `pubsub.c`): SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
//! UNSUBSCRIBE twins, PUBLISH, SPUBLISH, and the PUBSUB introspection container. The
//! bookkeeping and the delivery of messages are `crate::pubsub`'s; these handlers parse
//! arguments and shape replies.

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::pubsub::Kind;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::Outcome;

/// Flags Redis gives the (un)subscribing commands.
const SUBSCRIBING: u32 = flag::PUBSUB | flag::NOSCRIPT | flag::LOADING | flag::STALE;
/// Flags Redis gives PUBLISH and SPUBLISH.
const PUBLISHING: u32 =
    flag::PUBSUB | flag::LOADING | flag::STALE | flag::FAST | flag::MAY_REPLICATE;
/// Flags Redis gives PUBSUB's introspection subcommands.
const INTROSPECTION: u32 = flag::PUBSUB | flag::LOADING | flag::STALE;
const PER_NAME: &str = "O(N) where N is the number of channels to subscribe to.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "2.0.0",
        summary: "Listens for messages published to channels.",
        syntax: "channel [channel ...]",
        complexity: PER_NAME,
        keys: &[],
        tips: &[],
        handler: Some(subscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "2.0.0",
        summary: "Stops listening to channels; to every channel when none is given.",
        syntax: "[channel [channel ...]]",
        complexity: "O(N) where N is the number of clients already subscribed to a channel.",
        keys: &[],
        tips: &[],
        handler: Some(unsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "2.0.0",
        summary: "Listens for messages published to channels that match glob patterns.",
        syntax: "pattern [pattern ...]",
        complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
        keys: &[],
        tips: &[],
        handler: Some(psubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "2.0.0",
        summary: "Stops listening to patterns; to every pattern when none is given.",
        syntax: "[pattern [pattern ...]]",
        complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
        keys: &[],
        tips: &[],
        handler: Some(punsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "7.0.0",
        summary: "Listens for messages published to shard channels.",
        syntax: "shardchannel [shardchannel ...]",
        complexity: "O(N) where N is the number of shard channels to subscribe to.",
        keys: &[KeySpec::range(key_flag::NOT_KEY, 1, -1, 1)],
        tips: &[],
        handler: Some(ssubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        flags: SUBSCRIBING,
        group: "pubsub",
        since: "7.0.0",
        summary: "Stops listening to shard channels; to every one when none is given.",
        syntax: "[shardchannel [shardchannel ...]]",
        complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
        keys: &[KeySpec::range(key_flag::NOT_KEY, 1, -1, 1)],
        tips: &[],
        handler: Some(sunsubscribe),
        subcommands: &[],
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: PUBLISHING,
        group: "pubsub",
        since: "2.0.0",
        summary: "Posts a message to a channel; answers how many subscribers received it.",
        syntax: "channel message",
        complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
        keys: &[],
        tips: &[],
        handler: Some(publish),
        subcommands: &[],
    },
    CommandSpec {
        name: "spublish",
        arity: 3,
        flags: PUBLISHING,
        group: "pubsub",
        since: "7.0.0",
        summary: "Posts a message to a shard channel; answers how many subscribers received it.",
        syntax: "shardchannel message",
        complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
        keys: &[KeySpec::range(key_flag::NOT_KEY, 1, 0, 1)],
        tips: &[],
        handler: Some(spublish),
        subcommands: &[],
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        flags: 0,
        group: "pubsub",
        since: "2.8.0",
        summary: "A container for commands that inspect the pub/sub state.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: PUBSUB,
    },
];

static PUBSUB: &[CommandSpec] = &[
    CommandSpec {
        name: "channels",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Lists the channels with subscribers, those matching a pattern if given.",
        syntax: "[pattern]",
        complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        keys: &[],
        tips: &[],
        handler: Some(channels),
        subcommands: &[],
    },
    CommandSpec {
        name: "numpat",
        arity: 2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Returns the number of patterns with subscribers.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(numpat),
        subcommands: &[],
    },
    CommandSpec {
        name: "numsub",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "2.8.0",
        summary: "Returns the number of subscribers of each channel, patterns not counted.",
        syntax: "[channel [channel ...]]",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        keys: &[],
        tips: &[],
        handler: Some(numsub),
        subcommands: &[],
    },
    CommandSpec {
        name: "shardchannels",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "7.0.0",
        summary: "Lists the shard channels with subscribers, those matching a pattern if given.",
        syntax: "[pattern]",
        complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        keys: &[],
        tips: &[],
        handler: Some(shardchannels),
        subcommands: &[],
    },
    CommandSpec {
        name: "shardnumsub",
        arity: -2,
        flags: INTROSPECTION,
        group: "pubsub",
        since: "7.0.0",
        summary: "Returns the number of subscribers of each shard channel.",
        syntax: "[shardchannel [shardchannel ...]]",
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        keys: &[],
        tips: &[],
        handler: Some(shardnumsub),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "pubsub",
        since: "6.2.0",
        summary: "Lists PUBSUB's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(help),
        subcommands: &[],
    },
];

/// PUBSUB HELP's lines, worded as Redis 7.0 words them.
const HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
];

/// One confirmation per name, each subscribing.
fn subscribe_generic(engine: &mut Engine, call: &Call<'_>, kind: Kind) -> CommandResult {
    let replies = call.argv[1..]
        .iter()
        .map(|name| engine.subscribe(call.client, kind, name))
        .collect();
    Ok(Outcome::Replies(replies))
}

/// ```text
/// SUBSCRIBE channel [channel ...]
/// ```
/// Confirms each channel with `[subscribe, channel, count]`, count being the client's
/// channels and patterns together. In RESP2 the connection then enters the subscribed
/// context.
fn subscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    subscribe_generic(engine, call, Kind::Channel)
}

/// ```text
/// PSUBSCRIBE pattern [pattern ...]
/// ```
/// As SUBSCRIBE, for glob patterns: messages on matching channels arrive as `pmessage`.
fn psubscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    subscribe_generic(engine, call, Kind::Pattern)
}

/// ```text
/// SSUBSCRIBE shardchannel [shardchannel ...]
/// ```
/// As SUBSCRIBE, for shard channels; the count is of shard channels alone.
fn ssubscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    subscribe_generic(engine, call, Kind::Shard)
}

/// ```text
/// UNSUBSCRIBE [channel [channel ...]]
/// ```
/// Confirms each channel left with `[unsubscribe, channel, count]`; without arguments leaves
/// every channel, and answers `[unsubscribe, nil, count]` when there was none.
fn unsubscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let replies = engine.unsubscribe(call.client, Kind::Channel, &call.argv[1..]);
    Ok(Outcome::Replies(replies))
}

/// ```text
/// PUNSUBSCRIBE [pattern [pattern ...]]
/// ```
fn punsubscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let replies = engine.unsubscribe(call.client, Kind::Pattern, &call.argv[1..]);
    Ok(Outcome::Replies(replies))
}

/// ```text
/// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
/// ```
fn sunsubscribe(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let replies = engine.unsubscribe(call.client, Kind::Shard, &call.argv[1..]);
    Ok(Outcome::Replies(replies))
}

/// ```text
/// PUBLISH channel message
/// ```
/// The number of deliveries: subscribers of the channel plus subscriptions to matching
/// patterns.
fn publish(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = engine.publish(&call.argv[1], &call.argv[2]);
    Ok(Reply::Integer(count as i64).into())
}

/// ```text
/// SPUBLISH shardchannel message
/// ```
fn spublish(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = engine.publish_shard(&call.argv[1], &call.argv[2]);
    Ok(Reply::Integer(count as i64).into())
}

/// PUBSUB CHANNELS and SHARDCHANNELS: at most one pattern (more falls through Redis's
/// subcommand dispatch to its generic complaint).
fn active_generic(engine: &mut Engine, call: &Call<'_>, kind: Kind) -> CommandResult {
    let pattern = match &call.argv[2..] {
        [] => None,
        [pattern] => Some(pattern.as_slice()),
        _ => {
            return Err(Error::SubcommandSyntax {
                subcommand: String::from_utf8_lossy(&call.argv[1]).into_owned(),
                command: "PUBSUB".into(),
            })
        }
    };
    Ok(Reply::bulk_array(engine.pubsub.active(kind, pattern)).into())
}

/// ```text
/// PUBSUB CHANNELS [pattern]
/// ```
fn channels(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    active_generic(engine, call, Kind::Channel)
}

/// ```text
/// PUBSUB SHARDCHANNELS [pattern]
/// ```
fn shardchannels(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    active_generic(engine, call, Kind::Shard)
}

/// PUBSUB NUMSUB and SHARDNUMSUB: a flat array of name, count pairs (an array even in RESP3,
/// as Redis answers).
fn numsub_generic(engine: &mut Engine, call: &Call<'_>, kind: Kind) -> CommandResult {
    let items = call.argv[2..]
        .iter()
        .flat_map(|name| {
            let count = engine.pubsub.subscribers(kind, name) as i64;
            [Reply::bulk(name.clone()), Reply::Integer(count)]
        })
        .collect();
    Ok(Reply::Array(items).into())
}

/// ```text
/// PUBSUB NUMSUB [channel [channel ...]]
/// ```
fn numsub(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    numsub_generic(engine, call, Kind::Channel)
}

/// ```text
/// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
/// ```
fn shardnumsub(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    numsub_generic(engine, call, Kind::Shard)
}

/// ```text
/// PUBSUB NUMPAT
/// ```
fn numpat(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(engine.pubsub.count(Kind::Pattern) as i64).into())
}

/// ```text
/// PUBSUB HELP
/// ```
fn help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help("PUBSUB", HELP).into())
}
