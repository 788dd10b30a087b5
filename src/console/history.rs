//! The console's command history: Up and Down walk it as in redis-cli, and it is saved as text
//! (one line per command) so that it survives a reload. Ctrl+R searches it backwards, as
//! readline does, and the history list filters it.

/// Commands kept; older ones fall off.
const KEPT: usize = 500;
/// Lines longer than this are run but not remembered: the history is saved in the browser's
/// storage (a few megabytes for the whole site), and a megabyte-long SUBSCRIBE would crowd
/// out every other line.
pub const LINE_MAX: usize = 10_000;

/// Typed lines, oldest first, and where Up/Down currently stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    lines: Vec<String>,
    /// The entry being shown, while walking; `None` at the (unsent) line being typed.
    at: Option<usize>,
    /// What was typed before walking started, given back by Down past the newest entry.
    draft: String,
}

impl History {
    /// A history read back from [`History::saved`]'s text.
    pub fn from_saved(text: &str) -> History {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let skip = lines.len().saturating_sub(KEPT);
        History {
            lines: lines.into_iter().skip(skip).collect(),
            ..History::default()
        }
    }

    /// The text to store.
    pub fn saved(&self) -> String {
        self.lines.join("\n")
    }

    /// Records a sent line (not blank, not a repeat of the previous one) and stops walking.
    pub fn push(&mut self, line: &str) {
        self.at = None;
        self.draft.clear();
        if line.trim().is_empty()
            || line.len() > LINE_MAX
            || self.lines.last().is_some_and(|last| last == line)
        {
            return;
        }
        self.lines.push(line.to_string());
        if self.lines.len() > KEPT {
            self.lines.remove(0);
        }
    }

    /// Up: the previous line, if there is one. `typed` is the input's current text.
    pub fn up(&mut self, typed: &str) -> Option<&str> {
        let at = match self.at {
            None if self.lines.is_empty() => return None,
            None => {
                self.draft = typed.to_string();
                self.lines.len() - 1
            }
            Some(0) => return None,
            Some(at) => at - 1,
        };
        self.at = Some(at);
        Some(&self.lines[at])
    }

    /// Down: the next line, or the draft once past the newest.
    pub fn down(&mut self) -> Option<&str> {
        let at = self.at?;
        if at + 1 < self.lines.len() {
            self.at = Some(at + 1);
            Some(&self.lines[at + 1])
        } else {
            self.at = None;
            Some(&self.draft)
        }
    }
    /// Ctrl+R: the newest line older than entry `before` (all lines when `None`) that
    /// contains `query` (any case), with its index for searching further back.
    pub fn search(&self, query: &str, before: Option<usize>) -> Option<(usize, &str)> {
        let query = query.to_lowercase();
        let end = before.unwrap_or(self.lines.len()).min(self.lines.len());
        self.lines[..end]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, line)| line.to_lowercase().contains(&query))
            .map(|(i, line)| (i, line.as_str()))
    }

    /// The lines containing `filter` (any case), newest first, for the history list.
    pub fn matching(&self, filter: &str) -> Vec<String> {
        let filter = filter.to_lowercase();
        self.lines
            .iter()
            .rev()
            .filter(|line| line.to_lowercase().contains(&filter))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_lines_and_come_back_to_the_draft() {
        let mut h = History::default();
        h.push("SET a 1");
        h.push("GET a");
        assert_eq!(h.up("half"), Some("GET a"));
        assert_eq!(h.up(""), Some("SET a 1"));
        assert_eq!(h.up(""), None);
        assert_eq!(h.down(), Some("GET a"));
        assert_eq!(h.down(), Some("half"));
        assert_eq!(h.down(), None);
    }

    #[test]
    fn a_line_too_long_to_save_is_not_kept() {
        let mut h = History::default();
        h.push("GET a");
        h.push(&format!("SUBSCRIBE {}", "c ".repeat(LINE_MAX)));
        assert_eq!(h.up(""), Some("GET a"));
    }

    #[test]
    fn blanks_and_repeats_are_not_kept() {
        let mut h = History::default();
        h.push("PING");
        h.push("PING");
        h.push("  ");
        assert_eq!(h.saved(), "PING");
    }

    #[test]
    fn survives_a_round_trip_through_storage() {
        let mut h = History::default();
        h.push("SET k v");
        h.push("TTL k");
        let mut back = History::from_saved(&h.saved());
        assert_eq!(back.up(""), Some("TTL k"));
        assert_eq!(History::from_saved("").up(""), None);
    }

    #[test]
    fn keeps_only_the_newest() {
        let mut h = History::default();
        for n in 0..KEPT + 10 {
            h.push(&n.to_string());
        }
        let back = History::from_saved(&h.saved());
        assert_eq!(back.lines.len(), KEPT);
        assert_eq!(back.lines[0], "10");
    }

    #[test]
    fn ctrl_r_finds_older_and_older_matches() {
        let mut h = History::default();
        for line in ["SET user:1 ann", "GET user:1", "INCR visits", "get user:2"] {
            h.push(line);
        }
        assert_eq!(h.search("GET", None), Some((3, "get user:2")));
        assert_eq!(h.search("GET", Some(3)), Some((1, "GET user:1")));
        assert_eq!(h.search("GET", Some(1)), None);
        assert_eq!(h.search("nosuch", None), None);
        assert_eq!(
            h.matching("user"),
            ["get user:2", "GET user:1", "SET user:1 ann"]
        );
    }
}
