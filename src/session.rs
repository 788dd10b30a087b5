//! The engine's side of the page: a [`Session`] owns an engine and one connected client, as a
//! redis-cli session sees it, and answers the page's [`Request`]s. It runs in the Web Worker
//! (see `worker`), or in the page itself for the browser tests; either way it is plain Rust,
//! tested natively here.
//!
//! Long replies stay here: the page gets the first [`PAGE`] lines and asks for more, so a
//! `KEYS *` over a million keys never crosses to the page whole.

use std::collections::VecDeque;

use keyspace::cli::{self, INVALID_ARGUMENTS};
use keyspace::{ClientId, Clock, Config, Engine, ManualClock, Reply, ShiftedClock};

use crate::assist;
use crate::i18n::strings_for;
use crate::inspect::{self, InspectQuery, Inspection, Snapshot};
use crate::keyview::{self, KeyQuery, KeyWindow};
use crate::protocol::{Line, LineKind, ReplyPage, Request, Response};
use crate::scenario::{Player, ScenarioResponse};
use crate::teach;

/// Lines of a reply sent at a time.
pub const PAGE: usize = 500;
/// Long replies kept for "show more", newest last.
const KEPT_REPLIES: usize = 4;
/// Changed keys reported per command: enough to highlight a screenful.
const CHANGED_MAX: usize = 1000;
/// RESP bytes shown per command or reply; a `KEYS *` over a million keys is cut.
const RESP_SHOWN: usize = 4096;

/// An engine with one client, and the long replies the page may page through.
pub struct Session {
    engine: Engine,
    client: ClientId,
    replies: u64,
    kept: VecDeque<(u64, Vec<Line>)>,
    /// The inspected page as it was before the last command, if that command changed it:
    /// what a later tick's fresh copy of the page is marked against, so that the highlight
    /// lasts until the next command.
    marked_against: Option<(InspectQuery, Snapshot)>,
    /// The scenario being played, on its own engine.
    player: Player,
    /// Print each command's and reply's RESP bytes (the console's raw RESP toggle).
    show_resp: bool,
}

impl Session {
    /// A fresh keyspace, its time from `clock` and its randomness seeded with `seed`. DEBUG is
    /// allowed: POPULATE is how a learner fills a keyspace to watch it under load.
    pub fn new(clock: Box<dyn Clock>, seed: u64) -> Session {
        let mut config = Config::default();
        config
            .set(b"enable-debug-command", b"yes", true)
            .expect("a parameter of the engine's own table");
        let mut engine = Engine::new(config, clock, seed);
        engine.set_capture_events(true);
        let client = engine.connect();
        Session {
            engine,
            client,
            replies: 0,
            kept: VecDeque::new(),
            marked_against: None,
            player: Player::default(),
            show_resp: false,
        }
    }

    /// Answers one request.
    pub fn handle(&mut self, request: Request) -> Response {
        match request {
            Request::Run {
                seq,
                line,
                view,
                inspect,
            } => self.run(seq, &line, &view, inspect.as_ref()),
            Request::Tick { view, inspect } => self.tick(&view, inspect.as_ref()),
            Request::Window { view } => Response::Window(self.window(&view)),
            Request::Inspect(query) => {
                self.marked_against = None;
                Response::Inspected(self.inspect(&query, None))
            }
            Request::More { reply, from } => {
                let lines = self
                    .kept
                    .iter()
                    .find(|(id, _)| *id == reply)
                    .map(|(_, lines)| lines.iter().skip(from).take(PAGE).cloned().collect())
                    .unwrap_or_default();
                Response::More { reply, from, lines }
            }
            Request::Scenario(request) => Response::Scenario(self.player.handle(request)),
            Request::ContinueScenario => self.continue_scenario(),
            Request::Assist { line, cursor } => {
                Response::Assisted(assist::assist(&line, cursor, self.engine.db(self.db())))
            }
            Request::Help { seq, line, lang } => self.help(seq, &line, &lang),
            Request::ShowResp(on) => {
                self.show_resp = on;
                Response::RespShown(on)
            }
        }
    }

