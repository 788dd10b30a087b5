//! Debug information: positions, the names error messages give to variables, call levels,
//! `debug.getinfo` and tracebacks, computed as Lua 5.1's `ldebug.c` does.
//!
//! Variable names come from symbolic execution of the bytecode: to name register `r` at a
//! given pc, find the last instruction before it that wrote `r` (`symbexec`) and read the
//! name off it (a global's constant, a field's key, an upvalue's name, or a local's debug
//! entry). Since the compiler emits the same code as `luac`, the names match C Lua's.
//!
//! Levels count frames from the top as `lua_getstack` does: a tail call counts as a level
//! with no information, and below an execution's first frame sit the host's C levels
//! (`[C]: ?` in a traceback).

use crate::code::*;
use crate::error::Error;
use crate::gc::Function;
use crate::value::{FuncRef, Value};
use crate::vm::Kind;
use crate::Lua;

/// `LUA_IDSIZE`: the size of a chunk id in run-time messages and debug information
/// (the lexer uses its own `MAXSRC`, 80).
pub(crate) const LUA_IDSIZE: usize = 60;
/// Traceback shape (`LEVELS1`, `LEVELS2`): first levels, then `...`, then last levels.
const LEVELS1: usize = 12;
const LEVELS2: usize = 10;

/// `luaO_chunkid`: how a chunk name appears in messages, in a buffer of `bufflen` bytes.
pub fn chunk_id_sized(source: &[u8], bufflen: usize) -> Vec<u8> {
    let source = match source.iter().position(|&b| b == 0) {
        Some(n) => &source[..n],
        None => source,
    };
    let mut out = Vec::new();
    if let Some(rest) = source.strip_prefix(b"=") {
        out.extend_from_slice(&rest[..rest.len().min(bufflen - 1)]);
    } else if let Some(rest) = source.strip_prefix(b"@") {
        let room = bufflen - " '...' ".len() - 1;
        if rest.len() > room {
            out.extend_from_slice(b"...");
            out.extend_from_slice(&rest[rest.len() - room..]);
        } else {
            out.extend_from_slice(rest);
        }
    } else {
        let first_line = source
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(source.len());
        let room = bufflen - " [string \"...\"] ".len() - 1;
        let len = first_line.min(room);
        out.extend_from_slice(b"[string \"");
        if len < source.len() {
            out.extend_from_slice(&source[..len]);
            out.extend_from_slice(b"...");
        } else {
            out.extend_from_slice(source);
        }
        out.extend_from_slice(b"\"]");
    }
    out
}

/// `luaO_chunkid` with `LUA_IDSIZE`.
pub fn chunk_id(source: &[u8]) -> Vec<u8> {
    chunk_id_sized(source, LUA_IDSIZE)
}

/// `symbexec`: the last instruction before `lastpc` that changed register `reg`.
fn symbexec(p: &Proto, lastpc: usize, reg: u32) -> u32 {
    let mut last = p.code.len() - 1;
    let mut pc = 0;
    while pc < lastpc {
        let i = p.code[pc];
        let o = op(i);
        let a = arg_a(i);
        let (_, sets_a, _, _, _) = mode(o);
        if sets_a && a == reg {
            last = pc;
        }
        match o {
            LOADNIL if a <= reg && reg <= arg_b(i) => last = pc,
            SELF if reg == a + 1 => last = pc,
            TFORLOOP if reg >= a + 2 => last = pc,
            FORLOOP | FORPREP | JMP => {
                let dest = pc as i64 + 1 + i64::from(arg_sbx(i));
                if (pc as i64) < dest && dest <= lastpc as i64 {
                    pc = (dest - 1) as usize;
                }
            }
            CALL | TAILCALL if reg >= a => last = pc,
            SETLIST if arg_c(i) == 0 => pc += 1,
            CLOSURE => {
                pc += p.p[arg_bx(i) as usize].nups as usize;
            }
            _ => {}
        }
        pc += 1;
    }
    p.code[last]
}

