//! Plays a scenario file (or a built-in one by id) and prints each step, for authors checking
//! their expectations: `cargo run -p keyspace-scenarios --example play -- FILE|ID`.
use keyspace_scenarios::{builtin, parse, Runner};

fn main() {
    let arg = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cache-aside".into());
    let scenario = match builtin::load(&arg) {
        Some(loaded) => loaded,
        None => std::fs::read_to_string(&arg)
            .map_err(|e| e.to_string())
            .and_then(|source| parse(&source).map_err(|e| e.to_string()))
            .map_err(|e| keyspace_scenarios::ScenarioError {
                line: None,
                step: None,
                field: String::new(),
                message: e,
            }),
    };
    let scenario = match scenario {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if scenario.nodes > 0 {
        // Its nodes and network are the Replication view's, which the worker holds.
        eprintln!(
            "{} plays on {} nodes: `LESSON_TRANSCRIPT=1 cargo test -p keyspace-worker lesson \
             -- --nocapture` plays the built-in lessons and prints each step",
            scenario.id, scenario.nodes
        );
        std::process::exit(1);
    }
    let mut runner = Runner::new(scenario);
    while let Some(report) = runner.step() {
        println!("== step {} at {} ms", report.step + 1, report.at_ms);
        for run in &report.commands {
            let mark = if run.meets_expectation() {
                ""
            } else {
                "   <-- expected otherwise"
            };
            println!("{}> {}\n{}{mark}", run.client, run.line, run.rendered);
        }
        for d in &report.deliveries {
            println!(
                "  [{} receives] {}",
                d.client,
                d.rendered.replace('\n', " | ")
            );
        }
        for c in &report.changes {
            println!("  {:?} {}", c.kind, String::from_utf8_lossy(&c.key));
        }
        if report.waited_ms > 0 {
            println!("  (wait {} ms)", report.waited_ms);
        }
        for line in &report.monitor {
            println!("  [monitor] {line}");
        }
    }
}