    /// Takes over the scenario's engine: its keyspace, TTLs and clients become the console's,
    /// the console speaking as the scenario's first client, and its virtual time goes on at
    /// the pace of the console's own clock from where the scenario left it.
    fn continue_scenario(&mut self) -> Response {
        let Some(runner) = self.player.take_runner() else {
            return Response::Scenario(ScenarioResponse::Invalid(
                "no scenario is open".to_string(),
            ));
        };
        let (mut engine, virtual_clock, clients) = runner.into_parts();
        let real = self.engine.set_clock(Box::new(ManualClock::default()));
        engine.set_clock(Box::new(ShiftedClock::starting_at(
            real,
            virtual_clock.now_ms(),
        )));
        engine.set_capture_events(true);
        engine.take_events();
        self.client = match clients.first() {
            Some(&(_, id)) => id,
            None => engine.connect(),
        };
        self.engine = engine;
        self.kept.clear();
        self.marked_against = None;
        Response::Scenario(ScenarioResponse::Continued)
    }

    /// The console's `help`: the docs of a command or group, printed in the page's language.
    fn help(&mut self, seq: u64, line: &str, lang: &str) -> Response {
        let topic = teach::help_topic(line).unwrap_or_default();
        let text = strings_for(lang).teach;
        let lines = teach::help_lines(topic, &assist::help(topic), text)
            .into_iter()
            .map(|text| Line::classify(text, false))
            .collect();
        Response::Helped {
            seq,
            echo: format!("{} {line}", self.prompt()),
            reply: self.page(lines),
        }
    }

    /// The prompt redis-cli shows for the client's current database: `127.0.0.1:6379>`, or
    /// `127.0.0.1:6379[1]>` once another database is selected.
    pub fn prompt(&self) -> String {
        match self.db() {
            0 => "127.0.0.1:6379>".to_string(),
            db => format!("127.0.0.1:6379[{db}]>"),
        }
    }

    /// How often the engine wants its background work run, in milliseconds (`1000 / hz`).
    pub fn tick_interval_ms(&self) -> u64 {
        1000 / self.engine.config().int("hz").clamp(1, 500) as u64
    }

    fn db(&self) -> usize {
        self.engine.client(self.client).map_or(0, |c| c.db)
    }

    fn run(
        &mut self,
        seq: u64,
        line: &str,
        view: &KeyQuery,
        inspect: Option<&InspectQuery>,
    ) -> Response {
        let echo = format!("{} {line}", self.prompt());
        let mut before = inspect.map(|q| Snapshot::take(self.engine.db(self.db()), q));
        self.marked_against = None;
        let lines = match cli::split_args(line.as_bytes()) {
            None => vec![Line::classify(INVALID_ARGUMENTS.to_string(), true)],
            Some(argv) => {
                let raw = cli::prints_raw(&argv);
                let mut replies = self.engine.execute(self.client, &argv).into_replies();
                replies.extend(self.engine.drain(self.client));
                let mut lines = Vec::new();
                if self.show_resp && !argv.is_empty() {
                    let sent = teach::escape_resp(&teach::resp_request(&argv), RESP_SHOWN);
                    lines.push(resp_line(format!("→ {sent}")));
                    for reply in &replies {
                        let bytes = reply.to_resp(self.protocol());
                        lines.push(resp_line(format!(
                            "← {}",
                            teach::escape_resp(&bytes, RESP_SHOWN)
                        )));
                    }
                }
                for reply in &replies {
                    self.print(reply, raw, &mut lines);
                }
                lines
            }
        };
        // After QUIT redis-cli drops the connection and opens a new one on the next command.
        if self.engine.client(self.client).is_none_or(|c| c.closing) {
            self.engine.disconnect(self.client);
            self.client = self.engine.connect();
        }
        let db = self.db();
        let mut changed: Vec<String> = Vec::new();
        for event in self.engine.take_events() {
            if event.db == db && changed.len() < CHANGED_MAX {
                let key = String::from_utf8_lossy(&event.key).into_owned();
                if !changed.contains(&key) {
                    changed.push(key);
                }
            }
        }
        // Highlight inside the inspected value only if the command touched that key.
        self.marked_against = inspect
            .zip(before.take())
            .filter(|(q, _)| changed.contains(&q.key))
            .map(|(q, before)| (q.clone(), before));
        let inspection = inspect.map(|q| self.inspect_marked(q));
        Response::Ran {
            seq,
            echo,
            reply: self.page(lines),
            prompt: self.prompt(),
            changed,
            window: self.window(view),
            inspection,
        }
    }

