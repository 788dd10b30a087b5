//! IndexedDB, where the worker keeps the playground between visits (`persistence` says what
//! is kept and why), through the `idb` crate.
//!
//! One database, four object stores: `files` holds small whole files by name (the config, the
//! clock's offset, damaged copies under `damaged/<name>`), `log` the log's records under
//! increasing keys, so appending is one small write and never a rewrite of the whole log, and
//! `rdb` and `base` the chunks of `dump.rdb` and of the log's base (one record per chunk,
//! keyed 0, 1, 2, ... in the file's order: the worker never builds either file whole, see
//! `persistence`).
//!
//! The layout has a version, the database's own ([`VERSION`]). Version 1 kept `dump.rdb`
//! and the base whole, as single records of `files` (under the names [`RDB`] and
//! [`AOF_BASE`]); a page of this build opening what an older one kept upgrades the database
//! (the new stores are added, nothing is moved) and reads such a record when there are no
//! chunks; the first snapshot it writes replaces the record by chunks.
//! The changes one request made are written in one transaction, in order, so what is kept
//! is always what the engine held after some request: never half of one. Writes are queued
//! and written one transaction after another, while the worker goes on answering.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbTransaction;

use crate::persistence::{count_write, StoreOp, Stored};
use keyspace::rdb::{crc64, Chunk};
use keyspace_protocol::saved::{SavedState, WriteFailure};

const DATABASE: &str = "keyspace-playground";
/// The layout's version: 1 kept snapshots whole in `files`, 2 keeps them in chunks.
const VERSION: u32 = 2;
const FILES: &str = "files";
const LOG: &str = "log";
const RDB_CHUNKS: &str = "rdb";
const BASE_CHUNKS: &str = "base";
const STORES: [&str; 4] = [FILES, LOG, RDB_CHUNKS, BASE_CHUNKS];
const CONFIG: &str = "config";
const RDB: &str = "dump.rdb";
const AOF_BASE: &str = "appendonly.aof.base.rdb";
const CLOCK: &str = "clock";
const DAMAGED: &str = "damaged/";

/// How long a new page waits for the storage: on a reload the old page's worker lets go of
/// it a moment after the new one asks.
const CLAIM_WAIT_MS: i32 = 3000;

/// Claims the playground's storage for this tab, for as long as its worker lives (a Web
/// Lock): two tabs appending to one log would interleave two keyspaces' commands. False when
/// another tab still holds it after [`CLAIM_WAIT_MS`], or the browser has no Web Locks.
pub async fn claim() -> bool {
    let global = js_sys::global();
    let get = |from: &JsValue, name: &str| {
        js_sys::Reflect::get(from, &name.into())
            .ok()
            .filter(|v| !v.is_undefined())
    };
    let Some(locks) = get(&global, "navigator").and_then(|n| get(&n, "locks")) else {
        return false;
    };
    let (Some(request), Some(abort)) = (get(&locks, "request"), get(&global, "AbortController"))
    else {
        return false;
    };
    let Ok(controller) = js_sys::Reflect::construct(
        abort.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::new(),
    ) else {
        return false;
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &options,
        &"signal".into(),
        &get(&controller, "signal").into(),
    );
    let mut grant = None;
    let granted = js_sys::Promise::new(&mut |resolve, _| grant = Some(resolve));
    let grant = grant.expect("the executor runs at once");
    // Held while the promise it returns is pending: as long as the worker lives.
    let on_lock = {
        let grant = grant.clone();
        Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = grant.call1(&JsValue::NULL, &true.into());
            js_sys::Promise::new(&mut |_, _| {}).into()
        })
    };
    let on_abort = Closure::once(move |_: JsValue| {
        let _ = grant.call1(&JsValue::NULL, &false.into());
    });
    let request: &js_sys::Function = request.unchecked_ref();
    let Ok(asked) = request.call3(&locks, &DATABASE.into(), &options, &on_lock) else {
        return false;
    };
    let _ = asked.unchecked_into::<js_sys::Promise>().catch(&on_abort);
    // Called once at most, when the wait is given up: it lives as long as the worker.
    on_abort.forget();
    let abort_later = Closure::once_into_js(move || {
        if let Some(abort) = get(&controller, "abort") {
            let _ = abort.unchecked_ref::<js_sys::Function>().call0(&controller);
        }
    });
    let scope: web_sys::WorkerGlobalScope = global.unchecked_into();
    let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(
        abort_later.unchecked_ref(),
        CLAIM_WAIT_MS,
    );
    wasm_bindgen_futures::JsFuture::from(granted)
        .await
        .is_ok_and(|held| held.is_truthy())
}

