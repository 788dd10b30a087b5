//! What an embedded console holds besides the page's shared state: its parameters, the
//! course page's runs waiting for their replies, and whether it has said it is ready.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::embed::api;
use crate::embed::params::Params;
use keyspace_protocol::console::{ReplyPage, ReplyValue};

/// An embedded console's state; `Copy`, as the page's shared state is.
#[derive(Clone, Copy)]
pub struct Embed {
    /// No input line.
    pub read_only: bool,
    pub params: StoredValue<Params>,
    /// The course page's ids of the runs it asked for, by the console entry's id.
    asked: StoredValue<Vec<(u64, JsValue)>, LocalStorage>,
    /// Whether `keyspace:ready` was posted since the engine (re)started.
    announced: StoredValue<bool>,
    /// The id of the reset the course page asked for, given back with the next ready.
    reset_id: StoredValue<JsValue, LocalStorage>,
}

impl Embed {
    /// The embed mode, if the page's address asks for it.
    pub fn from_address() -> Option<Embed> {
        let search = window().location().search().ok()?;
        let query = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
        let pairs = js_sys::try_iter(&query).ok()??.filter_map(|pair| {
            let pair: js_sys::Array = pair.ok()?.into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        });
        let params = Params::from_pairs(pairs.collect::<Vec<_>>())?;
        Some(Embed {
            read_only: params.read_only,
            params: StoredValue::new(params),
            asked: StoredValue::new_local(Vec::new()),
            announced: StoredValue::new(false),
            reset_id: StoredValue::new_local(JsValue::NULL),
        })
    }

    /// The origin the address declared, if any.
    pub fn origin(&self) -> Option<String> {
        self.params.with_value(|p| p.origin.clone())
    }

    /// The course page asked for the run whose console entry is `seq`.
    pub fn asked(&self, seq: u64, id: JsValue) {
        self.asked.update_value(|asked| asked.push((seq, id)));
    }

    /// A reset is under way: the next ready is news again, and carries `id`.
    pub fn restarting(&self, id: JsValue) {
        self.announced.set_value(false);
        self.asked.update_value(Vec::clear);
        self.reset_id.set_value(id);
    }

    /// Tells the course page a reply: to its own run (with its id), or to a line typed in the
    /// console (id `null`), as the console shows it and as data (`values`, one per command).
    pub fn answered(&self, seq: u64, echo: &str, reply: &ReplyPage, values: &[ReplyValue]) {
        let mut id = JsValue::NULL;
        self.asked.update_value(|asked| {
            if let Some(at) = asked.iter().position(|(s, _)| *s == seq) {
                id = asked.remove(at).1;
            }
        });
        let lines: js_sys::Array = reply
            .lines
            .iter()
            .map(|line| JsValue::from_str(&line.text))
            .collect();
        let text = reply
            .lines
            .iter()
            .map(|line| line.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        api::post(
            self.origin().as_deref(),
            "keyspace:reply",
            &[
                ("id", id),
                ("echo", echo.into()),
                ("text", text.into()),
                ("lines", lines.into()),
                ("total", (reply.total as u32).into()),
                (
                    "values",
                    serde_wasm_bindgen::to_value(values).unwrap_or(JsValue::NULL),
                ),
            ],
        );
    }

    /// The course page said hello: if the console is ready, it says so again (id `null`),
    /// for a page that was not listening the first time; if not, its ready is still to come.
    pub fn greeted(&self) {
        if self.announced.get_value() {
            api::post(
                self.origin().as_deref(),
                "keyspace:ready",
                &[("id", JsValue::NULL)],
            );
        }
    }

    /// Says `keyspace:ready` once the engine is up and the `run=` lines have their replies.
    pub fn settled(&self) {
        if self.announced.get_value() {
            return;
        }
        self.announced.set_value(true);
        let id = self.reset_id.get_value();
        self.reset_id.set_value(JsValue::NULL);
        api::post(self.origin().as_deref(), "keyspace:ready", &[("id", id)]);
    }
}
