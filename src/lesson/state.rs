//! What the lesson panel keeps: the lesson the worker parsed, the address it came from (for
//! its relative links and images), and why the last one did not open.

use leptos::prelude::*;

use keyspace_protocol::lesson::{Lesson, LessonError};

#[derive(Clone, Copy)]
pub struct LessonState {
    pub lesson: RwSignal<Option<Lesson>>,
    /// The lesson's own address when it was opened by one; `None` for a file.
    pub base: RwSignal<Option<String>>,
    pub error: RwSignal<Option<LessonError>>,
    /// Read or fetched, and not parsed yet.
    pub loading: RwSignal<bool>,
}

impl LessonState {
    pub fn new() -> LessonState {
        LessonState {
            lesson: RwSignal::new(None),
            base: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
        }
    }

    /// Whether the panel is shown.
    pub fn is_open(&self) -> bool {
        self.loading.get() || self.lesson.with(Option::is_some) || self.error.with(Option::is_some)
    }

    /// Empties the panel.
    pub fn close(&self) {
        self.lesson.set(None);
        self.error.set(None);
        self.base.set(None);
        self.loading.set(false);
    }
}

impl Default for LessonState {
    fn default() -> LessonState {
        LessonState::new()
    }
}
