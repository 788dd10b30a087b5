//! The topology as the page drives it: typed lines on each node, the clock, stopping and
//! starting nodes, the controls, and a share link built again.

use keyspace_protocol::repl::{NodeAnswer, ReplRequest, ReplResponse, Role, Topology as View};

use super::Topology;

const T0: u64 = 1_700_000_000_000;

fn topology(response: ReplResponse) -> View {
    match response {
        ReplResponse::Topology(view) => *view,
        other => panic!("not a topology: {other:?}"),
    }
}

struct Page {
    topology: Topology,
    seq: u64,
}

impl Page {
    fn new() -> Page {
        Page {
            topology: Topology::new(T0, 7),
            seq: 0,
        }
    }

    fn ask(&mut self, request: ReplRequest) -> View {
        topology(self.topology.handle(request))
    }

    /// Types `line` in the node's pane: its printed answer.
    fn run(&mut self, port: u16, line: &str) -> NodeAnswer {
        self.seq += 1;
        let seq = self.seq;
        let view = self.ask(ReplRequest::Run {
            seq,
            port,
            line: line.to_string(),
        });
        view.answers
            .into_iter()
            .find(|a| a.seq == seq)
            .expect("answered at once")
    }

    fn text(&mut self, port: u16, line: &str) -> Vec<String> {
        self.run(port, line)
            .lines
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    fn wait(&mut self, ms: u64) -> View {
        self.ask(ReplRequest::Tick { real_ms: ms })
    }
}

#[test]
fn each_node_is_a_server_of_its_own_on_its_port() {
    let mut page = Page::new();
    let view = page.ask(ReplRequest::Open);
    let ports: Vec<u16> = view.nodes.iter().map(|n| n.port).collect();
    assert_eq!(ports, [6379, 6380]);
    assert_eq!(view.nodes[1].prompt, "127.0.0.1:6380>");
    assert_eq!(page.text(6379, "SET k v"), ["OK"]);
    assert_eq!(page.text(6380, "GET k"), ["(nil)"]);
    assert_eq!(
        page.text(6380, "CONFIG GET port"),
        ["1) \"port\"", "2) \"6380\""]
    );
    let answer = page.run(6380, "SELECT 2");
    assert_eq!(answer.echo, "127.0.0.1:6380> SELECT 2");
    assert_eq!(page.run(6380, "PING").echo, "127.0.0.1:6380[2]> PING");
    let figures = page.ask(ReplRequest::Open).nodes[0]
        .figures
        .clone()
        .unwrap();
    assert_eq!(figures.role, Role::Master);
    assert_eq!(figures.replid.len(), 40);
    // A third and fourth node, and no fifth.
    page.ask(ReplRequest::AddNode);
    let view = page.ask(ReplRequest::AddNode);
    assert_eq!(view.nodes.len(), 4);
    assert_eq!(view.links.len(), 6);
    assert_eq!(page.ask(ReplRequest::AddNode).nodes.len(), 4);
}

#[test]
fn the_clock_runs_at_the_speed_set() {
    let mut page = Page::new();
    assert_eq!(page.text(6379, "SET k v PX 1500"), ["OK"]);
    assert_eq!(page.wait(1000).now_ms, T0 + 1000);
    assert_eq!(page.text(6379, "EXISTS k"), ["(integer) 1"]);
    page.ask(ReplRequest::Speed { percent: 0 });
    assert_eq!(page.wait(5000).now_ms, T0 + 1000);
    page.ask(ReplRequest::Speed { percent: 400 });
    let view = page.wait(250);
    assert_eq!((view.now_ms, view.speed_percent), (T0 + 2000, 400));
    assert_eq!(page.text(6379, "EXISTS k"), ["(integer) 0"]);
}

#[test]
fn a_stopped_node_refuses_and_starts_again_from_what_it_kept() {
    let mut page = Page::new();
    page.text(6380, "SET kept 1");
    let view = page.ask(ReplRequest::Power {
        port: 6380,
        running: false,
    });
    // Stopping is SHUTDOWN in its pane: it saves, and the pane's connection is gone.
    let shutdown = view.answers.iter().find(|a| a.port == 6380).unwrap();
    assert_eq!(shutdown.echo, "127.0.0.1:6380> SHUTDOWN");
    let node = &view.nodes[1];
    assert!(!node.running && node.figures.is_none());
    assert_eq!(node.prompt, "not connected>");
    assert_eq!(
        page.text(6380, "GET kept"),
        ["Could not connect to Redis at 127.0.0.1:6380: Connection refused"]
    );
    // Typed SHUTDOWN NOSAVE stops a node too, without saving.
    page.text(6379, "SET lost 1");
    assert!(page.text(6379, "SHUTDOWN NOSAVE").is_empty());
    assert!(!page.ask(ReplRequest::Open).nodes[0].running);
    for port in [6379, 6380] {
        page.ask(ReplRequest::Power {
            port,
            running: true,
        });
    }
    assert_eq!(page.text(6380, "GET kept"), ["\"1\""]);
    assert_eq!(page.text(6379, "EXISTS lost"), ["(integer) 0"]);
}

#[test]
fn links_are_cut_and_nodes_partitioned_as_asked() {
    let mut page = Page::new();
    page.ask(ReplRequest::AddNode);
    let view = page.ask(ReplRequest::Cut {
        a: 6380,
        b: 6379,
        cut: true,
    });
    let cut: Vec<(u16, u16)> = (view.links.iter())
        .filter(|l| l.cut)
        .map(|l| (l.a, l.b))
        .collect();
    assert_eq!(cut, [(6379, 6380)]);
    let view = page.ask(ReplRequest::Isolate {
        port: 6381,
        isolated: true,
    });
    assert!(view.nodes[2].isolated);
    let cut: Vec<(u16, u16)> = (view.links.iter())
        .filter(|l| l.cut)
        .map(|l| (l.a, l.b))
        .collect();
    assert_eq!(cut, [(6379, 6380), (6379, 6381), (6380, 6381)]);
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: false,
    });
    let view = page.ask(ReplRequest::Isolate {
        port: 6381,
        isolated: false,
    });
    assert!(view.links.iter().all(|l| !l.cut));
    assert_eq!(page.ask(ReplRequest::Latency { ms: 1000 }).latency_ms, 1000);
}

