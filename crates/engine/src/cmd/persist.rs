//! Persistence commands: DUMP and RESTORE (one value in RDB form, `crate::rdb`), SAVE,
//! BGSAVE, LASTSAVE and SHUTDOWN (the whole keyspace to the storage, `crate::persist`),
//! BGREWRITEAOF (`crate::aof`), and DEBUG RELOAD's save-and-load-back.
//!
//! BGSAVE and BGREWRITEAOF work at once, in the foreground: there is no fork to hand the work
//! to, and their answers are the ones Redis gives as the child starts.

use crate::args::{is, string2ll};
use crate::engine::{Call, ClientId, Engine, Outcome};
use crate::error::Error;
use crate::event::NotifyClass;
use crate::persist::LoadMode;
use crate::rdb::{self, Access, PayloadError};
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flag::READONLY,
        group: "generic",
        since: "2.6.0",
        summary: "Returns a serialized representation of the value stored at a key: its RDB \
                  form, the RDB version and a CRC-64.",
        syntax: "key",
        complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is \
                     the number of Redis objects composing the value and M their average size.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(dump),
        subcommands: &[],
    },
    CommandSpec {
        name: "restore",
        arity: -4,
        flags: flag::WRITE | flag::DENYOOM | flag::ACL_DANGEROUS,
        group: "generic",
        since: "2.6.0",
        summary: "Creates a key from a value serialized by DUMP, checking its version and \
                  checksum.",
        syntax: "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] \
                 [FREQ frequency]",
        complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the \
                     serialized value.",
        keys: &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(restore),
        subcommands: &[],
    },
    CommandSpec {
        name: "save",
        arity: 1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::NO_ASYNC_LOADING | flag::NO_MULTI,
        group: "server",
        since: "1.0.0",
        summary: "Writes the keyspace to the RDB snapshot (dir/dbfilename; in the page, \
                  memory).",
        syntax: "",
        complexity: "O(N) where N is the total number of keys in all databases",
        keys: &[],
        tips: &[],
        handler: Some(save),
        subcommands: &[],
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::NO_ASYNC_LOADING,
        group: "server",
        since: "1.0.0",
        summary: "Writes the snapshot as SAVE does; Redis forks for it, here it is done \
                  before the answer.",
        syntax: "[SCHEDULE]",
        complexity: "O(N) where N is the total number of keys in all databases",
        keys: &[],
        tips: &[],
        handler: Some(bgsave),
        subcommands: &[],
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: flag::LOADING | flag::STALE | flag::FAST | flag::ACL_ADMIN | flag::ACL_DANGEROUS,
        group: "server",
        since: "1.0.0",
        summary: "Returns the Unix time of the last successful save.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["nondeterministic_output"],
        handler: Some(lastsave),
        subcommands: &[],
    },
    CommandSpec {
        name: "bgrewriteaof",
        arity: 1,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::NO_ASYNC_LOADING,
        group: "server",
        since: "1.0.0",
        summary: "Starts the append-only log over on a snapshot of the keyspace; Redis forks \
                  for it, here it is done before the answer.",
        syntax: "",
        complexity: "O(N) where N is the total number of keys in all databases",
        keys: &[],
        tips: &[],
        handler: Some(bgrewriteaof),
        subcommands: &[],
    },
    CommandSpec {
        name: "shutdown",
        arity: -1,
        flags: flag::ADMIN
            | flag::NOSCRIPT
            | flag::LOADING
            | flag::STALE
            | flag::NO_MULTI
            | flag::ALLOW_BUSY,
        group: "server",
        since: "1.0.0",
        summary: "Saves (when save points are set, or with SAVE) and stops the server.",
        syntax: "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
        complexity: "O(N) when saving, where N is the total number of keys in all databases",
        keys: &[],
        tips: &[],
        handler: Some(shutdown),
        subcommands: &[],
    },
];

/// ```text
/// DUMP key
/// ```
/// The value's RDB form, the RDB version and a CRC-64; nil for a missing key.
fn dump(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let reply = match engine.lookup_read(call.db, &call.argv[1]) {
        Some(value) => {
            let value = value.clone();
            Reply::Bulk(engine.dump_value(&value))
        }
        None => Reply::Null,
    };
    Ok(reply.into())
}

