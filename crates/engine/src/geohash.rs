//! Geohashes: a place on Earth as one 52-bit integer, the score a geo set keeps it under, and
//! the search of the neighbouring boxes that finds the places near another, all as Redis's
//! `geohash.c` and `geohash_helper.c` compute them, so that members, order, distances and
//! coordinates come out exactly as redis-server prints them.
//!
//! # The hash
//!
//! Longitude −180..180 and latitude −85.05112878..85.05112878 (the limits of the Web Mercator
//! projection, EPSG:3857: the poles cannot be indexed) are each cut in half 26 times ([`STEP_MAX`]):
//! a longitude becomes the 26-bit number of the slice it falls in, and so does a latitude.
//! Interleaving their bits, latitude in the even positions and longitude in the odd ones,
//! gives a 52-bit integer whose leading bits name a box and whose following bits name ever
//! smaller boxes inside it:
//!
//! ```text
//!   lat  bits  a1 a2 a3 ...      lon  bits  o1 o2 o3 ...
//!   hash       o1 a1 o2 a2 o3 a3 ...   (most significant first)
//! ```
//!
//! So places in the same box of 2×k bits share a prefix, and a sorted set ordered by that
//! integer keeps every box's places in one contiguous range of scores: a box is a
//! ZRANGEBYSCORE. A 52-bit integer is exact in a double, the sorted set's score. At 26 steps a
//! box is about 0.6 m on a side at the equator; decoding gives the box's centre, which is why
//! GEOPOS answers a position a few decimetres from the one given to GEOADD.
//!
//! # Searching
//!
//! A search by radius (or box) picks the box size from the radius: the step at which a box
//! is about as wide as the search ([`estimate_steps_by_radius`]: 40,075 km halved until it is
//! under twice the radius, fewer steps near the poles where boxes narrow), checks that the
//! boxes north, south, east and west of the centre's box reach past the search's bounding box
//! (else one step coarser), then reads nine ranges of scores: the centre's box and its eight
//! neighbours, leaving out the neighbours the bounding box does not reach. Each place found
//! is decoded and kept if its haversine distance (on a sphere of radius 6372797.560856 m, the
//! Earth's quadratic mean radius) is within the radius, or for a box if its north-south and
//! east-west distances are within half the box's height and width.
//!
//! Nine boxes can overlap for huge radii (thousands of km); a box equal to the one just
//! searched is skipped, as Redis skips it. The trigonometry is the platform's `sin`, `cos`,
//! `asin` and `sqrt`; natively that is the same C library Redis calls.

/// Steps of halving per coordinate: 26, so 52 bits in all.
pub const STEP_MAX: u8 = 26;
/// The Web Mercator limits (EPSG:900913 / EPSG:3785 / OSGEO:41001).
pub const LAT_MIN: f64 = -85.051_128_78;
pub const LAT_MAX: f64 = 85.051_128_78;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
/// The Earth's quadratic mean radius in WGS-84, the sphere the distances are measured on.
pub const EARTH_RADIUS_IN_METERS: f64 = 6_372_797.560_856;
/// The units a search or GEODIST takes, and their metres.
pub const UNITS: [(&str, f64); 4] = [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)];
/// Half the Earth's circumference in Web Mercator metres: where the step estimate starts.
const MERCATOR_MAX: f64 = 20_037_726.37;
/// Degrees to radians, as `M_PI / 180.0`.
const D_R: f64 = std::f64::consts::PI / 180.0;
/// GEOHASH's alphabet: base 32 without a, i, l, o.
const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

fn deg_rad(degrees: f64) -> f64 {
    degrees * D_R
}

fn rad_deg(radians: f64) -> f64 {
    radians / D_R
}

