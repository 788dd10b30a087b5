//! Replies into Lua values and Lua values into replies, by Redis 7.0's rules
//! (`redisProtocolToLuaType_*` and `luaReplyToRedisReply` in script_lua.c).
//!
//! Redis converts a command's reply from the bytes the script client would receive, so what
//! a script sees depends on the protocol the script chose with `redis.setresp`: under RESP2
//! a map is a flat array, a double a string, a boolean an integer, and both nulls `false`;
//! under RESP3 they are `{map=…}`, `{double=…}`, booleans and `nil`. Going back, a table is
//! an error (`err`), a status (`ok`), a RESP3 type (`double`, `big_number`,
//! `verbatim_string`, `map`, `set`) or else an array read from index 1 up to the first nil.
//! A number becomes an integer, cut as C's `(long long)` cast cuts it on x86.
//!
//! A table that contains itself would nest forever; Redis stops when Lua's C stack is full
//! and puts `ERR reached lua stack limit` there. The engine stops at [`MAX_DEPTH`] levels, a
//! smaller bound than Lua's thousands, so that no front end's own stack is at risk encoding
//! or freeing the reply.

use keyspace_lua::{Lua, Result as LuaResult, TableRef, Value};

use crate::reply::{format_double, format_human, Reply};

/// Nesting levels of a script's reply before the rest becomes Redis's stack-limit error.
pub const MAX_DEPTH: usize = 1000;

/// The error a reply nested past [`MAX_DEPTH`] ends with.
const STACK_LIMIT: &str = "ERR reached lua stack limit";

/// A command's reply as the script sees it, with the script client speaking `protocol`.
/// An error reply becomes the table `{err = "CODE message"}` marked as counted already, which
/// the caller raises (`redis.call`) or returns (`redis.pcall`).
pub fn reply_to_lua(lua: &mut Lua, reply: &Reply, protocol: u8) -> LuaResult<Value> {
    let resp3 = protocol == 3;
    Ok(match reply {
        Reply::Simple(s) => single_field(lua, "ok", s.as_bytes())?,
        // The reply line, `-` and all: its code is read from it.
        Reply::Error(e) => error_table(lua, &format!("-{e}"), true)?,
        Reply::Integer(n) => Value::Num(*n as f64),
        Reply::Bulk(b) => lua.create_string(b)?,
        Reply::Null | Reply::NullArray if resp3 => Value::Nil,
        Reply::Null | Reply::NullArray => Value::Bool(false),
        Reply::Array(items) | Reply::Push(items) => array(lua, items, protocol)?,
        Reply::Set(items) if resp3 => {
            let set = lua.create_table()?;
            for item in items {
                let member = reply_to_lua(lua, item, protocol)?;
                if !member.is_nil() {
                    lua.raw_set(set, member, Value::Bool(true))?;
                }
            }
            wrap(lua, "set", Value::Table(set))?
        }
        Reply::Set(items) => array(lua, items, protocol)?,
        Reply::Map(pairs) if resp3 => {
            let map = lua.create_table()?;
            for (k, v) in pairs {
                let key = reply_to_lua(lua, k, protocol)?;
                let value = reply_to_lua(lua, v, protocol)?;
                if !key.is_nil() {
                    lua.raw_set(map, key, value)?;
                }
            }
            wrap(lua, "map", Value::Table(map))?
        }
        Reply::Map(pairs) => {
            let flat: Vec<Reply> = pairs
                .iter()
                .flat_map(|(k, v)| [k.clone(), v.clone()])
                .collect();
            array(lua, &flat, protocol)?
        }
        Reply::Double(d) if resp3 => wrap(lua, "double", Value::Num(*d))?,
        Reply::Double(d) => lua.create_string(format_double(*d))?,
        // GEOPOS and WITHCOORD: the same double, printed as `ld2string`'s human form in RESP2.
        Reply::HumanDouble(d) if resp3 => wrap(lua, "double", Value::Num(*d))?,
        Reply::HumanDouble(d) => lua.create_string(format_human(*d))?,
        Reply::Boolean(b) if resp3 => Value::Bool(*b),
        Reply::Boolean(b) => Value::Num(f64::from(u8::from(*b))),
        Reply::BigNumber(n) if resp3 => single_field(lua, "big_number", n.as_bytes())?,
        Reply::BigNumber(n) => lua.create_string(n)?,
        Reply::Verbatim { format, text } if resp3 => {
            let inner = lua.create_table()?;
            let text = lua.create_string(text)?;
            lua.set_field(inner, "string", text)?;
            let format = lua.create_string(format)?;
            lua.set_field(inner, "format", format)?;
            wrap(lua, "verbatim_string", Value::Table(inner))?
        }
        Reply::Verbatim { text, .. } | Reply::Raw(text) => lua.create_string(text)?,
    })
}

