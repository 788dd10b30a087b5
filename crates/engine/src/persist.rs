//! Persistence: the keyspace to RDB bytes and back (the format is `crate::rdb`), and where
//! those bytes go.
//!
//! The engine does no I/O of its own: a [`Storage`] is injected, as the clock is. The page
//! keeps the last snapshot in memory ([`MemoryStorage`], the default), so SAVE succeeds there
//! and DEBUG RELOAD reads back what it saved; the native server gives a storage that writes
//! `dir`/`dbfilename` like redis-server. The counters INFO persistence and LASTSAVE report
//! live here too.
//!
//! Snapshots reach the storage as [`Chunk`]s (`crate::rdb`'s "Writing in chunks"): the
//! storage writes them one after the other, or keeps the chunks themselves, shared with
//! whatever else holds them, so that no whole copy of the file is made beside the keyspace.
//!
//! # The timer, and MISCONF
//!
//! [`Engine::tick`] runs the persistence part of Redis's `serverCron`: a background save when
//! a `save` point is met (at least its changes since the last save, and strictly more than its
//! seconds), done at once since there is no fork, so INFO then reads as after a finished
//! BGSAVE; after a failed one, save points wait [`BGSAVE_RETRY_DELAY`] seconds past the last
//! try. Otherwise, the append-only log is rewritten when it has grown enough (`crate::aof`).
//! A failed background save (with save points set and `stop-writes-on-bgsave-error yes`) or
//! a failed log write makes [`Engine::check_disk_error`] refuse writes and PING with MISCONF,
//! as Redis's `processCommand` does, until a save or write works again. A failed SAVE
//! answers an error but changes none of that, as in Redis.

use crate::aof::Aof;
use crate::db::{Db, Entry, Value};
use crate::engine::{ClientId, Engine};
use crate::error::Error;
use crate::evict;
use crate::memory;
use crate::rdb::{self, Access, Chunk, LoadedKey, RdbError, SaveOptions, Snapshot};
use crate::spec::{self, flag};

/// Where the files go, as the config names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub dir: String,
    pub dbfilename: String,
    pub appenddirname: String,
    pub appendfilename: String,
}

/// An append-only log as stored: its base snapshot (RDB bytes), if it has one, and the
/// commands since (RESP).
pub type AofFiles = (Option<Vec<u8>>, Vec<u8>);

/// Where snapshots and the append-only log are kept: files for the native server, memory
/// for the page. Errors are sentences for the log.
pub trait Storage: Send {
    /// Stores a snapshot (its chunks, in order), replacing the last one whole or not at all.
    fn write_rdb(&mut self, at: &Location, rdb: &[Chunk]) -> Result<(), String>;
    /// The snapshot last stored, if there is one.
    fn read_rdb(&mut self, at: &Location) -> Result<Option<Vec<u8>>, String>;
    /// Appends commands to the log, flushing to the disk as `fsync` (`appendfsync`) says.
    /// On an error the log is left as it was where the storage can (the same commands come
    /// again at the next try), and the error is the reason as the system words it: MISCONF
    /// shows it to clients.
    /// The commands come as chunks, in order.
    fn append_aof(&mut self, at: &Location, commands: &[Chunk], fsync: &str) -> Result<(), String>;
    /// Starts the log over on `base` (its chunks, in order), with no commands after it.
    fn rewrite_aof(&mut self, at: &Location, base: &[Chunk]) -> Result<(), String>;
    /// The log, if there is one.
    fn read_aof(&mut self, at: &Location) -> Result<Option<AofFiles>, String>;
    /// Cuts the log's commands back to their first `len` bytes: a load found the last ones
    /// cut short and `aof-load-truncated` lets it drop them, so that appends go on after the
    /// last whole command. A storage that cannot refuses, and the load fails.
    fn truncate_aof(&mut self, at: &Location, len: usize) -> Result<(), String> {
        let _ = (at, len);
        Err("this storage cannot cut its log back".into())
    }
    /// What CONFIG SET dir stores for `dir`: redis-server changes into it, so it must be a
    /// directory, and CONFIG GET then shows it absolute. The error is the system's reason.
    fn resolve_dir(&mut self, dir: &str) -> Result<String, String> {
        Ok(dir.to_string())
    }
}

