//! Redis's RDB format, version 10 (what Redis 7.0 writes): the snapshot SAVE writes, DEBUG
//! RELOAD and the native server's start read, and, value by value, DUMP's payload.
//!
//! # The file
//!
//! ```text
//! "REDIS0010"                        magic and four-digit version
//! FA <string> <string>               AUX fields: redis-ver, redis-bits, ctime, used-mem, aof-base
//! F5 <string>                        FUNCTION2: a function library's code, once per library
//! FE <length>                        SELECTDB: the keys that follow belong to this database
//! FB <length> <length>               RESIZEDB: how many keys, how many of them with a TTL
//! [FC <8 bytes>]                     EXPIRETIME_MS: the next key's expiry, Unix ms, little-endian
//! [F8 <length>] | [F9 <1 byte>]      IDLE seconds / FREQ counter (under LRU / LFU policies only)
//! <type byte> <string key> <value>   one key
//! ...                                more keys, more databases
//! FF                                 EOF
//! <8 bytes>                          CRC-64 of everything before, little-endian (0: not checked)
//! ```
//!
//! Older opcodes the loader also takes: FD (EXPIRETIME, Unix seconds in 4 bytes), F6 (a
//! library as Redis 7.0's release candidates wrote it: name, engine, an optional
//! description and the body, turned back into one code with its `#!<engine> name=<name>`
//! line). Modules (F7 and module types) are refused: nothing here could hold them.
//!
//! FUNCTION DUMP's payload is the FUNCTION2 records alone followed by DUMP's footer
//! ([`dump_functions`], [`restore_functions`]).
//!
//! # Lengths and strings
//!
//! A *length* spends its first two bits on its own size: `00` six bits, `01` fourteen bits
//! (big-endian over two bytes), `10000000` a 32-bit and `10000001` a 64-bit big-endian number
//! after it. `11` is not a length but a *special string encoding* in the low six bits: 0, 1,
//! 2 are integers of 8, 16 and 32 bits (little-endian) standing for their decimal spelling,
//! 3 is LZF: compressed length, uncompressed length, compressed bytes. A *string* is either
//! a length and that many bytes, or one of those encodings. Redis writes a string of at most
//! 11 bytes that is an integer's exact spelling (`string2ll`) and fits 32 bits as the integer,
//! and, with `rdbcompression yes`, tries LZF on anything longer than 20 bytes, keeping it
//! only when it saves at least 4 bytes; both rules are followed here.
//!
//! # LZF
//!
//! Marc Lehmann's LZF, as Redis vendors it: a stream of literal runs (`000LLLLL`: L+1 bytes
//! follow, 1 to 32) and back references (`LLLooooo oooooooo`, or `111ooooo LLLLLLLL oooooooo`
//! for long ones: copy L+2 bytes from `offset+1` bytes back, up to 8 KiB back). The
//! compressor ([`Lzf`]) is liblzf's own algorithm step for step (a 2^16-slot table of where
//! each 3-byte sequence was last seen, keyed by liblzf's hash, greedy matches), so that the
//! compressed strings, and with them DUMP payloads and whole snapshots, are the bytes Redis
//! writes. The decompressor checks every run and reference against both buffers, so hostile
//! input ends in an error, never out of bounds.
//!
//! # Values (the type byte)
//!
//! What Redis 7.0 writes, one per encoding, and what this engine writes:
//! - 0 string: a string.
//! - 18 list, quicklist 2: the number of nodes, then per node its container (2 = packed: a
//!   listpack, as a string; 1 = plain: one big element as a string). Nodes are cut at
//!   `list-max-listpack-size` (-2: 8 KiB of listpack) as the quicklist cuts them.
//! - 11 set as intset: one string holding the intset (encoding width 2/4/8, count, sorted
//!   little-endian integers); 2 set as hashtable: count, then the members.
//! - 16 hash as listpack: one string, field and value entries alternating; 4 hash as
//!   hashtable: count, then field, value, field, value.
//! - 17 sorted set as listpack: member and score entries alternating, in score order; 5 sorted
//!   set as skiplist ("ZSET_2"): count, then member and the score as an 8-byte little-endian
//!   double, highest score first (Redis walks its skiplist backwards so that loading inserts
//!   at the head).
//! - 19 stream ("listpacks 2"): the number of nodes, then per node its master ID (16 bytes,
//!   big-endian, as a string) and its listpack as Redis keeps it (`crate::types::stream`);
//!   then the length, the last ID, the first ID, the highest deleted ID (each ID as two
//!   lengths) and the entries ever added; then the groups: per group its name, last ID,
//!   entries read (-1 as 2^64-1), its PEL (per entry the raw 16-byte ID, the delivery time as
//!   8 little-endian bytes, the delivery count) and its consumers (name, seen time in 8 bytes,
//!   and their pending IDs, raw, resolved against the group's PEL when read).
//!
//! A listpack is: total bytes (u32), entry count (u16, 65535 = too many to count), entries,
//! 0xFF. Each entry is an encoding byte, its data, and its own length written backwards
//! ("backlen") so that it can be walked from the tail. Integers that are an element's exact
//! spelling are stored as integers of 7, 13, 16, 24, 32 or 64 bits; strings with a 6, 12 or
//! 32-bit length.
//!
//! Older encodings the loader also reads, as Redis 7.0 does: 1 plain list, 3 sorted set with
//! string scores, 9 zipmap hash, 10 ziplist list, 12 ziplist sorted set, 13 ziplist hash,
//! 14 quicklist of ziplists, 15 stream as Redis 5 and 6 wrote it (no first ID, highest
//! deleted ID, entries added or groups' read counters: the first ID is found from the
//! entries, the entries added taken as the length, the counters estimated as Redis does). A ziplist is the listpack's predecessor: header of total bytes,
//! tail offset and count, entries that start with the previous entry's length instead of
//! ending with their own.
//!
//! # Encodings after loading
//!
//! Redis decides a loaded value's encoding with the same thresholds as its writes: a
//! hashtable-typed hash or set or a skiplist sorted set small enough for a listpack or intset
//! becomes one (so DEBUG RELOAD turns a shrunken hashtable hash back into a listpack), and a
//! listpack or intset with more entries than its `*-max-*-entries` becomes a hashtable or
//! skiplist. [`Limits`] carries those thresholds in.
//!
//! # Hostile bytes
//!
//! RESTORE takes payloads from anyone and a file may be truncated or altered, so reading is
//! bounded throughout: every length is checked against what is left before anything is
//! read or allocated, counts never pre-allocate more than the bytes could hold, nesting is
//! one level deep at most, and every malformed structure is an [`RdbError`], never a panic.
//! A file is loaded whole into a [`Snapshot`] before the caller replaces anything with it.
//!
//! # Writing in chunks
//!
//! A snapshot of a big keyspace is tens of megabytes, and in the page it would sit beside the
//! keyspace in a WebAssembly memory that never shrinks: built in one growing buffer, it would
//! cost its size twice over at the moment the buffer doubles. So [`Writer::chunked`] hands
//! the file out as [`Chunk`]s of [`CHUNK_SIZE`] bytes (the last one shorter), cut after each
//! key while the keys are written, with the CRC-64 run over each chunk as it is cut: only
//! the chunks and one chunk's worth of buffer exist, and their bytes one after the other are
//! exactly what the whole writer produces. A chunk is shared (`Arc`), so a storage can keep
//! it and queue it to be written without copying it.

use std::fmt;
use std::sync::Arc;

use crate::args::string2ll;
use crate::db::Value;
use crate::listpack::{Element, Listpack};
use crate::reply::format_double;
use crate::types::stream::{GroupRecord, StreamId, StreamMeta};
use crate::types::{hash, zset, Hash, List, Set, SortedSet, Stream};

/// The version Redis 7.0 writes.
pub const RDB_VERSION: u16 = 10;

/// What the loader refuses, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdbError {
    /// The data ends before a structure it announces.
    Truncated,
    /// Not an RDB file at all.
    WrongSignature,
    /// A version this loader (like Redis 7.0) cannot read.
    UnsupportedVersion(u32),
    /// The CRC-64 at the end does not match the bytes.
    WrongChecksum { expected: u64, computed: u64 },
    /// A type byte or opcode this engine has no use for (modules) or that does not exist.
    UnsupportedType(u8),
    /// A database number beyond the configured `databases`.
    DbOutOfRange(u64),
    /// Anything else malformed, with what.
    Corrupt(&'static str),
    /// A function library that does not load (it does not compile, or clashes with those
    /// loaded already): the engine's error.
    Function(String),
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::Truncated => {
                f.write_str("Short read loading the RDB: the file is truncated or corrupt")
            }
            RdbError::WrongSignature => f.write_str("Wrong signature trying to load DB from file"),
            RdbError::UnsupportedVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::WrongChecksum { expected, computed } => write!(
                f,
                "Wrong RDB checksum expected: ({expected:x}) got ({computed:x}): the file is \
                 corrupt"
            ),
            RdbError::UnsupportedType(t) => write!(
                f,
                "Unknown or unsupported RDB type or opcode {t} (modules are not supported)"
            ),
            RdbError::DbOutOfRange(n) => write!(
                f,
                "Data file was created with a Redis server configured to handle more than {n} \
                 databases"
            ),
            RdbError::Corrupt(what) => write!(f, "Corrupt RDB: {what}"),
            RdbError::Function(why) => write!(f, "Failed loading library, {why}"),
        }
    }
}

