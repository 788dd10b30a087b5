//! The embedding API as the engine will use it: host natives with a host context,
//! values made and read from Rust, errors as tables, pins across collections, read-only
//! tables, chunk names.

use keyspace_lua::{Ctx, Error, Lua, Result, Step, TableRef, Value};

/// What the host passes to `resume`: the engine in real life.
#[derive(Default)]
struct Host {
    calls: Vec<Vec<String>>,
}

/// A `redis.call` stand-in: records its string arguments, answers with a table or an
/// error table as Redis does.
fn call(ctx: &mut Ctx<'_>) -> Result<usize> {
    let mut args = Vec::new();
    for i in 1..=ctx.nargs() {
        match ctx.lua.to_bytes(ctx.arg(i)) {
            Some(b) => args.push(String::from_utf8_lossy(&b).into_owned()),
            None => {
                return Err(ctx.error("Lua redis lib command arguments must be strings or integers"))
            }
        }
    }
    let Some(host) = ctx.host::<Host>() else {
        return Err(ctx.error("no host"));
    };
    host.calls.push(args.clone());
    if args.first().map(String::as_str) == Some("fail") {
        let t = ctx.lua.create_table()?;
        let msg = ctx.string("ERR failing on purpose")?;
        ctx.lua.set_field(t, "err", msg)?;
        return Err(Error::Lua(Value::Table(t)));
    }
    let reply = ctx.lua.create_table()?;
    for (i, a) in args.iter().enumerate() {
        let s = ctx.string(a)?;
        ctx.lua.set_index(reply, i + 1, s)?;
    }
    ctx.push(Value::Table(reply));
    Ok(1)
}

fn setup() -> Lua {
    let mut lua = Lua::new();
    lua.open_redis().expect("libraries");
    let redis = lua.create_table().expect("table");
    let f = lua.create_function(call).expect("function");
    lua.set_field(redis, "call", f).expect("field");
    lua.set_global("redis", Value::Table(redis))
        .expect("global");
    lua
}

fn run(lua: &mut Lua, host: &mut Host, src: &str) -> std::result::Result<Vec<Value>, Value> {
    let f = lua
        .load(src.as_bytes(), "@user_script")
        .map_err(|e| lua.error_value(e))?;
    let mut exec = lua.call(f, &[]).map_err(|e| lua.error_value(e))?;
    loop {
        match lua.resume(&mut exec, host, 50) {
            Step::Paused => {}
            Step::Done(v) => return Ok(v),
            Step::Error(e) => return Err(e),
        }
    }
}

#[test]
fn natives_see_the_host_and_make_values() {
    let mut lua = setup();
    let mut host = Host::default();
    let vals = run(
        &mut lua,
        &mut host,
        "local r = redis.call('SET', 'k', 42) return r[1], r[3], #r",
    )
    .expect("runs");
    let shown: Vec<String> = vals.iter().map(|v| lua.display(*v)).collect();
    assert_eq!(shown, ["SET", "42", "3"]);
    assert_eq!(host.calls, [["SET", "k", "42"]]);
    let e = run(&mut lua, &mut host, "return redis.call({})").expect_err("fails");
    assert_eq!(
        lua.display(e),
        "user_script:1: Lua redis lib command arguments must be strings or integers"
    );
}

#[test]
fn error_tables_pass_through_pcall() {
    let mut lua = setup();
    let mut host = Host::default();
    let vals = run(
        &mut lua,
        &mut host,
        "local ok, e = pcall(redis.call, 'fail') return ok, type(e), e.err",
    )
    .expect("runs");
    let shown: Vec<String> = vals.iter().map(|v| lua.display(*v)).collect();
    assert_eq!(shown, ["false", "table", "ERR failing on purpose"]);
    let e = run(&mut lua, &mut host, "redis.call('fail')").expect_err("fails");
    let Value::Table(t) = e else {
        panic!("a table error")
    };
    assert_eq!(
        lua.str_bytes(lua.raw_get_field(t, "err")),
        Some(&b"ERR failing on purpose"[..])
    );
}

#[test]
fn results_are_read_from_rust() {
    let mut lua = setup();
    let mut host = Host::default();
    let vals = run(
        &mut lua,
        &mut host,
        "return {1, 'two', {3}, x = true, [10] = 4.5}, nil, false, 2^53",
    )
    .expect("runs");
    let Value::Table(t) = vals[0] else {
        panic!("a table")
    };
    assert_eq!(lua.raw_len(t), 3);
    assert_eq!(lua.raw_get_index(t, 1), Value::Num(1.0));
    assert_eq!(lua.str_bytes(lua.raw_get_index(t, 2)), Some(&b"two"[..]));
    assert!(matches!(lua.raw_get_index(t, 3), Value::Table(_)));
    let mut keys = Vec::new();
    let mut k = Value::Nil;
    while let Some((key, _)) = lua.next(t, k).expect("next") {
        keys.push(lua.display(key));
        k = key;
    }
    keys.sort();
    assert_eq!(keys, ["1", "10", "2", "3", "x"]);
    assert_eq!(
        &vals[1..],
        &[
            Value::Nil,
            Value::Bool(false),
            Value::Num(9007199254740992.0)
        ]
    );
}