/// A geohash of `step` steps: `2 × step` significant bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    /// A neighbour left out of the search (Redis's `GZERO`).
    const ZERO: HashBits = HashBits { bits: 0, step: 0 };

    /// The 52-bit score of the box's first place (Redis's `geohashAlign52Bits`).
    pub fn align_52_bits(self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }

    /// The scores a box's places have: from its first (included) to the next box's first
    /// (excluded).
    pub fn score_range(self) -> (u64, u64) {
        let next = HashBits {
            bits: self.bits + 1,
            step: self.step,
        };
        (self.align_52_bits(), next.align_52_bits())
    }
}

/// A range of one coordinate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The longitudes and latitudes a geo set can hold.
pub const WGS84: (Range, Range) = (
    Range {
        min: LONG_MIN,
        max: LONG_MAX,
    },
    Range {
        min: LAT_MIN,
        max: LAT_MAX,
    },
);

/// The box a geohash names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

/// Spreads the low 32 bits of `x` to the even bits and those of `y` to the odd ones.
fn interleave64(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`interleave64`]: the even bits in the low half, the odd ones in the high.
fn deinterleave64(interleaved: u64) -> u64 {
    fn gather(v: u64) -> u64 {
        let mut v = v & 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF
    }
    gather(interleaved) | (gather(interleaved >> 1) << 32)
}

/// The geohash of a place within the ranges (the caller checks that it is), at `step` steps
/// (Redis's `geohashEncode`). Each coordinate's offset within its range, scaled by 2^step,
/// truncated to an integer.
pub fn encode(ranges: (Range, Range), longitude: f64, latitude: f64, step: u8) -> HashBits {
    let (long_range, lat_range) = ranges;
    let scale = (1u64 << step) as f64;
    let lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min) * scale;
    let long_offset = (longitude - long_range.min) / (long_range.max - long_range.min) * scale;
    HashBits {
        bits: interleave64(lat_offset as u32, long_offset as u32),
        step,
    }
}

/// The box a geohash names (Redis's `geohashDecode`).
pub fn decode(ranges: (Range, Range), hash: HashBits) -> Area {
    let (long_range, lat_range) = ranges;
    let separated = deinterleave64(hash.bits);
    let (lat_index, long_index) = (separated as u32, (separated >> 32) as u32);
    let scale = (1u64 << hash.step) as f64;
    // `index + 1` is 32-bit arithmetic in Redis: it wraps for the scores no GEOADD wrote.
    let edge =
        |range: Range, index: u32| range.min + (f64::from(index) / scale) * (range.max - range.min);
    Area {
        latitude: Range {
            min: edge(lat_range, lat_index),
            max: edge(lat_range, lat_index.wrapping_add(1)),
        },
        longitude: Range {
            min: edge(long_range, long_index),
            max: edge(long_range, long_index.wrapping_add(1)),
        },
    }
}

/// The centre of a 52-bit score's box, as [longitude, latitude] clamped to the WGS84 limits:
/// what GEOPOS answers and what searches measure from.
pub fn decode_score(score: f64) -> [f64; 2] {
    let area = decode(
        WGS84,
        HashBits {
            bits: score_bits(score),
            step: STEP_MAX,
        },
    );
    [
        ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX),
        ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX),
    ]
}

/// A score as C's `(uint64_t)` conversion on x86-64 reads it, for scores no GEOADD wrote
/// (a sorted set's member with a negative or huge score still decodes somewhere): below 2^63
/// truncated as a signed integer (or 2^63 when out of its range or NaN), from 2^63 on offset
/// by 2^63 first.
fn score_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let signed = |v: f64| {
        if (-TWO_63..TWO_63).contains(&v) {
            v as i64 as u64
        } else {
            1u64 << 63
        }
    };
    if score >= TWO_63 {
        signed(score - TWO_63) ^ (1 << 63)
    } else {
        signed(score)
    }
}

/// The score GEOADD stores for a place within the limits.
pub fn score_of(longitude: f64, latitude: f64) -> u64 {
    encode(WGS84, longitude, latitude, STEP_MAX).align_52_bits()
}