#[test]
fn a_share_link_builds_the_topology_again() {
    let mut page = Page::new();
    page.text(6379, "SET a 1");
    page.wait(300);
    page.ask(ReplRequest::AddNode);
    page.text(6381, "RPUSH l x y");
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6381,
        cut: true,
    });
    let link = match page.topology.handle(ReplRequest::Share {
        page_url: "https://play.example/".into(),
    }) {
        ReplResponse::Shared(Ok(link)) => link,
        other => panic!("no link: {other:?}"),
    };
    let hash = link.strip_prefix("https://play.example/").unwrap();
    assert!(hash.starts_with("#repl/"), "{hash}");

    let mut other = Page::new();
    let view = other.ask(ReplRequest::OpenLink { hash: hash.into() });
    assert_eq!(view.nodes.len(), 3);
    assert!(view
        .links
        .iter()
        .any(|l| (l.a, l.b, l.cut) == (6379, 6381, true)));
    assert_eq!(view.now_ms, T0 + 300);
    // The replayed lines come back answered, for the panes to show.
    let echoes: Vec<&str> = view.answers.iter().map(|a| a.echo.as_str()).collect();
    assert_eq!(
        echoes,
        ["127.0.0.1:6379> SET a 1", "127.0.0.1:6381> RPUSH l x y"]
    );
    assert_eq!(other.text(6379, "GET a"), ["\"1\""]);
    assert_eq!(other.text(6381, "LLEN l"), ["(integer) 2"]);

    let refused = other.topology.handle(ReplRequest::OpenLink {
        hash: "#repl/not-base64!".into(),
    });
    assert!(matches!(refused, ReplResponse::LinkRefused(_)));
}

