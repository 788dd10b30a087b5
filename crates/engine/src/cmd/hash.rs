//! (filled in by the data-types work)

use crate::spec::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