type Result<T> = std::result::Result<T, RdbError>;

// --- CRC-64 ------------------------------------------------------------------------------------

/// Redis's crc64.c: the Jones polynomial 0xad93d23594c935a9, reflected input and output,
/// initial value 0, no final xor. This is its bit-reflected form, for a right-shifting table.
const CRC64_JONES_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// Eight 256-entry tables for slicing-by-8: table 0 is the classic byte table, table k
/// advances a byte that sits k bytes further back.
static CRC64_TABLES: [[u64; 256]; 8] = crc64_tables();

const fn crc64_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC64_JONES_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[k - 1][i];
            tables[k][i] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
}

/// Continues a CRC-64 (Jones) over `bytes`; start from 0.
pub fn crc64(mut crc: u64, bytes: &[u8]) -> u64 {
    let t = &CRC64_TABLES;
    let mut chunks = bytes.chunks_exact(8);
    for c in chunks.by_ref() {
        let x = crc ^ u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        crc = t[7][(x & 0xff) as usize]
            ^ t[6][((x >> 8) & 0xff) as usize]
            ^ t[5][((x >> 16) & 0xff) as usize]
            ^ t[4][((x >> 24) & 0xff) as usize]
            ^ t[3][((x >> 32) & 0xff) as usize]
            ^ t[2][((x >> 40) & 0xff) as usize]
            ^ t[1][((x >> 48) & 0xff) as usize]
            ^ t[0][(x >> 56) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

// --- LZF ---------------------------------------------------------------------------------------

/// Longest literal run one control byte announces.
const LZF_MAX_LITERAL: usize = 32;
/// Farthest back a reference reaches (13 bits of offset, plus one).
const LZF_MAX_OFFSET: usize = 1 << 13;
/// Longest reference: 7 + 255 in the length fields, plus the implied 2.
const LZF_MAX_REF: usize = 264;
/// liblzf's `HLOG`: the compressor's table has 2^16 slots, each the last position where a
/// 3-byte sequence hashing there was seen.
const LZF_HASH_LOG: u32 = 16;

/// liblzf 3.6's `lzf_compress` as Redis builds it (`VERY_FAST`, `HLOG` 16), step for step,
/// so that a snapshot's compressed strings are the bytes Redis writes: the same hash of the
/// last bytes seen, the same refusal to reference position 0, the same greedy match (its
/// 16-byte unrolled first stretch may run past `maxlen`, as C's does), the same two table
/// updates after a match, and the same points at which it gives up for lack of room.
pub struct Lzf {
    /// Slot -> (generation << 32 | position): slots from an earlier call are stale, as the
    /// C table's garbage is, without clearing 2^16 slots for every string.
    table: Vec<u64>,
    generation: u64,
}

impl Default for Lzf {
    fn default() -> Lzf {
        Lzf::new()
    }
}

impl Lzf {
    pub fn new() -> Lzf {
        Lzf {
            table: Vec::new(),
            generation: 0,
        }
    }

    /// Compresses `input` into at most `limit` bytes, or `None` when it does not fit (Redis
    /// asks for 4 bytes saved at least, `limit = len - 4`).
    pub fn compress(&mut self, input: &[u8], limit: usize) -> Option<Vec<u8>> {
        if input.is_empty() || limit == 0 {
            return None;
        }
        if self.table.is_empty() {
            self.table = vec![0; 1 << LZF_HASH_LOG];
        }
        self.generation += 1;
        let generation = self.generation << 32;
        let idx = |h: u32| {
            ((h >> (24 - LZF_HASH_LOG)).wrapping_sub(h.wrapping_mul(5)) & ((1 << LZF_HASH_LOG) - 1))
                as usize
        };
        // Output with room for the final run, which C writes after its last check.
        let mut out = vec![0u8; limit + 3];
        let out_end = limit;
        let len = input.len();
        let mut ip = 0usize;
        let mut op = 1usize; // the first run's control byte is reserved
        let mut lit = 0usize;
        let mut hval: u32 = if len >= 2 {
            u32::from(input[0]) << 8 | u32::from(input[1])
        } else {
            0
        };
        while ip + 2 < len {
            hval = hval << 8 | u32::from(input[ip + 2]);
            let slot = idx(hval);
            let entry = self.table[slot];
            self.table[slot] = generation | ip as u64;
            let reference =
                (entry >> 32 == self.generation).then_some((entry & 0xffff_ffff) as usize);
            let matched = reference.filter(|&r| {
                r < ip
                    && ip - r - 1 < LZF_MAX_OFFSET
                    && r > 0
                    && input[r..r + 3] == input[ip..ip + 3]
            });
            let Some(r) = matched else {
                if op >= out_end {
                    return None;
                }
                lit += 1;
                out[op] = input[ip];
                op += 1;
                ip += 1;
                if lit == LZF_MAX_LITERAL {
                    out[op - lit - 1] = (lit - 1) as u8;
                    lit = 0;
                    op += 1;
                }
                continue;
            };
            let off = ip - r - 1;
            let maxlen = (len - ip - 2).min(LZF_MAX_REF);
            if op + 4 >= out_end && op - usize::from(lit == 0) + 4 >= out_end {
                return None;
            }
            out[op - lit - 1] = (lit as u8).wrapping_sub(1);
            op -= usize::from(lit == 0);
            let mut mlen = 2;
            let mut done = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    mlen += 1;
                    if input[r + mlen] != input[ip + mlen] {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                loop {
                    mlen += 1;
                    if !(mlen < maxlen && input[r + mlen] == input[ip + mlen]) {
                        break;
                    }
                }
            }
            let stored = mlen - 2;
            if stored < 7 {
                out[op] = ((off >> 8) + (stored << 5)) as u8;
                op += 1;
            } else {
                out[op] = ((off >> 8) + (7 << 5)) as u8;
                out[op + 1] = (stored - 7) as u8;
                op += 2;
            }
            out[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1;
            ip += mlen;
            if ip + 2 >= len {
                break;
            }
            // Two table entries for the positions just before the match's end.
            ip -= 2;
            hval = u32::from(input[ip]) << 8 | u32::from(input[ip + 1]);
            for _ in 0..2 {
                hval = hval << 8 | u32::from(input[ip + 2]);
                self.table[idx(hval)] = generation | ip as u64;
                ip += 1;
            }
        }
        if op + 3 > out_end {
            return None;
        }
        while ip < len {
            lit += 1;
            out[op] = input[ip];
            op += 1;
            ip += 1;
            if lit == LZF_MAX_LITERAL {
                out[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
        out[op - lit - 1] = (lit as u8).wrapping_sub(1);
        op -= usize::from(lit == 0);
        out.truncate(op);
        Some(out)
    }
}

/// Decompresses LZF data that must expand to exactly `expected` bytes.
pub fn lzf_decompress(input: &[u8], expected: usize) -> Result<Vec<u8>> {
    const BAD: RdbError = RdbError::Corrupt("invalid LZF data");
    // A 3-byte reference yields at most 264 bytes: a claim beyond that ratio is a lie, and
    // must not make us allocate.
    if expected > input.len().saturating_mul(LZF_MAX_REF) {
        return Err(BAD);
    }
    let mut out = Vec::with_capacity(expected);
    let mut i = 0;
    while i < input.len() {
        let ctrl = usize::from(input[i]);
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            let run = input.get(i..i + n).ok_or(BAD)?;
            if out.len() + n > expected {
                return Err(BAD);
            }
            out.extend_from_slice(run);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(i).ok_or(BAD)?);
                i += 1;
            }
            len += 2;
            let low = usize::from(*input.get(i).ok_or(BAD)?);
            i += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            if back > out.len() || out.len() + len > expected {
                return Err(BAD);
            }
            let from = out.len() - back;
            // Byte by byte: a reference may overlap what it writes (a run).
            for k in 0..len {
                let b = out[from + k];
                out.push(b);
            }
        }
    }
    if out.len() != expected {
        return Err(BAD);
    }
    Ok(out)
}

// --- Writing -----------------------------------------------------------------------------------

const OPCODE_FUNCTION2: u8 = 0xF5;
const OPCODE_FUNCTION_PRE_GA: u8 = 0xF6;
const OPCODE_MODULE_AUX: u8 = 0xF7;
const OPCODE_IDLE: u8 = 0xF8;
const OPCODE_FREQ: u8 = 0xF9;
const OPCODE_AUX: u8 = 0xFA;
const OPCODE_RESIZEDB: u8 = 0xFB;
const OPCODE_EXPIRETIME_MS: u8 = 0xFC;
const OPCODE_EXPIRETIME: u8 = 0xFD;
const OPCODE_SELECTDB: u8 = 0xFE;
const OPCODE_EOF: u8 = 0xFF;

const TYPE_STRING: u8 = 0;
const TYPE_LIST: u8 = 1;
const TYPE_SET: u8 = 2;
const TYPE_ZSET: u8 = 3;
const TYPE_HASH: u8 = 4;
const TYPE_ZSET_2: u8 = 5;
const TYPE_HASH_ZIPMAP: u8 = 9;
const TYPE_LIST_ZIPLIST: u8 = 10;
const TYPE_SET_INTSET: u8 = 11;
const TYPE_ZSET_ZIPLIST: u8 = 12;
const TYPE_HASH_ZIPLIST: u8 = 13;
const TYPE_LIST_QUICKLIST: u8 = 14;
const TYPE_HASH_LISTPACK: u8 = 16;
const TYPE_ZSET_LISTPACK: u8 = 17;
const TYPE_LIST_QUICKLIST_2: u8 = 18;
const TYPE_STREAM_LISTPACKS: u8 = 15;
const TYPE_STREAM_LISTPACKS_2: u8 = 19;

const QUICKLIST_NODE_PLAIN: u64 = 1;
const QUICKLIST_NODE_PACKED: u64 = 2;

/// The special string encodings (the low six bits after `11`).
const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// What a save needs beyond the data: the `rdbcompression` setting, and the list node size.
#[derive(Clone, Copy, Debug)]
pub struct SaveOptions {
    /// `rdbcompression`: try LZF on strings longer than 20 bytes.
    pub compression: bool,
    /// `list-max-listpack-size`: negative for a node size in bytes (-1: 4 KiB ... -5: 64 KiB),
    /// positive for a count of elements.
    pub list_max_listpack_size: i64,
    /// A list element at least this long is a plain node of its own (quicklist's
    /// `packed_threshold`: 1 GiB, or what DEBUG QUICKLIST-PACKED-THRESHOLD set).
    pub packed_threshold: usize,
}

impl Default for SaveOptions {
    fn default() -> SaveOptions {
        SaveOptions {
            compression: true,
            list_max_listpack_size: -2,
            packed_threshold: PACKED_THRESHOLD,
        }
    }
}

/// A piece of a file written in chunks (see "Writing in chunks" above), shared by whoever
/// keeps it.
pub type Chunk = Arc<[u8]>;

/// How long a snapshot's chunks are: big enough that a file of a million keys is a few
/// dozen of them, small enough that the buffer they are cut from stays negligible.
pub const CHUNK_SIZE: usize = 512 * 1024;

/// Moves `buf`'s leading [`CHUNK_SIZE`] pieces to `chunks` (everything, the last piece
/// shorter, when `all`), keeping the rest in `buf` for more bytes to follow.
pub(crate) fn cut_chunks(buf: &mut Vec<u8>, chunks: &mut Vec<Chunk>, all: bool) {
    let whole = if all {
        buf.len()
    } else {
        buf.len() - buf.len() % CHUNK_SIZE
    };
    if whole == 0 {
        return;
    }
    chunks.extend(buf[..whole].chunks(CHUNK_SIZE).map(Chunk::from));
    buf.drain(..whole);
}

/// Builds RDB bytes, whole or in chunks.
pub struct Writer {
    buf: Vec<u8>,
    options: SaveOptions,
    lzf: Lzf,
    /// Chunks cut so far ([`Writer::chunked`] only), and the CRC-64 of their bytes.
    chunks: Option<Vec<Chunk>>,
    crc: u64,
}

impl Writer {
    /// A writer whose bytes stay in one buffer ([`Writer::finish`], [`Writer::into_bytes`]).
    pub fn new(options: SaveOptions) -> Writer {
        Writer {
            buf: Vec::new(),
            options,
            lzf: Lzf::new(),
            chunks: None,
            crc: 0,
        }
    }

    /// A writer that cuts its bytes into chunks of [`CHUNK_SIZE`] after each key
    /// ([`Writer::finish_chunks`]).
    pub fn chunked(options: SaveOptions) -> Writer {
        Writer {
            buf: Vec::with_capacity(CHUNK_SIZE),
            chunks: Some(Vec::new()),
            ..Writer::new(options)
        }
    }

    /// Cuts the buffer's full chunks off (all of it when `all`), running the CRC over them.
    fn cut(&mut self, all: bool) {
        if let Some(chunks) = &mut self.chunks {
            let first = chunks.len();
            cut_chunks(&mut self.buf, chunks, all);
            for chunk in &chunks[first..] {
                self.crc = crc64(self.crc, chunk);
            }
        }
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// The header: magic and version.
    pub fn header(&mut self) {
        self.buf
            .extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    }

    /// An AUX field.
    pub fn aux(&mut self, name: &str, value: &[u8]) {
        self.buf.push(OPCODE_AUX);
        self.string(name.as_bytes());
        self.string(value);
    }

    /// SELECTDB and RESIZEDB before a database's keys.
    pub fn select_db(&mut self, db: usize, keys: usize, expires: usize) {
        self.buf.push(OPCODE_SELECTDB);
        self.length(db as u64);
        self.buf.push(OPCODE_RESIZEDB);
        self.length(keys as u64);
        self.length(expires as u64);
    }

    /// One key: its expiry, its LRU idle time or LFU counter when the policy keeps one, its
    /// type, name and value.
    pub fn key(
        &mut self,
        key: &[u8],
        value: &Value,
        expire_ms: Option<u64>,
        access: Option<Access>,
    ) {
        if let Some(at) = expire_ms {
            self.buf.push(OPCODE_EXPIRETIME_MS);
            self.buf.extend_from_slice(&at.to_le_bytes());
        }
        match access {
            Some(Access::IdleSeconds(s)) => {
                self.buf.push(OPCODE_IDLE);
                self.length(s);
            }
            Some(Access::Frequency(f)) => {
                self.buf.push(OPCODE_FREQ);
                self.buf.push(f);
            }
            None => {}
        }
        self.value_type(value);
        self.string(key);
        self.value(value);
        self.cut(false);
    }

    /// A function library's code (`RDB_OPCODE_FUNCTION2`), before the databases.
    pub fn function(&mut self, code: &[u8]) {
        self.buf.push(OPCODE_FUNCTION2);
        self.string(code);
    }

    /// EOF and the CRC-64 of everything before it (0 when `checksum` is off, as
    /// `rdbchecksum no` writes).
    pub fn finish(mut self, checksum: bool) -> Vec<u8> {
        self.footer(checksum);
        self.buf
    }

    /// EOF and the CRC-64 as [`Writer::finish`] writes them, the file as its chunks.
    pub fn finish_chunks(mut self, checksum: bool) -> Vec<Chunk> {
        self.footer(checksum);
        self.cut(true);
        self.chunks.unwrap_or_default()
    }

    /// EOF, then the CRC-64 of the chunks already cut and of what the buffer holds.
    fn footer(&mut self, checksum: bool) {
        self.buf.push(OPCODE_EOF);
        let crc = if checksum {
            crc64(self.crc, &self.buf)
        } else {
            0
        };
        self.buf.extend_from_slice(&crc.to_le_bytes());
    }

    fn length(&mut self, n: u64) {
        if n < 1 << 6 {
            self.buf.push(n as u8);
        } else if n < 1 << 14 {
            self.buf.push(0x40 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else if n <= u64::from(u32::MAX) {
            self.buf.push(0x80);
            self.buf.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            self.buf.push(0x81);
            self.buf.extend_from_slice(&n.to_be_bytes());
        }
    }

    /// A string as Redis's `rdbSaveRawString` writes it: as an integer when it is one's exact
    /// spelling of at most 11 bytes and fits 32 bits, LZF-compressed when allowed, longer
    /// than 20 bytes and at least 4 bytes shorter for it, else plain.
    fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(n) = string2ll(s) {
                if let Ok(n) = i8::try_from(n) {
                    self.buf.extend_from_slice(&[0xC0 | ENC_INT8, n as u8]);
                    return;
                } else if let Ok(n) = i16::try_from(n) {
                    self.buf.push(0xC0 | ENC_INT16);
                    self.buf.extend_from_slice(&n.to_le_bytes());
                    return;
                } else if let Ok(n) = i32::try_from(n) {
                    self.buf.push(0xC0 | ENC_INT32);
                    self.buf.extend_from_slice(&n.to_le_bytes());
                    return;
                }
            }
        }
        if self.options.compression && s.len() > 20 {
            if let Some(packed) = self.lzf.compress(s, s.len() - 4) {
                self.buf.push(0xC0 | ENC_LZF);
                self.length(packed.len() as u64);
                self.length(s.len() as u64);
                self.buf.extend_from_slice(&packed);
                return;
            }
        }
        self.length(s.len() as u64);
        self.buf.extend_from_slice(s);
    }

    /// The type byte for a value in its current encoding.
    fn value_type(&mut self, value: &Value) {
        self.buf.push(match value {
            Value::String(_) => TYPE_STRING,
            Value::List(_) => TYPE_LIST_QUICKLIST_2,
            Value::Set(s) => match **s {
                Set::Intset(_) => TYPE_SET_INTSET,
                Set::Hashtable(_) => TYPE_SET,
            },
            Value::Hash(h) if h.is_listpack() => TYPE_HASH_LISTPACK,
            Value::Hash(_) => TYPE_HASH,
            Value::ZSet(z) if z.is_listpack() => TYPE_ZSET_LISTPACK,
            Value::ZSet(_) => TYPE_ZSET_2,
            Value::Stream(_) => TYPE_STREAM_LISTPACKS_2,
        });
    }

    fn value(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.string(s),
            Value::List(l) => self.quicklist(l),
            Value::Set(s) => match &**s {
                Set::Intset(v) => {
                    let blob = intset(v);
                    self.string(&blob);
                }
                Set::Hashtable(members) => {
                    self.length(members.len() as u64);
                    for m in members.iter() {
                        self.string(m);
                    }
                }
            },
            Value::Hash(h) if h.is_listpack() => self.string(hash_listpack(h).bytes()),
            Value::Hash(h) => {
                self.length(h.len() as u64);
                for (f, v) in h.iter() {
                    self.string(f);
                    self.string(v);
                }
            }
            Value::ZSet(z) if z.is_listpack() => self.string(zset_listpack(z).bytes()),
            Value::ZSet(z) => {
                self.length(z.len() as u64);
                // Highest first, as Redis walks its skiplist, so its loader inserts at the head.
                for (m, score) in z.iter_from(0, true) {
                    self.string(m);
                    self.buf.extend_from_slice(&score.to_le_bytes());
                }
            }
            Value::Stream(s) => self.stream(s),
        }
    }

    /// A stream as type 19 (see the top of this file).
    fn stream(&mut self, s: &Stream) {
        self.length(s.node_count() as u64);
        for (master, bytes) in s.nodes() {
            self.string(&master.to_be_bytes());
            self.string(bytes);
        }
        self.length(s.len());
        for id in [s.last_id(), s.first_id(), s.max_deleted_entry_id()] {
            self.stream_id(id);
        }
        self.length(s.entries_added());
        self.length(s.groups().count() as u64);
        for (name, group) in s.groups() {
            self.string(name);
            self.stream_id(group.last_id());
            self.length(group.entries_read_raw() as u64);
            self.length(group.pending_len() as u64);
            for (id, nack) in group.pending_from(StreamId::MIN) {
                self.buf.extend_from_slice(&id.to_be_bytes());
                self.buf
                    .extend_from_slice(&nack.delivery_time.to_le_bytes());
                self.length(nack.delivery_count);
            }
            self.length(group.consumers_len() as u64);
            for consumer in group.consumers() {
                self.string(consumer.name());
                self.buf
                    .extend_from_slice(&consumer.seen_time().to_le_bytes());
                self.length(consumer.pending_len() as u64);
                for id in consumer.pending() {
                    self.buf.extend_from_slice(&id.to_be_bytes());
                }
            }
        }
    }

    fn stream_id(&mut self, id: StreamId) {
        self.length(id.ms);
        self.length(id.seq);
    }

    /// A list as quicklist 2: listpack nodes cut where Redis's quicklist cuts them.
    fn quicklist(&mut self, list: &List) {
        let nodes = quicklist_nodes(list, self.options);
        self.length(nodes.len() as u64);
        for node in nodes {
            self.length(if node.plain {
                QUICKLIST_NODE_PLAIN
            } else {
                QUICKLIST_NODE_PACKED
            });
            self.string(&node.bytes);
        }
    }
}

/// One node of a quicklist: a listpack, or one big element alone (`plain`).
pub struct QuicklistNode {
    pub plain: bool,
    /// The listpack, or the element (the node's `sz`).
    pub bytes: Vec<u8>,
    pub count: usize,
}

/// A `listpack` hash's listpack: field and value entries alternating.
pub fn hash_listpack(h: &Hash) -> Listpack {
    let mut lp = Listpack::new();
    for (f, v) in h.iter() {
        lp.push(f);
        lp.push(v);
    }
    lp
}

/// A `listpack` sorted set's listpack: member and score entries alternating, the score as
/// its shortest text (stored as an integer when it reads as one).
pub fn zset_listpack(z: &SortedSet) -> Listpack {
    let mut lp = Listpack::new();
    for (m, score) in z.iter() {
        lp.push(m);
        lp.push(score_text(score).as_bytes());
    }
    lp
}

/// A list's quicklist nodes, cut where Redis's quicklist cuts them for
/// `list-max-listpack-size` and the packed threshold.
pub fn quicklist_nodes(list: &List, options: SaveOptions) -> Vec<QuicklistNode> {
    let fill = options.list_max_listpack_size;
    let mut nodes = Vec::new();
    // The node being filled and how many elements it holds.
    let mut current = (Listpack::new(), 0usize);
    let packed = |(lp, count): (Listpack, usize)| QuicklistNode {
        plain: false,
        bytes: lp.into_bytes(),
        count,
    };
    for element in list.iter() {
        // An element past the packed threshold is a plain node of its own.
        if element.len() >= options.packed_threshold {
            if current.1 > 0 {
                nodes.push(packed(std::mem::take(&mut current)));
            }
            nodes.push(QuicklistNode {
                plain: true,
                bytes: element.clone(),
                count: 1,
            });
            continue;
        }
        // The node's size as it stands (`lpBytes`, with its end byte), the element's length
        // and Redis's 8 bytes of estimated overhead (`SIZE_ESTIMATE_OVERHEAD`).
        let estimate = current.0.total_bytes() + element.len() + 8;
        if current.1 > 0 && !node_fits(fill, estimate, current.1 + 1) {
            nodes.push(packed(std::mem::take(&mut current)));
        }
        current.0.push(element);
        current.1 += 1;
    }
    if current.1 > 0 {
        nodes.push(packed(current));
    }
    nodes
}

/// The bytes a value takes in a snapshot, its type byte and key left out (Redis's
/// `rdbSavedObjectLen`, DEBUG OBJECT's `serializedlength`).
pub fn serialized_len(value: &Value, options: SaveOptions) -> usize {
    let mut w = Writer::new(options);
    w.value(value);
    w.buf.len()
}

/// A quicklist element this long goes in a plain node (`packed_threshold`'s default).
pub const PACKED_THRESHOLD: usize = 1 << 30;

/// Whether a node of `bytes` bytes holding `count` elements respects the list's fill
/// (`_quicklistNodeAllowInsert`): a size class in bytes for negative fills (-1 4 KiB up to
/// -5 64 KiB), a count for positive ones, never more than 8 KiB by count.
fn node_fits(fill: i64, bytes: usize, count: usize) -> bool {
    const SIZE_CLASSES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
    const SIZE_SAFETY_LIMIT: usize = 8192;
    if fill < 0 {
        let class = usize::try_from(-fill - 1).unwrap_or(usize::MAX).min(4);
        bytes <= SIZE_CLASSES[class]
    } else {
        bytes <= SIZE_SAFETY_LIMIT && count <= usize::try_from(fill).unwrap_or(usize::MAX)
    }
}

/// How recently a key was used, as the RDB keeps it under an LRU or LFU policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Seconds since the last access (LRU policies).
    IdleSeconds(u64),
    /// The logarithmic access counter (LFU policies).
    Frequency(u8),
}

/// A score as a listpack holds it (Redis's `d2string`): an integer when it is one, else
/// `%.17g`.
fn score_text(score: f64) -> String {
    if score.fract() == 0.0 && score.abs() < (1u64 << 53) as f64 {
        (score as i64).to_string()
    } else {
        format_double(score)
    }
}

/// An intset of sorted integers, in the narrowest width that holds them all.
fn intset(values: &[i64]) -> Vec<u8> {
    let width: usize = if values.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if values.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(8 + width * values.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for &v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

// --- DUMP payloads -----------------------------------------------------------------------------

/// DUMP's payload: the value as the RDB writes it (type byte first), then the RDB version
/// (2 bytes) and the CRC-64 of all that (8 bytes), both little-endian.
pub fn dump(value: &Value, options: SaveOptions) -> Vec<u8> {
    let mut w = Writer::new(options);
    w.value_type(value);
    w.value(value);
    let mut bytes = w.into_bytes();
    bytes.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// FUNCTION DUMP's payload: each library's code as a snapshot holds it, then the RDB version
/// and the CRC-64, as [`dump`] ends.
pub fn dump_functions<'a>(
    codes: impl IntoIterator<Item = &'a [u8]>,
    options: SaveOptions,
) -> Vec<u8> {
    let mut w = Writer::new(options);
    for code in codes {
        w.function(code);
    }
    let mut bytes = w.into_bytes();
    bytes.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// Reads a FUNCTION RESTORE payload as `functionRestoreCommand` does: the footer checked
/// first, then library records until ten bytes are left. The codes read, and Redis's reason
/// when reading stopped early: the engine loads the codes in order and reports the reason
/// only if they all load, as Redis, which loads each as it reads it, would.
pub fn restore_functions(
    payload: &[u8],
    verify_checksum: bool,
) -> std::result::Result<(Vec<Vec<u8>>, Option<&'static str>), PayloadError> {
    check_footer(payload, verify_checksum)?;
    let mut r = Reader {
        bytes: payload,
        at: 0,
        limits: Limits::default(),
    };
    let mut codes = Vec::new();
    while r.remaining() > 10 {
        let read = match r.byte() {
            Ok(OPCODE_FUNCTION2) => r.string().map_err(|_| "Failed loading library payload"),
            Ok(OPCODE_FUNCTION_PRE_GA) => r.pre_ga_function(),
            _ => Err("given type is not a function"),
        };
        match read {
            Ok(code) => codes.push(code),
            Err(why) => return Ok((codes, Some(why))),
        }
    }
    Ok((codes, None))
}

/// A DUMP payload's footer: a version newer than ours, or a checksum that does not match,
/// is refused before anything is read (`verifyDumpPayload`); the checksum is not looked at
/// when DEBUG SET-SKIP-CHECKSUM-VALIDATION said so (`verify_checksum` false).
fn check_footer(payload: &[u8], verify_checksum: bool) -> std::result::Result<(), PayloadError> {
    if payload.len() < 10 {
        return Err(PayloadError::VersionOrChecksum);
    }
    let footer = &payload[payload.len() - 10..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = u64::from_le_bytes(footer[2..10].try_into().expect("8 bytes"));
    if version > RDB_VERSION || (verify_checksum && crc64(0, &payload[..payload.len() - 8]) != crc)
    {
        return Err(PayloadError::VersionOrChecksum);
    }
    Ok(())
}

/// Why RESTORE refuses a payload: Redis tells the two apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// "DUMP payload version or checksum are wrong"
    VersionOrChecksum,
    /// "Bad data format"
    BadFormat,
}

/// Reads a DUMP payload back into a value, as RESTORE does: the footer first (a version
/// newer than ours, or a checksum that does not match, is refused before anything is
/// read), then the value.
pub fn restore(payload: &[u8], limits: Limits) -> std::result::Result<Value, PayloadError> {
    check_footer(payload, limits.verify_checksum)?;
    // Redis reads the value from the whole payload, footer included, and does not ask it to
    // end where the footer starts: a value that reads into the footer is taken as it reads.
    let mut r = Reader {
        bytes: payload,
        at: 0,
        limits,
    };
    let kind = r.byte().map_err(|_| PayloadError::BadFormat)?;
    r.value(kind).map_err(|_| PayloadError::BadFormat)
}

// --- Reading -----------------------------------------------------------------------------------

/// The encoding thresholds loaded values are held to (see "Encodings after loading"), and
/// whether checksums are verified (not after DEBUG SET-SKIP-CHECKSUM-VALIDATION 1).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub hash: hash::ListpackLimits,
    pub zset: zset::ListpackLimits,
    pub set_max_intset_entries: usize,
    pub verify_checksum: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            hash: hash::ListpackLimits {
                entries: 512,
                value: 64,
            },
            zset: zset::ListpackLimits::default(),
            set_max_intset_entries: crate::types::set::DEFAULT_MAX_INTSET_ENTRIES,
            verify_checksum: true,
        }
    }
}

/// One key read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedKey {
    pub key: Vec<u8>,
    pub value: Value,
    pub expire_ms: Option<u64>,
    pub access: Option<Access>,
}

/// A whole file, read and checked, ready to replace a keyspace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Keys per database number.
    pub dbs: Vec<Vec<LoadedKey>>,
    /// The AUX fields, in file order.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// The function libraries' codes, in file order.
    pub functions: Vec<Vec<u8>>,
}

impl Snapshot {
    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.dbs.iter().map(Vec::len).sum()
    }

    /// True when it holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a whole RDB file: the signature, the version (1 to 10), every opcode and key up to
/// EOF, and the checksum when the version has one and it is not 0. Keys in database numbers
/// at or above `databases` are refused, as Redis refuses them.
pub fn load(bytes: &[u8], limits: Limits, databases: usize) -> Result<Snapshot> {
    let snapshot = load_keys(bytes, limits, databases)?;
    check_unique(&snapshot)?;
    Ok(snapshot)
}

/// The AUX fields at the head of a file, before its first other opcode, read without
/// loading anything else: where a replica finds the history a snapshot stands for
/// (`repl-id`, `repl-offset`, `repl-stream-db`). Nothing for bytes that are not a file.
pub fn leading_aux(bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut fields = Vec::new();
    if bytes.len() < 9 || &bytes[..5] != b"REDIS" {
        return fields;
    }
    let mut r = Reader {
        bytes,
        at: 9,
        limits: Limits::default(),
    };
    while r.bytes.get(r.at) == Some(&OPCODE_AUX) {
        r.at += 1;
        match (r.string(), r.string()) {
            (Ok(name), Ok(value)) => fields.push((name, value)),
            _ => break,
        }
    }
    fields
}

/// Redis stops at a key written twice in one database rather than pick one.
pub(crate) fn check_unique(snapshot: &Snapshot) -> Result<()> {
    for keys in &snapshot.dbs {
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        if !keys.iter().all(|k| seen.insert(k.key.as_slice())) {
            return Err(DUPLICATE_KEY);
        }
    }
    Ok(())
}

/// The error for a key written twice in one database.
pub(crate) const DUPLICATE_KEY: RdbError = RdbError::Corrupt("a key twice in one database");

/// [`load`] without the check that no key is there twice, for a caller that finds those as
/// it stores the keys (a whole keyspace replaced: its maps see them at no extra cost).
pub(crate) fn load_keys(bytes: &[u8], limits: Limits, databases: usize) -> Result<Snapshot> {
    if bytes.len() < 9 {
        return Err(if b"REDIS".starts_with(&bytes[..bytes.len().min(5)]) {
            RdbError::Truncated
        } else {
            RdbError::WrongSignature
        });
    }
    if &bytes[..5] != b"REDIS" {
        return Err(RdbError::WrongSignature);
    }
    let version = std::str::from_utf8(&bytes[5..9])
        .ok()
        .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or(RdbError::WrongSignature)?;
    if !(1..=u32::from(RDB_VERSION)).contains(&version) {
        return Err(RdbError::UnsupportedVersion(version));
    }
    let mut r = Reader {
        bytes,
        at: 9,
        limits,
    };
    let mut snapshot = Snapshot::default();
    let mut db = 0usize;
    let mut expire_ms: Option<u64> = None;
    let mut access: Option<Access> = None;
    loop {
        let kind = r.byte()?;
        match kind {
            OPCODE_EOF => break,
            OPCODE_SELECTDB => {
                let n = r.length()?;
                if n >= databases as u64 {
                    return Err(RdbError::DbOutOfRange(databases as u64));
                }
                db = n as usize;
            }
            // The database's size, announced: room for its keys at once rather than by
            // doubling (a copy of every key read so far each time). A file cannot hold more
            // keys than a third of its remaining bytes (a type, a key and a value byte at
            // least), so a lying count reserves no more than the file could fill.
            OPCODE_RESIZEDB => {
                let size = r.length()?;
                r.length()?;
                if snapshot.dbs.len() <= db {
                    snapshot.dbs.resize_with(db + 1, Vec::new);
                }
                let bound = (r.remaining() / 3) as u64;
                snapshot.dbs[db].reserve(size.min(bound) as usize);
            }
            OPCODE_AUX => {
                let name = r.string()?;
                let value = r.string()?;
                snapshot.aux.push((name, value));
            }
            OPCODE_EXPIRETIME_MS => {
                expire_ms = Some(u64::from_le_bytes(r.array::<8>()?));
            }
            OPCODE_EXPIRETIME => {
                expire_ms = Some(u64::from(u32::from_le_bytes(r.array::<4>()?)) * 1000);
            }
            OPCODE_IDLE => access = Some(Access::IdleSeconds(r.length()?)),
            OPCODE_FREQ => access = Some(Access::Frequency(r.byte()?)),
            OPCODE_FUNCTION2 => snapshot.functions.push(r.string()?),
            OPCODE_FUNCTION_PRE_GA => snapshot
                .functions
                .push(r.pre_ga_function().map_err(|_| RdbError::Truncated)?),
            OPCODE_MODULE_AUX => return Err(RdbError::UnsupportedType(kind)),
            _ => {
                let key = r.string()?;
                let value = r.value(kind)?;
                if snapshot.dbs.len() <= db {
                    snapshot.dbs.resize_with(db + 1, Vec::new);
                }
                snapshot.dbs[db].push(LoadedKey {
                    key,
                    value,
                    expire_ms: expire_ms.take(),
                    access: access.take(),
                });
            }
        }
    }
    if version >= 5 {
        let end = r.at;
        let stored = u64::from_le_bytes(r.array::<8>()?);
        if stored != 0 && r.limits.verify_checksum {
            let computed = crc64(0, &bytes[..end]);
            if computed != stored {
                return Err(RdbError::WrongChecksum {
                    expected: stored,
                    computed,
                });
            }
        }
    }
    if r.at != bytes.len() {
        return Err(RdbError::Corrupt("bytes after the end of the file"));
    }
    Ok(snapshot)
}

/// A cursor over bytes that refuses to read past their end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    limits: Limits,
}

