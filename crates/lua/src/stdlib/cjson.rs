//! `cjson`, Lua CJSON 2.1.0 as Redis bundles it: `encode`, `decode`, `null`, `new` and
//! the configuration functions, with its number formatting (`%.14g`), its escapes (`\/`,
//! `\u007f`), its sparse-array rule and its error texts.
//!
//! Both directions walk the data with an explicit stack instead of recursion, and count
//! the Lua stack slots the C library would use, so that very deep data fails with CJSON's
//! own "excessive nesting" / "too many nested data structures" errors where the C library
//! would run out of stack, and never overflows the Rust stack. Object keys come out in this
//! crate's table order (insertion order), not C Lua's hash order.

use crate::error::{Error, Result};
use crate::native::{BuiltinFn, Ctx, Flow, NativeFn};
use crate::number::{fmt_g, strtod};
use crate::value::{TableRef, Value};
use crate::vm::LUAI_MAXCSTACK;
use crate::Lua;

const SPARSE_CONVERT: usize = 1;
const SPARSE_RATIO: usize = 2;
const SPARSE_SAFE: usize = 3;
const ENCODE_MAX_DEPTH: usize = 4;
const DECODE_MAX_DEPTH: usize = 5;
const ENCODE_INVALID: usize = 6;
const DECODE_INVALID: usize = 7;
const KEEP_BUFFER: usize = 8;
const PRECISION: usize = 9;
/// Defaults, in the order of the indices above.
const DEFAULTS: [f64; 9] = [0.0, 2.0, 10.0, 1000.0, 1000.0, 0.0, 1.0, 1.0, 14.0];

const FUNCS: [(&str, BuiltinFn); 10] = [
    ("encode", encode),
    ("decode", decode),
    ("encode_sparse_array", cfg_sparse_array),
    ("encode_max_depth", cfg_encode_max_depth),
    ("decode_max_depth", cfg_decode_max_depth),
    ("encode_number_precision", cfg_number_precision),
    ("encode_keep_buffer", cfg_keep_buffer),
    ("encode_invalid_numbers", cfg_encode_invalid),
    ("decode_invalid_numbers", cfg_decode_invalid),
    ("new", new_module),
];

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    let t = create(lua)?;
    lua.set_global("cjson", Value::Table(t))
}

/// A module table whose functions share a new configuration (`lua_cjson_new`).
fn create(lua: &mut Lua) -> Result<TableRef> {
    let cfg = lua.create_table_with(DEFAULTS.len(), 0)?;
    for (i, d) in DEFAULTS.iter().enumerate() {
        lua.set_index(cfg, i + 1, Value::Num(*d))?;
    }
    let t = lua.create_table()?;
    for (name, f) in FUNCS {
        let fr = lua.native_closure(NativeFn::Builtin(f), &[Value::Table(cfg)])?;
        lua.set_field(t, name, Value::Func(fr))?;
    }
    lua.set_field(t, "null", Value::LightUserData(0))?;
    let n = lua.create_string("cjson")?;
    lua.set_field(t, "_NAME", n)?;
    let v = lua.create_string("2.1.0")?;
    lua.set_field(t, "_VERSION", v)?;
    Ok(t)
}

fn new_module(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = create(ctx.lua)?;
    ctx.push(Value::Table(t));
    Ok(Flow::Return(1))
}

fn config(ctx: &Ctx<'_>) -> TableRef {
    match ctx.upvalue(1) {
        Value::Table(t) => t,
        _ => ctx.lua.globals,
    }
}

fn get(ctx: &Ctx<'_>, i: usize) -> i64 {
    match ctx.lua.raw_get_index(config(ctx), i) {
        Value::Num(n) => n as i64,
        _ => DEFAULTS[i - 1] as i64,
    }
}

fn set(ctx: &mut Ctx<'_>, i: usize, v: i64) -> Result<()> {
    let t = config(ctx);
    ctx.lua.set_index(t, i, Value::Num(v as f64))
}

