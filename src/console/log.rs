//! The console's log without the DOM: each typed line is an [`Entry`] that waits for its reply
//! (commands queue while the engine is busy), and a long reply shows its first lines with
//! "show all", then grows a page at a time on request. Only what is shown is ever rendered.

use keyspace_protocol::console::{Line, ReplyPage};

/// Lines a reply shows before it collapses behind "show all".
pub const COLLAPSED_LINES: usize = 20;
/// Entries kept; the oldest scroll away for good, as in a terminal's scrollback.
const KEPT_ENTRIES: usize = 300;
/// A typed line and, once the engine answered, its reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Unique in the log: the request's sequence number, or a pushed reply's own.
    pub id: u64,
    /// The prompt and the line as echoed; empty for messages nobody typed.
    pub echo: String,
    /// `None` while queued or running.
    pub reply: Option<Reply>,
}

/// A reply's lines received so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The engine's id for asking more lines.
    pub id: u64,
    pub lines: Vec<Line>,
    pub total: usize,
    pub expanded: bool,
}

impl Reply {
    /// The lines to render now.
    pub fn shown(&self) -> &[Line] {
        let n = if self.expanded {
            self.lines.len()
        } else {
            self.lines.len().min(COLLAPSED_LINES)
        };
        &self.lines[..n]
    }

    /// Lines not shown yet: behind "show all" or not fetched.
    pub fn hidden(&self) -> usize {
        self.total - self.shown().len()
    }
}

/// The console's scrollback.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    pub entries: Vec<Entry>,
}

impl Log {
    /// A line was sent: show it at once, waiting.
    pub fn sent(&mut self, id: u64, echo: String) {
        self.entries.push(Entry {
            id,
            echo,
            reply: None,
        });
        if self.entries.len() > KEPT_ENTRIES {
            self.entries.remove(0);
        }
    }

