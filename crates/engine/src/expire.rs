//! (the active expire cycle: filled in by the keys work)

use crate::engine::Engine;

#[derive(Clone, Debug, Default)]
pub(crate) struct ActiveExpireState {}

impl Engine {
    pub(crate) fn active_expire_cycle(&mut self) {}
}
