//! A scenario's scripts run to their reply within the step: the player's clock stands still,
//! so nothing could answer BUSY meanwhile, and a runaway loop is stopped rather than hanging
//! the player.

use keyspace_scenarios::{parse, Runner};

fn scenario(setup: &str, steps: &[(&str, &str)]) -> Runner {
    let mut source = format!(
        "id = \"scripts\"\ntitle = {{ en = \"Scripts\", zh-TW = \"腳本\" }}\n\
         intro = {{ en = \"i\", zh-TW = \"i\" }}\nlesson = {{ en = \"l\", zh-TW = \"l\" }}\n\
         setup = [{setup}]\n\n[code]\nlanguage = \"lua\"\nsource = \"return 1\"\n\n\
         [[clients]]\nname = \"app\"\n\n[[clients]]\nname = \"listener\"\nprotocol = 3\n"
    );
    for (client, run) in steps {
        source.push_str(&format!(
            "\n[[steps]]\nclient = \"{client}\"\nsay = {{ en = \"s\", zh-TW = \"s\" }}\nrun = [{run}]\n"
        ));
    }
    Runner::new(parse(&source).unwrap_or_else(|e| panic!("{e}\n{source}")))
}

fn rendered(runner: &mut Runner) -> Vec<String> {
    let report = runner.step().expect("a step");
    report.commands.iter().map(|c| c.rendered.clone()).collect()
}

#[test]
fn a_long_script_answers_within_its_step() {
    let mut runner = scenario(
        "'''SCRIPT LOAD \"return redis.call('INCR', KEYS[1])\"'''",
        &[(
            "app",
            "'EVAL \"local n = 0 for i = 1, 3000000 do n = n + i end return n\" 0', \
                 'EVALSHA 61636018f4e6b5817b89791bbed242f93fa089e3 1 hits', 'GET hits'",
        )],
    );
    let replies = rendered(&mut runner);
    assert_eq!(replies[0], "(integer) 4500001500000");
    assert!(!runner.engine().script_running());
    // The setup's SCRIPT LOAD cached the script under its SHA1.
    assert_eq!(replies[1..], ["(integer) 1", "\"1\""]);
}

#[test]
fn a_scripts_publish_reaches_a_resp3_subscriber_before_the_reply() {
    let mut runner = scenario(
        "",
        &[
            ("listener", "'SUBSCRIBE news'"),
            (
                "app",
                "'''EVAL \"redis.call('SET', KEYS[1], 1) for i = 1, 2000000 do end \
                 return redis.call('PUBLISH', 'news', 'hi')\" 1 k'''",
            ),
        ],
    );
    rendered(&mut runner);
    let report = runner.step().expect("a step").clone();
    assert_eq!(report.commands[0].rendered, "(integer) 1");
    let delivered: Vec<_> = report
        .deliveries
        .iter()
        .map(|d| (d.client.as_str(), d.rendered.as_str()))
        .collect();
    assert_eq!(
        delivered,
        [("listener", "1) \"message\"\n2) \"news\"\n3) \"hi\"")]
    );
}

#[test]
fn a_runaway_script_is_stopped_and_the_next_step_plays() {
    let mut runner = scenario(
        "",
        &[
            ("app", "'EVAL \"while true do end\" 0'"),
            (
                "app",
                "'''EVAL \"redis.call('SET', 'w', 1) while true do end\" 0'''",
            ),
            ("app", "'GET w', 'PING'"),
        ],
    );
    let first = rendered(&mut runner);
    assert!(
        first[0].starts_with("(error) ERR Script killed by user with SCRIPT KILL..."),
        "{first:?}"
    );
    // Redis could only end this one with SHUTDOWN NOSAVE; the player stops it, writes kept.
    let second = rendered(&mut runner);
    assert!(
        second[0].starts_with("(error) ERR Script killed"),
        "{second:?}"
    );
    assert_eq!(rendered(&mut runner), ["\"1\"", "PONG"]);
}