// ---------------------------------------------------------------- configuration

/// `json_arg_init`: at most `n` arguments.
fn arg_init(ctx: &mut Ctx<'_>, n: usize) -> Result<()> {
    if ctx.nargs() > n {
        return Err(ctx.arg_error(n + 1, "found too many arguments"));
    }
    Ok(())
}

/// `json_integer_option`.
fn integer_option(ctx: &mut Ctx<'_>, arg: usize, setting: usize, min: i64, max: i64) -> Result<()> {
    if !ctx.arg(arg).is_nil() {
        let v = ctx.check_integer(arg)?;
        let v32 = v as i32 as i64;
        if !(min <= v32 && v32 <= max) {
            let m = format!("expected integer between {} and {}", min, max);
            return Err(ctx.arg_error(1, &m));
        }
        set(ctx, setting, v32)?;
    }
    let v = get(ctx, setting);
    ctx.push(Value::Num(v as f64));
    Ok(())
}

/// `json_enum_option`: `options` is the names, `bool_true` the value `true` stands for.
fn enum_option(
    ctx: &mut Ctx<'_>,
    arg: usize,
    setting: usize,
    options: &[&str],
    bool_true: i64,
) -> Result<()> {
    let v = ctx.arg(arg);
    if !v.is_nil() {
        let n = if let Value::Bool(b) = v {
            i64::from(b) * bool_true
        } else {
            ctx.check_option(arg, None, options)? as i64
        };
        set(ctx, setting, n)?;
    }
    let cur = get(ctx, setting);
    if cur == 0 || cur == bool_true {
        ctx.push(Value::Bool(cur != 0));
    } else {
        let s = ctx.string(options[cur as usize])?;
        ctx.push(s);
    }
    Ok(())
}

const BOOL_OPTIONS: [&str; 2] = ["off", "on"];

fn cfg_sparse_array(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 3)?;
    enum_option(ctx, 1, SPARSE_CONVERT, &BOOL_OPTIONS, 1)?;
    integer_option(ctx, 2, SPARSE_RATIO, 0, i64::from(i32::MAX))?;
    integer_option(ctx, 3, SPARSE_SAFE, 0, i64::from(i32::MAX))?;
    Ok(Flow::Return(3))
}

fn cfg_encode_max_depth(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    integer_option(ctx, 1, ENCODE_MAX_DEPTH, 1, i64::from(i32::MAX))?;
    Ok(Flow::Return(1))
}

fn cfg_decode_max_depth(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    integer_option(ctx, 1, DECODE_MAX_DEPTH, 1, i64::from(i32::MAX))?;
    Ok(Flow::Return(1))
}

fn cfg_number_precision(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    integer_option(ctx, 1, PRECISION, 1, 14)?;
    Ok(Flow::Return(1))
}

fn cfg_keep_buffer(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    enum_option(ctx, 1, KEEP_BUFFER, &BOOL_OPTIONS, 1)?;
    Ok(Flow::Return(1))
}

fn cfg_encode_invalid(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    enum_option(ctx, 1, ENCODE_INVALID, &["off", "on", "null"], 1)?;
    Ok(Flow::Return(1))
}

fn cfg_decode_invalid(ctx: &mut Ctx<'_>) -> Result<Flow> {
    arg_init(ctx, 1)?;
    enum_option(ctx, 1, DECODE_INVALID, &BOOL_OPTIONS, 1)?;
    Ok(Flow::Return(1))
}

// ---------------------------------------------------------------- encoding

/// The encoder's settings for one call.
struct EncodeCfg {
    sparse_convert: bool,
    sparse_ratio: i64,
    sparse_safe: i64,
    max_depth: i64,
    invalid_numbers: i64,
    precision: usize,
}

fn serialise_error(ctx: &mut Ctx<'_>, v: Value, reason: &str) -> Error {
    ctx.error(format!("Cannot serialise {}: {}", v.type_name(), reason))
}

