//! Replication as Redis 7.0 does it: the state a primary and a replica share, its history
//! (the backlog), and what decides whether a replica that comes back may resume.
//!
//! # Replication IDs and offsets
//!
//! A dataset's history is named by a replication ID, 40 random hex characters drawn when
//! the history starts (at start, on a full sync that a replica takes from a new primary, on
//! a promotion), and a position in it, the replication offset: how many bytes of the
//! replication stream the history holds so far. A primary moves `master_repl_offset` with
//! every byte it sends its replicas; a replica moves its own with every byte it processes.
//! Two servers with the same ID and offset hold the same data.
//!
//! # The backlog
//!
//! The primary keeps the last `repl-backlog-size` bytes of its stream in a ring, the
//! backlog: `offset` is the replication offset of its first byte and `histlen` how many it
//! holds, so it covers `offset ..= offset + histlen - 1`, which always ends at
//! `master_repl_offset`. It exists only while it may be of use: it is created when the first
//! replica attaches (its `offset` then is the next byte, `master_repl_offset + 1`) and freed
//! when no replica has been attached for `repl-backlog-ttl` seconds. While there is none,
//! the stream goes nowhere and the offset does not move (Redis 7.0 counts only what it
//! writes to the backlog).
//!
//! # Partial resynchronization (PSYNC2)
//!
//! A replica that lost its link asks `PSYNC <replid> <offset+1>`: the ID of the history it
//! has and the first byte it lacks. The primary accepts ([`Replication::try_partial`]) when
//! the ID is its own, or its previous one (`replid2`) and the replica asks for nothing past
//! `second_replid_offset`, where the previous history ended; and when the backlog still
//! holds every byte from that offset on. It then sends `+CONTINUE` and those bytes, and the
//! replica carries on as if the link had never dropped; otherwise a full resynchronization
//! (`+FULLRESYNC <replid> <offset>` and a snapshot) starts over.
//!
//! The previous ID is what makes a promotion cheap: when a replica becomes a primary it
//! keeps its history under a new ID ([`Replication::shift_replid`]) and remembers the old
//! one up to where it was, so the other replicas of the old primary, which share that
//! history, resume from the new one with a partial resync.

pub mod master;
pub mod replica;

use crate::rng::Rng;

/// The size of the ID field when there is no ID: all zeros, as Redis prints a cleared one.
pub const REPLID_LEN: usize = 40;

/// The ring of the stream's last bytes (see the module's notes). Its memory grows with what
/// it holds, up to its size, as Redis's backlog of blocks does: a large `repl-backlog-size`
/// costs nothing until the stream fills it.
#[derive(Clone, Debug)]
pub struct Backlog {
    /// What it holds, at most `size` bytes; once full, the next byte goes at `idx`, over the
    /// oldest one.
    buf: Vec<u8>,
    size: usize,
    idx: usize,
    /// The replication offset of the first byte held.
    pub offset: u64,
    /// How many bytes are held (at most the ring's size).
    pub histlen: u64,
}

impl Backlog {
    /// An empty ring of `size` bytes whose next byte will be at replication offset `next`.
    pub fn new(size: usize, next: u64) -> Backlog {
        Backlog {
            buf: Vec::new(),
            size: size.max(1),
            idx: 0,
            offset: next,
            histlen: 0,
        }
    }

    /// The ring's size (`repl-backlog-size`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Writes `bytes` at the ring's end, over the oldest ones when it is full (the caller
    /// keeps `offset` and `histlen`).
    fn append(&mut self, mut bytes: &[u8]) {
        let size = self.size;
        // Of more than the ring holds, only the last `size` bytes stay.
        if bytes.len() >= size {
            self.buf.clear();
            self.buf.extend_from_slice(&bytes[bytes.len() - size..]);
            self.idx = 0;
            return;
        }
        if self.buf.len() < size {
            let n = (size - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..n]);
            self.idx = self.buf.len() % size;
            bytes = &bytes[n..];
        }
        let n = (size - self.idx).min(bytes.len());
        self.buf[self.idx..self.idx + n].copy_from_slice(&bytes[..n]);
        self.buf[..bytes.len() - n].copy_from_slice(&bytes[n..]);
        self.idx = (self.idx + bytes.len()) % size;
    }

    /// The bytes held from replication offset `from` to the end, when `from` is within
    /// `offset ..= offset + histlen` (the end itself gives nothing to send).
    pub fn since(&self, from: u64) -> Option<Vec<u8>> {
        if from < self.offset || from > self.offset + self.histlen {
            return None;
        }
        let wanted = (self.offset + self.histlen - from) as usize;
        if wanted == 0 {
            return Some(Vec::new());
        }
        // The held bytes end just before `idx` (at the end of `buf` while it fills).
        let len = self.buf.len();
        let start = (self.idx + len - wanted) % len;
        let mut out = Vec::with_capacity(wanted);
        let first = (len - start).min(wanted);
        out.extend_from_slice(&self.buf[start..start + first]);
        out.extend_from_slice(&self.buf[..wanted - first]);
        Some(out)
    }

    /// The same history in a ring of `size` bytes: the newest bytes, as many as fit.
    pub fn resize(&mut self, size: usize) {
        let end = self.offset + self.histlen;
        let keep = self.histlen.min(size as u64);
        let held = self.since(end - keep).unwrap_or_default();
        let mut ring = Backlog::new(size, end - keep);
        ring.append(&held);
        ring.histlen = keep;
        *self = ring;
    }
}

