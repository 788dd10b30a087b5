//! Native functions: the context they run in ([`Ctx`]) and the protocol by which the
//! libraries' functions that call back into Lua stay resumable.
//!
//! A native function runs to completion on the Rust stack, but it never calls Lua
//! recursively. A library function that needs Lua code to run (`pcall`, `table.sort` with a
//! comparator, `string.gsub` with a function, `tostring` with `__tostring`...) returns a
//! `Flow::Call` holding a continuation (`Cont`): the VM calls the function as it would
//! from bytecode, and when that call returns it hands the results to the continuation, which
//! goes on. Long loops inside natives (sorting, pattern matching) return `Flow::Again` to
//! let the VM check the instruction budget. The VM can therefore pause anywhere and resume
//! later without a Rust stack to keep.
//!
//! Host natives (the engine's `redis.call`) are plain: they read their arguments, push their
//! results and return how many, synchronously.

use std::any::Any;

use crate::error::{Error, Result};
use crate::number;
use crate::value::{StrRef, TableRef, ThreadRef, Value};
use crate::Lua;

/// A host function: reads its arguments from the context, pushes its results with
/// [`Ctx::push`] and returns how many it pushed.
pub type HostFn = fn(&mut Ctx<'_>) -> Result<usize>;

pub(crate) type BuiltinFn = fn(&mut Ctx<'_>) -> Result<Flow>;

/// The code of a native function.
#[derive(Clone, Copy)]
pub(crate) enum NativeFn {
    Host(HostFn),
    Builtin(BuiltinFn),
}

/// What a library native asks the VM to do next.
pub(crate) enum Flow {
    /// Return the `n` values on top of the stack.
    Return(usize),
    /// Call the function below the `nargs` values on top of the stack, asking for
    /// `nresults` results (-1: all), then resume `cont` with them.
    Call {
        cont: Cont,
        nargs: usize,
        nresults: i32,
    },
    /// Yield the `n` values on top of the stack from the running coroutine.
    Yield(usize),
    /// Resume coroutine `co` with the `nargs` values on top of the stack; `cont` gets what
    /// it yields or returns.
    Resume {
        co: ThreadRef,
        nargs: usize,
        cont: Cont,
    },
    /// Not finished: let the VM check its budget, then resume `cont` with no results.
    Again(Cont),
}

/// The suspended state of a library native waiting for a call it made.
pub(crate) enum Cont {
    /// `pcall`: results become `true, ...`; an error is caught here. `ccalls` is the C-call
    /// depth to restore when catching.
    Pcall { ccalls: u32 },
    /// `xpcall`: as `pcall`, and an error first goes through the handler (argument 2).
    Xpcall { ccalls: u32 },
    /// `load`'s reader function: its pieces are gathered (the source so far, the chunk
    /// name); an error while reading is caught here and `load` returns `nil, message`, as
    /// C Lua's protected parser does.
    Load {
        ccalls: u32,
        read: Box<(Vec<u8>, Vec<u8>)>,
    },
    /// `coroutine.resume` (or a `coroutine.wrap` function when `wrap`): gets the values the
    /// coroutine yields or returns; `failed` once the coroutine raised an error.
    Resume { wrap: bool, failed: bool },
    /// A library native's own state machine.
    Lib(Box<crate::stdlib::LibCont>),
}

impl Cont {
    /// Values the continuation holds that the collector must keep.
    pub(crate) fn trace(&self, mark: &mut dyn FnMut(Value)) {
        if let Cont::Lib(c) = self {
            c.trace(mark);
        }
    }
}

/// The context of a native call: the state, the host's context, the arguments.
///
/// Arguments are numbered from 1 as in Lua. Values created here stay valid while the native
/// runs (no collection happens inside a native).
pub struct Ctx<'a> {
    pub lua: &'a mut Lua,
    pub host: &'a mut dyn Any,
    pub(crate) base: usize,
    pub(crate) nargs: usize,
}

impl<'a> Ctx<'a> {
    /// The host context passed to [`Lua::resume`], if it has type `T`.
    pub fn host<T: 'static>(&mut self) -> Option<&mut T> {
        self.host.downcast_mut::<T>()
    }

    /// How many arguments the function got.
    pub fn nargs(&self) -> usize {
        self.nargs
    }

    /// Argument `n` (from 1); `Nil` when absent.
    pub fn arg(&self, n: usize) -> Value {
        if n >= 1 && n <= self.nargs {
            self.lua.th.stack[self.base + n - 1]
        } else {
            Value::Nil
        }
    }

    /// All the arguments.
    pub fn args(&self) -> Vec<Value> {
        self.lua.th.stack[self.base..self.base + self.nargs].to_vec()
    }

    pub(crate) fn set_arg(&mut self, n: usize, v: Value) {
        self.lua.th.stack[self.base + n - 1] = v;
    }

    /// Upvalue `n` (from 1) of the running native function.
    pub fn upvalue(&self, n: usize) -> Value {
        let Some(frame) = self.lua.th.frames.last() else {
            return Value::Nil;
        };
        match self.lua.heap.func(frame.closure()) {
            crate::gc::Function::Native(c) => {
                c.upvals.get(n.wrapping_sub(1)).copied().unwrap_or_default()
            }
            crate::gc::Function::Lua(_) => Value::Nil,
        }
    }

    /// Pushes a result (or a scratch value).
    pub fn push(&mut self, v: Value) {
        self.lua.push(v);
    }

    /// The stack position just past everything pushed so far.
    pub(crate) fn top(&self) -> usize {
        self.lua.th.top
    }

    /// A Lua error with the message prefixed by the caller's position, as `luaL_error`.
    pub fn error(&mut self, msg: impl AsRef<[u8]>) -> Error {
        let mut m = self.lua.where_(1);
        m.extend_from_slice(msg.as_ref());
        self.lua.error_from_bytes(m)
    }

    /// `bad argument #n to 'name' (msg)`, as `luaL_argerror`.
    pub fn arg_error(&mut self, n: usize, msg: &str) -> Error {
        let (namewhat, name) = self.lua.current_func_name();
        let mut n = n;
        let name = name.unwrap_or_else(|| b"?".to_vec());
        if namewhat == "method" {
            n -= 1;
            if n == 0 {
                let mut m = b"calling '".to_vec();
                m.extend_from_slice(&name);
                m.extend_from_slice(format!("' on bad self ({})", msg).as_bytes());
                return self.error(m);
            }
        }
        let mut m = format!("bad argument #{} to '", n).into_bytes();
        m.extend_from_slice(&name);
        m.extend_from_slice(format!("' ({})", msg).as_bytes());
        self.error(m)
    }

    /// `T expected, got U`, as `luaL_typerror`.
    pub fn type_error(&mut self, n: usize, expected: &str) -> Error {
        let got = if n > self.nargs {
            "no value"
        } else {
            self.arg(n).type_name()
        };
        let msg = format!("{} expected, got {}", expected, got);
        self.arg_error(n, &msg)
    }

    /// `luaL_checkany`.
    pub fn check_any(&mut self, n: usize) -> Result<Value> {
        if n > self.nargs {
            return Err(self.arg_error(n, "value expected"));
        }
        Ok(self.arg(n))
    }

    /// `luaL_checktable`.
    pub fn check_table(&mut self, n: usize) -> Result<TableRef> {
        match self.arg(n) {
            Value::Table(t) => Ok(t),
            _ => Err(self.type_error(n, "table")),
        }
    }

    /// `luaL_checknumber`: numbers, and strings that convert.
    pub fn check_num(&mut self, n: usize) -> Result<f64> {
        match self.lua.to_number(self.arg(n)) {
            Some(x) => Ok(x),
            None => Err(self.type_error(n, "number")),
        }
    }

    /// `luaL_optnumber`.
    pub fn opt_num(&mut self, n: usize, default: f64) -> Result<f64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_num(n)
        }
    }

    /// `luaL_checkinteger`: the number truncated as C's `(long)` cast does.
    pub fn check_integer(&mut self, n: usize) -> Result<i64> {
        self.check_num(n).map(number::c_long)
    }

    /// `luaL_checkint`: `(int)` of the integer.
    pub fn check_int(&mut self, n: usize) -> Result<i32> {
        self.check_num(n).map(number::c_int)
    }

    /// `luaL_optint`.
    pub fn opt_int(&mut self, n: usize, default: i32) -> Result<i32> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_int(n)
        }
    }

    /// `luaL_optinteger`.
    pub fn opt_integer(&mut self, n: usize, default: i64) -> Result<i64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_integer(n)
        }
    }

    /// `luaL_checklstring`: strings, and numbers, which are converted in place.
    pub fn check_str(&mut self, n: usize) -> Result<StrRef> {
        match self.arg(n) {
            Value::Str(s) => Ok(s),
            Value::Num(x) => {
                let s = self.lua.num_to_str(x)?;
                if n <= self.nargs {
                    self.set_arg(n, Value::Str(s));
                }
                Ok(s)
            }
            _ => Err(self.type_error(n, "string")),
        }
    }

    /// `luaL_optlstring`: `None` when the argument is nil or absent.
    pub fn opt_str(&mut self, n: usize) -> Result<Option<StrRef>> {
        if self.arg(n).is_nil() {
            Ok(None)
        } else {
            self.check_str(n).map(Some)
        }
    }

    /// The bytes of a string argument (checked as [`Ctx::check_str`]).
    pub fn check_bytes(&mut self, n: usize) -> Result<std::rc::Rc<[u8]>> {
        let s = self.check_str(n)?;
        Ok(self.lua.heap.str_rc(s))
    }

    /// A new string value.
    pub fn string(&mut self, bytes: impl AsRef<[u8]>) -> Result<Value> {
        self.lua.create_string(bytes)
    }

    /// `luaL_checkoption`.
    pub fn check_option(
        &mut self,
        n: usize,
        default: Option<&str>,
        options: &[&str],
    ) -> Result<usize> {
        let name: Vec<u8> = match (self.arg(n), default) {
            (Value::Nil, Some(d)) => d.as_bytes().to_vec(),
            _ => {
                let s = self.check_str(n)?;
                self.lua.heap.str(s).to_vec()
            }
        };
        match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
            Some(i) => Ok(i),
            None => {
                let mut msg = b"invalid option '".to_vec();
                msg.extend_from_slice(&name);
                msg.push(b'\'');
                let msg = String::from_utf8_lossy(&msg).into_owned();
                Err(self.arg_error(n, &msg))
            }
        }
    }
}
