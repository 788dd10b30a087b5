//! What the Replication view keeps on the page: the topology the worker last reported, each
//! node's scrollback (the console's [`Log`]), the lesson being played, the share link made,
//! and whether a tick is out.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::console::log::Log;
use keyspace_protocol::console::ReplyPage;
use keyspace_protocol::repl::{LessonUpdate, LessonView, NodeAnswer, ReplResponse, Topology};
use keyspace_protocol::share::ShareError;

#[derive(Clone, Copy)]
pub struct ReplState {
    pub topology: RwSignal<Option<Topology>>,
    /// Each node's scrollback, by port.
    pub logs: RwSignal<BTreeMap<u16, Log>>,
    /// The lesson played on the topology, as the worker last sent it.
    pub lesson: RwSignal<Option<LessonView>>,
    /// The share link made, or why none could be.
    pub link: RwSignal<Option<Result<String, ShareError>>>,
    /// A `#repl/...` link that could not be opened.
    pub refused: RwSignal<Option<ShareError>>,
    /// A lesson that could not be opened, and why.
    pub lesson_unavailable: RwSignal<Option<String>>,
    /// A tick was sent and not answered: the next waits.
    pub(crate) ticking: StoredValue<bool>,
    /// The view was opened once (the worker holds a topology).
    pub(crate) opened: StoredValue<bool>,
}

impl ReplState {
    pub fn new() -> ReplState {
        ReplState {
            topology: RwSignal::new(None),
            logs: RwSignal::new(BTreeMap::new()),
            lesson: RwSignal::new(None),
            link: RwSignal::new(None),
            refused: RwSignal::new(None),
            lesson_unavailable: RwSignal::new(None),
            ticking: StoredValue::new(false),
            opened: StoredValue::new(false),
        }
    }

    /// The worker started anew (after a failure): its topology is a fresh one, asked for at
    /// once if the view was open; no lesson is played on it.
    pub fn restarted(&self) -> bool {
        self.ticking.set_value(false);
        self.topology.set(None);
        self.logs.set(BTreeMap::new());
        self.lesson.set(None);
        self.opened.get_value()
    }

    /// The worker's answer; `fresh_id` gives ids to lines nobody typed here (a share link's
    /// replay, the Stop button's SHUTDOWN).
    pub fn on_response(&self, response: ReplResponse, fresh_id: impl FnMut() -> u64) {
        match response {
            ReplResponse::Topology(topology) => {
                self.ticking.set_value(false);
                let mut topology = *topology;
                let answers = std::mem::take(&mut topology.answers);
                if !answers.is_empty() {
                    self.logs.update(|logs| record(logs, answers, fresh_id));
                }
                match std::mem::take(&mut topology.lesson) {
                    LessonUpdate::Unchanged => {}
                    LessonUpdate::Closed => self.lesson.set(None),
                    LessonUpdate::Open(view) => {
                        self.lesson_unavailable.set(None);
                        self.lesson.set(Some(*view));
                    }
                }
                self.topology.set(Some(topology));
            }
            ReplResponse::Shared(link) => self.link.set(Some(link)),
            ReplResponse::LinkRefused(error) => self.refused.set(Some(error)),
            ReplResponse::LessonUnavailable(reason) => self.lesson_unavailable.set(Some(reason)),
        }
    }
}

impl Default for ReplState {
    fn default() -> ReplState {
        ReplState::new()
    }
}

/// Puts each answer in its node's scrollback: in the entry waiting for it, or as a new entry
/// when nothing here waits for it.
pub fn record(
    logs: &mut BTreeMap<u16, Log>,
    answers: Vec<NodeAnswer>,
    mut fresh_id: impl FnMut() -> u64,
) {
    for answer in answers {
        let log = logs.entry(answer.port).or_default();
        let page = ReplyPage {
            id: 0,
            total: answer.lines.len(),
            lines: answer.lines,
        };
        let waiting = answer.seq != 0 && log.entries.iter().any(|e| e.id == answer.seq);
        let id = if waiting {
            answer.seq
        } else {
            let id = fresh_id();
            log.sent(id, answer.echo.clone());
            id
        };
        log.answered(id, answer.echo, page);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::console::Line;

    fn answer(seq: u64, port: u16, echo: &str, reply: &str) -> NodeAnswer {
        NodeAnswer {
            seq,
            port,
            echo: echo.into(),
            lines: vec![Line::classify(reply.into(), false)],
        }
    }

    #[test]
    fn answers_fill_their_waiting_entry_or_come_as_new_ones() {
        let mut logs: BTreeMap<u16, Log> = BTreeMap::new();
        logs.entry(6380).or_default().sent(5, "> ROLE".into());
        let mut next = 100;
        record(
            &mut logs,
            vec![
                answer(5, 6380, "127.0.0.1:6380> ROLE", "1) \"master\""),
                answer(0, 6379, "127.0.0.1:6379> SHUTDOWN", ""),
                answer(9, 6379, "127.0.0.1:6379> SET a 1", "OK"),
            ],
            || {
                next += 1;
                next
            },
        );
        let entries = &logs[&6380].entries;
        assert_eq!(
            (entries.len(), entries[0].echo.as_str()),
            (1, "127.0.0.1:6380> ROLE")
        );
        assert!(entries[0].reply.is_some());
        let echoes: Vec<(u64, &str)> = logs[&6379]
            .entries
            .iter()
            .map(|e| (e.id, e.echo.as_str()))
            .collect();
        assert_eq!(
            echoes,
            [
                (101, "127.0.0.1:6379> SHUTDOWN"),
                (102, "127.0.0.1:6379> SET a 1")
            ]
        );
    }
}
