//! The bytecode: Lua 5.1's instruction set and encoding, bit for bit, and the function
//! prototype the compiler produces.
//!
//! Keeping 5.1's encoding (a 32-bit word: opcode in 6 bits, A in 8, C in 9, B in 9; or Bx
//! in 18, sBx in excess-131071) is what lets the compiler follow `lcode.c` register for
//! register, and the error messages that name variables (`attempt to call field 'foo'`)
//! come from the same symbolic execution over the same code as in C Lua. `luac5.1 -l`
//! listings can be compared with [`Proto::listing`].

use std::cell::Cell;
use std::rc::Rc;

use crate::value::Value;

pub const MOVE: u8 = 0;
pub const LOADK: u8 = 1;
pub const LOADBOOL: u8 = 2;
pub const LOADNIL: u8 = 3;
pub const GETUPVAL: u8 = 4;
pub const GETGLOBAL: u8 = 5;
pub const GETTABLE: u8 = 6;
pub const SETGLOBAL: u8 = 7;
pub const SETUPVAL: u8 = 8;
pub const SETTABLE: u8 = 9;
pub const NEWTABLE: u8 = 10;
pub const SELF: u8 = 11;
pub const ADD: u8 = 12;
pub const SUB: u8 = 13;
pub const MUL: u8 = 14;
pub const DIV: u8 = 15;
pub const MOD: u8 = 16;
pub const POW: u8 = 17;
pub const UNM: u8 = 18;
pub const NOT: u8 = 19;
pub const LEN: u8 = 20;
pub const CONCAT: u8 = 21;
pub const JMP: u8 = 22;
pub const EQ: u8 = 23;
pub const LT: u8 = 24;
pub const LE: u8 = 25;
pub const TEST: u8 = 26;
pub const TESTSET: u8 = 27;
pub const CALL: u8 = 28;
pub const TAILCALL: u8 = 29;
pub const RETURN: u8 = 30;
pub const FORLOOP: u8 = 31;
pub const FORPREP: u8 = 32;
pub const TFORLOOP: u8 = 33;
pub const SETLIST: u8 = 34;
pub const CLOSE: u8 = 35;
pub const CLOSURE: u8 = 36;
pub const VARARG: u8 = 37;
pub const NUM_OPCODES: u8 = 38;

pub const OPNAMES: [&str; NUM_OPCODES as usize] = [
    "MOVE",
    "LOADK",
    "LOADBOOL",
    "LOADNIL",
    "GETUPVAL",
    "GETGLOBAL",
    "GETTABLE",
    "SETGLOBAL",
    "SETUPVAL",
    "SETTABLE",
    "NEWTABLE",
    "SELF",
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "MOD",
    "POW",
    "UNM",
    "NOT",
    "LEN",
    "CONCAT",
    "JMP",
    "EQ",
    "LT",
    "LE",
    "TEST",
    "TESTSET",
    "CALL",
    "TAILCALL",
    "RETURN",
    "FORLOOP",
    "FORPREP",
    "TFORLOOP",
    "SETLIST",
    "CLOSE",
    "CLOSURE",
    "VARARG",
];

pub const MAXARG_A: u32 = 255;
pub const MAXARG_B: u32 = 511;
pub const MAXARG_C: u32 = 511;
pub const MAXARG_BX: u32 = (1 << 18) - 1;
pub const MAXARG_SBX: i32 = (MAXARG_BX >> 1) as i32;
/// Bit of a B or C operand that says "constant, not register".
pub const BITRK: u32 = 1 << 8;
pub const MAXINDEXRK: u32 = BITRK - 1;
pub const NO_REG: u32 = MAXARG_A;
/// Array items a SETLIST stores at most (`LFIELDS_PER_FLUSH`).
pub const LFIELDS_PER_FLUSH: u32 = 50;
/// Registers a function may use (`MAXSTACK`).
pub const MAXSTACK: u32 = 250;

/// `is_vararg` bits.
pub const VARARG_HASARG: u8 = 1;
pub const VARARG_ISVARARG: u8 = 2;
pub const VARARG_NEEDSARG: u8 = 4;