/// Why a replica's PSYNC cannot continue the history (Redis's log line says which).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartialRefused {
    /// The ID is neither the current nor the previous one.
    ReplidMismatch,
    /// The previous ID, asked past where that history ended.
    BeyondSecondId,
    /// No backlog, or the offset is not within it.
    OutOfRange,
}

/// The replication state every engine has, primary or replica (see the module's notes).
#[derive(Debug)]
pub struct Replication {
    /// The current history's ID, 40 hex characters.
    pub replid: [u8; REPLID_LEN],
    /// The previous history's ID (all `0` when there is none) and the offset up to which a
    /// PSYNC may still name it (-1 when none): `master_repl_offset + 1` when it ended.
    pub replid2: [u8; REPLID_LEN],
    pub second_replid_offset: i64,
    /// The bytes of history so far.
    pub master_repl_offset: u64,
    /// The stream's last bytes, while a replica is or was recently attached.
    pub backlog: Option<Backlog>,
    /// When the last replica went away (Unix seconds), for `repl-backlog-ttl` (Redis's
    /// `repl_no_slaves_since`, which starts at the server's start).
    pub no_replicas_since: u64,
    /// The replication stream as it is propagated, and the database its last SELECT chose
    /// (Redis's `slaveseldb`): `None` after a full sync, so that the next command carries a
    /// SELECT.
    pub(crate) stream: crate::aof::CommandStream,
    /// The primary's side: its replicas and what WAIT and FAILOVER wait for.
    pub master: master::Master,
    /// Where new IDs come from: a generator of its own, so that drawing an ID leaves the
    /// engine's other random choices as they were.
    rng: Rng,
}

impl Replication {
    /// A fresh history: a new ID, offset 0, no backlog.
    pub fn new(seed: u64, now_s: u64) -> Replication {
        let mut rng = Rng::new(seed ^ 0x7265_706c_6964_0000);
        let replid = random_id(&mut rng);
        Replication {
            replid,
            replid2: [b'0'; REPLID_LEN],
            second_replid_offset: -1,
            master_repl_offset: 0,
            backlog: None,
            no_replicas_since: now_s,
            stream: Default::default(),
            master: master::Master::default(),
            rng,
        }
    }

    /// Takes the parameters as last set: a backlog that exists is resized to
    /// `repl-backlog-size`, keeping the newest bytes.
    pub(crate) fn configure(&mut self, config: &crate::Config) {
        let size = config.int("repl-backlog-size") as usize;
        if let Some(backlog) = self.backlog.as_mut().filter(|b| b.size() != size) {
            backlog.resize(size);
        }
    }

    /// The current ID as text.
    pub fn replid_str(&self) -> &str {
        std::str::from_utf8(&self.replid).unwrap_or_default()
    }

    /// The previous ID as text.
    pub fn replid2_str(&self) -> &str {
        std::str::from_utf8(&self.replid2).unwrap_or_default()
    }

    /// Appends `bytes` to the history: to the backlog, moving `master_repl_offset`. Without
    /// a backlog nothing is kept and the offset stays (Redis's `feedReplicationBuffer`).
    pub fn feed(&mut self, bytes: &[u8]) {
        let Some(backlog) = &mut self.backlog else {
            return;
        };
        backlog.append(bytes);
        backlog.histlen = (backlog.histlen + bytes.len() as u64).min(backlog.size() as u64);
        self.master_repl_offset += bytes.len() as u64;
        backlog.offset = self.master_repl_offset + 1 - backlog.histlen;
    }

    /// Creates the backlog of `size` bytes if there is none (the first replica attaches).
    pub fn create_backlog(&mut self, size: usize) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(size, self.master_repl_offset + 1));
        }
    }

    /// Redis's `shiftReplicationId`: the current history goes on under a new ID; the old
    /// one stays valid for PSYNC up to here.
    pub fn shift_replid(&mut self) {
        self.replid2 = self.replid;
        self.second_replid_offset = self.master_repl_offset as i64 + 1;
        self.replid = random_id(&mut self.rng);
    }

    /// Redis's `changeReplicationId`: a new history with nothing remembered of the old one.
    pub fn change_replid(&mut self) {
        self.replid = random_id(&mut self.rng);
    }

    /// Redis's `clearReplicationId2`.
    pub fn clear_replid2(&mut self) {
        self.replid2 = [b'0'; REPLID_LEN];
        self.second_replid_offset = -1;
    }

    /// Whether a replica that has history `replid` up to `offset - 1` can resume from here:
    /// the bytes from `offset` on, or why not (Redis's `masterTryPartialResynchronization`).
    pub fn try_partial(&self, replid: &[u8], offset: i64) -> Result<Vec<u8>, PartialRefused> {
        if replid != self.replid {
            if replid != self.replid2 {
                return Err(PartialRefused::ReplidMismatch);
            }
            if offset > self.second_replid_offset {
                return Err(PartialRefused::BeyondSecondId);
            }
        }
        let backlog = self.backlog.as_ref().ok_or(PartialRefused::OutOfRange)?;
        u64::try_from(offset)
            .ok()
            .and_then(|from| backlog.since(from))
            .ok_or(PartialRefused::OutOfRange)
    }
}