    /// The engine answered entry `id`: its echo (with the prompt it really ran under) and
    /// its reply.
    pub fn answered(&mut self, id: u64, echo: String, page: ReplyPage) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.id == id) {
            // A pipeline's echo is the page's own label, kept as sent.
            if !echo.is_empty() {
                entry.echo = echo;
            }
            entry.reply = Some(Reply {
                id: page.id,
                lines: page.lines,
                total: page.total,
                expanded: false,
            });
        }
    }

    /// "Show all" on the reply `reply` reveals the lines already here; once revealed, "show
    /// more" says from which line the engine must send the next page.
    pub fn expand(&mut self, reply: u64) -> Option<usize> {
        let r = self.reply_mut(reply)?;
        if !r.expanded {
            r.expanded = true;
            return None;
        }
        Some(r.lines.len()).filter(|&from| from < r.total)
    }

    /// More lines of reply `reply` arrived, starting at line `from`.
    pub fn more(&mut self, reply: u64, from: usize, lines: Vec<Line>) {
        if let Some(r) = self.reply_mut(reply) {
            if r.lines.len() == from {
                r.lines.extend(lines);
            }
        }
    }

    /// Something arrived on the connection unasked (a pub/sub message): shown at once, with
    /// no echo.
    pub fn pushed(&mut self, id: u64, page: ReplyPage) {
        self.sent(id, String::new());
        self.answered(id, String::new(), page);
    }

    /// `clear`, Ctrl+L: empties the scrollback (queued commands still print when answered).
    pub fn clear(&mut self) {
        self.entries.retain(|e| e.reply.is_none());
    }

    /// A message from the page itself (not typed, not Redis's), shown as a plain line.
    pub fn note(&mut self, id: u64, text: &str) {
        let line = Line::classify(text.to_string(), false);
        self.pushed(
            id,
            ReplyPage {
                id: 0,
                lines: vec![line],
                total: 1,
            },
        );
    }

    /// The engine was replaced: what waited for the old one will never be answered.
    pub fn drop_waiting(&mut self) {
        self.entries.retain(|e| e.reply.is_some());
    }

    /// Commands sent but not answered yet.
    pub fn waiting(&self) -> usize {
        self.entries.iter().filter(|e| e.reply.is_none()).count()
    }

    fn reply_mut(&mut self, reply: u64) -> Option<&mut Reply> {
        self.entries
            .iter_mut()
            .filter_map(|e| e.reply.as_mut())
            .find(|r| r.id == reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::console::LineKind;

    fn lines(n: usize) -> Vec<Line> {
        (0..n)
            .map(|i| Line {
                kind: LineKind::Text,
                text: format!("{}) \"key:{i}\"", i + 1),
            })
            .collect()
    }

    fn log_with_reply(received: usize, total: usize) -> Log {
        let mut log = Log::default();
        log.sent(1, "> KEYS *".into());
        log.answered(
            1,
            "127.0.0.1:6379> KEYS *".into(),
            ReplyPage {
                id: 9,
                lines: lines(received),
                total,
            },
        );
        log
    }

    fn reply(log: &Log) -> &Reply {
        log.entries[0].reply.as_ref().unwrap()
    }

    #[test]
    fn a_sent_line_waits_for_its_reply() {
        let mut log = Log::default();
        log.sent(1, "> PING".into());
        log.sent(2, "> PING".into());
        assert_eq!(log.waiting(), 2);
        log.answered(
            1,
            "127.0.0.1:6379> PING".into(),
            ReplyPage {
                id: 1,
                lines: lines(1),
                total: 1,
            },
        );
        assert_eq!(log.waiting(), 1);
        assert_eq!(log.entries[0].echo, "127.0.0.1:6379> PING");
    }

    #[test]
    fn a_short_reply_shows_whole() {
        let log = log_with_reply(3, 3);
        assert_eq!(reply(&log).shown().len(), 3);
        assert_eq!(reply(&log).hidden(), 0);
    }

    #[test]
    fn a_long_reply_collapses_then_grows_a_page_at_a_time() {
        let mut log = log_with_reply(500, 1200);
        assert_eq!(reply(&log).shown().len(), COLLAPSED_LINES);
        assert_eq!(reply(&log).hidden(), 1180);
        // "Show all" shows what is here; the rest is fetched by "show more".
        assert_eq!(log.expand(9), None);
        assert_eq!(reply(&log).shown().len(), 500);
        assert_eq!(log.expand(9), Some(500));
        log.more(9, 500, lines(500));
        assert_eq!(log.expand(9), Some(1000));
        log.more(9, 1000, lines(200));
        assert_eq!(reply(&log).hidden(), 0);
        assert_eq!(log.expand(9), None);
        // A page arriving twice is not added twice.
        log.more(9, 1000, lines(200));
        assert_eq!(reply(&log).lines.len(), 1200);
    }

    #[test]
    fn expanding_a_reply_that_is_all_here_asks_nothing() {
        let mut log = log_with_reply(30, 30);
        assert_eq!(log.expand(9), None);
        assert_eq!(reply(&log).shown().len(), 30);
    }

    #[test]
    fn a_reset_drops_what_waited_and_says_so() {
        let mut log = log_with_reply(1, 1);
        log.sent(2, "> DEBUG POPULATE 1000000".into());
        log.drop_waiting();
        log.note(3, "(restarted)");
        let texts: Vec<_> = log
            .entries
            .iter()
            .map(|e| e.reply.as_ref().unwrap().lines[0].text.as_str())
            .collect();
        assert_eq!(texts, ["1) \"key:0\"", "(restarted)"]);
        assert_eq!(log.waiting(), 0);
    }

    #[test]
    fn clear_keeps_what_is_still_waiting() {
        let mut log = log_with_reply(1, 1);
        log.sent(2, "> DEBUG POPULATE 1000000".into());
        log.clear();
        assert_eq!(log.entries.len(), 1);
        assert_eq!(log.entries[0].id, 2);
    }
}