/// Opens (or creates) the database, adding the stores an older layout lacks.
pub async fn open() -> Result<Database, String> {
    let factory = Factory::new().map_err(|e| e.to_string())?;
    let mut request = factory
        .open(DATABASE, Some(VERSION))
        .map_err(|e| e.to_string())?;
    request.on_upgrade_needed(|event| {
        let Ok(database) = event.database() else {
            return;
        };
        let there = database.store_names();
        for name in STORES
            .iter()
            .filter(|name| !there.iter().any(|t| t == *name))
        {
            let mut params = ObjectStoreParams::new();
            params.auto_increment(*name == LOG);
            let _ = database.create_object_store(name, params);
        }
    });
    request.await.map_err(|e| e.to_string())
}

fn bytes(value: JsValue) -> Vec<u8> {
    Uint8Array::new(&value).to_vec()
}

/// The chunks of a file, in order, joined into the one buffer a load reads.
fn joined(chunks: Vec<JsValue>) -> Vec<u8> {
    let arrays: Vec<Uint8Array> = chunks.iter().map(Uint8Array::new).collect();
    let mut file = vec![0; arrays.iter().map(|a| a.length() as usize).sum()];
    let mut at = 0;
    for array in arrays {
        let len = array.length() as usize;
        array.copy_to(&mut file[at..at + len]);
        at += len;
    }
    file
}

/// Everything kept.
pub async fn read(database: &Database) -> Result<Stored, String> {
    let e = |e: idb::Error| e.to_string();
    let tx = database
        .transaction(&STORES, TransactionMode::ReadOnly)
        .map_err(e)?;
    let files = tx.object_store(FILES).map_err(e)?;
    // A file's chunks, else the single record an older layout kept it as.
    let chunked = |store: &'static str, old: &'static str| {
        let chunks = tx.object_store(store).map(|s| s.get_all(None, None));
        let whole = files.get(JsValue::from_str(old));
        async move {
            let chunks = chunks.map_err(e)?.map_err(e)?.await.map_err(e)?;
            if !chunks.is_empty() {
                return Ok(Some(joined(chunks)));
            }
            whole.map_err(e)?.await.map(|v| v.map(bytes)).map_err(e)
        }
    };
    let file = |name: &'static str| {
        let request = files.get(JsValue::from_str(name));
        async move {
            match request {
                Ok(request) => request.await.map(|v| v.map(bytes)).map_err(e),
                Err(err) => Err(e(err)),
            }
        }
    };
    let mut stored = Stored {
        config: file(CONFIG).await?,
        rdb: chunked(RDB_CHUNKS, RDB).await?,
        aof_base: chunked(BASE_CHUNKS, AOF_BASE).await?,
        clock: file(CLOCK).await?,
        ..Stored::default()
    };
    let names = files
        .get_all_keys(None, None)
        .map_err(e)?
        .await
        .map_err(e)?;
    for name in names.iter().filter_map(JsValue::as_string) {
        if let Some(damaged) = name.strip_prefix(DAMAGED) {
            if let Some(value) = files
                .get(JsValue::from_str(&name))
                .map_err(e)?
                .await
                .map_err(e)?
            {
                stored.damaged.push((damaged.to_string(), bytes(value)));
            }
        }
    }
    let log = tx.object_store(LOG).map_err(e)?;
    stored.aof_log = log
        .get_all(None, None)
        .map_err(e)?
        .await
        .map_err(e)?
        .into_iter()
        .map(bytes)
        .collect();
    Ok(stored)
}

