//! Saved in this browser: the page's persistence, as redis-server's on a disk.
//!
//! The engine persists through an injected [`Storage`]: here a [`PageStorage`] that keeps
//! the files in memory (so DEBUG RELOAD reads back what SAVE wrote) and queues every change as
//! a [`StoreOp`] for the worker to write to IndexedDB (`crate::store`), in order, after each
//! request. The page starts with `appendonly yes`, so what the browser keeps is what Redis
//! keeps: the append-only log (a base snapshot in the RDB format, then one record of RESP
//! commands per request that wrote), `dump.rdb` as SAVE, BGSAVE and the `save` points write
//! it, and the parameters that differ from the page's defaults, as a `CONFIG SET` command.
//!
//! On opening, [`restore`] does what redis-server does at start: the config first, then the
//! log if `appendonly` is on and there is one, else `dump.rdb`. Everything is checked before
//! anything loads (the RDB's own CRC64 footer, and a CRC64 after every log record and the
//! config), so a damaged part is never loaded half-way: the next good source is used instead
//! (the log, else the snapshot, else an empty keyspace), the damaged copy is put aside
//! unchanged for download ([`StoreOp::Damaged`]), and the report says so in plain words. Keys
//! whose TTL ran out while the page was closed are not loaded (RDB) or expire at once (log).
//!
//! A snapshot comes from the engine as chunks (`keyspace::rdb`'s "Writing in chunks"), and
//! the same chunks are kept in memory and queued for IndexedDB, shared rather than copied;
//! IndexedDB keeps them as one record each (`crate::store`). A log record's commands are shared
//! chunks too, framed with its CRC64 only as IndexedDB gets it. So beside the keyspace the worker
//! holds one copy of what it keeps, never a whole file being built plus copies of it.
//!
//! Some changes reach no log in Redis, and the page snapshots after them instead, so that a
//! reload still finds what the learner saw: DEBUG (POPULATE fills a keyspace without
//! logging a command), an RDB file loaded from the Server tab, and taking over a scenario's
//! engine. The snapshot is a rewrite of the log, as BGREWRITEAOF does; when `appendonly` is
//! off (a scenario's engine has Redis's default, `no`), taking over or loading a file saves
//! dump.rdb instead, which is what a restart then loads.

use std::sync::{Arc, Mutex};

use keyspace::aof;
use keyspace::config::PARAMS;
use keyspace::persist::{AofFiles, Location, MemoryStorage, Storage};
use keyspace::rdb::{crc64, Chunk};
use keyspace::{Config, Engine};
use keyspace_protocol::saved::{Damage, Restored, SavedState, Source};

/// One change to what the browser keeps, in the order the engine made them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreOp {
    /// `dump.rdb`, replaced whole (SAVE, BGSAVE, a save point): its chunks.
    Rdb(Vec<Chunk>),
    /// One record of the log: the commands logged since the last one (their chunks), framed
    /// ([`frame`]) as it is written.
    Append(Vec<Chunk>),
    /// A new base for the log, and the log emptied (BGREWRITEAOF, `appendonly` turned on,
    /// and the page's own snapshots): its chunks.
    Rewrite(Vec<Chunk>),
    /// The parameters that differ from the page's defaults, framed.
    Config(Vec<u8>),
    /// A damaged part found at start, kept as it was under `name` until the playground is
    /// reset, for the learner to download.
    Damaged { name: String, bytes: Vec<u8> },
    /// How far the engine's time is from the browser's, framed (see [`clock_record`]).
    Clock(Vec<u8>),
}

/// What the browser keeps, as it is read at start; the native tests keep it here too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub config: Option<Vec<u8>>,
    pub rdb: Option<Vec<u8>>,
    pub aof_base: Option<Vec<u8>>,
    /// The log's records, framed, oldest first.
    pub aof_log: Vec<Vec<u8>>,
    pub damaged: Vec<(String, Vec<u8>)>,
    pub clock: Option<Vec<u8>>,
}

