//! What the console's keys do to the input line, as plain state: the history it walks, the
//! Tab cycle through the worker's completions, Ctrl+R's reverse search and the readline
//! keys. [`InputLine::key`] takes a key press and the line as the field holds it and says
//! what the page must do ([`Action`]); the `Prompt` component only reads the DOM event and
//! carries the action out, so everything a key means is tested here, natively.

use crate::console::history::History;
use crate::console::teach::{self, Edit};
use keyspace_protocol::assist::Assist;

/// A key press as the browser reported it.
#[derive(Clone, Debug, Default)]
pub struct Press {
    /// `KeyboardEvent.key`: "Enter", "Tab", "a", "中"...
    pub key: String,
    pub ctrl: bool,
    pub shift: bool,
    pub alt: bool,
    pub meta: bool,
    /// Part of an IME composition (typing 中文): Enter there confirms a word, not the line.
    pub composing: bool,
}

/// What a key press asks of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Nothing: the browser does what it does with the key (types it, moves the focus).
    Pass,
    /// The key is the console's, and needs nothing more.
    Swallow,
    /// Replace the field's text and put the cursor at byte `at`.
    Put { text: String, at: usize },
    /// Run the field's text.
    Submit,
    /// Put this text in the field and run it (Enter on a reverse search's find).
    PutAndSubmit(String),
    /// F1: open or close the docs panel.
    ToggleDocs,
    /// Esc: close the docs and the history list (the browser keeps the key).
    ClosePanels,
    /// Ctrl+L: empty the pane's scrollback.
    Clear,
}

impl Action {
    /// Whether the browser's own handling of the key must be stopped.
    pub fn prevents_default(&self) -> bool {
        !matches!(self, Action::Pass | Action::ClosePanels)
    }
}

/// Ctrl+R in progress: what is searched for and the line found (with its history index).
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    pub query: String,
    pub found: Option<(usize, String)>,
    /// The input's text before the search, given back by Ctrl+G.
    before: String,
}

/// The input line's state between key presses.
#[derive(Clone, Debug, Default)]
pub struct InputLine {
    pub history: History,
    /// The worker's answer a Tab cycle started from, kept while Tab is pressed again.
    cycle: Option<Assist>,
    /// The completion the Tab cycle stands on.
    pub selected: Option<usize>,
    pub search: Option<Search>,
    /// Tab was pressed before the worker's completions for the line arrived (`Some(back)`):
    /// they complete when they come, rather than letting Tab move the focus away.
    tab_waiting: Option<bool>,
}

impl InputLine {
    pub fn new(history: History) -> InputLine {
        InputLine {
            history,
            ..InputLine::default()
        }
    }

    /// The completions on show: the Tab cycle's while it runs, else the current answer's.
    pub fn completions<'a>(&'a self, current: Option<&'a Assist>) -> Option<&'a Assist> {
        self.cycle.as_ref().or(current)
    }

    /// A key pressed in the field holding `line` with the cursor at byte `at`; `current` is
    /// the worker's answer for that line, if it has come.
    pub fn key(
        &mut self,
        press: &Press,
        line: &str,
        at: usize,
        current: Option<&Assist>,
    ) -> Action {
        if self.search.is_some() {
            return self.search_key(press);
        }
        if press.key != "Tab" && press.key != "Shift" {
            self.end_cycle();
            self.tab_waiting = None;
        }
        let ctrl = press.ctrl && !press.meta && !press.alt;
        let put = |(text, at): (String, usize)| Action::Put { text, at };
        match press.key.as_str() {
            "Enter" if !press.composing && !press.shift => Action::Submit,
            // On an empty line Tab moves the focus on as usual (to the buttons and the docs
            // panel, for those who use only the keyboard); on a line being typed it is always
            // the console's: it completes, or does nothing, or waits for the completions.
            "Tab" if !ctrl && !line.trim().is_empty() => self.tab(press.shift, current),
            // Up and Down walk the history from the first and last lines of the input.
            "ArrowUp" if !line[..at].contains('\n') => match self.history.up(line) {
                Some(recalled) => put((recalled.to_string(), recalled.len())),
                None => Action::Swallow,
            },
            "ArrowDown" if !line[at..].contains('\n') => match self.history.down() {
                Some(recalled) => put((recalled.to_string(), recalled.len())),
                None => Action::Swallow,
            },
            "F1" => Action::ToggleDocs,
            "Escape" => Action::ClosePanels,
            "r" | "R" if ctrl => {
                self.search = Some(Search {
                    query: String::new(),
                    found: None,
                    before: line.to_string(),
                });
                Action::Swallow
            }
            "a" | "A" if ctrl => put(teach::edit(line, at, Edit::LineStart)),
            "e" | "E" if ctrl => put(teach::edit(line, at, Edit::LineEnd)),
            "u" | "U" if ctrl => put(teach::edit(line, at, Edit::KillToStart)),
            "k" | "K" if ctrl => put(teach::edit(line, at, Edit::KillToEnd)),
            "w" | "W" if ctrl => put(teach::edit(line, at, Edit::KillWord)),
            "l" | "L" if ctrl => Action::Clear,
            _ => Action::Pass,
        }
    }

