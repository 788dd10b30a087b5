//! The table library (`ltablib.c`): `insert`, `remove`, `concat`, `sort`, `maxn`,
//! `getn`, `setn`, `foreach`, `foreachi`.
//!
//! `table.sort` is Lua 5.1's quicksort (Sedgewick's, median of three, recursing into the
//! smaller half) turned into a state machine: every comparison that needs Lua (a comparator
//! function or an `__lt` metamethod) suspends it, and the VM resumes it with the answer.
//! The order of comparisons, the result for equal elements and the `invalid order function
//! for sorting` error are C Lua's.

use super::LibCont;
use crate::error::{Error, Result};
use crate::native::{Cont, Ctx, Flow};
use crate::value::{TableRef, Value};
use crate::vm::Tm;
use crate::Lua;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    super::new_lib(
        lua,
        "table",
        &[
            ("concat", concat),
            ("foreach", foreach),
            ("foreachi", foreachi),
            ("getn", getn),
            ("maxn", maxn),
            ("insert", insert),
            ("remove", remove),
            ("setn", setn),
            ("sort", sort),
        ],
    )?;
    Ok(())
}

/// Charges a native's work against the execution's budget (one step per 32 units).
pub(crate) fn charge(ctx: &mut Ctx<'_>, work: usize) {
    ctx.lua.budget = ctx.lua.budget.saturating_sub((work / 32) as u64);
}

fn aux_getn(ctx: &mut Ctx<'_>, n: usize) -> Result<(TableRef, i32)> {
    let t = ctx.check_table(n)?;
    Ok((t, ctx.lua.raw_len(t) as i32))
}

fn geti(lua: &Lua, t: TableRef, i: i64) -> Value {
    lua.raw_get(t, Value::Num(i as f64))
}

fn seti(lua: &mut Lua, t: TableRef, i: i64, v: Value) -> Result<()> {
    lua.raw_set(t, Value::Num(i as f64), v)
}

fn getn(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (_, n) = aux_getn(ctx, 1)?;
    ctx.push(Value::Num(f64::from(n)));
    Ok(Flow::Return(1))
}

fn setn(ctx: &mut Ctx<'_>) -> Result<Flow> {
    ctx.check_table(1)?;
    Err(ctx.error("'setn' is obsolete"))
}

fn maxn(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let m = ctx.lua.heap.table(t).maxn();
    ctx.push(Value::Num(m));
    Ok(Flow::Return(1))
}

fn insert(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (t, n) = aux_getn(ctx, 1)?;
    let mut e = i64::from(n) + 1;
    let pos = match ctx.nargs() {
        2 => e,
        3 => {
            let pos = i64::from(ctx.check_int(2)?);
            if pos > e {
                e = pos;
            }
            let mut i = e;
            while i > pos {
                let v = geti(ctx.lua, t, i - 1);
                seti(ctx.lua, t, i, v)?;
                i -= 1;
            }
            charge(ctx, (e - pos).max(0) as usize);
            pos
        }
        _ => return Err(ctx.error("wrong number of arguments to 'insert'")),
    };
    let v = ctx.arg(ctx.nargs());
    seti(ctx.lua, t, pos, v)?;
    Ok(Flow::Return(0))
}

fn remove(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (t, n) = aux_getn(ctx, 1)?;
    let e = i64::from(n);
    let mut pos = i64::from(ctx.opt_int(2, n)?);
    if !(1 <= pos && pos <= e) {
        return Ok(Flow::Return(0));
    }
    let r = geti(ctx.lua, t, pos);
    charge(ctx, (e - pos) as usize);
    while pos < e {
        let v = geti(ctx.lua, t, pos + 1);
        seti(ctx.lua, t, pos, v)?;
        pos += 1;
    }
    seti(ctx.lua, t, e, Value::Nil)?;
    ctx.push(r);
    Ok(Flow::Return(1))
}