/// `json_append_string`.
fn append_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            8 => out.extend_from_slice(b"\\b"),
            9 => out.extend_from_slice(b"\\t"),
            10 => out.extend_from_slice(b"\\n"),
            12 => out.extend_from_slice(b"\\f"),
            13 => out.extend_from_slice(b"\\r"),
            c if c < 32 || c == 127 => out.extend_from_slice(format!("\\u{:04x}", c).as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

/// `json_append_number`.
fn append_number(
    ctx: &mut Ctx<'_>,
    cfg: &EncodeCfg,
    v: Value,
    n: f64,
    out: &mut Vec<u8>,
) -> Result<()> {
    match cfg.invalid_numbers {
        0 => {
            if !n.is_finite() {
                return Err(serialise_error(ctx, v, "must not be NaN or Inf"));
            }
        }
        1 => {
            if n.is_nan() {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
        }
        _ => {
            if !n.is_finite() {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    fmt_g(n, cfg.precision, false, false, out);
    Ok(())
}

/// `lua_array_length`: the array size of a table, or `None` when it must be an object.
fn array_length(ctx: &mut Ctx<'_>, cfg: &EncodeCfg, t: TableRef) -> Result<Option<i64>> {
    let mut max = 0i64;
    let mut items = 0i64;
    let mut k = Value::Nil;
    while let Some((key, _)) = ctx.lua.next(t, k)? {
        k = key;
        match key {
            Value::Num(n) if n != 0.0 && n.floor() == n && n >= 1.0 => {
                let n = n as i64 as i32 as i64;
                if n > max {
                    max = n;
                }
                items += 1;
            }
            _ => return Ok(None),
        }
    }
    if cfg.sparse_ratio > 0 && max > items * cfg.sparse_ratio && max > cfg.sparse_safe {
        if !cfg.sparse_convert {
            return Err(serialise_error(
                ctx,
                Value::Table(t),
                "excessively sparse array",
            ));
        }
        return Ok(None);
    }
    Ok(Some(max))
}

/// A table being written.
enum Open {
    Array {
        t: TableRef,
        len: i64,
        i: i64,
    },
    Object {
        t: TableRef,
        key: Value,
        first: bool,
    },
}

fn encode(ctx: &mut Ctx<'_>) -> Result<Flow> {
    if ctx.nargs() != 1 {
        return Err(ctx.arg_error(1, "expected 1 argument"));
    }
    let cfg = EncodeCfg {
        sparse_convert: get(ctx, SPARSE_CONVERT) != 0,
        sparse_ratio: get(ctx, SPARSE_RATIO),
        sparse_safe: get(ctx, SPARSE_SAFE),
        max_depth: get(ctx, ENCODE_MAX_DEPTH),
        invalid_numbers: get(ctx, ENCODE_INVALID),
        precision: get(ctx, PRECISION).clamp(1, 14) as usize,
    };
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // Lua stack slots the C encoder would hold: the argument, then per open table the
    // value being encoded (and the key, for objects).
    let mut slots = 1usize;
    let mut next = Some(ctx.arg(1));
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Str(s) => append_string(&mut out, ctx.lua.heap.str(s)),
                Value::Num(n) => append_number(ctx, &cfg, v, n, &mut out)?,
                Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
                Value::Nil | Value::LightUserData(0) => out.extend_from_slice(b"null"),
                Value::Table(t) => {
                    let depth = stack.len() as i64 + 1;
                    if depth > cfg.max_depth || slots + 3 > LUAI_MAXCSTACK {
                        return Err(
                            ctx.error(format!("Cannot serialise, excessive nesting ({})", depth))
                        );
                    }
                    match array_length(ctx, &cfg, t)? {
                        Some(len) if len > 0 => {
                            out.push(b'[');
                            stack.push(Open::Array { t, len, i: 0 });
                            slots += 1;
                        }
                        _ => {
                            out.push(b'{');
                            stack.push(Open::Object {
                                t,
                                key: Value::Nil,
                                first: true,
                            });
                            slots += 2;
                        }
                    }
                }
                other => return Err(serialise_error(ctx, other, "type not supported")),
            }
            if out.len().saturating_add(crate::gc::STRING_OVERHEAD) > ctx.lua.heap.room() {
                return Err(Error::Memory);
            }
        }
        let Some(top) = stack.last_mut() else { break };
        match top {
            Open::Array { t, len, i } => {
                if *i < *len {
                    if *i > 0 {
                        out.push(b',');
                    }
                    *i += 1;
                    next = Some(ctx.lua.raw_get_index(*t, *i as usize));
                } else {
                    out.push(b']');
                    stack.pop();
                    slots -= 1;
                }
            }
            Open::Object { t, key, first } => {
                let (t, k) = (*t, *key);
                match ctx.lua.next(t, k)? {
                    Some((key, val)) => {
                        if !*first {
                            out.push(b',');
                        }
                        *first = false;
                        if let Some(Open::Object { key: k, .. }) = stack.last_mut() {
                            *k = key;
                        }
                        match key {
                            Value::Num(n) => {
                                out.push(b'"');
                                append_number(ctx, &cfg, key, n, &mut out)?;
                                out.extend_from_slice(b"\":");
                            }
                            Value::Str(s) => {
                                append_string(&mut out, ctx.lua.heap.str(s));
                                out.push(b':');
                            }
                            other => {
                                return Err(serialise_error(
                                    ctx,
                                    other,
                                    "table key must be a number or string",
                                ))
                            }
                        }
                        next = Some(val);
                    }
                    None => {
                        out.push(b'}');
                        stack.pop();
                        slots -= 2;
                    }
                }
            }
        }
    }
    super::tablib::charge(ctx, out.len() / 8);
    let s = ctx.lua.heap.new_str_vec(out)?;
    ctx.push(Value::Str(s));
    Ok(Flow::Return(1))
}

// ---------------------------------------------------------------- decoding

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num,
    Bool,
    Null,
    Colon,
    Comma,
    End,
    Error,
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num => "T_NUMBER",
            Tok::Bool => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error => "T_ERROR",
        }
    }
}