/// A constant's name when it is a string (`kname`).
fn kname(lua: &Lua, p: &Proto, c: u32) -> Vec<u8> {
    if is_k(c) {
        if let Value::Str(s) = p.k[index_k(c)] {
            // Printed with %s: the name ends at a zero byte.
            let b = lua.heap.str(s);
            return b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())].to_vec();
        }
    }
    b"?".to_vec()
}

/// `getobjname`: what register `reg` holds at `pc`, as ("local" | "global" | "field" |
/// "upvalue" | "method", name).
pub(crate) fn obj_name(
    lua: &Lua,
    p: &Proto,
    pc: usize,
    reg: usize,
) -> Option<(&'static str, Vec<u8>)> {
    if let Some(name) = p.local_name(reg as u32 + 1, pc as u32) {
        return Some(("local", name.to_vec()));
    }
    let i = symbexec(p, pc, reg as u32);
    match op(i) {
        GETGLOBAL => match p.k[arg_bx(i) as usize] {
            Value::Str(s) => Some(("global", lua.heap.str(s).to_vec())),
            _ => None,
        },
        MOVE => {
            let (a, b) = (arg_a(i), arg_b(i));
            if b < a {
                obj_name(lua, p, pc, b as usize)
            } else {
                None
            }
        }
        GETTABLE => Some(("field", kname(lua, p, arg_c(i)))),
        GETUPVAL => {
            let name = p
                .upvalue_names
                .get(arg_b(i) as usize)
                .map_or(b"?".to_vec(), |n| n.to_vec());
            Some(("upvalue", name))
        }
        SELF => Some(("method", kname(lua, p, arg_c(i)))),
        _ => None,
    }
}

/// A call level as `lua_getstack` finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// A frame of the running thread.
    Frame(usize),
    /// A call lost to a tail call.
    Tail,
    /// One of the host's C levels below the first frame.
    Host,
}

/// What `debug.getinfo` reports about a level or a function.
pub(crate) struct Info {
    pub source: Vec<u8>,
    pub short_src: Vec<u8>,
    pub what: &'static str,
    pub currentline: i64,
    pub linedefined: i64,
    pub lastlinedefined: i64,
    pub name: Option<Vec<u8>>,
    pub namewhat: &'static str,
    pub nups: usize,
    pub func: Option<Value>,
}

impl Lua {
    /// The current pc of frame `fi` (the instruction being executed), if it is a Lua frame.
    fn frame_pc(&self, fi: usize) -> Option<(&std::rc::Rc<Proto>, usize)> {
        match &self.th.frames[fi].kind {
            Kind::Lua { cl, pc, .. } => match self.heap.func(*cl) {
                Function::Lua(c) => Some((&c.proto, pc.saturating_sub(1))),
                Function::Native(_) => None,
            },
            Kind::Native { .. } => None,
        }
    }

    /// The source and line frame `fi` is at, if it is a Lua frame.
    pub(crate) fn frame_position(&self, fi: usize) -> Option<(Vec<u8>, u32)> {
        self.frame_pc(fi)
            .map(|(p, pc)| (p.source.to_vec(), p.line(pc)))
    }

    /// The line frame `fi` is at, if it is a Lua frame.
    pub(crate) fn frame_line(&self, fi: usize) -> Option<u32> {
        self.frame_pc(fi).map(|(p, pc)| p.line(pc))
    }

    /// `lua_getstack`.
    pub(crate) fn level(&self, level: usize) -> Option<Level> {
        // Combined positions: the host's C levels first, then the frames; position 0 is
        // the level just above C Lua's base CallInfo, which is never a level itself.
        let host = (self.th.ci_offset as i64 - 1).max(0);
        let mut level = level as i64;
        let mut ci = self.th.frames.len() as i64 + host - 1;
        while level > 0 && ci >= 0 {
            level -= 1;
            if ci >= host {
                if let Kind::Lua { tailcalls, .. } = self.th.frames[(ci - host) as usize].kind {
                    level -= i64::from(tailcalls);
                }
            }
            ci -= 1;
        }
        if level == 0 && ci >= 0 {
            if ci >= host {
                Some(Level::Frame((ci - host) as usize))
            } else {
                Some(Level::Host)
            }
        } else if level < 0 {
            Some(Level::Tail)
        } else {
            None
        }
    }

