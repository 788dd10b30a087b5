//! SORT and SORT_RO (Redis's `sort.c`): the elements of a list, set or sorted set, sorted as
//! numbers or as strings, by themselves or by keys they name, paged by LIMIT, replaced on the
//! way out by keys they name (GET), and with SORT ... STORE kept as a list.
//!
//! # How Redis sorts, and why the order is what it is
//!
//! Redis loads the elements into a vector and gives each a *weight*: the element itself, or,
//! with `BY pattern`, the value of the key that the pattern names once its first `*` is
//! replaced by the element (`weight_*` → `weight_7`; `h_*->f` reads field `f` of hash
//! `h_7`). A missing weight key weighs 0 (ALPHA: sorts first). Without ALPHA every weight is
//! read with C's `strtod`, and one that is not wholly a number, is NaN or is out of range
//! (glibc's `ERANGE`: overflow, or a result too small for a normal double) fails the whole
//! command with "One or more scores can't be converted into double" — after every weight was
//! looked up, so the lookups count as hits and misses all the same. (Redis 7.0 does not reset
//! `errno` before that strtod, so after one such failure its later numeric SORTs fail too
//! until some other call resets `errno`: state of the process, not of the data, which we do
//! not imitate.)
//!
//! The vector is then sorted with libc's `qsort`, which glibc implements as a *stable* merge
//! sort, so ties keep the load order. Numeric ties are broken by comparing the elements' bytes
//! (so `SORT l BY nosuch_*` sorts by the elements themselves); ALPHA compares with `strcoll`,
//! which under the C locale Redis runs with is `strcmp` (up to a NUL byte), except when
//! storing, where it compares whole byte strings. DESC negates the comparison, which leaves
//! ties in load order. We sort the same way, with Rust's stable sort. (Redis switches to its
//! own unstable partial quicksort when BY and LIMIT go together; only ALPHA ties by weight
//! could tell, and their order there is Redis's accident, not a promise.)
//!
//! A `BY` pattern without `*` (conventionally `BY nosort`) means *do not sort*: a list or a
//! sorted set is then read in its own order (from the far end with DESC), LIMIT taking just
//! the range asked for; a set is read in its iteration order, DESC ignored — except with
//! STORE, where Redis sorts the set by ALPHA anyway so the stored list is reproducible.
//!
//! Sorting a sorted set converts it to a skip list for good, as Redis's `zsetConvert` does
//! (SORT_RO included): OBJECT ENCODING says `skiplist` afterwards.
//!
//! LIMIT offset count is clamped as `sortCommandGeneric` clamps it: a negative offset is 0, a
//! negative count means all, an offset past the end selects nothing. `GET #` is the element
//! itself; a GET of a missing key (or a key of another type, or a missing hash field) is nil,
//! or an empty string when storing. STORE writes a list (replacing any value and its TTL,
//! announced `sortstore`) or deletes the destination when the result is empty, and answers
//! the number of values stored.

use std::cmp::Ordering;

use crate::args::{is, parse_i64, strtod};
use crate::cmd::set::store_result;
use crate::db::Value;
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::List;

const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

/// SORT's and SORT_RO's key specs: the key sorted, the keys BY and GET name, SORT's STORE.
const SORTED_KEY: KeySpec = KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1);
const BY_GET_KEYS: KeySpec = KeySpec::unknown(key_flag::RO | key_flag::ACCESS).notes(
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive \
     from the content of the key we sort",
);
const STORE_KEY: KeySpec = KeySpec::unknown(key_flag::OW | key_flag::UPDATE).notes(
    "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear \
     anywhere in the argument array",
);

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: flag::WRITE | flag::DENYOOM | flag::MOVABLEKEYS
            | flag::ACL_LIST
            | flag::ACL_SET
            | flag::ACL_SORTEDSET
            | flag::ACL_DANGEROUS,
        group: "generic",
        since: "1.0.0",
        summary: "Sorts the elements of a list, set or sorted set, or the keys they name; can store the result as a list.",
        syntax: "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]",
        complexity: COMPLEXITY,
        keys: &[SORTED_KEY, BY_GET_KEYS, STORE_KEY],
        tips: &[],
        handler: Some(sort),
        subcommands: &[],
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: flag::READONLY | flag::MOVABLEKEYS
            | flag::ACL_LIST
            | flag::ACL_SET
            | flag::ACL_SORTEDSET
            | flag::ACL_DANGEROUS,
        group: "generic",
        since: "7.0.0",
        summary: "Sorts the elements of a list, set or sorted set, or the keys they name (SORT without STORE).",
        syntax: "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]",
        complexity: COMPLEXITY,
        keys: &[SORTED_KEY, BY_GET_KEYS],
        tips: &[],
        handler: Some(sort_ro),
        subcommands: &[],
    },
];