fn array(lua: &mut Lua, items: &[Reply], protocol: u8) -> LuaResult<Value> {
    let t = lua.create_table_with(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        let v = reply_to_lua(lua, item, protocol)?;
        // A RESP3 null inside an array leaves a hole, as `lua_settable` with nil does.
        if !v.is_nil() {
            lua.set_index(t, i + 1, v)?;
        }
    }
    Ok(Value::Table(t))
}

fn single_field(lua: &mut Lua, name: &str, text: &[u8]) -> LuaResult<Value> {
    let s = lua.create_string(text)?;
    wrap(lua, name, s)
}

fn wrap(lua: &mut Lua, name: &str, value: Value) -> LuaResult<Value> {
    let t = lua.create_table()?;
    lua.set_field(t, name, value)?;
    Ok(Value::Table(t))
}

/// Redis's error table for `text` (`luaPushErrorBuff`): `{err = "CODE message"}`. A text
/// starting with `-` carries its code (`-OOM command not allowed…`); any other gets `ERR`
/// put before it. Trailing CR/LF go. `counted` marks an error already counted in INFO
/// errorstats (a command's own failure), which the script's reply must not count again.
pub fn error_table(lua: &mut Lua, text: &str, counted: bool) -> LuaResult<Value> {
    let line = error_line(text);
    let t = lua.create_table()?;
    let err = lua.create_string(line)?;
    lua.set_field(t, "err", err)?;
    if counted {
        lua.set_field(t, "ignore_error_stats_update", Value::Bool(true))?;
    }
    Ok(Value::Table(t))
}

/// The `CODE message` line of an error text, as [`error_table`] stores it.
pub fn error_line(text: &str) -> String {
    let (code, message) = match text.strip_prefix('-') {
        Some(rest) => match rest.split_once(' ') {
            Some((code, message)) => (code, message),
            None => ("ERR", rest),
        },
        None => ("ERR", text),
    };
    format!("{code} {}", message.trim_end_matches(['\r', '\n']))
}

/// An error a script ended with, from its error table: the message, where it happened
/// (`source`, `line`, added by Redis's error handler), and whether it was counted already.
pub struct ScriptFailure {
    pub message: String,
    pub source: Option<String>,
    pub line: Option<String>,
    pub counted: bool,
}

/// Reads an error value the way `luaExtractErrorInformation` does: a string is `ERR` and
/// itself; a table gives its `err`, `source`, `line` and `ignore_error_stats_update`.
pub fn failure(lua: &mut Lua, value: Value) -> ScriptFailure {
    let mut failure = ScriptFailure {
        message: String::new(),
        source: None,
        line: None,
        counted: false,
    };
    match value {
        Value::Table(t) => {
            let text = |lua: &Lua, name: &str| {
                let v = lua.raw_get_field(t, name);
                matches!(v, Value::Str(_) | Value::Num(_))
                    .then(|| lua.to_bytes(v))
                    .flatten()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            };
            failure.message = text(lua, "err").unwrap_or_default();
            failure.source = text(lua, "source");
            failure.line = text(lua, "line");
            failure.counted =
                lua.raw_get_field(t, "ignore_error_stats_update") == Value::Bool(true);
        }
        v => {
            let text = lua.to_bytes(v).unwrap_or_default();
            failure.message = format!("ERR {}", String::from_utf8_lossy(&text));
        }
    }
    failure
}

