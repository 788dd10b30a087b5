//! The RDB loader and RESTORE's payload reader over any bytes: they load or refuse, never
//! panic, and never allocate from a length the bytes cannot back. What loads is saved again
//! and must load back to the same keys (a file read once is a file we can write).
#![no_main]

use keyspace::rdb::{self, Limits, SaveOptions, Writer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = rdb::restore(data, limits);
    // The same bytes as the body of a file, so that the fuzzer need not find the header.
    let mut file = b"REDIS0010".to_vec();
    file.extend_from_slice(data);
    for bytes in [data, &file[..]] {
        let Ok(snapshot) = rdb::load(bytes, limits, 16) else {
            continue;
        };
        let mut w = Writer::new(SaveOptions::default());
        w.header();
        for (db, keys) in snapshot.dbs.iter().enumerate() {
            if keys.is_empty() {
                continue;
            }
            w.select_db(db, keys.len(), keys.iter().filter(|k| k.expire_ms.is_some()).count());
            for k in keys {
                w.key(&k.key, &k.value, k.expire_ms, k.access);
            }
        }
        let again = rdb::load(&w.finish(true), limits, 16).expect("a saved file loads");
        assert_eq!(again.dbs.iter().map(Vec::len).sum::<usize>(), snapshot.len());
        for (a, b) in again.dbs.iter().flatten().zip(snapshot.dbs.iter().flatten()) {
            assert_eq!((&a.key, &a.value, a.expire_ms), (&b.key, &b.value, b.expire_ms));
        }
    }
});
