//! Every built-in scenario plays to its end with every expectation met, forward, back and by
//! jumps, and a malformed file is refused with the line and field at fault. The lessons that
//! play on nodes (`nodes`) are played by the Replication view's topology, in the worker's
//! tests (`crates/worker/src/repl/tests.rs`); here they are read and checked only.

use keyspace_scenarios::runner::ChangeKind;
use keyspace_scenarios::{builtin, parse, Runner};

fn load(id: &str) -> keyspace_scenarios::Scenario {
    match builtin::load(id) {
        Some(Ok(scenario)) => scenario,
        Some(Err(e)) => panic!("{id}: {e}"),
        None => panic!("no scenario {id}"),
    }
}

/// The built-in scenarios that play on one engine, the runner's.
fn on_one_engine() -> impl Iterator<Item = &'static str> {
    (builtin::SOURCES.iter())
        .map(|(id, _)| *id)
        .filter(|id| load(id).nodes == 0)
}

#[test]
fn every_builtin_scenario_plays_as_expected() {
    for id in on_one_engine() {
        let scenario = load(id);
        assert_eq!(scenario.id, *id, "file and id differ");
        let mut runner = Runner::new(scenario);
        while let Some(report) = runner.step() {
            for run in &report.commands {
                assert!(
                    run.meets_expectation(),
                    "{id}, step {}: {}\n expected: {:?}\n      got: {:?}",
                    report.step + 1,
                    run.line,
                    run.expected.as_deref().unwrap_or_default(),
                    run.rendered
                );
            }
        }
        assert!(runner.is_finished());
    }
}

#[test]
fn stepping_back_and_jumping_replay_the_same_steps() {
    for id in on_one_engine() {
        let mut runner = Runner::new(load(id));
        runner.jump(usize::MAX);
        let forward = runner.reports().to_vec();
        let end_ms = runner.elapsed_ms();
        runner.back();
        assert_eq!(runner.position(), forward.len() - 1);
        runner.jump(1);
        assert_eq!(runner.reports(), &forward[..1], "{id}");
        runner.jump(forward.len());
        assert_eq!(runner.reports(), &forward[..], "{id}");
        assert_eq!(runner.elapsed_ms(), end_ms, "{id}");
    }
}