/// A string read from the RDB: its bytes, or the integer its special encoding held.
enum RdbString {
    Bytes(Vec<u8>),
    Int(i64),
}

impl RdbString {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            RdbString::Bytes(b) => b,
            RdbString::Int(n) => n.to_string().into_bytes(),
        }
    }
}

impl<'a> Reader<'a> {
    /// A library in the format of Redis 7.0's release candidates (`RDB_OPCODE_FUNCTION`):
    /// name, engine, whether a description follows, the description, the body; made into
    /// one code as `rdbFunctionLoad` makes it (the description is dropped). Redis's reason
    /// when a part cannot be read.
    fn pre_ga_function(&mut self) -> std::result::Result<Vec<u8>, &'static str> {
        let name = self.string().map_err(|_| "Failed loading library name")?;
        let engine = self.string().map_err(|_| "Failed loading engine name")?;
        let has_description = self
            .length()
            .map_err(|_| "Failed loading library description indicator")?;
        if has_description != 0 {
            self.string()
                .map_err(|_| "Failed loading library description")?;
        }
        let body = self.string().map_err(|_| "Failed loading library blob")?;
        let mut code = b"#!".to_vec();
        code.extend_from_slice(&engine);
        code.extend_from_slice(b" name=");
        code.extend_from_slice(&name);
        code.push(b'\n');
        code.extend_from_slice(&body);
        Ok(code)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(RdbError::Truncated);
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// A length, or the special encoding it announces (`Err(enc)` inside `Ok`).
    fn length_or_encoding(&mut self) -> Result<std::result::Result<u64, u8>> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => Ok(u64::from(first & 0x3f)),
            1 => Ok(u64::from(first & 0x3f) << 8 | u64::from(self.byte()?)),
            2 => match first {
                0x80 => Ok(u64::from(u32::from_be_bytes(self.array::<4>()?))),
                0x81 => Ok(u64::from_be_bytes(self.array::<8>()?)),
                _ => return Err(RdbError::Corrupt("unknown length encoding")),
            },
            _ => Err(first & 0x3f),
        })
    }

    fn length(&mut self) -> Result<u64> {
        self.length_or_encoding()?
            .map_err(|_| RdbError::Corrupt("an encoded string where a length was expected"))
    }

    /// A count of items, each at least `min_item_bytes` long: more than the bytes left
    /// could hold is corrupt, which also bounds any allocation sized from it.
    fn count(&mut self, min_item_bytes: usize) -> Result<usize> {
        let n = self.length()?;
        if n > (self.remaining() / min_item_bytes.max(1)) as u64 {
            return Err(RdbError::Truncated);
        }
        Ok(n as usize)
    }

    fn rdb_string(&mut self) -> Result<RdbString> {
        match self.length_or_encoding()? {
            Ok(len) => {
                let len = usize::try_from(len).map_err(|_| RdbError::Truncated)?;
                Ok(RdbString::Bytes(self.take(len)?.to_vec()))
            }
            Err(ENC_INT8) => Ok(RdbString::Int(i64::from(self.byte()? as i8))),
            Err(ENC_INT16) => Ok(RdbString::Int(i64::from(i16::from_le_bytes(
                self.array::<2>()?,
            )))),
            Err(ENC_INT32) => Ok(RdbString::Int(i64::from(i32::from_le_bytes(
                self.array::<4>()?,
            )))),
            Err(ENC_LZF) => {
                let compressed = self.length()?;
                let expected = self.length()?;
                let compressed = usize::try_from(compressed).map_err(|_| RdbError::Truncated)?;
                let expected =
                    usize::try_from(expected).map_err(|_| RdbError::Corrupt("invalid LZF data"))?;
                let data = self.take(compressed)?;
                Ok(RdbString::Bytes(lzf_decompress(data, expected)?))
            }
            Err(_) => Err(RdbError::Corrupt("unknown string encoding")),
        }
    }

    fn string(&mut self) -> Result<Vec<u8>> {
        Ok(self.rdb_string()?.into_bytes())
    }

    /// A string that holds a structure (ziplist, listpack, intset, zipmap): its raw bytes.
    fn blob(&mut self) -> Result<Vec<u8>> {
        match self.rdb_string()? {
            RdbString::Bytes(b) => Ok(b),
            RdbString::Int(_) => Err(RdbError::Corrupt(
                "an integer where a structure was expected",
            )),
        }
    }

    /// A score as RDB type 3 writes it: a one-byte length and the text, or 253/254/255 for
    /// NaN, +inf, -inf.
    fn text_score(&mut self) -> Result<f64> {
        match self.byte()? {
            253 => Err(RdbError::Corrupt("a NaN score")),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => parse_score(self.take(usize::from(n))?),
        }
    }

    fn value(&mut self, kind: u8) -> Result<Value> {
        let limits = self.limits;
        let value = match kind {
            TYPE_STRING => Value::string(self.string()?),
            TYPE_LIST => {
                let n = self.count(1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.string()?);
                }
                Value::list(items.into_iter().collect())
            }
            TYPE_LIST_ZIPLIST => Value::list(ziplist(&self.blob()?)?.into_iter().collect()),
            TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => {
                let nodes = self.count(1)?;
                let mut items = Vec::new();
                for _ in 0..nodes {
                    let container = if kind == TYPE_LIST_QUICKLIST_2 {
                        self.length()?
                    } else {
                        QUICKLIST_NODE_PACKED
                    };
                    let blob = self.blob()?;
                    match container {
                        QUICKLIST_NODE_PLAIN => items.push(blob),
                        QUICKLIST_NODE_PACKED if kind == TYPE_LIST_QUICKLIST_2 => {
                            let elements = listpack(&blob)?;
                            if elements.is_empty() {
                                return Err(RdbError::Corrupt("an empty quicklist node"));
                            }
                            items.extend(elements);
                        }
                        QUICKLIST_NODE_PACKED => {
                            let elements = ziplist(&blob)?;
                            if elements.is_empty() {
                                return Err(RdbError::Corrupt("an empty quicklist node"));
                            }
                            items.extend(elements);
                        }
                        _ => return Err(RdbError::Corrupt("unknown quicklist container")),
                    }
                }
                Value::list(items.into_iter().collect())
            }
            TYPE_SET => {
                let n = self.count(1)?;
                let mut members = Vec::with_capacity(n);
                for _ in 0..n {
                    members.push(self.string()?);
                }
                set_from(members, limits)?
            }
            TYPE_SET_INTSET => {
                let values = parse_intset(&self.blob()?)?;
                let set = if values.len() > limits.set_max_intset_entries {
                    Set::Hashtable(values.iter().map(|n| n.to_string().into_bytes()).collect())
                } else {
                    Set::Intset(values)
                };
                Value::set(set)
            }
            TYPE_HASH => {
                let n = self.count(2)?;
                let mut pairs = Vec::with_capacity(n);
                for _ in 0..n {
                    let field = self.string()?;
                    pairs.push((field, self.string()?));
                }
                hash_from(pairs, limits.hash)?
            }
            TYPE_HASH_ZIPMAP => hash_from_compact(zipmap(&self.blob()?)?, limits)?,
            TYPE_HASH_ZIPLIST => hash_from_compact(pairs(ziplist(&self.blob()?)?)?, limits)?,
            TYPE_HASH_LISTPACK => hash_from_compact(pairs(listpack(&self.blob()?)?)?, limits)?,
            TYPE_ZSET | TYPE_ZSET_2 => {
                let n = self.count(2)?;
                let mut members = Vec::with_capacity(n);
                for _ in 0..n {
                    let member = self.string()?;
                    let score = if kind == TYPE_ZSET_2 {
                        let score = f64::from_le_bytes(self.array::<8>()?);
                        if score.is_nan() {
                            return Err(RdbError::Corrupt("a NaN score"));
                        }
                        score
                    } else {
                        self.text_score()?
                    };
                    members.push((member, score));
                }
                zset_from(members, limits.zset, false)?
            }
            TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
                let entries = if kind == TYPE_ZSET_LISTPACK {
                    listpack(&self.blob()?)?
                } else {
                    ziplist(&self.blob()?)?
                };
                let members = pairs(entries)?
                    .into_iter()
                    .map(|(m, s)| Ok((m, parse_score(&s)?)))
                    .collect::<Result<Vec<_>>>()?;
                zset_from(members, limits.zset, true)?
            }
            TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 => {
                Value::stream(self.stream(kind == TYPE_STREAM_LISTPACKS_2)?)
            }
            other => return Err(RdbError::UnsupportedType(other)),
        };
        // A stream may be empty (XGROUP CREATE ... MKSTREAM, XDEL of every entry).
        if !matches!(value, Value::String(_) | Value::Stream(_)) && value.size() == 0 {
            return Err(RdbError::Corrupt("an empty collection"));
        }
        Ok(value)
    }
}

