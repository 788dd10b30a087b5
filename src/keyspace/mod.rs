//! The keyspace panel and the inspectors.
pub mod bits;
pub mod geo_map;
pub mod inspector;
pub mod panel;
pub mod stream;
pub mod target;
pub mod ttl;
