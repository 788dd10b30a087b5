//! A geo set as places on a map: a plain projection of longitude and latitude (no tiles, so
//! the page works offline), east–west distances shrunk by the cosine of the middle latitude
//! so that near the map's centre a kilometre is as long across as up, which keeps a search's
//! circle round. The last GEOSEARCH (or GEORADIUS) of the key is drawn over the places, and
//! those within it are filled; below the map, a page of the places as GEOPOS prints them.

use leptos::prelude::*;

use crate::i18n::put;
use crate::state::Shared;
use keyspace_protocol::inspect::{GeoMap, GeoSearch, Place};

/// The drawing's size in SVG units; it scales to the inspector's width.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 240.0;
/// Metres in one degree of latitude on Redis's sphere (`EARTH_RADIUS_IN_METERS` × π / 180).
const METRES_PER_DEGREE: f64 = 6_372_797.560_856 * std::f64::consts::PI / 180.0;
/// Names are written beside the places when there are this few.
const LABELLED: usize = 30;

/// Where on the drawing a longitude and latitude go.
#[derive(Clone, Copy)]
struct Projection {
    /// The west and north edges, in projected degrees.
    west: f64,
    north: f64,
    /// How much shorter a degree of longitude is than one of latitude.
    shrink: f64,
    /// Drawing units per projected degree.
    scale: f64,
}

impl Projection {
    /// The projection that fits every place and the search's shape, with a margin, in the
    /// drawing less `label_room` on the right (where the last names are written).
    fn fitting(places: &[Place], search: Option<&GeoSearch>, label_room: f64) -> Projection {
        let mut lons: Vec<f64> = places.iter().map(|p| p.longitude).collect();
        let mut lats: Vec<f64> = places.iter().map(|p| p.latitude).collect();
        if let Some(search) = search {
            let [lon, lat] = search.center;
            let [half_w, half_h] = half_extent(search);
            let shrink = lat.to_radians().cos().max(0.01);
            lons.extend([lon - half_w / shrink, lon + half_w / shrink]);
            lats.extend([lat - half_h, lat + half_h]);
        }
        let (west, east) = span(&lons);
        let (south, north) = span(&lats);
        let shrink = ((south + north) / 2.0).to_radians().cos().max(0.01);
        // At least a hundredth of a degree (about a kilometre) across, a tenth as margin.
        let width = ((east - west) * shrink).max(0.01) * 1.2;
        let height = (north - south).max(0.01) * 1.2;
        let room = WIDTH - label_room;
        let scale = (room / width).min(HEIGHT / height);
        Projection {
            west: (west + east) / 2.0 * shrink - room / scale / 2.0,
            north: (south + north) / 2.0 + HEIGHT / scale / 2.0,
            shrink,
            scale,
        }
    }

    fn point(&self, longitude: f64, latitude: f64) -> (f64, f64) {
        (
            (longitude * self.shrink - self.west) * self.scale,
            (self.north - latitude) * self.scale,
        )
    }
}

fn span(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// Half the search's width and height in degrees of latitude.
fn half_extent(search: &GeoSearch) -> [f64; 2] {
    match (search.radius_m, search.box_m) {
        (Some(r), _) => [r / METRES_PER_DEGREE; 2],
        (None, Some([w, h])) => [w / 2.0 / METRES_PER_DEGREE, h / 2.0 / METRES_PER_DEGREE],
        (None, None) => [0.0; 2],
    }
}

pub fn map_view(map: GeoMap, total: usize, offset: usize, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let GeoMap {
        drawn,
        page,
        search,
    } = map;
    let labelled = drawn.len() <= LABELLED;
    let label_room = match labelled {
        true => {
            drawn
                .iter()
                .map(|p| p.member.chars().count())
                .max()
                .unwrap_or(0) as f64
                * 6.5
        }
        false => 0.0,
    };
    let projection = Projection::fitting(&drawn, search.as_ref(), label_room.min(WIDTH / 3.0));
    let shape = search.as_ref().map(|search| {
        let (x, y) = projection.point(search.center[0], search.center[1]);
        let [half_w, half_h] = half_extent(search).map(|d| d * projection.scale);
        let outline = match search.radius_m {
            Some(_) => view! { <circle class="search-area" cx=x cy=y r=half_w></circle> }.into_any(),
            None => view! {
                <rect class="search-area" x=x - half_w y=y - half_h width=2.0 * half_w height=2.0 * half_h></rect>
            }
            .into_any(),
        };
        view! {
            {outline}
            <path class="search-center" d=format!("M{} {y}h10M{x} {}v10", x - 5.0, y - 5.0)></path>
        }
    });
    let found = drawn.iter().filter(|p| p.found).count();
    let places = drawn
        .into_iter()
        .map(|place| {
            let (x, y) = projection.point(place.longitude, place.latitude);
            let label = labelled.then(|| {
                view! { <text class="place-name" x=x + 6.0 y=y + 4.0>{place.member.clone()}</text> }
            });
            view! {
                <g class="place" class:found=place.found class:changed=place.changed>
                    <title>{format!("{} ({}, {})", place.member, place.printed[0], place.printed[1])}</title>
                    <circle cx=x cy=y r=if place.found { 5 } else { 4 }></circle>
                    {label}
                </g>
            }
        })
        .collect_view();
    let drawn_count = total.min(keyspace_protocol::inspect::MAP_POINTS);
    let sample = (drawn_count < total).then(|| {
        view! {
            <p class="legend">
                {move || put(&put(text().keyspace.map_sample, "shown", &drawn_count.to_string()), "n", &total.to_string())}
            </p>
        }
    });
    let searched = move || match &search {
        Some(search) => {
            let at = format!("{}, {}", search.center[0], search.center[1]);
            let words = put(text().keyspace.map_search, "words", &search.words);
            put(&put(&words, "at", &at), "n", &found.to_string())
        }
        None => text().keyspace.map_no_search.to_string(),
    };
    view! {
        <svg class="geo-map" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=move || text().keyspace.map_label>
            {shape}
            {places}
        </svg>
        <p class="legend map-search">{searched}</p>
        {sample}
        <table class="ranked places">
            <thead>
                <tr>
                    <th class="num">{move || text().keyspace.col_rank}</th>
                    <th>{move || text().keyspace.col_member}</th>
                    <th class="num">{move || text().keyspace.col_longitude}</th>
                    <th class="num">{move || text().keyspace.col_latitude}</th>
                </tr>
            </thead>
            <tbody>
                {page.into_iter().enumerate().map(|(i, Place { member, printed: [lon, lat], found, changed, .. })| view! {
                    <tr class:found=found class:changed=changed>
                        <td class="num">{offset + i}</td>
                        <td class="member">{member}</td>
                        <td class="num">{lon}</td>
                        <td class="num">{lat}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