#[test]
fn the_cache_aside_steps_report_their_changes() {
    let mut runner = Runner::new(load("cache-aside"));
    let changes = |runner: &mut Runner| {
        let report = runner.step().expect("a step");
        report
            .changes
            .iter()
            .map(|c| (String::from_utf8_lossy(&c.key).into_owned(), c.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(changes(&mut runner), []);
    assert_eq!(changes(&mut runner), []);
    let user = || "user:123".to_string();
    assert_eq!(changes(&mut runner), [(user(), ChangeKind::Created)]);
    assert_eq!(changes(&mut runner), []);
    assert_eq!(changes(&mut runner), [(user(), ChangeKind::Deleted)]);
    // Refilled: a step shows the state right after its commands, before its wait.
    assert_eq!(changes(&mut runner), [(user(), ChangeKind::Created)]);
    assert_eq!(runner.elapsed_ms(), 80 + 120_000);
    // The wait passes before the next step's commands: the active cycle expired the key.
    assert_eq!(changes(&mut runner), [(user(), ChangeKind::Expired)]);
    assert_eq!(runner.elapsed_ms(), 80 + 120_000 + 301_000);
}

#[test]
fn a_wait_passes_in_slices_between_steps() {
    let mut runner = Runner::new(load("cache-aside"));
    runner.jump(3);
    // Step 3 shows the key as SETEX left it; its two minutes have not passed yet.
    assert_eq!(runner.elapsed_ms(), 80);
    assert_eq!(runner.wait_after(), (120_000, 0));
    runner.advance(30_000);
    assert_eq!(runner.wait_after(), (120_000, 30_000));
    assert_eq!(runner.elapsed_ms(), 30_080);
    // Never past the wait's end.
    runner.advance(1_000_000);
    assert_eq!(runner.wait_after(), (120_000, 120_000));
    assert_eq!(runner.elapsed_ms(), 120_080);
    // The step after a wait passed in slices is the step after a whole one.
    let mut whole = Runner::new(load("cache-aside"));
    whole.jump(4);
    runner.step();
    assert_eq!(runner.reports(), whole.reports());
    // Jumping to where it stands goes back to right after the commands.
    runner.advance(5_000);
    runner.jump(4);
    assert_eq!(runner.wait_after(), (0, 0));
    assert_eq!(runner.elapsed_ms(), whole.elapsed_ms());
    // During step 6's wait the refilled key expires: the slices report it.
    runner.jump(6);
    runner.advance(299_000);
    assert!(runner.wait_changes().is_empty());
    runner.advance(2_000);
    let expired: Vec<_> = runner.wait_changes().into_iter().map(|c| c.kind).collect();
    assert_eq!(expired, [ChangeKind::Expired]);
}

#[test]
fn mistakes_name_their_line_and_field() {
    let good = builtin::SOURCES[0].1;
    let cases = [
        (
            good.replacen("[[steps]]\n", "[[steps]]\nclient = \"wroker\"\n", 1),
            "step 1, steps[0].client: no client named \"wroker\" (clients: app)",
        ),
        (
            good.replacen("expect = [\"(nil)\"]", "expect = [\"(nil)\", \"OK\"]", 1),
            "steps[0].expect: 2 expectations for 1 commands",
        ),
        (
            good.replacen("wait = \"80ms\"", "wait = \"80 parsecs\"", 1),
            "step 2, steps[1].wait: a duration",
        ),
        (
            good.replacen("lines = [7, 12]", "lines = [7, 99]", 1),
            "steps[0].lines: [first, last] or [line], within the code's 31 lines",
        ),
        (
            good.replacen(
                "run = [\"GET user:123\"]",
                "run = [\"GET \\\"user:123\"]",
                1,
            ),
            "steps[0].run[0]: unbalanced quotes",
        ),
        (
            good.replacen("expect = [\"(nil)\"]", "expcet = [\"(nil)\"]", 1),
            "step 1: unknown field `expcet`",
        ),
        (
            good.replacen("id = \"cache-aside\"", "id = \"Cache Aside\"", 1),
            "id: use lower-case letters",
        ),
        (
            good.replacen(
                "[[clients]]\nname = \"app\"",
                "[[clients]]\nname = \"app\"\nprotocol = 4",
                1,
            ),
            "clients[0].protocol: 2 or 3",
        ),
        (
            format!("{good}\n[config]\nhz = \"lots\"\n"),
            "config.hz: ERR",
        ),
        (good.replacen("[code]", "[code", 1), "line"),
        // A step without its narration: the step is named, not only the line.
        (
            good.replacen(
                "say = { en = \"Two minutes later",
                "sai = { en = \"Two minutes later",
                1,
            ),
            "step 4: unknown field `sai`",
        ),
    ];
    for (source, wanted) in cases {
        let error = parse(&source).expect_err(wanted).to_string();
        assert!(error.starts_with("line "), "{error}");
        assert!(error.contains(wanted), "{error:?} does not say {wanted:?}");
    }
    // The line is the mistake's own.
    let source = good.replacen("wait = \"80ms\"", "wait = \"80 parsecs\"", 1);
    let line = source.lines().position(|l| l.contains("parsecs")).unwrap() + 1;
    assert!(parse(&source)
        .unwrap_err()
        .to_string()
        .starts_with(&format!("line {line},")));
}

/// A lesson's nodes, its clients' and steps' nodes, and its network actions are checked as
/// the rest: a port no node has, a word the network does not know, a setup, a node named in
/// a scenario without nodes.
#[test]
fn mistakes_in_a_lesson_name_their_line_and_field() {
    let lesson = builtin::SOURCES
        .iter()
        .map(|(_, source)| *source)
        .find(|source| parse(source).is_ok_and(|s| s.nodes == 2))
        .expect("a lesson on two nodes");
    let cases = [
        (
            lesson.replacen("nodes = 2", "nodes = 5", 1),
            "nodes: 2 to 4 nodes",
        ),
        (
            lesson.replacen("node = 6380", "node = 6381", 1),
            "clients[1].node: a node's port, 6379 to 6380",
        ),
        (
            lesson.replacen("[[steps]]\n", "[[steps]]\nnode = 80\n", 1),
            "steps[0].node: a node's port",
        ),
        (
            lesson.replacen(
                "[[steps]]\n",
                "[[steps]]\nnetwork = [\"cut 6379 6381\"]\n",
                1,
            ),
            "steps[0].network[0]: \"6381\" is not a node's port (6379, 6380)",
        ),
        (
            lesson.replacen("[[steps]]\n", "[[steps]]\nnetwork = [\"unplug 6379\"]\n", 1),
            "steps[0].network[0]: one of: cut A B",
        ),
        (
            lesson.replacen("nodes = 2", "nodes = 2\nsetup = [\"SET a 1\"]", 1),
            "setup: a scenario with nodes sets itself up in its steps",
        ),
        (
            lesson.replacen("nodes = 2", "nodes = 2\nround_trip = \"1ms\"", 1),
            "round_trip: a scenario with nodes",
        ),
        (
            builtin::SOURCES[0].1.replacen(
                "[[clients]]\nname = \"app\"",
                "[[clients]]\nname = \"app\"\nnode = 6379",
                1,
            ),
            "clients[0].node: only in a scenario with nodes",
        ),
    ];
    for (source, wanted) in cases {
        let error = parse(&source).expect_err(wanted).to_string();
        assert!(error.starts_with("line "), "{error}");
        assert!(error.contains(wanted), "{error:?} does not say {wanted:?}");
    }
}

/// The queue lesson: the published event reaches nobody; the blocked worker-2 receives the
/// first XADD; worker-1 dies holding 902, which XPENDING shows idle for the 90 s that passed
/// and XAUTOCLAIM hands to worker-2; at the end nothing is pending and two entries are left.
#[test]
fn the_stream_queue_keeps_what_pubsub_lost_and_recovers_a_dead_workers_event() {
    use keyspace::db::Value;
    let mut runner = Runner::new(load("stream-queue"));
    let published = runner.step().expect("step 1");
    assert_eq!(published.commands[0].rendered, "(integer) 0");
    runner.step();
    let blocked = runner.step().expect("step 3");
    assert_eq!(blocked.commands[0].rendered, "(blocked)");
    let added = runner.step().expect("step 4");
    let woken: Vec<_> = added.deliveries.iter().map(|d| d.client.as_str()).collect();
    assert_eq!(woken, ["worker-2"]);
    assert!(added.deliveries[0].rendered.contains("\"1767258000000-0\""));
    runner.jump(9);
    let pending = &runner.reports()[8].commands[1].rendered;
    assert!(pending.contains("\"worker-1\"") && pending.contains("(integer) 90000"));
    runner.jump(usize::MAX);
    let Some((entry, _)) = runner.engine().db(0).and_then(|db| db.peek(b"post_events")) else {
        panic!("no stream");
    };
    let Value::Stream(stream) = &entry.value else {
        panic!("not a stream");
    };
    let group = stream.group(b"workers").expect("the group");
    assert_eq!((stream.len(), group.pending_len()), (2, 0));
    assert_eq!(
        (group.entries_read(), stream.lag(group)),
        (Some(3), Some(1))
    );
    let consumers: Vec<_> = group.consumers().map(|c| c.name().to_vec()).collect();
    assert_eq!(consumers, [b"worker-1".to_vec(), b"worker-2".to_vec()]);
}

#[test]
fn the_client_side_cache_scenario_delivers_each_invalidation_where_it_says() {
    let mut runner = Runner::new(load("client-side-cache"));
    let mut delivered = Vec::new();
    while let Some(report) = runner.step() {
        for delivery in &report.deliveries {
            delivered.push((
                report.step + 1,
                delivery.client.clone(),
                delivery.rendered.clone(),
            ));
        }
    }
    let invalidated = |key: &str| format!("-> invalidate: '{key}'");
    assert_eq!(
        delivered,
        [
            // Another server's write to a key the app read; not the app's own SETEX (NOLOOP,
            // and a write ends every registration of the key).
            (6, "app".to_string(), invalidated("user:123")),
            // The key's expiry, during the wait before step 8.
            (8, "app".to_string(), invalidated("user:123")),
            // BCAST: a key never read, under the prefix; nothing for post:1.
            (10, "app".to_string(), invalidated("user:456")),
        ]
    );
}

#[test]
fn the_players_monitor_shows_each_steps_commands_as_redis_server_prints_them() {
    let mut runner = Runner::new(load("client-side-cache"));
    let report = runner.step().expect("step 1");
    assert_eq!(report.monitor.len(), 1);
    // `<seconds>.<microseconds> [0 <the app's address>] "CLIENT" "TRACKINGINFO"`.
    let line = &report.monitor[0];
    let (stamp, rest) = line.split_once(' ').expect("a time first");
    assert!(stamp.len() == 17 && stamp.as_bytes()[10] == b'.', "{stamp}");
    assert_eq!(rest, r#"[0 127.0.0.1:52101] "CLIENT" "TRACKINGINFO""#);
    runner.jump(6);
    let report = runner.reports().last().expect("step 6");
    assert!(report.monitor[0].ends_with(r#"] "SET" "user:123" "{\"id\": 123, \"username\": \"mei\", \"followers_count\": 43}" "KEEPTTL""#), "{:?}", report.monitor);
    assert_eq!(report.monitor_more, 0);
}

#[test]
fn a_pipeline_costs_one_round_trip_where_a_loop_costs_one_per_command() {
    let scenario = load("pipelines");
    let outline: Vec<u64> = scenario
        .steps
        .iter()
        .map(|s| scenario.travel_ms(s))
        .collect();
    assert_eq!(
        outline,
        [1002, 1, 1],
        "the step list's estimate of each step's round trips"
    );
    let mut runner = Runner::new(scenario);
    let looped = runner.step().expect("step 1").clone();
    assert_eq!(looped.commands.len(), 1002);
    assert_eq!(looped.commands[1000].line, "INCR views:post:1000");
    // The TIME after the loop answers 1,001 round trips of 1 ms later than the one before it.
    assert_eq!(
        looped.commands[1001].rendered,
        "1) \"1767258001\"\n2) \"1000\""
    );
    let piped = runner.step().expect("step 2").clone();
    assert_eq!(piped.at_ms, 1002);
    assert_eq!(
        runner.elapsed_ms(),
        1003,
        "one round trip for the whole pipeline"
    );
    runner.step();
    assert_eq!(runner.elapsed_ms(), 1004);
}

#[test]
fn a_pipeline_needs_a_round_trip_and_a_step_a_bounded_number_of_commands() {
    let scenario = |head: &str, step: &str| {
        parse(&format!(
            "id = \"x\"\ntitle = {{ en = \"x\", zh-TW = \"x\" }}\n\
             intro = {{ en = \"x\", zh-TW = \"x\" }}\nlesson = {{ en = \"x\", zh-TW = \"x\" }}\n\
             {head}\n[code]\nlanguage = \"python\"\nsource = \"x\"\n\
             [[clients]]\nname = \"a\"\n[[steps]]\nsay = {{ en = \"x\", zh-TW = \"x\" }}\n{step}\n"
        ))
    };
    let error = |head: &str, step: &str| scenario(head, step).unwrap_err().to_string();
    assert_eq!(
        error("", "pipeline = true"),
        "line 13, step 1, steps[0].pipeline: a pipeline saves round trips: give the scenario a \
         round_trip first"
    );
    assert_eq!(
        error("round_trip = \"soon\"", ""),
        "line 5, round_trip: a duration such as \"500ms\", \"301s\", \"5m\" or \"1h\""
    );
    assert_eq!(
        error("", r#"run = [{ run = "INCR a{i}", from = 1, to = 10001 }]"#),
        "line 13, step 1, steps[0].run[0]: from <= to, step >= 1, at most 10000 commands"
    );
    assert_eq!(
        error(
            "",
            r#"run = [{ run = "INCR a{i}", from = 1, to = 6000 }, { run = "INCR b{i}", from = 1, to = 6000 }]"#
        ),
        "line 13, step 1, steps[0].run: at most 10000 commands in a step"
    );
    let parsed = scenario(
        "round_trip = \"2ms\"",
        "pipeline = true\nrun = [{ run = \"SET k{i} {i}\", from = 1, to = 3 }, \"GET k2\"]\n\
         expect = [\"OK\", '\"2\"']",
    )
    .unwrap();
    let mut runner = Runner::new(parsed);
    let report = runner.step().unwrap();
    let lines: Vec<&str> = report.commands.iter().map(|c| c.line.as_str()).collect();
    assert_eq!(lines, ["SET k1 1", "SET k2 2", "SET k3 3", "GET k2"]);
    assert!(report.as_expected());
    assert_eq!(runner.elapsed_ms(), 2);
}

/// The worker fetches `builtin::file(id)` from the build, which holds a copy of `scenarios/`:
/// that file must be the one compiled in under the same id, and the ids the worker lists
/// those of the compiled-in list, in its order.
#[test]
fn each_fetched_file_is_the_compiled_in_source() {
    let ids: Vec<&str> = builtin::SOURCES.iter().map(|(id, _)| *id).collect();
    assert_eq!(builtin::IDS.to_vec(), ids);
    for (id, source) in builtin::SOURCES {
        let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), builtin::file(id));
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            on_disk, *source,
            "{id}: the file is not what is compiled in"
        );
    }
}
