//! The messages between the page and the engine's Web Worker, carried by `postMessage` as
//! serde-wasm-bindgen values. The page never holds the keyspace: it asks for what it shows (the
//! replies of a command, one window of the key list, one more page of a long reply), so a
//! million keys cost the page no more than a dozen.

use serde::{Deserialize, Serialize};

use crate::assist::Assist;
use crate::inspect::{InspectQuery, Inspection};
use crate::keyview::{KeyQuery, KeyWindow};
use crate::persistence::{Restored, SavedState};
use crate::scenario::{ScenarioRequest, ScenarioResponse};
use crate::server::{ServerRequest, ServerResponse};
use crate::share::{ShareBundle, ShareError};

/// The page's handle for one client of the console: one pane, one engine connection.
pub type PaneId = u32;

/// What the page asks of the engine. Requests are answered in the order they are sent, and
/// each of [`Request::Run`], [`Request::Tick`], [`Request::AddClient`] and
/// [`Request::RemoveClient`] by exactly one [`Response::Update`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Run typed lines on the pane's client: one line, or several sent as one pipeline (a
    /// paste), run back to back with no other client in between. `seq` ties the answer to
    /// the console entry waiting for it; a line that blocks (BLPOP) is answered later, and
    /// lines after it wait their turn, as they would behind redis-cli.
    Run {
        seq: u64,
        pane: PaneId,
        lines: Vec<String>,
        view: KeyQuery,
        /// The key open in the inspector, if any: its page comes back, what the command
        /// changed in it marked.
        inspect: Option<InspectQuery>,
    },
    /// The engine's timer (active expiry, blocked clients' timeouts); the key list (and the
    /// inspected key) come back only if keys changed. `pane` is the one whose database the
    /// keyspace panel shows.
    Tick {
        pane: PaneId,
        view: KeyQuery,
        inspect: Option<InspectQuery>,
    },
    /// A key to open in the inspector, or another page of it.
    Inspect(InspectQuery),
    /// The key list of the pane's database, for a new filter or scroll position.
    Window { pane: PaneId, view: KeyQuery },
    /// The next page of a long reply, from line `from`.
    More { reply: u64, from: usize },
    /// Connect one more client, in a new pane.
    AddClient,
    /// Close a pane's connection, as a client that goes away.
    RemoveClient { pane: PaneId },
    /// The scenario player (its own engine, apart from the console's).
    Scenario(ScenarioRequest),
    /// "Continue in the console": the console takes over the scenario's engine as it stands,
    /// its keys, TTLs and clients, with time running on from the scenario's virtual clock.
    /// Unconfirmed, nothing changes: the answer says what would be replaced
    /// (`ScenarioResponse::WouldReplace`), for the page to ask first.
    ContinueScenario { confirmed: bool },
    /// The server panel: the console engine's memory, counters, INFO, SLOWLOG, biggest keys,
    /// and the LRU lab (on engines of its own).
    Server(ServerRequest),
    /// The share dialog's contents for the lines typed so far, the link based on `page_url`
    /// (`crate::share`; made in the worker, which keeps the compression and QR code out of
    /// the page's module).
    Share {
        lines: Vec<String>,
        page_url: String,
    },
    /// The lines of a `#share/...` location, to replay.
    OpenShare { hash: String },
    /// The line being typed and the cursor's byte offset: completions, hint, verdict, word
    /// kinds and docs come back (`assist`).
    Assist { line: String, cursor: usize },
    /// The console's `help` built-in (`line` as typed in `pane`), answered in `lang` (a
    /// `Strings::lang`).
    Help {
        seq: u64,
        pane: PaneId,
        line: String,
        lang: String,
    },
    /// Print (or stop printing) each command's and reply's RESP bytes before the reply.
    ShowResp(bool),
    /// A file to download: answered by [`Response::File`].
    Download(Wanted),
    /// An RDB file the learner chose, to replace the keyspace with: answered by
    /// [`Response::RdbLoaded`].
    LoadRdb(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Forget what the browser keeps (the worker empties IndexedDB): answered by
    /// [`Response::ResetDone`], after which the page reloads.
    Reset,
}

/// Which file a [`Request::Download`] wants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wanted {
    /// The keyspace as SAVE writes it.
    Rdb,
    /// A damaged copy put aside at start, by its name.
    Damaged(String),
}

