//! What each request leaves for the browser to keep (see `crate::persistence`): the log's
//! commands, a snapshot after a change no log holds (DEBUG, a loaded RDB file, a continued
//! scenario), and the config when it changed.

use super::Session;
use crate::persistence::{self, StoreOp};

impl Session {
    /// The changes to what the browser keeps since the last call, in order (for
    /// `crate::store` to write).
    pub fn take_store_ops(&mut self) -> Vec<StoreOp> {
        std::mem::take(&mut *self.store_ops.lock().expect("one thread"))
    }

    /// Writes a new base for the log after the next request (the browser lost a record of
    /// it: `store::Writer::holed`).
    pub fn snapshot_after(&mut self) {
        self.snapshot_due = true;
    }

    /// Keeps the keyspace as it now is, whole: a new base for the log, or without the log
    /// dump.rdb (see `persistence`).
    pub(super) fn snapshot(&mut self) {
        let _ = if self.engine.config().flag("appendonly") {
            self.engine.rewrite_aof()
        } else {
            self.engine.save()
        };
    }

    /// After a request: the log's commands go to the storage, a snapshot if a change no log
    /// holds was made (see `persistence`), and the config if it changed. A running script's
    /// writes reach the log only when it ends (and never after SHUTDOWN NOSAVE), so no
    /// snapshot is taken while one runs, nor after SHUTDOWN: the snapshot waits for the
    /// script's end, or is gone with the server.
    pub(super) fn persist(&mut self) {
        self.engine.flush_aof();
        // Nor after a crash: what was not saved is lost with the server.
        let settled = !self.engine.script_running()
            && !self.engine.shutdown_requested()
            && self.engine.crash().is_none();
        if settled
            && std::mem::take(&mut self.snapshot_due)
            && self.engine.config().flag("appendonly")
        {
            let _ = self.engine.rewrite_aof();
        }
        let config = persistence::config_command(self.engine.config());
        if config != self.kept_config {
            let bytes = persistence::frame(config.as_deref().unwrap_or_default());
            self.store_ops
                .lock()
                .expect("one thread")
                .push(StoreOp::Config(bytes));
            self.kept_config = config;
        }
    }
}
