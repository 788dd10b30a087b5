//! The guide's scenarios as data, and the runner that plays them.
//!
//! A scenario is a TOML file a teacher can write by hand ([`format`]): who takes part, the
//! guide's code it stands for, and steps, each with narration in 繁體中文 and English, the
//! Redis commands the application sends at that point, what Redis should answer, and how much
//! time passes afterwards. [`Runner`] plays one on a fresh engine under a manual clock, so a
//! step forward, a step back (a replay from the start) and a jump all give the same replies,
//! the same TTLs and the same evictions every time. The built-in scenarios are in
//! [`builtin`]; `tests/builtin.rs` plays each to its end with its expectations checked.

pub mod builtin;
pub mod format;
pub mod runner;

pub use format::{parse, NetworkAction, Run, Scenario, ScenarioError, Step, Text};
pub use runner::{CommandRun, KeyChange, Runner, StepReport};