#[test]
fn pins_survive_collections() {
    let mut lua = setup();
    let mut host = Host::default();
    let vals = run(&mut lua, &mut host, "return {'kept'}").expect("runs");
    let pin = lua.pin(vals[0]);
    run(
        &mut lua,
        &mut host,
        "local t = {} for i = 1, 100000 do t[i] = {i} end",
    )
    .expect("runs");
    lua.collect();
    let Value::Table(t) = lua.pinned(&pin) else {
        panic!("still a table")
    };
    assert_eq!(lua.str_bytes(lua.raw_get_index(t, 1)), Some(&b"kept"[..]));
    lua.unpin(pin);
}

#[test]
fn globals_can_be_protected_as_redis_does() {
    let mut lua = setup();
    let mut host = Host::default();
    let g = lua.globals();
    lua.set_readonly(g, true);
    let e = run(&mut lua, &mut host, "x = 1").expect_err("read-only");
    assert_eq!(
        lua.display(e),
        "user_script:1: Attempt to modify a readonly table"
    );
    let e = run(&mut lua, &mut host, "rawset(_G, 'x', 1)").expect_err("read-only");
    assert_eq!(lua.display(e), "Attempt to modify a readonly table");
    // The host lifts the protection to set KEYS and ARGV, as Redis does.
    lua.set_readonly(g, false);
    let keys = lua.create_table().expect("table");
    let k1 = lua.create_string("key1").expect("string");
    lua.set_index(keys, 1, k1).expect("set");
    lua.set_global("KEYS", Value::Table(keys)).expect("global");
    lua.set_readonly(g, true);
    let vals = run(&mut lua, &mut host, "return KEYS[1]").expect("runs");
    assert_eq!(lua.str_bytes(vals[0]), Some(&b"key1"[..]));
}

#[test]
fn chunk_names_shape_messages() {
    let mut lua = setup();
    let e = lua.load(b"x = = 1", "@user_script").expect_err("syntax");
    assert_eq!(
        lua.error_text(e),
        "user_script:1: unexpected symbol near '='"
    );
    let e = lua.load(b"return 1 +", "=eval").expect_err("syntax");
    assert_eq!(lua.error_text(e), "eval:1: unexpected symbol near '<eof>'");
    let e = lua
        .load(b"\n\nlocal function f()", "@user_script")
        .expect_err("syntax");
    assert_eq!(
        lua.error_text(e),
        "user_script:3: 'end' expected near '<eof>'"
    );
}

#[test]
fn arguments_reach_the_function() {
    let mut lua = setup();
    let f = lua
        .load(
            b"local a, b = ... return a .. b, select('#', ...)",
            "@user_script",
        )
        .expect("loads");
    let a = lua.create_string("x").expect("string");
    let vals = lua
        .call_sync(f, &[a, Value::Num(1.0), Value::Nil], &mut ())
        .expect("runs");
    assert_eq!(lua.display(vals[0]), "x1");
    assert_eq!(vals[1], Value::Num(3.0));
}

#[test]
fn readonly_tables_made_from_rust() {
    let mut lua = setup();
    let t: TableRef = lua.create_table().expect("table");
    lua.set_readonly(t, true);
    assert!(lua.set_field(t, "x", Value::Bool(true)).is_err());
    assert!(lua.is_readonly(t));
}

/// Redis's error handler (eval.c's `__redis__err__handler`) run as Redis runs scripts:
/// `lua_pcall` with the handler, here `xpcall` called by the host.
#[test]
fn redis_error_handler_finds_the_line() {
    let mut lua = Lua::new();
    lua.open_redis().expect("libraries");
    let handler = "local dbg = debug
        debug = nil
        function __redis__err__handler(err)
          local i = dbg.getinfo(2,'nSl')
          if i and i.what == 'C' then
            i = dbg.getinfo(3,'nSl')
          end
          if type(err) ~= 'table' then
            err = {err='ERR ' .. tostring(err)}
          end
          if i then
            err['source'] = i.source
            err['line'] = i.currentline
          end
          return err
        end";
    let f = lua
        .load(handler.as_bytes(), "@err_handler_def")
        .expect("loads");
    lua.call_sync(f, &[], &mut ()).expect("runs");
    let xpcall = lua.get_global("xpcall");
    let handler = lua.get_global("__redis__err__handler");
    for (src, err, line) in [
        ("local x = 1\nerror('boom')", "ERR user_script:2: boom", 2.0),
        (
            "local t = nil\n\nreturn t.field",
            "ERR user_script:3: attempt to index local 't' (a nil value)",
            3.0,
        ),
        ("error({err='MYERR custom'})", "MYERR custom", 1.0),
        (
            "\n\nreturn string.rep()",
            "ERR user_script:3: bad argument #1 to 'rep' (string expected, got no value)",
            3.0,
        ),
    ] {
        let script = lua.load(src.as_bytes(), "@user_script").expect("loads");
        let r = lua
            .call_sync(xpcall, &[script, handler], &mut ())
            .expect("xpcall returns");
        assert_eq!(r[0], Value::Bool(false), "{}", src);
        let Value::Table(t) = r[1] else {
            panic!("an error table for {}", src)
        };
        assert_eq!(lua.display(lua.raw_get_field(t, "err")), err, "{}", src);
        assert_eq!(
            lua.display(lua.raw_get_field(t, "source")),
            "@user_script",
            "{}",
            src
        );
        assert_eq!(lua.raw_get_field(t, "line"), Value::Num(line), "{}", src);
    }
}