/// What a script returned, as the reply its caller gets; `script_protocol` is the protocol
/// the script chose (it decides how a boolean goes back).
pub fn lua_to_reply(lua: &mut Lua, value: Value, script_protocol: u8) -> Reply {
    convert(lua, value, script_protocol, 0)
}

fn convert(lua: &mut Lua, value: Value, protocol: u8, depth: usize) -> Reply {
    if depth >= MAX_DEPTH {
        return Reply::Error(STACK_LIMIT.into());
    }
    match value {
        Value::Str(_) => Reply::Bulk(lua.to_bytes(value).unwrap_or_default()),
        Value::Bool(b) if protocol == 3 => Reply::Boolean(b),
        Value::Bool(true) => Reply::Integer(1),
        Value::Num(n) => Reply::Integer(c_cast(n)),
        Value::Table(t) => table_reply(lua, t, protocol, depth),
        _ => Reply::Null,
    }
}

/// A table: one of Redis's typed tables, or an array.
fn table_reply(lua: &mut Lua, t: TableRef, protocol: u8, depth: usize) -> Reply {
    if let Some(reply) = flat_typed_reply(lua, t) {
        return reply;
    }
    if let Value::Table(map) = lua.raw_get_field(t, "map") {
        let mut pairs = Vec::new();
        for (k, v) in entries(lua, map) {
            let key = convert(lua, k, protocol, depth + 1);
            let value = convert(lua, v, protocol, depth + 1);
            pairs.push((key, value));
        }
        return Reply::Map(pairs);
    }
    if let Value::Table(set) = lua.raw_get_field(t, "set") {
        let members = entries(lua, set)
            .into_iter()
            .map(|(k, _)| convert(lua, k, protocol, depth + 1))
            .collect();
        return Reply::Set(members);
    }
    let mut items = Vec::new();
    let mut i = 1;
    loop {
        let v = lua.raw_get_index(t, i);
        if v.is_nil() {
            break;
        }
        items.push(convert(lua, v, protocol, depth + 1));
        i += 1;
    }
    Reply::Array(items)
}

/// The typed tables that hold no further values (`err`, `ok`, `double`, `big_number`,
/// `verbatim_string`). Apart from [`table_reply`] so that their locals are not in every
/// level of a nested reply's recursion, which must reach [`MAX_DEPTH`] on a thread's stack.
#[inline(never)]
fn flat_typed_reply(lua: &mut Lua, t: TableRef) -> Option<Reply> {
    let field = |lua: &Lua, name: &str| lua.raw_get_field(t, name);
    if let v @ Value::Str(_) = field(lua, "err") {
        let text = lossy(lua, v);
        return Some(Reply::Error(one_line(&text)));
    }
    if let v @ Value::Str(_) = field(lua, "ok") {
        return Some(Reply::Simple(one_line(&lossy(lua, v))));
    }
    if let Value::Num(d) = field(lua, "double") {
        return Some(Reply::Double(d));
    }
    if let v @ Value::Str(_) = field(lua, "big_number") {
        return Some(Reply::BigNumber(one_line(&lossy(lua, v))));
    }
    if let Value::Table(verbatim) = field(lua, "verbatim_string") {
        let format = lua.raw_get_field(verbatim, "format");
        let text = lua.raw_get_field(verbatim, "string");
        if let (Value::Str(_), Value::Str(_)) = (format, text) {
            let format = lua.to_bytes(format).unwrap_or_default();
            let mut three = [b' '; 3];
            for (slot, b) in three.iter_mut().zip(format) {
                *slot = b;
            }
            return Some(Reply::Verbatim {
                format: three,
                text: lua.to_bytes(text).unwrap_or_default(),
            });
        }
    }
    None
}

/// A table's pairs in `next`'s order.
fn entries(lua: &mut Lua, t: TableRef) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    let mut key = Value::Nil;
    while let Ok(Some((k, v))) = lua.next(t, key) {
        out.push((k, v));
        key = k;
    }
    out
}