/// Keeps the last snapshot and the log in memory, whatever the names say: the page's
/// storage, where there is no disk. Snapshots are kept as the chunks they came in (shared,
/// not copied), the log as the chunks of its writes, so nothing here grows by doubling; a read
/// joins them into the one buffer a load needs.
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    rdb: Option<Vec<Chunk>>,
    aof: Option<(Vec<Chunk>, Vec<Chunk>)>,
}

impl Storage for MemoryStorage {
    fn write_rdb(&mut self, _: &Location, rdb: &[Chunk]) -> Result<(), String> {
        self.rdb = Some(rdb.to_vec());
        Ok(())
    }

    fn read_rdb(&mut self, _: &Location) -> Result<Option<Vec<u8>>, String> {
        Ok(self.rdb.as_deref().map(<[Chunk]>::concat))
    }

    fn append_aof(&mut self, _: &Location, commands: &[Chunk], _: &str) -> Result<(), String> {
        let log = &mut self.aof.get_or_insert_with(Default::default).1;
        log.extend_from_slice(commands);
        Ok(())
    }

    fn rewrite_aof(&mut self, _: &Location, base: &[Chunk]) -> Result<(), String> {
        self.aof = Some((base.to_vec(), Vec::new()));
        Ok(())
    }

    fn read_aof(&mut self, _: &Location) -> Result<Option<AofFiles>, String> {
        Ok((self.aof.as_ref()).map(|(base, log)| (Some(base.concat()), log.concat())))
    }

    fn truncate_aof(&mut self, _: &Location, len: usize) -> Result<(), String> {
        if let Some((_, log)) = &mut self.aof {
            let mut kept = log.concat();
            kept.truncate(len);
            *log = vec![Chunk::from(kept)];
        }
        Ok(())
    }
}

/// A `save` point: save when `changes` changes were made and more than `seconds` passed
/// since the last save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SavePoint {
    pub(crate) seconds: i64,
    pub(crate) changes: u64,
}

/// After a failed background save, how long the save points wait before the next try
/// (Redis's `CONFIG_BGSAVE_RETRY_DELAY`, seconds): a disk that just failed is not hammered
/// ten times a second.
const BGSAVE_RETRY_DELAY: i64 = 5;

/// How many unread log lines are kept.
const LOG_LINES: usize = 64;

/// The persistence state INFO and LASTSAVE report.
pub(crate) struct Persistence {
    pub(crate) storage: Box<dyn Storage>,
    /// Quicklist's `packed_threshold` (DEBUG QUICKLIST-PACKED-THRESHOLD): a list element at
    /// least this long is saved as a plain node.
    pub(crate) packed_threshold: usize,
    /// When the last successful save happened, or the start (Unix seconds).
    pub(crate) lastsave: u64,
    /// When the last background save was tried (Redis's `lastbgsave_try`, Unix seconds).
    lastbgsave_try: u64,
    /// Whether the last background save worked (`rdb_last_bgsave_status`); a successful
    /// SAVE sets it too, a failed one leaves it.
    pub(crate) last_save_ok: bool,
    /// Saves tried since start by SAVE and in the background (`rdb_saves`); those that
    /// FLUSHALL, DEBUG RELOAD and SHUTDOWN make are not counted, as in Redis.
    pub(crate) saves: u64,
    /// Whether a BGSAVE ran yet (`rdb_last_bgsave_time_sec` is -1 until then).
    pub(crate) bgsaved: bool,
    /// The `save` config, parsed.
    save_points: Vec<SavePoint>,
    /// The last load's counts: keys loaded, keys skipped as already expired.
    pub(crate) last_load_loaded: u64,
    pub(crate) last_load_expired: u64,
    /// SHUTDOWN asked the front end to stop: the client that sent it.
    pub(crate) shutdown: Option<ClientId>,
    /// The append-only log (`crate::aof`).
    pub(crate) aof: Aof,
    /// What Redis would write to its log about persistence, for the front end to show
    /// ([`Engine::take_persistence_log`]).
    log: Vec<String>,
}