    /// The engine's background work (active expiry...), and whatever it delivered to the
    /// client meanwhile (a blocked command's reply, pub/sub messages).
    fn tick(&mut self, view: &KeyQuery, inspect: Option<&InspectQuery>) -> Response {
        self.engine.tick();
        // The one client is drained below on every tick, so the list of clients to wake is
        // only emptied, lest it grow.
        self.engine.take_woken();
        let mut lines = Vec::new();
        for reply in self.engine.drain(self.client) {
            self.print(&reply, false, &mut lines);
        }
        let changed = !self.engine.take_events().is_empty();
        Response::Ticked {
            pushed: (!lines.is_empty()).then(|| self.page(lines)),
            window: changed.then(|| self.window(view)),
            inspection: inspect.filter(|_| changed).map(|q| self.inspect_marked(q)),
        }
    }

    /// A page of one key of the client's database, for the inspector.
    fn inspect(&self, query: &InspectQuery, before: Option<&mut Snapshot>) -> Inspection {
        inspect::inspect(self.engine.db(self.db()), query, before)
    }

    /// The page, with what the last command changed in it marked.
    fn inspect_marked(&self, query: &InspectQuery) -> Inspection {
        let mut before = self
            .marked_against
            .as_ref()
            .filter(|(q, _)| q == query)
            .map(|(_, before)| before.clone());
        self.inspect(query, before.as_mut())
    }

    fn window(&self, view: &KeyQuery) -> KeyWindow {
        let db = self.db();
        match self.engine.db(db) {
            Some(keys) => keyview::window(db, keys, view),
            None => KeyWindow::default(),
        }
    }

    /// The first page of `lines`; the rest is kept for [`Request::More`].
    fn page(&mut self, mut lines: Vec<Line>) -> ReplyPage {
        self.replies += 1;
        let id = self.replies;
        let total = lines.len();
        if total > PAGE {
            let first = lines[..PAGE].to_vec();
            if self.kept.len() == KEPT_REPLIES {
                self.kept.pop_front();
            }
            self.kept
                .push_back((id, std::mem::replace(&mut lines, first)));
        }
        ReplyPage { id, lines, total }
    }

    /// The client's protocol, 2 or 3 (HELLO's choice).
    fn protocol(&self) -> u8 {
        self.engine.client(self.client).map_or(2, |c| c.protocol)
    }

    fn print(&self, reply: &Reply, raw: bool, out: &mut Vec<Line>) {
        // The reply as this client's protocol delivers it: HELLO 3's own reply is already RESP3.
        let text = cli::render(reply, self.protocol(), raw);
        let error = reply.is_error();
        for part in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
            out.push(Line::classify(part.to_string(), error));
        }
    }
}

