//! Runaway scripts pause wherever they are, resume, and can be killed, leaving the state
//! usable; finite scripts give the same results however often they pause.

use keyspace_lua::{Lua, Step, Value};

fn standard() -> Lua {
    let mut lua = Lua::new();
    lua.open_standard().expect("libraries");
    lua
}

fn load(lua: &mut Lua, src: &str) -> Value {
    lua.load(src.as_bytes(), "@test")
        .unwrap_or_else(|e| panic!("{}: {}", src, lua.error_text(e)))
}

/// Runs `src` to completion, resuming every `slice` instructions.
fn run_sliced(lua: &mut Lua, src: &str, slice: u64) -> (Vec<String>, usize) {
    let f = load(lua, src);
    let mut exec = lua.call(f, &[]).expect("call");
    let mut pauses = 0;
    loop {
        match lua.resume(&mut exec, &mut (), slice) {
            Step::Paused => pauses += 1,
            Step::Done(vals) => return (vals.iter().map(|v| lua.display(*v)).collect(), pauses),
            Step::Error(e) => panic!("{}: {}", src, lua.display(e)),
        }
    }
}

/// A script that never ends: it pauses again and again, then is killed, and the state
/// then runs another script.
fn pauses_and_dies(src: &str) {
    let mut lua = standard();
    let f = load(&mut lua, src);
    let mut exec = lua.call(f, &[]).expect("call");
    for round in 0..30 {
        match lua.resume(&mut exec, &mut (), 500) {
            Step::Paused => {}
            other => panic!("{} ended in round {}: {:?}", src, round, other),
        }
    }
    lua.kill(exec);
    let (vals, _) = run_sliced(&mut lua, "return 1 + 1, 'after'", u64::MAX);
    assert_eq!(vals, ["2", "after"], "{}", src);
    lua.collect();
    let (vals, _) = run_sliced(
        &mut lua,
        "local t = {} for i = 1, 100 do t[i] = i end return #t",
        10,
    );
    assert_eq!(vals, ["100"]);
}

#[test]
fn plain_loops() {
    pauses_and_dies("while true do end");
    pauses_and_dies("repeat local x = 1 until false");
    pauses_and_dies("for i = 1, math.huge do end");
    pauses_and_dies("local function f() return f() end f()");
    pauses_and_dies("local function f(n) if n > 1000 then return 0 end return 1 + f(n + 1) end while true do f(0) end");
}

#[test]
fn inside_protected_calls() {
    pauses_and_dies("pcall(function() while true do end end)");
    pauses_and_dies("xpcall(function() while true do end end, print)");
    pauses_and_dies("xpcall(function() error('x') end, function(m) while true do end end)");
    pauses_and_dies("while true do pcall(error, 'again') end");
    pauses_and_dies("local t = setmetatable({}, {__index = function() while true do end end}) pcall(function() return t.x end)");
}

#[test]
fn inside_metamethods() {
    pauses_and_dies(
        "local t = setmetatable({}, {__index = function() while true do end end}) local x = t.y",
    );
    pauses_and_dies(
        "local t = setmetatable({}, {__newindex = function() while true do end end}) t.y = 1",
    );
    pauses_and_dies(
        "local t = setmetatable({}, {__add = function() while true do end end}) local x = t + 1",
    );
    pauses_and_dies("local mt = {__lt = function() while true do end end} local x = setmetatable({}, mt) < setmetatable({}, mt)");
    pauses_and_dies("local mt = {__eq = function() while true do end end} local x = setmetatable({}, mt) == setmetatable({}, mt)");
    pauses_and_dies("local t = setmetatable({}, {__concat = function() while true do end end}) local x = 'a' .. t .. 'b'");
    pauses_and_dies("local t = setmetatable({}, {__call = function() while true do end end}) t()");
    pauses_and_dies("local u = newproxy(true) getmetatable(u).__len = function() while true do end end local n = #u");
    pauses_and_dies(
        "local t = setmetatable({}, {__tostring = function() while true do end end}) tostring(t)",
    );
    pauses_and_dies(
        "local t = setmetatable({}, {__tostring = function() while true do end end}) print(t)",
    );
}

#[test]
fn inside_coroutines() {
    pauses_and_dies("coroutine.resume(coroutine.create(function() while true do end end))");
    pauses_and_dies(
        "local f = coroutine.wrap(function() coroutine.yield() while true do end end) f() f()",
    );
    pauses_and_dies("local co = coroutine.wrap(function() while true do coroutine.yield(1) end end) while true do co() end");
    pauses_and_dies(
        "local inner = coroutine.wrap(function() while true do end end) coroutine.resume(coroutine.create(function() inner() end))",
    );
}

#[test]
fn inside_library_callbacks() {
    pauses_and_dies("table.sort({3, 2, 1}, function(a, b) while true do end end)");
    pauses_and_dies("string.gsub('abc', '%w', function(c) while true do end end)");
    pauses_and_dies(
        "string.gsub('abc', '%w', setmetatable({}, {__index = function() while true do end end}))",
    );
    pauses_and_dies("for k in function() while true do end end do end");
    pauses_and_dies("table.foreach({1}, function() while true do end end)");
    pauses_and_dies("load(function() while true do end end)");
}

