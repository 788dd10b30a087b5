//! The golden corpus: every `tests/lua51/*.lua` must print what Debian's lua5.1 printed
//! (`*.out`), and every `tests/redis/*.lua` must return what redis-server 7.0's EVAL
//! returned. The expected outputs are committed; `tests/regen-golden` rebuilds them.
//!
//! Each program runs twice: with an unlimited budget, and paused every few instructions
//! and resumed, so every golden program also checks that pausing anywhere changes nothing.

use std::path::{Path, PathBuf};

use keyspace_lua::{Ctx, Lua, Step, TableRef, Value};

fn corpus(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {}", root.display(), e))
        .map(|e| e.map(|e| e.path()).unwrap_or_default())
        .filter(|p| p.extension().is_some_and(|e| e == "lua"))
        .collect();
    files.sort();
    files
}

/// Runs `f` to the end, pausing every `slice` instructions (when given).
fn run(lua: &mut Lua, f: Value, slice: Option<u64>) -> Step {
    let mut exec = lua.call(f, &[]).expect("call");
    loop {
        match lua.resume(&mut exec, &mut (), slice.unwrap_or(u64::MAX)) {
            Step::Paused => {}
            other => return other,
        }
    }
}

/// What `lua5.1 name.lua` prints for a file of the lua51 corpus.
fn run_lua51(path: &Path, slice: Option<u64>) -> Vec<u8> {
    let mut lua = Lua::new();
    lua.open_standard().expect("libraries");
    lua.set_host_levels(2);
    let src = std::fs::read(path).expect("source");
    let name = format!(
        "@{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    );
    let f = lua
        .load(&src, &name)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), lua.error_text(e)));
    let step = run(&mut lua, f, slice);
    let mut out = lua.take_output();
    if let Step::Error(v) = step {
        // lua5.1 would print this on stderr; it makes the difference visible.
        out.extend_from_slice(format!("<error: {}>", lua.display(v)).as_bytes());
    }
    out
}

/// `luaProtectedTableError`: Redis's `__index` on the globals.
fn nonexistent_global(ctx: &mut Ctx<'_>) -> keyspace_lua::Result<usize> {
    let name = ctx.lua.to_bytes(ctx.arg(2)).unwrap_or_default();
    let mut msg = b"Script attempted to access nonexistent global variable '".to_vec();
    msg.extend_from_slice(&name);
    msg.push(b'\'');
    Err(ctx.error(msg))
}

/// Makes every table reachable from `t` read-only (`luaSetTableProtectionRecursively`).
fn protect(lua: &mut Lua, t: TableRef) {
    let mut todo = vec![t];
    while let Some(t) = todo.pop() {
        if lua.is_readonly(t) {
            continue;
        }
        lua.set_readonly(t, true);
        let mut k = Value::Nil;
        while let Some((key, v)) = lua.next(t, k).expect("next") {
            if let Value::Table(inner) = v {
                todo.push(inner);
            }
            k = key;
        }
        if let Some(mt) = lua.get_metatable(Value::Table(t)) {
            todo.push(mt);
        }
    }
}

/// A state set up as Redis sets up its scripting state: its libraries, `debug` removed,
/// nonexistent globals an error, every global table read-only (and, as in the Debian
/// build with its security fixes, the strings' metatable too).
fn redis_state() -> Lua {
    let mut lua = Lua::new();
    lua.open_redis().expect("libraries");
    lua.set_global("debug", Value::Nil).expect("debug");
    let g = lua.globals();
    let mt = lua.create_table().expect("table");
    let f = lua.create_function(nonexistent_global).expect("function");
    lua.set_field(mt, "__index", f).expect("field");
    lua.set_metatable(g, Some(mt)).expect("metatable");
    protect(&mut lua, g);
    let strings = lua.create_string("").expect("string");
    if let Some(smt) = lua.get_metatable(strings) {
        protect(&mut lua, smt);
    }
    lua
}

/// What redis-cli --raw prints for EVAL of a file of the redis corpus.
fn run_redis(path: &Path, slice: Option<u64>) -> Vec<u8> {
    let mut lua = redis_state();
    let src = std::fs::read(path).expect("source");
    let f = lua
        .load(&src, "@user_script")
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), lua.error_text(e)));
    match run(&mut lua, f, slice) {
        Step::Done(vals) => {
            let mut out = vals
                .first()
                .and_then(|v| lua.to_bytes(*v))
                .unwrap_or_default();
            out.push(b'\n');
            out
        }
        Step::Error(v) => format!("<error: {}>\n", lua.display(v)).into_bytes(),
        Step::Paused => unreachable!("run resumes until done"),
    }
}

fn check(dir: &str, runner: fn(&Path, Option<u64>) -> Vec<u8>) {
    let mut failed = Vec::new();
    let files = corpus(dir);
    assert!(!files.is_empty(), "no programs in tests/{}", dir);
    for path in &files {
        let expected = std::fs::read(path.with_extension("out"))
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
        for slice in [None, Some(7)] {
            let got = runner(path, slice);
            if got != expected {
                let diff = first_difference(&expected, &got);
                failed.push(format!("{} (slice {:?}): {}", path.display(), slice, diff));
                break;
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} differ:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
    eprintln!("{}: {} programs match", dir, files.len());
}

/// The first line where two outputs differ, for the failure message.
fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split(|&b| b == b'\n').collect();
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (
            e.get(i).copied().unwrap_or(b"<none>"),
            g.get(i).copied().unwrap_or(b"<none>"),
        );
        if a != b {
            return format!(
                "line {}:\n  expected: {}\n  got:      {}",
                i + 1,
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    }
    "outputs differ".to_string()
}

#[test]
fn lua51_corpus() {
    check("lua51", run_lua51);
}

#[test]
fn redis_corpus() {
    check("redis", run_redis);
}
