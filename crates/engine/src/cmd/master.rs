//! The primary's replication commands: REPLCONF, SYNC and PSYNC, which a replica sends, and
//! WAIT, which a client sends to know its writes reached replicas
//! (`crate::replication::master`).

use crate::args::{is, string2ll};
use crate::blocking::{Blocked, Serve};
use crate::cli::split_args;
use crate::engine::{Call, Engine, Outcome};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};

/// The longest address REPLCONF ip-address takes, less one (Redis's `NET_HOST_STR_LEN`).
const NET_HOST_STR_LEN: usize = 256;

/// The flags Redis gives SYNC and PSYNC.
const SYNC_FLAGS: u32 = flag::ADMIN | flag::NOSCRIPT | flag::NO_ASYNC_LOADING | flag::NO_MULTI;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "replconf",
        arity: -1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::ALLOW_BUSY,
        group: "server",
        since: "3.0.0",
        summary: "Tells the primary about a replica (its port, address, capabilities) and \
                  acknowledges the stream it processed; sent by replicas.",
        syntax: "option value [option value ...]",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(replconf),
        subcommands: &[],
    },
    CommandSpec {
        name: "psync",
        arity: -3,
        flags: SYNC_FLAGS,
        group: "server",
        since: "2.8.0",
        summary: "Asks to resume replication from a replication ID and offset, or for a full \
                  copy when that history is gone; sent by replicas.",
        syntax: "replicationid offset",
        complexity: "",
        keys: &[],
        tips: &[],
        handler: Some(psync),
        subcommands: &[],
    },
    CommandSpec {
        name: "sync",
        arity: 1,
        flags: SYNC_FLAGS,
        group: "server",
        since: "1.0.0",
        summary: "Asks for a full copy of the dataset and the stream of writes after it, as \
                  replicas did before PSYNC.",
        syntax: "",
        complexity: "",
        keys: &[],
        tips: &[],
        handler: Some(sync),
        subcommands: &[],
    },
    CommandSpec {
        name: "wait",
        arity: 3,
        flags: flag::NOSCRIPT | flag::ACL_CONNECTION,
        group: "generic",
        since: "3.0.0",
        summary: "Waits until this connection's writes were acknowledged by a number of \
                  replicas, or a timeout passes; answers how many acknowledged.",
        syntax: "numreplicas timeout",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        handler: Some(wait),
        subcommands: &[],
    },
    CommandSpec {
        name: "failover",
        arity: -1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::STALE,
        group: "server",
        since: "6.2.0",
        summary: "Hands the primary role to a replica: pauses writes until the replica has \
                  them all, then makes it the primary and this server its replica.",
        syntax: "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(failover),
        subcommands: &[],
    },
];

/// ```text
/// REPLCONF option value [option value ...]
/// ```
/// A replica's settings before it syncs (`listening-port`, `ip-address`, `capa eof|psync2`,
/// `rdb-only`, `rdb-filter-only`), `OK`; `ack <offset>` from a replica, which gets no
/// reply; `getack`, which a replica answers with `REPLCONF ACK <offset>` to its primary
/// (`crate::replication::replica`) and a primary with nothing.
fn replconf(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    if argv.len().is_multiple_of(2) {
        return Err(Error::Syntax);
    }
    for pair in argv[1..].chunks(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if is(option, "listening-port") {
            let port = string2ll(value).ok_or(Error::NotInteger)?;
            engine.replica_link(call.client).listening_port = port;
        } else if is(option, "ip-address") {
            if value.len() >= NET_HOST_STR_LEN {
                return Err(Error::ReplconfIpTooLong(value.len()));
            }
            engine.replica_link(call.client).announced_ip =
                Some(String::from_utf8_lossy(value).into_owned());
        } else if is(option, "capa") {
            // Capabilities this primary does not know are ignored.
            let link = engine.replica_link(call.client);
            if is(value, "eof") {
                link.capa_eof = true;
            } else if is(value, "psync2") {
                link.capa_psync2 = true;
            }
        } else if is(option, "ack") {
            // From a replica only, and never answered, even when the offset is no number.
            if engine.is_replica(call.client) {
                engine.replica_ack(call.client, string2ll(value));
            }
            return Ok(Outcome::Replies(Vec::new()));
        } else if is(option, "getack") {
            // On a replica, from its primary's stream: the offset processed so far.
            engine.send_ack();
            return Ok(Outcome::Replies(Vec::new()));
        } else if is(option, "rdb-only") {
            let rdb_only = string2ll(value).ok_or(Error::NotInteger)?;
            if !(0..=1).contains(&rdb_only) {
                return Err(Error::IntOutOfRange { min: 0, max: 1 });
            }
            engine.replica_link(call.client).rdb_only = rdb_only == 1;
        } else if is(option, "rdb-filter-only") {
            let filters = split_args(value).ok_or(Error::ReplconfFilterMissing)?;
            let mut functions = false;
            for filter in &filters {
                if !is(filter, "functions") {
                    return Err(Error::ReplconfFilterUnsupported(
                        String::from_utf8_lossy(filter).into_owned(),
                    ));
                }
                functions = true;
            }
            engine.replica_link(call.client).rdb_filter = Some(functions);
        } else {
            return Err(Error::ReplconfUnknownOption(
                String::from_utf8_lossy(option).into_owned(),
            ));
        }
    }
    Ok(Reply::ok().into())
}

