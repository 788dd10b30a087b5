//! The keyspace panel and the inspectors.
pub mod inspector;
pub mod panel;
pub mod target;
pub mod ttl;