impl Reader<'_> {
    /// A stream, type 19 (`v2`) or 15 (see the top of this file); every node and group is
    /// checked before the stream is built (`Stream::from_rdb`, `Stream::load_group`).
    fn stream(&mut self, v2: bool) -> Result<Stream> {
        const BAD: RdbError = RdbError::Corrupt("an invalid stream");
        // A node is at least a 16-byte key and a 7-byte listpack, each with its length.
        let count = self.count(25)?;
        let mut nodes = Vec::with_capacity(count);
        for _ in 0..count {
            let key: [u8; 16] = self
                .string()?
                .try_into()
                .map_err(|_| RdbError::Corrupt("a stream node key that is no stream ID"))?;
            nodes.push((StreamId::from_be_bytes(key), self.blob()?));
        }
        let length = self.length()?;
        let last_id = self.stream_id()?;
        let (first_id, max_deleted_entry_id, entries_added) = if v2 {
            let first = self.stream_id()?;
            let max_deleted = self.stream_id()?;
            (Some(first), max_deleted, Some(self.length()?))
        } else {
            (None, StreamId::MIN, None)
        };
        let meta = StreamMeta {
            length,
            last_id,
            first_id,
            max_deleted_entry_id,
            entries_added,
        };
        let mut stream = Stream::from_rdb(nodes, meta).ok_or(BAD)?;
        // A group is at least its name and three lengths.
        let groups = self.count(4)?;
        for _ in 0..groups {
            let name = self.string()?;
            let last_id = self.stream_id()?;
            let entries_read = if v2 {
                Some(self.length()? as i64)
            } else {
                None
            };
            // A PEL entry: 16 bytes of ID, 8 of time, a length.
            let pending = self.count(25)?;
            let mut pel = Vec::with_capacity(pending);
            for _ in 0..pending {
                let id = StreamId::from_be_bytes(self.array::<16>()?);
                let time = i64::from_le_bytes(self.array::<8>()?);
                pel.push((id, time, self.length()?));
            }
            let consumers_count = self.count(10)?;
            let mut consumers = Vec::with_capacity(consumers_count);
            for _ in 0..consumers_count {
                let name = self.string()?;
                let seen = i64::from_le_bytes(self.array::<8>()?);
                let owned = self.count(16)?;
                let mut ids = Vec::with_capacity(owned);
                for _ in 0..owned {
                    ids.push(StreamId::from_be_bytes(self.array::<16>()?));
                }
                consumers.push((name, seen, ids));
            }
            stream
                .load_group(GroupRecord {
                    name,
                    last_id,
                    entries_read,
                    pel,
                    consumers,
                })
                .map_err(RdbError::Corrupt)?;
        }
        Ok(stream)
    }

    fn stream_id(&mut self) -> Result<StreamId> {
        Ok(StreamId::new(self.length()?, self.length()?))
    }
}