fn resp_line(text: String) -> Line {
    Line {
        kind: LineKind::Resp,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::LineKind;
    use keyspace::ManualClock;

    fn session() -> (Session, ManualClock) {
        let clock = ManualClock::new(1_700_000_000_000);
        (Session::new(Box::new(clock.clone()), 7), clock)
    }

    /// Runs a line: the echo, then the reply's texts.
    fn run(s: &mut Session, line: &str) -> (String, Vec<String>) {
        match s.handle(Request::Run {
            seq: 1,
            line: line.into(),
            view: KeyQuery::default(),
            inspect: None,
        }) {
            Response::Ran { echo, reply, .. } => {
                (echo, reply.lines.into_iter().map(|l| l.text).collect())
            }
            other => panic!("{other:?}"),
        }
    }

    fn reply(s: &mut Session, line: &str) -> Vec<String> {
        run(s, line).1
    }

    #[test]
    fn echoes_the_prompt_then_prints_the_reply() {
        let (mut s, _) = session();
        assert_eq!(
            run(&mut s, "SET greeting hello"),
            (
                "127.0.0.1:6379> SET greeting hello".into(),
                vec!["OK".into()]
            )
        );
        assert_eq!(reply(&mut s, "GET greeting"), ["\"hello\""]);
        assert_eq!(reply(&mut s, "GET missing"), ["(nil)"]);
    }

    #[test]
    fn unbalanced_quotes_are_refused_like_redis_cli() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "SET k \"open"), [INVALID_ARGUMENTS]);
    }

    #[test]
    fn errors_are_marked() {
        let (mut s, _) = session();
        let Response::Ran { reply, .. } = s.handle(Request::Run {
            seq: 1,
            line: "NOSUCHCOMMAND".into(),
            view: KeyQuery::default(),
            inspect: None,
        }) else {
            panic!()
        };
        assert!(reply.lines[0]
            .text
            .starts_with("(error) ERR unknown command"));
        assert_eq!(reply.lines[0].kind, LineKind::Error);
    }

    #[test]
    fn blank_lines_print_only_the_prompt() {
        let (mut s, _) = session();
        assert_eq!(run(&mut s, "   "), ("127.0.0.1:6379>    ".into(), vec![]));
    }

    #[test]
    fn the_prompt_follows_select() {
        let (mut s, _) = session();
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
        run(&mut s, "SELECT 1");
        assert_eq!(s.prompt(), "127.0.0.1:6379[1]>");
        assert_eq!(run(&mut s, "SELECT 0").0, "127.0.0.1:6379[1]> SELECT 0");
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
    }

    #[test]
    fn quit_starts_a_fresh_connection() {
        let (mut s, _) = session();
        run(&mut s, "SELECT 2");
        assert_eq!(
            run(&mut s, "QUIT"),
            ("127.0.0.1:6379[2]> QUIT".into(), vec!["OK".into()])
        );
        assert_eq!(s.prompt(), "127.0.0.1:6379>");
        assert_eq!(reply(&mut s, "PING"), ["PONG"]);
    }

    #[test]
    fn replies_render_in_the_clients_protocol() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "HELLO 3")[0], "1# \"server\" => \"redis\"");
        // Fourteen elements: redis-cli pads the index to two digits.
        assert_eq!(reply(&mut s, "HELLO 2")[0], " 1) \"server\"");
    }

    #[test]
    fn markup_stays_text() {
        let (mut s, _) = session();
        run(&mut s, "SET markup \"<b>x</b>\"");
        assert_eq!(reply(&mut s, "GET markup"), ["\"<b>x</b>\""]);
    }

    #[test]
    fn the_command_reports_the_keys_it_changed_and_the_key_list() {
        let (mut s, _) = session();
        let Response::Ran {
            changed, window, ..
        } = s.handle(Request::Run {
            seq: 1,
            line: "MSET a 1 b 2".into(),
            view: KeyQuery::default(),
            inspect: None,
        })
        else {
            panic!()
        };
        assert_eq!(changed, ["a", "b"]);
        assert_eq!(window.total, 2);
    }

    #[test]
    fn debug_populate_is_allowed_here() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "DEBUG POPULATE 3"), ["OK"]);
        assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 3"]);
    }

    #[test]
    fn long_replies_come_a_page_at_a_time() {
        let (mut s, _) = session();
        run(&mut s, "DEBUG POPULATE 1200");
        let Response::Ran { reply, .. } = s.handle(Request::Run {
            seq: 2,
            line: "KEYS *".into(),
            view: KeyQuery::default(),
            inspect: None,
        }) else {
            panic!()
        };
        assert_eq!((reply.lines.len(), reply.total), (PAGE, 1200));
        let more = |s: &mut Session, from| match s.handle(Request::More {
            reply: reply.id,
            from,
        }) {
            Response::More { lines, .. } => lines.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(more(&mut s, PAGE), PAGE);
        assert_eq!(more(&mut s, 2 * PAGE), 200);
    }

    #[test]
    fn keys_expire_on_tick_and_the_list_follows() {
        let (mut s, clock) = session();
        run(&mut s, "SET k v PX 100");
        clock.advance_ms(50);
        let Response::Ticked { window, .. } = s.handle(Request::Tick {
            view: KeyQuery::default(),
            inspect: None,
        }) else {
            panic!()
        };
        assert_eq!(window, None, "nothing changed");
        clock.advance_ms(150);
        let Response::Ticked { window, .. } = s.handle(Request::Tick {
            view: KeyQuery::default(),
            inspect: None,
        }) else {
            panic!()
        };
        assert_eq!(window.map(|w| w.total), Some(0));
    }

    #[test]
    fn the_inspected_key_follows_commands_and_expiry() {
        let (mut s, clock) = session();
        run(&mut s, "RPUSH q a b");
        let inspect = Some(InspectQuery::new("q"));
        let Response::Ran { inspection, .. } = s.handle(Request::Run {
            seq: 2,
            line: "RPUSH q c".into(),
            view: KeyQuery::default(),
            inspect: inspect.clone(),
        }) else {
            panic!()
        };
        let Some(Inspection {
            body: inspect::Body::List(cells),
            ..
        }) = inspection
        else {
            panic!("{inspection:?}")
        };
        let marked: Vec<_> = cells.iter().map(|c| (c.text.as_str(), c.changed)).collect();
        assert_eq!(marked, [("a", false), ("b", false), ("c", true)]);
        // A command that does not touch the key marks nothing in it.
        let Response::Ran { inspection, .. } = s.handle(Request::Run {
            seq: 3,
            line: "SET other 1".into(),
            view: KeyQuery::default(),
            inspect: inspect.clone(),
        }) else {
            panic!()
        };
        let Some(inspect::Body::List(cells)) = inspection.map(|i| i.body) else {
            panic!()
        };
        assert!(cells.iter().all(|c| !c.changed));
        // The marks of a command that changed the key last until the next command, though a
        // tick (another key expiring) sends the page again.
        run(&mut s, "SET brief 1 PX 10");
        s.handle(Request::Run {
            seq: 4,
            line: "LPUSH q z".into(),
            view: KeyQuery::default(),
            inspect: inspect.clone(),
        });
        clock.advance_ms(20);
        let Response::Ticked { inspection, .. } = s.handle(Request::Tick {
            view: KeyQuery::default(),
            inspect: inspect.clone(),
        }) else {
            panic!()
        };
        let Some(inspect::Body::List(cells)) = inspection.map(|i| i.body) else {
            panic!()
        };
        let marked: Vec<_> = cells
            .iter()
            .filter(|c| c.changed)
            .map(|c| &c.text)
            .collect();
        assert_eq!(marked, ["z"]);
        run(&mut s, "PEXPIRE q 100");
        clock.advance_ms(200);
        let Response::Ticked { inspection, .. } = s.handle(Request::Tick {
            view: KeyQuery::default(),
            inspect,
        }) else {
            panic!()
        };
        assert_eq!(inspection.map(|i| i.body), Some(inspect::Body::Missing));
    }

    #[test]
    fn ticks_at_hz() {
        let (s, _) = session();
        assert_eq!(s.tick_interval_ms(), 100);
    }

    #[test]
    fn the_console_continues_a_scenario_where_it_stands() {
        use crate::scenario::ScenarioRequest;
        let (mut s, clock) = session();
        reply(&mut s, "SET console-only 1");
        assert_eq!(
            s.handle(Request::ContinueScenario),
            Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
        );
        s.handle(Request::Scenario(ScenarioRequest::Open {
            id: "cache-aside".into(),
        }));
        // After the SETEX (step 3) and the two minutes that follow it.
        s.handle(Request::Scenario(ScenarioRequest::Jump { position: 3 }));
        assert_eq!(
            s.handle(Request::ContinueScenario),
            Response::Scenario(ScenarioResponse::Continued)
        );
        // The scenario's keyspace, not the console's, with its TTL where the scenario left it.
        assert_eq!(
            reply(&mut s, "EXISTS console-only user:123"),
            ["(integer) 1"]
        );
        assert_eq!(reply(&mut s, "TTL user:123"), ["(integer) 180"]);
        assert_eq!(reply(&mut s, "CLIENT GETNAME"), ["(nil)"]);
        // Time goes on at the console's pace: three minutes later the key has expired.
        clock.advance_ms(181_000);
        assert_eq!(reply(&mut s, "GET user:123"), ["(nil)"]);
        // The player is empty until a scenario is opened again.
        assert_eq!(
            s.handle(Request::ContinueScenario),
            Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
        );
    }

    #[test]
    fn assist_completes_the_clients_keys_and_help_answers_in_the_pages_language() {
        let (mut s, _) = session();
        reply(&mut s, "MSET user:1 a user:2 b");
        reply(&mut s, "SELECT 1");
        reply(&mut s, "SET other c");
        let Response::Assisted(assist) = s.handle(Request::Assist {
            line: "GET ".into(),
            cursor: 4,
        }) else {
            panic!()
        };
        // Database 1's keys, the one this client selected.
        let keys: Vec<_> = assist.completions.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(keys, ["other"]);
        assert_eq!(assist.hint, "key");

        let Response::Helped { echo, reply, .. } = s.handle(Request::Help {
            seq: 9,
            line: "HELP GET".into(),
            lang: "zh-Hant-TW".into(),
        }) else {
            panic!()
        };
        assert_eq!(echo, "127.0.0.1:6379[1]> HELP GET");
        let texts: Vec<_> = reply.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[1], "  GET key");
        assert_eq!(texts[2], "  摘要: 傳回鍵下存的字串。");
    }

    #[test]
    fn the_resp_toggle_prints_the_bytes_before_the_reply() {
        let (mut s, _) = session();
        assert_eq!(s.handle(Request::ShowResp(true)), Response::RespShown(true));
        assert_eq!(
            reply(&mut s, "GET k"),
            [
                "→ *2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n",
                "← $-1\\r\\n",
                "(nil)"
            ]
        );
        s.handle(Request::ShowResp(false));
        assert_eq!(reply(&mut s, "GET k"), ["(nil)"]);
    }
}
