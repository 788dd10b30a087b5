//! The geo family (Redis's `geo.c`): GEOADD, GEOPOS, GEODIST, GEOHASH, and the searches
//! GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS, GEORADIUSBYMEMBER and their read-only
//! forms. The geohash arithmetic is in `crate::geohash`.
//!
//! A geo set is a sorted set (TYPE says `zset`, every sorted-set command works on it) whose
//! scores are 52-bit geohashes. GEOADD is ZADD underneath: it turns each longitude, latitude
//! and member into a score and member and runs ZADD with its NX, XX and CH, announcing `zadd`
//! and logging the ZADD itself, as Redis rewrites its command vector.
//!
//! All the searches are one [`search_generic`], as Redis's `georadiusGeneric`: arguments are
//! read in Redis's order with its errors, the nine boxes around the centre read as score
//! ranges of the sorted set, each place in them decoded and kept if it lies within the shape.
//! Results come in the order they were found unless ASC or DESC (or COUNT without ANY, which
//! implies ASC) asks for a sort by distance: a stable sort of all of them, or when COUNT
//! keeps fewer, Redis's partial quicksort ([`partial_sort`]), whose order among equal
//! distances is its own and is followed exactly. Distances are printed with four decimals,
//! coordinates as `%.17Lf`.

use std::cmp::Ordering;

use crate::args::{is, parse_f64, parse_i64};
use crate::cmd::zset::{limits, read_zset};
use crate::db::Value;
use crate::engine::{Call, Engine, GeoSearched};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::geohash::{self, HashBits, Shape, ShapeKind};
use crate::reply::Reply;
use crate::spec::{flag, key_flag, row, CommandResult, CommandSpec, KeySpec};
use crate::types::zset::{SortedSet, ZRange};

/// Every command of this family is in Redis's `geo` group.
const GROUP: &str = "geo";

/// The key is only read.
const READS: &[KeySpec] = &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)];
/// The source read, and a STORE or STOREDIST destination found after its keyword, searched
/// from argument `$from` on.
macro_rules! radius_keys {
    ($from:expr) => {
        &[
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1),
            KeySpec::keyword(key_flag::OW | key_flag::UPDATE, "STORE", $from, 0, 1, 0),
            KeySpec::keyword(key_flag::OW | key_flag::UPDATE, "STOREDIST", $from, 0, 1, 0),
        ]
    };
}
const RADIUS: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";
const W: u32 = flag::WRITE | flag::DENYOOM;
const R: u32 = flag::READONLY;

pub static COMMANDS: &[CommandSpec] = &[
    row(GROUP, "geoadd", -5, W, "3.2.0",
        "Adds places to a geo set (a sorted set scored by geohash), or moves them; NX, XX and CH as ZADD's.",
        "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]",
        "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)], geoadd),
    row(GROUP, "geodist", -4, R, "3.2.0",
        "Returns the distance between two places, in metres or the unit given.",
        "key member1 member2 [M | KM | FT | MI]", "O(log(N))", READS, geodist),
    row(GROUP, "geohash", -2, R, "3.2.0", "Returns places as standard 11-character geohash strings.",
        "key member [member ...]",
        "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
        READS, geohash),
    row(GROUP, "geopos", -2, R, "3.2.0", "Returns the longitude and latitude of places.",
        "key member [member ...]", "O(N) where N is the number of members requested.",
        READS, geopos),
    row(GROUP, "georadius", -6, W | flag::MOVABLEKEYS, "3.2.0",
        "Finds the places within a radius of a point, optionally storing them (use GEOSEARCH).",
        "key longitude latitude radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
        RADIUS, radius_keys!(6), georadius),
    row(GROUP, "georadius_ro", -6, R, "3.2.10",
        "Finds the places within a radius of a point (use GEOSEARCH).",
        "key longitude latitude radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
        RADIUS, READS, georadius_ro),
    row(GROUP, "georadiusbymember", -5, W | flag::MOVABLEKEYS, "3.2.0",
        "Finds the places within a radius of a member, optionally storing them (use GEOSEARCH).",
        "key member radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
        RADIUS, radius_keys!(5), georadiusbymember),
    row(GROUP, "georadiusbymember_ro", -5, R, "3.2.10",
        "Finds the places within a radius of a member (use GEOSEARCH).",
        "key member radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
        RADIUS, READS, georadiusbymember_ro),
    row(GROUP, "geosearch", -7, R, "6.2.0",
        "Finds the places within a radius or a box around a member or a point.",
        "key (FROMMEMBER member | FROMLONLAT longitude latitude) (BYRADIUS radius (M | KM | FT | MI) | BYBOX width height (M | KM | FT | MI)) [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
        SEARCH, READS, geosearch),
    row(GROUP, "geosearchstore", -8, W, "6.2.0",
        "Stores the places within a radius or a box in a sorted set, by geohash or by distance.",
        "destination source (FROMMEMBER member | FROMLONLAT longitude latitude) (BYRADIUS radius (M | KM | FT | MI) | BYBOX width height (M | KM | FT | MI)) [ASC | DESC] [COUNT count [ANY]] [STOREDIST]",
        SEARCH,
        &[
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, 0, 1),
        ],
        geosearchstore),
];