fn concat(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let sep = match ctx.opt_str(2)? {
        Some(s) => ctx.lua.heap.str_rc(s),
        None => std::rc::Rc::from(&b""[..]),
    };
    let t = ctx.check_table(1)?;
    let mut i = i64::from(ctx.opt_int(3, 1)?);
    let last = if ctx.arg(4).is_nil() {
        ctx.lua.raw_len(t) as i64
    } else {
        i64::from(ctx.check_int(4)?)
    };
    let mut out = Vec::new();
    let add = |ctx: &mut Ctx<'_>, i: i64, out: &mut Vec<u8>| -> Result<()> {
        let v = geti(ctx.lua, t, i);
        if !matches!(v, Value::Str(_) | Value::Num(_)) {
            let m = format!(
                "invalid value ({}) at index {} in table for 'concat'",
                v.type_name(),
                i
            );
            return Err(ctx.error(m));
        }
        ctx.lua.append_str(v, out);
        if out.len().saturating_add(crate::gc::STRING_OVERHEAD) > ctx.lua.heap.room() {
            return Err(Error::Memory);
        }
        Ok(())
    };
    while i < last {
        add(ctx, i, &mut out)?;
        out.extend_from_slice(&sep);
        i += 1;
    }
    if i == last {
        add(ctx, i, &mut out)?;
    }
    charge(ctx, out.len() / 8);
    let s = ctx.lua.heap.new_str_vec(out)?;
    ctx.push(Value::Str(s));
    Ok(Flow::Return(1))
}

// ---------------------------------------------------------------- foreach, foreachi

/// `table.foreach` (`ipairs`-free walk with `next`) or `table.foreachi` (1..n).
pub(crate) struct Foreach {
    t: TableRef,
    /// The key last visited (`foreach`), or the index (`foreachi`).
    key: Value,
    /// `foreachi`'s bound; `None` for `foreach`.
    n: Option<i64>,
}

impl Foreach {
    pub(crate) fn trace(&self, mark: &mut dyn FnMut(Value)) {
        mark(self.key);
    }
}

fn foreachi(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (t, n) = aux_getn(ctx, 1)?;
    if !matches!(ctx.arg(2), Value::Func(_)) {
        return Err(ctx.type_error(2, "function"));
    }
    foreach_step(
        ctx,
        Foreach {
            t,
            key: Value::Num(0.0),
            n: Some(i64::from(n)),
        },
    )
}

fn foreach(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    if !matches!(ctx.arg(2), Value::Func(_)) {
        return Err(ctx.type_error(2, "function"));
    }
    foreach_step(
        ctx,
        Foreach {
            t,
            key: Value::Nil,
            n: None,
        },
    )
}

/// Calls the function on the next entry, or ends.
fn foreach_step(ctx: &mut Ctx<'_>, mut f: Foreach) -> Result<Flow> {
    let (k, v) = match f.n {
        Some(n) => {
            let Value::Num(i) = f.key else {
                return Ok(Flow::Return(0));
            };
            let i = i as i64 + 1;
            if i > n {
                return Ok(Flow::Return(0));
            }
            (Value::Num(i as f64), geti(ctx.lua, f.t, i))
        }
        None => match ctx.lua.next(f.t, f.key)? {
            Some(kv) => kv,
            None => return Ok(Flow::Return(0)),
        },
    };
    f.key = k;
    let func = ctx.arg(2);
    ctx.push(func);
    ctx.push(k);
    ctx.push(v);
    Ok(Flow::Call {
        cont: Cont::Lib(Box::new(LibCont::Foreach(f))),
        nargs: 2,
        nresults: 1,
    })
}

pub(crate) fn foreach_resume(ctx: &mut Ctx<'_>, f: Foreach, results: usize) -> Result<Flow> {
    let r = ctx.lua.th.stack[results];
    if !r.is_nil() {
        return Ok(Flow::Return(1));
    }
    ctx.lua.th.top = results;
    foreach_step(ctx, f)
}

// ---------------------------------------------------------------- sort

/// Where the quicksort is; each `R*` state waits for a comparison's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// The top of `auxsort`'s loop for the range `l..=u`.
    Loop,
    /// Got `a[u] < a[l]`.
    R1,
    /// Got `a[i] < a[l]`.
    R2,
    /// Got `a[u] < a[i]`.
    R3,
    /// About to advance `i` while `a[i] < P`.
    ScanI,
    /// Got `a[i] < P`.
    RI,
    /// About to move `j` back while `P < a[j]`.
    ScanJ,
    /// Got `P < a[j]`.
    RJ,
}

/// `table.sort` in progress.
pub(crate) struct Sort {
    t: TableRef,
    /// The comparator, or nil for `<`.
    comp: Value,
    /// Ranges waiting for the recursive call on the smaller half to finish.
    pending: Vec<(i64, i64)>,
    l: i64,
    u: i64,
    i: i64,
    j: i64,
    pivot: Value,
    /// The two values of the comparison in flight (a[i]/a[j] or the median candidates).
    a: Value,
    b: Value,
    /// The a[i] and a[j] the partition compared last (swapped as they were read).
    vi: Value,
    vj: Value,
    /// A comparison's answer kept across a budget pause.
    answer: Option<bool>,
    at: At,
}

