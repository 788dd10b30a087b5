//! REPLICAOF and its older name SLAVEOF: follow a primary, or stop following one
//! (`crate::replication::replica` does the following).

use crate::args::string2ll;
use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};

/// Both names share their row but for the name and the version they came in.
const fn row(name: &'static str, since: &'static str) -> CommandSpec {
    CommandSpec {
        name,
        arity: 3,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::STALE | flag::NO_ASYNC_LOADING,
        group: "server",
        since,
        summary: "Makes this server follow a primary as its replica, or stops following one.",
        syntax: "host port | NO ONE",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(replicaof),
        subcommands: &[],
    }
}

pub static COMMANDS: &[CommandSpec] = &[row("replicaof", "5.0.0"), row("slaveof", "1.0.0")];

/// ```text
/// REPLICAOF host port
/// REPLICAOF NO ONE
/// ```
/// `NO ONE` (any case) makes a replica a primary, keeping its data, and answers OK on a
/// primary too. Otherwise the port must be a number from 0 to 65535; the primary already
/// followed (its host compared in any case) gets `OK Already connected to specified master`
/// and nothing changes; any other makes the engine drop its link and follow it.
fn replicaof(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    if engine.replication.master.failover.is_some() {
        return Err(Error::ReplicaOfWhileFailingOver);
    }
    let (host, port) = (&call.argv[1], &call.argv[2]);
    if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
        engine.stop_replicating();
        return Ok(Reply::ok().into());
    }
    if engine.is_replica(call.client) {
        return Err(Error::ReplicaOfByReplica);
    }
    let port = string2ll(port)
        .and_then(|p| u16::try_from(p).ok())
        .ok_or(Error::InvalidMasterPort)?;
    let host = String::from_utf8_lossy(host).into_owned();
    let same = engine
        .replica
        .master
        .as_ref()
        .is_some_and(|(h, p)| h.eq_ignore_ascii_case(&host) && *p == port);
    if same {
        return Ok(Reply::Simple("OK Already connected to specified master".into()).into());
    }
    engine.replicate_from(host, port);
    Ok(Reply::ok().into())
}