/// A unit's metres (Redis's `extractUnitOrReply`).
fn unit(arg: &[u8]) -> Result<f64> {
    geohash::UNITS
        .into_iter()
        .find_map(|(name, metres)| is(arg, name).then_some(metres))
        .ok_or(Error::GeoUnit)
}

/// A longitude and a latitude (Redis's `extractLongLatOrReply`): both numbers first, then
/// both within the limits.
fn lon_lat(args: &[Vec<u8>]) -> Result<[f64; 2]> {
    let (longitude, latitude) = (parse_f64(&args[0])?, parse_f64(&args[1])?);
    let longitudes = geohash::LONG_MIN..=geohash::LONG_MAX;
    let latitudes = geohash::LAT_MIN..=geohash::LAT_MAX;
    if !longitudes.contains(&longitude) || !latitudes.contains(&latitude) {
        return Err(Error::invalid_lon_lat(longitude, latitude));
    }
    Ok([longitude, latitude])
}

/// A number and its unit, as the searches read a radius, width or height.
fn measure(arg: &[u8], what: &'static str) -> Result<f64> {
    parse_f64(arg).map_err(|_| Error::GeoNeedNumeric(what))
}

/// `radius unit`: the radius and the unit's metres (Redis's `extractDistanceOrReply`).
fn radius_and_unit(args: &[Vec<u8>]) -> Result<(ShapeKind, f64)> {
    let radius = measure(&args[0], "radius")?;
    if radius < 0.0 {
        return Err(Error::GeoRadiusNegative);
    }
    Ok((ShapeKind::Radius(radius), unit(&args[1])?))
}

/// `width height unit` (Redis's `extractBoxOrReply`).
fn box_and_unit(args: &[Vec<u8>]) -> Result<(ShapeKind, f64)> {
    let width = measure(&args[0], "width")?;
    let height = measure(&args[1], "height")?;
    if width < 0.0 || height < 0.0 {
        return Err(Error::GeoBoxNegative);
    }
    Ok((ShapeKind::Box { width, height }, unit(&args[2])?))
}

/// A member's place, decoded from its score.
fn member_position(zset: &SortedSet, member: &[u8]) -> Option<[f64; 2]> {
    zset.score(member).map(geohash::decode_score)
}

/// A distance as Redis's `addReplyDoubleDistance` writes it: four decimals, the last rounded
/// half to even (`fixedpoint_d2string` scales by 10^4 and rounds with `llrint`).
fn distance_text(d: f64) -> String {
    let scaled = (d * 10_000.0).round_ties_even() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let scaled = scaled.unsigned_abs();
    format!("{sign}{}.{:04}", scaled / 10_000, scaled % 10_000)
}

// --- GEOADD ----------------------------------------------------------------------------------

/// The ZADD a GEOADD runs, and logs (Redis's `geoaddCommand`): its NX, XX and CH as given,
/// then each place's 52-bit score and member. Refused as a syntax error when the places do
/// not come in threes or NX meets XX, else with the first bad coordinate's error.
pub(crate) fn geoadd_as_zadd(argv: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
    let mut first = 2;
    let (mut nx, mut xx) = (false, false);
    while let Some(option) = argv.get(first) {
        if is(option, "nx") {
            nx = true;
        } else if is(option, "xx") {
            xx = true;
        } else if !is(option, "ch") {
            break;
        }
        first += 1;
    }
    let places = &argv[first..];
    if !places.len().is_multiple_of(3) || (nx && xx) {
        return Err(Error::Syntax);
    }
    let mut zadd = Vec::with_capacity(first + places.len() / 3 * 2);
    zadd.push(b"zadd".to_vec());
    zadd.extend_from_slice(&argv[1..first]);
    for place in places.chunks_exact(3) {
        let [longitude, latitude] = lon_lat(place)?;
        zadd.push(
            geohash::score_of(longitude, latitude)
                .to_string()
                .into_bytes(),
        );
        zadd.push(place[2].clone());
    }
    Ok(zadd)
}

