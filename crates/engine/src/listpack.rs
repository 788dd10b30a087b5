//! Redis's listpack (`listpack.c`): a flat byte array of elements, each an integer or a string
//! in the narrowest encoding that holds it. What the RDB writes for small hashes, sorted sets
//! and list nodes, what `used_memory` prices them by (`crate::memory`), and what a stream keeps
//! its entries in, node by node (`crate::types::stream`): one piece for all three, so the bytes
//! the engine keeps, prices and saves are the bytes Redis would.
//!
//! ```text
//! <total-bytes u32 LE> <count u16 LE> <entry> <entry> ... <0xFF>
//! entry: <encoding and data> <backlen>
//! ```
//!
//! The count is the number of entries, or 65535 for "too many: walk them". An element that is
//! an integer's exact spelling (`string2ll`) is stored as the integer: 7 bits unsigned in the
//! encoding byte itself, else 13, 16, 24, 32 or 64 bits signed; any other string gets a 6, 12 or
//! 32-bit length before its bytes. The backlen is the entry's length (encoding and data) written
//! from its most significant 7-bit group on, every byte but the first flagged with the high
//! bit, so that the entry before a position can be found by reading backwards from it: the
//! array can be walked from either end, which is how a stream reads its newest entries first.
//!
//! Positions ([`Listpack::first`], [`Listpack::next`], ...) are byte offsets, as Redis's are
//! pointers. A [`Listpack`] is always whole and valid: built here, or read from bytes that
//! [`Listpack::from_bytes`] checked entry by entry, so walking it never fails.

use crate::args::string2ll;

/// The header: total bytes (4) and count (2).
pub const HEADER_SIZE: usize = 6;
/// The end marker.
const EOF: u8 = 0xFF;
/// The count from which the header stops counting (`LP_HDR_NUMELE_UNKNOWN`).
pub const COUNT_UNKNOWN: u16 = u16::MAX;

/// One element as stored: an integer, or the bytes of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Element<'_> {
    /// The element as a client sees it: an integer spelled in decimal.
    pub fn to_bytes(self) -> Vec<u8> {
        match self {
            Element::Int(n) => n.to_string().into_bytes(),
            Element::Str(s) => s.to_vec(),
        }
    }

    /// The element as an integer (`lpGetIntegerIfValid`): a string only when it is one.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Element::Int(n) => Some(n),
            Element::Str(s) => string2ll(s),
        }
    }

    /// Whether the element reads as `bytes` (an integer compared by its spelling).
    pub fn eq_bytes(self, bytes: &[u8]) -> bool {
        match self {
            Element::Str(s) => s == bytes,
            Element::Int(n) => string2ll(bytes) == Some(n),
        }
    }
}

/// Bytes of the backlen of an entry whose encoding and data take `len` bytes
/// (`lpEncodeBacklen`).
pub fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// Bytes of the encoding and data of an integer.
fn int_encoded_size(v: i64) -> usize {
    match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32_768..=32_767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    }
}

/// Bytes of the encoding and data of a string that is no integer.
fn str_encoded_size(len: usize) -> usize {
    len + match len {
        0..=63 => 1,
        64..=4095 => 2,
        _ => 5,
    }
}

/// Bytes one entry holding the integer `v` takes, backlen included.
pub fn int_entry_size(v: i64) -> usize {
    let len = int_encoded_size(v);
    len + backlen_size(len)
}

/// Bytes one entry holding `element` takes, backlen included: as an integer when it is one's
/// exact spelling (`lpStringToInt64`), else as a string.
pub fn entry_size(element: &[u8]) -> usize {
    match string2ll(element) {
        Some(v) => int_entry_size(v),
        None => {
            let len = str_encoded_size(element.len());
            len + backlen_size(len)
        }
    }
}