/// The standard 11-character geohash of a score (GEOHASH): the box's centre encoded again
/// with the usual latitude range −90..90, five bits a character; the eleventh character has
/// no bits left and is always `0`.
pub fn geohash_string(score: f64) -> [u8; 11] {
    let [longitude, latitude] = decode_score(score);
    let standard = (
        WGS84.0,
        Range {
            min: -90.0,
            max: 90.0,
        },
    );
    let hash = encode(standard, longitude, latitude, STEP_MAX);
    let mut text = [ALPHABET[0]; 11];
    for (i, c) in text.iter_mut().take(10).enumerate() {
        *c = ALPHABET[((hash.bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
    }
    text
}

// --- Neighbours ----------------------------------------------------------------------------------

/// The eight boxes around one, at its step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Neighbors {
    pub north: HashBits,
    pub east: HashBits,
    pub west: HashBits,
    pub south: HashBits,
    pub north_east: HashBits,
    pub south_east: HashBits,
    pub north_west: HashBits,
    pub south_west: HashBits,
}

/// The longitude's bits of an interleaved hash (the odd ones) and the latitude's (the even).
const LONGITUDE_BITS: u64 = 0xaaaa_aaaa_aaaa_aaaa;
const LATITUDE_BITS: u64 = 0x5555_5555_5555_5555;

/// Moves a box one step along the coordinate whose bits are `moving` (east or north for a
/// positive `d`, west or south for a negative one), leaving the other's; longitude wraps
/// around the antimeridian.
/// The carry runs through the moving bits only because the others are set (or cleared) on the
/// way (Redis's `geohash_move_x` / `geohash_move_y`).
fn move_along(hash: HashBits, d: i8, moving: u64) -> HashBits {
    if d == 0 {
        return hash;
    }
    let unused = 64 - u32::from(hash.step) * 2;
    let (this, other) = (hash.bits & moving, hash.bits & !moving);
    let zz = !moving >> unused;
    let this = if d > 0 {
        this.wrapping_add(zz + 1)
    } else {
        (this | zz).wrapping_sub(zz + 1)
    };
    HashBits {
        bits: (this & (moving >> unused)) | other,
        step: hash.step,
    }
}

/// The eight neighbours of a box (Redis's `geohashNeighbors`).
pub fn neighbors(hash: HashBits) -> Neighbors {
    let at = |dx: i8, dy: i8| move_along(move_along(hash, dx, LONGITUDE_BITS), dy, LATITUDE_BITS);
    Neighbors {
        north: at(0, 1),
        east: at(1, 0),
        west: at(-1, 0),
        south: at(0, -1),
        north_east: at(1, 1),
        south_east: at(1, -1),
        north_west: at(-1, 1),
        south_west: at(-1, -1),
    }
}

// --- Searching -----------------------------------------------------------------------------------

/// What a search covers: a circle of `radius`, or a `width` × `height` box, both in the unit
/// whose metres are `conversion` (1 for m, 1000 for km, 0.3048 for ft, 1609.34 for mi),
/// around `center` ([longitude, latitude]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub center: [f64; 2],
    pub conversion: f64,
    pub kind: ShapeKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShapeKind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// The step whose boxes are about as wide as the search: the Mercator half-circumference
/// halved until it is below `range_meters`, two steps fewer to be sure the range fits, one or
/// two fewer again beyond 66° and 80° of latitude, within 1..=26.
pub fn estimate_steps_by_radius(range_meters: f64, latitude: f64) -> u8 {
    if range_meters == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&latitude) {
        step -= 1;
        if !(-80.0..=80.0).contains(&latitude) {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

/// The search's bounding box, [min longitude, min latitude, max longitude, max latitude]
/// (Redis's `geohashBoundingBox`). Its east and west edges are bent: they are taken at the
/// latitude where the shape is widest in degrees, its poleward edge.
pub fn bounding_box(shape: &Shape) -> [f64; 4] {
    let [longitude, latitude] = shape.center;
    let (half_height, half_width) = match shape.kind {
        ShapeKind::Radius(radius) => (radius, radius),
        ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
    };
    let height = shape.conversion * half_height;
    let width = shape.conversion * half_width;
    let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
    let long_delta_top =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
    let long_delta_bottom =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
    let long_delta = if latitude < 0.0 {
        long_delta_bottom
    } else {
        long_delta_top
    };
    [
        longitude - long_delta,
        latitude - lat_delta,
        longitude + long_delta,
        latitude + lat_delta,
    ]
}

/// The boxes a search reads, in Redis's order: the centre's box, then north, south, east,
/// west, north-east, north-west, south-east, south-west; a neighbour the bounding box does
/// not reach is [`HashBits::ZERO`].
pub fn search_boxes(shape: &Shape) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(shape);
    let [longitude, latitude] = shape.center;
    let radius_meters = shape.conversion
        * match shape.kind {
            ShapeKind::Radius(radius) => radius,
            ShapeKind::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
    let mut steps = estimate_steps_by_radius(radius_meters, latitude);
    let mut hash = encode(WGS84, longitude, latitude, steps);
    let mut around = neighbors(hash);
    // Near a box's edge the estimated step can be too fine: a neighbour that does not reach
    // past the bounding box means the nine boxes may miss part of the search.
    let reaches = |n: &Neighbors| {
        decode(WGS84, n.north).latitude.max >= max_lat
            && decode(WGS84, n.south).latitude.min <= min_lat
            && decode(WGS84, n.east).longitude.max >= max_lon
            && decode(WGS84, n.west).longitude.min <= min_lon
    };
    if steps > 1 && !reaches(&around) {
        steps -= 1;
        hash = encode(WGS84, longitude, latitude, steps);
        around = neighbors(hash);
    }
    let area = decode(WGS84, hash);
    if steps >= 2 {
        if area.latitude.min < min_lat {
            around.south = HashBits::ZERO;
            around.south_west = HashBits::ZERO;
            around.south_east = HashBits::ZERO;
        }
        if area.latitude.max > max_lat {
            around.north = HashBits::ZERO;
            around.north_east = HashBits::ZERO;
            around.north_west = HashBits::ZERO;
        }
        if area.longitude.min < min_lon {
            around.west = HashBits::ZERO;
            around.south_west = HashBits::ZERO;
            around.north_west = HashBits::ZERO;
        }
        if area.longitude.max > max_lon {
            around.east = HashBits::ZERO;
            around.south_east = HashBits::ZERO;
            around.north_east = HashBits::ZERO;
        }
    }
    [
        hash,
        around.north,
        around.south,
        around.east,
        around.west,
        around.north_east,
        around.north_west,
        around.south_east,
        around.south_west,
    ]
}

impl HashBits {
    /// True for a neighbour the search leaves out.
    pub fn is_zero(self) -> bool {
        self == HashBits::ZERO
    }
}

/// The distance along a meridian between two latitudes: the haversine formula when the
/// longitudes are equal reduces to the difference of the latitudes in radians.
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// The great-circle distance in metres between two places (the haversine formula).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((deg_rad(lon2) - deg_rad(lon1)) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// The distance from the shape's centre to `point` if the point lies within the shape
/// (Redis's `geoWithinShape`): a circle compares the distance with the radius, a box its
/// north-south distance with half its height and its east-west distance, measured along the
/// point's latitude, with half its width.
pub fn within(shape: &Shape, point: [f64; 2]) -> Option<f64> {
    let [x1, y1] = shape.center;
    let [x2, y2] = point;
    match shape.kind {
        ShapeKind::Radius(radius) => {
            let d = distance(x1, y1, x2, y2);
            (d <= radius * shape.conversion).then_some(d)
        }
        ShapeKind::Box { width, height } => {
            let (width_m, height_m) = (width * shape.conversion, height * shape.conversion);
            if lat_distance(y2, y1) > height_m / 2.0 || distance(x2, y2, x1, y2) > width_m / 2.0 {
                return None;
            }
            Some(distance(x1, y1, x2, y2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaving_round_trips() {
        for (x, y) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (0x3ff_ffff, 0x155_5555),
            (u32::MAX, 7),
        ] {
            let bits = interleave64(x, y);
            assert_eq!(deinterleave64(bits), u64::from(x) | (u64::from(y) << 32));
        }
        assert_eq!(interleave64(1, 0), 1);
        assert_eq!(interleave64(0, 1), 2);
    }

    #[test]
    fn scores_and_positions_as_redis_gives_them() {
        // redis-server 7.0: GEOADD g 13.361389 38.115556 Palermo; ZSCORE g Palermo; GEOPOS;
        // GEOHASH.
        let score = score_of(13.361389, 38.115556);
        assert_eq!(score, 3_479_099_956_230_698);
        let [lon, lat] = decode_score(score as f64);
        let human = |d: f64| crate::longdouble::LongDouble::from_f64(d).to_human_string();
        assert_eq!(human(lon), "13.36138933897018433");
        assert_eq!(human(lat), "38.11555639549629859");
        assert_eq!(score_of(15.087269, 37.502669), 3_479_447_370_796_909);
        assert_eq!(&geohash_string(score as f64), b"sqc8b49rny0");
        // A score no GEOADD wrote still decodes, clamped to the limits.
        assert_eq!(decode_score(-1.0), [180.0, LAT_MAX]);
        assert_eq!(&geohash_string(-1.0), b"bp05b5048p0");
    }

    #[test]
    fn distances_as_redis_gives_them() {
        let palermo = decode_score(score_of(13.361389, 38.115556) as f64);
        let catania = decode_score(score_of(15.087269, 37.502669) as f64);
        let d = distance(palermo[0], palermo[1], catania[0], catania[1]);
        assert_eq!(format!("{:.4}", d / 1000.0), "166.2742");
        assert_eq!(distance(10.0, 1.0, 10.0, 2.0), lat_distance(1.0, 2.0));
    }

    #[test]
    fn neighbours_wrap_and_step() {
        let hash = encode(WGS84, 0.0, 0.0, 1);
        let n = neighbors(hash);
        // At one step the world is four boxes: east of the north-east one is the north-west.
        assert_eq!(decode(WGS84, hash).longitude.min, 0.0);
        assert_eq!(decode(WGS84, n.east).longitude.min, -180.0);
        assert_eq!(decode(WGS84, n.west).longitude.min, -180.0);
        assert_eq!(decode(WGS84, n.south).latitude.max, 0.0);
        assert_eq!(estimate_steps_by_radius(0.0, 0.0), 26);
        assert_eq!(estimate_steps_by_radius(200_000.0, 0.0), 6);
        assert_eq!(estimate_steps_by_radius(200_000.0, 70.0), 5);
        assert_eq!(estimate_steps_by_radius(200_000.0, -85.0), 4);
        assert_eq!(estimate_steps_by_radius(1e9, 0.0), 1);
    }

    #[test]
    fn a_search_covers_its_shape() {
        let shape = Shape {
            center: [15.0, 37.0],
            conversion: 1000.0,
            kind: ShapeKind::Radius(200.0),
        };
        let boxes = search_boxes(&shape);
        let palermo = score_of(13.361389, 38.115556);
        assert!(boxes.iter().any(|b| {
            let (min, max) = b.score_range();
            !b.is_zero() && (min..max).contains(&palermo)
        }));
        let point = decode_score(palermo as f64);
        assert!(within(&shape, point).is_some());
        let narrow = Shape {
            kind: ShapeKind::Box {
                width: 100.0,
                height: 400.0,
            },
            ..shape
        };
        assert_eq!(within(&narrow, point), None);
    }
}