impl Stored {
    /// Applies one change as IndexedDB does.
    pub fn apply(&mut self, op: StoreOp) {
        match op {
            StoreOp::Rdb(chunks) => self.rdb = Some(chunks.concat()),
            StoreOp::Append(commands) => self.aof_log.push(frame(&commands.concat())),
            StoreOp::Rewrite(base) => {
                self.aof_base = Some(base.concat());
                self.aof_log.clear();
            }
            StoreOp::Config(bytes) => self.config = Some(bytes),
            StoreOp::Damaged { name, bytes } => {
                self.damaged.retain(|(n, _)| *n != name);
                self.damaged.push((name, bytes));
            }
            StoreOp::Clock(bytes) => self.clock = Some(bytes),
        }
    }
}

/// The record of the engine's time running `offset_ms` from the browser's: after "Continue
/// in the console" the console goes on in the scenario's virtual time (`ShiftedClock`), and
/// the TTLs and the log's absolute times are in it, so a reload must go on in it too.
pub fn clock_record(offset_ms: i64) -> Vec<u8> {
    frame(offset_ms.to_string().as_bytes())
}

/// The offset a clock record holds, if it is whole.
fn clock_offset(record: &[u8]) -> Option<i64> {
    std::str::from_utf8(unframe(record)?).ok()?.parse().ok()
}

/// Names the damaged copies are kept under, as the files would be called on a disk.
pub const DAMAGED_RDB: &str = "dump.rdb";
pub const DAMAGED_AOF_BASE: &str = "appendonly.aof.1.base.rdb";
pub const DAMAGED_AOF_LOG: &str = "appendonly.aof.1.incr.aof";
pub const DAMAGED_CONFIG: &str = "redis.conf";

/// `bytes` followed by their CRC64 (Redis's, as the RDB footer uses), little-endian.
pub fn frame(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    out.extend_from_slice(bytes);
    out.extend_from_slice(&crc64(0, bytes).to_le_bytes());
    out
}

/// The bytes of a framed record, if its checksum holds.
pub fn unframe(record: &[u8]) -> Option<&[u8]> {
    let at = record.len().checked_sub(8)?;
    let (bytes, sum) = record.split_at(at);
    (crc64(0, bytes).to_le_bytes() == sum).then_some(bytes)
}

/// The page's storage: files in memory, each change queued for IndexedDB.
pub struct PageStorage {
    memory: MemoryStorage,
    ops: Arc<Mutex<Vec<StoreOp>>>,
}

impl PageStorage {
    /// An empty storage queuing into `ops`.
    pub fn new(ops: Arc<Mutex<Vec<StoreOp>>>) -> PageStorage {
        PageStorage {
            memory: MemoryStorage::default(),
            ops,
        }
    }

    fn push(&self, op: StoreOp) {
        self.ops.lock().expect("one thread").push(op);
    }
}

impl Storage for PageStorage {
    fn write_rdb(&mut self, at: &Location, rdb: &[Chunk]) -> Result<(), String> {
        self.memory.write_rdb(at, rdb)?;
        self.push(StoreOp::Rdb(rdb.to_vec()));
        Ok(())
    }

    fn read_rdb(&mut self, at: &Location) -> Result<Option<Vec<u8>>, String> {
        self.memory.read_rdb(at)
    }

    fn append_aof(&mut self, at: &Location, commands: &[Chunk], fsync: &str) -> Result<(), String> {
        self.memory.append_aof(at, commands, fsync)?;
        self.push(StoreOp::Append(commands.to_vec()));
        Ok(())
    }

    fn rewrite_aof(&mut self, at: &Location, base: &[Chunk]) -> Result<(), String> {
        self.memory.rewrite_aof(at, base)?;
        self.push(StoreOp::Rewrite(base.to_vec()));
        Ok(())
    }

    fn read_aof(&mut self, at: &Location) -> Result<Option<AofFiles>, String> {
        self.memory.read_aof(at)
    }
}

/// The sizes of what was found at start.
pub fn saved_state(stored: &Stored) -> SavedState {
    SavedState {
        rdb: stored.rdb.as_ref().map_or(0, Vec::len),
        aof_base: stored.aof_base.as_ref().map_or(0, Vec::len),
        log: stored.aof_log.iter().map(Vec::len).sum(),
        log_records: stored.aof_log.len(),
        config: stored.config.as_ref().map_or(0, Vec::len),
        damaged: (stored.damaged.iter())
            .map(|(name, bytes)| (name.clone(), bytes.len()))
            .collect(),
        ..SavedState::default()
    }
}