fn parse_score(text: &[u8]) -> Result<f64> {
    match crate::args::strtod(text) {
        Some((v, _)) if !v.is_nan() && !text.is_empty() => Ok(v),
        _ => Err(RdbError::Corrupt("a score that is not a number")),
    }
}

/// Field/value (or member/score) pairs from a flat sequence.
fn pairs(flat: Vec<Vec<u8>>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    if !flat.len().is_multiple_of(2) {
        return Err(RdbError::Corrupt(
            "an odd number of hash or sorted set entries",
        ));
    }
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        out.push((a, b));
    }
    Ok(out)
}

/// A set loaded from its members (type 2): an intset while they are integers and few
/// enough, as Redis's loader builds it. Duplicates mean corruption.
fn set_from(members: Vec<Vec<u8>>, limits: Limits) -> Result<Value> {
    let n = members.len();
    let set = Set::from_members(members, limits.set_max_intset_entries);
    if set.len() != n {
        return Err(RdbError::Corrupt("a duplicate set member"));
    }
    Ok(Value::set(set))
}

/// A hash from a hashtable-typed record: a listpack when small and short enough.
fn hash_from(pairs: Vec<(Vec<u8>, Vec<u8>)>, limits: hash::ListpackLimits) -> Result<Value> {
    let n = pairs.len();
    let mut h = Hash::new();
    for (f, v) in pairs {
        h.set(f, v, limits);
    }
    if h.len() != n {
        return Err(RdbError::Corrupt("a duplicate hash field"));
    }
    Ok(Value::hash(h))
}