    /// Whether a Tab waits for the worker's answer.
    pub fn tab_waiting(&self) -> bool {
        self.tab_waiting.is_some()
    }

    /// The worker's answer for the line came: a Tab pressed before it completes now.
    pub fn answer_arrived(&mut self, current: &Assist) -> Action {
        match self.tab_waiting.take() {
            Some(back) => self.tab(back, Some(current)),
            None => Action::Pass,
        }
    }

    /// The line was sent: it joins the history as the one command it ran (a script typed over
    /// several lines, on one line), unless it is a pasted pipeline (one paste away, and
    /// thousands of lines would push out everything typed before).
    pub fn submitted(&mut self, text: &str) {
        if let [command] = teach::pipeline(text).as_slice() {
            self.history.push(command);
        }
        self.end_cycle();
    }

    /// A click on suggestion `i`: it goes in, and any Tab cycle ends.
    pub fn pick(&mut self, i: usize, current: Option<&Assist>) -> Action {
        let chosen = self.completions(current).and_then(|base| {
            let completion = base.completions.get(i)?;
            Some(teach::complete_with(
                &base.line,
                base.from,
                base.cursor,
                &completion.text,
            ))
        });
        self.end_cycle();
        match chosen {
            Some((text, at)) => Action::Put { text, at },
            None => Action::Pass,
        }
    }