/// The sizes after `op` was written.
pub fn count_write(state: &mut SavedState, op: &StoreOp) {
    match op {
        StoreOp::Rdb(chunks) => state.rdb = chunks.iter().map(|c| c.len()).sum(),
        StoreOp::Append(commands) => {
            state.log += commands.iter().map(|c| c.len()).sum::<usize>() + 8;
            state.log_records += 1;
        }
        StoreOp::Rewrite(base) => {
            state.aof_base = base.iter().map(|c| c.len()).sum();
            state.log = 0;
            state.log_records = 0;
        }
        StoreOp::Config(bytes) => state.config = bytes.len(),
        StoreOp::Clock(_) => {}
        StoreOp::Damaged { name, bytes } => {
            state.damaged.retain(|(n, _)| n != name);
            state.damaged.push((name.clone(), bytes.len()));
        }
    }
}

/// The page's configuration before anything kept is applied: Redis's defaults, with DEBUG
/// allowed (POPULATE is how a learner fills a keyspace to watch it under load), memory limited
/// as a browser tab should be, and the log on, so that a reload keeps the playground.
pub fn page_config() -> Config {
    let mut config = Config::default();
    for (name, value) in [
        (&b"enable-debug-command"[..], b"yes".as_slice()),
        (b"maxmemory", crate::server::PAGE_MAXMEMORY.as_bytes()),
        (b"appendonly", b"yes"),
    ] {
        config
            .set(name, value, true)
            .expect("a parameter of the engine's own table");
    }
    config
}

/// The parameters of `config` that differ from [`page_config`], as one `CONFIG SET` command
/// in RESP, or `None` when none does.
pub fn config_command(config: &Config) -> Option<Vec<u8>> {
    let defaults = page_config();
    let mut argv: Vec<Vec<u8>> = vec![b"CONFIG".to_vec(), b"SET".to_vec()];
    for (index, param) in PARAMS.iter().enumerate() {
        let value = config.get(index);
        if value != defaults.get(index) {
            argv.push(param.name.as_bytes().to_vec());
            argv.push(value.into_bytes());
        }
    }
    (argv.len() > 2).then(|| {
        let mut command = Vec::new();
        keyspace::resp::encode_request(&mut command, &argv);
        command
    })
}

/// Applies a kept config to `config`: the number of parameters set, or why the record was
/// refused (nothing is applied then).
fn apply_config(config: &mut Config, record: &[u8]) -> Result<usize, String> {
    let bytes = unframe(record).ok_or("its checksum does not match")?;
    if bytes.is_empty() {
        // Every parameter is back at the page's default.
        return Ok(0);
    }
    let log = aof::parse_log(bytes)?;
    let [argv] = log.commands.as_slice() else {
        return Err("it is not one CONFIG SET command".into());
    };
    if log.truncated {
        return Err("it is cut short".into());
    }
    let pairs = argv.get(2..).ok_or("it is not one CONFIG SET command")?;
    if pairs.len() % 2 != 0 {
        return Err("a parameter has no value".into());
    }
    let mut next = config.clone();
    for pair in pairs.chunks(2) {
        next.set(&pair[0], &pair[1], true)
            .map_err(|e| e.to_string())?;
    }
    *config = next;
    Ok(pairs.len() / 2)
}

