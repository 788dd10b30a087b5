//! DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA1 signature of the dataset, or of single values,
//! computed as Redis's `debug.c` computes it, so that the same data gives the same forty hex
//! digits on both servers (Redis's tests compare digests before and after a reload).
//!
//! Two ways of folding data in: *xor* (`digest ^= SHA1(data)`), where order does not matter —
//! the keys of a database, a set's members, a hash's fields, a sorted set's members — and
//! *mix* (`digest = SHA1(digest ^ SHA1(data))`), where it does: a list's elements, a stream's
//! entries, a key and then its value. A key's part is its name mixed, its type mixed as a
//! 4-byte big-endian number, its value, and `!!expire!!` xored in when it has a TTL (whatever
//! the TTL is). A database's number is mixed into the result before its keys.

use sha1::{Digest as _, Sha1};

use crate::db::{Db, Value};
use crate::reply::format_g;
use crate::types::stream::StreamId;

/// Twenty bytes of signature.
type Digest = [u8; 20];

fn xor(digest: &mut Digest, data: &[u8]) {
    let hash = Sha1::digest(data);
    for (d, h) in digest.iter_mut().zip(hash) {
        *d ^= h;
    }
}

fn mix(digest: &mut Digest, data: &[u8]) {
    xor(digest, data);
    *digest = Sha1::digest(*digest).into();
}

/// Redis's `OBJ_*` type numbers, which go into the digest.
fn type_number(value: &Value) -> u32 {
    match value {
        Value::String(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// A value's part (`xorObjectDigest`), folded into `digest`.
fn value_digest(digest: &mut Digest, value: &Value, volatile: bool) {
    mix(digest, &type_number(value).to_be_bytes());
    match value {
        Value::String(s) => mix(digest, s),
        Value::List(l) => l.iter().for_each(|e| mix(digest, e)),
        Value::Set(s) => s.iter().for_each(|m| xor(digest, &m)),
        Value::ZSet(z) => {
            for (member, score) in z.iter() {
                let mut element = [0; 20];
                mix(&mut element, member);
                mix(&mut element, format_g(score, 17).as_bytes());
                xor(digest, &element);
            }
        }
        Value::Hash(h) => {
            for (field, v) in h.iter() {
                let mut element = [0; 20];
                mix(&mut element, field);
                mix(&mut element, v);
                xor(digest, &element);
            }
        }
        Value::Stream(s) => {
            for entry in s.range(StreamId::MIN, StreamId::MAX, false) {
                mix(
                    digest,
                    format!("{}.{}", entry.id.ms, entry.id.seq).as_bytes(),
                );
                entry.fields.iter().for_each(|f| mix(digest, f));
            }
        }
    }
    if volatile {
        xor(digest, b"!!expire!!");
    }
}

fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// DEBUG DIGEST: every database that holds keys, its number mixed in, then each key's
/// digest xored; forty zeros for an empty dataset.
pub fn dataset_digest(dbs: &[Db]) -> String {
    let mut result = [0; 20];
    for (index, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix(&mut result, &(index as u32).to_be_bytes());
        for (key, entry) in db.keys.iter() {
            let mut digest = [0; 20];
            mix(&mut digest, key);
            value_digest(&mut digest, &entry.value, db.keys.expire_of(key).is_some());
            xor(&mut result, &digest);
        }
    }
    hex(&result)
}

/// DEBUG DIGEST-VALUE: one key's value (its name left out), forty zeros when there is no
/// such key; expired keys still count, as Redis does not look them up.
pub fn value_digest_hex(db: &Db, key: &[u8]) -> String {
    let mut digest = [0; 20];
    if let Some(entry) = db.keys.get(key) {
        value_digest(&mut digest, &entry.value, db.keys.expire_of(key).is_some());
    }
    hex(&digest)
}