impl Persistence {
    pub(crate) fn new(now_ms: u64, appendonly: bool) -> Persistence {
        Persistence {
            storage: Box::new(MemoryStorage::default()),
            lastsave: now_ms / 1000,
            lastbgsave_try: 0,
            last_save_ok: true,
            saves: 0,
            bgsaved: false,
            save_points: Vec::new(),
            last_load_loaded: 0,
            last_load_expired: 0,
            shutdown: None,
            aof: Aof::new(appendonly),
            log: Vec::new(),
            packed_threshold: rdb::PACKED_THRESHOLD,
        }
    }

    /// Notes a line for the server's log. A front end that never reads it (the page) keeps
    /// only the last [`LOG_LINES`].
    pub(crate) fn log(&mut self, line: String) {
        if self.log.len() >= LOG_LINES {
            self.log.remove(0);
        }
        self.log.push(line);
    }
}

/// The `save` config's "seconds changes" pairs (checked when set).
fn save_points(text: &str) -> Vec<SavePoint> {
    let numbers: Vec<i64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    numbers
        .chunks_exact(2)
        .map(|pair| SavePoint {
            seconds: pair[0],
            changes: pair[1].max(0) as u64,
        })
        .collect()
}

/// How the keyspace is written: Redis's AUX fields, then every non-empty database.
const REDIS_VER: &str = "7.0.15";

/// How a load treats keys already in the keyspace (DEBUG RELOAD's NOFLUSH and MERGE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadMode {
    /// Empty every database first.
    Replace,
    /// Keep what is there; a key in both is an error and nothing is loaded.
    Add,
    /// Keep what is there; the file's version of a key in both wins.
    Merge,
}

impl Engine {
    /// Gives the engine somewhere to keep snapshots (the native server's files).
    pub fn set_storage(&mut self, storage: Box<dyn Storage>) {
        self.persistence.storage = storage;
    }

    /// Stops serving as redis-server exits: every connection closes, and the front end sees
    /// [`Engine::shutdown_requested`].
    pub(crate) fn request_shutdown(&mut self, by: ClientId) {
        self.persistence.shutdown = Some(by);
        for client in self.clients.values_mut() {
            client.closing = true;
        }
    }

    /// True once SHUTDOWN has saved (or was told not to): the front end stops serving.
    pub fn shutdown_requested(&self) -> bool {
        self.persistence.shutdown.is_some()
    }

    /// The client whose SHUTDOWN stopped the server: its connection drops without a reply
    /// (redis-cli prints nothing), where the others' report the closed connection.
    pub fn shutdown_by(&self) -> Option<ClientId> {
        self.persistence.shutdown
    }

    /// Keys the last load left out because their TTL had run out
    /// (`rdb_last_load_keys_expired`).
    pub fn last_load_keys_expired(&self) -> u64 {
        self.persistence.last_load_expired
    }

    /// Where the config says the files go.
    pub(crate) fn storage_location(&self) -> Location {
        let text = |name| self.config.text(name).to_string();
        Location {
            dir: text("dir"),
            dbfilename: text("dbfilename"),
            appenddirname: text("appenddirname"),
            appendfilename: text("appendfilename"),
        }
    }

    /// The options SAVE and DUMP write with, from the config.
    pub(crate) fn save_options(&self) -> SaveOptions {
        SaveOptions {
            compression: self.config.flag("rdbcompression"),
            list_max_listpack_size: self.config.int("list-max-listpack-size"),
            packed_threshold: self.persistence.packed_threshold,
        }
    }

    /// The thresholds loaded values are encoded by, from the config.
    pub(crate) fn load_limits(&self) -> rdb::Limits {
        rdb::Limits {
            hash: crate::cmd::hash::limits(self),
            zset: crate::cmd::zset::limits(self),
            set_max_intset_entries: crate::cmd::set::max_intset_entries(self),
            verify_checksum: !self.debug.skip_checksum_validation,
        }
    }