/// Where SORT's STORE destination is, for COMMAND GETKEYS: Redis's `sortGetKeys`, which skips
/// the arguments of LIMIT (2), GET and BY (1) and takes the last `STORE` followed by anything.
pub(crate) fn store_key_index(argv: &[Vec<u8>]) -> Option<usize> {
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let word = &argv[i];
        if is(word, "limit") {
            i += 2;
        } else if is(word, "get") || is(word, "by") {
            i += 1;
        } else if is(word, "store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    store
}

/// SORT's options, as `sortCommandGeneric` reads them.
struct SortOptions<'a> {
    /// The BY pattern, when it has a `*` (one without means: do not sort).
    by: Option<&'a [u8]>,
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
    offset: i64,
    /// Negative: all.
    count: i64,
    desc: bool,
    alpha: bool,
    store: Option<&'a [u8]>,
}

impl<'a> SortOptions<'a> {
    /// Reads the options in any order, the last of a repeated one winning (GET adds up). A
    /// word without the arguments it needs, an unknown word, or STORE in SORT_RO is a syntax
    /// error; LIMIT's numbers must be integers.
    fn parse(args: &'a [Vec<u8>], readonly: bool) -> Result<SortOptions<'a>> {
        let mut options = SortOptions {
            by: None,
            dont_sort: false,
            gets: Vec::new(),
            offset: 0,
            count: -1,
            desc: false,
            alpha: false,
            store: None,
        };
        let mut j = 0;
        while j < args.len() {
            let (word, left) = (&args[j], args.len() - j - 1);
            if is(word, "asc") {
                options.desc = false;
            } else if is(word, "desc") {
                options.desc = true;
            } else if is(word, "alpha") {
                options.alpha = true;
            } else if is(word, "limit") && left >= 2 {
                options.offset = parse_i64(&args[j + 1])?;
                options.count = parse_i64(&args[j + 2])?;
                j += 2;
            } else if !readonly && is(word, "store") && left >= 1 {
                options.store = Some(&args[j + 1]);
                j += 1;
            } else if is(word, "by") && left >= 1 {
                // Once a BY without `*` was seen, a later BY does not bring sorting back.
                options.dont_sort |= !c_string(&args[j + 1]).contains(&b'*');
                options.by = Some(args[j + 1].as_slice());
                j += 1;
            } else if is(word, "get") && left >= 1 {
                options.gets.push(&args[j + 1]);
                j += 1;
            } else {
                return Err(Error::Syntax);
            }
            j += 1;
        }
        if options.dont_sort {
            options.by = None;
        }
        Ok(options)
    }
}

/// One element being sorted, with its weight.
struct Item {
    element: Vec<u8>,
    /// The numeric weight (0 when the BY key is missing).
    score: f64,
    /// The ALPHA weight read through BY; `None` when missing (or without BY).
    by_value: Option<Vec<u8>>,
}

impl Item {
    fn new(element: Vec<u8>) -> Item {
        Item {
            element,
            score: 0.0,
            by_value: None,
        }
    }
}

fn sort(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    sort_generic(engine, call, false)
}

fn sort_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    sort_generic(engine, call, true)
}