/// Writes one request's changes in one transaction; why it did not commit, if it did not (a
/// full quota when the origin's storage is full).
async fn write(database: &Database, ops: &[StoreOp]) -> Result<(), WriteFailure> {
    let e = |e: idb::Error| WriteFailure::Other(e.to_string());
    let tx = database
        .transaction(&STORES, TransactionMode::ReadWrite)
        .map_err(e)?;
    let files = tx.object_store(FILES).map_err(e)?;
    let log = tx.object_store(LOG).map_err(e)?;
    let rdb = tx.object_store(RDB_CHUNKS).map_err(e)?;
    let base = tx.object_store(BASE_CHUNKS).map_err(e)?;
    let value = |b: &[u8]| JsValue::from(Uint8Array::from(b));
    let name = |n: &str| JsValue::from_str(n);
    // A file's chunks in place of the last ones, and of the single record an older layout
    // kept it as.
    let chunks = |store: &idb::ObjectStore, chunks: &[Chunk], old: &str| {
        drop(store.clear().map_err(e)?);
        for (n, chunk) in chunks.iter().enumerate() {
            drop(
                store
                    .put(&value(chunk), Some(&JsValue::from(n as u32)))
                    .map_err(e)?,
            );
        }
        drop(files.delete(name(old)).map_err(e)?);
        Ok::<(), WriteFailure>(())
    };
    for op in ops {
        // The requests run in the order they are made; the transaction's outcome is awaited.
        match op {
            StoreOp::Rdb(c) => chunks(&rdb, c, RDB)?,
            StoreOp::Append(commands) => drop(log.add(&framed(commands), None).map_err(e)?),
            StoreOp::Rewrite(c) => {
                chunks(&base, c, AOF_BASE)?;
                drop(log.clear().map_err(e)?);
            }
            StoreOp::Config(b) => drop(files.put(&value(b), Some(&name(CONFIG))).map_err(e)?),
            StoreOp::Clock(b) => drop(files.put(&value(b), Some(&name(CLOCK))).map_err(e)?),
            StoreOp::Damaged { name: n, bytes: b } => {
                let key = name(&format!("{DAMAGED}{n}"));
                drop(files.put(&value(b), Some(&key)).map_err(e)?)
            }
        }
    }
    let raw: IdbTransaction = tx.into();
    let outcome = idb::Transaction::from(raw.clone()).await.map_err(e)?;
    if outcome.is_committed() {
        return Ok(());
    }
    Err(raw.error().map_or_else(
        || WriteFailure::Other("the browser aborted the write".to_string()),
        |d| match (d.name(), d.message()) {
            (name, _) if name == "QuotaExceededError" => WriteFailure::QuotaFull,
            (name, message) if message.is_empty() => WriteFailure::Other(name),
            (name, message) => WriteFailure::Other(format!("{name}: {message}")),
        },
    ))
}

/// A log record as IndexedDB keeps it: the commands and their CRC64
/// ([`crate::persistence::frame`]), put together on the JavaScript side from the commands'
/// chunks, so the worker's memory holds the commands once.
fn framed(commands: &[Chunk]) -> JsValue {
    let len: u32 = commands.iter().map(|c| c.len() as u32).sum();
    let record = Uint8Array::new_with_length(len + 8);
    let (mut at, mut sum) = (0, 0);
    for chunk in commands {
        record
            .subarray(at, at + chunk.len() as u32)
            .copy_from(chunk);
        at += chunk.len() as u32;
        sum = crc64(sum, chunk);
    }
    record.subarray(len, len + 8).copy_from(&sum.to_le_bytes());
    record.into()
}

/// Empties every store.
async fn clear(database: &Database) -> Result<(), String> {
    let e = |e: idb::Error| e.to_string();
    let tx = database
        .transaction(&STORES, TransactionMode::ReadWrite)
        .map_err(e)?;
    for store in STORES {
        drop(tx.object_store(store).map_err(e)?.clear().map_err(e)?);
    }
    tx.await.map_err(e)?;
    Ok(())
}

/// The queue of writes, written one transaction after another.
pub struct Writer {
    database: Option<Database>,
    queue: RefCell<VecDeque<Vec<StoreOp>>>,
    busy: RefCell<bool>,
    /// A write failed, so the log kept lacks a record: records after it would replay onto
    /// the wrong keyspace, so none is written until a new base is.
    holed: RefCell<bool>,
    /// Reset: nothing more is written before the page reloads.
    closed: RefCell<bool>,
    state: RefCell<SavedState>,
    /// Told the state after every write.
    on_saved: Box<dyn Fn(SavedState)>,
}