/// A hash from a compact record (listpack, ziplist, zipmap): kept compact unless it has more
/// entries than the limit, whatever its values' lengths.
fn hash_from_compact(pairs: Vec<(Vec<u8>, Vec<u8>)>, limits: Limits) -> Result<Value> {
    hash_from(
        pairs,
        hash::ListpackLimits {
            entries: limits.hash.entries,
            value: usize::MAX,
        },
    )
}

/// A sorted set: from a compact record it stays a listpack unless it has too many members;
/// from a skiplist record it becomes a listpack if small and short enough.
fn zset_from(
    members: Vec<(Vec<u8>, f64)>,
    limits: zset::ListpackLimits,
    compact: bool,
) -> Result<Value> {
    let n = members.len();
    let limits = if compact {
        zset::ListpackLimits {
            max_entries: limits.max_entries,
            max_value: usize::MAX,
        }
    } else {
        limits
    };
    let z = SortedSet::from_pairs(members, limits);
    if z.len() != n {
        return Err(RdbError::Corrupt("a duplicate sorted set member"));
    }
    Ok(Value::zset(z))
}

/// The integers of an intset blob, which must be sorted and distinct.
fn parse_intset(blob: &[u8]) -> Result<Vec<i64>> {
    const BAD: RdbError = RdbError::Corrupt("invalid intset");
    if blob.len() < 8 {
        return Err(BAD);
    }
    let width = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    let count = u32::from_le_bytes(blob[4..8].try_into().expect("4 bytes")) as usize;
    if !matches!(width, 2 | 4 | 8) || blob.len() - 8 != count.checked_mul(width).ok_or(BAD)? {
        return Err(BAD);
    }
    let values: Vec<i64> = blob[8..]
        .chunks_exact(width)
        .map(|c| match width {
            2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
            4 => i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            _ => i64::from_le_bytes(c.try_into().expect("8 bytes")),
        })
        .collect();
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(BAD);
    }
    Ok(values)
}