/// ```text
/// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]
/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]
/// ```
/// The sorted elements (or, with GET, one value per GET pattern per element), or with STORE
/// the number of values stored. Checked in Redis's order: the options, then the key's type (a
/// missing key sorts as an empty list), then the weights. See the module comment.
fn sort_generic(engine: &mut Engine, call: &Call<'_>, readonly: bool) -> CommandResult {
    let mut options = SortOptions::parse(&call.argv[2..], readonly)?;
    let db = call.db;
    let from_script = call.client == crate::script::SCRIPT_CLIENT;
    let (mut items, start, end) = load(engine, db, &call.argv[1], &mut options, from_script)?;
    if !options.dont_sort {
        let mut convertible = true;
        for item in &mut items {
            let by_value = match options.by {
                Some(pattern) => match lookup_by_pattern(engine, db, pattern, &item.element) {
                    Some(value) => Some(value),
                    None => continue,
                },
                None => None,
            };
            if options.alpha {
                item.by_value = by_value;
                continue;
            }
            match strtod(by_value.as_deref().unwrap_or(&item.element)) {
                Some((score, false)) if !score.is_nan() => item.score = score,
                _ => convertible = false,
            }
        }
        if !convertible {
            return Err(Error::SortNotDouble);
        }
        let storing = options.store.is_some();
        engine.charge(crate::cost::SORT_COMPARE_NS * crate::cost::sort_comparisons(items.len()));
        items.sort_by(|a, b| {
            let order = compare(a, b, options.alpha, options.by.is_some(), storing);
            if options.desc {
                order.reverse()
            } else {
                order
            }
        });
    }
    let selected = usize::try_from(start)
        .ok()
        .and_then(|start| items.get(start..=usize::try_from(end).ok()?))
        .unwrap_or_default();
    let mut values = Vec::with_capacity(selected.len() * options.gets.len().max(1));
    for item in selected {
        if options.gets.is_empty() {
            values.push(Some(item.element.clone()));
        }
        for pattern in &options.gets {
            values.push(lookup_by_pattern(engine, db, pattern, &item.element));
        }
    }
    let Some(destination) = options.store else {
        return Ok(Reply::Array(values.into_iter().map(Reply::bulk_or_null).collect()).into());
    };
    let len = values.len();
    let list: List = values.into_iter().map(Option::unwrap_or_default).collect();
    store_result(
        engine,
        db,
        destination,
        Value::list(list),
        NotifyClass::List,
        "sortstore",
    );
    Ok(Reply::Integer(len as i64).into())
}