#[test]
fn a_replica_follows_its_master_over_the_network_and_resyncs_partially_after_a_cut() {
    let mut page = Page::new();
    assert_eq!(page.text(6380, "REPLICAOF 127.0.0.1 6379"), ["OK"]);
    page.text(6379, "SET a 1");
    // The primary waits `repl-diskless-sync-delay` (5 s) for more replicas before it
    // sends its snapshot.
    let view = page.wait(8000);
    let replica = view.nodes[1].figures.clone().unwrap();
    assert_eq!(replica.role, Role::Replica);
    let master = replica.master.clone().unwrap();
    assert!(master.link_up, "{replica:?}");
    assert_eq!(page.text(6380, "GET a"), ["\"1\""]);
    let primary = view.nodes[0].figures.clone().unwrap();
    assert_eq!(primary.sync_full, 1);
    assert_eq!(primary.replicas.len(), 1);
    assert_eq!(primary.replicas[0].port, 6380);
    assert!(primary.backlog.is_some());
    assert_eq!(replica.replid, primary.replid);

    // A write travels: on the link from 6379 to 6380 before it arrives.
    page.text(6379, "SET b 2");
    let view = page.ask(ReplRequest::Open);
    let link = &view.links[0];
    assert!(link.connected);
    assert!(link.a_to_b.commands >= 1, "{link:?}");
    page.wait(1000);
    assert_eq!(page.text(6380, "GET b"), ["\"2\""]);

    // Cut: the write waits on the wire; healed, it arrives.
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: true,
    });
    page.text(6379, "SET c 3");
    page.wait(2000);
    assert_eq!(page.text(6380, "GET c"), ["(nil)"]);
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: false,
    });
    page.wait(1000);
    assert_eq!(page.text(6380, "GET c"), ["\"3\""]);

    // A cut long enough for repl-timeout: the link drops, and once healed the replica
    // reconnects and continues from the backlog.
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: true,
    });
    page.text(6379, "SET d 4");
    page.ask(ReplRequest::Speed { percent: 1000 });
    for _ in 0..10 {
        page.wait(1000);
    }
    let view = page.ask(ReplRequest::Open);
    assert!(
        !view.nodes[1]
            .figures
            .as_ref()
            .unwrap()
            .master
            .as_ref()
            .unwrap()
            .link_up
    );
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: false,
    });
    for _ in 0..5 {
        page.wait(1000);
    }
    let view = page.ask(ReplRequest::Open);
    assert_eq!(page.text(6380, "GET d"), ["\"4\""]);
    let primary = view.nodes[0].figures.clone().unwrap();
    assert_eq!(
        (primary.sync_full, primary.sync_partial_ok),
        (1, 1),
        "{primary:?}"
    );
    let master = view.nodes[1].figures.clone().unwrap().master.unwrap();
    assert_eq!(master.behind, Some(0));
}

#[test]
fn a_replica_of_nothing_is_refused_and_of_a_stopped_node_too() {
    let mut page = Page::new();
    page.ask(ReplRequest::Power {
        port: 6379,
        running: false,
    });
    page.text(6380, "REPLICAOF 127.0.0.1 6379");
    page.wait(3000);
    let view = page.ask(ReplRequest::Open);
    let master = view.nodes[1].figures.clone().unwrap().master.unwrap();
    assert!(!master.link_up);
    page.ask(ReplRequest::Power {
        port: 6379,
        running: true,
    });
    page.text(6379, "SET k v");
    // The replica tries again once a second; the snapshot waits `repl-diskless-sync-delay`.
    page.wait(8000);
    assert_eq!(page.text(6380, "GET k"), ["\"v\""]);
}

#[test]
fn failover_hands_the_primary_role_to_the_replica_over_the_network() {
    let mut page = Page::new();
    page.text(6380, "REPLICAOF 127.0.0.1 6379");
    page.text(6379, "SET k v");
    page.wait(8000);
    assert_eq!(page.text(6379, "FAILOVER"), ["OK"]);
    page.wait(3000);
    let view = page.ask(ReplRequest::Open);
    let roles: Vec<Role> = (view.nodes.iter())
        .map(|n| n.figures.as_ref().unwrap().role)
        .collect();
    assert_eq!(roles, [Role::Replica, Role::Master]);
    // The new primary's writes reach the old one.
    assert_eq!(page.text(6380, "SET after failover"), ["OK"]);
    page.wait(3000);
    assert_eq!(page.text(6379, "GET after"), ["\"failover\""]);
    let old = view.nodes[0].figures.clone().unwrap();
    assert_eq!(old.master.unwrap().port, 6380);
}

#[test]
fn each_end_of_a_replication_link_names_the_other() {
    let mut page = Page::new();
    page.text(6380, "REPLICAOF 127.0.0.1 6379");
    page.wait(8000);
    let on_replica = page.text(6380, "CLIENT LIST TYPE master").join("");
    let on_master = page.text(6379, "CLIENT LIST TYPE replica").join("");
    let field = |line: &str, name: &str| {
        line.trim_matches('"')
            .split(' ')
            .find_map(|f| f.strip_prefix(name))
            .map(str::to_string)
    };
    assert_eq!(
        field(&on_replica, "addr=").as_deref(),
        Some("127.0.0.1:6379"),
        "{on_replica}"
    );
    assert_eq!(
        field(&on_replica, "flags=").as_deref(),
        Some("M"),
        "{on_replica}"
    );
    // The master sees the replica's socket from the other side.
    assert_eq!(
        field(&on_master, "addr="),
        field(&on_replica, "laddr="),
        "{on_master}"
    );
    assert_eq!(
        field(&on_master, "laddr=").as_deref(),
        Some("127.0.0.1:6379")
    );
    assert_eq!(
        field(&on_master, "flags=").as_deref(),
        Some("S"),
        "{on_master}"
    );
}