    /// The whole keyspace as an RDB file, as SAVE writes it. Reading it has no side effects:
    /// keys past their expiry are written as they are (a load drops them).
    pub fn rdb_snapshot(&self) -> Vec<u8> {
        let w = self.write_keyspace(rdb::Writer::new(self.save_options()), true);
        w.finish(self.config.flag("rdbchecksum"))
    }

    /// A snapshot without keys, with the functions or without (a replica's REPLCONF
    /// rdb-filter-only).
    pub(crate) fn rdb_snapshot_filtered(&self, functions: bool) -> Vec<u8> {
        let mut w = rdb::Writer::new(self.save_options());
        self.write_header(&mut w, true);
        if functions {
            self.write_functions(&mut w);
        }
        w.finish(self.config.flag("rdbchecksum"))
    }

    /// The same file as [`Engine::rdb_snapshot`], cut into chunks as it is written: what
    /// SAVE hands to the storage.
    pub fn rdb_snapshot_chunks(&self) -> Vec<Chunk> {
        self.snapshot_chunks(true)
    }

    /// The snapshot a log's rewrite starts the log with: without the replication aux
    /// fields, as Redis writes its AOF base with no `rdbSaveInfo`.
    pub(crate) fn aof_base_chunks(&self) -> Vec<Chunk> {
        self.snapshot_chunks(false)
    }

    fn snapshot_chunks(&self, repl_info: bool) -> Vec<Chunk> {
        let w = self.write_keyspace(rdb::Writer::chunked(self.save_options()), repl_info);
        w.finish_chunks(self.config.flag("rdbchecksum"))
    }

    /// The header and the aux fields every snapshot starts with; with `repl_info`, where the
    /// replication history stands.
    fn write_header(&self, w: &mut rdb::Writer, repl_info: bool) {
        w.header();
        w.aux("redis-ver", REDIS_VER.as_bytes());
        w.aux("redis-bits", b"64");
        w.aux("ctime", (self.now_ms / 1000).to_string().as_bytes());
        w.aux("used-mem", self.used_memory().to_string().as_bytes());
        // Where the replication history stands, so that a replica loading this file (or
        // this server, restarted as one) can resume from it with a partial resync.
        if let Some(stream_db) = self.rdb_save_info().filter(|_| repl_info) {
            w.aux("repl-stream-db", stream_db.to_string().as_bytes());
            w.aux("repl-id", &self.replication.replid);
            let offset = self.replication.master_repl_offset.to_string();
            w.aux("repl-offset", offset.as_bytes());
        }
        w.aux("aof-base", b"0");
    }

    /// The function libraries, as a snapshot holds them before the keys.
    fn write_functions(&self, w: &mut rdb::Writer) {
        for library in self.scripting.functions.current.iter() {
            w.function(&library.code);
        }
    }

    /// Everything a snapshot holds before its footer.
    fn write_keyspace(&self, mut w: rdb::Writer, repl_info: bool) -> rdb::Writer {
        self.write_header(&mut w, repl_info);
        self.write_functions(&mut w);
        let policy = self.eviction.policy;
        for (index, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            w.select_db(index, db.len(), db.volatile_len());
            for (key, entry) in db.keys.iter() {
                let stamp = self.access_stamp(entry);
                let access = if policy.is_lfu() {
                    Some(Access::Frequency(
                        self.eviction.lfu_decr_and_return(stamp, self.now_ms),
                    ))
                } else if policy.is_lru() {
                    Some(Access::IdleSeconds(
                        evict::idle_ms(stamp, self.now_ms) / 1000,
                    ))
                } else {
                    None
                };
                w.key(key, &entry.value, db.keys.expire_of(key), access);
            }
        }
        w
    }

    /// Writes the snapshot to the storage in the foreground (SAVE, SHUTDOWN, DEBUG RELOAD),
    /// as Redis's `rdbSave`: on success the changes since the last save start again from 0
    /// and `rdb_last_bgsave_status` reads ok; a failure leaves that status as it was.
    pub fn save(&mut self) -> Result<(), String> {
        self.write_snapshot(false)
    }