struct Token {
    kind: Tok,
    /// 0-based position of the token (or of the error).
    index: usize,
    num: f64,
    boolean: bool,
    string: Vec<u8>,
    error: &'static str,
}

struct Parser<'a> {
    data: &'a [u8],
    ptr: usize,
    invalid_numbers: bool,
}

impl Parser<'_> {
    /// The byte at `i`, or the C terminator past the end.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn token(&self, kind: Tok) -> Token {
        Token {
            kind,
            index: self.ptr,
            num: 0.0,
            boolean: false,
            string: Vec::new(),
            error: "",
        }
    }

    fn error(&self, what: &'static str) -> Token {
        Token {
            kind: Tok::Error,
            index: self.ptr,
            num: 0.0,
            boolean: false,
            string: Vec::new(),
            error: what,
        }
    }

    /// `json_is_invalid_number`.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.ptr;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        let c = self.at(p);
        if c == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        } else if c <= b'9' {
            return false;
        }
        let word: Vec<u8> = (0..3)
            .map(|k| self.at(p + k).to_ascii_lowercase())
            .collect();
        word == b"inf" || word == b"nan"
    }

    fn number(&mut self) -> Token {
        let end = self.data[self.ptr..]
            .iter()
            .position(|&b| b == 0)
            .map_or(self.data.len(), |n| self.ptr + n);
        match strtod(&self.data[self.ptr..end]) {
            Some((n, used)) if used > 0 => {
                let mut t = self.token(Tok::Num);
                t.num = n;
                self.ptr += used;
                t
            }
            _ => self.error("invalid number"),
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for k in 0..4 {
            v = (v << 4) | (self.at(at + k) as char).to_digit(16)?;
        }
        Some(v)
    }

    /// `json_append_unicode_escape`: at `\u`, appends the UTF-8 bytes.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(mut cp) = self.hex4(self.ptr + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xf800 == 0xd800 {
            if cp & 0x400 != 0 {
                return false;
            }
            if self.at(self.ptr + 6) != b'\\' || self.at(self.ptr + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.ptr + 8) else {
                return false;
            };
            if low & 0xfc00 != 0xdc00 {
                return false;
            }
            cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
            len = 12;
        }
        match char::from_u32(cp) {
            Some(c) => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
            None => {
                // Lone low surrogates: CJSON writes them as three bytes anyway.
                out.push((cp >> 12) as u8 | 0xe0);
                out.push(((cp >> 6) & 0x3f) as u8 | 0x80);
                out.push((cp & 0x3f) as u8 | 0x80);
            }
        }
        self.ptr += len;
        true
    }

    fn string(&mut self) -> Token {
        let start = self.ptr;
        self.ptr += 1;
        let mut s = Vec::new();
        loop {
            let ch = self.at(self.ptr);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return self.error("unexpected end of string");
            }
            if ch == b'\\' {
                let e = match self.at(self.ptr + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 8,
                    b't' => 9,
                    b'n' => 10,
                    b'f' => 12,
                    b'r' => 13,
                    b'u' => {
                        if self.unicode_escape(&mut s) {
                            continue;
                        }
                        return self.error("invalid unicode escape code");
                    }
                    _ => return self.error("invalid escape code"),
                };
                self.ptr += 1;
                s.push(e);
            } else {
                s.push(ch);
            }
            self.ptr += 1;
        }
        self.ptr += 1;
        let mut t = self.token(Tok::Str);
        t.index = start;
        t.string = s;
        t
    }

    /// `json_next_token`.
    fn next(&mut self) -> Token {
        while matches!(self.at(self.ptr), b' ' | b'\t' | b'\n' | b'\r') {
            self.ptr += 1;
        }
        let ch = self.at(self.ptr);
        let single = match ch {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            0 => return self.token(Tok::End),
            _ => None,
        };
        if let Some(k) = single {
            let t = self.token(k);
            self.ptr += 1;
            return t;
        }
        if !matches!(
            ch,
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'"' | b'+' | b'-' | b'0'..=b'9'
        ) {
            return self.error("invalid token");
        }
        if ch == b'"' {
            return self.string();
        }
        if ch == b'-' || ch.is_ascii_digit() {
            if !self.invalid_numbers && self.is_invalid_number() {
                return self.error("invalid number");
            }
            return self.number();
        }
        let rest = &self.data[self.ptr..];
        if rest.starts_with(b"true") {
            let mut t = self.token(Tok::Bool);
            t.boolean = true;
            self.ptr += 4;
            return t;
        }
        if rest.starts_with(b"false") {
            let t = self.token(Tok::Bool);
            self.ptr += 5;
            return t;
        }
        if rest.starts_with(b"null") {
            let t = self.token(Tok::Null);
            self.ptr += 4;
            return t;
        }
        if self.invalid_numbers && self.is_invalid_number() {
            return self.number();
        }
        self.error("invalid token")
    }
}

