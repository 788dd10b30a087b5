//! What the learner did to a topology, in order, with the virtual time between: the lines a
//! `#repl/...` share link carries. Typed lines are kept as typed, after a `@node PORT` line
//! naming the node they were typed in (as a console link's `@client N`); the controls are
//! words of their own, and `@after MS` says how long the clock ran before the next one:
//!
//! ```text
//! @node 6380
//! REPLICAOF 127.0.0.1 6379
//! @after 1200
//! @node 6379
//! SET k v
//! @cut 6379 6380
//! @heal 6379 6380
//! @latency 1000
//! @isolate 6381
//! @rejoin 6381
//! @stop 6380
//! @start 6380
//! @crash 6380
//! @add
//! ```
//!
//! The controls' words are a scenario's `network` words
//! (`keyspace_scenarios::NetworkAction`), one reader for both.
//!
//! A link is anyone's to write, so [`parse`] takes only these words, with ports of the page's
//! nodes and at most [`AFTER_MAX_MS`] of waiting each; anything else refuses the link whole.

use keyspace_protocol::repl::{ports, NODES_MAX};
use keyspace_scenarios::NetworkAction;

use super::network::Port;

/// The longest wait a link replays before one action (virtual ms): an hour, longer than any
/// of Redis's replication timers; a longer pause is journaled as this long.
pub const AFTER_MAX_MS: u64 = 3_600_000;

/// One thing the learner did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Run { port: Port, line: String, seq: u64 },
    AddNode,
    Network(NetworkAction),
}

/// The journal of one topology.
#[derive(Debug)]
pub struct Journal {
    start_ms: u64,
    last_ms: u64,
    /// The node the last typed line was typed in.
    typing_in: Option<Port>,
    lines: Vec<String>,
}

impl Journal {
    pub fn new(start_ms: u64) -> Journal {
        Journal {
            start_ms,
            last_ms: start_ms,
            typing_in: None,
            lines: Vec::new(),
        }
    }

    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.clone()
    }

    /// Keeps `action`, done at `now_ms`.
    pub fn record(&mut self, now_ms: u64, action: Action) {
        let waited = now_ms.saturating_sub(self.last_ms).min(AFTER_MAX_MS);
        if waited > 0 && !self.lines.is_empty() {
            self.lines.push(format!("@after {waited}"));
        }
        self.last_ms = now_ms;
        let line = match action {
            Action::Run { port, line, .. } => {
                if self.typing_in != Some(port) {
                    self.typing_in = Some(port);
                    self.lines.push(format!("@node {port}"));
                }
                line
            }
            Action::AddNode => "@add".to_string(),
            Action::Network(action) => format!("@{action}"),
        };
        self.lines.push(line);
    }
}

/// A link's lines as (virtual ms to wait, action), or `None` if any line is not one a
/// journal writes.
pub fn parse<S: AsRef<str>>(lines: &[S]) -> Option<Vec<(u64, Action)>> {
    let every_port: Vec<Port> = ports(NODES_MAX).collect();
    let valid_port = |word: &str| -> Option<Port> {
        let port: Port = word.parse().ok()?;
        every_port.contains(&port).then_some(port)
    };
    let mut steps = Vec::new();
    let mut after = 0;
    let mut typing_in = None;
    for line in lines {
        let line = line.as_ref();
        let words: Vec<&str> = line.split(' ').collect();
        let action = match words.as_slice() {
            ["@after", ms] => {
                after = ms.parse::<u64>().ok().filter(|&ms| ms <= AFTER_MAX_MS)?;
                continue;
            }
            ["@node", port] => {
                typing_in = Some(valid_port(port)?);
                continue;
            }
            ["@add"] => Action::AddNode,
            [first, ..] if first.starts_with('@') => {
                Action::Network(NetworkAction::parse(&line[1..], &every_port).ok()?)
            }
            _ => Action::Run {
                port: typing_in?,
                line: line.to_string(),
                seq: 0,
            },
        };
        steps.push((std::mem::take(&mut after), action));
    }
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reads_back_as_it_was_done() {
        let mut journal = Journal::new(1000);
        let run = |port, line: &str| Action::Run {
            port,
            line: line.to_string(),
            seq: 7,
        };
        journal.record(1000, run(6380, "REPLICAOF 127.0.0.1 6379"));
        journal.record(2200, run(6379, "SET k v"));
        journal.record(2200, run(6379, "INCR n"));
        for action in [
            NetworkAction::Cut {
                a: 6379,
                b: 6380,
                cut: true,
            },
            NetworkAction::Power {
                port: 6380,
                running: false,
            },
            NetworkAction::Crash { port: 6381 },
            NetworkAction::Latency { ms: 50 },
        ] {
            journal.record(2300, Action::Network(action));
        }
        assert_eq!(
            journal.lines(),
            [
                "@node 6380",
                "REPLICAOF 127.0.0.1 6379",
                "@after 1200",
                "@node 6379",
                "SET k v",
                "INCR n",
                "@after 100",
                "@cut 6379 6380",
                "@stop 6380",
                "@crash 6381",
                "@latency 50",
            ]
        );
        let steps = parse(&journal.lines()).unwrap();
        let waits: Vec<u64> = steps.iter().map(|(w, _)| *w).collect();
        assert_eq!(waits, [0, 1200, 0, 100, 0, 0, 0]);
        assert_eq!(
            steps[1].1,
            Action::Run {
                port: 6379,
                line: "SET k v".into(),
                seq: 0
            }
        );
        assert_eq!(
            steps[4].1,
            Action::Network(NetworkAction::Power {
                port: 6380,
                running: false
            })
        );
    }

    #[test]
    fn a_link_with_anything_else_is_refused() {
        assert!(parse(&["SET k v"]).is_none(), "a line before any @node");
        assert!(parse(&["@node 6383"]).is_none(), "no such node");
        assert!(parse(&["@after 3600001"]).is_none(), "too long a wait");
        assert!(parse(&["@explode 6379"]).is_none());
        assert!(parse(&["@cut 6379"]).is_none());
        assert!(parse(&["@cut 6379 6379"]).is_none());
        assert_eq!(parse(&["@add", "@rejoin 6382"]).map(|s| s.len()), Some(2));
    }
}
