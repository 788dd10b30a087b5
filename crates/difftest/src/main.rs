//! `keyspace-difftest`: differential testing of keyspace-server against a real redis-server,
//! both started here on free ports. Two modes:
//!
//! ```text
//! keyspace-difftest [--seed N] [--count N] [--length N] [--clients N] [--only cmd,cmd]
//!                   [--server PATH] [--redis-server PATH] [--shrink-budget N]
//! keyspace-difftest scripts [--server PATH] [--redis-server PATH] [--args 'ARGS'] [--verbose]
//!                   FILE...
//! ```
//!
//! Random sequences: generates `--count` sequences of `--length` commands from the engine's
//! spec table (`generate`), runs each on both servers after a FLUSHALL (and a FUNCTION FLUSH)
//! and compares every reply (`run`, by the rules of `commands`). A failing sequence is shrunk
//! and printed as a `.redis` script for `tests/compat/`. The last line is `N passed, N failed`
//! over sequences.
//!
//! Scripts: plays each `.redis` file (`script`, the format tests/compat/README.md documents)
//! on a fresh pair of servers, both given `--args`, and compares every reply (`play`). The last
//! line is `N passed, N failed` over compared lines.
//!
//! - `server`: starting and stopping the two servers.
//! - `keyspace::grammar` (shared with the page's completion): argument shapes read from the
//!   spec's syntax strings.
//! - `resp`: a RESP2/RESP3 reply reader.

mod commands;
mod generate;
mod play;
mod resp;
mod run;
mod script;
mod server;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use generate::Generator;
use keyspace::cli::split_args;
use server::Server;

struct Options {
    seed: u64,
    count: usize,
    length: usize,
    clients: usize,
    only: Vec<String>,
    server: PathBuf,
    redis_server: PathBuf,
    shrink_budget: usize,
}

/// Where `cargo build --release -p keyspace-server` puts the server.
fn default_server() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/release/keyspace-server"
    ))
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut options = Options {
        seed: now.as_nanos() as u64 % 1_000_000,
        count: 100,
        length: 40,
        clients: 3,
        only: Vec::new(),
        server: default_server(),
        redis_server: PathBuf::from("redis-server"),
        shrink_budget: 400,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--seed" => options.seed = number(value()?)?,
            "--count" => options.count = number(value()?)? as usize,
            "--length" => options.length = number(value()?)? as usize,
            "--clients" => options.clients = number(value()?)? as usize,
            "--shrink-budget" => options.shrink_budget = number(value()?)? as usize,
            "--only" => options.only = value()?.split(',').map(str::to_lowercase).collect(),
            "--server" => options.server = value()?.into(),
            "--redis-server" => options.redis_server = value()?.into(),
            _ => return Err(format!("unknown option {flag}\n{}", usage())),
        }
    }
    Ok(options)
}

fn script_options(mut args: impl Iterator<Item = String>) -> Result<play::Options, String> {
    let mut options = play::Options {
        server: default_server(),
        redis_server: PathBuf::from("redis-server"),
        args: Vec::new(),
        verbose: false,
        files: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => options.server = value()?.into(),
            "--redis-server" => options.redis_server = value()?.into(),
            "--args" => {
                let text = value()?;
                let words = split_args(text.as_bytes())
                    .ok_or(format!("--args: unbalanced quotes in {text}"))?;
                options.args = words
                    .into_iter()
                    .map(|w| String::from_utf8_lossy(&w).into_owned())
                    .collect();
            }
            "-v" | "--verbose" => options.verbose = true,
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{}", usage()))
            }
            file => options.files.push(file.into()),
        }
    }
    if options.files.is_empty() {
        return Err(format!("scripts: no files\n{}", usage()));
    }
    Ok(options)
}

fn usage() -> &'static str {
    "Usage: keyspace-difftest [--seed N] [--count N] [--length N] [--clients N] [--only cmd,cmd] \
     [--server PATH] [--redis-server PATH] [--shrink-budget N]\n       \
     keyspace-difftest scripts [--server PATH] [--redis-server PATH] [--args 'ARGS'] [--verbose] FILE..."
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let outcome = match args.peek().map(String::as_str) {
        Some("-h" | "--help") => {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Some("scripts") => {
            args.next();
            script_options(args).map(|options| play::play(&options))
        }
        _ => options(args).map(|options| differ(&options)),
    };
    match outcome {
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
        Ok(result) => exit_code(result),
    }
}

/// Success when nothing failed.
fn exit_code(result: std::io::Result<usize>) -> ExitCode {
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("keyspace-difftest: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the sequences; returns how many failed.
fn differ(options: &Options) -> std::io::Result<usize> {
    let started = Instant::now();
    let redis_args = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"].map(String::from);
    let mut redis = Server::start(&options.redis_server, &redis_args)?;
    let mut ours = Server::start(&options.server, &[])?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let mut generator = Generator::new(options.seed, options.clients, &options.only, now_ms);
    println!(
        "keyspace-difftest --seed {} --count {} --length {}: {} commands, {} clients, redis on {}, ours on {}",
        options.seed,
        options.count,
        options.length,
        generator.names().len(),
        options.clients,
        redis.port,
        ours.port
    );
    let mut sent: BTreeMap<String, usize> = generator
        .names()
        .into_iter()
        .map(|n| (n.to_string(), 0))
        .collect();
    // The first failure per command is shrunk and printed; later ones are only counted.
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    let (mut passed, mut failed) = (0, 0);
    for number in 0..options.count {
        let steps = generator.sequence(options.length);
        let mismatch = run::check(&mut redis, &mut ours, &steps, options.clients)?;
        let Some(mismatch) = mismatch else {
            passed += 1;
            for step in &steps {
                *sent.entry(step.name.clone()).or_default() += 1;
            }
            continue;
        };
        failed += 1;
        for step in &steps[..=mismatch.at] {
            *sent.entry(step.name.clone()).or_default() += 1;
        }
        let name = steps[mismatch.at].name.clone();
        let seen = failures.entry(name.clone()).or_default();
        *seen += 1;
        if *seen > 1 {
            println!("sequence {number}: {name} differs again (not shrunk)");
            continue;
        }
        let shrunk = run::shrink(
            &mut redis,
            &mut ours,
            &steps,
            &mismatch,
            options.clients,
            options.shrink_budget,
        )?;
        let last = run::check(&mut redis, &mut ours, &shrunk, options.clients)?;
        let (redis_said, ours_said) = match &last {
            Some(m) => (m.redis.clone(), m.ours.clone()),
            None => (mismatch.redis.clone(), mismatch.ours.clone()),
        };
        let header = format!(
            "found by keyspace-difftest --seed {} (sequence {number}), shrunk from {} steps to {}{}\n\
             redis-server:    {redis_said}\nkeyspace-server: {ours_said}",
            options.seed,
            mismatch.at + 1,
            shrunk.len(),
            if last.is_none() { " (did not reproduce: timing?)" } else { "" },
        );
        println!(
            "\nsequence {number}: {name} differs\n{}",
            run::script(&shrunk, &header)
        );
    }
    let total: usize = sent.values().sum();
    let never: Vec<&str> = sent
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| k.as_str())
        .collect();
    println!(
        "\n{} sequences, {total} commands over {} command names in {:.1} s",
        options.count,
        sent.len(),
        started.elapsed().as_secs_f64()
    );
    if !never.is_empty() {
        println!("never sent: {}", never.join(" "));
    }
    if !failures.is_empty() {
        let list: Vec<String> = failures.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        println!("differing commands: {}", list.join(", "));
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed)
}