#[test]
fn inside_long_library_work() {
    // No Lua callback at all: the sort and the pattern matcher count their own steps.
    pauses_and_dies("local t = {} for i = 1, 200000 do t[i] = (i * 7919) % 200003 end while true do table.sort(t) end");
    pauses_and_dies(
        "local s = string.rep('a', 5000) while true do string.find(s, '.-.-.-.-b') end",
    );
    pauses_and_dies("local s = string.rep('a', 3000) string.find(s, '.-.-.-.-b')");
    pauses_and_dies("local s = string.rep('a', 2000) string.gsub(s, '(a*)*b', '')");
}

#[test]
fn sliced_runs_give_the_same_answers() {
    let programs = [
        "local t = {} for i = 1, 300 do t[i] = (i * 37) % 301 end table.sort(t, function(a, b) return a > b end) return t[1], t[300]",
        "local n = 0 local s = ('hello world '):rep(50) for w in s:gmatch('%a+') do n = n + #w end return n, (s:gsub('o', function(c) return 'O' end))",
        "local co = coroutine.wrap(function() for i = 1, 20 do coroutine.yield(i) end end) local s = 0 for i = 1, 20 do s = s + co() end return s",
        "local ok, e = pcall(function() local t = setmetatable({}, {__index = function(_, k) return k * 2 end}) return t[21] end) return ok, e",
        "local mt = {__lt = function(a, b) return a.v < b.v end} local t = {} for i = 1, 50 do t[i] = setmetatable({v = (i * 13) % 51}, mt) end table.sort(t) return t[1].v, t[50].v",
        "return select('#', string.byte(string.rep('x', 100), 1, -1)), tostring(setmetatable({}, {__tostring = function() return 'ts' end}))",
    ];
    for src in programs {
        let mut lua = standard();
        let (whole, _) = run_sliced(&mut lua, src, u64::MAX);
        for slice in [1, 2, 3, 5, 13, 100] {
            let mut lua = standard();
            let (sliced, pauses) = run_sliced(&mut lua, src, slice);
            assert_eq!(sliced, whole, "{} with slices of {}", src, slice);
            assert!(
                pauses > 0 || slice > 50,
                "{} never paused with slices of {}",
                src,
                slice
            );
        }
    }
}

#[test]
fn killing_closes_upvalues_and_coroutines() {
    let mut lua = standard();
    let f = load(&mut lua, "local x = 41 escape = function() x = x + 1 return x end co = coroutine.create(function() local y = 1 grab = function() return y end while true do end end) coroutine.resume(co)");
    let mut exec = lua.call(f, &[]).expect("call");
    assert!(matches!(lua.resume(&mut exec, &mut (), 1000), Step::Paused));
    lua.kill(exec);
    let (vals, _) = run_sliced(
        &mut lua,
        "return escape(), escape(), grab(), coroutine.status(co)",
        u64::MAX,
    );
    assert_eq!(vals, ["42", "43", "1", "dead"]);
    let (vals, _) = run_sliced(&mut lua, "return coroutine.resume(co)", u64::MAX);
    assert_eq!(vals, ["false", "cannot resume dead coroutine"]);
}

#[test]
fn a_dropped_execution_is_collected() {
    let mut lua = standard();
    let f = load(
        &mut lua,
        "local t = {} for i = 1, 10000 do t[i] = {i} end while true do end",
    );
    let before = lua.used_memory();
    {
        let mut exec = lua.call(f, &[]).expect("call");
        while lua.used_memory() < before + 200_000 {
            assert!(matches!(
                lua.resume(&mut exec, &mut (), 10_000),
                Step::Paused
            ));
        }
    }
    lua.collect();
    assert!(
        lua.used_memory() < before + 100_000,
        "{} then {}",
        before,
        lua.used_memory()
    );
}

#[test]
fn two_executions_interleave() {
    let mut lua = standard();
    let f = load(
        &mut lua,
        "local n = ... local s = 0 for i = 1, n do s = s + i end return s",
    );
    let mut a = lua.call(f, &[Value::Num(1000.0)]).expect("call");
    let mut b = lua.call(f, &[Value::Num(2000.0)]).expect("call");
    let (mut ra, mut rb) = (None, None);
    while ra.is_none() || rb.is_none() {
        if ra.is_none() {
            if let Step::Done(v) = lua.resume(&mut a, &mut (), 100) {
                ra = Some(lua.display(v[0]));
            }
        }
        if rb.is_none() {
            if let Step::Done(v) = lua.resume(&mut b, &mut (), 100) {
                rb = Some(lua.display(v[0]));
            }
        }
    }
    assert_eq!(
        (ra.as_deref(), rb.as_deref()),
        (Some("500500"), Some("2001000"))
    );
}