impl Sort {
    pub(crate) fn trace(&self, mark: &mut dyn FnMut(Value)) {
        for v in [self.pivot, self.a, self.b, self.vi, self.vj] {
            mark(v);
        }
    }
}

/// What a comparison gave.
enum Cmp {
    Known(bool),
    /// A Lua call was set up; the answer comes back through the continuation.
    Call,
}

fn sort(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (t, n) = aux_getn(ctx, 1)?;
    let comp = ctx.arg(2);
    if !comp.is_nil() && !matches!(comp, Value::Func(_)) {
        return Err(ctx.type_error(2, "function"));
    }
    ctx.lua.th.top = ctx.base + 2.min(ctx.nargs());
    let s = Sort {
        t,
        comp,
        pending: Vec::new(),
        l: 1,
        u: i64::from(n),
        i: 0,
        j: 0,
        pivot: Value::Nil,
        a: Value::Nil,
        b: Value::Nil,
        vi: Value::Nil,
        vj: Value::Nil,
        answer: None,
        at: At::Loop,
    };
    run_sort(ctx, Box::new(s), None)
}

pub(crate) fn sort_resume(ctx: &mut Ctx<'_>, s: Box<Sort>, results: usize) -> Result<Flow> {
    let answer = if ctx.top() > results {
        let r = ctx.lua.th.stack[results].truthy();
        ctx.lua.th.top = results;
        Some(r)
    } else {
        None
    };
    run_sort(ctx, s, answer)
}

/// `sort_comp(a, b)`: is `a < b`? A call to Lua suspends the sort at state `then`.
fn compare(ctx: &mut Ctx<'_>, s: &mut Sort, a: Value, b: Value, then: At) -> Result<Cmp> {
    s.a = a;
    s.b = b;
    if let Value::Func(_) = s.comp {
        s.at = then;
        ctx.push(s.comp);
        ctx.push(a);
        ctx.push(b);
        return Ok(Cmp::Call);
    }
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => return Ok(Cmp::Known(x < y)),
        (Value::Str(x), Value::Str(y)) => {
            return Ok(Cmp::Known(ctx.lua.heap.str(x) < ctx.lua.heap.str(y)))
        }
        _ => {}
    }
    if a.type_of() == b.type_of() {
        let tm1 = ctx.lua.tm_of(a, Tm::Lt);
        if !tm1.is_nil() && tm1 == ctx.lua.tm_of(b, Tm::Lt) {
            s.at = then;
            ctx.push(tm1);
            ctx.push(a);
            ctx.push(b);
            return Ok(Cmp::Call);
        }
    }
    Err(ctx.lua.order_error(a, b))
}

fn order_error(ctx: &mut Ctx<'_>) -> Error {
    ctx.error("invalid order function for sorting")
}

