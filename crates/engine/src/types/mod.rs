//! The structures behind Redis's types, one module each: what a string, list, hash, set,
//! sorted set or stream value is in memory, with the operations their command families need. Commands
//! live in `crate::cmd`; these modules know nothing of arguments or replies.

pub mod hash;
pub mod list;
pub mod packed;
pub mod set;
pub mod stream;
pub mod string;
pub mod zset;

pub use hash::Hash;
pub use list::List;
pub use set::Set;
pub use stream::Stream;
pub use string::StringValue;
pub use zset::SortedSet;
