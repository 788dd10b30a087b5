//! The keyspace panel without the DOM: which keys a filter selects, one window of them as rows,
//! and how a TTL is drawn. The engine side ([`window`]) runs in the worker and walks only what
//! the window needs when nothing is filtered; the page side ([`TtlTracker`], [`format_ttl`])
//! works on the few rows on screen.

use std::collections::HashMap;

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

/// Remembers, for keys seen with a TTL, how long that TTL was when first seen, so a bar can
/// show how much of it is left. The engine keeps only the deadline, as Redis does.
#[derive(Debug, Default)]
pub struct TtlTracker {
    seen: HashMap<String, (u64, u64)>,
}

/// Past this many remembered keys, only the rows of the current window are kept.
const TRACKED_MAX: usize = 10_000;

impl TtlTracker {
    /// Records the rows of a fresh window, read at `now_ms`.
    pub fn observe(&mut self, rows: &[KeyRow], now_ms: u64) {
        if self.seen.len() > TRACKED_MAX {
            self.seen
                .retain(|key, _| rows.iter().any(|row| &row.key == key));
        }
        for row in rows {
            match row.expires_at_ms {
                Some(at) => {
                    let fresh = self.seen.get(&row.key).is_none_or(|&(seen, _)| seen != at);
                    if fresh {
                        let span = at.saturating_sub(now_ms).max(1);
                        self.seen.insert(row.key.clone(), (at, span));
                    }
                }
                None => {
                    self.seen.remove(&row.key);
                }
            }
        }
    }

    /// How much of the key's TTL is left at `now_ms`, from 0.0 to 1.0.
    pub fn fraction_left(&self, key: &str, expires_at_ms: u64, now_ms: u64) -> f64 {
        let span = self
            .seen
            .get(key)
            .filter(|&&(at, _)| at == expires_at_ms)
            .map_or(1, |&(_, span)| span);
        (expires_at_ms.saturating_sub(now_ms) as f64 / span as f64).clamp(0.0, 1.0)
    }
}

/// A countdown: tenths of a second below a minute, then minutes, hours, days.
pub fn format_ttl(ms_left: u64) -> String {
    let s = ms_left / 1000;
    match s {
        0..=59 => format!("{}.{} s", s, ms_left % 1000 / 100),
        60..=3599 => format!("{} m {:02} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {:02} m", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
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

    fn row(key: &str, at: Option<u64>) -> KeyRow {
        KeyRow {
            key: key.into(),
            type_name: "string".into(),
            size: 1,
            expires_at_ms: at,
        }
    }

    #[test]
    fn the_ttl_bar_shrinks_from_the_ttl_first_seen() {
        let mut t = TtlTracker::default();
        t.observe(&[row("k", Some(10_000))], 0);
        assert_eq!(t.fraction_left("k", 10_000, 0), 1.0);
        assert_eq!(t.fraction_left("k", 10_000, 7_500), 0.25);
        assert_eq!(t.fraction_left("k", 10_000, 20_000), 0.0);
        // A new EXPIRE starts a new bar.
        t.observe(&[row("k", Some(12_000))], 8_000);
        assert_eq!(t.fraction_left("k", 12_000, 8_000), 1.0);
    }

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(format_ttl(200), "0.2 s");
        assert_eq!(format_ttl(59_999), "59.9 s");
        assert_eq!(format_ttl(61_000), "1 m 01 s");
        assert_eq!(format_ttl(7_260_000), "2 h 01 m");
        assert_eq!(format_ttl(90_000_000), "1 d 1 h");
    }
}
