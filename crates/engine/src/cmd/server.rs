//! (filled in by its family's work)

use crate::spec::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
