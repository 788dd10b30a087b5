//! (filled in by the data-types work)

/// (filled in by the data-types work)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Set {}

impl Set {
    /// Number of elements.
    pub fn len(&self) -> usize {
        0
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        true
    }
}