    /// A background save (BGSAVE, a save point), done at once: on success INFO reads as after
    /// a child that finished, on failure `rdb_last_bgsave_status` is err, and while
    /// `stop-writes-on-bgsave-error` is on, writes are refused with MISCONF.
    pub(crate) fn bgsave(&mut self) -> Result<(), String> {
        self.write_snapshot(true)
    }

    fn write_snapshot(&mut self, background: bool) -> Result<(), String> {
        let now = self.clock.now_ms() / 1000;
        let p = &mut self.persistence;
        if background {
            p.saves += 1;
            p.lastbgsave_try = now;
            p.bgsaved = true;
        }
        let chunks = self.rdb_snapshot_chunks();
        if !background {
            let keys = self.dbs.iter().map(|db| db.keys.len()).sum();
            self.hold_per_key(self.config.int("rdb-key-save-delay"), keys);
        }
        let location = self.storage_location();
        let p = &mut self.persistence;
        let result = p.storage.write_rdb(&location, &chunks);
        match &result {
            Ok(()) => {
                self.dirty = 0;
                p.lastsave = now;
                p.last_save_ok = true;
                p.log(if background {
                    "Background saving terminated with success".into()
                } else {
                    "DB saved on disk".into()
                });
            }
            Err(e) => {
                p.log(e.clone());
                if background {
                    p.last_save_ok = false;
                    p.log("Background saving error".into());
                }
            }
        }
        result
    }

    /// What FLUSHALL does after emptying the keyspace, as Redis's `flushAllDataAndResetRDB`:
    /// with save points set, the empty keyspace is saved at once, so that the snapshot does
    /// not bring the keys back at the next start.
    pub(crate) fn save_after_flushall(&mut self) {
        if !self.persistence.save_points.is_empty() {
            let _ = self.save();
        }
    }

    /// Takes the persistence parts of the config (called at start and after every CONFIG
    /// SET): the save points, and `appendonly`.
    pub(crate) fn apply_persistence_config(&mut self) {
        self.persistence.save_points = save_points(self.config.text("save"));
        self.apply_appendonly();
    }

    /// The persistence part of Redis's `serverCron`, run by [`Engine::tick`]: the first
    /// save point met starts a background save (after a failed one, only once
    /// [`BGSAVE_RETRY_DELAY`] passed); without one, the log is rewritten when it has grown
    /// past `auto-aof-rewrite-percentage` of its base and is bigger than
    /// `auto-aof-rewrite-min-size`, unless repeated failures hold it back (`crate::aof`).
    /// Redis has a child process at work after either, and checks nothing else in that run;
    /// so does this.
    pub(crate) fn persistence_cron(&mut self) {
        let now = (self.now_ms / 1000) as i64;
        let p = &self.persistence;
        let retry_allowed = now - p.lastbgsave_try as i64 > BGSAVE_RETRY_DELAY || p.last_save_ok;
        let due = p.save_points.iter().copied().find(|sp| {
            self.dirty >= sp.changes && now - p.lastsave as i64 > sp.seconds && retry_allowed
        });
        if let Some(sp) = due {
            self.persistence.log(format!(
                "{} changes in {} seconds. Saving...",
                sp.changes, sp.seconds
            ));
            let _ = self.bgsave();
            return;
        }
        let percentage = self.config.int("auto-aof-rewrite-percentage");
        let min_size = self.config.int("auto-aof-rewrite-min-size");
        let aof = &self.persistence.aof;
        if aof.on && percentage != 0 && aof.current_size as i64 > min_size {
            let base = aof.base_size.max(1) as i64;
            let growth = aof.current_size as i64 * 100 / base - 100;
            if growth >= percentage && !self.aof_rewrite_limited() {
                self.persistence.log(format!(
                    "Starting automatic rewriting of AOF on {growth}% growth"
                ));
                let _ = self.rewrite_aof();
            }
        }
    }