/// The elements of a listpack blob, integers spelled in decimal.
fn listpack(blob: &[u8]) -> Result<Vec<Vec<u8>>> {
    let lp = Listpack::from_bytes(blob.to_vec()).ok_or(RdbError::Corrupt("invalid listpack"))?;
    Ok(lp.iter().map(Element::to_bytes).collect())
}

/// The elements of a ziplist blob (RDB types 10, 12, 13, 14).
fn ziplist(blob: &[u8]) -> Result<Vec<Vec<u8>>> {
    const BAD: RdbError = RdbError::Corrupt("invalid ziplist");
    if blob.len() < 11 {
        return Err(BAD);
    }
    let total = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    let count = u16::from_le_bytes([blob[8], blob[9]]);
    if total != blob.len() || blob[total - 1] != 0xFF {
        return Err(BAD);
    }
    let field = |from: usize, n: usize| blob.get(from..from + n).ok_or(BAD);
    let mut out = Vec::new();
    let mut p = 10;
    while p < total - 1 {
        // The previous entry's length: one byte, or 0xFE and four.
        p += if blob[p] == 0xFE { 5 } else { 1 };
        let b = *blob.get(p).ok_or(BAD)?;
        let (element, len): (Vec<u8>, usize) = match b >> 6 {
            0 => {
                let n = usize::from(b & 0x3f);
                (field(p + 1, n)?.to_vec(), 1 + n)
            }
            1 => {
                let n = usize::from(b & 0x3f) << 8 | usize::from(*blob.get(p + 1).ok_or(BAD)?);
                (field(p + 2, n)?.to_vec(), 2 + n)
            }
            2 if b == 0x80 => {
                let n = u32::from_be_bytes(field(p + 1, 4)?.try_into().expect("4")) as usize;
                (field(p + 5, n)?.to_vec(), 5 + n)
            }
            _ => {
                let (v, len) = match b {
                    0xC0 => (
                        i64::from(i16::from_le_bytes(field(p + 1, 2)?.try_into().expect("2"))),
                        3,
                    ),
                    0xD0 => (
                        i64::from(i32::from_le_bytes(field(p + 1, 4)?.try_into().expect("4"))),
                        5,
                    ),
                    0xE0 => (
                        i64::from_le_bytes(field(p + 1, 8)?.try_into().expect("8")),
                        9,
                    ),
                    0xF0 => {
                        let d = field(p + 1, 3)?;
                        (i64::from(i32::from_le_bytes([0, d[0], d[1], d[2]]) >> 8), 4)
                    }
                    0xFE => (i64::from(*blob.get(p + 1).ok_or(BAD)? as i8), 2),
                    0xF1..=0xFD => (i64::from(b & 0x0f) - 1, 1),
                    _ => return Err(BAD),
                };
                (v.to_string().into_bytes(), len)
            }
        };
        p = p.checked_add(len).ok_or(BAD)?;
        if p > total - 1 {
            return Err(BAD);
        }
        out.push(element);
    }
    if count != u16::MAX && usize::from(count) != out.len() {
        return Err(BAD);
    }
    Ok(out)
}