/// Appends the encoding and data of the integer `v`.
fn encode_int(v: i64, out: &mut Vec<u8>) {
    match v {
        0..=127 => out.push(v as u8),
        -4096..=4095 => {
            let u = (v as u64) & 0x1fff;
            out.push(0xC0 | (u >> 8) as u8);
            out.push(u as u8);
        }
        -32_768..=32_767 => {
            out.push(0xF1);
            out.extend_from_slice(&(v as i16).to_le_bytes());
        }
        -8_388_608..=8_388_607 => {
            out.push(0xF2);
            out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        }
        -2_147_483_648..=2_147_483_647 => {
            out.push(0xF3);
            out.extend_from_slice(&(v as i32).to_le_bytes());
        }
        _ => {
            out.push(0xF4);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Appends the encoding and data of a string that is stored as one.
fn encode_str(s: &[u8], out: &mut Vec<u8>) {
    let len = s.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.push(0xE0 | (len >> 8) as u8);
        out.push(len as u8);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

/// Appends the backlen of an entry of `len` bytes: its 7-bit groups, most significant first,
/// all but the first flagged with the high bit, so that reading backwards from the entry's end
/// meets the least significant group first and knows from its flag whether more follow.
fn encode_backlen(len: usize, out: &mut Vec<u8>) {
    let size = backlen_size(len);
    for k in (0..size).rev() {
        let group = ((len >> (7 * k)) & 127) as u8;
        out.push(if k == size - 1 { group } else { group | 128 });
    }
}

/// The element at `at` and the bytes of its encoding and data, or `None` where the bytes are
/// no entry (checked against the end of `bytes` at every step: hostile input only fails).
fn decode(bytes: &[u8], at: usize) -> Option<(Element<'_>, usize)> {
    let b = *bytes.get(at)?;
    let field = |from: usize, n: usize| bytes.get(from..from.checked_add(n)?);
    Some(if b & 0x80 == 0 {
        (Element::Int(i64::from(b)), 1)
    } else if b & 0xC0 == 0x80 {
        let n = usize::from(b & 0x3f);
        (Element::Str(field(at + 1, n)?), 1 + n)
    } else if b & 0xE0 == 0xC0 {
        let u = (u16::from(b & 0x1f) << 8) | u16::from(*bytes.get(at + 1)?);
        // 13-bit two's complement.
        let v = i64::from(u) - if u >= 1 << 12 { 1 << 13 } else { 0 };
        (Element::Int(v), 2)
    } else if b & 0xF0 == 0xE0 {
        let n = usize::from(b & 0x0f) << 8 | usize::from(*bytes.get(at + 1)?);
        (Element::Str(field(at + 2, n)?), 2 + n)
    } else {
        match b {
            0xF0 => {
                let n = u32::from_le_bytes(field(at + 1, 4)?.try_into().ok()?) as usize;
                (Element::Str(field(at + 5, n)?), 5 + n)
            }
            0xF1 => {
                let v = i16::from_le_bytes(field(at + 1, 2)?.try_into().ok()?);
                (Element::Int(i64::from(v)), 3)
            }
            0xF2 => {
                let d = field(at + 1, 3)?;
                let v = i32::from_le_bytes([0, d[0], d[1], d[2]]) >> 8;
                (Element::Int(i64::from(v)), 4)
            }
            0xF3 => {
                let v = i32::from_le_bytes(field(at + 1, 4)?.try_into().ok()?);
                (Element::Int(i64::from(v)), 5)
            }
            0xF4 => {
                let v = i64::from_le_bytes(field(at + 1, 8)?.try_into().ok()?);
                (Element::Int(v), 9)
            }
            _ => return None,
        }
    })
}

/// A listpack, always whole: header, entries, end marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listpack {
    bytes: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Listpack {
        Listpack::new()
    }
}

impl Listpack {
    /// An empty listpack (`lpNew`): 7 bytes.
    pub fn new() -> Listpack {
        let mut bytes = Vec::with_capacity(HEADER_SIZE + 1);
        bytes.extend_from_slice(&((HEADER_SIZE + 1) as u32).to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes.push(EOF);
        Listpack { bytes }
    }

    /// Its bytes, as the RDB stores them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its bytes, given up.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Its size in bytes (`lpBytes`).
    pub fn total_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The header's count of entries, `COUNT_UNKNOWN` once there are too many to count there.
    pub fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.bytes[4], self.bytes[5]])
    }

    /// Checks bytes from outside (an RDB file, a DUMP payload) the way a deep
    /// `lpValidateIntegrity` does: the header's size, every entry's encoding and backlen, the
    /// end marker, and the count unless the header gave up counting.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Listpack> {
        if bytes.len() < HEADER_SIZE + 1 {
            return None;
        }
        let total = u32::from_le_bytes(bytes[0..4].try_into().ok()?) as usize;
        if total != bytes.len() || bytes[total - 1] != EOF {
            return None;
        }
        let mut at = HEADER_SIZE;
        let mut count = 0usize;
        while at < total - 1 {
            let (_, len) = decode(&bytes, at)?;
            let backlen = backlen_size(len);
            let end = at.checked_add(len + backlen)?;
            if end > total - 1 || read_backlen(&bytes, end) != Some(len) {
                return None;
            }
            at = end;
            count += 1;
        }
        let lp = Listpack { bytes };
        let header = lp.header_count();
        (header == COUNT_UNKNOWN || usize::from(header) == count).then_some(lp)
    }

    /// Appends an element (`lpAppend`): as an integer when it is one's exact spelling.
    pub fn push(&mut self, element: &[u8]) {
        match string2ll(element) {
            Some(v) => self.push_int(v),
            None => self.append_with(|out| encode_str(element, out)),
        }
    }

    /// Appends an integer (`lpAppendInteger`).
    pub fn push_int(&mut self, v: i64) {
        self.append_with(|out| encode_int(v, out));
    }

    /// Appends the entry `encode` writes, with its backlen, before the end marker, and keeps
    /// the header: the total, and the count until it reaches `COUNT_UNKNOWN`.
    fn append_with(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        self.bytes.pop();
        let start = self.bytes.len();
        encode(&mut self.bytes);
        let len = self.bytes.len() - start;
        encode_backlen(len, &mut self.bytes);
        self.bytes.push(EOF);
        let count = self.header_count();
        if count != COUNT_UNKNOWN {
            self.set_header_count(count + 1);
        }
        self.set_total();
    }

    fn set_total(&mut self) {
        let total = self.bytes.len() as u32;
        self.bytes[..4].copy_from_slice(&total.to_le_bytes());
    }

    fn set_header_count(&mut self, count: u16) {
        self.bytes[4..6].copy_from_slice(&count.to_le_bytes());
    }

    /// The first entry's position.
    pub fn first(&self) -> Option<usize> {
        (self.bytes[HEADER_SIZE] != EOF).then_some(HEADER_SIZE)
    }

    /// The last entry's position.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.bytes.len() - 1)
    }

    /// The position of the entry after the one at `at`.
    pub fn next(&self, at: usize) -> Option<usize> {
        let next = at + self.entry_len(at);
        (self.bytes[next] != EOF).then_some(next)
    }

    /// The position of the entry before the one at `at` (or before the end marker).
    pub fn prev(&self, at: usize) -> Option<usize> {
        if at <= HEADER_SIZE {
            return None;
        }
        let len = read_backlen(&self.bytes, at)?;
        Some(at - len - backlen_size(len))
    }

    /// The element at `at`.
    pub fn get(&self, at: usize) -> Element<'_> {
        self.decoded(at).0
    }

    /// The element at `at` as an integer; 0 for a string that is none (a stream's own
    /// integers always are: they are written as integers, and checked so when loaded).
    pub fn get_int(&self, at: usize) -> i64 {
        self.get(at).as_int().unwrap_or(0)
    }

    /// Replaces the element at `at` with the integer `v` (`lpReplaceInteger`), moving what
    /// follows when the new encoding is wider or narrower.
    pub fn replace_int(&mut self, at: usize, v: i64) {
        let old = self.entry_len(at);
        let mut entry = Vec::with_capacity(10);
        encode_int(v, &mut entry);
        let len = entry.len();
        encode_backlen(len, &mut entry);
        self.bytes.splice(at..at + old, entry);
        self.set_total();
    }

    /// Every element from the first.
    pub fn iter(&self) -> impl Iterator<Item = Element<'_>> {
        std::iter::successors(self.first(), |&at| self.next(at)).map(|at| self.get(at))
    }

    /// Bytes of the entry at `at`, backlen included.
    fn entry_len(&self, at: usize) -> usize {
        let len = self.decoded(at).1;
        len + backlen_size(len)
    }

    /// A listpack is valid by construction, so every position it hands out decodes.
    fn decoded(&self, at: usize) -> (Element<'_>, usize) {
        decode(&self.bytes, at).expect("positions come from a valid listpack")
    }
}