#[test]
fn migrate_moves_keys_to_another_node_as_its_client() {
    let mut page = Page::new();
    page.ask(ReplRequest::AddNode);
    page.text(6379, "RPUSH jobs a b c");
    page.text(6379, "SET user:1 ada EX 100");
    page.text(6380, "SET taken theirs");
    page.text(6379, "SET taken ours");
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6380 jobs 0 1000"),
        ["OK"]
    );
    assert_eq!(page.text(6379, "EXISTS jobs"), ["(integer) 0"]);
    assert_eq!(
        page.text(6380, "LRANGE jobs 0 -1"),
        ["1) \"a\"", "2) \"b\"", "3) \"c\""]
    );
    // To database 2, keeping the TTL; COPY leaves the source's.
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6380 user:1 2 1000 COPY"),
        ["OK"]
    );
    assert_eq!(page.text(6379, "EXISTS user:1"), ["(integer) 1"]);
    page.text(6380, "SELECT 2");
    assert_eq!(page.text(6380, "TTL user:1"), ["(integer) 100"]);
    page.text(6380, "SELECT 0");
    // The target's own key refuses without REPLACE.
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6380 taken 0 1000"),
        ["(error) ERR Target instance replied with error: BUSYKEY Target key name already exists."]
    );
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6380 taken 0 1000 REPLACE"),
        ["OK"]
    );
    assert_eq!(page.text(6380, "GET taken"), ["\"ours\""]);
    // The connection is kept, a client of 6380, until ten seconds unused.
    let clients = page.text(6380, "CLIENT LIST").join("\n");
    assert!(clients.contains("cmd=restore"), "{clients}");
    page.wait(6_000);
    page.wait(6_000);
    let clients = page.text(6380, "CLIENT LIST").join("\n");
    assert!(!clients.contains("cmd=restore"), "{clients}");
}

#[test]
fn migrate_meets_the_network_as_it_stands() {
    let mut page = Page::new();
    page.ask(ReplRequest::AddNode);
    page.text(6379, "SET k v");
    // Nothing listens on 6390, 6381 is stopped: refused, learnt on the write.
    let refused = ["(error) IOERR error or timeout writing to target instance"];
    assert_eq!(page.text(6379, "MIGRATE 127.0.0.1 6390 k 0 100"), refused);
    page.ask(ReplRequest::Power {
        port: 6381,
        running: false,
    });
    assert_eq!(page.text(6379, "MIGRATE 127.0.0.1 6381 k 0 100"), refused);
    // A cut link never answers the connection.
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: true,
    });
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6380 k 0 100"),
        ["(error) IOERR error or timeout connecting to the client"]
    );
    // A node cannot answer itself while it runs MIGRATE.
    assert_eq!(
        page.text(6379, "MIGRATE 127.0.0.1 6379 k 0 100"),
        ["(error) IOERR error or timeout reading to target instance"]
    );
    assert_eq!(page.text(6379, "GET k"), ["\"v\""]);
    page.ask(ReplRequest::Cut {
        a: 6379,
        b: 6380,
        cut: false,
    });
    assert_eq!(page.text(6379, "MIGRATE localhost 6380 k 0 100"), ["OK"]);
    assert_eq!(page.text(6380, "GET k"), ["\"v\""]);
}

/// The built-in lessons (scenarios with nodes), each read and checked.
fn lessons() -> Vec<keyspace_scenarios::Scenario> {
    let lessons: Vec<_> = (keyspace_scenarios::builtin::SOURCES.iter())
        .map(|(id, source)| {
            keyspace_scenarios::parse(source).unwrap_or_else(|e| panic!("{id}: {e}"))
        })
        .filter(|scenario| scenario.nodes > 0)
        .collect();
    assert!(lessons.len() >= 4, "the four lessons of replication");
    lessons
}

