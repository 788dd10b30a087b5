//! Command families, one file each, all of the same shape: a `COMMANDS` table of spec rows
//! (see `crate::spec`) beside the handlers they name.

pub mod client;
pub mod config;
pub mod connection;
pub mod keys;
pub mod server;
pub mod string;

use crate::spec::CommandSpec;

/// Every family's rows; `crate::spec::table` walks them as one table.
pub static FAMILIES: &[&[CommandSpec]] = &[
    string::COMMANDS,
    keys::COMMANDS,
    connection::COMMANDS,
    client::COMMANDS,
    config::COMMANDS,
    server::COMMANDS,
];
