//! What the console knows about the line being typed, as the worker answers it: completions
//! for the word under the cursor, the rest of the syntax as a hint, whether the line can run,
//! what each word is (for highlighting), and the docs of the command under the cursor. A
//! command's [`Doc`] is also what `help` prints, laid out by the page in its language.

use serde::{Deserialize, Serialize};

/// What the page shows for a line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assist {
    /// The line and cursor this answers, so that the page can drop a stale answer.
    pub line: String,
    pub cursor: usize,
    /// Where the word under the cursor starts (byte offset): a completion replaces
    /// `line[from..cursor]`.
    pub from: usize,
    pub completions: Vec<Completion>,
    /// The rest of the syntax after what is typed; empty when nothing is left to say.
    pub hint: String,
    pub verdict: Verdict,
    /// Every word of the cursor's line, classified.
    pub words: Vec<Word>,
    /// The docs of the command under the cursor.
    pub doc: Option<Doc>,
}

/// One suggestion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub text: String,
    pub kind: WordKind,
}

/// Whether the line can be sent as it stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Nothing typed, or nothing wrong.
    #[default]
    Ok,
    /// No such command (and none starts with what is typed).
    Unknown,
    /// A container without such a subcommand.
    UnknownSubcommand,
    /// Fewer arguments than the arity asks for.
    TooFew,
    /// More arguments than the arity allows.
    TooMany,
    /// The syntax has no place for the word at this index of the line.
    Unexpected(usize),
}

/// What a word of the line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WordKind {
    Command,
    Subcommand,
    /// A literal token of the syntax: `NX`, `WITHSCORES`.
    Keyword,
    Key,
    /// A configuration parameter's name.
    Parameter,
    Number,
    /// Any other argument.
    Argument,
}

/// A word of the line: its byte range and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub kind: WordKind,
    /// Written in quotes.
    pub quoted: bool,
}

/// A command's documentation, both languages, for `help` and the docs panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// `SET`, `CLIENT LIST`.
    pub name: String,
    /// The name and its syntax: `SET key value [NX | XX] ...`.
    pub syntax: String,
    pub summary_en: String,
    pub summary_zh: String,
    pub complexity: String,
    pub since: String,
    pub group: String,
    /// For a deprecated command, the version that deprecated it; empty otherwise.
    pub deprecated_since: String,
    /// What to use instead, as Redis words it (a deprecated command's); empty otherwise.
    pub replaced_by: String,
    pub examples: Vec<String>,
}