    /// Redis's `writeCommandsDeniedByDiskError`, checked before a command runs: after a
    /// failed background save with save points set and `stop-writes-on-bgsave-error` on,
    /// or a failed write to the log while it is on, commands that write (an EXEC whose queue
    /// holds one) and PING are refused with MISCONF, so that a client learns at once that
    /// what it writes is not kept. Reads go on. The log's own replay is never refused.
    pub(crate) fn check_disk_error(
        &self,
        client: ClientId,
        flags: u32,
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        let p = &self.persistence;
        let rdb = !p.last_save_ok
            && !p.save_points.is_empty()
            && self.config.flag("stop-writes-on-bgsave-error");
        let aof = p.aof.on && !p.aof.last_write_ok;
        if !(rdb || aof) || p.aof.loading {
            return Ok(());
        }
        let writes = self.is_write_command(client, flags, argv);
        if !(writes || argv[0].eq_ignore_ascii_case(b"ping")) {
            return Ok(());
        }
        Err(if rdb {
            Error::MisconfRdb
        } else {
            Error::MisconfAof(p.aof.last_write_error.clone())
        })
    }

    /// Whether a command writes, as `processCommand` decides it for its refusals: its flags
    /// (EVAL's are its script's), or an EXEC whose queue holds a write.
    pub(crate) fn is_write_command(&self, client: ClientId, flags: u32, argv: &[Vec<u8>]) -> bool {
        flags & flag::WRITE != 0
            || (argv[0].eq_ignore_ascii_case(b"exec")
                && self
                    .clients
                    .get(&client)
                    .and_then(|c| c.multi.as_ref())
                    .is_some_and(|t| {
                        t.queue.iter().any(|queued| {
                            spec::resolve(queued).is_ok_and(|(s, _)| s.has(flag::WRITE))
                        })
                    }))
    }

    /// Redis's `checkGoodReplicasStatus`: a primary with `min-replicas-to-write` set (and
    /// `min-replicas-max-lag` not 0) refuses writes with fewer good replicas than that
    /// (`crate::replication::master`).
    pub(crate) fn check_good_replicas(&self) -> Result<(), Error> {
        if self.enough_good_replicas() {
            Ok(())
        } else {
            Err(Error::NoReplicas)
        }
    }

    /// A script declaring writes is refused at its start after a failed save or log write
    /// (`scriptPrepareForRun`), with its own texts.
    pub(crate) fn check_disk_error_for_scripts(&self) -> Result<(), Error> {
        let p = &self.persistence;
        if p.aof.loading {
            return Ok(());
        }
        if !p.last_save_ok
            && !p.save_points.is_empty()
            && self.config.flag("stop-writes-on-bgsave-error")
        {
            return Err(Error::ScriptMisconfRdb);
        }
        if p.aof.on && !p.aof.last_write_ok {
            return Err(Error::ScriptMisconfAof(p.aof.last_write_error.clone()));
        }
        Ok(())
    }

    /// A line for the server's log (what `redis.log` writes), taken with the persistence
    /// lines by [`Engine::take_persistence_log`].
    pub(crate) fn log_line(&mut self, line: String) {
        self.persistence.log.push(line);
    }