/// ```text
/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
/// ```
/// Redis's `restoreCommand`, check for check in its order: the options (IDLETIME and FREQ
/// exclude each other: the second is a syntax error), the key must not exist unless
/// REPLACE, the TTL (relative ms, absolute with ABSTTL, 0 for none), then the payload's
/// footer, then its value. A TTL already in the past deletes the key REPLACE would have
/// replaced and answers OK.
pub(crate) fn restore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut j = 4;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "absttl") {
            absttl = true;
        } else if is(&argv[j], "idletime") && more >= 1 && freq.is_none() {
            let n = string2ll(&argv[j + 1]).ok_or(Error::NotInteger)?;
            if n < 0 {
                return Err(Error::InvalidIdletime);
            }
            idle = Some(n);
            j += 1;
        } else if is(&argv[j], "freq") && more >= 1 && idle.is_none() {
            let n = string2ll(&argv[j + 1]).ok_or(Error::NotInteger)?;
            if !(0..=255).contains(&n) {
                return Err(Error::InvalidFreq);
            }
            freq = Some(n);
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let key = &argv[1];
    if !replace && engine.lookup_write(call.db, key).is_some() {
        return Err(Error::BusyKey);
    }
    let ttl = string2ll(&argv[2]).ok_or(Error::NotInteger)?;
    if ttl < 0 {
        return Err(Error::InvalidTtl);
    }
    let value = rdb::restore(&argv[3], engine.load_limits()).map_err(|e| match e {
        PayloadError::VersionOrChecksum => Error::DumpPayloadChecksum,
        PayloadError::BadFormat => Error::BadDataFormat,
    })?;
    let deleted = replace && engine.db_delete(call.db, key);
    let when = if ttl > 0 && !absttl {
        ttl.saturating_add(engine.now_ms as i64)
    } else {
        ttl
    };
    if when > 0 && when <= engine.now_ms as i64 {
        if deleted {
            engine.notify(NotifyClass::Generic, "del", call.db, key);
        }
        return Ok(Reply::ok().into());
    }
    engine.db_add(call.db, key, value);
    if when > 0 {
        engine.set_expire(call.db, key, when as u64);
    }
    let access = match (idle, freq) {
        (Some(s), _) => Some(Access::IdleSeconds(s as u64)),
        (_, Some(f)) => Some(Access::Frequency(f as u8)),
        _ => None,
    };
    if access.is_some() {
        let stamp = engine.restored_stamp(access);
        if let Some(entry) = engine.dbs[call.db].keys.get_mut(key.as_slice()) {
            entry.set_lru(stamp);
        }
    }
    engine.notify(NotifyClass::Generic, "restore", call.db, key);
    Ok(Reply::ok().into())
}

/// ```text
/// SAVE
/// ```
fn save(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.persistence.saves += 1;
    engine.save().map_err(|_| Error::SaveFailed)?;
    Ok(Reply::ok().into())
}

/// ```text
/// BGSAVE [SCHEDULE]
/// ```
/// Saves now; a failure shows in INFO's `rdb_last_bgsave_status`, as a failed child's would.
fn bgsave(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    match &call.argv[1..] {
        [] => {}
        [word] if is(word, "schedule") => {}
        _ => return Err(Error::Syntax),
    }
    // The answer does not depend on how the save went: Redis's child reports that later.
    let _ = engine.bgsave();
    // Inside EXEC Redis cannot fork: it schedules the save for after, and says so.
    let answer = if engine.in_exec {
        "Background saving scheduled"
    } else {
        "Background saving started"
    };
    Ok(Reply::Simple(answer.into()).into())
}

/// ```text
/// BGREWRITEAOF
/// ```
/// Rewrites the log now, whether `appendonly` is on or not (Redis writes the files either
/// way); a failure shows in INFO's `aof_last_bgrewrite_status`.
fn bgrewriteaof(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let _ = engine.rewrite_aof();
    let answer = if engine.in_exec {
        "Background append only file rewriting scheduled"
    } else {
        "Background append only file rewriting started"
    };
    Ok(Reply::Simple(answer.into()).into())
}

/// ```text
/// LASTSAVE
/// ```
fn lastsave(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::Integer(engine.persistence.lastsave as i64).into())
}

