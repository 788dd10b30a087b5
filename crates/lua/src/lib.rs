//! Lua 5.1 as Redis 7.0 embeds it (work in progress).

pub mod code;
mod debug;
pub mod error;
mod gc;
mod lexer;
pub mod native;
pub mod number;
mod parser;
mod state;
mod stdlib;
mod table;
pub mod value;
mod vm;

pub use error::{Error, Result};
pub use native::{Ctx, HostFn};
pub use state::{Execution, Lua, Pin, Step};
pub use value::{FuncRef, StrRef, TableRef, ThreadRef, Type, UserDataRef, Value};