impl Writer {
    /// A writer to `database`; without one (`NotKept`) nothing is written.
    pub fn new(
        database: Option<Database>,
        state: SavedState,
        on_saved: Box<dyn Fn(SavedState)>,
    ) -> Rc<Writer> {
        Rc::new(Writer {
            database,
            queue: RefCell::new(VecDeque::new()),
            busy: RefCell::new(false),
            holed: RefCell::new(false),
            closed: RefCell::new(false),
            state: RefCell::new(state),
            on_saved,
        })
    }

    /// Whether the log kept lacks a record (a write failed): the worker has the engine
    /// write a new base.
    pub fn holed(&self) -> bool {
        *self.holed.borrow()
    }

    /// What is kept now.
    pub fn state(&self) -> SavedState {
        self.state.borrow().clone()
    }

    /// Queues one request's changes.
    pub fn push(self: &Rc<Self>, ops: Vec<StoreOp>) {
        if ops.is_empty() || self.database.is_none() || *self.closed.borrow() {
            return;
        }
        self.queue.borrow_mut().push_back(ops);
        if !*self.busy.borrow() {
            *self.busy.borrow_mut() = true;
            let writer = self.clone();
            wasm_bindgen_futures::spawn_local(async move { writer.drain().await });
        }
    }

    async fn drain(self: Rc<Self>) {
        let Some(database) = &self.database else {
            return;
        };
        loop {
            let Some(mut ops) = self.queue.borrow_mut().pop_front() else {
                break;
            };
            if self.holed() {
                // Records before a new base in the same batch would land on the hole.
                let base = ops.iter().position(|op| matches!(op, StoreOp::Rewrite(_)));
                let mut at = 0;
                ops.retain(|op| {
                    at += 1;
                    !matches!(op, StoreOp::Append(_)) || base.is_some_and(|b| at > b + 1)
                });
            }
            let rebased = ops.iter().any(|op| matches!(op, StoreOp::Rewrite(_)));
            let started = js_sys::Date::now();
            let result = write(database, &ops).await;
            {
                let mut state = self.state.borrow_mut();
                match result {
                    Ok(()) => {
                        ops.iter().for_each(|op| count_write(&mut state, op));
                        if rebased {
                            *self.holed.borrow_mut() = false;
                        }
                        if !self.holed() {
                            state.failed = None;
                        }
                    }
                    Err(reason) => {
                        state.failed = Some(reason);
                        let log =
                            |op: &StoreOp| matches!(op, StoreOp::Append(_) | StoreOp::Rewrite(_));
                        if ops.iter().any(log) {
                            *self.holed.borrow_mut() = true;
                        }
                    }
                }
                state.last_write_ms = js_sys::Date::now() - started;
            }
            (self.on_saved)(self.state());
        }
        *self.busy.borrow_mut() = false;
    }

    /// What is kept once everything queued is written, read back as the worker's start
    /// reads it: what a server restarted after SHUTDOWN loads. None when nothing is kept.
    pub async fn read_back(&self) -> Option<Result<Stored, String>> {
        let database = self.database.as_ref().filter(|_| !*self.closed.borrow())?;
        self.settle().await;
        Some(read(database).await)
    }

    /// Writes nothing more: what is queued is dropped.
    pub fn close(&self) {
        *self.closed.borrow_mut() = true;
        self.queue.borrow_mut().clear();
    }

    /// Drops what is queued, waits for the write under way, and empties the database.
    pub async fn reset(self: &Rc<Self>) -> Result<(), WriteFailure> {
        self.close();
        let Some(database) = &self.database else {
            return Ok(());
        };
        self.settle().await;
        clear(database).await.map_err(WriteFailure::Other)
    }

    /// Waits until the queue is written.
    async fn settle(&self) {
        while *self.busy.borrow() {
            sleep(20).await;
        }
    }
}

/// Waits `ms` milliseconds without blocking the worker.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global: web_sys::WorkerGlobalScope =
            wasm_bindgen::JsCast::unchecked_into(js_sys::global());
        let _ = global.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
