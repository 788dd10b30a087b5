//! The slow log: the last `slowlog-max-len` commands that took at least
//! `slowlog-log-slower-than` microseconds (Redis's `slowlog.c`), newest first, read by
//! SLOWLOG GET.
//!
//! A command's duration is measured on the injected clock's monotonic timer
//! (`Clock::elapsed_us`) around its handler, as Redis measures around `c->cmd->proc`. Under
//! a manual clock, which cannot measure, it is the modelled cost instead (`crate::cost`: a
//! few µs for a GET, tens of milliseconds for a DEL of a big hash), the same on every run, so
//! a scenario's slow log shows the commands a real server's would. A negative threshold turns
//! the log off.
//!
//! Entries keep a copy of the arguments trimmed as Redis trims them, so that a huge command
//! cannot hold a huge entry: at most [`MAX_ARGC`] arguments (the last slot then says how many
//! more there were) and at most [`MAX_STRING`] bytes of each (with how many more there were).

use std::collections::VecDeque;

use crate::reply::Reply;

/// Arguments kept per entry (`SLOWLOG_ENTRY_MAX_ARGC`).
pub const MAX_ARGC: usize = 32;
/// Bytes kept per argument (`SLOWLOG_ENTRY_MAX_STRING`).
pub const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Clone, Debug, PartialEq)]
pub struct SlowlogEntry {
    /// A unique, increasing id; SLOWLOG RESET does not restart it.
    pub id: u64,
    /// When it ran (Unix seconds).
    pub timestamp: u64,
    /// How long it took (µs).
    pub duration_us: u64,
    /// Its arguments, trimmed.
    pub argv: Vec<Vec<u8>>,
    /// The client's address (`ip:port`), as CLIENT LIST shows it.
    pub peer: String,
    /// The client's name, or empty.
    pub client_name: Vec<u8>,
}

impl SlowlogEntry {
    /// The entry as SLOWLOG GET answers it.
    pub fn to_reply(&self) -> Reply {
        Reply::Array(vec![
            Reply::Integer(self.id as i64),
            Reply::Integer(self.timestamp as i64),
            Reply::Integer(self.duration_us as i64),
            Reply::bulk_array(self.argv.iter().cloned()),
            Reply::bulk(self.peer.as_str()),
            Reply::bulk(self.client_name.clone()),
        ])
    }
}

/// The log itself, with its two parameters.
#[derive(Clone, Debug, Default)]
pub struct Slowlog {
    /// Newest first.
    entries: VecDeque<SlowlogEntry>,
    next_id: u64,
    /// `slowlog-log-slower-than`; negative: log nothing.
    slower_than_us: i64,
    /// `slowlog-max-len`.
    max_len: usize,
}

/// A command's arguments as an entry keeps them (`slowlogCreateEntry`).
pub fn trimmed_argv(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (i, arg) in argv.iter().take(kept).enumerate() {
        if kept != argv.len() && i == kept - 1 {
            let more = argv.len() - kept + 1;
            out.push(format!("... ({more} more arguments)").into_bytes());
        } else if arg.len() > MAX_STRING {
            let mut cut = arg[..MAX_STRING].to_vec();
            let more = arg.len() - MAX_STRING;
            cut.extend_from_slice(format!("... ({more} more bytes)").as_bytes());
            out.push(cut);
        } else {
            out.push(arg.clone());
        }
    }
    out
}

impl Slowlog {
    /// Takes `slowlog-log-slower-than` and `slowlog-max-len` from the config.
    pub fn configure(&mut self, config: &crate::Config) {
        self.slower_than_us = config.int("slowlog-log-slower-than");
        self.max_len = config.int("slowlog-max-len").max(0) as usize;
    }

    /// Is a command that took `duration_us` slow enough to log?
    pub fn wants(&self, duration_us: u64) -> bool {
        self.slower_than_us >= 0 && i128::from(duration_us) >= i128::from(self.slower_than_us)
    }

    /// Logs the entry `make` builds from the next id, then trims the log to its length. A
    /// new `slowlog-max-len` takes effect here, as in Redis.
    pub fn push(&mut self, make: impl FnOnce(u64) -> SlowlogEntry) {
        let entry = make(self.next_id);
        self.next_id += 1;
        self.entries.push_front(entry);
        self.entries.truncate(self.max_len);
    }

    /// Up to `count` entries, newest first.
    pub fn newest(&self, count: usize) -> impl Iterator<Item = &SlowlogEntry> {
        self.entries.iter().take(count)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is logged.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every entry (ids keep counting).
    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_are_trimmed_as_redis_does() {
        let argv: Vec<Vec<u8>> = (0..40).map(|i| vec![b'a'; 100 + i]).collect();
        let kept = trimmed_argv(&argv);
        assert_eq!(kept.len(), 32);
        assert_eq!(kept[31], b"... (9 more arguments)");
        assert_eq!(kept[0].len(), 100);
        let mut expected = vec![b'a'; 128];
        expected.extend_from_slice(b"... (2 more bytes)");
        assert_eq!(kept[30], expected);
    }
}