/// ```text
/// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]
/// ```
/// Adds the places (or moves members already there) and answers how many were added (with
/// CH, added or moved): ZADD on their geohashes.
fn geoadd(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let zadd = geoadd_as_zadd(call.argv)?;
    let call = Call {
        argv: &zadd,
        ..*call
    };
    crate::cmd::zset::zadd(engine, &call)
}

// --- GEOPOS, GEODIST, GEOHASH ------------------------------------------------------------------

/// ```text
/// GEOPOS key [member [member ...]]
/// ```
/// Each member's [longitude, latitude] (its geohash box's centre), or a null array for a
/// member (or key) that is missing.
fn geopos(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let zset = read_zset(engine, call.db, &call.argv[1])?;
    let positions = call.argv[2..]
        .iter()
        .map(
            |member| match zset.and_then(|z| member_position(z, member)) {
                Some([longitude, latitude]) => Reply::Array(vec![
                    Reply::HumanDouble(longitude),
                    Reply::HumanDouble(latitude),
                ]),
                None => Reply::NullArray,
            },
        )
        .collect();
    Ok(Reply::Array(positions).into())
}

/// ```text
/// GEODIST key member1 member2 [M | KM | FT | MI]
/// ```
/// The distance between two members on the Earth's sphere, in metres or the unit given,
/// with four decimals; nil when the key or either member is missing.
fn geodist(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let metres = match &call.argv[4..] {
        [] => 1.0,
        [given] => unit(given)?,
        _ => return Err(Error::Syntax),
    };
    let Some(zset) = read_zset(engine, call.db, &call.argv[1])? else {
        return Ok(Reply::Null.into());
    };
    let (Some(a), Some(b)) = (
        member_position(zset, &call.argv[2]),
        member_position(zset, &call.argv[3]),
    ) else {
        return Ok(Reply::Null.into());
    };
    let d = geohash::distance(a[0], a[1], b[0], b[1]) / metres;
    Ok(Reply::bulk(distance_text(d)).into())
}

/// ```text
/// GEOHASH key [member [member ...]]
/// ```
/// Each member's standard 11-character geohash (decodable by geohash.org), or nil.
fn geohash(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let zset = read_zset(engine, call.db, &call.argv[1])?;
    let hashes = call.argv[2..]
        .iter()
        .map(|member| match zset.and_then(|z| z.score(member)) {
            Some(score) => Reply::bulk(geohash::geohash_string(score).to_vec()),
            None => Reply::Null,
        })
        .collect();
    Ok(Reply::Array(hashes).into())
}

// --- The searches ----------------------------------------------------------------------------

/// Which search command runs, as Redis's `georadiusGeneric` flags tell them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// GEORADIUS: a longitude, latitude, radius and unit first.
    Radius,
    /// GEORADIUSBYMEMBER: a member, radius and unit first.
    RadiusByMember,
    /// GEOSEARCH: FROM... and BY... among the options.
    Search,
    /// GEOSEARCHSTORE: the destination first, then as GEOSEARCH.
    SearchStore,
}

/// ```text
/// GEORADIUS key longitude latitude radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST]
///     [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
/// ```
/// The places within `radius` of a point (GEOSEARCH ... FROMLONLAT ... BYRADIUS, which
/// replaced it in 6.2); with STORE or STOREDIST, stored in a sorted set instead, by geohash
/// or by distance, and their number answered.
fn georadius(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::Radius, true)
}

/// ```text
/// GEORADIUS_RO key longitude latitude radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST]
///     [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
/// ```
/// GEORADIUS without STORE, for read-only connections.
fn georadius_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::Radius, false)
}

/// ```text
/// GEORADIUSBYMEMBER key member radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH]
///     [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
/// ```
/// GEORADIUS around a member of the set; a member the set lacks is an error, a missing key
/// is no result, whatever the radius says.
fn georadiusbymember(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::RadiusByMember, true)
}

