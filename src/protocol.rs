//! The messages between the page and the engine's Web Worker, carried by `postMessage` as
//! serde-wasm-bindgen values. The page never holds the keyspace: it asks for what it shows (the
//! replies of a command, one window of the key list, one more page of a long reply), so a
//! million keys cost the page no more than a dozen.

use serde::{Deserialize, Serialize};

use crate::assist::Assist;
use crate::inspect::{InspectQuery, Inspection};
use crate::keyview::{KeyQuery, KeyWindow};
use crate::scenario::{ScenarioRequest, ScenarioResponse};

/// What the page asks of the engine. Requests are answered in the order they are sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Run one typed line; `seq` ties the answer to the console entry waiting for it.
    Run {
        seq: u64,
        line: String,
        view: KeyQuery,
        /// The key open in the inspector, if any: its page comes back, what the command
        /// changed in it marked.
        inspect: Option<InspectQuery>,
    },
    /// The engine's timer (active expiry); the key list (and the inspected key) come back
    /// only if keys changed.
    Tick {
        view: KeyQuery,
        inspect: Option<InspectQuery>,
    },
    /// A key to open in the inspector, or another page of it.
    Inspect(InspectQuery),
    /// The key list for a new filter or scroll position.
    Window { view: KeyQuery },
    /// The next page of a long reply, from line `from`.
    More { reply: u64, from: usize },
    /// The scenario player (its own engine, apart from the console's).
    Scenario(ScenarioRequest),
    /// "Continue in the console": the console takes over the scenario's engine as it stands,
    /// its keys, TTLs and clients, with time running on from the scenario's virtual clock.
    ContinueScenario,
    /// The line being typed and the cursor's byte offset: completions, hint, verdict, word
    /// kinds and docs come back (`assist`).
    Assist { line: String, cursor: usize },
    /// The console's `help` built-in (`line` as typed), answered in `lang` (a `Strings::lang`).
    Help {
        seq: u64,
        line: String,
        lang: String,
    },
    /// Print (or stop printing) each command's and reply's RESP bytes before the reply.
    ShowResp(bool),
}

/// What the engine answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and takes requests.
    Ready,
    Ran {
        seq: u64,
        /// The prompt and the line, as redis-cli echoes them.
        echo: String,
        reply: ReplyPage,
        /// The prompt for the next line (`127.0.0.1:6379[1]>` after SELECT 1).
        prompt: String,
        /// Keys the command changed in the shown database (capped), for highlighting.
        changed: Vec<String>,
        window: KeyWindow,
        inspection: Option<Inspection>,
    },
    Ticked {
        /// Anything that arrived for the client meanwhile (a blocked command's reply).
        pushed: Option<ReplyPage>,
        window: Option<KeyWindow>,
        inspection: Option<Inspection>,
    },
    Window(KeyWindow),
    Inspected(Inspection),
    More {
        reply: u64,
        from: usize,
        lines: Vec<Line>,
    },
    Scenario(ScenarioResponse),
    Assisted(Assist),
    /// `help`'s text, for the console entry `seq`.
    Helped {
        seq: u64,
        echo: String,
        reply: ReplyPage,
    },
    /// The RESP toggle took effect.
    RespShown(bool),
}

/// The start of a reply as printed lines, and how many lines it has in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPage {
    /// Names the reply for [`Request::More`].
    pub id: u64,
    pub lines: Vec<Line>,
    pub total: usize,
}

/// What a printed line shows, so the page can tell replies' types apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    /// `(error) ...`, or redis-cli's own complaint about the line.
    Error,
    /// `(nil)`, `(empty array)`.
    Nil,
    /// `(integer) 1`, `(double) 1.5`.
    Number,
    /// A quoted string, as redis-cli prints bulk strings.
    Text,
    /// Anything else: `OK`, raw INFO lines.
    Plain,
    /// A command's or reply's RESP bytes, escaped (the raw RESP toggle).
    Resp,
}

impl LineKind {
    /// The CSS classes a line of this kind is drawn with.
    pub fn class(self) -> &'static str {
        match self {
            LineKind::Error => "line error",
            LineKind::Nil => "line nil",
            LineKind::Number => "line number",
            LineKind::Text => "line text",
            LineKind::Plain => "line",
            LineKind::Resp => "line resp",
        }
    }
}

/// One printed line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

impl Line {
    /// Classifies one line of redis-cli's output by what follows its `1) ` array indexes.
    pub fn classify(text: String, error: bool) -> Line {
        let kind = if error {
            LineKind::Error
        } else {
            let rest = split_index(&text).1;
            if rest.starts_with("(error)") {
                LineKind::Error
            } else if rest.starts_with("(nil)") || rest.starts_with("(empty") {
                LineKind::Nil
            } else if rest.starts_with("(integer)") || rest.starts_with("(double)") {
                LineKind::Number
            } else if rest.starts_with('"') {
                LineKind::Text
            } else {
                LineKind::Plain
            }
        };
        Line { kind, text }
    }
}

/// A printed line cut after its array indexes: the indexes (`1) 2) `), then the value.
/// Nested aggregates print `1) 1) "a"` (`1#` for maps, `1~` for sets): every index is peeled.
pub fn split_index(text: &str) -> (&str, &str) {
    let mut rest = text.trim_start();
    while let Some((index, after)) = rest.split_once(' ') {
        let digits = index.trim_end_matches([')', '#', '~']);
        if digits.len() + 1 != index.len() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        rest = after.trim_start();
    }
    text.split_at(text.len() - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> LineKind {
        Line::classify(text.to_string(), false).kind
    }

    #[test]
    fn tells_reply_types_apart() {
        assert_eq!(kind("(integer) 1"), LineKind::Number);
        assert_eq!(kind("(nil)"), LineKind::Nil);
        assert_eq!(kind("(empty array)"), LineKind::Nil);
        assert_eq!(kind("\"hello\""), LineKind::Text);
        assert_eq!(kind("OK"), LineKind::Plain);
        assert_eq!(kind("(error) ERR syntax error"), LineKind::Error);
        assert_eq!(kind("1) \"a\""), LineKind::Text);
        assert_eq!(kind("12) (nil)"), LineKind::Nil);
        assert_eq!(kind("   1) 1) (integer) 5"), LineKind::Number);
        assert_eq!(kind("1# \"server\" => \"redis\""), LineKind::Text);
        // A string that looks like a reply type is still a string: redis-cli quotes it.
        assert_eq!(kind("1) \"(integer) 1\""), LineKind::Text);
        assert_eq!(
            Line::classify("Invalid argument(s)".into(), true).kind,
            LineKind::Error
        );
    }

    #[test]
    fn a_line_splits_into_its_indexes_and_its_value() {
        assert_eq!(split_index("1) 2) \"a\""), ("1) 2) ", "\"a\""));
        assert_eq!(split_index("  3# \"k\" => 1"), ("  3# ", "\"k\" => 1"));
        assert_eq!(split_index("\"1) x\""), ("", "\"1) x\""));
    }
}
