//! Lessons: a scenario with nodes (`keyspace_scenarios::format`) played on the topology, a
//! step at a time, as a teacher would play it by hand. Each step's network actions are the
//! controls' (cut, heal, stop, crash...), and its commands are lines typed in the pane of the
//! node they go to, so the cards, the links and the panes show the lesson as they show
//! anything the learner does, and a share link made during a lesson replays it.
//!
//! A lesson plays the same every time: the topology starts fresh with the scenario's nodes,
//! at the scenario runner's start time and seed, and its clock moves only when a step asks
//! for it: through the `wait` after a step (at the page's speed, while the learner watches
//! the stream cross the links, stopping at the wait's end), or, when a step is played, the
//! rest of that wait at once. A command that blocks (WAIT with a timeout) is waited for as a
//! client waits for its reply, the clock running until it comes. Going back builds the
//! topology again and replays the steps before, as the scenario player does.

use keyspace::config::PARAMS;
use keyspace::Config;
use keyspace_protocol::repl::{LessonCommand, LessonReport, LessonStep, LessonView, LessonWait};
use keyspace_scenarios::runner::{SEED, START_MS};
use keyspace_scenarios::Scenario;

use super::journal::Action;
use super::network::Port;
use super::Topology;
use crate::player::bilingual;

/// How the clock moves while a step waits for a blocked command's reply (virtual ms), and
/// how long it waits at most before leaving the command blocked (its reply shows in the pane
/// when it comes, as a late one): a minute, beyond any timeout a lesson gives WAIT.
const BLOCKED_SLICE_MS: u64 = 10;
const BLOCKED_MAX_MS: u64 = 60_000;

/// What a blocked command's reply reads as in the lesson until it comes (the scenario
/// runner's word for it).
const BLOCKED: &str = "(blocked)";

/// A lesson being played.
pub struct Lesson {
    scenario: Scenario,
    reports: Vec<LessonReport>,
    /// The wait after the last step played.
    wait: Option<LessonWait>,
}

impl Lesson {
    /// How much of the wait after the last step is still to pass at `now_ms`.
    pub fn wait_left(&self, now_ms: u64) -> u64 {
        self.wait
            .map_or(0, |w| (w.from_ms + w.ms).saturating_sub(now_ms))
    }

    /// What the page shows of it.
    pub fn view(&self) -> LessonView {
        let scenario = &self.scenario;
        LessonView {
            id: scenario.id.clone(),
            title: bilingual(&scenario.title),
            intro: bilingual(&scenario.intro),
            lesson: bilingual(&scenario.lesson),
            steps: (scenario.steps.iter())
                .map(|step| LessonStep {
                    say: bilingual(&step.say),
                    client: scenario.clients[step.client].name.clone(),
                    port: scenario.node_of(step),
                    network: step.network.iter().map(ToString::to_string).collect(),
                    run: step
                        .run
                        .iter()
                        .map(keyspace_scenarios::Run::describe)
                        .collect(),
                    wait_ms: step.wait_ms,
                })
                .collect(),
            position: self.reports.len(),
            reports: self.reports.clone(),
            wait: self.wait,
        }
    }
}

/// The parameters `config` sets apart from Redis's defaults, as startup arguments for every
/// node.
fn startup(config: &Config) -> Vec<(Vec<u8>, Vec<u8>)> {
    let defaults = Config::default();
    (PARAMS.iter().enumerate())
        .filter(|&(index, _)| config.get(index) != defaults.get(index))
        .map(|(index, param)| {
            (
                param.name.as_bytes().to_vec(),
                config.get(index).into_bytes(),
            )
        })
        .collect()
}

impl Topology {
    /// Starts `scenario` (one with nodes) on a fresh topology of its nodes, no step played.
    /// The page's speed stays as the learner set it.
    pub fn open_lesson(&mut self, scenario: Scenario) {
        let speed_percent = self.speed_percent;
        *self = Topology::with_nodes(START_MS, SEED, scenario.nodes, startup(&scenario.config));
        self.speed_percent = speed_percent;
        self.lesson = Some(Lesson {
            scenario,
            reports: Vec::new(),
            wait: None,
        });
        self.settle();
    }

    /// Goes to the lesson's state after `position` steps (at most all of them): forward by
    /// playing, backward by starting again and replaying.
    pub(super) fn lesson_to(&mut self, position: usize) {
        let Some(lesson) = &self.lesson else {
            return;
        };
        let position = position.min(lesson.scenario.steps.len());
        if position < lesson.reports.len() {
            let scenario = lesson.scenario.clone();
            self.open_lesson(scenario);
        }
        while self
            .lesson
            .as_ref()
            .is_some_and(|l| l.reports.len() < position)
        {
            self.lesson_step();
        }
        self.lesson_changed = true;
    }

    /// Plays the next step: the rest of the wait before it, its network actions, its
    /// commands.
    fn lesson_step(&mut self) {
        let Some(lesson) = &self.lesson else {
            return;
        };
        let left = lesson.wait_left(self.now_ms());
        let step = lesson.scenario.steps[lesson.reports.len()].clone();
        let port = lesson.scenario.node_of(&step);
        self.advance(left);
        for action in step.network.iter().copied() {
            self.act(Action::Network(action));
        }
        let at_ms = self.now_ms() - START_MS;
        let sent = (step.run.iter().zip(&step.expect))
            .flat_map(|(run, expected)| run.commands(expected.as_deref()));
        let mut commands = Vec::new();
        for (command, expected) in sent {
            let line = command.line_at(self.now_ms());
            let rendered = self.typed(port, &line);
            commands.push(LessonCommand {
                port,
                met: (expected.as_ref())
                    .is_none_or(|e| keyspace_scenarios::format::meets(e, &rendered)),
                line,
                rendered,
                expected,
            });
        }
        let now = self.now_ms();
        if let Some(lesson) = &mut self.lesson {
            lesson.reports.push(LessonReport { at_ms, commands });
            lesson.wait = (step.wait_ms > 0).then_some(LessonWait {
                from_ms: now,
                ms: step.wait_ms,
            });
        }
    }

    /// Types `line` in the pane of the node at `port`: its reply as redis-cli prints it,
    /// once it comes.
    fn typed(&mut self, port: Port, line: &str) -> String {
        let from = self.answers.len();
        self.act(Action::Run {
            port,
            line: line.to_string(),
            seq: 0,
        });
        let mut waited = 0;
        loop {
            let answer =
                (self.answers[from..].iter()).find(|a| a.port == port && a.echo.ends_with(line));
            if let Some(answer) = answer {
                let texts: Vec<&str> = answer.lines.iter().map(|l| l.text.as_str()).collect();
                return texts.join("\n");
            }
            if waited >= BLOCKED_MAX_MS {
                return BLOCKED.to_string();
            }
            self.advance(BLOCKED_SLICE_MS);
            waited += BLOCKED_SLICE_MS;
        }
    }
}
