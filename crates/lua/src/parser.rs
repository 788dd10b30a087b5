//! The compiler: a one-pass recursive-descent parser that emits register bytecode as it
//! goes, as Lua 5.1's `lparser.c` and `lcode.c` do.
//!
//! # Design
//!
//! There is no syntax tree. Each expression is described by an [`ExpDesc`] that says where
//! its value is or how to get it (a constant, a local's register, a global's name, a
//! table and key, a call whose results are still open, a pending comparison jump...), and
//! the code generator "discharges" it into a register only when it must. Conditional
//! expressions carry two lists of pending jumps (true and false exits) threaded through
//! the jump instructions' own offsets; `and`/`or` and comparisons patch them as late as
//! possible, and `TESTSET` turns into `TEST` when no value is needed. Registers are
//! allocated as a stack (`freereg`): locals occupy the bottom, temporaries come and go
//! above them.
//!
//! Following `lcode.c` step for step is deliberate: the same registers and the same
//! instructions as `luac` make run-time error messages name the same variables
//! (`attempt to index field 'x'`), make `#` see tables sized as C Lua sizes them
//! (constructors' size hints), and make `luac -l` a test oracle.
//!
//! # Limits and messages (as Lua 5.1)
//!
//! 200 local variables per function, 60 upvalues, 250 registers ("function or expression
//! too complex"), 200 nested syntax levels ("chunk has too many syntax levels"), jumps of
//! at most 131071 instructions ("control structure too long"). Syntax errors read
//! `chunk:line: message near 'token'`, with `'x' expected (to close 'y' at line n)` when
//! the opening token was on another line.
//!
//! The descent recurses once per nesting level, and the level limit bounds it: 200 levels
//! of about 1.3 KiB of Rust stack each in an optimized build (256 KiB at most, a quarter of
//! wasm32's default stack). Everything after parsing (the VM, the collector, the pattern
//! matcher, cjson and cmsgpack) uses explicit stacks.

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::*;
use crate::lexer::*;
use crate::number::{fix_nan2, lua_mod, lua_pow};
use crate::table::int2fb;
use crate::value::{StrRef, Value};
use crate::vm::LUAI_MAXCCALLS;
use crate::Lua;

const NO_JUMP: i32 = -1;
const LUAI_MAXVARS: usize = 200;
const LUAI_MAXUPVALUES: usize = 60;
const MULTRET: i32 = -1;

/// Why compiling failed.
pub(crate) enum CompileError {
    /// A syntax error: the full message, `chunk:line: ...`.
    Syntax(Vec<u8>),
    /// The memory limit was reached while interning constants.
    Memory,
}

type PResult<T> = Result<T, CompileError>;

impl From<Vec<u8>> for CompileError {
    fn from(m: Vec<u8>) -> CompileError {
        CompileError::Syntax(m)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ExpKind {
    Void,
    Nil,
    True,
    False,
    K,
    KNum,
    Local,
    Upval,
    Global,
    Indexed,
    Jmp,
    Relocable,
    NonReloc,
    Call,
    Vararg,
}

#[derive(Clone, Copy, Debug)]
struct ExpDesc {
    k: ExpKind,
    info: i32,
    aux: i32,
    nval: f64,
    t: i32,
    f: i32,
}

impl ExpDesc {
    fn new(k: ExpKind, info: i32) -> ExpDesc {
        ExpDesc {
            k,
            info,
            aux: 0,
            nval: 0.0,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }

    fn void() -> ExpDesc {
        ExpDesc::new(ExpKind::Void, 0)
    }

    fn has_jumps(&self) -> bool {
        self.t != self.f
    }

    fn is_numeral(&self) -> bool {
        self.k == ExpKind::KNum && self.t == NO_JUMP && self.f == NO_JUMP
    }

    fn has_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call | ExpKind::Vararg)
    }
}

struct BlockCnt {
    breaklist: i32,
    nactvar: usize,
    upval: bool,
    isbreakable: bool,
}

/// A constant's identity in a function's constant table.
#[derive(PartialEq, Eq, Hash)]
enum KKey {
    Num(u64),
    Str(StrRef),
    Bool(bool),
    Nil,
}

struct FuncState {
    code: Vec<u32>,
    lineinfo: Vec<u32>,
    k: Vec<Value>,
    kcache: HashMap<KKey, usize>,
    p: Vec<Rc<Proto>>,
    locvars: Vec<LocVar>,
    upvalue_names: Vec<Rc<[u8]>>,
    /// How each upvalue is captured: (from a local of the enclosing function, index).
    upvalues: Vec<(bool, u32)>,
    linedefined: u32,
    lastlinedefined: u32,
    numparams: u8,
    is_vararg: u8,
    maxstacksize: u32,
    blocks: Vec<BlockCnt>,
    lasttarget: i32,
    jpc: i32,
    freereg: u32,
    nactvar: usize,
    actvar: Vec<usize>,
}

impl FuncState {
    fn new(linedefined: u32) -> FuncState {
        FuncState {
            code: Vec::new(),
            lineinfo: Vec::new(),
            k: Vec::new(),
            kcache: HashMap::new(),
            p: Vec::new(),
            locvars: Vec::new(),
            upvalue_names: Vec::new(),
            upvalues: Vec::new(),
            linedefined,
            lastlinedefined: 0,
            numparams: 0,
            is_vararg: 0,
            maxstacksize: 2,
            blocks: Vec::new(),
            lasttarget: -1,
            jpc: NO_JUMP,
            freereg: 0,
            nactvar: 0,
            actvar: Vec::new(),
        }
    }

