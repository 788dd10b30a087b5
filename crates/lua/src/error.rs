//! The error type shared by the compiler, the VM, the libraries and host natives.
//!
//! A Lua error is a value (usually a message string that already carries its
//! `chunk:line:` position, but Redis raises tables such as `{err="..."}`); the two other
//! kinds are Lua 5.1's `LUA_ERRMEM` and `LUA_ERRERR`, which `pcall` catches as the
//! messages `not enough memory` and `error in error handling` but which skip an `xpcall`
//! handler, as in C Lua.

use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Error {
    /// A Lua error: the value raised.
    Lua(Value),
    /// The state's memory limit was reached (message: [`MEMORY_MESSAGE`]).
    Memory,
    /// An error inside an error handler, or while handling a stack overflow
    /// (message: [`HANDLER_MESSAGE`]).
    Handler,
}

/// What a memory error says, as Lua 5.1's `LUA_ERRMEM`.
pub const MEMORY_MESSAGE: &str = "not enough memory";
/// What an error in an error handler says, as Lua 5.1's `LUA_ERRERR`.
pub const HANDLER_MESSAGE: &str = "error in error handling";

/// Results of the crate's fallible calls.
pub type Result<T> = std::result::Result<T, Error>;
