//! The inspectors without the DOM: one key's value as its type thinks of it, a page at a time.
//! A string is its text and encoding; a list, cells with their indexes from both ends; a hash,
//! field/value rows; a set, members; a sorted set, members by rank with their scores and how far
//! along the set's score range each one lies (for its bar); a stream, entries by position
//! with their fields, and its consumer groups with their consumers and pending entries.
//!
//! [`inspect`] runs in the worker and reads only the page asked for, by position, straight from
//! the engine's structures (`List::range`, `Hash::get_index`, `Set::get_index`,
//! `SortedSet::iter_from`), with no side effects on the keyspace: opening a 100,000-member
//! sorted set costs a skip-list descent and one page; a stream's page skips whole listpack
//! nodes by their live counts (`Stream::node_lengths`) and reads only its own entries, so a
//! 1,000,000-entry stream opens as fast as a short one. To highlight what the last command
//! changed, the worker takes a [`Snapshot`] of the page before the command and marks the
//! elements that were not in it.

use std::collections::HashMap;

use keyspace::db::{Db, Value};
use keyspace::geohash::{self, Shape, ShapeKind};
use keyspace::hyperloglog as hll;
use keyspace::reply::{format_double, format_human};
use keyspace::types::stream::{Stream, StreamId};
use keyspace::types::zset::SortedSet;
use keyspace::Engine;
use keyspace_protocol::inspect::{
    Bitmap, Body, ConsumerView, Element, Field, Form, GeoMap, GeoSearch, GroupView, InspectQuery,
    Inspection, PendingView, Place, Registers, ScoreRange, Scored, StreamEntry, StreamView,
    BITS_PAGE, GROUP_ROWS, MAP_POINTS, PAGE, STRING_SHOWN,
};

/// The page a query shows, as identities of its elements, taken before a command runs.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    existed: bool,
    seen: HashMap<String, usize>,
    /// The identities in page order, for a list, whose order matters.
    order: Vec<String>,
    /// A string's bytes on the page, for the bits a command flipped.
    bits: Vec<u8>,
}