/// The field/value pairs of a zipmap blob (RDB type 9, Redis before 2.6).
fn zipmap(blob: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    const BAD: RdbError = RdbError::Corrupt("invalid zipmap");
    let mut p = 1;
    let mut out = Vec::new();
    let len_at = |p: usize| -> Result<(usize, usize)> {
        match *blob.get(p).ok_or(BAD)? {
            254 => {
                let n = blob.get(p + 1..p + 5).ok_or(BAD)?;
                Ok((u32::from_le_bytes(n.try_into().expect("4")) as usize, 5))
            }
            255 => Err(BAD),
            n => Ok((usize::from(n), 1)),
        }
    };
    loop {
        if *blob.get(p).ok_or(BAD)? == 0xFF {
            break;
        }
        let (klen, k) = len_at(p)?;
        p += k;
        let key = blob.get(p..p + klen).ok_or(BAD)?.to_vec();
        p += klen;
        let (vlen, k) = len_at(p)?;
        p += k;
        let free = usize::from(*blob.get(p).ok_or(BAD)?);
        p += 1;
        let value = blob.get(p..p + vlen).ok_or(BAD)?.to_vec();
        p += vlen + free;
        out.push((key, value));
    }
    if p + 1 != blob.len() {
        return Err(BAD);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_is_redis_jones_crc() {
        // The check value in Redis's crc64.c test.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        let text = b"This is a test of the emergency broadcast system.";
        let whole = crc64(0, text);
        let (a, b) = text.split_at(13);
        assert_eq!(crc64(crc64(0, a), b), whole);
    }

    #[test]
    fn lzf_round_trips_and_refuses_lies() {
        let text = b"abcabcabcabcabcabcabcabcabcabcabcabc hello hello hello hello".repeat(20);
        let mut lzf = Lzf::new();
        // Redis's bytes for "abc" x 30: no reference to position 0, so "abca" goes literal.
        let abc = b"abc".repeat(30);
        assert_eq!(
            lzf.compress(&abc, abc.len() - 4).unwrap(),
            [3, b'a', b'b', b'c', b'a', 0xe0, 0x4b, 0x02, 0x01, b'b', b'c']
        );
        let packed = lzf.compress(&text, text.len() - 4).expect("compressible");
        assert!(packed.len() < text.len() / 4);
        assert_eq!(lzf_decompress(&packed, text.len()).unwrap(), text);
        // Random-looking bytes do not shrink: no compression.
        let noise: Vec<u8> = (0..100u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(lzf.compress(&noise, noise.len() - 4), None);
        // A wrong length, a reference before the start, a cut stream: errors, not panics.
        assert!(lzf_decompress(&packed, text.len() + 1).is_err());
        assert!(lzf_decompress(&[0x20, 0x05], 3).is_err());
        assert!(lzf_decompress(&packed[..packed.len() - 1], text.len()).is_err());
    }

    #[test]
    fn strings_as_integers_lzf_or_plain() {
        let written = |s: &[u8]| {
            let mut w = Writer::new(SaveOptions::default());
            w.string(s);
            w.into_bytes()
        };
        assert_eq!(written(b"-128"), [0xC0, 0x80]);
        assert_eq!(written(b"128"), [0xC1, 0x80, 0x00]);
        assert_eq!(written(b"32768"), [0xC2, 0x00, 0x80, 0x00, 0x00]);
        // Past 32 bits, or not an integer's own spelling: plain text.
        assert_eq!(written(b"2147483648")[0], 10);
        assert_eq!(written(b"007"), b"\x03007");
        // Compression starts past 20 bytes.
        assert_eq!(written(&[b'a'; 20])[0], 20);
        assert_eq!(written(&[b'a'; 21])[0], 0xC3);
        let mut off = Writer::new(SaveOptions {
            compression: false,
            ..SaveOptions::default()
        });
        off.string(&[b'a'; 21]);
        assert_eq!(off.into_bytes()[0], 21);
        for s in [&b"-128"[..], b"128", b"32768", b"2147483648", &[b'a'; 300]] {
            let bytes = written(s);
            let mut r = Reader {
                bytes: &bytes,
                at: 0,
                limits: Limits::default(),
            };
            assert_eq!(r.string().unwrap(), s);
        }
    }

    #[test]
    fn lengths_in_each_width() {
        for (n, width) in [(63u64, 1), (64, 2), (16383, 2), (16384, 5), (1 << 32, 9)] {
            let mut w = Writer::new(SaveOptions::default());
            w.length(n);
            let bytes = w.into_bytes();
            assert_eq!(bytes.len(), width, "{n}");
            let mut r = Reader {
                bytes: &bytes,
                at: 0,
                limits: Limits::default(),
            };
            assert_eq!(r.length().unwrap(), n);
        }
    }

    #[test]
    fn ziplists_and_intsets_as_older_redis_wrote_them() {
        // The example in Redis's ziplist.c: the integers 2 and 5.
        let zl = [0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 2, 0, 0, 0xf3, 2, 0xf6, 0xff];
        assert_eq!(ziplist(&zl).unwrap(), [b"2".to_vec(), b"5".to_vec()]);
        assert!(ziplist(&zl[..14]).is_err());
        let set = intset(&[-5, 3, 70000]);
        assert_eq!(set[..4], 4u32.to_le_bytes());
        assert_eq!(parse_intset(&set).unwrap(), [-5, 3, 70000]);
        assert!(parse_intset(&intset(&[3, -5])).is_err(), "unsorted");
    }

    #[test]
    fn long_lists_are_cut_into_quicklist_nodes() {
        let list: List = (0..3000)
            .map(|i| format!("element-{i}").into_bytes())
            .collect();
        let mut w = Writer::new(SaveOptions::default());
        w.quicklist(&list);
        let bytes = w.into_bytes();
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
            limits: Limits::default(),
        };
        let nodes = r.length().unwrap();
        assert!(nodes > 3, "{nodes} nodes");
        for _ in 0..nodes {
            assert_eq!(r.length().unwrap(), QUICKLIST_NODE_PACKED);
            assert!(r.blob().unwrap().len() <= 8192);
        }
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
            limits: Limits::default(),
        };
        assert_eq!(r.value(TYPE_LIST_QUICKLIST_2).unwrap(), Value::list(list));
    }
}