/// The length a backlen ending just before `end` records: read backwards, least significant
/// group first, while the high bit says more follow.
fn read_backlen(bytes: &[u8], end: usize) -> Option<usize> {
    let mut len = 0usize;
    for k in 0..5 {
        let b = *bytes.get(end.checked_sub(k + 1)?)?;
        len |= usize::from(b & 127) << (7 * k);
        if b & 128 == 0 {
            return Some(len);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_take_redis_s_widths() {
        let ints: [(i64, usize); 14] = [
            (0, 2),
            (127, 2),
            (128, 3),
            (-1, 3),
            (-4096, 3),
            (4095, 3),
            (4096, 4),
            (-4097, 4),
            (32767, 4),
            (32768, 5),
            (8_388_607, 5),
            (8_388_608, 6),
            (i32::MAX as i64, 6),
            (i32::MAX as i64 + 1, 10),
        ];
        let strings: [(usize, usize); 4] = [(63, 65), (64, 67), (4095, 4099), (4096, 4103)];
        let cases = ints
            .iter()
            .map(|&(n, w)| (n.to_string().into_bytes(), w))
            .chain(strings.iter().map(|&(n, w)| (vec![b'x'; n], w)))
            .chain([(b"007".to_vec(), 5), (b"-0".to_vec(), 4), (Vec::new(), 2)]);
        let mut all = Listpack::new();
        let mut elements = Vec::new();
        for (element, width) in cases {
            let mut one = Listpack::new();
            one.push(&element);
            assert_eq!(one.total_bytes() - 7, width, "{:?}", element);
            assert_eq!(entry_size(&element), width);
            all.push(&element);
            elements.push(element);
        }
        elements.extend([i64::MAX, i64::MIN].map(|n| n.to_string().into_bytes()));
        all.push_int(i64::MAX);
        all.push_int(i64::MIN);
        let read = Listpack::from_bytes(all.bytes().to_vec()).expect("valid");
        assert_eq!(
            read.iter().map(Element::to_bytes).collect::<Vec<_>>(),
            elements
        );
        // Backwards, entry by entry, as a stream walks its newest entries.
        let mut back = Vec::new();
        let mut at = read.last();
        while let Some(p) = at {
            back.push(read.get(p).to_bytes());
            at = read.prev(p);
        }
        back.reverse();
        assert_eq!(back, elements);
    }

    #[test]
    fn replacing_an_integer_moves_what_follows() {
        let mut lp = Listpack::new();
        lp.push_int(127);
        lp.push(b"tail");
        let first = lp.first().unwrap();
        lp.replace_int(first, 128);
        assert_eq!(lp.total_bytes(), 7 + 3 + 6);
        assert_eq!(lp.get(lp.next(first).unwrap()), Element::Str(b"tail"));
        lp.replace_int(first, 5);
        assert_eq!(lp.total_bytes(), 7 + 2 + 6);
        assert_eq!(lp.header_count(), 2);
        assert!(Listpack::from_bytes(lp.bytes().to_vec()).is_some());
    }

    #[test]
    fn damaged_bytes_are_refused() {
        let mut lp = Listpack::new();
        lp.push(b"hello");
        lp.push_int(1000);
        let good = lp.bytes().to_vec();
        for cut in 0..good.len() {
            assert!(Listpack::from_bytes(good[..cut].to_vec()).is_none());
        }
        let mut bad_backlen = good.clone();
        bad_backlen[6 + 6] = 9;
        assert!(Listpack::from_bytes(bad_backlen).is_none());
        let mut bad_count = good;
        bad_count[4] = 3;
        assert!(Listpack::from_bytes(bad_count).is_none());
    }
}
