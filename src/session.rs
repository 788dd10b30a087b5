//! The console's logic without the DOM: a [`Session`] owns an engine and one connected client,
//! and turns a typed line into the lines redis-cli would print for it. Components only render
//! what it returns, so everything here is tested natively.

use keyspace::cli::{self, INVALID_ARGUMENTS};
use keyspace::{ClientId, Clock, Config, Engine, Reply};

/// What a printed line is, so the page can style prompts and errors apart from replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// `127.0.0.1:6379> SET k v`: the prompt with the line as typed.
    Prompt,
    /// A reply, or part of one.
    Reply,
    /// An error reply, or redis-cli's own complaint about the line.
    Error,
}

/// One printed line. `id` counts lines from the session's start, so a keyed list can tell new
/// lines from old ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: usize,
    pub kind: LineKind,
    pub text: String,
}

/// An engine with one client, as a redis-cli session sees it.
pub struct Session {
    engine: Engine,
    client: ClientId,
    printed: usize,
}

impl Session {
    /// A fresh keyspace with the default configuration, its time from `clock` and its
    /// randomness seeded with `seed`.
    pub fn new(clock: Box<dyn Clock>, seed: u64) -> Session {
        let mut engine = Engine::new(Config::default(), clock, seed);
        // Nothing on this page shows keyspace events yet; unread, they would pile up.
        engine.set_capture_events(false);
        let client = engine.connect();
        Session {
            engine,
            client,
            printed: 0,
        }
    }

    /// The prompt redis-cli shows for the client's current database: `127.0.0.1:6379>`, or
    /// `127.0.0.1:6379[1]>` once another database is selected.
    pub fn prompt(&self) -> String {
        match self.engine.client(self.client).map_or(0, |c| c.db) {
            0 => "127.0.0.1:6379>".to_string(),
            db => format!("127.0.0.1:6379[{db}]>"),
        }
    }

    /// How often the engine wants its background work run, in milliseconds (`1000 / hz`).
    pub fn tick_interval_ms(&self) -> u64 {
        1000 / self.engine.config().int("hz").clamp(1, 500) as u64
    }

    /// Runs one typed line: the prompt line, then every reply as redis-cli prints it.
    pub fn run(&mut self, line: &str) -> Vec<Line> {
        let mut out = vec![self.line(LineKind::Prompt, format!("{} {line}", self.prompt()))];
        let Some(argv) = cli::split_args(line.as_bytes()) else {
            out.push(self.line(LineKind::Error, INVALID_ARGUMENTS.to_string()));
            return out;
        };
        let raw = cli::prints_raw(&argv);
        let mut replies = self.engine.execute(self.client, &argv).into_replies();
        replies.extend(self.engine.drain(self.client));
        for reply in &replies {
            self.print(reply, raw, &mut out);
        }
        // After QUIT redis-cli drops the connection and opens a new one on the next command.
        if self.engine.client(self.client).is_none_or(|c| c.closing) {
            self.engine.disconnect(self.client);
            self.client = self.engine.connect();
        }
        out
    }

    /// The engine's background work (active expiry...), and whatever it delivered to the
    /// client meanwhile (a blocked command's reply, pub/sub messages).
    pub fn tick(&mut self) -> Vec<Line> {
        self.engine.tick();
        // The one client is drained below on every tick, so the list of clients to wake is
        // only emptied, lest it grow.
        self.engine.take_woken();
        let mut out = Vec::new();
        for reply in self.engine.drain(self.client) {
            self.print(&reply, false, &mut out);
        }
        out
    }