/// ```text
/// PSYNC replicationid offset
/// ```
/// Makes the client a replica: `+CONTINUE` and the history it lacks when the primary still
/// has it, else `+FULLRESYNC <replid> <offset>` and a snapshot; then the stream of writes.
fn psync(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    start_sync(engine, call, true)
}

/// ```text
/// SYNC
/// ```
/// Makes the client a replica that gets a snapshot and the stream, without the
/// `+FULLRESYNC` line and without acknowledging (the protocol before PSYNC).
fn sync(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    start_sync(engine, call, false)
}

/// Redis's `syncCommand`: the checks, then the primary's side of the sync.
fn start_sync(engine: &mut Engine, call: &Call<'_>, psync: bool) -> CommandResult {
    let client = call.client;
    // A replica that asks again is ignored.
    if engine.is_replica(client) {
        return Ok(Outcome::Replies(Vec::new()));
    }
    // A primary failing over to this replica asks it to take over: it becomes a primary
    // and the PSYNC goes on as any other.
    if psync && call.argv.len() > 3 && is(&call.argv[3], "failover") {
        engine.promote_for_failover(&call.argv[1])?;
    }
    if engine.replication.master.failover.is_some() {
        return Err(Error::SyncWhileFailingOver);
    }
    engine.check_master_link_for_sync()?;
    let pending = engine
        .clients
        .get(&client)
        .is_some_and(|c| !c.outbox.is_empty());
    if pending {
        return Err(Error::SyncPendingOutput);
    }
    let link = engine.replica_link(client);
    if link.rdb_filter.is_some() && !link.capa_eof {
        return Err(Error::FilteredReplicaNeedsEof);
    }
    let request = if psync {
        let Some(offset) = string2ll(&call.argv[2]) else {
            return Err(Error::NotInteger);
        };
        Some((call.argv[1].as_slice(), offset))
    } else {
        None
    };
    engine.sync_replica(client, request);
    Ok(Outcome::Replies(Vec::new()))
}

/// ```text
/// WAIT numreplicas timeout
/// ```
/// How many replicas acknowledged this connection's last write: at once when there are
/// already `numreplicas` (or inside MULTI), else once there are or `timeout` milliseconds
/// passed (0: forever), asking the replicas for an acknowledgement meanwhile.
fn wait(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = string2ll(&call.argv[1]).ok_or(Error::NotInteger)?;
    let timeout = string2ll(&call.argv[2]).ok_or(Error::TimeoutNotInteger)?;
    if timeout < 0 {
        return Err(Error::TimeoutNegative);
    }
    let offset = engine.clients.get(&call.client).map_or(0, |c| c.woff);
    let acks = engine.acks_for(offset);
    if acks as i64 >= count || !engine.may_block() {
        return Ok(Reply::Integer(acks as i64).into());
    }
    let timeout_at = match timeout {
        0 => None,
        ms => Some(engine.now_ms.saturating_add(ms as u64)),
    };
    let blocked = Blocked {
        db: call.db,
        keys: Vec::new(),
        timeout_at,
        serve: Serve::Replicas { offset, count },
    };
    engine.block(call.client, blocked);
    engine.request_acks();
    Ok(Outcome::Blocked)
}

/// ```text
/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
/// ```
/// Starts handing the primary role over to a replica (the one at `host`:`port`, or the
/// first to catch up): writes pause until it has acknowledged everything, or until the
/// TIMEOUT, at which FORCE hands over anyway and otherwise the FAILOVER gives up. ABORT
/// alone ends one under way. `OK`; the progress shows in INFO's `master_failover_state`.
fn failover(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    use crate::replication::master::{Failover, FailoverState};
    let argv = call.argv;
    if argv.len() == 2 && is(&argv[1], "abort") {
        if engine.replication.master.failover.is_none() {
            return Err(Error::NoFailoverInProgress);
        }
        engine.abort_failover("Failover manually aborted");
        return Ok(Reply::ok().into());
    }
    let (mut timeout_ms, mut force, mut target) = (0, false, None);
    let mut j = 1;
    while j < argv.len() {
        if is(&argv[j], "timeout") && j + 1 < argv.len() && timeout_ms == 0 {
            timeout_ms = string2ll(&argv[j + 1]).ok_or(Error::NotInteger)?;
            if timeout_ms <= 0 {
                return Err(Error::FailoverTimeoutNotPositive);
            }
            j += 2;
        } else if is(&argv[j], "to") && j + 2 < argv.len() && target.is_none() {
            let port = string2ll(&argv[j + 2]).ok_or(Error::NotInteger)?;
            target = Some((argv[j + 1].clone(), port));
            j += 3;
        } else if is(&argv[j], "force") && !force {
            force = true;
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
    }
    if engine.replication.master.failover.is_some() {
        return Err(Error::FailoverInProgress);
    }
    if engine.replication.master.replica_count() == 0 {
        return Err(Error::FailoverNoReplicas);
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return Err(Error::FailoverForceNeedsTarget);
    }
    if let Some((host, port)) = &target {
        let replica = engine
            .find_replica(host, *port)
            .ok_or(Error::FailoverTargetNotReplica)?;
        if !engine.replica_is_online(replica) {
            return Err(Error::FailoverTargetNotOnline);
        }
    }
    let end_ms = (timeout_ms > 0).then(|| engine.now_ms.saturating_add(timeout_ms as u64));
    engine.start_failover(Failover {
        state: FailoverState::WaitForSync,
        target: target.map(|(host, port)| (String::from_utf8_lossy(&host).into_owned(), port)),
        end_ms,
        force,
    });
    Ok(Reply::ok().into())
}
