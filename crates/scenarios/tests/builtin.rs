//! Every built-in scenario plays to its end with every expectation met, forward, back and by
//! jumps, and a malformed file is refused with the line and field at fault.

use keyspace_scenarios::runner::ChangeKind;
use keyspace_scenarios::{builtin, parse, Runner};

fn load(id: &str) -> keyspace_scenarios::Scenario {
    match builtin::load(id) {
        Some(Ok(scenario)) => scenario,
        Some(Err(e)) => panic!("{id}: {e}"),
        None => panic!("no scenario {id}"),
    }
}

#[test]
fn every_builtin_scenario_plays_as_expected() {
    for (id, _) in builtin::SOURCES {
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
    for (id, _) in builtin::SOURCES {
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
    // Refilled, then expired by the active cycle during the wait that follows.
    assert_eq!(changes(&mut runner), [(user(), ChangeKind::Expired)]);
    assert_eq!(runner.elapsed_ms(), 80 + 120_000 + 301_000);
}

#[test]
fn mistakes_name_their_line_and_field() {
    let good = builtin::SOURCES[0].1;
    let cases = [
        (
            good.replacen("[[steps]]\n", "[[steps]]\nclient = \"wroker\"\n", 1),
            "steps[0].client: no client named \"wroker\" (clients: app)",
        ),
        (
            good.replacen("expect = [\"(nil)\"]", "expect = [\"(nil)\", \"OK\"]", 1),
            "steps[0].expect: 2 expectations for 1 commands",
        ),
        (
            good.replacen("wait = \"80ms\"", "wait = \"80 parsecs\"", 1),
            "steps[1].wait: a duration",
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
            "unknown field `expcet`",
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
