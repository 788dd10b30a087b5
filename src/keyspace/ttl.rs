//! A key's TTL as the keyspace panel draws it: how much of it is left, for its bar, and its
//! countdown in words. The engine keeps only the deadline, as Redis does, so the page
//! remembers how long each TTL was when first seen.

use std::collections::HashMap;

use keyspace_protocol::keys::KeyRow;

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