/// ```text
/// GEORADIUSBYMEMBER_RO key member radius (M | KM | FT | MI) [WITHCOORD] [WITHDIST]
///     [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
/// ```
/// GEORADIUSBYMEMBER without STORE, for read-only connections.
fn georadiusbymember_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::RadiusByMember, false)
}

/// ```text
/// GEOSEARCH key (FROMMEMBER member | FROMLONLAT longitude latitude)
///     (BYRADIUS radius (M | KM | FT | MI) | BYBOX width height (M | KM | FT | MI))
///     [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
/// ```
/// The places within a circle or a box around a member or a point: exactly one FROM and one
/// BY, each at most once.
fn geosearch(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::Search, false)
}

/// ```text
/// GEOSEARCHSTORE destination source (FROMMEMBER member | FROMLONLAT longitude latitude)
///     (BYRADIUS radius (M | KM | FT | MI) | BYBOX width height (M | KM | FT | MI))
///     [ASC | DESC] [COUNT count [ANY]] [STOREDIST]
/// ```
/// GEOSEARCH's places stored in `destination` (replacing it, or deleting it when none is
/// found), scored by geohash or with STOREDIST by distance; answers how many.
fn geosearchstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    search_generic(engine, call, Form::SearchStore, false)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// Everything a search was asked, once its arguments are read.
struct Search<'a> {
    shape: Shape,
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    sort: Sort,
    /// ANY: stop as soon as COUNT places are found.
    any: bool,
    /// COUNT, 0 when not given.
    count: usize,
    /// Where to store the result, and whether by distance (STOREDIST) rather than geohash.
    store: Option<(&'a [u8], bool)>,
}

