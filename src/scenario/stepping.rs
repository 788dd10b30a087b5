//! What the two step-by-step players (the Scenarios tab's and the Replication view's lessons)
//! show alike: virtual time as a label, which key presses a focused control keeps for itself,
//! and a step list scrolled to a step without moving the page.

use leptos::ev::KeyboardEvent;
use wasm_bindgen::JsCast;

/// Virtual time as the clock shows it: `+0s`, `+80ms`, `+2m 00s`, `+1h 05m`.
pub fn format_elapsed(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 if ms > 0 => format!("+{ms}ms"),
        0..=59 if !ms.is_multiple_of(1000) => format!("+{}.{:03}s", s, ms % 1000),
        0..=59 => format!("+{s}s"),
        60..=3599 => format!("+{}m {:02}s", s / 60, s % 60),
        _ => format!("+{}h {:02}m {:02}s", s / 3600, s % 3600 / 60, s % 60),
    }
}

/// Whether a key press landed on something that handles that key itself: a field or select
/// takes every key, a button or link Space and Enter.
pub fn handled_by_target(ev: &KeyboardEvent) -> bool {
    let Some(element) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    let tag = element.tag_name();
    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") || element.is_content_editable() {
        return true;
    }
    matches!(ev.key().as_str(), " " | "Enter") && matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY")
}

/// Scrolls `container` (only: never the page or the presenter's screen around it) so that
/// `target` is in view, moving it as little as possible.
pub fn scroll_into(container: &web_sys::HtmlElement, target: &web_sys::Element) {
    let (outer, inner) = (
        container.get_bounding_client_rect(),
        target.get_bounding_client_rect(),
    );
    let top = container.scroll_top() as f64;
    let shift = if inner.bottom() > outer.bottom() {
        (inner.bottom() - outer.bottom()).min(inner.top() - outer.top())
    } else if inner.top() < outer.top() {
        inner.top() - outer.top()
    } else {
        0.0
    };
    container.set_scroll_top((top + shift).max(0.0) as i32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_naturally() {
        assert_eq!(format_elapsed(0), "+0s");
        assert_eq!(format_elapsed(80), "+80ms");
        assert_eq!(format_elapsed(1_500), "+1.500s");
        assert_eq!(format_elapsed(120_080), "+2m 00s");
        assert_eq!(format_elapsed(301_000), "+5m 01s");
        assert_eq!(format_elapsed(3_900_000), "+1h 05m 00s");
    }
}
