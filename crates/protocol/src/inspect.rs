//! The inspectors' messages: which key and page the page asks for, and one page of a key's
//! value as its type thinks of it (a string and its encoding; list cells; hash fields; set
//! members; sorted-set members by rank, with their scores and where each lies in the set's
//! range, for its bar), each element marked if the last command changed it.

use serde::{Deserialize, Serialize};

/// Elements per page of an inspector.
pub const PAGE: usize = 50;
/// Bytes of a string value shown; the rest is counted, not sent.
pub const STRING_SHOWN: usize = 4096;

/// Which key the inspector shows, and which page of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectQuery {
    /// The key as text (as the keyspace panel lists it).
    pub key: String,
    /// The first element shown (a list index, a rank, a position).
    pub offset: usize,
}

impl InspectQuery {
    /// The first page of `key`.
    pub fn new(key: impl Into<String>) -> InspectQuery {
        InspectQuery {
            key: key.into(),
            offset: 0,
        }
    }
}

/// One page of a key's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub key: String,
    /// The first element of the page (0 for a string).
    pub offset: usize,
    /// Elements in the whole value; bytes for a string; 0 when the key is gone.
    pub total: usize,
    /// What TYPE answers (`string`, `list`...), empty when the key is gone.
    pub type_name: String,
    /// What OBJECT ENCODING answers.
    pub encoding: String,
    pub expires_at_ms: Option<u64>,
    pub body: Body,
}

/// The page itself, shaped by the type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// The key does not exist (any more).
    Missing,
    /// The first [`STRING_SHOWN`] bytes as text (invalid UTF-8 replaced).
    String {
        text: String,
        changed: bool,
    },
    /// Elements from the head, at index `offset + i` (and `offset + i - total` from the tail).
    List(Vec<Element>),
    Hash(Vec<Field>),
    /// Members in the set's own order (ascending for an intset).
    Set(Vec<Element>),
    /// Members from rank `offset`, lowest score first, and the set's whole range of scores,
    /// which the bars span.
    ZSet(Vec<Scored>, ScoreRange),
}

/// A sorted set's lowest and highest scores, as Redis prints them: a bar is empty at the
/// lowest and full at the highest, so close scores (Unix timestamps) still differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRange {
    pub lowest: String,
    pub highest: String,
    /// An end is -inf or +inf: the finite scores are drawn midway.
    pub infinite: bool,
}

/// A list element or a set member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    pub text: String,
    pub changed: bool,
}

/// A hash field and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub field: String,
    pub value: String,
    pub changed: bool,
}

/// A sorted-set member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub member: String,
    /// The score as Redis 7.0 prints it (`%.17g`).
    pub score: String,
    /// Where the score lies between the set's lowest (0.0) and highest (1.0) score.
    pub fraction: f64,
    pub changed: bool,
}

/// A list element's index counted from the tail, as LINDEX takes it: -1 is the last.
pub fn tail_index(index: usize, total: usize) -> i64 {
    index as i64 - total as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_counts_back_from_minus_one() {
        assert_eq!(tail_index(100, 120), -20);
        assert_eq!(tail_index(119, 120), -1);
    }
}