/// A place found.
struct Point {
    longitude: f64,
    latitude: f64,
    /// Metres from the centre, then (before replying or storing) in the search's unit.
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

/// Reads a search's arguments as `georadiusGeneric` does, in its order: the fixed ones of
/// GEORADIUS (or the member of GEORADIUSBYMEMBER, whose radius is not even read when the key
/// is missing), then the options, each checked as it comes (FROMMEMBER's member is looked up
/// at once), then the combinations.
fn read_search<'a>(
    call: &'a Call<'_>,
    form: Form,
    may_store: bool,
    zset: Option<&SortedSet>,
) -> Result<Search<'a>> {
    let argv = call.argv;
    let mut search = Search {
        shape: Shape {
            center: [0.0, 0.0],
            conversion: 0.0,
            kind: ShapeKind::Radius(0.0),
        },
        withdist: false,
        withhash: false,
        withcoord: false,
        sort: Sort::None,
        any: false,
        count: 0,
        store: None,
    };
    let first_option = match form {
        Form::Radius => {
            search.shape.center = lon_lat(&argv[2..4])?;
            set_shape(&mut search, radius_and_unit(&argv[4..6])?);
            6
        }
        Form::RadiusByMember => {
            if let Some(zset) = zset {
                search.shape.center =
                    member_position(zset, &argv[2]).ok_or(Error::GeoMemberNotFound)?;
                set_shape(&mut search, radius_and_unit(&argv[3..5])?);
            }
            5
        }
        Form::Search => 2,
        Form::SearchStore => {
            search.store = Some((&argv[1], false));
            3
        }
    };
    let searching = matches!(form, Form::Search | Form::SearchStore);
    let (mut from_member, mut from_lon_lat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let mut i = first_option;
    while i < argv.len() {
        let arg = &argv[i];
        let more = argv.len() - i - 1;
        if is(arg, "withdist") {
            search.withdist = true;
        } else if is(arg, "withhash") {
            search.withhash = true;
        } else if is(arg, "withcoord") {
            search.withcoord = true;
        } else if is(arg, "any") {
            search.any = true;
        } else if is(arg, "asc") {
            search.sort = Sort::Asc;
        } else if is(arg, "desc") {
            search.sort = Sort::Desc;
        } else if is(arg, "count") && more >= 1 {
            let count = parse_i64(&argv[i + 1])?;
            if count <= 0 {
                return Err(Error::GeoCountNotPositive);
            }
            search.count = usize::try_from(count).unwrap_or(usize::MAX);
            i += 1;
        } else if (is(arg, "store") || is(arg, "storedist")) && more >= 1 && may_store {
            search.store = Some((&argv[i + 1], is(arg, "storedist")));
            i += 1;
        } else if is(arg, "storedist") && form == Form::SearchStore {
            search.store = Some((&argv[1], true));
        } else if is(arg, "frommember") && more >= 1 && searching && !from_lon_lat {
            // Without a key there is nothing to look the member up in: read on, and answer
            // as for a missing key.
            if let Some(zset) = zset {
                search.shape.center =
                    member_position(zset, &argv[i + 1]).ok_or(Error::GeoMemberNotFound)?;
            }
            from_member = true;
            i += 1;
        } else if is(arg, "fromlonlat") && more >= 2 && searching && !from_member {
            search.shape.center = lon_lat(&argv[i + 1..i + 3])?;
            from_lon_lat = true;
            i += 2;
        } else if is(arg, "byradius") && more >= 2 && searching && !by_box {
            set_shape(&mut search, radius_and_unit(&argv[i + 1..i + 3])?);
            by_radius = true;
            i += 2;
        } else if is(arg, "bybox") && more >= 3 && searching && !by_radius {
            set_shape(&mut search, box_and_unit(&argv[i + 1..i + 4])?);
            by_box = true;
            i += 3;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if search.store.is_some() && (search.withdist || search.withhash || search.withcoord) {
        return Err(Error::GeoStoreWithOptions(match form {
            Form::SearchStore => "GEOSEARCHSTORE",
            _ => "STORE option in GEORADIUS",
        }));
    }
    let typed = || String::from_utf8_lossy(&argv[0]).into_owned();
    if searching && !(from_member || from_lon_lat) {
        return Err(Error::GeoNeedsFrom(typed()));
    }
    if searching && !(by_radius || by_box) {
        return Err(Error::GeoNeedsBy(typed()));
    }
    if search.any && search.count == 0 {
        return Err(Error::GeoAnyWithoutCount);
    }
    // COUNT keeps the nearest: without ANY it implies ASC.
    if search.count != 0 && search.sort == Sort::None && !search.any {
        search.sort = Sort::Asc;
    }
    Ok(search)
}

/// Sets a search's shape and unit.
fn set_shape(search: &mut Search<'_>, (kind, conversion): (ShapeKind, f64)) {
    search.shape.kind = kind;
    search.shape.conversion = conversion;
}

/// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms (`may_store` false), GEOSEARCH and
/// GEOSEARCHSTORE (Redis's `georadiusGeneric`).
fn search_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    form: Form,
    may_store: bool,
) -> CommandResult {
    let db = call.db;
    let source = &call.argv[if form == Form::SearchStore { 2 } else { 1 }];
    let limits = limits(engine);
    let zset = read_zset(engine, db, source)?;
    let search = read_search(call, form, may_store, zset)?;
    let Some(zset) = zset else {
        return match search.store {
            Some((destination, _)) => {
                if engine.db_delete(db, destination) {
                    engine.notify(NotifyClass::Generic, "del", db, destination);
                }
                Ok(Reply::Integer(0).into())
            }
            None => Ok(Reply::Array(Vec::new()).into()),
        };
    };
    let limit = if search.any { search.count } else { 0 };
    let mut points = points_in_boxes(
        zset,
        &geohash::search_boxes(&search.shape),
        &search.shape,
        limit,
    );
    engine.last_geo_search = Some(GeoSearched {
        db,
        key: source.clone(),
        shape: search.shape,
    });
    let returned = match search.count {
        0 => points.len(),
        count => count.min(points.len()),
    };
    let ascending = |a: &Point, b: &Point| a.dist.partial_cmp(&b.dist).unwrap_or(Ordering::Equal);
    match search.sort {
        Sort::None => {}
        Sort::Asc if returned == points.len() => points.sort_by(ascending),
        Sort::Desc if returned == points.len() => points.sort_by(|a, b| ascending(b, a)),
        Sort::Asc => partial_sort(&mut points, returned - 1, &ascending),
        Sort::Desc => partial_sort(&mut points, returned - 1, &|a, b| ascending(b, a)),
    }
    points.truncate(returned);
    for point in &mut points {
        point.dist /= search.shape.conversion;
    }
    match search.store {
        None => Ok(Reply::Array(
            points
                .into_iter()
                .map(|p| point_reply(p, &search))
                .collect(),
        )
        .into()),
        Some((destination, by_distance)) => {
            let stored = points.len();
            if stored == 0 {
                if engine.db_delete(db, destination) {
                    engine.notify(NotifyClass::Generic, "del", db, destination);
                }
                return Ok(Reply::Integer(0).into());
            }
            let pairs = points.into_iter().map(|p| {
                let score = if by_distance { p.dist } else { p.score };
                (p.member, score)
            });
            let result = SortedSet::from_pairs(pairs, limits);
            let event = match form {
                Form::Search | Form::SearchStore => "geosearchstore",
                _ => "georadiusstore",
            };
            engine.expire_if_needed(db, destination);
            engine.set_key(db, destination, Value::zset(result), false);
            engine.notify(NotifyClass::ZSet, event, db, destination);
            // Redis counts every member stored.
            engine.dirty += stored as u64 - 1;
            Ok(Reply::Integer(stored as i64).into())
        }
    }
}

/// One place as a search replies it: the member alone, or with (in this order, whatever the
/// options' order) its distance, its geohash score and its coordinates.
fn point_reply(point: Point, search: &Search<'_>) -> Reply {
    if !(search.withdist || search.withhash || search.withcoord) {
        return Reply::Bulk(point.member);
    }
    let mut fields = vec![Reply::Bulk(point.member)];
    if search.withdist {
        fields.push(Reply::bulk(distance_text(point.dist)));
    }
    if search.withhash {
        fields.push(Reply::Integer(point.score as i64));
    }
    if search.withcoord {
        fields.push(Reply::Array(vec![
            Reply::HumanDouble(point.longitude),
            Reply::HumanDouble(point.latitude),
        ]));
    }
    Reply::Array(fields)
}

/// The places of the nine boxes that lie within the shape, box by box in Redis's order, each
/// box's in score order (Redis's `membersOfAllNeighbors`). A box left out is skipped, and so is
/// one equal to the box searched just before (huge radii make neighbours coincide); with a
/// `limit` (ANY), the search stops once that many are found.
fn points_in_boxes(
    zset: &SortedSet,
    boxes: &[HashBits; 9],
    shape: &Shape,
    limit: usize,
) -> Vec<Point> {
    let mut points = Vec::new();
    let mut last_searched = 0;
    for (i, &hash) in boxes.iter().enumerate() {
        if hash.is_zero() {
            continue;
        }
        // Redis compares with the last box searched only once one besides the centre was.
        if last_searched != 0 && hash == boxes[last_searched] {
            continue;
        }
        if limit != 0 && points.len() >= limit {
            break;
        }
        points_in_box(zset, hash, shape, &mut points, limit);
        last_searched = i;
    }
    points
}

/// Appends the places of one box within the shape (Redis's `geoGetPointsInRange`): the
/// members scored from the box's first geohash (included) to the next box's (excluded).
fn points_in_box(
    zset: &SortedSet,
    hash: HashBits,
    shape: &Shape,
    points: &mut Vec<Point>,
    limit: usize,
) {
    let (min, max) = hash.score_range();
    let range = ZRange::Score {
        min: min as f64,
        max: max as f64,
        min_exclusive: false,
        max_exclusive: true,
    };
    let Some(first) = zset.first_in(&range, false) else {
        return;
    };
    for (member, score) in zset.iter_from(first, false) {
        if !range.below_max(score, member) {
            break;
        }
        let [longitude, latitude] = geohash::decode_score(score);
        if let Some(dist) = geohash::within(shape, [longitude, latitude]) {
            points.push(Point {
                longitude,
                latitude,
                dist,
                score,
                member: member.to_vec(),
            });
        }
        if limit != 0 && points.len() >= limit {
            break;
        }
    }
}

/// Redis's `pqsort`: Bentley and McIlroy's quicksort (median of three, or the ninther above
/// 40 elements; insertion sort below 7; equal elements gathered at both ends and swapped to
/// the middle), recursing only into the parts that overlap positions `0..=last`. Those end up
/// sorted, in the order this algorithm leaves equal elements in, which a stable sort would not
/// reproduce; the rest is left in no particular order.
fn partial_sort<T>(v: &mut [T], last: usize, compare: &dyn Fn(&T, &T) -> Ordering) {
    pqsort(v, 0, v.len(), compare, last);
}

fn pqsort<T>(
    v: &mut [T],
    mut a: usize,
    mut n: usize,
    cmp: &dyn Fn(&T, &T) -> Ordering,
    last: usize,
) {
    loop {
        if n < 7 {
            for m in a + 1..a + n {
                let mut l = m;
                while l > a && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut m = a + n / 2;
        if n > 7 {
            let (mut l, mut r) = (a, a + n - 1);
            if n > 40 {
                let d = n / 8;
                l = med3(v, l, l + d, l + 2 * d, cmp);
                m = med3(v, m - d, m, m + d, cmp);
                r = med3(v, r - 2 * d, r - d, r, cmp);
            }
            m = med3(v, l, m, r, cmp);
        }
        v.swap(a, m);
        let (mut pa, mut pb) = (a + 1, a + 1);
        let (mut pc, mut pd) = (a + n - 1, a + n - 1);
        loop {
            while pb <= pc {
                match cmp(&v[pb], &v[a]) {
                    Ordering::Greater => break,
                    Ordering::Equal => {
                        v.swap(pa, pb);
                        pa += 1;
                    }
                    Ordering::Less => {}
                }
                pb += 1;
            }
            while pb <= pc {
                match cmp(&v[pc], &v[a]) {
                    Ordering::Less => break,
                    Ordering::Equal => {
                        v.swap(pc, pd);
                        pd -= 1;
                    }
                    Ordering::Greater => {}
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let end = a + n;
        let r = (pa - a).min(pb - pa);
        swap_blocks(v, a, pb - r, r);
        let r = (pd - pc).min(end - pd - 1);
        swap_blocks(v, pb, end - r, r);
        // A part is sorted unless it starts after the wanted positions (they start at 0).
        let r = pb - pa;
        if r > 1 && a <= last {
            pqsort(v, a, r, cmp, last);
        }
        let r = pd - pc;
        if r > 1 && end - r <= last {
            a = end - r;
            n = r;
            continue;
        }
        return;
    }
}

/// The median of three positions.
fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &dyn Fn(&T, &T) -> Ordering) -> usize {
    use Ordering::*;
    if cmp(&v[a], &v[b]) == Less {
        if cmp(&v[b], &v[c]) == Less {
            b
        } else if cmp(&v[a], &v[c]) == Less {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) == Greater {
        b
    } else if cmp(&v[a], &v[c]) == Less {
        a
    } else {
        c
    }
}

/// Swaps the `n` elements from `a` with the `n` from `b`, pairwise.
fn swap_blocks<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_print_four_decimals() {
        assert_eq!(distance_text(0.0), "0.0000");
        assert_eq!(distance_text(166.27415156960032), "166.2742");
        assert_eq!(distance_text(6.064_295_159_839_17e-5), "0.0001");
        assert_eq!(distance_text(1.23456789), "1.2346");
        // A half after scaling goes to the even neighbour, as llrint rounds.
        assert_eq!(distance_text(2.5 / 10_000.0), "0.0002");
        assert_eq!(distance_text(3.5 / 10_000.0), "0.0004");
        assert_eq!(distance_text(12345.6), "12345.6000");
    }

    #[test]
    fn the_partial_sort_orders_the_wanted_prefix() {
        let mut v: Vec<u32> = (0..100).map(|i| (i * 37) % 101).collect();
        partial_sort(&mut v, 9, &|a: &u32, b: &u32| a.cmp(b));
        assert_eq!(&v[..10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let mut w: Vec<u32> = (0..50).rev().collect();
        partial_sort(&mut w, 49, &|a: &u32, b: &u32| a.cmp(b));
        assert!(w.windows(2).all(|p| p[0] <= p[1]));
    }

    #[test]
    fn geoadd_becomes_zadd() {
        let argv: Vec<Vec<u8>> = "GEOADD g CH 13.361389 38.115556 Palermo"
            .split(' ')
            .map(|w| w.as_bytes().to_vec())
            .collect();
        let zadd = geoadd_as_zadd(&argv).unwrap();
        let words: Vec<&[u8]> = zadd.iter().map(Vec::as_slice).collect();
        assert_eq!(
            words,
            [&b"zadd"[..], b"g", b"CH", b"3479099956230698", b"Palermo"]
        );
        let bad: Vec<Vec<u8>> = ["GEOADD", "g", "200", "1", "m"]
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        assert_eq!(
            geoadd_as_zadd(&bad).unwrap_err().to_string(),
            "ERR invalid longitude,latitude pair 200.000000,1.000000"
        );
    }
}
