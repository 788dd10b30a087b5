//! Command families, one file each, all of the same shape: a `COMMANDS` table of spec rows
//! (see `crate::spec`) beside the handlers they name.

pub mod acl;
pub mod bitops;
pub mod blocking;
pub mod client;
pub mod config;
pub mod connection;
pub mod debug;
pub mod functions;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod info;
pub mod keys;
pub mod latency;
pub mod list;
pub mod master;
pub mod migrate;
pub mod multi;
pub mod persist;
pub mod pubsub;
pub mod replicaof;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod zset;

use crate::spec::CommandSpec;

/// Every family's rows; `crate::spec::table` walks them as one table.
pub static FAMILIES: &[&[CommandSpec]] = &[
    string::COMMANDS,
    bitops::COMMANDS,
    hyperloglog::COMMANDS,
    keys::COMMANDS,
    list::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    zset::COMMANDS,
    geo::COMMANDS,
    stream::COMMANDS,
    sort::COMMANDS,
    blocking::COMMANDS,
    pubsub::COMMANDS,
    multi::COMMANDS,
    connection::COMMANDS,
    acl::COMMANDS,
    client::COMMANDS,
    config::COMMANDS,
    info::COMMANDS,
    debug::COMMANDS,
    server::COMMANDS,
    latency::COMMANDS,
    persist::COMMANDS,
    migrate::COMMANDS,
    scripting::COMMANDS,
    functions::COMMANDS,
    master::COMMANDS,
    replicaof::COMMANDS,
];