/// A container being filled while decoding.
enum Filling {
    Array {
        t: TableRef,
        i: usize,
    },
    /// `key` is set while its value is parsed.
    Object {
        t: TableRef,
        key: Option<Value>,
    },
}

fn parse_error(ctx: &mut Ctx<'_>, expected: &str, t: &Token) -> Error {
    let found = if t.kind == Tok::Error {
        t.error
    } else {
        t.kind.name()
    };
    ctx.error(format!(
        "Expected {} but found {} at character {}",
        expected,
        found,
        t.index + 1
    ))
}

fn decode(ctx: &mut Ctx<'_>) -> Result<Flow> {
    if ctx.nargs() != 1 {
        return Err(ctx.arg_error(1, "expected 1 argument"));
    }
    let data = ctx.check_bytes(1)?;
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(ctx.error("JSON parser does not support UTF-16 or UTF-32"));
    }
    let max_depth = get(ctx, DECODE_MAX_DEPTH);
    let mut p = Parser {
        data: &data,
        ptr: 0,
        invalid_numbers: get(ctx, DECODE_INVALID) != 0,
    };
    let mut stack: Vec<Filling> = Vec::new();
    // Lua stack slots the C decoder holds: the argument, and per open container its table
    // (and an object's pending key).
    let mut slots = 1usize;
    let mut tok = p.next();
    let result = loop {
        // Here `tok` starts a value.
        let v = match tok.kind {
            Tok::Str => ctx.string(&tok.string)?,
            Tok::Num => Value::Num(tok.num),
            Tok::Bool => Value::Bool(tok.boolean),
            Tok::Null => Value::LightUserData(0),
            Tok::ObjBegin | Tok::ArrBegin => {
                let need = if tok.kind == Tok::ObjBegin { 3 } else { 2 };
                let depth = stack.len() as i64 + 1;
                if depth > max_depth || slots + need > LUAI_MAXCSTACK {
                    return Err(ctx.error(format!(
                        "Found too many nested data structures ({}) at character {}",
                        depth, p.ptr
                    )));
                }
                let t = ctx.lua.create_table()?;
                let is_obj = need == 3;
                let empty_end = if is_obj { Tok::ObjEnd } else { Tok::ArrEnd };
                tok = p.next();
                if tok.kind == empty_end {
                    Value::Table(t)
                } else if is_obj {
                    if tok.kind != Tok::Str {
                        return Err(parse_error(ctx, "object key string", &tok));
                    }
                    let key = ctx.string(&tok.string)?;
                    let colon = p.next();
                    if colon.kind != Tok::Colon {
                        return Err(parse_error(ctx, "colon", &colon));
                    }
                    stack.push(Filling::Object { t, key: Some(key) });
                    slots += 2;
                    tok = p.next();
                    continue;
                } else {
                    stack.push(Filling::Array { t, i: 1 });
                    slots += 1;
                    continue;
                }
            }
            _ => return Err(parse_error(ctx, "value", &tok)),
        };
        // Store `v` in the container it belongs to, closing containers as they end.
        let mut v = v;
        loop {
            match stack.last_mut() {
                None => break,
                Some(Filling::Array { t, i }) => {
                    let (t, idx) = (*t, *i);
                    ctx.lua.raw_set(t, Value::Num(idx as f64), v)?;
                    *i += 1;
                    let after = p.next();
                    if after.kind == Tok::ArrEnd {
                        stack.pop();
                        slots -= 1;
                        v = Value::Table(t);
                        continue;
                    }
                    if after.kind != Tok::Comma {
                        return Err(parse_error(ctx, "comma or array end", &after));
                    }
                    tok = p.next();
                    break;
                }
                Some(Filling::Object { t, key }) => {
                    let t = *t;
                    let k = key.take().unwrap_or_default();
                    ctx.lua.raw_set(t, k, v)?;
                    let after = p.next();
                    if after.kind == Tok::ObjEnd {
                        stack.pop();
                        slots -= 2;
                        v = Value::Table(t);
                        continue;
                    }
                    if after.kind != Tok::Comma {
                        return Err(parse_error(ctx, "comma or object end", &after));
                    }
                    let ktok = p.next();
                    if ktok.kind != Tok::Str {
                        return Err(parse_error(ctx, "object key string", &ktok));
                    }
                    let kv = ctx.string(&ktok.string)?;
                    let colon = p.next();
                    if colon.kind != Tok::Colon {
                        return Err(parse_error(ctx, "colon", &colon));
                    }
                    if let Some(Filling::Object { key, .. }) = stack.last_mut() {
                        *key = Some(kv);
                    }
                    tok = p.next();
                    break;
                }
            }
        }
        if stack.is_empty() {
            break v;
        }
    };
    let end = p.next();
    if end.kind != Tok::End {
        return Err(parse_error(ctx, "the end", &end));
    }
    super::tablib::charge(ctx, data.len() / 8);
    ctx.push(result);
    Ok(Flow::Return(1))
}
