//! Runs a Lua file as `lua5.1 file.lua` would (standard libraries, `print` to stdout), or,
//! with `--redis`, with the libraries Redis loads, printing what the chunk returns.
//!
//! ```sh
//! cargo run -p keyspace-lua --example lua -- script.lua
//! cargo run -p keyspace-lua --example lua -- --redis script.lua
//! ```

use std::io::Write;

use keyspace_lua::{Lua, Step};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let redis = args.iter().any(|a| a == "--redis");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: lua [--redis] FILE");
        std::process::exit(2);
    };
    let src = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("{}: {}", path, e);
        std::process::exit(1);
    });
    let mut lua = Lua::new();
    let opened = if redis {
        lua.open_redis()
    } else {
        lua.open_standard()
    };
    if opened.is_err() {
        eprintln!("cannot open the libraries");
        std::process::exit(1);
    }
    lua.set_host_levels(2);
    let name = format!("@{}", path);
    let f = match lua.load(&src, &name) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("lua: {}", lua.error_text(e));
            std::process::exit(1);
        }
    };
    let mut exec = match lua.call(f, &[]) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("lua: {}", lua.error_text(e));
            std::process::exit(1);
        }
    };
    let step = lua.resume(&mut exec, &mut (), u64::MAX);
    std::io::stdout().write_all(&lua.take_output()).ok();
    match step {
        Step::Done(vals) => {
            if redis {
                for v in vals {
                    println!("{}", lua.display(v));
                }
            }
        }
        Step::Error(v) => {
            eprintln!("lua: {}", lua.display(v));
            std::process::exit(1);
        }
        Step::Paused => {}
    }
}