/// What the engine answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and takes requests.
    Ready,
    /// What changed since the last update, for every pane.
    Update(Box<Update>),
    Window(KeyWindow),
    Inspected(Inspection),
    More {
        reply: u64,
        from: usize,
        lines: Vec<Line>,
    },
    Scenario(ScenarioResponse),
    Server(ServerResponse),
    Shared(ShareBundle),
    ShareOpened(Result<Vec<String>, ShareError>),
    Assisted(Assist),
    /// `help`'s text, for the console entry `seq`.
    Helped {
        seq: u64,
        echo: String,
        reply: ReplyPage,
    },
    /// The RESP toggle took effect.
    RespShown(bool),
    /// What the browser kept, as found when the worker started (sent once, after
    /// [`Response::Ready`]).
    Restored(Restored),
    /// What the browser keeps now, after the last write to it (or its failure).
    Saved(SavedState),
    /// A file to save, for [`Request::Download`]; no bytes when there is no such file.
    File {
        name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The keys now in the keyspace after [`Request::LoadRdb`], or why the file was refused
    /// (the keyspace is then as it was).
    RdbLoaded(Result<usize, String>),
    /// What the browser kept is gone.
    ResetDone,
}

/// Keys evicted before a command, and by which `maxmemory-policy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evicted {
    pub keys: Vec<String>,
    /// How many were evicted in all (`keys` is capped).
    pub total: usize,
    pub policy: String,
}

/// The answer to a run, a tick or a change of clients: typed lines that finished, messages
/// that arrived, every client's state, and the keyspace panel if it changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Typed lines (or pipelines) that got their replies, in the order they finished.
    pub answers: Vec<Answer>,
    /// Replies nobody is waiting for at the prompt: pub/sub messages, keyspace
    /// notifications, a closed connection.
    pub pushed: Vec<Pushed>,
    /// Every client pane, in the order they were opened.
    pub clients: Vec<ClientView>,
    /// Messages that went from a publisher through a channel to subscribers.
    pub flows: Vec<Flow>,
    /// Keys the commands changed in the shown database (capped), for highlighting.
    pub changed: Vec<String>,
    /// Keys of the shown database that clients WATCH.
    pub watched: Vec<Watched>,
    /// Of the changed keys, those evicted to make room (before a command ran), so the
    /// keyspace panel can show them leaving, with the policy that chose them.
    pub evicted: Option<Evicted>,
    pub window: Option<KeyWindow>,
    pub inspection: Option<Inspection>,
}

/// A typed line's (or pipeline's) replies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub seq: u64,
    pub pane: PaneId,
    /// The prompt and the line, as redis-cli echoes them; empty for a pipeline, which the
    /// page labels itself.
    pub echo: String,
    pub reply: ReplyPage,
}

/// Something that arrived on a pane's connection unasked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub pane: PaneId,
    pub reply: ReplyPage,
}

/// One client as its pane shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub pane: PaneId,
    /// CLIENT ID.
    pub id: u64,
    /// The name a scenario gave the client, if it came from one.
    pub label: Option<String>,
    /// CLIENT SETNAME's name.
    pub name: Option<String>,
    pub db: usize,
    /// redis-cli's prompt for it: `127.0.0.1:6379[1](TX)>`.
    pub prompt: String,
    pub protocol: u8,
    /// Commands queued since MULTI, while in a transaction.
    pub multi: Option<usize>,
    /// Channels, patterns and shard channels it is subscribed to (the first few by name).
    pub subscriptions: usize,
    pub channels: Vec<String>,
    /// What it waits for while a blocking command waits.
    pub blocked: Option<BlockedView>,
    /// The keys it WATCHes, and whether one changed since (EXEC will fail).
    pub watching: Vec<String>,
    pub watch_broken: bool,
    /// Typed lines waiting behind a blocked command.
    pub waiting_lines: usize,
}

impl ClientView {
    /// A client as it is just after connecting: database 0, RESP2, nothing going on.
    pub fn connected(pane: PaneId, id: u64) -> ClientView {
        ClientView {
            pane,
            id,
            label: None,
            name: None,
            db: 0,
            prompt: "127.0.0.1:6379>".to_string(),
            protocol: 2,
            multi: None,
            subscriptions: 0,
            channels: Vec::new(),
            blocked: None,
            watching: Vec::new(),
            watch_broken: false,
            waiting_lines: 0,
        }
    }
}

/// A blocked client's wait.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedView {
    /// The command, as Redis names it (`blpop`).
    pub command: String,
    pub keys: Vec<String>,
    /// When it gives up (Unix ms on the engine's clock); never when `None`.
    pub timeout_at_ms: Option<u64>,
}

/// One message on its way: who published it (none for the server's own keyspace
/// notifications), the channel, and who received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub from: Option<PaneId>,
    pub channel: String,
    pub message: String,
    /// Each receiver, with the pattern that matched for a `pmessage`.
    pub to: Vec<(PaneId, Option<String>)>,
}

/// A watched key of the shown database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    pub key: String,
    /// A client watching it has had its watch broken (by any key it watches).
    pub broken: bool,
    pub by: Vec<PaneId>,
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
    /// A command of a pipeline, echoed before its replies.
    Echo,
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
            LineKind::Echo => "line piped",
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