impl Snapshot {
    /// The page `query` selects in `db`, as it is now.
    pub fn take(db: Option<&Db>, query: &InspectQuery) -> Snapshot {
        let page = inspect(db, query, None, None, 0);
        let order = identities(&page.body);
        // Whatever the form shown now, the bits are compared: a SETBIT may turn text into bits.
        // Whatever the form shown now, the page's bytes are kept (not counted: the snapshot
        // is taken before every command), so that the bits a SETBIT flipped in text show.
        let bits = match db.and_then(|db| db.peek(query.key.as_bytes())) {
            Some((entry, _)) => match &entry.value {
                Value::String(s) => page_bytes(s, bits_offset(query.offset, s.len())).to_vec(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        let mut seen = HashMap::new();
        for id in &order {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
        Snapshot {
            existed: page.body != Body::Missing,
            seen,
            order,
            bits,
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
/// and value, a sorted set's member and score, a stream entry's ID.
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
        Body::Map(map) => map
            .drawn
            .iter()
            .chain(&map.page)
            .map(place_identity)
            .collect(),
        Body::Stream(stream) => stream.entries.iter().map(|e| e.id.clone()).collect(),
        // Bits are compared bit by bit; a HyperLogLog's registers are not marked.
        Body::Bits(_) | Body::HyperLogLog(_) => Vec::new(),
    }
}

fn place_identity(place: &Place) -> String {
    format!(
        "{}\0{}\0{}",
        place.member, place.printed[0], place.printed[1]
    )
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
    if let Body::Bits(bitmap) = body {
        for (i, (changed, byte)) in bitmap.changed.iter_mut().zip(&bitmap.bytes).enumerate() {
            let was = match before.existed {
                true => before.bits.get(i).copied().unwrap_or(0),
                false => 0,
            };
            *changed = was ^ byte;
        }
        return;
    }
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
        Body::Map(map) => map
            .drawn
            .iter_mut()
            .chain(&mut map.page)
            .for_each(|p| p.changed = next()),
        Body::Stream(stream) => stream.entries.iter_mut().for_each(|e| e.changed = next()),
        Body::Bits(_) | Body::HyperLogLog(_) => {}
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The last geo search's shape, if it searched `key` of database `db`.
pub fn searched<'a>(engine: &'a Engine, db: usize, key: &str) -> Option<&'a Shape> {
    engine
        .last_geo_search()
        .filter(|s| s.db == db && s.key == key.as_bytes())
        .map(|s| &s.shape)
}

/// The page `query` asks for of a key in `db`; with `before`, the elements not in that
/// snapshot are marked changed. `searched` is the last geo search's shape when it searched
/// this key, for a map to draw; `now_ms` is the engine's clock, for a stream's idle times.
pub fn inspect(
    db: Option<&Db>,
    query: &InspectQuery,
    before: Option<&mut Snapshot>,
    searched: Option<&Shape>,
    now_ms: u64,
) -> Inspection {
    let Some((entry, expires_at_ms)) = db.and_then(|db| db.peek(query.key.as_bytes())) else {
        return Inspection {
            key: query.key.clone(),
            offset: 0,
            total: 0,
            type_name: String::new(),
            encoding: String::new(),
            expires_at_ms: None,
            forms: Vec::new(),
            body: Body::Missing,
        };
    };
    let forms = forms(&entry.value);
    let form = query
        .form
        .filter(|f| forms.contains(f))
        .or_else(|| forms.first().copied());
    let total = entry.value.size();
    let asked = match (&entry.value, &query.at_id) {
        (Value::Stream(stream), Some(id)) => {
            stream_id(id).map_or(query.offset, |id| position_of(stream, id) / PAGE * PAGE)
        }
        _ => query.offset,
    };
    let offset = match (&entry.value, form) {
        (Value::String(_), Some(Form::Bits)) => bits_offset(asked, total),
        (Value::String(_), _) => 0,
        // The last page starts no later than the last element.
        _ => asked.min(total.saturating_sub(1) / PAGE * PAGE),
    };
    let end = (offset + PAGE).min(total);
    let mut body = match &entry.value {
        Value::String(s) => match form {
            Some(Form::Bits) => Body::Bits(bitmap(s, offset)),
            Some(Form::HyperLogLog) => Body::HyperLogLog(registers(s, entry.past_end())),
            _ => Body::String {
                text: text(&s[..s.len().min(STRING_SHOWN)]),
                changed: false,
            },
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
        Value::ZSet(zset) if form == Some(Form::Map) => {
            Body::Map(geo_map(zset, offset, end, searched))
        }
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
        Value::Stream(stream) => Body::Stream(stream_view(stream, offset, end, now_ms)),
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
        forms: if forms.len() > 1 { forms } else { Vec::new() },
        body,
    }
}

/// The ways a value can be looked at, the most telling first: a HyperLogLog as one, a string
/// that is not text (what SETBIT writes) as bits; a sorted set whose scores are all geohashes
/// as a map when they are places on Earth rather than small counts.
fn forms(value: &Value) -> Vec<Form> {
    match value {
        Value::String(s) if hll::encoding(s).is_some() => {
            vec![Form::HyperLogLog, Form::Bits, Form::Text]
        }
        Value::String(s) if is_binary(&s[..s.len().min(STRING_SHOWN)]) => {
            vec![Form::Bits, Form::Text]
        }
        Value::String(_) => vec![Form::Text, Form::Bits],
        Value::ZSet(zset) => {
            let lowest = zset.iter().next().map_or(0.0, |(_, s)| s);
            let highest = zset.iter_from(0, true).next().map_or(0.0, |(_, s)| s);
            let geohashes = lowest >= 0.0
                && highest < GEOHASH_END
                && sample_ranks(zset.len()).all(|rank| {
                    zset.iter_from(rank, false)
                        .next()
                        .is_some_and(|(_, score)| score.fract() == 0.0)
                });
            match geohashes {
                // Below 2^41 a geohash lies within 6° of 180°W and 5° of 85°S, where no one
                // lives: such scores are counts or timestamps in milliseconds, not places.
                true if lowest >= 2_199_023_255_552.0 => vec![Form::Map, Form::Ranked],
                true => vec![Form::Ranked, Form::Map],
                false => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Scores of a geo set are below 2^52, Redis's 26 steps of latitude and longitude.
const GEOHASH_END: f64 = 4_503_599_627_370_496.0;

/// Bytes that are not text: not UTF-8, or control characters other than a line's.
fn is_binary(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
        // A string cut at STRING_SHOWN may end inside a character.
        Err(e) => e.error_len().is_some() || e.valid_up_to() + 4 < bytes.len(),
    }
}

/// The ranks a map draws: all of them up to [`MAP_POINTS`], else that many spread evenly.
fn sample_ranks(len: usize) -> impl Iterator<Item = usize> {
    let drawn = len.min(MAP_POINTS);
    (0..drawn).map(move |i| i * len / drawn)
}

/// The page of a string's bits from byte `offset`, and how many are set.
/// The first byte of the bitmap page asked for: the last page starts no later than the last
/// byte.
fn bits_offset(offset: usize, len: usize) -> usize {
    offset.min(len.saturating_sub(1) / BITS_PAGE * BITS_PAGE)
}

/// The bytes of the bitmap page from byte `offset`.
fn page_bytes(s: &[u8], offset: usize) -> &[u8] {
    &s[offset.min(s.len())..(offset + BITS_PAGE).min(s.len())]
}

fn bitmap(s: &[u8], offset: usize) -> Bitmap {
    let bytes = page_bytes(s, offset).to_vec();
    let ones = |b: &[u8]| b.iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
    Bitmap {
        changed: vec![0; bytes.len()],
        ones: ones(s),
        ones_in_page: ones(&bytes),
        bytes,
    }
}

/// A HyperLogLog's registers as PFCOUNT reads them, without caching what it finds.
fn registers(s: &[u8], past_end: u8) -> Registers {
    match hll::histogram(s, past_end) {
        Err(_) => Registers::Corrupted,
        Ok(histogram) => {
            let held = histogram.iter().rposition(|&n| n > 0).unwrap_or(0);
            Registers::Valid {
                encoding: hll::encoding(s).map_or("", |e| e.name()).to_string(),
                estimate: hll::estimate(&histogram),
                cached: hll::cached_cardinality(s),
                histogram: histogram[..=held].to_vec(),
            }
        }
    }
}

/// A geo set's places: a sample for the map, ranks `offset..end` for the table, each marked
/// if it lies within `searched`.
fn geo_map(zset: &SortedSet, offset: usize, end: usize, searched: Option<&Shape>) -> GeoMap {
    let place = |(member, score): (&[u8], f64)| {
        let [longitude, latitude] = geohash::decode_score(score);
        Place {
            member: text(member),
            longitude,
            latitude,
            printed: [format_human(longitude), format_human(latitude)],
            found: searched
                .is_some_and(|shape| geohash::within(shape, [longitude, latitude]).is_some()),
            changed: false,
        }
    };
    GeoMap {
        drawn: sample_ranks(zset.len())
            .filter_map(|rank| zset.iter_from(rank, false).next())
            .map(place)
            .collect(),
        page: zset
            .iter_from(offset, false)
            .take(end - offset)
            .map(place)
            .collect(),
        search: searched.map(|shape| {
            let unit = unit_name(shape.conversion);
            let measure = |m: f64| format_double(m);
            match shape.kind {
                ShapeKind::Radius(r) => GeoSearch {
                    center: shape.center,
                    radius_m: Some(r * shape.conversion),
                    box_m: None,
                    words: format!("BYRADIUS {} {unit}", measure(r)),
                },
                ShapeKind::Box { width, height } => GeoSearch {
                    center: shape.center,
                    radius_m: None,
                    box_m: Some([width * shape.conversion, height * shape.conversion]),
                    words: format!("BYBOX {} {} {unit}", measure(width), measure(height)),
                },
            }
        }),
    }
}

/// A stream's entries at positions `offset..end` and its groups. The nodes before the page
/// are skipped by their live counts, so only the page's own node or two are read.
fn stream_view(stream: &Stream, offset: usize, end: usize, now_ms: u64) -> StreamView {
    let mut before = 0;
    let mut start = StreamId::MIN;
    for (master, live) in stream.node_lengths() {
        if before + live > offset as u64 {
            start = master;
            break;
        }
        before += live;
    }
    let idle = |since: i64| now_ms.saturating_sub(since.max(0) as u64);
    let groups: Vec<(&[u8], _)> = stream.groups().collect();
    let entries = stream
        .range(start, StreamId::MAX, false)
        .skip(offset - before as usize)
        .take(end.saturating_sub(offset))
        .map(|entry| StreamEntry {
            id: entry.id.to_string(),
            fields: entry
                .fields
                .chunks(2)
                .map(|pair| {
                    (
                        text(&pair[0]),
                        pair.get(1).map_or_else(String::new, |v| text(v)),
                    )
                })
                .collect(),
            pending: groups
                .iter()
                .filter_map(|(name, group)| {
                    let nack = group.pending_entry(entry.id)?;
                    Some((text(name), text(&nack.consumer)))
                })
                .collect(),
            changed: false,
        })
        .collect();
    StreamView {
        entries,
        last_generated_id: stream.last_id().to_string(),
        entries_added: stream.entries_added(),
        max_deleted_id: stream.max_deleted_entry_id().to_string(),
        nodes: stream.node_count(),
        groups: groups
            .into_iter()
            .map(|(name, group)| GroupView {
                name: text(name),
                last_delivered_id: group.last_id().to_string(),
                entries_read: group.entries_read(),
                lag: stream.lag(group),
                pending: group.pending_len(),
                consumers: group
                    .consumers()
                    .take(GROUP_ROWS)
                    .map(|c| ConsumerView {
                        name: text(c.name()),
                        pending: c.pending_len(),
                        idle_ms: idle(c.seen_time()),
                    })
                    .collect(),
                consumers_total: group.consumers_len(),
                pel: group
                    .pending_from(StreamId::MIN)
                    .take(GROUP_ROWS)
                    .map(|(id, nack)| PendingView {
                        id: id.to_string(),
                        consumer: text(&nack.consumer),
                        idle_ms: idle(nack.delivery_time),
                        deliveries: nack.delivery_count,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// How many live entries come before the first at or after `id`: the nodes opened after it
/// are not read, the ones before it are counted whole, and only the node that may hold it is
/// read entry by entry.
fn position_of(stream: &Stream, id: StreamId) -> usize {
    let mut before = 0;
    let mut holder = None;
    for (master, live) in stream.node_lengths() {
        if master > id {
            break;
        }
        if let Some((_, earlier)) = holder {
            before += earlier;
        }
        holder = Some((master, live));
    }
    let inside = match (holder, id.decr()) {
        (Some((master, _)), Some(last)) if last >= master => {
            stream.range(master, last, false).count() as u64
        }
        _ => 0,
    };
    (before + inside) as usize
}

/// An ID typed in "Go to ID": `ms-seq`, or `ms` for its first sequence, as XRANGE's start
/// reads it.
fn stream_id(text: &str) -> Option<StreamId> {
    StreamId::parse(text.as_bytes(), 0)
}

/// The unit a search was asked in, from its metres per unit.
fn unit_name(conversion: f64) -> &'static str {
    geohash::UNITS
        .into_iter()
        .find_map(|(name, metres)| (metres == conversion).then_some(name))
        .unwrap_or("m")
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
        let query = InspectQuery {
            offset,
            ..InspectQuery::new(key)
        };
        inspect(
            engine.db(0),
            &query,
            None,
            searched(engine, 0, key),
            engine.now_ms(),
        )
    }

    fn open_as(engine: &Engine, key: &str, form: Form, offset: usize) -> Inspection {
        let query = InspectQuery {
            key: key.into(),
            offset,
            form: Some(form),
            at_id: None,
        };
        inspect(engine.db(0), &query, None, searched(engine, 0, key), 0)
    }

    fn stream_of(page: Inspection) -> StreamView {
        match page.body {
            Body::Stream(stream) => stream,
            body => panic!("{body:?}"),
        }
    }

    #[test]
    fn a_stream_shows_its_entries_groups_and_pending_entries() {
        let clock = ManualClock::new(1_000_000);
        let mut e = Engine::new(Config::default(), Box::new(clock.clone()), 1);
        let id = e.connect();
        run(&mut e, id, "XADD events 1-1 type post_created post_id 901");
        run(&mut e, id, "XADD events 2-0 type comment_created");
        run(&mut e, id, "XADD events 3-0 type post_created post_id 902");
        run(&mut e, id, "XGROUP CREATE events workers 0");
        run(
            &mut e,
            id,
            "XREADGROUP GROUP workers alice COUNT 2 STREAMS events >",
        );
        clock.advance_ms(1500);
        run(
            &mut e,
            id,
            "XREADGROUP GROUP workers bob COUNT 1 STREAMS events >",
        );
        clock.advance_ms(500);
        run(&mut e, id, "XACK events workers 2-0");
        run(&mut e, id, "XGROUP CREATE events audit $");
        let page = open(&e, "events", 0);
        assert_eq!((page.type_name.as_str(), page.total), ("stream", 3));
        let stream = stream_of(page);
        let entries: Vec<_> = stream
            .entries
            .iter()
            .map(|e| (e.id.as_str(), e.fields.len(), e.pending.clone()))
            .collect();
        let held = |c: &str| vec![("workers".to_string(), c.to_string())];
        assert_eq!(
            entries,
            [
                ("1-1", 2, held("alice")),
                ("2-0", 1, vec![]),
                ("3-0", 2, held("bob"))
            ]
        );
        assert_eq!(
            stream.entries[0].fields[1],
            ("post_id".into(), "901".into())
        );
        assert_eq!(
            (stream.last_generated_id.as_str(), stream.entries_added),
            ("3-0", 3)
        );
        // The groups as XINFO GROUPS lists them, by name.
        let [audit, workers] = &stream.groups[..] else {
            panic!("{:?}", stream.groups)
        };
        assert_eq!(
            (
                audit.name.as_str(),
                audit.last_delivered_id.as_str(),
                audit.lag
            ),
            ("audit", "3-0", Some(0))
        );
        assert_eq!(
            (
                workers.last_delivered_id.as_str(),
                workers.entries_read,
                workers.lag
            ),
            ("3-0", Some(3), Some(0))
        );
        assert_eq!((workers.pending, workers.consumers_total), (2, 2));
        // Idle times on the engine's clock, as XPENDING and XINFO CONSUMERS answer them.
        let consumers: Vec<_> = workers
            .consumers
            .iter()
            .map(|c| (c.name.as_str(), c.pending, c.idle_ms))
            .collect();
        assert_eq!(consumers, [("alice", 1, 2000), ("bob", 1, 500)]);
        let pel: Vec<_> = workers
            .pel
            .iter()
            .map(|p| (p.id.as_str(), p.consumer.as_str(), p.idle_ms, p.deliveries))
            .collect();
        assert_eq!(pel, [("1-1", "alice", 2000, 1), ("3-0", "bob", 500, 1)]);
        let xpending =
            keyspace::cli::format_raw(&run(&mut e, id, "XPENDING events workers - + 10")[0]);
        assert!(
            xpending.contains("2000") && xpending.contains("500"),
            "{xpending}"
        );
        // XCLAIM hands 1-1 to bob: a second delivery, idle again.
        run(&mut e, id, "XCLAIM events workers bob 1000 1-1");
        let stream = stream_of(open(&e, "events", 0));
        assert_eq!(stream.entries[0].pending, held("bob"));
        let pel = &stream.groups[1].pel[0];
        assert_eq!(
            (pel.consumer.as_str(), pel.idle_ms, pel.deliveries),
            ("bob", 0, 2)
        );
    }

    #[test]
    fn a_stream_pages_by_position_across_nodes() {
        // 100 entries a node: 250 entries are three nodes, and tombstones are skipped.
        let (mut e, id) = engine_with(&[]);
        for i in 1..=250 {
            run(&mut e, id, &format!("XADD s {i}-0 n {i}"));
        }
        run(&mut e, id, "XDEL s 5-0 150-0");
        let page = open(&e, "s", 100);
        assert_eq!((page.offset, page.total), (100, 248));
        let stream = stream_of(page);
        assert_eq!(stream.nodes, 3);
        let ids: Vec<_> = stream.entries.iter().map(|e| e.id.as_str()).collect();
        // Position 100 is entry 102: 5-0 before it is gone.
        assert_eq!((ids[0], ids.len()), ("102-0", 50));
        assert!(!ids.contains(&"150-0"));
        let last = stream_of(open(&e, "s", 10_000));
        let ids: Vec<_> = last.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            (ids[0], ids.last().copied(), ids.len()),
            ("203-0", Some("250-0"), 48)
        );
        // Go to ID: the page holding the first entry at or after it.
        let at = |id: &str| {
            let query = InspectQuery {
                at_id: Some(id.to_string()),
                ..InspectQuery::new("s")
            };
            let page = inspect(e.db(0), &query, None, None, 0);
            (page.offset, stream_of(page).entries[0].id.clone())
        };
        assert_eq!(at("102"), (100, "102-0".into()));
        assert_eq!(
            at("150-0"),
            (100, "102-0".into()),
            "deleted: the next one's page"
        );
        assert_eq!(at("0-0"), (0, "1-0".into()));
        assert_eq!(
            at("999999"),
            (200, "203-0".into()),
            "past the end: the last page"
        );
        assert_eq!(at("nonsense"), (0, "1-0".into()));
        // What an XADD appended is marked.
        let query = InspectQuery {
            offset: 200,
            ..InspectQuery::new("s")
        };
        let mut before = Snapshot::take(e.db(0), &query);
        run(&mut e, id, "XADD s 251-0 n 251");
        let after = stream_of(inspect(e.db(0), &query, Some(&mut before), None, 0));
        let marked: Vec<_> = after
            .entries
            .iter()
            .filter(|e| e.changed)
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(marked, ["251-0"]);
    }

    /// A million entries open at once: the page reads its own node, not the entries before it
    /// (the time is printed: `cargo test --release -p keyspace-worker a_million -- --nocapture`
    /// gives the figure). Debug builds, which `scripts/test` runs, fill a tenth as many.
    #[test]
    fn a_million_entry_stream_opens_at_once() {
        let entries: usize = if cfg!(debug_assertions) {
            100_000
        } else {
            1_000_000
        };
        let (mut e, id) = engine_with(&[]);
        for n in 1..=entries {
            let argv = [
                b"XADD".to_vec(),
                b"big".to_vec(),
                format!("{n}-0").into_bytes(),
                b"user".to_vec(),
                n.to_string().into_bytes(),
            ];
            e.execute(id, &argv);
        }
        let started = std::time::Instant::now();
        let first = open(&e, "big", 0);
        let middle = open(&e, "big", entries / 2);
        let last = open(&e, "big", entries - 1);
        let took = started.elapsed();
        println!("three pages of a {entries}-entry stream: {took:?}");
        assert_eq!(first.total, entries);
        let middle = stream_of(middle);
        assert_eq!(middle.entries[0].id, format!("{}-0", entries / 2 + 1));
        let last = stream_of(last);
        let newest = format!("{entries}-0");
        assert_eq!(
            last.entries.last().map(|e| e.id.as_str()),
            Some(newest.as_str())
        );
        assert!(took.as_millis() < 200, "{took:?}");
    }

    #[test]
    fn a_bitmap_shows_its_bits_a_page_at_a_time() {
        let (mut e, id) = engine_with(&["SETBIT dau 7 1", "SETBIT dau 100 1", "SET word hi"]);
        let page = open(&e, "dau", 0);
        assert_eq!(page.forms, [Form::Bits, Form::Text], "not text: bits first");
        assert_eq!(open(&e, "word", 0).forms, [Form::Text, Form::Bits]);
        let Body::Bits(bitmap) = page.body else {
            panic!("{page:?}")
        };
        assert_eq!(bitmap.bytes.len(), 13);
        assert_eq!((bitmap.bytes[0], bitmap.bytes[12]), (0x01, 0x08));
        assert_eq!((bitmap.ones, bitmap.ones_in_page), (2, 2));
        // Byte 100 of a longer bitmap is on its second page; the page is cut at the end.
        run(&mut e, id, "SETBIT dau 803 1");
        let page = open(&e, "dau", 70);
        assert_eq!((page.offset, page.total), (64, 101));
        let Body::Bits(bitmap) = page.body else {
            panic!("{page:?}")
        };
        assert_eq!((bitmap.bytes.len(), bitmap.bytes[100 - 64]), (37, 0x10));
        assert_eq!((bitmap.ones, bitmap.ones_in_page), (3, 1));
        // The bits a command flips are marked, set or cleared.
        let query = InspectQuery {
            form: Some(Form::Bits),
            ..InspectQuery::new("dau")
        };
        let mut before = Snapshot::take(e.db(0), &query);
        run(&mut e, id, "SETBIT dau 7 0");
        run(&mut e, id, "SETBIT dau 9 1");
        let Body::Bits(bitmap) = inspect(e.db(0), &query, Some(&mut before), None, 0).body else {
            panic!()
        };
        assert_eq!(&bitmap.changed[..2], [0x01, 0x40]);
        assert!(bitmap.changed[2..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_hyperloglog_shows_its_registers_and_estimate() {
        let (mut e, id) = engine_with(&["PFADD visitors a b c d e"]);
        let page = open(&e, "visitors", 0);
        assert_eq!(page.forms, [Form::HyperLogLog, Form::Bits, Form::Text]);
        let Body::HyperLogLog(Registers::Valid {
            encoding,
            histogram,
            estimate,
            cached,
        }) = page.body
        else {
            panic!("{page:?}")
        };
        assert_eq!((encoding.as_str(), estimate, cached), ("sparse", 5, None));
        assert_eq!(histogram.iter().sum::<u32>(), 16_384);
        assert_eq!(histogram[0], 16_384 - 5);
        // PFCOUNT caches its count in the header; a PFADD that changes a register voids it,
        // and the inspector's own count caches nothing.
        run(&mut e, id, "PFCOUNT visitors");
        let Body::HyperLogLog(Registers::Valid { cached, .. }) = open(&e, "visitors", 0).body
        else {
            panic!()
        };
        assert_eq!(cached, Some(5));
        run(&mut e, id, "PFADD visitors f");
        let Body::HyperLogLog(Registers::Valid {
            estimate, cached, ..
        }) = open(&e, "visitors", 0).body
        else {
            panic!()
        };
        assert_eq!((estimate, cached), (6, None));
        run(&mut e, id, "PFDEBUG TODENSE visitors");
        let Body::HyperLogLog(Registers::Valid { encoding, .. }) = open(&e, "visitors", 0).body
        else {
            panic!()
        };
        assert_eq!(encoding, "dense");
        // What PFCOUNT refuses, the inspector calls corrupted.
        run(&mut e, id, "PFADD broken x");
        run(&mut e, id, "APPEND broken hello");
        assert!(run(&mut e, id, "PFCOUNT broken")[0].is_error());
        assert_eq!(
            open(&e, "broken", 0).body,
            Body::HyperLogLog(Registers::Corrupted)
        );
    }

    #[test]
    fn a_geo_set_is_a_map_with_the_last_search_drawn() {
        let (mut e, id) = engine_with(&[
            "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
            "ZADD ranks 1 a 2 b",
            "ZADD window 1767258000123 r1",
        ]);
        let page = open(&e, "Sicily", 0);
        assert_eq!(page.forms, [Form::Map, Form::Ranked]);
        let Body::Map(map) = page.body else {
            panic!("{page:?}")
        };
        let geopos = keyspace::cli::format_raw(&run(&mut e, id, "GEOPOS Sicily Palermo")[0]);
        let printed = &map.page[0].printed;
        assert_eq!(format!("{}\n{}\n", printed[0], printed[1]), geopos);
        assert_eq!(map.drawn.len(), 2);
        assert!(map.search.is_none() && map.page.iter().all(|p| !p.found));
        // Small integers and millisecond timestamps are offered as a map, not shown as one.
        assert_eq!(open(&e, "ranks", 0).forms, [Form::Ranked, Form::Map]);
        assert_eq!(open(&e, "window", 0).forms, [Form::Ranked, Form::Map]);
        assert!(matches!(
            open_as(&e, "ranks", Form::Map, 0).body,
            Body::Map(_)
        ));
        // The last search of the key is drawn, and the places it found are marked.
        run(
            &mut e,
            id,
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 100 km ASC",
        );
        let Body::Map(map) = open(&e, "Sicily", 0).body else {
            panic!()
        };
        let search = map.search.expect("the search");
        assert_eq!(
            (search.center, search.radius_m, search.words.as_str()),
            ([15.0, 37.0], Some(100_000.0), "BYRADIUS 100 km")
        );
        let found: Vec<_> = map
            .page
            .iter()
            .map(|p| (p.member.as_str(), p.found))
            .collect();
        assert_eq!(found, [("Palermo", false), ("Catania", true)]);
        run(
            &mut e,
            id,
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 200 mi",
        );
        let Body::Map(map) = open(&e, "Sicily", 0).body else {
            panic!()
        };
        let search = map.search.expect("the search");
        assert_eq!(search.words, "BYBOX 400 200 mi");
        assert_eq!(search.box_m, Some([400.0 * 1609.34, 200.0 * 1609.34]));
        assert!(map.page.iter().all(|p| p.found));
        // Another key's search is not this one's.
        run(&mut e, id, "GEOADD other 0 0 x");
        run(&mut e, id, "GEOSEARCH other FROMLONLAT 0 0 BYRADIUS 1 m");
        let Body::Map(map) = open(&e, "Sicily", 0).body else {
            panic!()
        };
        assert!(map.search.is_none());
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
                Body::Map(map) => map.page.iter().map(|x| x.changed).collect(),
                Body::Stream(s) => s.entries.iter().map(|x| x.changed).collect(),
                Body::Missing | Body::Bits(_) | Body::HyperLogLog(_) => vec![],
            }
        };
        let mut before = Snapshot::take(e.db(0), &query("l"));
        run(&mut e, id, "LPUSH l a");
        let after = inspect(e.db(0), &query("l"), Some(&mut before), None, 0);
        assert_eq!(changed(&after.body), [true, false, false, false]);

        let mut before = Snapshot::take(e.db(0), &query("h"));
        run(&mut e, id, "HSET h g 3");
        let after = inspect(e.db(0), &query("h"), Some(&mut before), None, 0);
        assert_eq!(changed(&after.body), [false, true]);

        let mut before = Snapshot::take(e.db(0), &query("z"));
        run(&mut e, id, "ZINCRBY z 5 a");
        let after = inspect(e.db(0), &query("z"), Some(&mut before), None, 0);
        assert_eq!(changed(&after.body), [false, true], "a moved to the top");

        let mut before = Snapshot::take(e.db(0), &query("new"));
        run(&mut e, id, "SADD new x y");
        let after = inspect(e.db(0), &query("new"), Some(&mut before), None, 0);
        assert_eq!(
            changed(&after.body),
            [true, true],
            "a new key is new throughout"
        );

        run(&mut e, id, "GEOADD places 13.361389 38.115556 Palermo");
        let mut before = Snapshot::take(e.db(0), &query("places"));
        run(&mut e, id, "GEOADD places 15.087269 37.502669 Catania");
        let after = inspect(e.db(0), &query("places"), Some(&mut before), None, 0);
        assert_eq!(changed(&after.body), [false, true], "the place added");
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