#[inline(always)]
pub fn op(i: u32) -> u8 {
    (i & 0x3f) as u8
}
#[inline(always)]
pub fn arg_a(i: u32) -> u32 {
    (i >> 6) & 0xff
}
#[inline(always)]
pub fn arg_b(i: u32) -> u32 {
    i >> 23
}
#[inline(always)]
pub fn arg_c(i: u32) -> u32 {
    (i >> 14) & 0x1ff
}
#[inline(always)]
pub fn arg_bx(i: u32) -> u32 {
    i >> 14
}
#[inline(always)]
pub fn arg_sbx(i: u32) -> i32 {
    (i >> 14) as i32 - MAXARG_SBX
}
#[inline(always)]
pub fn is_k(x: u32) -> bool {
    x & BITRK != 0
}
#[inline(always)]
pub fn index_k(x: u32) -> usize {
    (x & !BITRK) as usize
}

pub fn abc(o: u8, a: u32, b: u32, c: u32) -> u32 {
    u32::from(o) | (a << 6) | (b << 23) | (c << 14)
}
pub fn abx(o: u8, a: u32, bx: u32) -> u32 {
    u32::from(o) | (a << 6) | (bx << 14)
}
pub fn asbx(o: u8, a: u32, sbx: i32) -> u32 {
    abx(o, a, (sbx + MAXARG_SBX) as u32)
}
pub fn set_a(i: &mut u32, a: u32) {
    *i = (*i & !(0xff << 6)) | (a << 6);
}
pub fn set_b(i: &mut u32, b: u32) {
    *i = (*i & !(0x1ff << 23)) | (b << 23);
}
pub fn set_c(i: &mut u32, c: u32) {
    *i = (*i & !(0x1ff << 14)) | (c << 14);
}
pub fn set_sbx(i: &mut u32, sbx: i32) {
    *i = (*i & 0x3fff) | (((sbx + MAXARG_SBX) as u32) << 14);
}
pub fn set_op(i: &mut u32, o: u8) {
    *i = (*i & !0x3f) | u32::from(o);
}

/// How an operand is used (`OpArgMask`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArgMode {
    /// Not used.
    N,
    /// Used, not a register or constant.
    U,
    /// A register or a jump offset.
    R,
    /// A constant or register (RK), or a constant index.
    K,
}

/// Instruction format.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Abc,
    Abx,
    AsBx,
}

/// Per opcode: (is a test followed by a jump, sets register A, B mode, C mode, format).
pub fn mode(o: u8) -> (bool, bool, ArgMode, ArgMode, Format) {
    use ArgMode::*;
    use Format::*;
    match o {
        MOVE => (false, true, R, N, Abc),
        LOADK => (false, true, K, N, Abx),
        LOADBOOL => (false, true, U, U, Abc),
        LOADNIL => (false, true, R, N, Abc),
        GETUPVAL => (false, true, U, N, Abc),
        GETGLOBAL => (false, true, K, N, Abx),
        GETTABLE => (false, true, R, K, Abc),
        SETGLOBAL => (false, false, K, N, Abx),
        SETUPVAL => (false, false, U, N, Abc),
        SETTABLE => (false, false, K, K, Abc),
        NEWTABLE => (false, true, U, U, Abc),
        SELF => (false, true, R, K, Abc),
        ADD..=POW => (false, true, K, K, Abc),
        UNM | NOT | LEN => (false, true, R, N, Abc),
        CONCAT => (false, true, R, R, Abc),
        JMP => (false, false, R, N, AsBx),
        EQ | LT | LE => (true, false, K, K, Abc),
        TEST | TESTSET => (true, true, R, U, Abc),
        CALL | TAILCALL => (false, true, U, U, Abc),
        RETURN => (false, false, U, N, Abc),
        FORLOOP | FORPREP => (false, true, R, N, AsBx),
        TFORLOOP => (true, false, N, U, Abc),
        SETLIST => (false, false, U, U, Abc),
        CLOSE => (false, false, N, N, Abc),
        CLOSURE => (false, true, U, N, Abx),
        _ => (false, true, U, N, Abc), // VARARG
    }
}

