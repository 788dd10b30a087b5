//! The keyspace panel's window, read from the engine: which keys a filter selects, and the
//! rows of the slice on screen. Unfiltered, it walks only what the window needs, so a million
//! keys cost a scroll no more than forty.

use keyspace::db::Db;
use keyspace::glob;
use keyspace_protocol::keys::{KeyQuery, KeyRow, KeyWindow};

/// The window `query` asks for in database `db`. Unfiltered, it reads only the rows asked for;
/// filtered, it walks the database once, keeping only the rows in the window.
pub fn window(db_index: usize, db: &Db, query: &KeyQuery) -> KeyWindow {
    let row = |(key, value, expires_at_ms): (&[u8], &keyspace::db::Value, Option<u64>)| KeyRow {
        key: String::from_utf8_lossy(key).into_owned(),
        type_name: value.type_name().to_string(),
        size: value.size(),
        expires_at_ms,
    };
    let (total, rows) = if query.selects_everything() {
        let offset = query.offset.min(db.len());
        let end = (offset + query.count).min(db.len());
        let rows = (offset..end).filter_map(|i| db.get_index(i)).map(row);
        (db.len(), rows.collect())
    } else {
        let mut total = 0;
        let mut rows = Vec::new();
        let pattern = query.pattern.as_bytes();
        for entry in db.iter() {
            let (key, value, _) = entry;
            let type_ok = query.type_name.is_empty() || value.type_name() == query.type_name;
            if type_ok && (pattern.is_empty() || glob::matches(pattern, key, false)) {
                if total >= query.offset && rows.len() < query.count {
                    rows.push(row(entry));
                }
                total += 1;
            }
        }
        (total, rows)
    };
    KeyWindow {
        db: db_index,
        total,
        db_size: db.len(),
        offset: query.offset.min(total),
        rows,
        now_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, Engine, ManualClock};

    fn engine_with(lines: &[&str]) -> Engine {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::new(1_000_000)), 1);
        let id = engine.connect();
        for line in lines {
            let argv = keyspace::cli::split_args(line.as_bytes()).unwrap();
            engine.execute(id, &argv);
        }
        engine
    }

    fn keys(w: &KeyWindow) -> Vec<&str> {
        w.rows.iter().map(|r| r.key.as_str()).collect()
    }

    #[test]
    fn an_unfiltered_window_is_a_slice_of_the_keyspace() {
        let e = engine_with(&["MSET a 1 b 22 c 333 d 4", "PEXPIRE c 5000"]);
        let query = KeyQuery {
            offset: 1,
            count: 2,
            ..KeyQuery::default()
        };
        let w = window(0, e.db(0).unwrap(), &query);
        assert_eq!((w.total, w.db_size, w.offset), (4, 4, 1));
        assert_eq!(keys(&w), ["b", "c"]);
        assert_eq!(w.rows[1].size, 3);
        assert_eq!(w.rows[1].type_name, "string");
        assert_eq!(w.rows[1].expires_at_ms, Some(1_005_000));
    }

    #[test]
    fn a_pattern_and_a_type_filter_count_every_match() {
        let e = engine_with(&["MSET user:1 a user:2 b post:1 c user:3 d"]);
        let query = KeyQuery {
            pattern: "user:*".into(),
            count: 2,
            ..KeyQuery::default()
        };
        let w = window(0, e.db(0).unwrap(), &query);
        assert_eq!(w.total, 3);
        assert_eq!(keys(&w), ["user:1", "user:2"]);
        let none = KeyQuery {
            type_name: "list".into(),
            ..KeyQuery::default()
        };
        assert_eq!(window(0, e.db(0).unwrap(), &none).total, 0);
    }

    #[test]
    fn a_window_past_the_end_is_empty() {
        let e = engine_with(&["SET a 1"]);
        let query = KeyQuery {
            offset: 10,
            ..KeyQuery::default()
        };
        let w = window(0, e.db(0).unwrap(), &query);
        assert!(w.rows.is_empty());
        assert_eq!(w.offset, 1);
    }
}
