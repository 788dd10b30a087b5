//! The inspectors without the DOM: one key's value as its type thinks of it, a page at a time.
//! A string is its text and encoding; a list, cells with their indexes from both ends; a hash,
//! field/value rows; a set, members; a sorted set, members by rank with their scores and how far
//! along the set's score range each one lies (for its bar).
//!
//! [`inspect`] runs in the worker and reads only the page asked for, by position, straight from
//! the engine's structures (`List::range`, `Hash::get_index`, `Set::get_index`,
//! `SortedSet::iter_from`), with no side effects on the keyspace: opening a 100,000-member
//! sorted set costs a skip-list descent and one page. To highlight what the last command
//! changed, the worker takes a [`Snapshot`] of the page before the command and marks the
//! elements that were not in it.

use std::collections::HashMap;

use keyspace::db::{Db, Value};
use keyspace::reply::format_double;
use keyspace_protocol::inspect::{
    Body, Element, Field, InspectQuery, Inspection, ScoreRange, Scored, PAGE, STRING_SHOWN,
};

/// The page a query shows, as identities of its elements, taken before a command runs.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    existed: bool,
    seen: HashMap<String, usize>,
    /// The identities in page order, for a list, whose order matters.
    order: Vec<String>,
}

impl Snapshot {
    /// The page `query` selects in `db`, as it is now.
    pub fn take(db: Option<&Db>, query: &InspectQuery) -> Snapshot {
        let page = inspect(db, query, None);
        let order = identities(&page.body);
        let mut seen = HashMap::new();
        for id in &order {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
        Snapshot {
            existed: page.body != Body::Missing,
            seen,
            order,
        }
    }

    /// Whether an element was not on the page before (each earlier one accounts for one
    /// equal element after, so a list's duplicates count right).
    fn is_new(&mut self, id: String) -> bool {
        if !self.existed {
            return true;
        }
        match self.seen.get_mut(&id) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    }
}

/// What tells an element apart from another for highlighting: a list's value, a hash's field
/// and value, a sorted set's member and score.
fn identities(body: &Body) -> Vec<String> {
    match body {
        Body::Missing => Vec::new(),
        Body::String { text, .. } => vec![text.clone()],
        Body::List(items) | Body::Set(items) => items.iter().map(|e| e.text.clone()).collect(),
        Body::Hash(fields) => fields
            .iter()
            .map(|f| format!("{}\0{}", f.field, f.value))
            .collect(),
        Body::ZSet(rows, _) => rows
            .iter()
            .map(|r| format!("{}\0{}", r.member, r.score))
            .collect(),
    }
}

/// Which of `after` are not part of a longest common subsequence with `before`: what an
/// LPUSH, an LINSERT or an LSET put in a list, even among equal elements.
fn not_in_common(before: &[String], after: &[String]) -> Vec<bool> {
    // common[i][j]: the longest common subsequence of before[i..] and after[j..].
    let mut common = vec![vec![0usize; after.len() + 1]; before.len() + 1];
    for i in (0..before.len()).rev() {
        for j in (0..after.len()).rev() {
            common[i][j] = if before[i] == after[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let mut new = vec![true; after.len()];
    let (mut i, mut j) = (0, 0);
    while i < before.len() && j < after.len() {
        if before[i] == after[j] {
            new[j] = false;
            i += 1;
            j += 1;
        } else if common[i + 1][j] >= common[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    new
}

/// Marks the elements of `body` that `before` did not have.
fn mark_changed(body: &mut Body, before: &mut Snapshot) {
    let ids = identities(body);
    let list_flags = match body {
        Body::List(_) if before.existed => Some(not_in_common(&before.order, &ids)),
        _ => None,
    };
    let mut flags: Box<dyn Iterator<Item = bool>> = match list_flags {
        Some(flags) => Box::new(flags.into_iter()),
        None => Box::new(ids.into_iter().map(|id| before.is_new(id))),
    };
    let mut next = || flags.next().unwrap_or(false);
    match body {
        Body::Missing => {}
        Body::String { changed, .. } => *changed = next(),
        Body::List(items) | Body::Set(items) => items.iter_mut().for_each(|e| e.changed = next()),
        Body::Hash(fields) => fields.iter_mut().for_each(|f| f.changed = next()),
        Body::ZSet(rows, _) => rows.iter_mut().for_each(|r| r.changed = next()),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The page `query` asks for of a key in `db`; with `before`, the elements not in that
/// snapshot are marked changed.
pub fn inspect(db: Option<&Db>, query: &InspectQuery, before: Option<&mut Snapshot>) -> Inspection {
    let Some((entry, expires_at_ms)) = db.and_then(|db| db.peek(query.key.as_bytes())) else {
        return Inspection {
            key: query.key.clone(),
            offset: 0,
            total: 0,
            type_name: String::new(),
            encoding: String::new(),
            expires_at_ms: None,
            body: Body::Missing,
        };
    };
    let total = entry.value.size();
    // The last page starts no later than the last element.
    let offset = match entry.value {
        Value::String(_) => 0,
        _ => query.offset.min(total.saturating_sub(1) / PAGE * PAGE),
    };
    let end = (offset + PAGE).min(total);
    let mut body = match &entry.value {
        Value::String(s) => Body::String {
            text: text(&s[..s.len().min(STRING_SHOWN)]),
            changed: false,
        },
        Value::List(list) => Body::List(if offset < end {
            list.range(offset, end - 1)
                .map(|e| Element {
                    text: text(e),
                    changed: false,
                })
                .collect()
        } else {
            Vec::new()
        }),
        Value::Hash(hash) => Body::Hash(
            (offset..end)
                .filter_map(|i| hash.get_index(i))
                .map(|(f, v)| Field {
                    field: text(f),
                    value: text(v),
                    changed: false,
                })
                .collect(),
        ),
        Value::Set(set) => Body::Set(
            (offset..end)
                .filter_map(|i| set.get_index(i))
                .map(|m| Element {
                    text: text(&m),
                    changed: false,
                })
                .collect(),
        ),
        Value::ZSet(zset) => {
            let lowest = zset.iter().next().map_or(0.0, |(_, s)| s);
            let highest = zset.iter_from(0, true).next().map_or(0.0, |(_, s)| s);
            let range = ScoreRange {
                lowest: format_double(lowest),
                highest: format_double(highest),
                infinite: lowest.is_infinite() || highest.is_infinite(),
            };
            Body::ZSet(
                zset.iter_from(offset, false)
                    .take(end - offset)
                    .map(|(member, score)| Scored {
                        member: text(member),
                        score: format_double(score),
                        fraction: score_fraction(score, lowest, highest),
                        changed: false,
                    })
                    .collect(),
                range,
            )
        }
    };
    if let Some(before) = before {
        mark_changed(&mut body, before);
    }
    Inspection {
        key: query.key.clone(),
        offset,
        total,
        type_name: entry.value.type_name().to_string(),
        encoding: entry.encoding().to_string(),
        expires_at_ms,
        body,
    }
}

/// How far `score` lies from `lowest` (0.0) to `highest` (1.0). Infinite ends pin their own
/// scores to the ends and put every finite score midway, rather than dividing by infinity.
pub fn score_fraction(score: f64, lowest: f64, highest: f64) -> f64 {
    if score >= highest {
        1.0
    } else if score <= lowest {
        0.0
    } else if lowest.is_finite() && highest.is_finite() {
        (score - lowest) / (highest - lowest)
    } else {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, Engine, ManualClock};

    fn engine_with(lines: &[&str]) -> (Engine, keyspace::ClientId) {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::new(1_000_000)), 1);
        let id = engine.connect();
        for line in lines {
            run(&mut engine, id, line);
        }
        (engine, id)
    }

    fn run(engine: &mut Engine, id: keyspace::ClientId, line: &str) -> Vec<keyspace::Reply> {
        let argv = keyspace::cli::split_args(line.as_bytes()).unwrap();
        engine.execute(id, &argv).into_replies()
    }

    fn open(engine: &Engine, key: &str, offset: usize) -> Inspection {
        inspect(
            engine.db(0),
            &InspectQuery {
                key: key.into(),
                offset,
            },
            None,
        )
    }

    #[test]
    fn a_string_shows_its_text_and_encoding() {
        let (e, _) = engine_with(&["SET n 12345", "SET s hello"]);
        let n = open(&e, "n", 0);
        assert_eq!(
            (n.type_name.as_str(), n.encoding.as_str()),
            ("string", "int")
        );
        let s = open(&e, "s", 0);
        assert_eq!(s.encoding, "embstr");
        assert_eq!(
            s.body,
            Body::String {
                text: "hello".into(),
                changed: false
            }
        );
        assert_eq!(s.total, 5);
        assert_eq!(open(&e, "nosuch", 0).body, Body::Missing);
    }

    #[test]
    fn the_encoding_is_what_object_encoding_says() {
        let long = "x".repeat(45);
        let (mut e, id) = engine_with(&[
            "SET int 42",
            "SET emb hello",
            &format!("SET raw {long}"),
            "SET appended 1",
            "APPEND appended 2",
            "INCRBYFLOAT flt 1",
            "RPUSH list a",
            "HSET hash f v",
            "SADD ints 1 2",
            "SADD strs a",
            "ZADD z 1 a",
        ]);
        for key in [
            "int", "emb", "raw", "appended", "flt", "list", "hash", "ints", "strs", "z",
        ] {
            let replies = run(&mut e, id, &format!("OBJECT ENCODING {key}"));
            let expected = keyspace::cli::format_raw(&replies[0]);
            assert_eq!(open(&e, key, 0).encoding, expected.trim_end(), "{key}");
        }
    }

    #[test]
    fn a_list_pages_from_the_head() {
        let items: Vec<String> = (0..120).map(|i| format!("e{i}")).collect();
        let (e, _) = engine_with(&[&format!("RPUSH l {}", items.join(" "))]);
        let page = open(&e, "l", 100);
        assert_eq!((page.offset, page.total), (100, 120));
        let Body::List(cells) = &page.body else {
            panic!("{page:?}")
        };
        assert_eq!(cells.len(), 20);
        assert_eq!(cells[0].text, "e100");
        // An offset past the end shows the last page.
        assert_eq!(open(&e, "l", 10_000).offset, 100);
    }

    #[test]
    fn a_hash_and_a_set_page_by_position() {
        let (e, _) = engine_with(&["HSET h name Ada lang Rust", "SADD s 3 1 2"]);
        assert_eq!(
            open(&e, "h", 0).body,
            Body::Hash(vec![
                Field {
                    field: "name".into(),
                    value: "Ada".into(),
                    changed: false
                },
                Field {
                    field: "lang".into(),
                    value: "Rust".into(),
                    changed: false
                },
            ])
        );
        let Body::Set(members) = open(&e, "s", 0).body else {
            panic!()
        };
        let members: Vec<_> = members.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(members, ["1", "2", "3"], "an intset is sorted");
    }

    #[test]
    fn a_sorted_set_opens_at_a_rank_with_scores_and_bars() {
        let (mut e, id) = engine_with(&[]);
        run(&mut e, id, "ZADD z 0 low 10 high 2.5 mid 0.1 tenth");
        run(&mut e, id, "ZADD neg -10 a 0 b 10 c");
        let Body::ZSet(rows, range) = open(&e, "z", 0).body else {
            panic!()
        };
        assert_eq!((range.lowest.as_str(), range.highest.as_str()), ("0", "10"));
        let members: Vec<_> = rows
            .iter()
            .map(|r| (r.member.as_str(), r.score.as_str()))
            .collect();
        assert_eq!(
            members,
            [
                ("low", "0"),
                ("tenth", "0.10000000000000001"),
                ("mid", "2.5"),
                ("high", "10")
            ]
        );
        assert_eq!(rows[2].fraction, 0.25);
        assert_eq!(rows[3].fraction, 1.0);
        let Body::ZSet(rows, _) = open(&e, "neg", 0).body else {
            panic!()
        };
        let bars: Vec<_> = rows.iter().map(|r| r.fraction).collect();
        assert_eq!(bars, [0.0, 0.5, 1.0], "negative scores: from the lowest");
        // Timestamps a minute apart fill the bar from the first to the last.
        run(
            &mut e,
            id,
            "ZADD online 1767258000 a 1767258030 b 1767258060 c",
        );
        let Body::ZSet(rows, _) = open(&e, "online", 0).body else {
            panic!()
        };
        let bars: Vec<_> = rows.iter().map(|r| r.fraction).collect();
        assert_eq!(bars, [0.0, 0.5, 1.0], "close scores still differ");
        // All equal: every bar full; an infinite end puts the finite scores midway.
        run(&mut e, id, "ZADD same 5 a 5 b");
        let Body::ZSet(rows, range) = open(&e, "same", 0).body else {
            panic!()
        };
        assert!(rows.iter().all(|r| r.fraction == 1.0));
        assert_eq!(range.lowest, range.highest);
        run(&mut e, id, "ZADD inf -inf a 3 b +inf c");
        let Body::ZSet(rows, range) = open(&e, "inf", 0).body else {
            panic!()
        };
        let bars: Vec<_> = rows.iter().map(|r| r.fraction).collect();
        assert_eq!(bars, [0.0, 0.5, 1.0]);
        assert!(range.infinite);
    }

    #[test]
    fn a_big_sorted_set_reads_only_its_page() {
        let (mut e, id) = engine_with(&[]);
        for chunk in 0..100 {
            let pairs: Vec<String> = (0..1000)
                .map(|i| {
                    let n = chunk * 1000 + i;
                    format!("{n} m{n}")
                })
                .collect();
            run(&mut e, id, &format!("ZADD big {}", pairs.join(" ")));
        }
        let page = open(&e, "big", 99_950);
        let Body::ZSet(rows, _) = &page.body else {
            panic!()
        };
        assert_eq!((page.total, rows.len()), (100_000, 50));
        assert_eq!(rows[0].member, "m99950");
    }

    #[test]
    fn elements_the_command_changed_are_marked() {
        let (mut e, id) = engine_with(&["RPUSH l b c d", "HSET h f 1 g 2", "ZADD z 1 a 2 b"]);
        let query = |key: &str| InspectQuery::new(key);
        let changed = |body: &Body| -> Vec<bool> {
            match body {
                Body::List(v) | Body::Set(v) => v.iter().map(|x| x.changed).collect(),
                Body::Hash(v) => v.iter().map(|x| x.changed).collect(),
                Body::ZSet(v, _) => v.iter().map(|x| x.changed).collect(),
                Body::String { changed, .. } => vec![*changed],
                Body::Missing => vec![],
            }
        };
        let mut before = Snapshot::take(e.db(0), &query("l"));
        run(&mut e, id, "LPUSH l a");
        let after = inspect(e.db(0), &query("l"), Some(&mut before));
        assert_eq!(changed(&after.body), [true, false, false, false]);

        let mut before = Snapshot::take(e.db(0), &query("h"));
        run(&mut e, id, "HSET h g 3");
        let after = inspect(e.db(0), &query("h"), Some(&mut before));
        assert_eq!(changed(&after.body), [false, true]);

        let mut before = Snapshot::take(e.db(0), &query("z"));
        run(&mut e, id, "ZINCRBY z 5 a");
        let after = inspect(e.db(0), &query("z"), Some(&mut before));
        assert_eq!(changed(&after.body), [false, true], "a moved to the top");

        let mut before = Snapshot::take(e.db(0), &query("new"));
        run(&mut e, id, "SADD new x y");
        let after = inspect(e.db(0), &query("new"), Some(&mut before));
        assert_eq!(
            changed(&after.body),
            [true, true],
            "a new key is new throughout"
        );
    }

    #[test]
    fn a_list_marks_the_element_pushed_among_equal_ones() {
        let ids = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            not_in_common(&ids("a b a"), &ids("a a b a")),
            [false, true, false, false]
        );
        assert_eq!(
            not_in_common(&ids("a b c"), &ids("a x b c")),
            [false, true, false, false],
            "LINSERT"
        );
        assert_eq!(
            not_in_common(&ids("a b c"), &ids("a y c")),
            [false, true, false],
            "LSET"
        );
        assert_eq!(
            not_in_common(&ids("a b c"), &ids("b c")),
            [false, false],
            "LPOP"
        );
    }

    #[test]
    fn score_bars_survive_infinities() {
        assert_eq!(score_fraction(5.0, 0.0, 10.0), 0.5);
        assert_eq!(
            score_fraction(f64::NEG_INFINITY, f64::NEG_INFINITY, 1.0),
            0.0
        );
        assert_eq!(score_fraction(0.0, f64::NEG_INFINITY, f64::INFINITY), 0.5);
        assert_eq!(score_fraction(3.0, 3.0, 3.0), 1.0);
    }
}