    fn print(&mut self, reply: &Reply, raw: bool, out: &mut Vec<Line>) {
        // The reply as this client's protocol delivers it: HELLO 3's own reply is already RESP3.
        let protocol = self.engine.client(self.client).map_or(2, |c| c.protocol);
        let reply = cli::as_received(reply, protocol);
        let text = if raw {
            cli::format_raw(&reply)
        } else {
            cli::format_reply(&reply)
        };
        let kind = if reply.is_error() {
            LineKind::Error
        } else {
            LineKind::Reply
        };
        for part in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
            out.push(self.line(kind, part.to_string()));
        }
    }

    fn line(&mut self, kind: LineKind, text: String) -> Line {
        self.printed += 1;
        Line {
            id: self.printed,
            kind,
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::ManualClock;

    fn session() -> (Session, ManualClock) {
        let clock = ManualClock::new(1_700_000_000_000);
        (Session::new(Box::new(clock.clone()), 7), clock)
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn prints_the_prompt_then_the_reply() {
        let (mut s, _) = session();
        assert_eq!(
            texts(&s.run("SET greeting hello")),
            ["127.0.0.1:6379> SET greeting hello", "OK"]
        );
        let lines = s.run("GET greeting");
        assert_eq!(texts(&lines), ["127.0.0.1:6379> GET greeting", "\"hello\""]);
        assert_eq!(lines[0].kind, LineKind::Prompt);
        assert_eq!(lines[1].kind, LineKind::Reply);
        assert_eq!(texts(&s.run("GET missing"))[1], "(nil)");
    }

    #[test]
    fn line_ids_keep_counting() {
        let (mut s, _) = session();
        let first = s.run("PING");
        let second = s.run("PING");
        assert_eq!(
            first
                .iter()
                .chain(&second)
                .map(|l| l.id)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn unbalanced_quotes_are_refused_like_redis_cli() {
        let (mut s, _) = session();
        let lines = s.run("SET k \"open");
        assert_eq!(texts(&lines)[1], INVALID_ARGUMENTS);
        assert_eq!(lines[1].kind, LineKind::Error);
    }

    #[test]
    fn errors_are_marked() {
        let (mut s, _) = session();
        let lines = s.run("NOSUCHCOMMAND");
        assert!(
            lines[1].text.starts_with("(error) ERR unknown command"),
            "{:?}",
            lines[1]
        );
        assert_eq!(lines[1].kind, LineKind::Error);
    }

    #[test]
    fn blank_lines_print_only_the_prompt() {
        let (mut s, _) = session();
        assert_eq!(texts(&s.run("   ")), ["127.0.0.1:6379>    "]);
    }

    #[test]
    fn the_prompt_follows_select() {
        let (mut s, _) = session();
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
        s.run("SELECT 1");
        assert_eq!(s.prompt(), "127.0.0.1:6379[1]>");
        assert_eq!(texts(&s.run("SELECT 0"))[0], "127.0.0.1:6379[1]> SELECT 0");
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
    }

    #[test]
    fn quit_starts_a_fresh_connection() {
        let (mut s, _) = session();
        s.run("SELECT 2");
        assert_eq!(texts(&s.run("QUIT")), ["127.0.0.1:6379[2]> QUIT", "OK"]);
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
        assert_eq!(texts(&s.run("PING"))[1], "PONG");
    }

    #[test]
    fn replies_render_in_the_clients_protocol() {
        let (mut s, _) = session();
        assert_eq!(texts(&s.run("HELLO 3"))[1], "1# \"server\" => \"redis\"");
        // Fourteen elements: redis-cli pads the index to two digits.
        assert_eq!(texts(&s.run("HELLO 2"))[1], " 1) \"server\"");
    }

    #[test]
    fn markup_stays_text() {
        let (mut s, _) = session();
        s.run("SET markup \"<b>x</b>\"");
        assert_eq!(texts(&s.run("GET markup"))[1], "\"<b>x</b>\"");
    }

    #[test]
    fn keys_expire_on_tick() {
        let (mut s, clock) = session();
        s.run("SET k v PX 100");
        clock.advance_ms(200);
        assert!(s.tick().is_empty());
        assert_eq!(texts(&s.run("EXISTS k"))[1], "(integer) 0");
    }

    #[test]
    fn ticks_at_hz() {
        let (s, _) = session();
        assert_eq!(s.tick_interval_ms(), 100);
    }
}