/// The lesson's state as the page last heard of it.
fn lesson(view: &View) -> &keyspace_protocol::repl::LessonView {
    match &view.lesson {
        keyspace_protocol::repl::LessonUpdate::Open(lesson) => lesson,
        other => panic!("no lesson: {other:?}"),
    }
}

/// Every command of every step as `port> line` and its reply, for a failure's message.
fn transcript(lesson: &keyspace_protocol::repl::LessonView) -> String {
    let mut out = String::new();
    for (n, report) in lesson.reports.iter().enumerate() {
        out.push_str(&format!("--- step {} at {} ms\n", n + 1, report.at_ms));
        for c in &report.commands {
            let mark = if c.as_expected() {
                ""
            } else {
                "   <-- NOT AS EXPECTED"
            };
            out.push_str(&format!("{}> {}\n{}{mark}\n", c.port, c.line, c.rendered));
        }
    }
    out
}

#[test]
fn every_lesson_plays_as_expected_and_the_same_again_after_going_back() {
    for scenario in lessons() {
        let id = scenario.id.clone();
        let steps = scenario.steps.len();
        let mut page = Page::new();
        page.topology.open_lesson(scenario);
        let opened = page.ask(ReplRequest::Open);
        assert_eq!(lesson(&opened).position, 0, "{id}");
        let ports: Vec<u16> = opened.nodes.iter().map(|n| n.port).collect();
        assert!(ports.len() >= 2, "{id}: {ports:?}");
        let end = page.ask(ReplRequest::LessonTo { position: steps });
        let played = lesson(&end).clone();
        assert_eq!(played.position, steps, "{id}");
        let every_reply_as_expected =
            (played.reports.iter()).all(|r| r.commands.iter().all(|c| c.as_expected()));
        assert!(every_reply_as_expected, "{id}:\n{}", transcript(&played));
        // For a lesson's author: LESSON_TRANSCRIPT=1 prints what each step answered.
        if std::env::var_os("LESSON_TRANSCRIPT").is_some() {
            eprintln!("{id}:\n{}", transcript(&played));
        }
        // The lines went to their nodes' panes, as typed lines.
        let typed: usize = played.reports.iter().map(|r| r.commands.len()).sum();
        assert!(end.answers.len() >= typed, "{id}");
        // Back to the start, then forward a step at a time: the same replies at the same
        // virtual times.
        let restarted = page.ask(ReplRequest::LessonTo { position: 0 });
        assert!(lesson(&restarted).reports.is_empty(), "{id}");
        for position in 1..=steps {
            let view = page.ask(ReplRequest::LessonTo { position });
            assert_eq!(
                lesson(&view).reports,
                played.reports[..position],
                "{id}, step {position}"
            );
        }
    }
}

#[test]
fn a_lesson_clock_runs_only_through_its_waits() {
    let scenario = (lessons().into_iter())
        .find(|s| s.steps[0].wait_ms > 0)
        .expect("a lesson whose first step waits");
    let wait = scenario.steps[0].wait_ms;
    let mut page = Page::new();
    page.topology.open_lesson(scenario);
    let start = page.ask(ReplRequest::Open).now_ms;
    // Before the first step nothing waits: the clock stands, whatever the page's timer says.
    assert_eq!(page.wait(5_000).now_ms, start);
    let view = page.ask(ReplRequest::LessonTo { position: 1 });
    let from = lesson(&view).wait.expect("the first step's wait").from_ms;
    assert_eq!(lesson(&view).wait.map(|w| w.ms), Some(wait));
    // A tick within the wait moves the clock, and tells nothing new of the lesson.
    let ticked = page.wait(wait / 2);
    assert_eq!(ticked.now_ms, from + wait / 2);
    assert_eq!(
        ticked.lesson,
        keyspace_protocol::repl::LessonUpdate::Unchanged
    );
    // The clock stops at the wait's end.
    assert_eq!(page.wait(TICK_PAST).now_ms, from + wait);
    assert_eq!(page.wait(TICK_PAST).now_ms, from + wait);
    // Leaving the lesson: the topology stays, and its clock runs freely again.
    let left = page.ask(ReplRequest::Lesson { id: None });
    assert_eq!(left.lesson, keyspace_protocol::repl::LessonUpdate::Closed);
    assert_eq!(left.nodes.len(), view.nodes.len());
    assert_eq!(page.wait(1000).now_ms, from + wait + 1000);
}

/// A tick longer than any lesson's wait.
const TICK_PAST: u64 = 9_000;
