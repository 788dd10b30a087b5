//! Lua values as the VM and the host see them: a 16-byte `Copy` enum whose collectable
//! variants are indices into the heap's arenas (the `gc` module).
//!
//! Because a value is only an index, copying one costs nothing and the VM never touches a
//! reference count; the price is that a value held outside the Lua state is not a root. The
//! host keeps a value across a run of Lua code by pinning it ([`crate::Lua::pin`]); between
//! runs (no code running, no collection asked for) any value it holds stays valid.

use std::fmt;

/// A string object: an interned byte string (Lua strings are bytes, not UTF-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StrRef(pub(crate) u32);

/// A table object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableRef(pub(crate) u32);

/// A function: a Lua closure or a native function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncRef(pub(crate) u32);

/// A coroutine (a Lua thread).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThreadRef(pub(crate) u32);

/// A full userdata, as `newproxy` makes them: no payload, an optional metatable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserDataRef(pub(crate) u32);

/// An upvalue cell shared by closures (never a Lua value itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct UpValRef(pub(crate) u32);

/// A Lua 5.1 value. Numbers are `f64` only, as in Lua 5.1.
///
/// `PartialEq` is Lua's raw equality (`rawequal`): numbers by value (so `NaN ~= NaN` and
/// `0 == -0`), everything else by identity; strings are interned, so identity is content.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Num(f64),
    Str(StrRef),
    Table(TableRef),
    Func(FuncRef),
    Thread(ThreadRef),
    UserData(UserDataRef),
    /// A light userdata: a bare pointer-sized value (`cjson.null` is the null one).
    LightUserData(usize),
}

/// The types of Lua 5.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Nil,
    Boolean,
    Number,
    String,
    Table,
    Function,
    Thread,
    UserData,
    LightUserData,
}

impl Type {
    /// The name `type()` returns and error messages use.
    pub fn name(self) -> &'static str {
        match self {
            Type::Nil => "nil",
            Type::Boolean => "boolean",
            Type::Number => "number",
            Type::String => "string",
            Type::Table => "table",
            Type::Function => "function",
            Type::Thread => "thread",
            Type::UserData | Type::LightUserData => "userdata",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Value {
    pub fn type_of(&self) -> Type {
        match self {
            Value::Nil => Type::Nil,
            Value::Bool(_) => Type::Boolean,
            Value::Num(_) => Type::Number,
            Value::Str(_) => Type::String,
            Value::Table(_) => Type::Table,
            Value::Func(_) => Type::Function,
            Value::Thread(_) => Type::Thread,
            Value::UserData(_) => Type::UserData,
            Value::LightUserData(_) => Type::LightUserData,
        }
    }

    pub fn type_name(&self) -> &'static str {
        self.type_of().name()
    }

    /// Lua truth: everything but `nil` and `false` is true.
    #[inline]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    #[inline]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Num(n)
    }
}

impl From<TableRef> for Value {
    fn from(t: TableRef) -> Value {
        Value::Table(t)
    }
}

impl From<StrRef> for Value {
    fn from(s: StrRef) -> Value {
        Value::Str(s)
    }
}

impl From<FuncRef> for Value {
    fn from(f: FuncRef) -> Value {
        Value::Func(f)
    }
}