/// Builds the engine from what the browser kept (see the module's notes), its storage
/// queuing into `ops`.
pub fn restore(
    stored: &Stored,
    clock: Box<dyn keyspace::Clock>,
    seed: u64,
    ops: Arc<Mutex<Vec<StoreOp>>>,
) -> (Engine, Restored) {
    let mut report = Restored::default();
    let damaged = |file: &str, bytes: &[u8], reason: String, report: &mut Restored| {
        ops.lock().expect("one thread").push(StoreOp::Damaged {
            name: file.to_string(),
            bytes: bytes.to_vec(),
        });
        report.damaged.push(Damage {
            file: file.to_string(),
            reason,
        });
    };

    let mut config = page_config();
    if let Some(record) = &stored.config {
        match apply_config(&mut config, record) {
            Ok(n) => report.config = n,
            Err(reason) => damaged(DAMAGED_CONFIG, record, reason, &mut report),
        }
    }
    let clock = match stored.clock.as_deref().and_then(clock_offset) {
        Some(offset) if offset != 0 => {
            let now = (clock.now_ms() as i64).saturating_add(offset).max(0) as u64;
            Box::new(keyspace::ShiftedClock::starting_at(clock, now))
        }
        _ => clock,
    };
    let mut engine = Engine::new(config, clock, seed);
    // The kept files, as the storage's own, without queuing them to be written again.
    let mut memory = MemoryStorage::default();
    let here = Location::default();
    if let Some(rdb) = &stored.rdb {
        let _ = memory.write_rdb(&here, &[Chunk::from(rdb.as_slice())]);
    }
    engine.set_storage(Box::new(PageStorage {
        memory,
        ops: ops.clone(),
    }));

    let appendonly = engine.config().flag("appendonly");
    let has_log = stored.aof_base.is_some() || !stored.aof_log.is_empty();
    if appendonly && has_log {
        let mut log = Vec::new();
        let mut bad = None;
        for (n, record) in stored.aof_log.iter().enumerate() {
            match unframe(record) {
                Some(bytes) => log.extend_from_slice(bytes),
                None => {
                    bad = Some(format!(
                        "record {} of {} does not match its checksum",
                        n + 1,
                        stored.aof_log.len()
                    ));
                    break;
                }
            }
        }
        let loaded = match bad {
            Some(reason) => Err(reason),
            None => engine.load_aof(stored.aof_base.as_deref(), &log),
        };
        match loaded {
            Ok(()) => report.source = Source::Log,
            Err(reason) => {
                if let Some(base) = &stored.aof_base {
                    damaged(DAMAGED_AOF_BASE, base, reason.clone(), &mut report);
                }
                let whole: Vec<u8> = stored.aof_log.concat();
                damaged(DAMAGED_AOF_LOG, &whole, reason, &mut report);
            }
        }
    }
    if report.source == Source::Nothing {
        if let Some(rdb) = &stored.rdb {
            match engine.load_rdb(rdb, keyspace::persist::LoadMode::Replace) {
                Ok(()) => {
                    report.source = Source::Snapshot;
                    report.expired = engine.last_load_keys_expired() as usize;
                }
                Err(e) => damaged(DAMAGED_RDB, rdb, e.to_string(), &mut report),
            }
        }
    }
    let now = engine.now_ms();
    for index in 0.. {
        let Some(db) = engine.db(index) else { break };
        for (_, _, at) in db.iter() {
            if at.is_some_and(|at| at <= now) {
                report.expired += 1;
            } else {
                report.keys += 1;
            }
        }
    }
    // The log goes on from what was loaded; without one (a first visit, a snapshot, a
    // damaged log) it starts on a base of the keyspace as it now is.
    if appendonly && report.source != Source::Log {
        let _ = engine.rewrite_aof();
    }
    (engine, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_holds_its_bytes_and_a_damaged_one_is_refused() {
        let record = frame(b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(unframe(&record), Some(&b"*1\r\n$4\r\nPING\r\n"[..]));
        let mut altered = record.clone();
        altered[3] ^= 1;
        assert_eq!(unframe(&altered), None);
        assert_eq!(unframe(&record[..record.len() - 1]), None);
        assert_eq!(unframe(b"short"), None);
    }

    #[test]
    fn only_the_parameters_that_differ_from_the_pages_are_kept() {
        assert_eq!(config_command(&page_config()), None);
        let mut config = page_config();
        config
            .set(b"maxmemory-policy", b"allkeys-lru", false)
            .unwrap();
        config.set(b"save", b"60 1", false).unwrap();
        let command = config_command(&config).unwrap();
        let mut back = page_config();
        assert_eq!(apply_config(&mut back, &frame(&command)), Ok(2));
        assert_eq!(back.text("maxmemory-policy"), "allkeys-lru");
        assert_eq!(back.text("save"), "60 1");
    }
}