/// Runs the quicksort until it needs Lua, runs out of budget, or is done. `answer` is the
/// result of the comparison the state waits for.
fn run_sort(ctx: &mut Ctx<'_>, mut s: Box<Sort>, answer: Option<bool>) -> Result<Flow> {
    let mut answer = answer.or(s.answer.take());
    macro_rules! cmp {
        ($a:expr, $b:expr, $then:expr) => {{
            let (a, b) = ($a, $b);
            match compare(ctx, &mut s, a, b, $then)? {
                Cmp::Known(r) => {
                    s.at = $then;
                    answer = Some(r);
                    continue;
                }
                Cmp::Call => {
                    return Ok(Flow::Call {
                        cont: Cont::Lib(Box::new(LibCont::Sort(s))),
                        nargs: 2,
                        nresults: 1,
                    });
                }
            }
        }};
    }
    let t = s.t;
    loop {
        if ctx.lua.budget == 0 {
            s.answer = answer;
            return Ok(Flow::Again(Cont::Lib(Box::new(LibCont::Sort(s)))));
        }
        ctx.lua.budget -= 1;
        let lua = &mut *ctx.lua;
        match s.at {
            At::Loop => {
                if s.l >= s.u {
                    match s.pending.pop() {
                        Some((l, u)) => {
                            s.l = l;
                            s.u = u;
                            continue;
                        }
                        None => return Ok(Flow::Return(0)),
                    }
                }
                let (al, au) = (geti(lua, t, s.l), geti(lua, t, s.u));
                cmp!(au, al, At::R1);
            }
            At::R1 => {
                let r = take(&mut answer);
                if r {
                    let (au, al) = (s.a, s.b);
                    seti(ctx.lua, t, s.l, au)?;
                    seti(ctx.lua, t, s.u, al)?;
                }
                if s.u - s.l == 1 {
                    s.at = At::Loop;
                    s.l = s.u;
                    continue;
                }
                s.i = (s.l + s.u) / 2;
                let (ai, al) = (geti(ctx.lua, t, s.i), geti(ctx.lua, t, s.l));
                cmp!(ai, al, At::R2);
            }
            At::R2 => {
                let r = take(&mut answer);
                if r {
                    let (ai, al) = (s.a, s.b);
                    seti(ctx.lua, t, s.i, al)?;
                    seti(ctx.lua, t, s.l, ai)?;
                } else {
                    let ai = s.a;
                    let au = geti(ctx.lua, t, s.u);
                    cmp!(au, ai, At::R3);
                }
                if let Some(f) = after_median(ctx, &mut s)? {
                    return Ok(f);
                }
            }
            At::R3 => {
                let r = take(&mut answer);
                if r {
                    let (au, ai) = (s.a, s.b);
                    seti(ctx.lua, t, s.i, au)?;
                    seti(ctx.lua, t, s.u, ai)?;
                }
                if let Some(f) = after_median(ctx, &mut s)? {
                    return Ok(f);
                }
            }
            At::ScanI => {
                s.i += 1;
                let ai = geti(lua, t, s.i);
                s.vi = ai;
                let p = s.pivot;
                cmp!(ai, p, At::RI);
            }
            At::RI => {
                if take(&mut answer) {
                    if s.i > s.u {
                        return Err(order_error(ctx));
                    }
                    s.at = At::ScanI;
                } else {
                    s.at = At::ScanJ;
                }
            }
            At::ScanJ => {
                s.j -= 1;
                let aj = geti(lua, t, s.j);
                s.vj = aj;
                let p = s.pivot;
                cmp!(p, aj, At::RJ);
            }
            At::RJ => {
                if take(&mut answer) {
                    if s.j < s.l {
                        return Err(order_error(ctx));
                    }
                    s.at = At::ScanJ;
                } else if s.j < s.i {
                    // Swap the pivot (a[u-1]) with a[i], then recurse into the smaller half.
                    let (x, y) = (geti(ctx.lua, t, s.u - 1), geti(ctx.lua, t, s.i));
                    seti(ctx.lua, t, s.u - 1, y)?;
                    seti(ctx.lua, t, s.i, x)?;
                    let (l, u, i) = (s.l, s.u, s.i);
                    let (j2, i2, l2, u2) = if i - l < u - i {
                        (l, i - 1, i + 1, u)
                    } else {
                        (i + 1, u, l, i - 1)
                    };
                    s.pending.push((l2, u2));
                    s.l = j2;
                    s.u = i2;
                    s.pivot = Value::Nil;
                    s.at = At::Loop;
                } else {
                    let (ai, aj) = (s.vi, s.vj);
                    seti(ctx.lua, t, s.i, aj)?;
                    seti(ctx.lua, t, s.j, ai)?;
                    s.at = At::ScanI;
                }
            }
        }
    }
}

/// The answer the state waits for (a state is only entered with one).
fn take(answer: &mut Option<bool>) -> bool {
    answer.take().unwrap_or(false)
}

/// After the median of three: small ranges are done; else the pivot goes to `u-1` and
/// the partition starts.
fn after_median(ctx: &mut Ctx<'_>, s: &mut Sort) -> Result<Option<Flow>> {
    if s.u - s.l == 2 {
        s.at = At::Loop;
        s.l = s.u;
        return Ok(None);
    }
    let t = s.t;
    let p = geti(ctx.lua, t, s.i);
    let au1 = geti(ctx.lua, t, s.u - 1);
    seti(ctx.lua, t, s.i, au1)?;
    seti(ctx.lua, t, s.u - 1, p)?;
    s.pivot = p;
    s.i = s.l;
    s.j = s.u - 1;
    s.at = At::ScanI;
    Ok(None)
}