/// A local variable's name and the pcs where it is active (for debug information).
pub struct LocVar {
    pub name: Rc<[u8]>,
    pub startpc: u32,
    pub endpc: u32,
}

/// A compiled function: Lua 5.1's `Proto`.
pub struct Proto {
    pub code: Vec<u32>,
    pub lineinfo: Vec<u32>,
    /// Constants: numbers, strings (interned in the heap), booleans, nil.
    pub k: Vec<Value>,
    pub p: Vec<Rc<Proto>>,
    pub locvars: Vec<LocVar>,
    pub upvalue_names: Vec<Rc<[u8]>>,
    /// The chunk name as given (`@user_script`, `=stdin`, or the source itself).
    pub source: Rc<[u8]>,
    pub linedefined: u32,
    pub lastlinedefined: u32,
    pub nups: u8,
    pub numparams: u8,
    pub is_vararg: u8,
    pub maxstacksize: u8,
    /// The collection cycle that last marked this prototype's constants.
    pub mark: Cell<u32>,
}

impl Proto {
    /// The name of the `n`-th (1-based) active local variable at `pc`
    /// (`luaF_getlocalname`).
    pub fn local_name(&self, mut n: u32, pc: u32) -> Option<&[u8]> {
        for lv in &self.locvars {
            if lv.startpc > pc {
                break;
            }
            if pc < lv.endpc {
                n -= 1;
                if n == 0 {
                    return Some(&lv.name);
                }
            }
        }
        None
    }

    /// The line of the instruction at `pc`.
    pub fn line(&self, pc: usize) -> u32 {
        self.lineinfo.get(pc).copied().unwrap_or(0)
    }

    /// A listing in the spirit of `luac -l` (opcodes and raw operands), for tests and
    /// debugging the compiler.
    pub fn listing(&self) -> String {
        let mut s = String::new();
        self.list_into(&mut s);
        s
    }

    fn list_into(&self, s: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(
            s,
            "function <{}:{},{}> ({} instructions)",
            String::from_utf8_lossy(&self.source),
            self.linedefined,
            self.lastlinedefined,
            self.code.len()
        );
        let _ = writeln!(
            s,
            "{}{} params, {} slots, {} upvalues, {} locals, {} constants, {} functions",
            self.numparams,
            if self.is_vararg != 0 { "+" } else { "" },
            self.maxstacksize,
            self.nups,
            self.locvars.len(),
            self.k.len(),
            self.p.len()
        );
        for (pc, &i) in self.code.iter().enumerate() {
            let o = op(i);
            let name = OPNAMES.get(o as usize).copied().unwrap_or("?");
            let (_, _, bm, cm, fmt) = mode(o);
            let rk = |x: u32| {
                if is_k(x) {
                    -1 - index_k(x) as i64
                } else {
                    i64::from(x)
                }
            };
            let operands = match fmt {
                Format::Abc => {
                    let mut t = format!("{}", arg_a(i));
                    if bm != ArgMode::N {
                        let b = if bm == ArgMode::K {
                            rk(arg_b(i))
                        } else {
                            i64::from(arg_b(i))
                        };
                        let _ = write!(t, " {}", b);
                    }
                    if cm != ArgMode::N {
                        let c = if cm == ArgMode::K {
                            rk(arg_c(i))
                        } else {
                            i64::from(arg_c(i))
                        };
                        let _ = write!(t, " {}", c);
                    }
                    t
                }
                Format::Abx => {
                    if bm == ArgMode::K {
                        format!("{} {}", arg_a(i), -1 - i64::from(arg_bx(i)))
                    } else {
                        format!("{} {}", arg_a(i), arg_bx(i))
                    }
                }
                Format::AsBx => {
                    if o == JMP {
                        format!("{}", arg_sbx(i))
                    } else {
                        format!("{} {}", arg_a(i), arg_sbx(i))
                    }
                }
            };
            let _ = writeln!(
                s,
                "\t{}\t[{}]\t{:<9}\t{}",
                pc + 1,
                self.line(pc),
                name,
                operands
            );
        }
        for p in &self.p {
            s.push('\n');
            p.list_into(s);
        }
    }
}
