//! Figures (no assertions): four workloads timed in this crate's VM, in Debian's lua5.1
//! and in redis-server's EVAL on the same machine.
//!
//! ```sh
//! cargo run --release -p keyspace-lua --example bench             # ours, and lua5.1 if installed
//! REDIS_PORT=6379 cargo run --release -p keyspace-lua --example bench   # and redis-server's EVAL
//! ```
//!
//! Each figure is the best of 5 runs. lua5.1 is timed as a process running the file
//! (its start-up, about a millisecond, is included); Redis by `INFO commandstats`'
//! `usec_per_call` for EVAL, so without the network.

use std::process::Command;
use std::time::Instant;

use keyspace_lua::{Lua, Step};

const WORKLOADS: [(&str, &str); 4] = [
    ("sum 1..10,000,000", "local s = 0 for i = 1, 10000000 do s = s + i end return s"),
    ("fib(30), recursive", "local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(30)"),
    (
        "string building (200,000 pieces)",
        "local parts = {} for i = 1, 200000 do parts[#parts + 1] = 'item' .. i .. ',' end local s = table.concat(parts) local t = '' for i = 1, 20000 do t = t .. 'x' end return #s + #t",
    ),
    (
        "table inserts (1,000,000)",
        "local t = {} for i = 1, 1000000 do t[i] = i end local u = {} for i = 1, 1000000 do table.insert(u, i) end local h = {} for i = 1, 200000 do h['k' .. i] = i end return #t + #u",
    ),
];

fn ours(src: &str) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let mut lua = Lua::new();
        lua.open_redis().expect("libraries");
        let f = lua.load(src.as_bytes(), "@bench").expect("compiles");
        let start = Instant::now();
        let mut exec = lua.call(f, &[]).expect("call");
        // A budget slice as a server would use, to count the pauses' cost too.
        loop {
            match lua.resume(&mut exec, &mut (), 1_000_000) {
                Step::Paused => {}
                Step::Done(_) => break,
                Step::Error(e) => panic!("{}", lua.display(e)),
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

fn lua51(src: &str) -> Option<f64> {
    let path = std::env::temp_dir().join("keyspace-lua-bench.lua");
    std::fs::write(&path, src).ok()?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let ok = Command::new("lua5.1")
            .arg(&path)
            .output()
            .ok()?
            .status
            .success();
        if !ok {
            return None;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    Some(best)
}

fn redis(src: &str) -> Option<f64> {
    let port = std::env::var("REDIS_PORT").ok()?;
    let cli = |args: &[&str]| -> Option<String> {
        let out = Command::new("redis-cli")
            .arg("-p")
            .arg(&port)
            .args(args)
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let mut best = f64::MAX;
    for _ in 0..5 {
        cli(&["CONFIG", "RESETSTAT"])?;
        cli(&["EVAL", src, "0"])?;
        let stats = cli(&["INFO", "commandstats"])?;
        let line = stats.lines().find(|l| l.starts_with("cmdstat_eval:"))?;
        let usec = line
            .split(',')
            .find_map(|f| f.strip_prefix("usec_per_call="))?;
        best = best.min(usec.trim().parse::<f64>().ok()? / 1e6);
    }
    Some(best)
}

fn main() {
    println!("| workload | keyspace-lua | lua5.1 | redis-server EVAL |");
    println!("|---|---:|---:|---:|");
    let ms = |s: Option<f64>| s.map_or("-".to_string(), |s| format!("{:.0} ms", s * 1000.0));
    for (name, src) in WORKLOADS {
        let a = ours(src);
        let b = lua51(src);
        let c = redis(src);
        println!("| {} | {} | {} | {} |", name, ms(Some(a)), ms(b), ms(c));
    }
}
