//! The dispatcher over arbitrary requests from two clients, under a manual clock that moves
//! and ticks between commands: no command, argument or order of them may panic the engine,
//! and every reply must encode in both protocols and print as redis-cli would.
#![no_main]

use arbitrary::Arbitrary;
use keyspace::{cli, spec, Config, Engine, ManualClock};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Step {
    second_client: bool,
    /// Picks the command (or `container subcommand`) from the spec table, so that the fuzzer
    /// spends its time on arguments rather than on guessing names.
    command: u16,
    args: Vec<Vec<u8>>,
    advance_ms: u16,
    tick: bool,
}

fn names() -> Vec<Vec<Vec<u8>>> {
    let mut names = Vec::new();
    for command in spec::table() {
        names.push(vec![command.name.as_bytes().to_vec()]);
        for sub in command.subcommands {
            names.push(vec![command.name.as_bytes().to_vec(), sub.name.as_bytes().to_vec()]);
        }
    }
    names
}

fuzz_target!(|steps: Vec<Step>| {
    let names = names();
    let clock = ManualClock::new(1_700_000_000_000);
    let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), 7);
    let clients = [engine.connect(), engine.connect()];
    for step in steps.into_iter().take(64) {
        let client = clients[usize::from(step.second_client)];
        let mut argv = names[usize::from(step.command) % names.len()].clone();
        argv.extend(step.args.into_iter().take(16));
        let mut replies = engine.execute(client, &argv).into_replies();
        replies.extend(engine.drain(client));
        let protocol = engine.client(client).map_or(2, |c| c.protocol);
        for reply in &replies {
            let mut wire = Vec::new();
            reply.encode(2, &mut wire);
            reply.encode(3, &mut wire);
            let _ = cli::format_reply(&cli::as_received(reply, protocol));
        }
        clock.advance_ms(u64::from(step.advance_ms));
        if step.tick {
            engine.tick();
        }
    }
});