/// 40 random hex characters (Redis's `getRandomHexChars`).
pub fn random_id(rng: &mut Rng) -> [u8; REPLID_LEN] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0; REPLID_LEN];
    for c in id.iter_mut() {
        *c = HEX[rng.below(16)];
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_backlog(size: usize) -> Replication {
        let mut r = Replication::new(1, 0);
        r.create_backlog(size);
        r
    }

    #[test]
    fn the_backlog_keeps_the_last_bytes_across_the_wrap() {
        let mut r = with_backlog(8);
        r.feed(b"abcde");
        assert_eq!(r.master_repl_offset, 5);
        let b = r.backlog.as_ref().unwrap();
        assert_eq!((b.offset, b.histlen), (1, 5));
        r.feed(b"fghij");
        let b = r.backlog.as_ref().unwrap();
        assert_eq!((b.offset, b.histlen), (3, 8));
        assert_eq!(b.since(3).unwrap(), b"cdefghij");
        assert_eq!(b.since(9).unwrap(), b"ij");
        assert_eq!(b.since(11).unwrap(), b"");
        assert_eq!(b.since(2), None);
        assert_eq!(b.since(12), None);
        // More than the ring holds in one go: only its end stays.
        r.feed(b"0123456789xyz");
        let b = r.backlog.as_ref().unwrap();
        assert_eq!(r.master_repl_offset, 23);
        assert_eq!((b.offset, b.histlen), (16, 8));
        assert_eq!(b.since(16).unwrap(), b"56789xyz");
        assert_eq!(b.since(20).unwrap(), b"9xyz");
    }

    #[test]
    fn a_large_backlog_takes_memory_only_as_it_fills() {
        let mut r = with_backlog(1 << 30);
        r.feed(b"*1\r\n$4\r\nPING\r\n");
        let b = r.backlog.as_ref().unwrap();
        assert_eq!(b.buf.len(), 14);
        assert_eq!(b.since(1).unwrap(), b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn nothing_is_counted_without_a_backlog() {
        let mut r = Replication::new(1, 0);
        r.feed(b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(r.master_repl_offset, 0);
        r.create_backlog(16 * 1024);
        assert_eq!(r.backlog.as_ref().unwrap().offset, 1);
    }

    #[test]
    fn try_partial_holds_to_the_backlog_and_the_ids() {
        let mut r = with_backlog(8);
        r.feed(b"abcdefghij");
        let id = r.replid;
        assert_eq!(r.try_partial(&id, 3).unwrap(), b"cdefghij");
        assert_eq!(r.try_partial(&id, 11).unwrap(), b"");
        assert_eq!(r.try_partial(&id, 2), Err(PartialRefused::OutOfRange));
        assert_eq!(r.try_partial(&id, 12), Err(PartialRefused::OutOfRange));
        assert_eq!(r.try_partial(&id, -1), Err(PartialRefused::OutOfRange));
        assert_eq!(r.try_partial(b"?", -1), Err(PartialRefused::ReplidMismatch));
        // A promotion: the old ID is good up to where its history ended.
        r.shift_replid();
        assert_ne!(r.replid, id);
        assert_eq!(r.second_replid_offset, 11);
        r.feed(b"kl");
        assert_eq!(r.try_partial(&id, 11).unwrap(), b"kl");
        assert_eq!(r.try_partial(&id, 12), Err(PartialRefused::BeyondSecondId));
        let new = r.replid;
        assert_eq!(r.try_partial(&new, 12).unwrap(), b"l");
    }

    #[test]
    fn resizing_keeps_the_newest_bytes() {
        let mut r = with_backlog(8);
        r.feed(b"abcdefghij");
        let b = r.backlog.as_mut().unwrap();
        b.resize(4);
        assert_eq!((b.offset, b.histlen), (7, 4));
        assert_eq!(b.since(7).unwrap(), b"ghij");
        b.resize(16);
        assert_eq!(b.since(7).unwrap(), b"ghij");
        r.feed(b"klmnopqrstuv");
        let b = r.backlog.as_ref().unwrap();
        assert_eq!((b.offset, b.histlen), (7, 16));
        assert_eq!(b.since(7).unwrap(), b"ghijklmnopqrstuv");
    }
}