    /// `getfuncname`: how the function of frame `fi` was called, as (namewhat, name).
    pub(crate) fn func_name(&self, fi: usize) -> (&'static str, Option<Vec<u8>>) {
        if let Kind::Lua { tailcalls, .. } = self.th.frames[fi].kind {
            if tailcalls > 0 {
                return ("", None);
            }
        }
        if fi == 0 {
            return ("", None);
        }
        let Some((p, pc)) = self.frame_pc(fi - 1) else {
            return ("", None);
        };
        let i = p.code[pc];
        match op(i) {
            CALL | TAILCALL | TFORLOOP => match obj_name(self, p, pc, arg_a(i) as usize) {
                Some((what, name)) => (what, Some(name)),
                None => ("", None),
            },
            _ => ("", None),
        }
    }

    /// The name of the running native, for `bad argument` messages.
    pub(crate) fn current_func_name(&self) -> (&'static str, Option<Vec<u8>>) {
        match self.th.frames.len() {
            0 => ("", None),
            n => self.func_name(n - 1),
        }
    }

    /// `luaL_where`: `chunk:line: ` of the function at `level`, or nothing.
    pub(crate) fn where_(&self, level: usize) -> Vec<u8> {
        if let Some(Level::Frame(fi)) = self.level(level) {
            if let Some((p, pc)) = self.frame_pc(fi) {
                let line = p.line(pc);
                if line > 0 {
                    let mut m = chunk_id(&p.source);
                    m.extend_from_slice(format!(":{}: ", line).as_bytes());
                    return m;
                }
            }
        }
        Vec::new()
    }

    /// An error whose value is the string `m` (or the memory error when even that cannot be
    /// made).
    pub(crate) fn error_from_bytes(&mut self, m: Vec<u8>) -> Error {
        match self.heap.new_str_vec(m) {
            Ok(s) => Error::Lua(Value::Str(s)),
            Err(e) => e,
        }
    }

    /// `luaG_runerror`: the message with the position of the running Lua frame.
    pub(crate) fn rt_error(&mut self, msg: &str) -> Error {
        let mut m = Vec::new();
        if let Some(fi) = self.th.frames.len().checked_sub(1) {
            if let Some((p, pc)) = self.frame_pc(fi) {
                m = chunk_id(&p.source);
                m.extend_from_slice(format!(":{}: ", p.line(pc)).as_bytes());
            }
        }
        m.extend_from_slice(msg.as_bytes());
        self.error_from_bytes(m)
    }

    /// `luaG_typeerror`: `attempt to <op> <kind> '<name>' (a <type> value)`, naming the
    /// register `reg` of the running Lua frame when it can.
    pub(crate) fn type_error(&mut self, v: Value, reg: Option<usize>, op: &str) -> Error {
        let t = v.type_name();
        let named = match (reg, self.th.frames.len().checked_sub(1)) {
            (Some(r), Some(fi)) => match self.frame_pc(fi) {
                Some((p, pc)) => obj_name(self, p, pc, r),
                None => None,
            },
            _ => None,
        };
        let msg = match named {
            Some((kind, name)) => {
                let mut m = format!("attempt to {} {} '", op, kind).into_bytes();
                m.extend_from_slice(&name);
                m.extend_from_slice(format!("' (a {} value)", t).as_bytes());
                m
            }
            None => format!("attempt to {} a {} value", op, t).into_bytes(),
        };
        let mut full = Vec::new();
        if let Some(fi) = self.th.frames.len().checked_sub(1) {
            if let Some((p, pc)) = self.frame_pc(fi) {
                full = chunk_id(&p.source);
                full.extend_from_slice(format!(":{}: ", p.line(pc)).as_bytes());
            }
        }
        full.extend_from_slice(&msg);
        self.error_from_bytes(full)
    }