/// Reads the elements to sort and clamps LIMIT to them, as `sortCommandGeneric` does: returns
/// the elements and the inclusive range of them to answer (empty when `end < start`). When not
/// sorting, a list or a sorted set gives just that range, in its own order or reversed for
/// DESC, and the range is then all of it; a set to be stored, or read by a script, is sorted
/// ALPHA instead (its order would otherwise differ between a primary and its replicas).
fn load(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    options: &mut SortOptions<'_>,
    from_script: bool,
) -> Result<(Vec<Item>, i64, i64)> {
    let empty = Value::list(List::new());
    if let Some(Value::ZSet(_)) = engine.lookup_read(db, key) {
        // Redis converts a sorted set to a skip list before sorting it, SORT_RO too. The key
        // was just looked up through the door; this only takes it mutably.
        if let Some(Value::ZSet(zset)) = engine.dbs[db].keys.get_mut(key).map(|e| &mut e.value) {
            zset.convert_to_skiplist();
        }
    }
    let value = engine.dbs[db].keys.get(key).map_or(&empty, |e| &e.value);
    let len = match value {
        Value::List(list) => list.len(),
        Value::Set(set) => set.len(),
        Value::ZSet(zset) => zset.len(),
        _ => return Err(Error::WrongType),
    } as i64;
    let fixed_order = options.store.is_some() || from_script;
    if options.dont_sort && fixed_order && matches!(value, Value::Set(_)) {
        options.dont_sort = false;
        options.alpha = true;
    }
    let mut start = options.offset.max(0);
    let mut end = if options.count < 0 {
        len - 1
    } else {
        start.saturating_add(options.count) - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    end = end.min(len - 1);
    let in_order = options.dont_sort && !matches!(value, Value::Set(_));
    if !in_order {
        let elements: Vec<Vec<u8>> = match value {
            Value::List(list) => list.iter().cloned().collect(),
            Value::Set(set) => set.iter().collect(),
            Value::ZSet(zset) => (0..zset.len())
                .filter_map(|i| zset.get_index(i).map(|(m, _)| m.to_vec()))
                .collect(),
            _ => Vec::new(),
        };
        return Ok((elements.into_iter().map(Item::new).collect(), start, end));
    }
    let Ok(first) = usize::try_from(start) else {
        return Ok((Vec::new(), 0, -1));
    };
    let wanted = usize::try_from(end - start + 1).unwrap_or(0);
    let desc = options.desc;
    let elements: Vec<Vec<u8>> = match value {
        Value::List(list) if desc => list
            .iter()
            .rev()
            .skip(first)
            .take(wanted)
            .cloned()
            .collect(),
        Value::List(list) => list.iter().skip(first).take(wanted).cloned().collect(),
        Value::ZSet(zset) => zset
            .iter_from(first, desc)
            .take(wanted)
            .map(|(m, _)| m.to_vec())
            .collect(),
        _ => Vec::new(),
    };
    let end = elements.len() as i64 - 1;
    Ok((elements.into_iter().map(Item::new).collect(), 0, end))
}

/// `sortCompare`: numeric weights, ties broken by the elements' bytes; or ALPHA, on the BY
/// values (a missing one first) or on the elements, with `strcoll` (`strcmp` under the C
/// locale) unless storing, which compares whole byte strings.
fn compare(a: &Item, b: &Item, alpha: bool, by: bool, storing: bool) -> Ordering {
    let strings = |x: &[u8], y: &[u8]| {
        if storing {
            x.cmp(y)
        } else {
            c_string(x).cmp(c_string(y))
        }
    };
    match (alpha, by) {
        (false, _) => a
            .score
            .partial_cmp(&b.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.element.cmp(&b.element)),
        (true, true) => match (&a.by_value, &b.by_value) {
            (Some(x), Some(y)) => strings(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        },
        (true, false) => strings(&a.element, &b.element),
    }
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the pattern's first `*`
/// is replaced by the element to name a key, and a `->field` after the `*` reads that field of
/// a hash there. The key is looked up as a read (counting a hit or a miss); a missing key, a
/// value of the wrong type, a missing field or a pattern without `*` gives `None`. Patterns
/// are scanned as C strings (up to a NUL), as Redis scans them with `strchr` and `strstr`.
fn lookup_by_pattern(
    engine: &mut Engine,
    db: usize,
    pattern: &[u8],
    element: &[u8],
) -> Option<Vec<u8>> {
    if c_string(pattern) == b"#" {
        return Some(element.to_vec());
    }
    let star = c_string(pattern).iter().position(|&b| b == b'*')?;
    let after_star = &c_string(pattern)[star + 1..];
    let field_at = after_star
        .windows(2)
        .position(|w| w == b"->")
        .filter(|&at| at + 2 < after_star.len())
        .map(|at| star + 1 + at);
    let postfix_end = field_at.unwrap_or(pattern.len());
    let key = [&pattern[..star], element, &pattern[star + 1..postfix_end]].concat();
    match (engine.lookup_read(db, &key)?, field_at) {
        (Value::String(s), None) => Some(s.to_vec()),
        (Value::Hash(hash), Some(at)) => hash.get(&pattern[at + 2..]).map(<[u8]>::to_vec),
        _ => None,
    }
}

/// `bytes` as C reads a string: up to its first NUL.
fn c_string(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}
