//! The string type's storage: a value's bytes, with how they were last written.
//!
//! Redis keeps a string of up to 44 bytes inside its object header (the `embstr` encoding),
//! one allocation for both. Ours does the same at a smaller scale: up to [`INLINE_STRING`]
//! bytes live inside the value itself (16 bytes in all, the size of every [`Value`]), longer
//! ones in a block of their own. That is what makes a small string key cost fewer bytes than
//! in Redis (see `crate::dict`).
//!
//! The value also carries its [`StringOrigin`] — the piece of history OBJECT ENCODING and the
//! memory model need — because a short string has room for it in its spare byte, while a
//! separate field would widen every key's entry. An origin that holds an sds allocation
//! (`Raw`) only comes from writes in place, which keep their strings in a block.
//!
//! [`Value`]: crate::db::Value

use std::ops::Deref;

use crate::db::StringOrigin;

/// The longest string kept inside the value.
pub const INLINE_STRING: usize = 13;

/// A string value's bytes and origin (see the module's text).
#[derive(Clone)]
pub struct StringValue(Repr);

#[derive(Clone)]
enum Repr {
    Inline {
        origin: InlineOrigin,
        len: u8,
        bytes: [u8; INLINE_STRING],
    },
    Heap(Box<HeapString>),
}

/// The origins a short string can have (a `Raw` one is always in a block).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InlineOrigin {
    Encoded,
    Created,
    Duplicated,
}

#[derive(Clone)]
struct HeapString {
    bytes: Vec<u8>,
    origin: StringOrigin,
}

impl StringValue {
    /// A string stored through `tryObjectEncoding` (origin `Encoded`).
    pub fn new(bytes: Vec<u8>) -> StringValue {
        StringValue::with_origin(bytes, StringOrigin::Encoded)
    }

    fn with_origin(bytes: Vec<u8>, origin: StringOrigin) -> StringValue {
        let inline = match origin {
            StringOrigin::Encoded => Some(InlineOrigin::Encoded),
            StringOrigin::Created => Some(InlineOrigin::Created),
            StringOrigin::Duplicated => Some(InlineOrigin::Duplicated),
            StringOrigin::Raw(_) => None,
        };
        match inline {
            Some(origin) if bytes.len() <= INLINE_STRING => {
                let mut inline = [0; INLINE_STRING];
                inline[..bytes.len()].copy_from_slice(&bytes);
                StringValue(Repr::Inline {
                    origin,
                    len: bytes.len() as u8,
                    bytes: inline,
                })
            }
            _ => StringValue(Repr::Heap(Box::new(HeapString { bytes, origin }))),
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes, .. } => &bytes[..*len as usize],
            Repr::Heap(heap) => &heap.bytes,
        }
    }

    /// How the string was last written.
    pub fn origin(&self) -> StringOrigin {
        match &self.0 {
            Repr::Inline { origin, .. } => match origin {
                InlineOrigin::Encoded => StringOrigin::Encoded,
                InlineOrigin::Created => StringOrigin::Created,
                InlineOrigin::Duplicated => StringOrigin::Duplicated,
            },
            Repr::Heap(heap) => heap.origin,
        }
    }

    /// Records how the string was just written.
    pub fn set_origin(&mut self, origin: StringOrigin) {
        match &mut self.0 {
            Repr::Heap(heap) => heap.origin = origin,
            Repr::Inline { .. } => {
                let bytes = std::mem::take(self.bytes_mut());
                *self = StringValue::with_origin(bytes, origin);
            }
        }
    }

    /// The bytes, to change in place: the string moves to a block of its own (a write in
    /// place makes it `raw`, which Redis keeps apart from its header too).
    pub fn bytes_mut(&mut self) -> &mut Vec<u8> {
        if let Repr::Inline { .. } = self.0 {
            let origin = self.origin();
            let bytes = self.as_bytes().to_vec();
            self.0 = Repr::Heap(Box::new(HeapString { bytes, origin }));
        }
        match &mut self.0 {
            Repr::Heap(heap) => &mut heap.bytes,
            Repr::Inline { .. } => unreachable!("moved to a block above"),
        }
    }

    /// The bytes, taken out.
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Heap(heap) => heap.bytes,
            Repr::Inline { .. } => self.as_bytes().to_vec(),
        }
    }
}

impl Default for StringValue {
    fn default() -> StringValue {
        StringValue::new(Vec::new())
    }
}

impl Deref for StringValue {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<Vec<u8>> for StringValue {
    fn from(bytes: Vec<u8>) -> StringValue {
        StringValue::new(bytes)
    }
}

impl From<&[u8]> for StringValue {
    fn from(bytes: &[u8]) -> StringValue {
        StringValue::new(bytes.to_vec())
    }
}

/// Two strings are equal when their bytes are: the origin is bookkeeping, not content.
impl PartialEq for StringValue {
    fn eq(&self, other: &StringValue) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for StringValue {}

impl std::fmt::Debug for StringValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_bytes().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::Sds;

    #[test]
    fn short_strings_are_inline_and_keep_their_origin() {
        let mut s = StringValue::new(b"value:1".to_vec());
        assert!(matches!(s.0, Repr::Inline { .. }));
        assert_eq!(&*s, b"value:1");
        s.set_origin(StringOrigin::Created);
        assert_eq!(s.origin(), StringOrigin::Created);
        assert!(matches!(s.0, Repr::Inline { .. }));
        assert_eq!(&*s, b"value:1");
    }

    #[test]
    fn a_raw_origin_or_a_write_in_place_moves_the_string_to_a_block() {
        let mut s = StringValue::new(b"abc".to_vec());
        s.set_origin(StringOrigin::Raw(Sds::new(3)));
        assert!(matches!(s.0, Repr::Heap(_)));
        assert_eq!(s.origin(), StringOrigin::Raw(Sds::new(3)));
        let mut t = StringValue::new(b"abc".to_vec());
        t.bytes_mut().extend_from_slice(b"def");
        assert_eq!(&*t, b"abcdef");
        assert_eq!(t.origin(), StringOrigin::Encoded);
        let long = StringValue::new(vec![7; INLINE_STRING + 1]);
        assert!(matches!(long.0, Repr::Heap(_)));
        assert_eq!(long.into_vec(), vec![7; INLINE_STRING + 1]);
    }

    #[test]
    fn every_value_is_two_words() {
        assert_eq!(std::mem::size_of::<StringValue>(), 16);
        assert_eq!(std::mem::size_of::<crate::db::Value>(), 16);
    }
}