fn lossy(lua: &Lua, v: Value) -> String {
    String::from_utf8_lossy(&lua.to_bytes(v).unwrap_or_default()).into_owned()
}

/// Status and error lines cannot hold CR or LF: Redis turns them into spaces.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// C's `(long long)` cast of a double as x86-64 does it (`cvttsd2si`): toward zero, and the
/// "integer indefinite" `i64::MIN` for NaN and values out of range.
pub fn c_cast(n: f64) -> i64 {
    if n.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_keep_or_add_their_code() {
        assert_eq!(
            error_line("-OOM command not allowed.\r\n"),
            "OOM command not allowed."
        );
        assert_eq!(
            error_line("Write commands are not allowed"),
            "ERR Write commands are not allowed"
        );
        assert_eq!(error_line("-NOCODE"), "ERR NOCODE");
        assert_eq!(
            error_line("ERR DB index is out of range"),
            "ERR ERR DB index is out of range"
        );
    }

    #[test]
    fn numbers_are_cut_as_c_casts_them() {
        assert_eq!(c_cast(3.99), 3);
        assert_eq!(c_cast(-3.99), -3);
        assert_eq!(c_cast(f64::NAN), i64::MIN);
        assert_eq!(c_cast(f64::INFINITY), i64::MIN);
        assert_eq!(c_cast(1e19), i64::MIN);
    }

    #[test]
    fn replies_become_lua_by_protocol_and_back() {
        let mut lua = Lua::new();
        let map = Reply::Map(vec![(Reply::bulk("f"), Reply::Double(1.5))]);
        let resp2 = reply_to_lua(&mut lua, &map, 2).unwrap();
        let back = lua_to_reply(&mut lua, resp2, 2);
        assert_eq!(
            back,
            Reply::Array(vec![Reply::bulk("f"), Reply::bulk("1.5")])
        );
        let resp3 = reply_to_lua(&mut lua, &map, 3).unwrap();
        assert_eq!(
            lua_to_reply(&mut lua, resp3, 3),
            Reply::Map(vec![(Reply::bulk("f"), Reply::Double(1.5))])
        );
        let nulls = Reply::Array(vec![Reply::bulk("a"), Reply::Null, Reply::bulk("c")]);
        let v = reply_to_lua(&mut lua, &nulls, 2).unwrap();
        // false stops nothing; RESP2's null is false, which goes back as a null.
        assert_eq!(
            lua_to_reply(&mut lua, v, 2),
            Reply::Array(vec![Reply::bulk("a"), Reply::Null, Reply::bulk("c")])
        );
        let v = reply_to_lua(&mut lua, &nulls, 3).unwrap();
        // Under RESP3 the null is a hole: the array stops there.
        assert_eq!(
            lua_to_reply(&mut lua, v, 3),
            Reply::Array(vec![Reply::bulk("a")])
        );
        assert_eq!(lua_to_reply(&mut lua, Value::Bool(false), 2), Reply::Null);
        assert_eq!(
            lua_to_reply(&mut lua, Value::Num(2.7), 2),
            Reply::Integer(2)
        );
        let status = reply_to_lua(&mut lua, &Reply::ok(), 2).unwrap();
        assert_eq!(lua_to_reply(&mut lua, status, 2), Reply::ok());
        let error = reply_to_lua(&mut lua, &Reply::Error("WRONGTYPE Operation".into()), 2).unwrap();
        assert_eq!(
            lua_to_reply(&mut lua, error, 2),
            Reply::Error("WRONGTYPE Operation".into())
        );
    }

    #[test]
    fn a_table_that_holds_itself_ends_in_the_stack_limit_error() {
        let mut lua = Lua::new();
        let a = lua.create_table().unwrap();
        let b = lua.create_table().unwrap();
        lua.set_index(b, 1, Value::Table(a)).unwrap();
        lua.set_index(a, 1, Value::Table(b)).unwrap();
        let mut reply = lua_to_reply(&mut lua, Value::Table(a), 2);
        let mut depth = 0;
        while let Reply::Array(mut items) = reply {
            reply = items.pop().unwrap();
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(reply, Reply::Error(STACK_LIMIT.into()));
    }
}
