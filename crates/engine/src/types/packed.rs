//! Strings side by side in one block, each a LEB128 length and its bytes: how a small hash (a
//! listpack in Redis, fields and values alternating), a small set and a small sorted set
//! (members and their scores alternating) keep their strings, one allocation for all of them
//! instead of one or two per string.
//!
//! A block has no index: finding a string walks it, O(N) as a listpack's lookups are, which
//! is why only small collections are packed (their owners convert to a map past a bound).

use std::ops::Range;

/// The block (see the module's text).
#[derive(Clone, Debug, Default)]
pub struct Packed {
    bytes: Vec<u8>,
}

/// One string of a block: where its entry (length and bytes) lies, and its bytes.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub span: Range<usize>,
    pub bytes: &'a [u8],
}

impl Packed {
    /// The strings in order.
    pub fn entries(&self) -> Entries<'_> {
        Entries {
            bytes: &self.bytes,
            at: 0,
        }
    }

    /// Appends `s`.
    pub fn push(&mut self, s: &[u8]) {
        let mut len = s.len();
        while len >= 0x80 {
            self.bytes.push(len as u8 | 0x80);
            len >>= 7;
        }
        self.bytes.push(len as u8);
        self.bytes.extend_from_slice(s);
    }

    /// Appends `strings`, growing the block to exactly what it then holds rather than by
    /// doubling: for blocks that many keys hold and that are written a few strings at a time
    /// (a small sorted set's), where the room doubling leaves would mostly stay unused.
    pub fn push_exact(&mut self, strings: &[&[u8]]) {
        let needed: usize = strings.iter().map(|s| entry_len(s.len())).sum();
        self.bytes.reserve_exact(needed);
        for s in strings {
            self.push(s);
        }
    }

    /// Puts `strings` where the entries in `span` were (nothing removes them).
    pub fn splice(&mut self, span: Range<usize>, strings: &[&[u8]]) {
        let mut encoded = Packed::default();
        for s in strings {
            encoded.push(s);
        }
        self.bytes.splice(span, encoded.bytes);
    }

    /// Removes the entries in `span`, closing the gap.
    pub fn remove(&mut self, span: Range<usize>) {
        self.bytes.drain(span);
    }

    /// True when the block holds no string.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Gives back the room left past the last entry (see [`Packed::push_exact`]).
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

/// The bytes an entry of a string `len` bytes long takes: its LEB128 length and the string.
fn entry_len(len: usize) -> usize {
    let mut length_bytes = 1;
    while len >> (7 * length_bytes) != 0 {
        length_bytes += 1;
    }
    length_bytes + len
}

/// The strings of a [`Packed`] block, in order.
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        let start = self.at;
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            len |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let bytes = &self.bytes[self.at..self.at + len];
        self.at += len;
        Some(Entry {
            span: start..self.at,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_back_in_order_and_long_lengths_take_more_bytes() {
        let long = vec![b'x'; 300];
        let mut block = Packed::default();
        for s in [&b"a"[..], b"", &long, b"bc"] {
            block.push(s);
        }
        let entries: Vec<Entry<'_>> = block.entries().collect();
        let strings: Vec<&[u8]> = entries.iter().map(|e| e.bytes).collect();
        assert_eq!(strings, [&b"a"[..], b"", &long, b"bc"]);
        assert_eq!(entries[2].span.len(), 302);
        block.splice(entries[1].span.start..entries[2].span.end, &[b"yz"]);
        block.remove(0..2);
        let strings: Vec<&[u8]> = block.entries().map(|e| e.bytes).collect();
        assert_eq!(strings, [&b"yz"[..], b"bc"]);

        let mut exact = Packed::default();
        exact.push_exact(&[b"d", &long]);
        exact.push_exact(&[b"e"]);
        let strings: Vec<&[u8]> = exact.entries().map(|e| e.bytes).collect();
        assert_eq!(strings, [&b"d"[..], &long, b"e"]);
        assert_eq!(exact.bytes.capacity(), 2 + 302 + 2);
    }
}