    /// Tab (or Shift+Tab): the next (previous) completion in place of the word.
    fn tab(&mut self, back: bool, current: Option<&Assist>) -> Action {
        let Some(base) = self.cycle.clone().or_else(|| current.cloned()) else {
            self.tab_waiting = Some(back);
            return Action::Swallow;
        };
        let n = base.completions.len();
        if n == 0 {
            return Action::Swallow;
        }
        let next = match (self.selected, back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        let (text, at) = teach::complete_with(
            &base.line,
            base.from,
            base.cursor,
            &base.completions[next].text,
        );
        self.cycle = Some(base);
        self.selected = Some(next);
        Action::Put { text, at }
    }

    fn end_cycle(&mut self) {
        self.cycle = None;
        self.selected = None;
    }

    /// A key during Ctrl+R: it is all the search's.
    fn search_key(&mut self, press: &Press) -> Action {
        let Some(s) = self.search.take() else {
            return Action::Pass;
        };
        let ctrl = press.ctrl;
        let go_on = |query: String, found| Search {
            query,
            found,
            ..s.clone()
        };
        match press.key.as_str() {
            "r" | "R" if ctrl => {
                let older = self.find(&s.query, s.found.as_ref().map(|(i, _)| *i));
                self.search = Some(if older.is_some() {
                    go_on(s.query.clone(), older)
                } else {
                    s
                });
                Action::Swallow
            }
            "g" | "G" | "c" | "C" if ctrl => Self::put_end(s.before),
            "Enter" => Action::PutAndSubmit(s.found.map(|(_, l)| l).unwrap_or(s.before)),
            "Backspace" => {
                let mut query = s.query.clone();
                query.pop();
                let found = self.find(&query, None);
                self.search = Some(go_on(query, found));
                Action::Swallow
            }
            "Escape" | "Tab" | "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home"
            | "End" => Self::put_end(s.found.map(|(_, l)| l).unwrap_or(s.before)),
            k if k.chars().count() == 1 && !ctrl && !press.meta && !press.alt => {
                let query = format!("{}{k}", s.query);
                let found = self.find(&query, None);
                self.search = Some(go_on(query, found));
                Action::Swallow
            }
            _ => {
                self.search = Some(s);
                Action::Swallow
            }
        }
    }

    fn find(&self, query: &str, before: Option<usize>) -> Option<(usize, String)> {
        self.history
            .search(query, before)
            .map(|(i, l)| (i, l.to_string()))
    }

    fn put_end(text: String) -> Action {
        let at = text.len();
        Action::Put { text, at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::assist::{Completion, WordKind};

    fn press(key: &str) -> Press {
        Press {
            key: key.to_string(),
            ..Press::default()
        }
    }

    fn ctrl(key: &str) -> Press {
        Press {
            ctrl: true,
            ..press(key)
        }
    }

    fn typed(lines: &[&str]) -> InputLine {
        let mut input = InputLine::default();
        for line in lines {
            input.submitted(line);
        }
        input
    }

    /// The worker's answer for `line` with the cursor at its end, completing the last word.
    fn answer(line: &str, completions: &[&str]) -> Assist {
        let from = line.rfind(' ').map_or(0, |i| i + 1);
        Assist {
            line: line.to_string(),
            cursor: line.len(),
            from,
            completions: completions
                .iter()
                .map(|c| Completion {
                    text: c.to_string(),
                    kind: WordKind::Command,
                })
                .collect(),
            ..Assist::default()
        }
    }

    fn put(text: &str) -> Action {
        Action::Put {
            text: text.to_string(),
            at: text.len(),
        }
    }

    #[test]
    fn enter_submits_but_not_inside_an_ime_composition_or_with_shift() {
        let mut input = InputLine::default();
        assert_eq!(input.key(&press("Enter"), "GET a", 5, None), Action::Submit);
        let composing = Press {
            composing: true,
            ..press("Enter")
        };
        assert_eq!(input.key(&composing, "GET 中", 7, None), Action::Pass);
        let shift = Press {
            shift: true,
            ..press("Enter")
        };
        assert_eq!(input.key(&shift, "EVAL", 4, None), Action::Pass);
    }

    #[test]
    fn tab_cycles_through_the_completions_both_ways_and_wraps() {
        let mut input = InputLine::default();
        let current = answer("SE", &["SELECT", "SET", "SETEX"]);
        let tab = press("Tab");
        let back = Press {
            shift: true,
            ..press("Tab")
        };
        assert_eq!(input.key(&tab, "SE", 2, Some(&current)), put("SELECT"));
        // The answer for the completed line differs; the cycle keeps its own.
        let later = answer("SELECT", &[]);
        assert_eq!(input.key(&tab, "SELECT", 6, Some(&later)), put("SET"));
        assert_eq!(input.key(&tab, "SET", 3, Some(&later)), put("SETEX"));
        assert_eq!(input.key(&tab, "SETEX", 5, Some(&later)), put("SELECT"));
        assert_eq!(input.key(&back, "SELECT", 6, Some(&later)), put("SETEX"));
        assert_eq!(input.selected, Some(2));
        // Any other key ends the cycle.
        assert_eq!(
            input.key(&press("x"), "SETEX", 5, Some(&later)),
            Action::Pass
        );
        assert_eq!(input.selected, None);
    }

    #[test]
    fn tab_on_an_empty_line_moves_the_focus_and_with_nothing_to_offer_stays() {
        let mut input = InputLine::default();
        assert_eq!(input.key(&press("Tab"), "  ", 2, None), Action::Pass);
        assert_eq!(
            input.key(&press("Tab"), "GET ", 4, Some(&answer("GET ", &[]))),
            Action::Swallow
        );
    }

    #[test]
    fn tab_before_the_answer_waits_for_it_and_a_key_typed_meanwhile_cancels() {
        let mut input = InputLine::default();
        assert_eq!(input.key(&press("Tab"), "HG", 2, None), Action::Swallow);
        assert!(input.tab_waiting());
        let current = answer("HG", &["HGET", "HGETALL"]);
        assert_eq!(input.answer_arrived(&current), put("HGET"));
        assert_eq!(input.answer_arrived(&current), Action::Pass);
        // Tab again goes on with the cycle the answer started.
        assert_eq!(input.key(&press("Tab"), "HGET", 4, None), put("HGETALL"));

        input.key(&press("Backspace"), "HGETALL", 7, None);
        assert_eq!(input.key(&press("Tab"), "HG", 2, None), Action::Swallow);
        input.key(&press("E"), "HG", 2, None);
        assert_eq!(input.answer_arrived(&current), Action::Pass);
    }

    #[test]
    fn a_clicked_suggestion_goes_in_and_ends_the_cycle() {
        let mut input = InputLine::default();
        let current = answer("LPUSH k v; LP", &["LPOP", "LPOS", "LPUSH"]);
        assert_eq!(input.pick(2, Some(&current)), put("LPUSH k v; LPUSH"));
        assert_eq!(input.selected, None);
        assert_eq!(input.pick(9, Some(&current)), Action::Pass);
    }

    #[test]
    fn arrows_walk_the_history_only_from_the_first_and_last_lines() {
        let mut input = typed(&["SET a 1", "GET a"]);
        assert_eq!(input.key(&press("ArrowUp"), "", 0, None), put("GET a"));
        assert_eq!(
            input.key(&press("ArrowUp"), "GET a", 5, None),
            put("SET a 1")
        );
        assert_eq!(
            input.key(&press("ArrowDown"), "SET a 1", 7, None),
            put("GET a")
        );
        // In the second line of a multi-line input, Up moves the cursor as in any textarea.
        assert_eq!(
            input.key(&press("ArrowUp"), "EVAL\n\"x\"", 7, None),
            Action::Pass
        );
        assert_eq!(
            input.key(&press("ArrowDown"), "EVAL\n\"x\"", 2, None),
            Action::Pass
        );
    }

    #[test]
    fn a_pasted_pipeline_stays_out_of_the_history() {
        let input = typed(&["SET a 1", "SET b 2\nSET c 3"]);
        assert_eq!(input.history.matching(""), vec!["SET a 1".to_string()]);
        // A script over several lines is one command: kept, on one line.
        let input = typed(&["EVAL \"local n = 1\nreturn n\" 0"]);
        assert_eq!(
            input.history.matching(""),
            vec!["EVAL \"local n = 1\\nreturn n\" 0".to_string()]
        );
    }

    #[test]
    fn reverse_search_finds_older_matches_and_ends_as_readline_does() {
        let mut input = typed(&["SET user:1 a", "GET other", "GET user:1"]);
        assert_eq!(input.key(&ctrl("r"), "draft", 5, None), Action::Swallow);
        for k in ["u", "s", "e", "r"] {
            assert_eq!(input.key(&press(k), "draft", 5, None), Action::Swallow);
        }
        let s = input.search.clone().unwrap();
        assert_eq!(
            (s.query.as_str(), s.found.map(|f| f.1)),
            ("user", Some("GET user:1".into()))
        );
        // Ctrl+R again: the next older match; past the oldest it stays.
        input.key(&ctrl("r"), "draft", 5, None);
        assert_eq!(
            input.search.as_ref().unwrap().found.as_ref().unwrap().1,
            "SET user:1 a"
        );
        input.key(&ctrl("r"), "draft", 5, None);
        assert_eq!(
            input.search.as_ref().unwrap().found.as_ref().unwrap().1,
            "SET user:1 a"
        );
        // Enter runs the find.
        assert_eq!(
            input.key(&press("Enter"), "draft", 5, None),
            Action::PutAndSubmit("SET user:1 a".into())
        );
        assert!(input.search.is_none());

        // Ctrl+G gives back what was typed; an arrow keeps the find to edit.
        input.key(&ctrl("r"), "draft", 5, None);
        input.key(&press("G"), "draft", 5, None);
        assert_eq!(input.key(&ctrl("g"), "draft", 5, None), put("draft"));
        input.key(&ctrl("r"), "draft", 5, None);
        input.key(&press("o"), "draft", 5, None);
        input.key(&press("Backspace"), "draft", 5, None);
        input.key(&press("G"), "draft", 5, None);
        assert_eq!(
            input.key(&press("ArrowLeft"), "draft", 5, None),
            put("GET user:1")
        );
    }

    #[test]
    fn readline_keys_edit_and_the_others_are_the_pages() {
        let mut input = InputLine::default();
        assert_eq!(
            input.key(&ctrl("a"), "GET key", 7, None),
            Action::Put {
                text: "GET key".into(),
                at: 0
            }
        );
        assert_eq!(
            input.key(&ctrl("u"), "GET key", 4, None),
            Action::Put {
                text: "key".into(),
                at: 0
            }
        );
        assert_eq!(input.key(&ctrl("k"), "GET key", 4, None), put("GET "));
        assert_eq!(input.key(&ctrl("w"), "GET key", 7, None), put("GET "));
        assert_eq!(input.key(&ctrl("l"), "GET key", 7, None), Action::Clear);
        assert_eq!(input.key(&press("F1"), "", 0, None), Action::ToggleDocs);
        assert_eq!(
            input.key(&press("Escape"), "", 0, None),
            Action::ClosePanels
        );
        assert!(!Action::ClosePanels.prevents_default());
        // Ctrl with Alt or Meta is the browser's (AltGr types characters on some layouts).
        let alt_gr = Press {
            alt: true,
            ..ctrl("w")
        };
        assert_eq!(input.key(&alt_gr, "GET key", 7, None), Action::Pass);
    }
}