    /// Takes the lines Redis would have written to its log about persistence since the last
    /// call (saves, their failures, a log cut back at load): the native server prints them.
    pub fn take_persistence_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.persistence.log)
    }

    /// Loads the snapshot the storage holds, replacing the keyspace (the native server at
    /// start). `Ok(false)` when there is none yet.
    pub fn load_from_storage(&mut self) -> Result<bool, String> {
        let location = self.storage_location();
        match self.persistence.storage.read_rdb(&location)? {
            Some(bytes) => {
                self.load_rdb(&bytes, LoadMode::Replace)
                    .map_err(|e| e.to_string())?;
                self.resume_from_snapshot(&bytes);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Reads RDB bytes into the keyspace and the function libraries. The file is read and
    /// checked whole first, its libraries loaded aside: an error leaves everything as it
    /// was. Keys already expired are not loaded, and count as `rdb_last_load_keys_expired`.
    /// Libraries replace the current ones ([`LoadMode::Replace`]), join them (`Add`: one of
    /// the same name is an error) or replace those of the same name (`Merge`).
    pub fn load_rdb(&mut self, bytes: &[u8], mode: LoadMode) -> Result<(), RdbError> {
        self.load_rdb_flushing(bytes, mode, false)
    }

    /// [`Engine::load_rdb`], where a [`LoadMode::Replace`] hands the keys it replaces to the
    /// lazy-free queue when `lazy_flush` (a replica's full sync under `replica-lazy-flush`,
    /// Redis's `emptyData` with `EMPTYDB_ASYNC`), rather than freeing them at once.
    pub(crate) fn load_rdb_flushing(
        &mut self,
        bytes: &[u8],
        mode: LoadMode,
        lazy_flush: bool,
    ) -> Result<(), RdbError> {
        self.now_ms = self.clock.now_ms();
        let mut snapshot = rdb::load_keys(bytes, self.load_limits(), self.dbs.len())?;
        let keys: usize = snapshot.dbs.iter().map(Vec::len).sum();
        self.hold_per_key(self.config.int("key-load-delay"), keys);
        let codes = std::mem::take(&mut snapshot.functions);
        let mut libraries = self
            .load_libraries(&codes, mode == LoadMode::Merge)
            .map_err(|e| RdbError::Function(e.to_string()))?;
        let keys_loaded = self
            .check_join_for_load(&libraries, mode)
            .and_then(|()| self.load_keys(snapshot, mode, lazy_flush));
        match &keys_loaded {
            Ok(()) if mode == LoadMode::Replace => self.replace_libraries(libraries),
            Ok(()) => self.join_libraries(libraries),
            Err(_) => self.release_all(&mut libraries),
        }
        keys_loaded
    }

    /// Whether a snapshot's libraries can join the current ones as `mode` has it.
    fn check_join_for_load(
        &self,
        libraries: &crate::script::functions::Libraries,
        mode: LoadMode,
    ) -> Result<(), RdbError> {
        if mode == LoadMode::Replace {
            return Ok(());
        }
        self.check_join(libraries, mode == LoadMode::Merge)
            .map_err(|e| RdbError::Function(e.to_string()))
    }

    /// The keys part of [`Engine::load_rdb`].
    fn load_keys(
        &mut self,
        snapshot: Snapshot,
        mode: LoadMode,
        lazy_flush: bool,
    ) -> Result<(), RdbError> {
        if mode == LoadMode::Replace {
            return self.replace_keyspace(snapshot, lazy_flush);
        }
        rdb::check_unique(&snapshot)?;
        if mode == LoadMode::Add && self.any_exists(&snapshot) {
            return Err(RdbError::Corrupt("a key that already exists"));
        }
        let (mut loaded, mut expired) = (0, 0);
        for (db, keys) in snapshot.dbs.into_iter().enumerate() {
            self.dbs[db].keys.reserve(keys.len());
            for k in keys {
                if self.drops_expired_at_load(k.expire_ms) {
                    expired += 1;
                    continue;
                }
                if mode == LoadMode::Merge {
                    self.db_remove(db, &k.key);
                }
                self.load_key(db, k);
                loaded += 1;
            }
        }
        self.finish_load(loaded, expired);
        Ok(())
    }

    /// Loads a snapshot into new, empty databases, then puts them in place of the old ones
    /// (whose watchers learn their keys changed). A key the file holds twice is found as it
    /// is stored, and puts the old databases back untouched. The old keys are freed at once,
    /// or through the lazy-free queue when `lazy_flush`.
    fn replace_keyspace(&mut self, snapshot: Snapshot, lazy_flush: bool) -> Result<(), RdbError> {
        let empty = vec![Db::default(); self.dbs.len()];
        let old = std::mem::replace(&mut self.dbs, empty);
        let (mut loaded, mut expired) = (0, 0);
        for (db, keys) in snapshot.dbs.into_iter().enumerate() {
            let volatile = keys.iter().filter(|k| k.expire_ms.is_some()).count();
            self.dbs[db].keys.reserve(keys.len());
            self.dbs[db].keys.reserve_volatile(volatile);
            for k in keys {
                if self.drops_expired_at_load(k.expire_ms) {
                    expired += 1;
                    continue;
                }
                if !self.load_key(db, k) {
                    self.dbs = old;
                    // The access order may hold keys of the file that never took their place.
                    self.eviction.forget_recency();
                    return Err(rdb::DUPLICATE_KEY);
                }
                loaded += 1;
            }
        }
        let new = std::mem::replace(&mut self.dbs, old);
        for db in 0..self.dbs.len() {
            self.signal_deleted_streams(db, None);
            self.touch_all_watched_keys_in_db(db, None);
            if lazy_flush {
                self.empty_db_keys(db, true);
            }
        }
        self.invalidate_tracked_keys_on_flush();
        self.dbs = new;
        self.finish_load(loaded, expired);
        Ok(())
    }

    /// Whether a key with this expiry is left out of a load: one whose time has passed, on
    /// a primary; a replica keeps it, for its primary's DEL (Redis's `rdbLoad`).
    fn drops_expired_at_load(&self, expire_ms: Option<u64>) -> bool {
        !self.has_master() && expire_ms.is_some_and(|at| at < self.now_ms)
    }

    fn finish_load(&mut self, loaded: u64, expired: u64) {
        self.persistence.last_load_loaded = loaded;
        self.persistence.last_load_expired = expired;
        self.track_peak_memory();
    }

    fn any_exists(&self, snapshot: &Snapshot) -> bool {
        snapshot
            .dbs
            .iter()
            .enumerate()
            .any(|(db, keys)| keys.iter().any(|k| self.dbs[db].keys.contains_key(&k.key)))
    }

    /// Adds one loaded key, priced, with its expiry and access stamp; no events, as Redis
    /// announces none while loading. False when the key was there already (a file holding
    /// it twice: the caller gives up the databases it was filling).
    fn load_key(&mut self, db: usize, k: LoadedKey) -> bool {
        let lru = self.restored_stamp(k.access);
        // Loaded keys take the access order of their loading (the file keeps only seconds
        // of idle time, which `lru` holds).
        let access = self.eviction.next_access(db, &k.key, None);
        let mem = memory::key_size(&k.key) + self.value_size(&k.value);
        let d = &mut self.dbs[db];
        if !d
            .keys
            .try_insert(&k.key, Entry::new(k.value, lru, access, mem))
        {
            return false;
        }
        d.keys_mem += mem;
        if let Some(at) = k.expire_ms {
            d.keys.set_expire(&k.key, at);
        }
        true
    }

    /// A new object's access stamp given the idle time or frequency a file or RESTORE
    /// brought (Redis's `objectSetLRUOrLFU`): a frequency counts under an LFU policy, an idle
    /// time under any other; otherwise the stamp of a new object.
    pub(crate) fn restored_stamp(&self, access: Option<Access>) -> u32 {
        let lfu = self.eviction.policy.is_lfu();
        match access {
            Some(Access::Frequency(freq)) if lfu => {
                evict::lfu_minutes(self.now_ms) << 8 | u32::from(freq)
            }
            Some(Access::IdleSeconds(idle)) if !lfu => {
                let clock = i64::from(evict::lru_clock(self.now_ms));
                let ticks = i64::try_from(idle).unwrap_or(i64::MAX);
                let at = clock.saturating_sub(ticks);
                // Past the wrapping clock's start: half-way round, so it stays idle long.
                let at = if at < 0 {
                    (clock + i64::from(evict::LRU_CLOCK_MAX) / 2) % i64::from(evict::LRU_CLOCK_MAX)
                } else {
                    at
                };
                at as u32
            }
            _ => self.eviction.new_stamp(self.now_ms),
        }
    }

    /// Serializes a value as DUMP does.
    pub(crate) fn dump_value(&self, value: &Value) -> Vec<u8> {
        rdb::dump(value, self.save_options())
    }
}