    fn pc(&self) -> i32 {
        self.code.len() as i32
    }
}

/// Operator priorities (left, right), in `BinOpr` order.
const PRIORITY: [(u8, u8); 15] = [
    (6, 6),
    (6, 6),
    (7, 7),
    (7, 7),
    (7, 7),
    (10, 9),
    (5, 4),
    (3, 3),
    (3, 3),
    (3, 3),
    (3, 3),
    (3, 3),
    (3, 3),
    (2, 2),
    (1, 1),
];
const UNARY_PRIORITY: u8 = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum BinOpr {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Ne,
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

fn binopr(tok: i32) -> Option<BinOpr> {
    Some(match tok {
        t if t == i32::from(b'+') => BinOpr::Add,
        t if t == i32::from(b'-') => BinOpr::Sub,
        t if t == i32::from(b'*') => BinOpr::Mul,
        t if t == i32::from(b'/') => BinOpr::Div,
        t if t == i32::from(b'%') => BinOpr::Mod,
        t if t == i32::from(b'^') => BinOpr::Pow,
        TK_CONCAT => BinOpr::Concat,
        TK_NE => BinOpr::Ne,
        TK_EQ => BinOpr::Eq,
        t if t == i32::from(b'<') => BinOpr::Lt,
        TK_LE => BinOpr::Le,
        t if t == i32::from(b'>') => BinOpr::Gt,
        TK_GE => BinOpr::Ge,
        TK_AND => BinOpr::And,
        TK_OR => BinOpr::Or,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UnOpr {
    Minus,
    Not,
    Len,
}

struct Parser<'a, 'l> {
    lx: Lexer<'a>,
    fs: Vec<FuncState>,
    lua: &'l mut Lua,
    /// C levels in use (`nCcalls`): the caller's, plus the parser's nesting.
    nccalls: u32,
    /// An error found while patching jumps inside an emission that cannot fail by itself;
    /// reported at the next statement boundary (the code is discarded anyway).
    deferred: Option<Vec<u8>>,
}

/// Compiles `src` with chunk name `chunkname`; `nccalls` is the C-call depth of the
/// caller, which counts against the nesting limit as in C Lua.
pub(crate) fn compile(
    lua: &mut Lua,
    src: &[u8],
    chunkname: &[u8],
    nccalls: u32,
) -> Result<Rc<Proto>, CompileError> {
    let mut p = Parser {
        lx: Lexer::new(src, chunkname),
        fs: Vec::new(),
        lua,
        nccalls,
        deferred: None,
    };
    let mut main = FuncState::new(0);
    main.is_vararg = VARARG_ISVARARG;
    p.fs.push(main);
    p.lx.next()?;
    p.chunk()?;
    p.check(TK_EOS)?;
    let f = p.close_func()?;
    match p.deferred.take() {
        Some(e) => Err(CompileError::Syntax(e)),
        None => Ok(f),
    }
}

impl Parser<'_, '_> {
    #[inline]
    fn fs(&mut self) -> &mut FuncState {
        match self.fs.last_mut() {
            Some(fs) => fs,
            None => unreachable!("the parser always has a function open"),
        }
    }

    #[inline]
    fn fsr(&self) -> &FuncState {
        match self.fs.last() {
            Some(fs) => fs,
            None => unreachable!("the parser always has a function open"),
        }
    }

    fn tok(&self) -> i32 {
        self.lx.t.tok
    }

    // ------------------------------------------------------------ errors

    fn syntax_error<T>(&self, msg: &str) -> PResult<T> {
        Err(CompileError::Syntax(self.lx.error_msg(msg, self.lx.t.tok)))
    }

    fn error_expected<T>(&self, tok: i32) -> PResult<T> {
        self.syntax_error(&format!("'{}' expected", token2str(tok)))
    }

    fn error_limit<T>(&self, limit: usize, what: &str) -> PResult<T> {
        let fs = self.fsr();
        let msg = if fs.linedefined == 0 {
            format!("main function has more than {} {}", limit, what)
        } else {
            format!(
                "function at line {} has more than {} {}",
                fs.linedefined, limit, what
            )
        };
        Err(CompileError::Syntax(self.lx.error_msg(&msg, 0)))
    }

    fn check_limit(&self, v: usize, limit: usize, what: &str) -> PResult<()> {
        if v > limit {
            return self.error_limit(limit, what);
        }
        Ok(())
    }

    fn test_next(&mut self, c: i32) -> PResult<bool> {
        if self.tok() == c {
            self.lx.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check(&self, c: i32) -> PResult<()> {
        if self.tok() != c {
            return self.error_expected(c);
        }
        Ok(())
    }

    fn check_next(&mut self, c: i32) -> PResult<()> {
        self.check(c)?;
        self.lx.next()?;
        Ok(())
    }

    fn check_match(&mut self, what: i32, who: i32, line: u32) -> PResult<()> {
        if !self.test_next(what)? {
            if line == self.lx.linenumber {
                return self.error_expected(what);
            }
            let msg = format!(
                "'{}' expected (to close '{}' at line {})",
                token2str(what),
                token2str(who),
                line
            );
            return self.syntax_error(&msg);
        }
        Ok(())
    }

    fn str_checkname(&mut self) -> PResult<Vec<u8>> {
        self.check(TK_NAME)?;
        let name = std::mem::take(&mut self.lx.t.s);
        self.lx.next()?;
        Ok(name)
    }

    fn enter_level(&mut self) -> PResult<()> {
        self.nccalls += 1;
        if self.nccalls > LUAI_MAXCCALLS {
            return Err(CompileError::Syntax(
                self.lx.error_msg("chunk has too many syntax levels", 0),
            ));
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.nccalls -= 1;
    }

    fn intern(&mut self, s: &[u8]) -> PResult<StrRef> {
        self.lua.heap.new_str(s).map_err(|_| CompileError::Memory)
    }

    // ------------------------------------------------------------ code emission (lcode.c)

    fn code(&mut self, i: u32, line: u32) -> i32 {
        self.discharge_jpc();
        let fs = self.fs();
        fs.code.push(i);
        fs.lineinfo.push(line);
        fs.pc() - 1
    }

    fn code_abc(&mut self, o: u8, a: u32, b: u32, c: u32) -> i32 {
        let line = self.lx.lastline;
        self.code(abc(o, a, b, c), line)
    }

    fn code_abx(&mut self, o: u8, a: u32, bx: u32) -> i32 {
        let line = self.lx.lastline;
        self.code(abx(o, a, bx), line)
    }

    fn code_asbx(&mut self, o: u8, a: u32, sbx: i32) -> i32 {
        let line = self.lx.lastline;
        self.code(asbx(o, a, sbx), line)
    }

    fn fix_line(&mut self, line: u32) {
        let fs = self.fs();
        if let Some(l) = fs.lineinfo.last_mut() {
            *l = line;
        }
    }

    fn code_nil(&mut self, from: u32, n: u32) {
        let fs = self.fs();
        if fs.pc() > fs.lasttarget {
            if fs.pc() == 0 {
                if from as usize >= fs.nactvar {
                    return;
                }
            } else {
                let prev = fs.code[fs.code.len() - 1];
                if op(prev) == LOADNIL {
                    let pfrom = arg_a(prev);
                    let pto = arg_b(prev);
                    if pfrom <= from && from <= pto + 1 {
                        if from + n - 1 > pto {
                            let last = fs.code.len() - 1;
                            set_b(&mut fs.code[last], from + n - 1);
                        }
                        return;
                    }
                }
            }
        }
        self.code_abc(LOADNIL, from, from + n - 1, 0);
    }

    fn jump(&mut self) -> PResult<i32> {
        let jpc = self.fs().jpc;
        self.fs().jpc = NO_JUMP;
        let mut j = self.code_asbx(JMP, 0, NO_JUMP);
        self.concat(&mut j, jpc)?;
        Ok(j)
    }

    fn ret(&mut self, first: u32, nret: i32) {
        self.code_abc(RETURN, first, (nret + 1) as u32, 0);
    }

    fn cond_jump(&mut self, o: u8, a: u32, b: u32, c: u32) -> PResult<i32> {
        self.code_abc(o, a, b, c);
        self.jump()
    }

    fn fix_jump(&mut self, pc: i32, dest: i32) -> PResult<()> {
        let offset = dest - (pc + 1);
        if offset.abs() > MAXARG_SBX {
            return self.syntax_error("control structure too long");
        }
        set_sbx(&mut self.fs().code[pc as usize], offset);
        Ok(())
    }

    fn get_label(&mut self) -> i32 {
        let fs = self.fs();
        fs.lasttarget = fs.pc();
        fs.pc()
    }

    fn get_jump(&self, pc: i32) -> i32 {
        let offset = arg_sbx(self.fsr().code[pc as usize]);
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    fn jump_control(&self, pc: i32) -> usize {
        let code = &self.fsr().code;
        let pc = pc as usize;
        if pc >= 1 && mode(op(code[pc - 1])).0 {
            pc - 1
        } else {
            pc
        }
    }

    fn need_value(&self, mut list: i32) -> bool {
        while list != NO_JUMP {
            let i = self.fsr().code[self.jump_control(list)];
            if op(i) != TESTSET {
                return true;
            }
            list = self.get_jump(list);
        }
        false
    }

    fn patch_test_reg(&mut self, node: i32, reg: u32) -> bool {
        let at = self.jump_control(node);
        let fs = self.fs();
        let i = fs.code[at];
        if op(i) != TESTSET {
            return false;
        }
        if reg != NO_REG && reg != arg_b(i) {
            set_a(&mut fs.code[at], reg);
        } else {
            fs.code[at] = abc(TEST, arg_b(i), 0, arg_c(i));
        }
        true
    }

    fn remove_values(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patch_test_reg(list, NO_REG);
            list = self.get_jump(list);
        }
    }

    fn patch_list_aux(
        &mut self,
        mut list: i32,
        vtarget: i32,
        reg: u32,
        dtarget: i32,
    ) -> PResult<()> {
        while list != NO_JUMP {
            let next = self.get_jump(list);
            if self.patch_test_reg(list, reg) {
                self.fix_jump(list, vtarget)?;
            } else {
                self.fix_jump(list, dtarget)?;
            }
            list = next;
        }
        Ok(())
    }

    fn discharge_jpc(&mut self) {
        let fs = self.fs();
        let (jpc, pc) = (fs.jpc, fs.pc());
        fs.jpc = NO_JUMP;
        if let Err(CompileError::Syntax(e)) = self.patch_list_aux(jpc, pc, NO_REG, pc) {
            self.deferred.get_or_insert(e);
        }
    }

    fn patch_list(&mut self, list: i32, target: i32) -> PResult<()> {
        if target == self.fsr().pc() {
            self.patch_to_here(list)
        } else {
            self.patch_list_aux(list, target, NO_REG, target)
        }
    }

    fn patch_to_here(&mut self, list: i32) -> PResult<()> {
        self.get_label();
        let mut jpc = self.fsr().jpc;
        self.concat(&mut jpc, list)?;
        self.fs().jpc = jpc;
        Ok(())
    }

    fn concat(&mut self, l1: &mut i32, l2: i32) -> PResult<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let mut list = *l1;
        loop {
            let next = self.get_jump(list);
            if next == NO_JUMP {
                break;
            }
            list = next;
        }
        self.fix_jump(list, l2)
    }

    fn check_stack(&mut self, n: u32) -> PResult<()> {
        let newstack = self.fsr().freereg + n;
        if newstack > self.fsr().maxstacksize {
            if newstack >= MAXSTACK {
                return self.syntax_error("function or expression too complex");
            }
            self.fs().maxstacksize = newstack;
        }
        Ok(())
    }

    fn reserve_regs(&mut self, n: u32) -> PResult<()> {
        self.check_stack(n)?;
        self.fs().freereg += n;
        Ok(())
    }

    fn free_reg(&mut self, reg: u32) {
        let fs = self.fs();
        if !is_k(reg) && reg as usize >= fs.nactvar {
            fs.freereg -= 1;
        }
    }

    fn free_exp(&mut self, e: &ExpDesc) {
        if e.k == ExpKind::NonReloc {
            self.free_reg(e.info as u32);
        }
    }

    fn add_k(&mut self, key: KKey, v: Value) -> PResult<u32> {
        let fs = self.fs();
        if let Some(&i) = fs.kcache.get(&key) {
            return Ok(i as u32);
        }
        if fs.k.len() >= MAXARG_BX as usize {
            return Err(CompileError::Syntax(b"constant table overflow".to_vec()));
        }
        fs.k.push(v);
        fs.kcache.insert(key, fs.k.len() - 1);
        Ok((fs.k.len() - 1) as u32)
    }

    fn string_k(&mut self, s: &[u8]) -> PResult<u32> {
        let r = self.intern(s)?;
        self.add_k(KKey::Str(r), Value::Str(r))
    }

    fn number_k(&mut self, n: f64) -> PResult<u32> {
        // -0 and 0 share a constant, as keys of C Lua's constant table do.
        let bits = if n == 0.0 { 0 } else { n.to_bits() };
        self.add_k(KKey::Num(bits), Value::Num(n))
    }

    fn bool_k(&mut self, b: bool) -> PResult<u32> {
        self.add_k(KKey::Bool(b), Value::Bool(b))
    }

    fn nil_k(&mut self) -> PResult<u32> {
        self.add_k(KKey::Nil, Value::Nil)
    }

    fn set_returns(&mut self, e: &ExpDesc, nresults: i32) -> PResult<()> {
        if e.k == ExpKind::Call {
            set_c(&mut self.fs().code[e.info as usize], (nresults + 1) as u32);
        } else if e.k == ExpKind::Vararg {
            let freereg = self.fsr().freereg;
            let fs = self.fs();
            set_b(&mut fs.code[e.info as usize], (nresults + 1) as u32);
            set_a(&mut fs.code[e.info as usize], freereg);
            self.reserve_regs(1)?;
        }
        Ok(())
    }

    fn set_one_ret(&mut self, e: &mut ExpDesc) {
        if e.k == ExpKind::Call {
            e.k = ExpKind::NonReloc;
            e.info = arg_a(self.fsr().code[e.info as usize]) as i32;
        } else if e.k == ExpKind::Vararg {
            set_b(&mut self.fs().code[e.info as usize], 2);
            e.k = ExpKind::Relocable;
        }
    }

    fn discharge_vars(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Local => e.k = ExpKind::NonReloc,
            ExpKind::Upval => {
                e.info = self.code_abc(GETUPVAL, 0, e.info as u32, 0);
                e.k = ExpKind::Relocable;
            }
            ExpKind::Global => {
                e.info = self.code_abx(GETGLOBAL, 0, e.info as u32);
                e.k = ExpKind::Relocable;
            }
            ExpKind::Indexed => {
                self.free_reg(e.aux as u32);
                self.free_reg(e.info as u32);
                e.info = self.code_abc(GETTABLE, 0, e.info as u32, e.aux as u32);
                e.k = ExpKind::Relocable;
            }
            ExpKind::Vararg | ExpKind::Call => self.set_one_ret(e),
            _ => {}
        }
    }

    fn code_label(&mut self, a: u32, b: u32, jump: u32) -> i32 {
        self.get_label();
        self.code_abc(LOADBOOL, a, b, jump)
    }

    fn discharge2reg(&mut self, e: &mut ExpDesc, reg: u32) -> PResult<()> {
        self.discharge_vars(e);
        match e.k {
            ExpKind::Nil => self.code_nil(reg, 1),
            ExpKind::False | ExpKind::True => {
                self.code_abc(LOADBOOL, reg, u32::from(e.k == ExpKind::True), 0);
            }
            ExpKind::K => {
                self.code_abx(LOADK, reg, e.info as u32);
            }
            ExpKind::KNum => {
                let k = self.number_k(e.nval)?;
                self.code_abx(LOADK, reg, k);
            }
            ExpKind::Relocable => {
                set_a(&mut self.fs().code[e.info as usize], reg);
            }
            ExpKind::NonReloc => {
                if reg != e.info as u32 {
                    self.code_abc(MOVE, reg, e.info as u32, 0);
                }
            }
            _ => return Ok(()),
        }
        e.info = reg as i32;
        e.k = ExpKind::NonReloc;
        Ok(())
    }

    fn discharge2anyreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if e.k != ExpKind::NonReloc {
            self.reserve_regs(1)?;
            let r = self.fsr().freereg - 1;
            self.discharge2reg(e, r)?;
        }
        Ok(())
    }

    fn exp2reg(&mut self, e: &mut ExpDesc, reg: u32) -> PResult<()> {
        self.discharge2reg(e, reg)?;
        if e.k == ExpKind::Jmp {
            let mut t = e.t;
            self.concat(&mut t, e.info)?;
            e.t = t;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP;
            let mut p_t = NO_JUMP;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if e.k == ExpKind::Jmp {
                    NO_JUMP
                } else {
                    self.jump()?
                };
                p_f = self.code_label(reg, 0, 1);
                p_t = self.code_label(reg, 1, 0);
                self.patch_to_here(fj)?;
            }
            let fin = self.get_label();
            self.patch_list_aux(e.f, fin, reg, p_f)?;
            self.patch_list_aux(e.t, fin, reg, p_t)?;
        }
        e.f = NO_JUMP;
        e.t = NO_JUMP;
        e.info = reg as i32;
        e.k = ExpKind::NonReloc;
        Ok(())
    }

    fn exp2nextreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        self.free_exp(e);
        self.reserve_regs(1)?;
        let r = self.fsr().freereg - 1;
        self.exp2reg(e, r)
    }

    fn exp2anyreg(&mut self, e: &mut ExpDesc) -> PResult<u32> {
        self.discharge_vars(e);
        if e.k == ExpKind::NonReloc {
            if !e.has_jumps() {
                return Ok(e.info as u32);
            }
            if e.info as usize >= self.fsr().nactvar {
                self.exp2reg(e, e.info as u32)?;
                return Ok(e.info as u32);
            }
        }
        self.exp2nextreg(e)?;
        Ok(e.info as u32)
    }

    fn exp2val(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if e.has_jumps() {
            self.exp2anyreg(e)?;
        } else {
            self.discharge_vars(e);
        }
        Ok(())
    }

    fn exp2rk(&mut self, e: &mut ExpDesc) -> PResult<u32> {
        self.exp2val(e)?;
        match e.k {
            ExpKind::KNum | ExpKind::True | ExpKind::False | ExpKind::Nil
                if self.fsr().k.len() <= MAXINDEXRK as usize =>
            {
                e.info = match e.k {
                    ExpKind::Nil => self.nil_k()?,
                    ExpKind::KNum => self.number_k(e.nval)?,
                    _ => self.bool_k(e.k == ExpKind::True)?,
                } as i32;
                e.k = ExpKind::K;
                return Ok(e.info as u32 | BITRK);
            }
            ExpKind::K if e.info as u32 <= MAXINDEXRK => return Ok(e.info as u32 | BITRK),
            _ => {}
        }
        self.exp2anyreg(e)
    }

    fn store_var(&mut self, var: &ExpDesc, ex: &mut ExpDesc) -> PResult<()> {
        match var.k {
            ExpKind::Local => {
                self.free_exp(ex);
                return self.exp2reg(ex, var.info as u32);
            }
            ExpKind::Upval => {
                let e = self.exp2anyreg(ex)?;
                self.code_abc(SETUPVAL, e, var.info as u32, 0);
            }
            ExpKind::Global => {
                let e = self.exp2anyreg(ex)?;
                self.code_abx(SETGLOBAL, e, var.info as u32);
            }
            ExpKind::Indexed => {
                let e = self.exp2rk(ex)?;
                self.code_abc(SETTABLE, var.info as u32, var.aux as u32, e);
            }
            _ => {}
        }
        self.free_exp(ex);
        Ok(())
    }

    fn code_self(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) -> PResult<()> {
        self.exp2anyreg(e)?;
        self.free_exp(e);
        let func = self.fsr().freereg;
        self.reserve_regs(2)?;
        let k = self.exp2rk(key)?;
        self.code_abc(SELF, func, e.info as u32, k);
        self.free_exp(key);
        e.info = func as i32;
        e.k = ExpKind::NonReloc;
        Ok(())
    }

    fn invert_jump(&mut self, e: &ExpDesc) {
        let at = self.jump_control(e.info);
        let fs = self.fs();
        let a = arg_a(fs.code[at]);
        set_a(&mut fs.code[at], u32::from(a == 0));
    }

    fn jump_on_cond(&mut self, e: &mut ExpDesc, cond: bool) -> PResult<i32> {
        if e.k == ExpKind::Relocable {
            let ie = self.fsr().code[e.info as usize];
            if op(ie) == NOT {
                let fs = self.fs();
                fs.code.pop();
                fs.lineinfo.pop();
                return self.cond_jump(TEST, arg_b(ie), 0, u32::from(!cond));
            }
        }
        self.discharge2anyreg(e)?;
        self.free_exp(e);
        self.cond_jump(TESTSET, NO_REG, e.info as u32, u32::from(cond))
    }

    fn go_if_true(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::K | ExpKind::KNum | ExpKind::True => NO_JUMP,
            ExpKind::Jmp => {
                self.invert_jump(e);
                e.info
            }
            _ => self.jump_on_cond(e, false)?,
        };
        let mut f = e.f;
        self.concat(&mut f, pc)?;
        e.f = f;
        self.patch_to_here(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    fn go_if_false(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            ExpKind::Jmp => e.info,
            _ => self.jump_on_cond(e, true)?,
        };
        let mut t = e.t;
        self.concat(&mut t, pc)?;
        e.t = t;
        self.patch_to_here(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    fn code_not(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K | ExpKind::KNum | ExpKind::True => e.k = ExpKind::False,
            ExpKind::Jmp => self.invert_jump(e),
            ExpKind::Relocable | ExpKind::NonReloc => {
                self.discharge2anyreg(e)?;
                self.free_exp(e);
                e.info = self.code_abc(NOT, 0, e.info as u32, 0);
                e.k = ExpKind::Relocable;
            }
            _ => {}
        }
        std::mem::swap(&mut e.f, &mut e.t);
        self.remove_values(e.f);
        self.remove_values(e.t);
        Ok(())
    }

    fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) -> PResult<()> {
        t.aux = self.exp2rk(k)? as i32;
        t.k = ExpKind::Indexed;
        Ok(())
    }

    fn const_folding(o: u8, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
        if !e1.is_numeral() || !e2.is_numeral() {
            return false;
        }
        let (v1, v2) = (e1.nval, e2.nval);
        let r = match o {
            ADD => fix_nan2(v1 + v2, v1, v2),
            SUB => fix_nan2(v1 - v2, v1, v2),
            MUL => fix_nan2(v1 * v2, v1, v2),
            DIV => {
                if v2 == 0.0 {
                    return false;
                }
                v1 / v2
            }
            MOD => {
                if v2 == 0.0 {
                    return false;
                }
                lua_mod(v1, v2)
            }
            POW => lua_pow(v1, v2),
            UNM => -v1,
            _ => return false,
        };
        if r.is_nan() {
            return false;
        }
        e1.nval = r;
        true
    }

    fn code_arith(&mut self, o: u8, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        if Self::const_folding(o, e1, e2) {
            return Ok(());
        }
        let o2 = if o != UNM && o != LEN {
            self.exp2rk(e2)?
        } else {
            0
        };
        let o1 = self.exp2rk(e1)?;
        if o1 > o2 {
            self.free_exp(e1);
            self.free_exp(e2);
        } else {
            self.free_exp(e2);
            self.free_exp(e1);
        }
        e1.info = self.code_abc(o, 0, o1, o2);
        e1.k = ExpKind::Relocable;
        Ok(())
    }

    fn code_comp(&mut self, o: u8, cond: bool, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        let mut o1 = self.exp2rk(e1)?;
        let mut o2 = self.exp2rk(e2)?;
        self.free_exp(e2);
        self.free_exp(e1);
        let mut cond = cond;
        if !cond && o != EQ {
            std::mem::swap(&mut o1, &mut o2);
            cond = true;
        }
        e1.info = self.cond_jump(o, u32::from(cond), o1, o2)?;
        e1.k = ExpKind::Jmp;
        Ok(())
    }

    fn prefix(&mut self, uop: UnOpr, e: &mut ExpDesc) -> PResult<()> {
        let mut e2 = ExpDesc::new(ExpKind::KNum, 0);
        match uop {
            UnOpr::Minus => {
                if !e.is_numeral() {
                    self.exp2anyreg(e)?;
                }
                self.code_arith(UNM, e, &mut e2)
            }
            UnOpr::Not => self.code_not(e),
            UnOpr::Len => {
                self.exp2anyreg(e)?;
                self.code_arith(LEN, e, &mut e2)
            }
        }
    }

    fn infix(&mut self, o: BinOpr, v: &mut ExpDesc) -> PResult<()> {
        match o {
            BinOpr::And => self.go_if_true(v),
            BinOpr::Or => self.go_if_false(v),
            BinOpr::Concat => self.exp2nextreg(v),
            BinOpr::Add | BinOpr::Sub | BinOpr::Mul | BinOpr::Div | BinOpr::Mod | BinOpr::Pow => {
                if !v.is_numeral() {
                    self.exp2rk(v)?;
                }
                Ok(())
            }
            _ => self.exp2rk(v).map(|_| ()),
        }
    }

    fn posfix(&mut self, o: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        match o {
            BinOpr::And => {
                self.discharge_vars(e2);
                let mut f = e2.f;
                self.concat(&mut f, e1.f)?;
                e2.f = f;
                *e1 = *e2;
            }
            BinOpr::Or => {
                self.discharge_vars(e2);
                let mut t = e2.t;
                self.concat(&mut t, e1.t)?;
                e2.t = t;
                *e1 = *e2;
            }
            BinOpr::Concat => {
                self.exp2val(e2)?;
                if e2.k == ExpKind::Relocable && op(self.fsr().code[e2.info as usize]) == CONCAT {
                    self.free_exp(e1);
                    set_b(&mut self.fs().code[e2.info as usize], e1.info as u32);
                    e1.k = ExpKind::Relocable;
                    e1.info = e2.info;
                } else {
                    self.exp2nextreg(e2)?;
                    self.code_arith(CONCAT, e1, e2)?;
                }
            }
            BinOpr::Add => self.code_arith(ADD, e1, e2)?,
            BinOpr::Sub => self.code_arith(SUB, e1, e2)?,
            BinOpr::Mul => self.code_arith(MUL, e1, e2)?,
            BinOpr::Div => self.code_arith(DIV, e1, e2)?,
            BinOpr::Mod => self.code_arith(MOD, e1, e2)?,
            BinOpr::Pow => self.code_arith(POW, e1, e2)?,
            BinOpr::Eq => self.code_comp(EQ, true, e1, e2)?,
            BinOpr::Ne => self.code_comp(EQ, false, e1, e2)?,
            BinOpr::Lt => self.code_comp(LT, true, e1, e2)?,
            BinOpr::Le => self.code_comp(LE, true, e1, e2)?,
            BinOpr::Gt => self.code_comp(LT, false, e1, e2)?,
            BinOpr::Ge => self.code_comp(LE, false, e1, e2)?,
        }
        Ok(())
    }

    fn set_list(&mut self, base: u32, nelems: u32, tostore: i32) {
        let c = (nelems.saturating_sub(1)) / LFIELDS_PER_FLUSH + 1;
        let b = if tostore == MULTRET {
            0
        } else {
            tostore as u32
        };
        if c <= MAXARG_C {
            self.code_abc(SETLIST, base, b, c);
        } else {
            self.code_abc(SETLIST, base, b, 0);
            let line = self.lx.lastline;
            self.code(c, line);
        }
        self.fs().freereg = base + 1;
    }

    // ------------------------------------------------------------ variables and scopes

    fn register_local_var(&mut self, name: Vec<u8>) -> PResult<usize> {
        let fs = self.fs();
        if fs.locvars.len() >= i16::MAX as usize {
            return Err(CompileError::Syntax(b"too many local variables".to_vec()));
        }
        fs.locvars.push(LocVar {
            name: name.into(),
            startpc: 0,
            endpc: 0,
        });
        Ok(fs.locvars.len() - 1)
    }

    fn new_local_var(&mut self, name: Vec<u8>, n: usize) -> PResult<()> {
        let nactvar = self.fsr().nactvar;
        self.check_limit(nactvar + n + 1, LUAI_MAXVARS, "local variables")?;
        let idx = self.register_local_var(name)?;
        let fs = self.fs();
        let slot = fs.nactvar + n;
        if fs.actvar.len() <= slot {
            fs.actvar.resize(slot + 1, 0);
        }
        fs.actvar[slot] = idx;
        Ok(())
    }

    fn adjust_local_vars(&mut self, nvars: usize) {
        let fs = self.fs();
        fs.nactvar += nvars;
        let pc = fs.pc() as u32;
        for j in (fs.nactvar - nvars)..fs.nactvar {
            let lv = fs.actvar[j];
            fs.locvars[lv].startpc = pc;
        }
    }

    fn remove_vars(&mut self, tolevel: usize) {
        let fs = self.fs();
        let pc = fs.pc() as u32;
        while fs.nactvar > tolevel {
            fs.nactvar -= 1;
            let lv = fs.actvar[fs.nactvar];
            fs.locvars[lv].endpc = pc;
        }
    }

    fn index_upvalue(
        &mut self,
        level: usize,
        name: &[u8],
        from_local: bool,
        info: u32,
    ) -> PResult<u32> {
        let fs = &self.fs[level];
        for (j, &(l, i)) in fs.upvalues.iter().enumerate() {
            if l == from_local && i == info {
                return Ok(j as u32);
            }
        }
        if fs.upvalues.len() + 1 > LUAI_MAXUPVALUES {
            let linedefined = fs.linedefined;
            let msg = if linedefined == 0 {
                format!("main function has more than {} upvalues", LUAI_MAXUPVALUES)
            } else {
                format!(
                    "function at line {} has more than {} upvalues",
                    linedefined, LUAI_MAXUPVALUES
                )
            };
            return Err(CompileError::Syntax(self.lx.error_msg(&msg, 0)));
        }
        let fs = &mut self.fs[level];
        fs.upvalues.push((from_local, info));
        fs.upvalue_names.push(name.into());
        Ok((fs.upvalues.len() - 1) as u32)
    }

    fn search_var(fs: &FuncState, name: &[u8]) -> Option<usize> {
        (0..fs.nactvar)
            .rev()
            .find(|&j| &*fs.locvars[fs.actvar[j]].name == name)
    }

    fn mark_upval(fs: &mut FuncState, level: usize) {
        if let Some(bl) = fs.blocks.iter_mut().rev().find(|bl| bl.nactvar <= level) {
            bl.upval = true;
        }
    }

    /// `singlevaraux`: resolves `name` in function `level` and the ones enclosing it.
    fn single_var_aux(
        &mut self,
        level: Option<usize>,
        name: &[u8],
        base: bool,
    ) -> PResult<ExpDesc> {
        let Some(level) = level else {
            return Ok(ExpDesc::new(ExpKind::Global, NO_REG as i32));
        };
        if let Some(v) = Self::search_var(&self.fs[level], name) {
            if !base {
                Self::mark_upval(&mut self.fs[level], v);
            }
            return Ok(ExpDesc::new(ExpKind::Local, v as i32));
        }
        let outer = if level == 0 { None } else { Some(level - 1) };
        let var = self.single_var_aux(outer, name, false)?;
        if var.k == ExpKind::Global {
            return Ok(var);
        }
        let idx = self.index_upvalue(level, name, var.k == ExpKind::Local, var.info as u32)?;
        Ok(ExpDesc::new(ExpKind::Upval, idx as i32))
    }

    fn single_var(&mut self) -> PResult<ExpDesc> {
        let name = self.str_checkname()?;
        let level = self.fs.len() - 1;
        let mut var = self.single_var_aux(Some(level), &name, true)?;
        if var.k == ExpKind::Global {
            var.info = self.string_k(&name)? as i32;
        }
        Ok(var)
    }

    fn adjust_assign(&mut self, nvars: usize, nexps: usize, e: &mut ExpDesc) -> PResult<()> {
        let mut extra = nvars as i32 - nexps as i32;
        if e.has_multret() {
            extra += 1;
            if extra < 0 {
                extra = 0;
            }
            self.set_returns(e, extra)?;
            if extra > 1 {
                self.reserve_regs(extra as u32 - 1)?;
            }
        } else {
            if e.k != ExpKind::Void {
                self.exp2nextreg(e)?;
            }
            if extra > 0 {
                let reg = self.fsr().freereg;
                self.reserve_regs(extra as u32)?;
                self.code_nil(reg, extra as u32);
            }
        }
        Ok(())
    }

    fn enter_block(&mut self, isbreakable: bool) {
        let fs = self.fs();
        let nactvar = fs.nactvar;
        fs.blocks.push(BlockCnt {
            breaklist: NO_JUMP,
            nactvar,
            upval: false,
            isbreakable,
        });
    }

    fn leave_block(&mut self) -> PResult<()> {
        let Some(bl) = self.fs().blocks.pop() else {
            return Ok(());
        };
        self.remove_vars(bl.nactvar);
        if bl.upval {
            self.code_abc(CLOSE, bl.nactvar as u32, 0, 0);
        }
        let fs = self.fs();
        fs.freereg = fs.nactvar as u32;
        self.patch_to_here(bl.breaklist)
    }

    fn open_func(&mut self, linedefined: u32) {
        self.fs.push(FuncState::new(linedefined));
    }

    fn close_func(&mut self) -> PResult<Rc<Proto>> {
        self.remove_vars(0);
        self.ret(0, 0);
        let Some(fs) = self.fs.pop() else {
            return Err(CompileError::Syntax(b"no function to close".to_vec()));
        };
        Ok(Rc::new(Proto {
            code: fs.code,
            lineinfo: fs.lineinfo,
            k: fs.k,
            p: fs.p,
            locvars: fs.locvars,
            upvalue_names: fs.upvalue_names,
            source: self.lx.source.into(),
            linedefined: fs.linedefined,
            lastlinedefined: fs.lastlinedefined,
            nups: fs.upvalues.len() as u8,
            numparams: fs.numparams,
            is_vararg: fs.is_vararg,
            maxstacksize: fs.maxstacksize as u8,
            mark: std::cell::Cell::new(0),
        }))
    }

    fn push_closure(&mut self, func: Rc<Proto>, upvalues: Vec<(bool, u32)>) -> PResult<ExpDesc> {
        let fs = self.fs();
        if fs.p.len() >= MAXARG_BX as usize {
            return Err(CompileError::Syntax(b"constant table overflow".to_vec()));
        }
        fs.p.push(func);
        let np = fs.p.len() as u32 - 1;
        let e = ExpDesc::new(ExpKind::Relocable, self.code_abx(CLOSURE, 0, np));
        for (from_local, info) in upvalues {
            let o = if from_local { MOVE } else { GETUPVAL };
            self.code_abc(o, 0, info, 0);
        }
        Ok(e)
    }

    // ------------------------------------------------------------ grammar

    fn field(&mut self, v: &mut ExpDesc) -> PResult<()> {
        self.exp2anyreg(v)?;
        self.lx.next()?;
        let mut key = self.checkname()?;
        self.indexed(v, &mut key)
    }

    fn checkname(&mut self) -> PResult<ExpDesc> {
        let name = self.str_checkname()?;
        let k = self.string_k(&name)?;
        Ok(ExpDesc::new(ExpKind::K, k as i32))
    }

    fn yindex(&mut self) -> PResult<ExpDesc> {
        self.lx.next()?;
        let mut v = self.expr()?;
        self.exp2val(&mut v)?;
        self.check_next(i32::from(b']'))?;
        Ok(v)
    }

    fn recfield(&mut self, t: &ExpDesc, nh: &mut usize) -> PResult<()> {
        let reg = self.fsr().freereg;
        let mut key = if self.tok() == TK_NAME {
            self.checkname()?
        } else {
            self.yindex()?
        };
        *nh += 1;
        self.check_next(i32::from(b'='))?;
        let rkkey = self.exp2rk(&mut key)?;
        let mut val = self.expr()?;
        let rkval = self.exp2rk(&mut val)?;
        self.code_abc(SETTABLE, t.info as u32, rkkey, rkval);
        self.fs().freereg = reg;
        Ok(())
    }

    fn constructor(&mut self) -> PResult<ExpDesc> {
        let line = self.lx.linenumber;
        let pc = self.code_abc(NEWTABLE, 0, 0, 0);
        let mut t = ExpDesc::new(ExpKind::Relocable, pc);
        let mut v = ExpDesc::void();
        let (mut na, mut nh, mut tostore) = (0usize, 0usize, 0u32);
        self.exp2nextreg(&mut t)?;
        self.check_next(i32::from(b'{'))?;
        loop {
            if self.tok() == i32::from(b'}') {
                break;
            }
            // closelistfield
            if v.k != ExpKind::Void {
                self.exp2nextreg(&mut v)?;
                v.k = ExpKind::Void;
                if tostore == LFIELDS_PER_FLUSH {
                    self.set_list(t.info as u32, na as u32, tostore as i32);
                    tostore = 0;
                }
            }
            let is_rec = match self.tok() {
                TK_NAME => self.lx.peek()? == i32::from(b'='),
                t if t == i32::from(b'[') => true,
                _ => false,
            };
            if is_rec {
                self.recfield(&t, &mut nh)?;
            } else {
                v = self.expr()?;
                na += 1;
                tostore += 1;
            }
            if !(self.test_next(i32::from(b','))? || self.test_next(i32::from(b';'))?) {
                break;
            }
        }
        self.check_match(i32::from(b'}'), i32::from(b'{'), line)?;
        // lastlistfield
        if tostore != 0 {
            if v.has_multret() {
                self.set_returns(&v, MULTRET)?;
                self.set_list(t.info as u32, na as u32, MULTRET);
                na -= 1;
            } else {
                if v.k != ExpKind::Void {
                    self.exp2nextreg(&mut v)?;
                }
                self.set_list(t.info as u32, na as u32, tostore as i32);
            }
        }
        let fs = self.fs();
        set_b(&mut fs.code[pc as usize], int2fb(na as u32));
        set_c(&mut fs.code[pc as usize], int2fb(nh as u32));
        Ok(t)
    }

    fn parlist(&mut self) -> PResult<()> {
        let mut nparams = 0;
        self.fs().is_vararg = 0;
        if self.tok() != i32::from(b')') {
            loop {
                match self.tok() {
                    TK_NAME => {
                        let name = self.str_checkname()?;
                        self.new_local_var(name, nparams)?;
                        nparams += 1;
                    }
                    TK_DOTS => {
                        self.lx.next()?;
                        // LUA_COMPAT_VARARG: the implicit `arg` table.
                        self.new_local_var(b"arg".to_vec(), nparams)?;
                        nparams += 1;
                        self.fs().is_vararg = VARARG_HASARG | VARARG_NEEDSARG | VARARG_ISVARARG;
                    }
                    _ => return self.syntax_error("<name> or '...' expected"),
                }
                if self.fsr().is_vararg != 0 || !self.test_next(i32::from(b','))? {
                    break;
                }
            }
        }
        self.adjust_local_vars(nparams);
        let fs = self.fs();
        fs.numparams = (fs.nactvar - usize::from(fs.is_vararg & VARARG_HASARG)) as u8;
        let n = fs.nactvar as u32;
        self.reserve_regs(n)
    }

    fn body(&mut self, needself: bool, line: u32) -> PResult<ExpDesc> {
        self.open_func(line);
        self.check_next(i32::from(b'('))?;
        if needself {
            self.new_local_var(b"self".to_vec(), 0)?;
            self.adjust_local_vars(1);
        }
        self.parlist()?;
        self.check_next(i32::from(b')'))?;
        self.chunk()?;
        self.fs().lastlinedefined = self.lx.linenumber;
        self.check_match(TK_END, TK_FUNCTION, line)?;
        let upvalues = self.fsr().upvalues.clone();
        let f = self.close_func()?;
        self.push_closure(f, upvalues)
    }

    fn explist1(&mut self) -> PResult<(usize, ExpDesc)> {
        let mut n = 1;
        let mut v = self.expr()?;
        while self.test_next(i32::from(b','))? {
            self.exp2nextreg(&mut v)?;
            v = self.expr()?;
            n += 1;
        }
        Ok((n, v))
    }

    fn funcargs(&mut self, f: &mut ExpDesc) -> PResult<()> {
        let line = self.lx.linenumber;
        let mut args = match self.tok() {
            t if t == i32::from(b'(') => {
                if line != self.lx.lastline {
                    return self.syntax_error("ambiguous syntax (function call x new statement)");
                }
                self.lx.next()?;
                let args = if self.tok() == i32::from(b')') {
                    ExpDesc::void()
                } else {
                    let (_, args) = self.explist1()?;
                    self.set_returns(&args, MULTRET)?;
                    args
                };
                self.check_match(i32::from(b')'), i32::from(b'('), line)?;
                args
            }
            t if t == i32::from(b'{') => self.constructor()?,
            TK_STRING => {
                let s = std::mem::take(&mut self.lx.t.s);
                let k = self.string_k(&s)?;
                self.lx.next()?;
                ExpDesc::new(ExpKind::K, k as i32)
            }
            _ => return self.syntax_error("function arguments expected"),
        };
        let base = f.info as u32;
        let nparams = if args.has_multret() {
            MULTRET
        } else {
            if args.k != ExpKind::Void {
                self.exp2nextreg(&mut args)?;
            }
            (self.fsr().freereg - (base + 1)) as i32
        };
        *f = ExpDesc::new(
            ExpKind::Call,
            self.code_abc(CALL, base, (nparams + 1) as u32, 2),
        );
        self.fix_line(line);
        self.fs().freereg = base + 1;
        Ok(())
    }

    fn prefixexp(&mut self) -> PResult<ExpDesc> {
        match self.tok() {
            t if t == i32::from(b'(') => {
                let line = self.lx.linenumber;
                self.lx.next()?;
                let mut v = self.expr()?;
                self.check_match(i32::from(b')'), i32::from(b'('), line)?;
                self.discharge_vars(&mut v);
                Ok(v)
            }
            TK_NAME => self.single_var(),
            _ => self.syntax_error("unexpected symbol"),
        }
    }

    fn primaryexp(&mut self) -> PResult<ExpDesc> {
        let mut v = self.prefixexp()?;
        loop {
            match self.tok() {
                t if t == i32::from(b'.') => self.field(&mut v)?,
                t if t == i32::from(b'[') => {
                    self.exp2anyreg(&mut v)?;
                    let mut key = self.yindex()?;
                    self.indexed(&mut v, &mut key)?;
                }
                t if t == i32::from(b':') => {
                    self.lx.next()?;
                    let mut key = self.checkname()?;
                    self.code_self(&mut v, &mut key)?;
                    self.funcargs(&mut v)?;
                }
                t if t == i32::from(b'(') || t == TK_STRING || t == i32::from(b'{') => {
                    self.exp2nextreg(&mut v)?;
                    self.funcargs(&mut v)?;
                }
                _ => return Ok(v),
            }
        }
    }

    fn simpleexp(&mut self) -> PResult<ExpDesc> {
        let v = match self.tok() {
            TK_NUMBER => {
                let mut e = ExpDesc::new(ExpKind::KNum, 0);
                e.nval = self.lx.t.num;
                e
            }
            TK_STRING => {
                let s = std::mem::take(&mut self.lx.t.s);
                let k = self.string_k(&s)?;
                ExpDesc::new(ExpKind::K, k as i32)
            }
            TK_NIL => ExpDesc::new(ExpKind::Nil, 0),
            TK_TRUE => ExpDesc::new(ExpKind::True, 0),
            TK_FALSE => ExpDesc::new(ExpKind::False, 0),
            TK_DOTS => {
                if self.fsr().is_vararg == 0 {
                    return self.syntax_error("cannot use '...' outside a vararg function");
                }
                self.fs().is_vararg &= !VARARG_NEEDSARG;
                let pc = self.code_abc(VARARG, 0, 1, 0);
                ExpDesc::new(ExpKind::Vararg, pc)
            }
            t if t == i32::from(b'{') => return self.constructor(),
            TK_FUNCTION => {
                self.lx.next()?;
                let line = self.lx.linenumber;
                return self.body(false, line);
            }
            _ => return self.primaryexp(),
        };
        self.lx.next()?;
        Ok(v)
    }

    fn subexpr(&mut self, limit: u8) -> PResult<(ExpDesc, Option<BinOpr>)> {
        self.enter_level()?;
        let uop = match self.tok() {
            TK_NOT => Some(UnOpr::Not),
            t if t == i32::from(b'-') => Some(UnOpr::Minus),
            t if t == i32::from(b'#') => Some(UnOpr::Len),
            _ => None,
        };
        let mut v = if let Some(uop) = uop {
            self.lx.next()?;
            let (mut v, _) = self.subexpr(UNARY_PRIORITY)?;
            self.prefix(uop, &mut v)?;
            v
        } else {
            self.simpleexp()?
        };
        let mut op = binopr(self.tok());
        while let Some(o) = op {
            if PRIORITY[o as usize].0 <= limit {
                break;
            }
            self.lx.next()?;
            self.infix(o, &mut v)?;
            let (mut v2, nextop) = self.subexpr(PRIORITY[o as usize].1)?;
            self.posfix(o, &mut v, &mut v2)?;
            op = nextop;
        }
        self.leave_level();
        Ok((v, op))
    }

    fn expr(&mut self) -> PResult<ExpDesc> {
        Ok(self.subexpr(0)?.0)
    }

    fn block_follow(&self) -> bool {
        matches!(self.tok(), TK_ELSE | TK_ELSEIF | TK_END | TK_UNTIL | TK_EOS)
    }

    fn block(&mut self) -> PResult<()> {
        self.enter_block(false);
        self.chunk()?;
        self.leave_block()
    }

    fn check_conflict(&mut self, lhs: &mut [ExpDesc], v: &ExpDesc) -> PResult<()> {
        let extra = self.fsr().freereg as i32;
        let mut conflict = false;
        for lh in lhs.iter_mut() {
            if lh.k == ExpKind::Indexed {
                if lh.info == v.info {
                    conflict = true;
                    lh.info = extra;
                }
                if lh.aux == v.info {
                    conflict = true;
                    lh.aux = extra;
                }
            }
        }
        if conflict {
            let freereg = self.fsr().freereg;
            self.code_abc(MOVE, freereg, v.info as u32, 0);
            self.reserve_regs(1)?;
        }
        Ok(())
    }

    /// `assignment`, iterative: `lhs` holds the targets read so far.
    fn assignment(&mut self, lhs: &mut Vec<ExpDesc>) -> PResult<()> {
        loop {
            let last = lhs[lhs.len() - 1];
            if !matches!(
                last.k,
                ExpKind::Local | ExpKind::Upval | ExpKind::Global | ExpKind::Indexed
            ) {
                return self.syntax_error("syntax error");
            }
            if !self.test_next(i32::from(b','))? {
                break;
            }
            let nv = self.primaryexp()?;
            if nv.k == ExpKind::Local {
                self.check_conflict(lhs, &nv)?;
            }
            let nvars = lhs.len();
            let limit = LUAI_MAXCCALLS.saturating_sub(self.nccalls);
            if nvars > limit as usize {
                return self.error_limit(limit as usize, "variables in assignment");
            }
            lhs.push(nv);
        }
        self.check_next(i32::from(b'='))?;
        let nvars = lhs.len();
        let (nexps, mut e) = self.explist1()?;
        let mut from = nvars;
        if nexps != nvars {
            self.adjust_assign(nvars, nexps, &mut e)?;
            if nexps > nvars {
                self.fs().freereg -= (nexps - nvars) as u32;
            }
        } else {
            self.set_one_ret(&mut e);
            let target = lhs[nvars - 1];
            self.store_var(&target, &mut e)?;
            from = nvars - 1;
        }
        // The remaining targets take the values from the registers, right to left.
        for j in (0..from).rev() {
            let mut e = ExpDesc::new(ExpKind::NonReloc, self.fsr().freereg as i32 - 1);
            let target = lhs[j];
            self.store_var(&target, &mut e)?;
        }
        Ok(())
    }

    fn cond(&mut self) -> PResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False;
        }
        self.go_if_true(&mut v)?;
        Ok(v.f)
    }

    fn breakstat(&mut self) -> PResult<()> {
        let fs = self.fs();
        let mut upval = false;
        let mut idx = None;
        for (j, bl) in fs.blocks.iter().enumerate().rev() {
            if bl.isbreakable {
                idx = Some(j);
                break;
            }
            upval |= bl.upval;
        }
        let Some(j) = idx else {
            return self.syntax_error("no loop to break");
        };
        if upval {
            let nactvar = self.fsr().blocks[j].nactvar as u32;
            self.code_abc(CLOSE, nactvar, 0, 0);
        }
        let jmp = self.jump()?;
        let mut bl = self.fsr().blocks[j].breaklist;
        self.concat(&mut bl, jmp)?;
        self.fs().blocks[j].breaklist = bl;
        Ok(())
    }

    fn whilestat(&mut self, line: u32) -> PResult<()> {
        self.lx.next()?;
        let whileinit = self.get_label();
        let condexit = self.cond()?;
        self.enter_block(true);
        self.check_next(TK_DO)?;
        self.block()?;
        let j = self.jump()?;
        self.patch_list(j, whileinit)?;
        self.check_match(TK_END, TK_WHILE, line)?;
        self.leave_block()?;
        self.patch_to_here(condexit)
    }

    fn repeatstat(&mut self, line: u32) -> PResult<()> {
        let repeat_init = self.get_label();
        self.enter_block(true);
        self.enter_block(false);
        self.lx.next()?;
        self.chunk()?;
        self.check_match(TK_UNTIL, TK_REPEAT, line)?;
        let condexit = self.cond()?;
        let upval = self.fsr().blocks.last().is_some_and(|b| b.upval);
        if !upval {
            self.leave_block()?;
            self.patch_list(condexit, repeat_init)?;
        } else {
            self.breakstat()?;
            self.patch_to_here(condexit)?;
            self.leave_block()?;
            let j = self.jump()?;
            self.patch_list(j, repeat_init)?;
        }
        self.leave_block()
    }

    fn exp1(&mut self) -> PResult<()> {
        let mut e = self.expr()?;
        self.exp2nextreg(&mut e)
    }

    fn forbody(&mut self, base: u32, line: u32, nvars: usize, isnum: bool) -> PResult<()> {
        self.adjust_local_vars(3);
        self.check_next(TK_DO)?;
        let prep = if isnum {
            self.code_asbx(FORPREP, base, NO_JUMP)
        } else {
            self.jump()?
        };
        self.enter_block(false);
        self.adjust_local_vars(nvars);
        self.reserve_regs(nvars as u32)?;
        self.block()?;
        self.leave_block()?;
        self.patch_to_here(prep)?;
        let endfor = if isnum {
            self.code_asbx(FORLOOP, base, NO_JUMP)
        } else {
            self.code_abc(TFORLOOP, base, 0, nvars as u32)
        };
        self.fix_line(line);
        let j = if isnum { endfor } else { self.jump()? };
        self.patch_list(j, prep + 1)
    }

    fn fornum(&mut self, varname: Vec<u8>, line: u32) -> PResult<()> {
        let base = self.fsr().freereg;
        self.new_local_var(b"(for index)".to_vec(), 0)?;
        self.new_local_var(b"(for limit)".to_vec(), 1)?;
        self.new_local_var(b"(for step)".to_vec(), 2)?;
        self.new_local_var(varname, 3)?;
        self.check_next(i32::from(b'='))?;
        self.exp1()?;
        self.check_next(i32::from(b','))?;
        self.exp1()?;
        if self.test_next(i32::from(b','))? {
            self.exp1()?;
        } else {
            let k = self.number_k(1.0)?;
            let r = self.fsr().freereg;
            self.code_abx(LOADK, r, k);
            self.reserve_regs(1)?;
        }
        self.forbody(base, line, 1, true)
    }

    fn forlist(&mut self, indexname: Vec<u8>) -> PResult<()> {
        let base = self.fsr().freereg;
        self.new_local_var(b"(for generator)".to_vec(), 0)?;
        self.new_local_var(b"(for state)".to_vec(), 1)?;
        self.new_local_var(b"(for control)".to_vec(), 2)?;
        self.new_local_var(indexname, 3)?;
        let mut nvars = 4;
        while self.test_next(i32::from(b','))? {
            let name = self.str_checkname()?;
            self.new_local_var(name, nvars)?;
            nvars += 1;
        }
        self.check_next(TK_IN)?;
        let line = self.lx.linenumber;
        let (n, mut e) = self.explist1()?;
        self.adjust_assign(3, n, &mut e)?;
        self.check_stack(3)?;
        self.forbody(base, line, nvars - 3, false)
    }

    fn forstat(&mut self, line: u32) -> PResult<()> {
        self.enter_block(true);
        self.lx.next()?;
        let varname = self.str_checkname()?;
        match self.tok() {
            t if t == i32::from(b'=') => self.fornum(varname, line)?,
            t if t == i32::from(b',') || t == TK_IN => self.forlist(varname)?,
            _ => return self.syntax_error("'=' or 'in' expected"),
        }
        self.check_match(TK_END, TK_FOR, line)?;
        self.leave_block()
    }

    fn test_then_block(&mut self) -> PResult<i32> {
        self.lx.next()?;
        let condexit = self.cond()?;
        self.check_next(TK_THEN)?;
        self.block()?;
        Ok(condexit)
    }

    fn ifstat(&mut self, line: u32) -> PResult<()> {
        let mut escapelist = NO_JUMP;
        let mut flist = self.test_then_block()?;
        while self.tok() == TK_ELSEIF {
            let j = self.jump()?;
            self.concat(&mut escapelist, j)?;
            self.patch_to_here(flist)?;
            flist = self.test_then_block()?;
        }
        if self.tok() == TK_ELSE {
            let j = self.jump()?;
            self.concat(&mut escapelist, j)?;
            self.patch_to_here(flist)?;
            self.lx.next()?;
            self.block()?;
        } else {
            self.concat(&mut escapelist, flist)?;
        }
        self.patch_to_here(escapelist)?;
        self.check_match(TK_END, TK_IF, line)
    }

    fn localfunc(&mut self) -> PResult<()> {
        let name = self.str_checkname()?;
        self.new_local_var(name, 0)?;
        let v = ExpDesc::new(ExpKind::Local, self.fsr().freereg as i32);
        self.reserve_regs(1)?;
        self.adjust_local_vars(1);
        let line = self.lx.linenumber;
        let mut b = self.body(false, line)?;
        self.store_var(&v, &mut b)?;
        let fs = self.fs();
        let pc = fs.pc() as u32;
        let lv = fs.actvar[fs.nactvar - 1];
        fs.locvars[lv].startpc = pc;
        Ok(())
    }

    fn localstat(&mut self) -> PResult<()> {
        let mut nvars = 0;
        loop {
            let name = self.str_checkname()?;
            self.new_local_var(name, nvars)?;
            nvars += 1;
            if !self.test_next(i32::from(b','))? {
                break;
            }
        }
        let (nexps, mut e) = if self.test_next(i32::from(b'='))? {
            self.explist1()?
        } else {
            (0, ExpDesc::void())
        };
        self.adjust_assign(nvars, nexps, &mut e)?;
        self.adjust_local_vars(nvars);
        Ok(())
    }

    fn funcname(&mut self) -> PResult<(ExpDesc, bool)> {
        let mut v = self.single_var()?;
        while self.tok() == i32::from(b'.') {
            self.field(&mut v)?;
        }
        let mut needself = false;
        if self.tok() == i32::from(b':') {
            needself = true;
            self.field(&mut v)?;
        }
        Ok((v, needself))
    }

    fn funcstat(&mut self, line: u32) -> PResult<()> {
        self.lx.next()?;
        let (v, needself) = self.funcname()?;
        let mut b = self.body(needself, line)?;
        self.store_var(&v, &mut b)?;
        self.fix_line(line);
        Ok(())
    }

    fn exprstat(&mut self) -> PResult<()> {
        let v = self.primaryexp()?;
        if v.k == ExpKind::Call {
            set_c(&mut self.fs().code[v.info as usize], 1);
            Ok(())
        } else {
            let mut lhs = vec![v];
            self.assignment(&mut lhs)
        }
    }

    fn retstat(&mut self) -> PResult<()> {
        self.lx.next()?;
        let (first, nret);
        if self.block_follow() || self.tok() == i32::from(b';') {
            first = 0;
            nret = 0;
        } else {
            let (n, mut e) = self.explist1()?;
            if e.has_multret() {
                self.set_returns(&e, MULTRET)?;
                if e.k == ExpKind::Call && n == 1 {
                    set_op(&mut self.fs().code[e.info as usize], TAILCALL);
                }
                first = self.fsr().nactvar as u32;
                nret = MULTRET;
            } else if n == 1 {
                first = self.exp2anyreg(&mut e)?;
                nret = 1;
            } else {
                self.exp2nextreg(&mut e)?;
                first = self.fsr().nactvar as u32;
                nret = n as i32;
            }
        }
        self.ret(first, nret);
        Ok(())
    }

    fn statement(&mut self) -> PResult<bool> {
        let line = self.lx.linenumber;
        match self.tok() {
            TK_IF => {
                self.ifstat(line)?;
                Ok(false)
            }
            TK_WHILE => {
                self.whilestat(line)?;
                Ok(false)
            }
            TK_DO => {
                self.lx.next()?;
                self.block()?;
                self.check_match(TK_END, TK_DO, line)?;
                Ok(false)
            }
            TK_FOR => {
                self.forstat(line)?;
                Ok(false)
            }
            TK_REPEAT => {
                self.repeatstat(line)?;
                Ok(false)
            }
            TK_FUNCTION => {
                self.funcstat(line)?;
                Ok(false)
            }
            TK_LOCAL => {
                self.lx.next()?;
                if self.test_next(TK_FUNCTION)? {
                    self.localfunc()?;
                } else {
                    self.localstat()?;
                }
                Ok(false)
            }
            TK_RETURN => {
                self.retstat()?;
                Ok(true)
            }
            TK_BREAK => {
                self.lx.next()?;
                self.breakstat()?;
                Ok(true)
            }
            _ => {
                self.exprstat()?;
                Ok(false)
            }
        }
    }

    fn chunk(&mut self) -> PResult<()> {
        self.enter_level()?;
        let mut islast = false;
        while !islast && !self.block_follow() {
            islast = self.statement()?;
            if let Some(e) = self.deferred.take() {
                return Err(CompileError::Syntax(e));
            }
            self.test_next(i32::from(b';'))?;
            let fs = self.fs();
            fs.freereg = fs.nactvar as u32;
        }
        self.leave_level();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Lua;

    /// The deepest source the parser accepts (199 levels) fits in half of wasm32's default
    /// 1 MiB stack in an optimized build, whatever the construct nested (about 1.3 KiB a
    /// level; unoptimized builds use several times more).
    #[test]
    fn deepest_nesting_fits_a_small_stack() {
        let size = if cfg!(debug_assertions) {
            6 << 20
        } else {
            512 << 10
        };
        let handle = std::thread::Builder::new()
            .stack_size(size)
            .spawn(|| {
                let mut lua = Lua::new();
                let n = 195;
                let cases = [
                    format!("return {}1{}", "(".repeat(n), ")".repeat(n)),
                    format!("return {}1{}", "{".repeat(n), "}".repeat(n)),
                    format!("return {}1{}", "f(".repeat(n), ")".repeat(n)),
                    format!("return {}1", "- ".repeat(n)),
                    format!(
                        "return {}1{}",
                        "function() return ".repeat(n / 2),
                        " end".repeat(n / 2)
                    ),
                    format!("{}{}", "do ".repeat(n), " end".repeat(n)),
                    format!("{}x = 1{}", "if x then ".repeat(n), " end".repeat(n)),
                    format!("x = {}1", "a .. ".repeat(n)),
                    format!("x = {}1", "not ".repeat(n)),
                    format!("x = {}1{}", "t[".repeat(n), "]".repeat(n)),
                ];
                for src in &cases {
                    assert!(lua.load(src.as_bytes(), "=deep").is_ok(), "{}", &src[..40]);
                    let deeper =
                        src.replace("1", &format!("{}1{}", "(".repeat(10), ")".repeat(10)));
                    let _ = lua.load(deeper.as_bytes(), "=deeper");
                }
            })
            .expect("thread");
        handle.join().expect("no stack overflow");
    }
}
