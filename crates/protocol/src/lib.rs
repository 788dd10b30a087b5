//! The messages between Keyspace Playground's two programs, the page (`keyspace-playground`,
//! what draws and listens) and the engine's Web Worker (`keyspace-worker`, what holds the
//! engine and IndexedDB), carried by `postMessage` as serde-wasm-bindgen values. The page
//! never holds the keyspace: it asks for what it shows (the replies of a command, one window of
//! the key list, one more page of a long reply), so a million keys cost the page no more than
//! a dozen.
//!
//! [`Request`] is everything the page asks, [`Response`] everything the worker answers; their
//! parts live by the screen they serve:
//!
//! - [`console`]: typed lines and their answers, the client panes, pushed messages, the
//!   printed line and its kind, and the limits both sides keep (panes, echo clipping).
//! - [`keys`]: the keyspace panel's window of keys.
//! - [`inspect`]: one key's value, a page at a time.
//! - [`assist`]: completion, hints, verdicts and docs for the line being typed.
//! - [`scenario`]: the scenario player's moves and what it shows.
//! - [`server`]: the Server tab's figures, biggest keys and LRU lab.
//! - [`share`]: share links' contents, their failures, and the link's line format.
//! - [`saved`]: what the browser keeps, and why it may keep nothing.
//! - [`script`]: the script editor's command lines, error lines and Lua tokens.
//! - [`lesson`]: a Markdown lesson as blocks the page draws, and why one did not open.
//! - [`repl`]: the Replication view's nodes, links and their figures.
//!
//! Serde types and pure helpers only, and the [`Backend`] trait the page's browser tests run
//! an engine through: no engine, no Leptos, no browser.

use serde::{Deserialize, Serialize};

pub mod assist;
pub mod console;
pub mod inspect;
pub mod keys;
pub mod lesson;
pub mod repl;
pub mod saved;
pub mod scenario;
pub mod script;
pub mod server;
pub mod share;

use assist::{Assist, Doc};
use console::{Line, PaneId, Update};
use inspect::{InspectQuery, Inspection};
use keys::{KeyQuery, KeyWindow};
use lesson::{Lesson, LessonError};
use repl::{ReplRequest, ReplResponse};
use saved::{Restored, SavedState};
use scenario::{ScenarioRequest, ScenarioResponse};
use server::{ServerRequest, ServerResponse};
use share::{ShareBundle, ShareError};

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
    /// (made in the worker, which keeps the compression and QR code out of the page's
    /// module).
    Share {
        lines: Vec<String>,
        page_url: String,
    },
    /// The lines of a `#share/...` location, to replay.
    OpenShare { hash: String },
    /// The line being typed and the cursor's byte offset: completions, hint, verdict, word
    /// kinds and docs come back (`assist`).
    Assist { line: String, cursor: usize },
    /// The console's `help` built-in, `line` as typed in `pane`: answered by
    /// [`Response::Helped`] with the docs, which the page lays out in its language.
    Help {
        seq: u64,
        pane: PaneId,
        line: String,
    },
    /// Print (or stop printing) each command's and reply's RESP bytes before the reply.
    ShowResp(bool),
    /// Give (or stop giving) each answer's replies as data too ([`console::Answer::values`]):
    /// an embedded console's course page reads them. Answered by [`Response::ReplyValues`].
    ReplyValues(bool),
    /// A file to download: answered by [`Response::File`].
    Download(Wanted),
    /// An RDB file the learner chose, to replace the keyspace with: answered by
    /// [`Response::RdbLoaded`].
    LoadRdb(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Forget what the browser keeps (the worker empties IndexedDB): answered by
    /// [`Response::ResetDone`], after which the page reloads.
    Reset,
    /// A Markdown lesson's text, to parse for the lesson panel: answered by
    /// [`Response::Lesson`].
    Lesson { source: String },
    /// The Replication view: its nodes (engines of their own, apart from the console's), the
    /// network between them, and their panes.
    Repl(ReplRequest),
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
    /// What `help` shows for the console entry `seq`: its echo, the topic asked (empty for
    /// bare `help`), and the docs of the command, its subcommands or its group (none for an
    /// unknown topic).
    Helped {
        seq: u64,
        echo: String,
        topic: String,
        docs: Vec<Doc>,
    },
    /// The RESP toggle took effect.
    RespShown(bool),
    /// Replies as data are given (or not) from now on.
    ReplyValues(bool),
    /// What the browser kept, as found when the worker started (sent once, after
    /// [`Response::Ready`]).
    Restored(Restored),
    /// SHUTDOWN stopped the server, and it started again on what the browser kept (or
    /// empty, when this tab keeps nothing), as redis-server restarted would: every pane is a
    /// new connection. Sent after the update that answered the SHUTDOWN.
    Restarted(Restored),
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
    /// A lesson parsed, or why it cannot be shown.
    Lesson(Result<Lesson, LessonError>),
    Repl(ReplResponse),
}

/// An engine that answers the page in the page's own thread instead of a Web Worker: the
/// browser tests mount the page on one (`keyspace_worker::InPage`), since they have no worker
/// script to load. The page's host drives it as it drives the worker: requests in, responses
/// out, in order.
pub trait Backend {
    /// Starts a fresh engine (again, after the page's Reset): what the worker says first, in
    /// order, [`Response::Ready`] first.
    fn start(&mut self) -> Vec<Response>;
    /// Answers one request, as the worker does: its response, then what follows it unasked
    /// ([`Response::Restarted`] after a SHUTDOWN).
    fn answer(&mut self, request: Request) -> Vec<Response>;
}