    /// What `debug.getinfo` says about a function.
    pub(crate) fn func_info(&self, f: FuncRef) -> Info {
        match self.heap.func(f) {
            Function::Lua(c) => {
                let p = &c.proto;
                Info {
                    source: p.source.to_vec(),
                    short_src: chunk_id(&p.source),
                    what: if p.linedefined == 0 { "main" } else { "Lua" },
                    currentline: -1,
                    linedefined: i64::from(p.linedefined),
                    lastlinedefined: i64::from(p.lastlinedefined),
                    name: None,
                    namewhat: "",
                    nups: c.upvals.len(),
                    func: Some(Value::Func(f)),
                }
            }
            Function::Native(n) => Info {
                nups: n.upvals.len(),
                func: Some(Value::Func(f)),
                ..Info::c_function()
            },
        }
    }

    /// What `debug.getinfo` says about a level.
    pub(crate) fn level_info(&self, level: Level) -> Info {
        match level {
            Level::Frame(fi) => {
                let f = self.th.frames[fi].closure();
                let mut info = self.func_info(f);
                if let Some(line) = self.frame_line(fi) {
                    info.currentline = i64::from(line);
                }
                let (namewhat, name) = self.func_name(fi);
                info.namewhat = namewhat;
                info.name = name;
                info
            }
            Level::Tail => Info {
                source: b"=(tail call)".to_vec(),
                short_src: b"(tail call)".to_vec(),
                what: "tail",
                ..Info::c_function()
            },
            Level::Host => Info::c_function(),
        }
    }

    /// `debug.traceback`'s text from `level` (without the message).
    pub(crate) fn traceback(&self, mut level: usize) -> Vec<u8> {
        let mut out = b"stack traceback:".to_vec();
        let mut firstpart = true;
        while let Some(l) = self.level(level) {
            level += 1;
            if level > LEVELS1 && firstpart {
                if self.level(level + LEVELS2).is_none() {
                    level -= 1;
                } else {
                    out.extend_from_slice(b"\n\t...");
                    while self.level(level + LEVELS2).is_some() {
                        level += 1;
                    }
                }
                firstpart = false;
                continue;
            }
            let info = self.level_info(l);
            out.extend_from_slice(b"\n\t");
            out.extend_from_slice(&info.short_src);
            out.push(b':');
            if info.currentline > 0 {
                out.extend_from_slice(format!("{}:", info.currentline).as_bytes());
            }
            if !info.namewhat.is_empty() {
                out.extend_from_slice(b" in function '");
                out.extend_from_slice(info.name.as_deref().unwrap_or(b"?"));
                out.push(b'\'');
            } else if info.what == "main" {
                out.extend_from_slice(b" in main chunk");
            } else if info.what == "C" || info.what == "tail" {
                out.extend_from_slice(b" ?");
            } else {
                out.extend_from_slice(b" in function <");
                out.extend_from_slice(&info.short_src);
                out.extend_from_slice(format!(":{}>", info.linedefined).as_bytes());
            }
        }
        out
    }
}

impl Info {
    fn c_function() -> Info {
        Info {
            source: b"=[C]".to_vec(),
            short_src: b"[C]".to_vec(),
            what: "C",
            currentline: -1,
            linedefined: -1,
            lastlinedefined: -1,
            name: None,
            namewhat: "",
            nups: 0,
            func: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::chunk_id;

    #[test]
    fn chunk_ids() {
        assert_eq!(chunk_id(b"@user_script"), b"user_script");
        assert_eq!(chunk_id(b"=stdin"), b"stdin");
        assert_eq!(chunk_id(b"return 1"), b"[string \"return 1\"]");
        assert_eq!(chunk_id(b"x = 1\ny = 2"), b"[string \"x = 1...\"]");
        let long = [b'a'; 100];
        assert_eq!(chunk_id(&long).len(), "[string \"...\"]".len() + 43);
    }
}
