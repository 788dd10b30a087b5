//! The append-only file, engine side: every write command as it must be replayed, in RESP
//! (what `redis-cli --pipe` sends), handed to the storage; and the replay of a log on a base
//! snapshot.
//!
//! # What is logged
//!
//! A command is logged when it is a write and changed something (`dirty` moved), in the
//! form Redis 7.0 propagates, so that replaying the log at any later time rebuilds the same
//! keyspace:
//! - relative times become absolute: `SET k v EX 10` and SETEX/PSETEX are logged as
//!   `SET k v PXAT <ms>`; EXPIRE and its kin, and GETEX, as `PEXPIREAT k <ms>` (or PERSIST, or
//!   DEL when the time was already past); RESTORE with a relative TTL gets ABSTTL;
//! - what was random becomes explicit: SPOP as `SREM k <the members it popped>`;
//! - GETDEL as `DEL k`, and so are keys removed by expiry or eviction, which no command names;
//! - a `SELECT n` precedes a command for another database than the log's last one.
//!
//! Commands inside MULTI/EXEC are logged one by one as they run, without the MULTI around them.
//!
//! # The files (the native server's storage)
//!
//! Redis 7.0's multi-part layout, which a real redis-server reads: in `dir/appenddirname`, a
//! base snapshot `appendonly.aof.<n>.base.rdb` (the RDB format, Redis's `aof-use-rdb-preamble
//! yes`), the commands since `appendonly.aof.<n>.incr.aof`, and the manifest
//! `appendonly.aof.manifest` naming both. BGREWRITEAOF (and turning `appendonly` on) writes
//! a new base from the keyspace, starts a new empty incr file, and switches the manifest.
//!
//! # Loading
//!
//! The log is read whole before anything changes: a log that ends inside a command (a crash
//! mid-write, a truncated copy) or holds anything but RESP commands the engine knows is
//! refused with the reason, and the keyspace stays as it was. Then the base is loaded and
//! the commands run on a client of their own, logging nothing.

use crate::engine::{Call, Engine, Outcome};
use crate::persist::LoadMode;
use crate::reply::Reply;
use crate::spec;

/// The engine's side of the log.
#[derive(Debug, Default)]
pub(crate) struct Aof {
    /// `appendonly`, as last applied.
    pub(crate) on: bool,
    /// Commands logged since the storage last took them.
    buf: Vec<u8>,
    /// The database the log's last SELECT chose.
    db: Option<usize>,
    /// A log is being replayed: nothing is logged.
    loading: bool,
    /// Rewrites done (`aof_rewrites`) and whether the last write and rewrite worked.
    pub(crate) rewrites: u64,
    pub(crate) last_write_ok: bool,
    pub(crate) last_rewrite_ok: bool,
}

impl Aof {
    pub(crate) fn new(on: bool) -> Aof {
        Aof {
            on,
            last_write_ok: true,
            last_rewrite_ok: true,
            ..Aof::default()
        }
    }

    fn append(&mut self, db: usize, argv: &[&[u8]]) {
        if self.db != Some(db) {
            let n = db.to_string();
            encode(&mut self.buf, &[b"SELECT", n.as_bytes()]);
            self.db = Some(db);
        }
        encode(&mut self.buf, argv);
    }
}

