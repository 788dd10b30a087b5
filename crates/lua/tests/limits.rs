//! Limits end in Lua errors, never in a crash: deep recursion, deep metamethod chains,
//! deeply nested source, huge strings, the memory limit; and memory stays bounded for
//! garbage, cyclic or not.

use keyspace_lua::{Lua, Step, Value};

fn state(limit: Option<usize>) -> Lua {
    let mut lua = Lua::new();
    lua.open_standard().expect("libraries");
    lua.set_memory_limit(limit);
    lua
}

/// Runs `src` to the end; `Ok(first value as text)` or `Err(error text)`.
fn run(lua: &mut Lua, src: &str) -> Result<String, String> {
    let f = lua
        .load(src.as_bytes(), "@limits")
        .map_err(|e| lua.error_text(e))?;
    let mut exec = lua.call(f, &[]).map_err(|e| lua.error_text(e))?;
    loop {
        match lua.resume(&mut exec, &mut (), 100_000) {
            Step::Paused => {}
            Step::Done(v) => return Ok(v.first().map_or(String::new(), |v| lua.display(*v))),
            Step::Error(e) => return Err(lua.display(e)),
        }
    }
}

#[test]
fn deep_recursion_is_a_stack_overflow() {
    let mut lua = state(None);
    assert_eq!(
        run(&mut lua, "local function f() return 1 + f() end return f()"),
        Err("limits:1: stack overflow".into())
    );
    assert_eq!(
        run(
            &mut lua,
            "local function f() return 1 + f() end return select(2, pcall(f))"
        ),
        Ok("limits:1: stack overflow".into())
    );
    // Still usable, and a second overflow reads the same.
    assert_eq!(
        run(
            &mut lua,
            "local function f() f() end local ok, e = pcall(f) return e"
        ),
        Ok("limits:1: stack overflow".into())
    );
}

#[test]
fn deep_c_calls_are_a_c_stack_overflow() {
    let mut lua = state(None);
    let r = run(&mut lua, "local mt = {} mt.__index = function(t, k) return setmetatable({}, mt)[k] end return setmetatable({}, mt).x");
    assert_eq!(r, Err("limits:1: C stack overflow".into()));
    let r = run(
        &mut lua,
        "local function f() return pcall(f) end return tostring(f())",
    );
    assert_eq!(r, Ok("true".into()));
    let r = run(&mut lua, "local d = 0 local function f() d = d + 1 return coroutine.resume(coroutine.create(f)) end f() return d");
    assert_eq!(r, Ok("200".into()));
    // Raised while `tostring` (a C function) is the running level: no position.
    let r = run(&mut lua, "local t = {} t.__tostring = function(x) return tostring(setmetatable({}, t)) end return tostring(setmetatable({}, t))");
    assert_eq!(r, Err("C stack overflow".into()));
}

#[test]
fn deeply_nested_source_is_a_syntax_error() {
    let mut lua = state(None);
    for (open, close) in [("(", ")"), ("{", "}"), ("function() return ", " end")] {
        let src = format!("return {}1{}", open.repeat(100_000), close.repeat(100_000));
        let err = lua
            .load(src.as_bytes(), "=deep")
            .map(|_| ())
            .map_err(|e| lua.error_text(e));
        assert_eq!(
            err,
            Err("deep:1: chunk has too many syntax levels".into()),
            "{}",
            open
        );
    }
    let src = "return ".to_string() + &"- ".repeat(100_000) + "1";
    assert!(lua.load(src.as_bytes(), "=deep").is_err());
    let src = "x = ".to_string() + &"a .. ".repeat(100_000) + "a";
    assert!(lua.load(src.as_bytes(), "=deep").is_err());
}