/// ```text
/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
/// ```
/// Flushes the log, saves when save points are configured or SAVE is given (not with
/// NOSAVE), then asks the front end to stop ([`Engine::shutdown_requested`]); no reply, the
/// connection closes. A failed save answers an error and stops nothing, unless FORCE. There
/// is never a shutdown in progress to ABORT. While a script is busy only NOSAVE is taken
/// (`shutdownCommand`): saving would keep the script's writes half-way.
fn shutdown(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (mut nosave, mut save, mut force, mut abort) = (false, false, false, false);
    for word in &call.argv[1..] {
        if is(word, "nosave") {
            nosave = true;
        } else if is(word, "save") {
            save = true;
        } else if is(word, "now") {
        } else if is(word, "force") {
            force = true;
        } else if is(word, "abort") {
            abort = true;
        } else {
            return Err(Error::Syntax);
        }
    }
    if (abort && call.argv.len() > 2) || (nosave && save) {
        return Err(Error::Syntax);
    }
    if abort {
        return Err(Error::NoShutdownInProgress);
    }
    if let Some(run) = engine.scripting.run.as_ref().filter(|r| r.flags.timed_out) {
        if !nosave {
            return Err(Error::Busy {
                eval: run.flags.eval,
            });
        }
    }
    prepare_for_shutdown(engine, save, nosave, force)?;
    engine.request_shutdown(call.client);
    Ok(Outcome::Replies(Vec::new()))
}

/// What Redis's `prepareForShutdown` does before the process exits (SHUTDOWN, DEBUG
/// RESTART): the log written out, and a final save when save points are set or `save` asks
/// for one (never with `nosave`). A failed save stops the shutdown, unless `force`. The
/// server's log gets Redis's lines (`finishShutdown`), but "Removing the pid file.": there
/// is none.
pub(crate) fn prepare_for_shutdown(
    engine: &mut Engine,
    save: bool,
    nosave: bool,
    force: bool,
) -> Result<(), Error> {
    let p = &mut engine.persistence;
    p.log("User requested shutdown...".into());
    if p.aof.on {
        p.log("Calling fsync() on the AOF file.".into());
    }
    engine.flush_aof();
    let save_points = !engine.config.text("save").trim().is_empty();
    if (save || save_points) && !nosave {
        engine
            .persistence
            .log("Saving the final RDB snapshot before exiting.".into());
        if engine.save().is_err() {
            if !force {
                engine
                    .persistence
                    .log("Error trying to save the DB, can't exit.".into());
                engine.persistence.log(
                    "Errors trying to shut down the server. Check the logs for more information."
                        .into(),
                );
                return Err(Error::ShutdownSaveFailed);
            }
            engine
                .persistence
                .log("Error trying to save the DB. Exit anyway.".into());
        }
    }
    engine
        .persistence
        .log("Redis is now ready to exit, bye bye...".into());
    Ok(())
}

/// ```text
/// DEBUG LOADAOF
/// ```
/// Writes out what waits to be logged, then empties the keyspace and loads the log back, as
/// a restart would (Redis's test hook for what its AOF holds). Without a log, or with one
/// that cannot be loaded, Redis exits: the server stops ([`Engine::shutdown_requested`]),
/// with the reason in its log and no reply.
pub(crate) fn debug_loadaof(engine: &mut Engine, by: ClientId) -> CommandResult {
    engine.flush_aof();
    let failure = match engine.load_aof_from_storage() {
        Ok(true) => {
            engine
                .persistence
                .log("Append Only File loaded by DEBUG LOADAOF".into());
            return Ok(Reply::ok().into());
        }
        Ok(false) => "The AOF directory or its manifest doesn't exist".to_string(),
        Err(reason) => reason,
    };
    engine.persistence.log(failure);
    engine.request_shutdown(by);
    Ok(Outcome::Replies(Vec::new()))
}

/// ```text
/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
/// ```
/// Saves (unless NOSAVE), empties the keyspace (unless NOFLUSH) and loads the snapshot back,
/// which re-encodes every value by the current thresholds. With NOFLUSH the file's keys are
/// added to what is there: one already there is an error unless MERGE, which lets the
/// file's win. A load that fails leaves the keyspace as it was.
pub(crate) fn debug_reload(engine: &mut Engine, options: &[Vec<u8>]) -> CommandResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for option in options {
        if is(option, "merge") {
            merge = true;
        } else if is(option, "noflush") {
            flush = false;
        } else if is(option, "nosave") {
            save = false;
        } else {
            return Err(Error::ReloadOptions);
        }
    }
    if save {
        engine.save().map_err(|_| Error::SaveFailed)?;
    }
    let location = engine.storage_location();
    let bytes = engine
        .persistence
        .storage
        .read_rdb(&location)
        .ok()
        .flatten()
        .ok_or(Error::ReloadFailed)?;
    let mode = match (flush, merge) {
        (true, _) => LoadMode::Replace,
        (false, true) => LoadMode::Merge,
        (false, false) => LoadMode::Add,
    };
    engine
        .load_rdb(&bytes, mode)
        .map_err(|_| Error::ReloadFailed)?;
    Ok(Reply::ok().into())
}