/// One command as a RESP multibulk request.
fn encode(out: &mut Vec<u8>, argv: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// The commands of a log, read strictly (multibulk only, as Redis's loader reads it).
pub fn parse_log(bytes: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, String> {
    const BAD: &str = "Bad file format reading the append only file";
    const SHORT: &str = "Unexpected end of file reading the append only file: it is truncated";
    let mut commands = Vec::new();
    let mut at = 0;
    // A number after `prefix` up to CRLF.
    let number = |at: &mut usize, prefix: u8| -> Result<usize, &'static str> {
        if *at >= bytes.len() {
            return Err(SHORT);
        }
        if bytes[*at] != prefix {
            return Err(BAD);
        }
        let end = bytes[*at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(SHORT)?;
        let text = std::str::from_utf8(&bytes[*at + 1..*at + end]).map_err(|_| BAD)?;
        let n = text.parse::<usize>().map_err(|_| BAD)?;
        *at += end + 2;
        Ok(n)
    };
    while at < bytes.len() {
        let argc = number(&mut at, b'*')?;
        if argc == 0 {
            return Err(BAD.into());
        }
        let mut argv = Vec::with_capacity(argc.min(1024));
        for _ in 0..argc {
            let len = number(&mut at, b'$')?;
            if bytes.len() - at < len.saturating_add(2) {
                return Err(SHORT.into());
            }
            argv.push(bytes[at..at + len].to_vec());
            at += len + 2;
        }
        commands.push(argv);
    }
    Ok(commands)
}

impl Engine {
    /// Logs a write command that just ran (the caller checks its `write` flag: EXEC, whose
    /// commands are logged one by one, and a read that expired a key are not), if the log
    /// is on and the command changed something, in its propagated form (see the module's
    /// notes).
    pub(crate) fn feed_aof(&mut self, call: &Call<'_>, dirty_before: u64, outcome: &Outcome) {
        if !self.persistence.aof.on || self.persistence.aof.loading || self.dirty == dirty_before {
            return;
        }
        let argv = call.argv;
        let db = call.db;
        let key = argv.get(1).map(Vec::as_slice).unwrap_or_default();
        let expiry = self.get_expire(db, key).map(|at| at.to_string());
        let exists = self.dbs[db].keys.contains_key(key);
        let aof = &mut self.persistence.aof;
        match call.name {
            "set" | "setex" | "psetex" => {
                let value = if call.name == "set" {
                    &argv[2]
                } else {
                    &argv[3]
                };
                // A time already past is kept as it is (the key expires when next looked at),
                // so the key exists here either way.
                match &expiry {
                    Some(at) => aof.append(db, &[b"SET", key, value, b"PXAT", at.as_bytes()]),
                    None => aof.append(db, &[b"SET", key, value]),
                }
            }
            "expire" | "pexpire" | "expireat" | "pexpireat" | "getex" | "persist" => {
                match (&expiry, exists) {
                    (Some(at), _) => aof.append(db, &[b"PEXPIREAT", key, at.as_bytes()]),
                    (None, true) => aof.append(db, &[b"PERSIST", key]),
                    (None, false) => aof.append(db, &[b"DEL", key]),
                }
            }
            "getdel" => aof.append(db, &[b"DEL", key]),
            "restore" => {
                let absttl = argv[4..].iter().any(|a| a.eq_ignore_ascii_case(b"absttl"));
                if !exists {
                    aof.append(db, &[b"DEL", key]);
                } else if absttl || argv[2] == b"0" {
                    aof.append(db, &argv.iter().map(Vec::as_slice).collect::<Vec<_>>());
                } else {
                    let at = expiry.unwrap_or_else(|| "0".into());
                    let mut rewritten: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                    rewritten[2] = at.as_bytes();
                    rewritten.push(b"ABSTTL");
                    aof.append(db, &rewritten);
                }
            }
            "spop" => {
                let mut srem: Vec<&[u8]> = vec![b"SREM", key];
                match outcome {
                    Outcome::Reply(Reply::Bulk(member)) => srem.push(member),
                    Outcome::Reply(Reply::Array(members) | Reply::Set(members)) => {
                        srem.extend(members.iter().filter_map(|m| match m {
                            Reply::Bulk(b) => Some(b.as_slice()),
                            _ => None,
                        }));
                    }
                    _ => {}
                }
                if srem.len() > 2 {
                    aof.append(db, &srem);
                }
            }
            _ => aof.append(db, &argv.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        }
    }

    /// Logs the deletion of a key no command named (expiry, eviction).
    pub(crate) fn feed_aof_del(&mut self, db: usize, key: &[u8]) {
        if self.persistence.aof.on && !self.persistence.aof.loading {
            self.persistence.aof.append(db, &[b"DEL", key]);
        }
    }

    /// Hands what was logged since the last call to the storage, with the `appendfsync`
    /// policy. The native server calls it after every batch of commands, before the
    /// replies go out, as Redis writes its log before answering; `tick` calls it too.
    pub fn flush_aof(&mut self) {
        if self.persistence.aof.buf.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.persistence.aof.buf);
        let location = self.storage_location();
        let fsync = self.config.text("appendfsync").to_string();
        let result = self
            .persistence
            .storage
            .append_aof(&location, &bytes, &fsync);
        self.persistence.aof.last_write_ok = result.is_ok();
    }

    /// Starts the log over on a snapshot of the keyspace (BGREWRITEAOF, and `appendonly`
    /// turned on). Whatever was logged before is in the new base.
    pub fn rewrite_aof(&mut self) -> Result<(), String> {
        self.persistence.aof.buf.clear();
        self.persistence.aof.db = None;
        let base = self.rdb_snapshot();
        let location = self.storage_location();
        let result = self.persistence.storage.rewrite_aof(&location, &base);
        self.persistence.aof.last_rewrite_ok = result.is_ok();
        if result.is_ok() {
            self.persistence.aof.rewrites += 1;
        }
        result
    }

    /// Takes `appendonly` from the config: turned on while running, the log starts with a
    /// rewrite, as Redis's `startAppendOnly` does; turned off, nothing more is logged.
    pub(crate) fn apply_appendonly(&mut self) {
        let on = self.config.flag("appendonly");
        if on == self.persistence.aof.on {
            return;
        }
        self.persistence.aof.on = on;
        if on {
            let _ = self.rewrite_aof();
        } else {
            self.flush_aof();
        }
    }

    /// Loads the log the storage holds: `Ok(false)` when there is none. See the module's
    /// notes: read and checked whole, then the base, then the commands.
    pub fn load_aof_from_storage(&mut self) -> Result<bool, String> {
        let location = self.storage_location();
        let Some((base, log)) = self.persistence.storage.read_aof(&location)? else {
            return Ok(false);
        };
        self.load_aof(base.as_deref(), &log)?;
        Ok(true)
    }

    /// Replays `log` on `base` (an RDB snapshot, or an empty keyspace without one).
    pub fn load_aof(&mut self, base: Option<&[u8]>, log: &[u8]) -> Result<(), String> {
        let commands = parse_log(log)?;
        for argv in &commands {
            match spec::resolve(argv) {
                Ok((spec, _)) if spec.handler.is_some() && spec.arity_ok(argv.len()) => {}
                _ => {
                    return Err(format!(
                        "Unknown command '{}' reading the append only file",
                        String::from_utf8_lossy(&argv[0])
                    ))
                }
            }
        }
        match base {
            Some(rdb) => self
                .load_rdb(rdb, LoadMode::Replace)
                .map_err(|e| format!("{e} (the AOF's base)"))?,
            None => {
                for db in 0..self.dbs.len() {
                    self.dbs[db].clear();
                }
            }
        }
        self.persistence.aof.loading = true;
        let client = self.connect();
        for argv in &commands {
            self.execute(client, argv);
        }
        self.disconnect(client);
        self.persistence.aof.loading = false;
        self.dirty = 0;
        Ok(())
    }
}
