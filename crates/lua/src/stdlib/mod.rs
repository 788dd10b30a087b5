//! The libraries: Lua 5.1's (`base` with `coroutine`, `table`, `string`, `math`, `debug`)
//! and those Redis bundles (`cjson`, `cmsgpack`, `bit`, `struct`), and the dispatch of the
//! continuations their resumable functions leave in frames.

pub(crate) mod base;
pub(crate) mod bit;
pub(crate) mod cjson;
pub(crate) mod cmsgpack;
pub(crate) mod coroutine;
pub(crate) mod debuglib;
pub(crate) mod math;
pub(crate) mod pattern;
pub(crate) mod string;
pub(crate) mod structlib;
pub(crate) mod tablib;

use crate::error::Result;
use crate::native::{BuiltinFn, Cont, Ctx, Flow, NativeFn};
use crate::value::{TableRef, Value};
use crate::Lua;

/// The state of a library function waiting for a call it made (or for the budget).
pub(crate) enum LibCont {
    /// `tostring` called `__tostring`.
    ToString,
    /// `print` called `tostring` on argument `i`.
    Print { i: usize },
    /// `table.sort`'s quicksort, between comparisons.
    Sort(Box<tablib::Sort>),
    /// `table.foreach` / `table.foreachi`, between calls.
    Foreach(tablib::Foreach),
    /// A pattern search (`find`, `match`, `gmatch`, `gsub`) between steps or calls.
    Pattern(Box<string::PatternOp>),
}

impl LibCont {
    pub(crate) fn trace(&self, mark: &mut dyn FnMut(Value)) {
        match self {
            LibCont::Sort(s) => s.trace(mark),
            LibCont::Foreach(f) => f.trace(mark),
            LibCont::Pattern(p) => p.trace(mark),
            LibCont::ToString | LibCont::Print { .. } => {}
        }
    }
}

/// Resumes a continuation with the results at `results..top`.
pub(crate) fn resume_cont(ctx: &mut Ctx<'_>, cont: Cont, results: usize) -> Result<Flow> {
    match cont {
        Cont::Pcall { .. } | Cont::Xpcall { .. } => base::protected_done(ctx, results),
        Cont::Load { read, .. } => base::load_piece(ctx, read.0, read.1, results),
        Cont::Resume { wrap, failed, .. } => coroutine::resume_done(ctx, wrap, failed, results),
        Cont::Lib(c) => match *c {
            LibCont::ToString => Ok(Flow::Return(1)),
            LibCont::Print { i } => base::print_step(ctx, i, Some(results)),
            LibCont::Sort(s) => tablib::sort_resume(ctx, s, results),
            LibCont::Foreach(f) => tablib::foreach_resume(ctx, f, results),
            LibCont::Pattern(p) => string::pattern_resume(ctx, p, results),
        },
    }
}

/// Sets `funcs` as fields of `t`.
pub(crate) fn set_funcs(lua: &mut Lua, t: TableRef, funcs: &[(&str, BuiltinFn)]) -> Result<()> {
    for &(name, f) in funcs {
        let fr = lua.native_closure(NativeFn::Builtin(f), &[])?;
        lua.set_field(t, name, Value::Func(fr))?;
    }
    Ok(())
}

/// A library table `name` in the globals with `funcs`.
pub(crate) fn new_lib(lua: &mut Lua, name: &str, funcs: &[(&str, BuiltinFn)]) -> Result<TableRef> {
    let t = lua.create_table()?;
    set_funcs(lua, t, funcs)?;
    lua.set_global(name, Value::Table(t))?;
    Ok(t)
}

pub(crate) fn open_standard(lua: &mut Lua) -> Result<()> {
    base::open(lua, false)?;
    tablib::open(lua)?;
    string::open(lua)?;
    math::open(lua)?;
    debuglib::open(lua)?;
    Ok(())
}

pub(crate) fn open_redis(lua: &mut Lua) -> Result<()> {
    base::open(lua, true)?;
    tablib::open(lua)?;
    string::open(lua)?;
    math::open(lua)?;
    debuglib::open(lua)?;
    cjson::open(lua)?;
    structlib::open(lua)?;
    cmsgpack::open(lua)?;
    bit::open(lua)?;
    Ok(())
}
