//! A lesson in Markdown, as the worker parsed it for the page: plain blocks and inline runs
//! the page draws with its own views, never HTML. A `redis` code block is a [`Block::Run`]
//! (its lines, each with the client it runs in); links keep only targets the page may follow
//! ([`Target`]), images only their address, fetched when the reader asks. A file in two
//! languages has two bodies; the page shows the reader's, or the other when one is missing.

use serde::{Deserialize, Serialize};

/// The largest lesson the page reads, in bytes: a lesson is a page of prose and commands,
/// and a bigger file is more likely something else by mistake.
pub const LESSON_MAX_BYTES: usize = 256 * 1024;

/// A parsed lesson: its body in each language the file has (a file without language markers
/// has the same body in both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub en: Option<LessonBody>,
    pub zh_tw: Option<LessonBody>,
}

impl Lesson {
    /// The body in the page's language (`lang` is the page's `lang` attribute), or in the
    /// other one when the file has no such section; and whether it is the other one.
    pub fn body(&self, lang: &str) -> Option<(&LessonBody, bool)> {
        let (wanted, other) = if lang.starts_with("zh") {
            (&self.zh_tw, &self.en)
        } else {
            (&self.en, &self.zh_tw)
        };
        match (wanted, other) {
            (Some(body), _) => Some((body, false)),
            (None, Some(body)) => Some((body, true)),
            (None, None) => None,
        }
    }
}

/// A lesson in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonBody {
    /// The first heading's text (empty when there is none).
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A block of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// `level` 1 to 6; `id` is the anchor a `#fragment` link names, as GitHub makes it.
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// A fenced `redis` block: its command lines in order, each with its client (1 for the
    /// console's first pane), and the text as written for showing.
    Run {
        lines: Vec<(usize, String)>,
        text: String,
    },
    /// Any other code block, shown as written.
    Code {
        language: String,
        text: String,
    },
    Quote(Vec<Block>),
    /// Items of blocks; `start` is an ordered list's first number.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Table {
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
    /// HTML written in the lesson, shown as the text it is: never interpreted.
    Html(String),
}

/// A run of text inside a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inline {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Link {
        target: Target,
        content: Vec<Inline>,
    },
    /// A link the page will not follow (`javascript:`, `data:`, any other scheme): its text
    /// is shown as text, the target only as a hint.
    Refused {
        target: String,
        content: Vec<Inline>,
    },
    /// An image: nothing is fetched until the reader asks for it.
    Image {
        src: String,
        alt: String,
    },
    /// A hard line break.
    Break,
}

/// Where a link the page follows goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// An `http:`, `https:` or `mailto:` address, opened in a new tab.
    Web(String),
    /// A path relative to the lesson's own address.
    Relative(String),
    /// A heading of the lesson, by its id (without the `#`).
    Fragment(String),
}

/// What a link's target is: one the page follows, or not.
pub fn classify_target(href: &str) -> Result<Target, String> {
    let href = href.trim();
    if let Some(fragment) = href.strip_prefix('#') {
        return Ok(Target::Fragment(fragment.to_string()));
    }
    // A scheme is letters, digits, `+`, `-` and `.` before the first `:`, and comes before
    // any `/`, `?` or `#` (otherwise the colon is part of a relative path).
    let scheme = href
        .find(':')
        .map(|at| &href[..at])
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None if !href.starts_with("//") => Ok(Target::Relative(href.to_string())),
        Some(s) if ["http", "https", "mailto"].contains(&s.to_ascii_lowercase().as_str()) => {
            Ok(Target::Web(href.to_string()))
        }
        _ => Err(href.to_string()),
    }
}

/// Why a lesson did not open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonError {
    /// Over [`LESSON_MAX_BYTES`]: its size.
    TooBig(usize),
    /// The file or the address's answer is not Markdown text (its name or content type).
    NotMarkdown(String),
    /// The address could not be fetched (the browser's words, often CORS), or answered
    /// with this HTTP status.
    Fetch(String),
    Status(u16),
    /// A language marker names no language the page has: its line and what it says.
    UnknownLanguage {
        line: usize,
        name: String,
    },
    /// A `redis` block's `client=` is not a client the console can open (1 to `PANES_MAX`).
    BadClient {
        line: usize,
        client: String,
    },
    /// Nothing to show.
    Empty,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_the_page_follows_and_refuses() {
        let web = |s: &str| Ok(Target::Web(s.to_string()));
        assert_eq!(
            classify_target("https://redis.io/"),
            web("https://redis.io/")
        );
        assert_eq!(classify_target("HTTP://a.b"), web("HTTP://a.b"));
        assert_eq!(
            classify_target("mailto:t@school.tw"),
            web("mailto:t@school.tw")
        );
        assert_eq!(
            classify_target("#step-2"),
            Ok(Target::Fragment("step-2".into()))
        );
        assert_eq!(
            classify_target("next.md"),
            Ok(Target::Relative("next.md".into()))
        );
        assert_eq!(
            classify_target("./a:b.md"),
            Ok(Target::Relative("./a:b.md".into()))
        );
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "file:///etc/passwd",
            "//evil.example/x",
        ] {
            assert_eq!(classify_target(bad), Err(bad.trim().to_string()));
        }
    }

    #[test]
    fn a_missing_language_falls_back_to_the_other() {
        let body = |t: &str| LessonBody {
            title: t.to_string(),
            blocks: Vec::new(),
        };
        let lesson = Lesson {
            en: Some(body("en")),
            zh_tw: None,
        };
        assert_eq!(
            lesson.body("zh-TW").map(|(b, f)| (b.title.as_str(), f)),
            Some(("en", true))
        );
        assert_eq!(
            lesson.body("en").map(|(b, f)| (b.title.as_str(), f)),
            Some(("en", false))
        );
        let both = Lesson {
            en: Some(body("en")),
            zh_tw: Some(body("zh")),
        };
        assert_eq!(
            both.body("zh-TW").map(|(b, _)| b.title.as_str()),
            Some("zh")
        );
        assert_eq!(Lesson::default().body("en"), None);
    }
}
