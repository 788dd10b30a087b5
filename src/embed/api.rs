//! The course page's side of an embedded console: the messages it may send over
//! `postMessage`, who is heard, and where the replies go (docs/embedding.md, "Security").
//!
//! A message is heard only when it comes from the window that framed the console (not from
//! another frame, a popup or the console itself) and from the origin the address declared
//! (`origin=`; none: the playground's own). Replies are posted to that origin only, so a page
//! that frames the console without being the declared course page reads nothing; `origin=*`
//! is the embedding page's explicit choice to hear and answer anyone.

use wasm_bindgen::{JsCast, JsValue};

/// The protocol's version, in every message the console posts.
pub const VERSION: u32 = 1;

/// What the course page asks.
#[derive(Debug)]
pub enum Message {
    /// `{type: "keyspace:run", id, command}`: run `command` (one line, or several as a
    /// pipeline) as if typed; its reply comes back with `id`.
    Run { id: JsValue, command: String },
    /// `{type: "keyspace:reset", id}`: a fresh engine, `run=` lines and scenario again; the
    /// next `keyspace:ready` carries `id`.
    Reset { id: JsValue },
    /// `{type: "keyspace:hello"}`: a page that began listening after the console was ready
    /// (a late `attach`) asks to hear `keyspace:ready` again.
    Hello,
}

/// Whether a message from `from` is heard, when the address declared `declared` and the
/// playground's own origin is `own`.
pub fn heard(declared: Option<&str>, own: &str, from: &str) -> bool {
    match declared {
        Some("*") => true,
        Some(origin) => origin.trim_end_matches('/') == from,
        None => own == from,
    }
}

/// Where replies are posted: the declared origin, `*` only when declared so, else the
/// playground's own.
pub fn target(declared: Option<&str>, own: &str) -> String {
    declared
        .map_or(own, |o| o.trim_end_matches('/'))
        .to_string()
}

/// The course page's message in `ev`, if it is heard and is one of ours.
pub fn read(ev: &web_sys::MessageEvent, declared: Option<&str>) -> Option<Message> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    let source = ev.source()?;
    // Only the framing window: never the console's own, nor a sibling frame.
    if parent == window || !js_sys::Object::is(source.as_ref(), parent.as_ref()) {
        return None;
    }
    let own = window.location().origin().ok()?;
    if !heard(declared, &own, &ev.origin()) {
        return None;
    }
    let data = ev.data();
    let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok();
    let id = field("id").unwrap_or(JsValue::NULL);
    match field("type")?.as_string()?.as_str() {
        "keyspace:run" => Some(Message::Run {
            id,
            command: field("command")?.as_string()?,
        }),
        "keyspace:reset" => Some(Message::Reset { id }),
        "keyspace:hello" => Some(Message::Hello),
        _ => None,
    }
}

/// Posts `fields` to the framing window, at the declared origin, with the message's type and
/// the protocol's version; nothing when the console is not framed.
pub fn post(declared: Option<&str>, kind: &str, fields: &[(&str, JsValue)]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten().filter(|p| *p != window) else {
        return;
    };
    let own = window.location().origin().unwrap_or_default();
    let message = js_sys::Object::new();
    let set = |name: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&message, &name.into(), value);
    };
    set("type", &kind.into());
    set("version", &VERSION.into());
    for (name, value) in fields {
        set(name, value);
    }
    let _ = parent.post_message(message.unchecked_ref(), &target(declared, &own));
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://play.example";
    const COURSE: &str = "https://course.example";

    #[test]
    fn without_a_declared_origin_only_the_playgrounds_own_is_heard() {
        assert!(heard(None, OWN, OWN));
        assert!(!heard(None, OWN, COURSE));
        assert_eq!(target(None, OWN), OWN);
    }

    #[test]
    fn a_declared_origin_is_heard_and_answered_alone() {
        assert!(heard(Some(COURSE), OWN, COURSE));
        assert!(heard(Some("https://course.example/"), OWN, COURSE));
        assert!(!heard(Some(COURSE), OWN, OWN));
        assert!(!heard(Some(COURSE), OWN, "https://course.example.evil"));
        assert!(!heard(Some(COURSE), OWN, "http://course.example"));
        assert_eq!(target(Some(COURSE), OWN), COURSE);
    }

    #[test]
    fn only_an_explicit_star_hears_and_answers_anyone() {
        assert!(heard(Some("*"), OWN, "https://anyone.example"));
        assert_eq!(target(Some("*"), OWN), "*");
    }
}
