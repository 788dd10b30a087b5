//! The transactions family (Redis's `multi.c`): MULTI, EXEC, DISCARD, WATCH, UNWATCH. How
//! queuing and WATCH work is `crate::transaction`'s essay; these handlers are the commands.

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{self, flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::Outcome;

/// Flags Redis gives MULTI, DISCARD, WATCH and UNWATCH.
const CONTROL: u32 = flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::FAST | flag::ALLOW_BUSY;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: CONTROL,
        group: "transactions",
        since: "1.2.0",
        summary: "Starts a transaction: the commands that follow are queued until EXEC.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(multi),
        subcommands: &[],
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::SKIP_SLOWLOG,
        group: "transactions",
        since: "1.2.0",
        summary: "Runs the queued commands, unless a watched key changed.",
        syntax: "",
        complexity: "Depends on commands in the transaction",
        keys: &[],
        tips: &[],
        handler: Some(exec),
        subcommands: &[],
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: CONTROL,
        group: "transactions",
        since: "2.0.0",
        summary: "Drops the queued commands and ends the transaction.",
        syntax: "",
        complexity: "O(N), when N is the number of queued commands",
        keys: &[],
        tips: &[],
        handler: Some(discard),
        subcommands: &[],
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: CONTROL,
        group: "transactions",
        since: "2.2.0",
        summary: "Makes the next EXEC run only if none of these keys changes meanwhile.",
        syntax: "key [key ...]",
        complexity: "O(1) for every key.",
        keys: &[KeySpec::range(key_flag::RO, 1, -1, 1)],
        tips: &[],
        handler: Some(watch),
        subcommands: &[],
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: CONTROL,
        group: "transactions",
        since: "2.2.0",
        summary: "Forgets every watched key.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(unwatch),
        subcommands: &[],
    },
];

/// ```text
/// MULTI
/// ```
/// `OK`; from now on the client's commands are queued. Not nestable.
fn multi(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(client) = engine.clients.get_mut(&call.client) else {
        return Ok(Reply::ok().into());
    };
    if client.multi.is_some() {
        return Err(Error::MultiNested);
    }
    client.multi = Some(Default::default());
    Ok(Reply::ok().into())
}

/// ```text
/// EXEC
/// ```
/// Runs the queue and answers an array of its replies; EXECABORT when a command was refused
/// while queuing; the null array when a watched key changed. Either way the transaction ends
/// and every watch is forgotten.
fn exec(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(client) = engine.clients.get_mut(&call.client) else {
        return Err(Error::ExecWithoutMulti);
    };
    let Some(transaction) = client.multi.take() else {
        return Err(Error::ExecWithoutMulti);
    };
    let dirty = client.dirty_cas || engine.watched_key_expired(call.client);
    engine.unwatch_all(call.client);
    if transaction.aborted {
        return Err(Error::ExecAbort);
    }
    if dirty {
        return Ok(Reply::NullArray.into());
    }
    engine.in_exec = true;
    let mut replies = Vec::with_capacity(transaction.queue.len());
    for argv in &transaction.queue {
        let outcome = spec::resolve(argv)
            .and_then(|(spec, name)| {
                engine.check_permissions_in_exec(call.client, spec, argv, &name)?;
                engine.call(call.client, spec, &name, argv)
            })
            .unwrap_or_else(|e| Reply::from(e).into());
        replies.extend(outcome.into_replies());
    }
    engine.in_exec = false;
    Ok(Outcome::Reply(Reply::Array(replies)))
}

/// ```text
/// DISCARD
/// ```
/// `OK`; the queue is dropped and every watch forgotten.
fn discard(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if engine.client(call.client).is_none_or(|c| c.multi.is_none()) {
        return Err(Error::DiscardWithoutMulti);
    }
    engine.discard_transaction(call.client);
    Ok(Reply::ok().into())
}

/// ```text
/// WATCH key [key ...]
/// ```
/// `OK`; the next EXEC fails if any of these keys changes before it. Not allowed in MULTI.
fn watch(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if engine
        .client(call.client)
        .is_some_and(|c| c.multi.is_some())
    {
        return Err(Error::WatchInMulti);
    }
    for key in &call.argv[1..] {
        engine.watch(call.client, call.db, key);
    }
    Ok(Reply::ok().into())
}

/// ```text
/// UNWATCH
/// ```
fn unwatch(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    engine.unwatch_all(call.client);
    Ok(Reply::ok().into())
}
