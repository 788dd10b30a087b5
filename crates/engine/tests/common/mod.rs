//! What the engine's native test files share: an engine under a manual clock with one
//! connected client (or none, for files that connect several), commands written as
//! redis-cli takes them, INFO's fields, and the keyspace events they announced. Each test file is its own crate and uses only part of this, hence the allow.
#![allow(dead_code)]

use keyspace::event::NotifyClass;
use keyspace::{cli, ClientId, Config, Engine, ManualClock, Outcome, Reply};

/// Where every harness's clock starts (2023-11-14 22:13:20 UTC).
pub const START_MS: u64 = 1_700_000_000_000;

pub struct Harness {
    pub engine: Engine,
    pub client: ClientId,
    pub clock: ManualClock,
}

impl Harness {
    /// A fresh engine with the default config, its randomness seeded with `seed`.
    pub fn new(seed: u64) -> Harness {
        let clock = ManualClock::new(START_MS);
        let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), seed);
        let client = engine.connect();
        Harness {
            engine,
            client,
            clock,
        }
    }

    /// Runs one command written as redis-cli would take it (quotes and `\x00` escapes work),
    /// which must answer with exactly one reply.
    pub fn run(&mut self, line: &str) -> Reply {
        let argv = cli::split_args(line.as_bytes()).expect("balanced quotes");
        let mut replies = self.engine.execute(self.client, &argv).into_replies();
        assert_eq!(replies.len(), 1, "{line}");
        replies.remove(0)
    }

    /// The events since the last call, as (class, event, key).
    pub fn events(&mut self) -> Vec<(NotifyClass, &'static str, String)> {
        self.engine
            .take_events()
            .into_iter()
            .map(|e| {
                (
                    e.class,
                    e.event,
                    String::from_utf8_lossy(&e.key).into_owned(),
                )
            })
            .collect()
    }
}

/// A fresh engine with the default config and no client, and its clock.
pub fn engine() -> (Engine, ManualClock) {
    configured(&[])
}

/// A fresh engine with `settings` given as at start (as redis-server's arguments), no client,
/// and its clock.
pub fn configured(settings: &[(&str, &str)]) -> (Engine, ManualClock) {
    let mut config = Config::default();
    for (name, value) in settings {
        config
            .set(name.as_bytes(), value.as_bytes(), true)
            .expect("a valid setting");
    }
    let clock = ManualClock::new(START_MS);
    (Engine::new(config, Box::new(clock.clone()), 1), clock)
}

/// Runs one command of client `id`, written as redis-cli would take it.
pub fn execute(engine: &mut Engine, id: ClientId, line: &str) -> Outcome {
    let argv = cli::split_args(line.as_bytes()).expect("balanced quotes");
    engine.execute(id, &argv)
}

/// Runs one command that answers at once with exactly one reply.
pub fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let mut replies = match execute(engine, id, line) {
        Outcome::Blocked => panic!("{line}: blocked"),
        outcome => outcome.into_replies(),
    };
    assert_eq!(replies.len(), 1, "{line}: {replies:?}");
    replies.remove(0)
}

/// A field of INFO's text, as client `id` reads it.
pub fn info_field(engine: &mut Engine, id: ClientId, name: &str) -> String {
    let Reply::Verbatim { text, .. } = run(engine, id, "INFO everything") else {
        panic!("INFO is verbatim text");
    };
    let text = String::from_utf8(text).expect("INFO is text");
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .unwrap_or_else(|| panic!("no {name} in INFO"))
}