#[test]
fn huge_strings_are_memory_errors() {
    let mut lua = state(None);
    assert_eq!(
        run(&mut lua, "return string.rep(string.rep('x', 1000), 2^30)"),
        Err("not enough memory".into())
    );
    let mut lua = state(Some(8 << 20));
    assert_eq!(
        run(&mut lua, "return #string.rep('x', 2^24)"),
        Err("not enough memory".into())
    );
    assert_eq!(
        run(&mut lua, "local s = 'x' while true do s = s .. s end"),
        Err("not enough memory".into())
    );
    assert_eq!(
        run(&mut lua, "local t = {} for i = 1, 1e8 do t[i] = i end"),
        Err("not enough memory".into())
    );
    assert_eq!(
        run(&mut lua, "return select(2, pcall(string.rep, 'abc', 1e7))"),
        Ok("not enough memory".into())
    );
    assert_eq!(
        run(
            &mut lua,
            "local t = {} for i = 1, 1e6 do t[i] = 'x' .. i end return #t"
        ),
        Err("not enough memory".into())
    );
    // The state is still usable and gives the memory back.
    lua.collect();
    assert!(lua.used_memory() < 1 << 20, "{}", lua.used_memory());
    assert_eq!(
        run(&mut lua, "return #string.rep('ab', 1000)"),
        Ok("2000".into())
    );
}

#[test]
fn cyclic_garbage_is_collected() {
    let mut lua = state(Some(16 << 20));
    let src = "
        for i = 1, 300000 do
            local a, b = {}, {}
            a.other, b.other = b, a
            a.self = a
            local f = function() return a end
            b.f = f
            local co = coroutine.create(function() return b end)
            a.co = co
        end
        return collectgarbage('count')";
    let kb: f64 = run(&mut lua, src)
        .expect("runs within the limit")
        .parse()
        .expect("a number");
    assert!(kb < 16.0 * 1024.0, "{} KB", kb);
    lua.collect();
    assert!(lua.used_memory() < 1 << 20, "{}", lua.used_memory());
}

#[test]
fn weak_tables_let_go() {
    let mut lua = state(None);
    let src = "
        local weak = setmetatable({}, {__mode = 'k'})
        local kept = {}
        for i = 1, 100 do local k = {} weak[k] = i if i % 10 == 0 then kept[#kept + 1] = k end end
        local values = setmetatable({}, {__mode = 'v'})
        for i = 1, 50 do values[i] = {} end
        values.s = 'strings stay'
        collectgarbage()
        local n = 0 for _ in pairs(weak) do n = n + 1 end
        local m = 0 for _ in pairs(values) do m = m + 1 end
        return n .. ' ' .. m .. ' ' .. values.s .. ' ' .. #kept";
    assert_eq!(run(&mut lua, src), Ok("10 1 strings stay 10".into()));
}

#[test]
fn deep_structures_do_not_overflow_the_rust_stack() {
    let mut lua = state(None);
    let src = "local t = {} for i = 1, 1000000 do t = {t} end collectgarbage() return 'ok'";
    assert_eq!(run(&mut lua, src), Ok("ok".into()));
    let src = "local t = {} for i = 1, 100000 do t = {t} end return select(2, pcall(cjson and cjson.encode or error, t))";
    assert!(run(&mut lua, src).is_ok());
    let mut lua = Lua::new();
    lua.open_redis().expect("libraries");
    let src =
        "local t = {} for i = 1, 100000 do t = {t} end return select(2, pcall(cjson.encode, t))";
    assert_eq!(
        run(&mut lua, src),
        Ok("Cannot serialise, excessive nesting (1001)".into())
    );
    let src = "return select(2, pcall(cjson.decode, string.rep('[', 100000)))";
    assert_eq!(
        run(&mut lua, src),
        Ok("Found too many nested data structures (1001) at character 1001".into())
    );
    let src = "return select(2, pcall(cmsgpack.unpack, string.rep('\\145', 100000)))";
    assert_eq!(
        run(&mut lua, src),
        Ok("stack overflow (in function mp_decode_to_lua_array)".into())
    );
    let src = "local t = {} for i = 1, 100000 do t = {t} end return #cmsgpack.pack(t)";
    assert_eq!(run(&mut lua, src), Ok("17".into()));
}

#[test]
fn memory_is_reported() {
    let mut lua = state(None);
    let base = lua.used_memory();
    assert_eq!(
        run(
            &mut lua,
            "big = {} for i = 1, 100000 do big[i] = i end return collectgarbage('count') * 1024"
        ),
        Ok(format!("{}", lua.used_memory()))
    );
    assert!(lua.used_memory() > base + 100_000 * 16);
    assert_eq!(
        run(&mut lua, "big = nil collectgarbage() return 'ok'"),
        Ok("ok".into())
    );
    assert!(
        lua.used_memory() < base + 50_000,
        "{} {}",
        base,
        lua.used_memory()
    );
    let _ = Value::Nil;
}
