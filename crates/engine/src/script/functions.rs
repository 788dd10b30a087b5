//! Functions: Redis 7.0's libraries of Lua functions, loaded once with FUNCTION LOAD, called
//! by name with FCALL, and kept with the data.
//!
//! # Libraries
//!
//! A library is code whose first line names it, `#!lua name=mylib`, and whose body, run
//! once when it loads, registers functions:
//!
//! ```text
//! #!lua name=mylib
//! local function hset_now(keys, args)
//!   return redis.call('HSET', keys[1], args[1], redis.call('TIME')[1])
//! end
//! redis.register_function('hset_now', hset_now)
//! redis.register_function{function_name='peek', callback=function(keys) return
//!   redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads only'}
//! ```
//!
//! `FCALL hset_now 1 k field` then calls the function with KEYS and ARGV as its two arguments
//! (EVAL's scripts see them as globals). Function names are found in any case and are unique
//! across libraries; library names are exact. A function declares flags as an EVAL script
//! does in its shebang (`no-writes`, `allow-oom`, `allow-stale`, `no-cluster`,
//! `allow-cross-slot-keys`), but always: a function without `no-writes` is a write command
//! for MISCONF and OOM, and FCALL_RO refuses it. Code shared by a library's functions (the
//! local `hset_now` above) lives in the library's closures, so FUNCTION LOAD REPLACE swaps
//! the whole library: its code loads first, and only if it compiles, runs and registers at
//! least one function without clashing with another library's does it replace the old one.
//! Whatever goes wrong, the libraries stay as they were.
//!
//! # Two Lua states
//!
//! Redis keeps one Lua state for EVAL and another for functions, so that nothing an EVAL
//! script does (and SCRIPT FLUSH, which throws EVAL's state away) reaches a library. The
//! functions' state is set up once and never reset; FUNCTION FLUSH drops the libraries'
//! functions and lets the collector have them. Its environment differs from EVAL's in what it
//! hides:
//!
//! - the globals are an empty read-only table whose metatable (read-only too) sends reads to
//!   the real globals, themselves protected as EVAL's are: a function can neither create a
//!   global nor change one, and reaching the real table through `getmetatable(_G).__index`
//!   only finds it read-only;
//! - while a library's code runs, that `__index` points instead at a table holding only
//!   `redis` with `register_function`, `log`, its levels and the version: no `redis.call`
//!   (nothing may touch the data while loading), no `string`, no `math`, no `pcall`; any
//!   other name is `Script attempted to access nonexistent global variable`;
//! - at call time `redis` is the full API without `register_function` (and without EVAL's
//!   debugger calls), so registering from inside a function fails;
//! - the error handler is not a global (`__redis__err__handler` is EVAL's).
//!
//! [`super::function_lua`] builds that state. A function runs on the same machinery as an
//! EVAL script (`crate::script`): sliced, BUSY past `busy-reply-threshold` (naming FUNCTION
//! KILL), killed by FUNCTION KILL unless it wrote, its writes logged as their effects, and
//! FUNCTION STATS reports it meanwhile. Its errors name it: `script: hset_now, on
//! @user_function:3.`.
//!
//! # How a library loads
//!
//! [`Engine::create_library`] follows `functionsCreateWithLibraryCtx`: the first line is
//! read with redis-cli's quoting rules (`#!<engine> name=<name>`, nothing else), the name
//! checked (letters, digits, `_`), the engine must be `lua` in any case, the body compiled
//! as `@user_function` (the first line is left out but its newline kept, so line numbers are
//! the library's), then run to its end in one go, not sliced: it only registers functions.
//! Redis gives it 500 ms (`FUNCTION LOAD timeout`), checked every 100,000 instructions; a
//! library loaded from the log or a snapshot has no time limit there. Here both also stop
//! after [`LOAD_INSTRUCTION_LIMIT`] instructions, so that a clock that does not move (a
//! test's, a scenario's) or a hostile file cannot hang the host.
//!
//! # Persistence
//!
//! A library is kept as its code, shebang included, nothing else: its functions come back
//! by loading it again. Snapshots hold each library as an `RDB_OPCODE_FUNCTION2` (0xF5)
//! followed by the code as an RDB string, after the AUX fields and before the first
//! database, as Redis 7.0 writes them; the loader also reads the opcode of the 7.0 release
//! candidates (0xF6: name, engine, a description and the body, put back together as
//! `#!<engine> name=<name>`). FUNCTION DUMP is those records alone with DUMP's footer (the
//! RDB version and a CRC-64), so payloads pass between this engine and redis-server both
//! ways. FUNCTION LOAD, DELETE, FLUSH and RESTORE are write commands, logged as sent; a
//! rewrite's base snapshot holds the libraries. FLUSHALL keeps them; DEBUG RELOAD and a
//! start load them with the keys, and a snapshot that cannot be loaded whole (a library that
//! no longer compiles, one that clashes with those already there under NOFLUSH) changes
//! nothing.

use std::collections::HashMap;

use indexmap::IndexMap;
use keyspace_lua::{Execution, Lua, Pin, Step, Value};

use super::convert;
use super::function_lua::{FunctionLua, CHUNK_NAME};
use crate::engine::Engine;
use crate::error::Error;
use crate::memory;

/// How long a library's code may run while FUNCTION LOAD waits (Redis's `LOAD_TIMEOUT_MS`).
pub const LOAD_TIMEOUT_MS: u64 = 500;

/// Instructions between two looks at the load's clock (Redis's hook runs every 100,000).
const LOAD_CHECK_INSTRUCTIONS: u64 = 100_000;

/// Instructions after which a library's load stops whatever the clock says: about half a
/// second of Lua here (see "How a library loads").
pub const LOAD_INSTRUCTION_LIMIT: u64 = 100_000_000;

/// The only engine: Redis registers it as `LUA` and finds it in any case.
pub const ENGINE_NAME: &str = "LUA";

/// A registered function (Redis's `functionInfo`).
pub(crate) struct Function {
    pub name: String,
    pub description: Option<Vec<u8>>,
    /// [`super::flags`] bits.
    pub flags: u32,
    /// The Lua function, kept alive in the functions' state.
    pub callback: Pin,
}

/// A library: its name, its code as loaded (the `#!lua` line included: what FUNCTION LIST
/// WITHCODE, FUNCTION DUMP and snapshots give back) and its functions in registration order.
pub(crate) struct Library {
    pub name: String,
    pub code: Vec<u8>,
    pub functions: Vec<Function>,
}

/// A set of libraries and the index of their functions (Redis's `functionsLibCtx`): the
/// current one, or one being filled by FUNCTION RESTORE or a snapshot before it joins.
#[derive(Default)]
pub(crate) struct Libraries {
    libraries: IndexMap<String, Library>,
    /// Every function by lower-case name: the library holding it. Two functions of one
    /// library whose names differ only in case are both listed and counted, but only the
    /// first is called, as in Redis, whose index keeps the first.
    index: HashMap<String, String>,
    /// The index's buckets, which grow with it and shrink only when it is emptied (Redis's
    /// dict: a deleted library leaves them), for `used_memory_functions`. While Redis's dict
    /// rehashes after growing it counts both tables, for a while that depends on its hash
    /// seed, chosen at random at start: that is not modelled.
    buckets: usize,
    /// What the libraries and their functions hold, kept as they come and go: `used_memory`
    /// reads it on every command.
    bytes: usize,
}

impl Libraries {
    pub fn iter(&self) -> impl Iterator<Item = &Library> {
        self.libraries.values()
    }

    pub fn library(&self, name: &str) -> Option<&Library> {
        self.libraries.get(name)
    }

    /// The function FCALL names, in any case.
    pub fn function(&self, name: &[u8]) -> Option<&Function> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        let library = self.libraries.get(self.index.get(&lower)?)?;
        library
            .functions
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(&lower))
    }

    /// `number_of_libraries`.
    pub fn library_count(&self) -> usize {
        self.libraries.len()
    }

    /// FUNCTION STATS' `functions_count`: every library's functions.
    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|l| l.functions.len()).sum()
    }

    /// `number_of_functions`: the functions FCALL can reach.
    pub fn indexed_count(&self) -> usize {
        self.index.len()
    }

    /// A function of `library` whose name another library than `except` holds already: the
    /// clash that refuses it.
    fn clash<'a>(&self, library: &'a Library, except: Option<&str>) -> Option<&'a Function> {
        library.functions.iter().find(|f| {
            self.index
                .get(&f.name.to_ascii_lowercase())
                .is_some_and(|owner| Some(owner.as_str()) != except)
        })
    }

    /// Adds `library`, in the place of the one of the same name if there is one, which is
    /// returned.
    fn link(&mut self, library: Library) -> Option<Library> {
        let old = self.libraries.get(&library.name).map(|l| l.name.clone());
        if let Some(name) = &old {
            self.unindex(name);
        }
        for f in &library.functions {
            self.index
                .entry(f.name.to_ascii_lowercase())
                .or_insert_with(|| library.name.clone());
        }
        self.buckets = self.buckets.max(memory::dict_buckets(self.index.len()));
        self.bytes += library_bytes(&library);
        let old = self.libraries.insert(library.name.clone(), library);
        self.bytes -= old.as_ref().map_or(0, library_bytes);
        old
    }

    /// Takes a library out.
    fn unlink(&mut self, name: &str) -> Option<Library> {
        self.unindex(name);
        let old = self.libraries.shift_remove(name);
        self.bytes -= old.as_ref().map_or(0, library_bytes);
        old
    }

    fn unindex(&mut self, name: &str) {
        self.index.retain(|_, owner| owner != name);
    }

    /// Redis's `libraryJoin` check: whether `other` can join these libraries, replacing
    /// those of the same name when `replace`, with Redis's texts.
    fn check_join(&self, other: &Libraries, replace: bool) -> Result<(), Error> {
        if !replace {
            if let Some(l) = other.iter().find(|l| self.libraries.contains_key(&l.name)) {
                return Err(Error::LibraryExistsOnRestore(l.name.clone()));
            }
        }
        for library in other.iter() {
            let clash = library.functions.iter().find(|f| {
                self.index
                    .get(&f.name.to_ascii_lowercase())
                    .is_some_and(|owner| !(replace && other.libraries.contains_key(owner)))
            });
            if let Some(f) = clash {
                return Err(Error::FunctionExists(f.name.clone()));
            }
        }
        Ok(())
    }

    /// The bytes Redis counts for these libraries in `used_memory_functions` beyond an empty
    /// set (`functionsMemoryOverhead`): the function index's entries and buckets, and what
    /// each library holds ([`library_bytes`]).
    pub fn memory_overhead(&self) -> usize {
        DICT_ENTRY * self.index.len() + 8 * self.buckets + self.bytes
    }
}

/// A library's struct, name and code, and each of its functions' struct, name, description
/// and Lua reference, at jemalloc's sizes.
fn library_bytes(library: &Library) -> usize {
    let functions: usize = library
        .functions
        .iter()
        .map(|f| {
            FUNCTION_INFO
                + memory::sds_alloc(f.name.len())
                + f.description
                    .as_ref()
                    .map_or(0, |d| memory::sds_alloc(d.len()))
                + LUA_FUNCTION_REF
        })
        .sum();
    LIBRARY_INFO
        + memory::sds_alloc(library.name.len())
        + memory::sds_alloc(library.code.len())
        + functions
}

/// `sizeof(dictEntry)`, which Redis counts here rather than the entry's allocation.
const DICT_ENTRY: usize = 24;
/// `functionInfo` and `functionLibInfo` as allocated, and the Lua reference a function holds.
const FUNCTION_INFO: usize = 48;
const LIBRARY_INFO: usize = 32;
const LUA_FUNCTION_REF: usize = 8;

/// `used_memory_functions` with no library: the engines' dict, the empty libraries context,
/// the Lua engine's structs.
pub const FUNCTIONS_MEMORY_EMPTY: usize = 200;

/// The functions engine: its Lua state, the libraries, and the library being loaded.
#[derive(Default)]
pub(crate) struct Functions {
    /// Created on first use (Redis creates it at start: INFO reports a fresh one's size
    /// until then).
    pub lua: Option<FunctionLua>,
    pub current: Libraries,
    /// The functions `redis.register_function` has registered so far, while a library's code
    /// runs.
    pub loading: Option<Vec<Function>>,
}

/// A library's first line, read (`functionExtractLibMetaData`): its engine, its name, and
/// where its body starts (at the line's newline).
struct Metadata {
    engine: Vec<u8>,
    name: Vec<u8>,
    body: usize,
}

fn metadata(code: &[u8]) -> Result<Metadata, Error> {
    if !code.starts_with(b"#!") {
        return Err(Error::LibraryMetadataMissing);
    }
    // Redis looks for the newline with `strchr`, which stops at a NUL.
    let end = code
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .filter(|&i| code[i] == b'\n')
        .ok_or(Error::LibraryMetadataInvalid)?;
    let parts = crate::cli::split_args(&code[..end])
        .filter(|parts| !parts.is_empty())
        .ok_or(Error::LibraryMetadataInvalid)?;
    let engine = parts[0].get(2..).unwrap_or_default().to_vec();
    let mut name = None;
    for part in &parts[1..] {
        match part.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case(b"name=") => {
                if name.is_some() {
                    return Err(Error::LibraryNameTwice);
                }
                name = Some(part[5..].to_vec());
            }
            _ => {
                return Err(Error::LibraryMetadataValue(crate::spec::truncated(
                    part,
                    usize::MAX,
                )))
            }
        }
    }
    Ok(Metadata {
        engine,
        name: name.ok_or(Error::LibraryNameMissing)?,
        body: end,
    })
}

/// A library or function name as Redis takes it: letters, digits and `_`, at least one.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Where a library's code comes from: a client waits for it (500 ms at most), or the log or
/// a snapshot is being loaded (no time limit).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadSource {
    Client,
    Persistence,
}

impl Engine {
    /// The functions' Lua state and its pins, created on first use.
    pub(crate) fn function_lua(&mut self) -> &mut FunctionLua {
        self.scripting
            .functions
            .lua
            .get_or_insert_with(FunctionLua::new)
    }

    /// FUNCTION LOAD (`functionsCreateWithLibraryCtx`) into `target`: the library's name, or
    /// why it was refused (`target` then as it was). With `replace`, a library of the same
    /// name is replaced.
    pub(crate) fn create_library(
        &mut self,
        target: &mut Libraries,
        code: &[u8],
        replace: bool,
        source: LoadSource,
    ) -> Result<String, Error> {
        let meta = metadata(code)?;
        if !valid_name(&meta.name) {
            return Err(Error::LibraryNameFormat);
        }
        if !meta.engine.eq_ignore_ascii_case(ENGINE_NAME.as_bytes()) {
            return Err(Error::EngineNotFound(
                String::from_utf8_lossy(&meta.engine).into_owned(),
            ));
        }
        let name = String::from_utf8_lossy(&meta.name).into_owned();
        if !replace && target.library(&name).is_some() {
            return Err(Error::LibraryExists(name));
        }
        let functions = self.run_library_code(&code[meta.body..], source)?;
        let mut library = Library {
            name: name.clone(),
            code: code.to_vec(),
            functions,
        };
        let refusal = if library.functions.is_empty() {
            Some(Error::NoFunctionsRegistered)
        } else {
            target
                .clash(&library, Some(&name))
                .map(|f| Error::FunctionExists(f.name.clone()))
        };
        if let Some(error) = refusal {
            self.release(&mut library);
            return Err(error);
        }
        if let Some(mut old) = target.link(library) {
            self.release(&mut old);
        }
        Ok(name)
    }

    /// Compiles a library's body and runs it with the library API in view
    /// (`luaEngineCreate`): the functions it registered, or Redis's error.
    fn run_library_code(
        &mut self,
        body: &[u8],
        source: LoadSource,
    ) -> Result<Vec<Function>, Error> {
        let state = self.function_lua();
        // Out of its place only while a function runs, which no library load interrupts.
        let Some(mut lua) = state.lua.take() else {
            return Err(Error::FunctionRegistration("ERR execution failure".into()));
        };
        state.show_library_api(&mut lua, true);
        let result = match lua.load(body, CHUNK_NAME) {
            Ok(chunk) => {
                self.scripting.functions.loading = Some(Vec::new());
                let ran = self.run_to_end(&mut lua, chunk, source);
                let functions = self.scripting.functions.loading.take().unwrap_or_default();
                match ran {
                    Ok(()) => Ok(functions),
                    Err(e) => {
                        for f in functions {
                            lua.unpin(f.callback);
                        }
                        Err(e)
                    }
                }
            }
            Err(e) => Err(Error::FunctionCompile(lua.error_text(e))),
        };
        if let Some(state) = self.scripting.functions.lua.as_mut() {
            state.show_library_api(&mut lua, false);
            state.lua = Some(lua);
        }
        result
    }

    /// Runs a library's chunk to its end, stopping it at the load's limits.
    fn run_to_end(&mut self, lua: &mut Lua, chunk: Value, source: LoadSource) -> Result<(), Error> {
        let failed = |lua: &mut Lua, value: Value| {
            Error::FunctionRegistration(convert::failure(lua, value).message)
        };
        let mut exec: Execution = lua
            .call(chunk, &[])
            .map_err(|e| Error::FunctionRegistration(format!("ERR {}", lua.error_text(e))))?;
        let start_us = self.clock.elapsed_us();
        let mut instructions = 0;
        loop {
            match lua.resume(&mut exec, self, LOAD_CHECK_INSTRUCTIONS) {
                Step::Done(_) => return Ok(()),
                Step::Error(value) => return Err(failed(lua, value)),
                Step::Paused => {}
            }
            instructions += LOAD_CHECK_INSTRUCTIONS;
            let elapsed_ms = self.clock.elapsed_us().saturating_sub(start_us) / 1000;
            let timed_out = source == LoadSource::Client && elapsed_ms > LOAD_TIMEOUT_MS;
            if timed_out || instructions >= LOAD_INSTRUCTION_LIMIT {
                lua.kill(exec);
                return Err(Error::FunctionRegistration(
                    "ERR FUNCTION LOAD timeout".into(),
                ));
            }
        }
    }

    /// Lets a library's functions go: the collector may take them.
    fn release(&mut self, library: &mut Library) {
        if let Some(lua) = self
            .scripting
            .functions
            .lua
            .as_mut()
            .and_then(|s| s.lua.as_mut())
        {
            for f in library.functions.drain(..) {
                lua.unpin(f.callback);
            }
        }
    }

    pub(crate) fn release_all(&mut self, libraries: &mut Libraries) {
        for library in libraries.libraries.values_mut() {
            self.release(library);
        }
    }

    /// FUNCTION DELETE: the library taken out, or None.
    pub(crate) fn delete_library(&mut self, name: &str) -> bool {
        match self.scripting.functions.current.unlink(name) {
            Some(mut library) => {
                self.release(&mut library);
                true
            }
            None => false,
        }
    }

    /// FUNCTION FLUSH: every library gone (Redis's `functionsLibCtxClearCurrent`), freed in
    /// the background when `lazy` and there are many (`crate::lazyfree`); the Lua state
    /// stays.
    pub(crate) fn flush_functions(&mut self, lazy: bool) {
        let mut old = std::mem::take(&mut self.scripting.functions.current);
        let (functions, memory) = (old.function_count(), old.memory_overhead());
        self.release_all(&mut old);
        self.free_functions(old, functions, memory, lazy);
    }

    /// Loads library codes (from a FUNCTION RESTORE payload or a snapshot) into a set of
    /// their own, with no time limit; with `replace` a later library replaces an earlier
    /// one of the same name. Redis's error for the first that fails.
    pub(crate) fn load_libraries(
        &mut self,
        codes: &[Vec<u8>],
        replace: bool,
    ) -> Result<Libraries, Error> {
        let mut libraries = Libraries::default();
        for code in codes {
            if let Err(e) =
                self.create_library(&mut libraries, code, replace, LoadSource::Persistence)
            {
                self.release_all(&mut libraries);
                return Err(e);
            }
        }
        Ok(libraries)
    }

    /// Whether `libraries` can join the current ones (Redis's `libraryJoin`, which
    /// [`Engine::join_libraries`] then does).
    pub(crate) fn check_join(&self, libraries: &Libraries, replace: bool) -> Result<(), Error> {
        self.scripting
            .functions
            .current
            .check_join(libraries, replace)
    }

    /// Adds `libraries` to the current ones, replacing those of the same name; checked by
    /// [`Engine::check_join`] first.
    pub(crate) fn join_libraries(&mut self, libraries: Libraries) {
        for library in libraries.libraries.into_values() {
            if let Some(mut old) = self.scripting.functions.current.link(library) {
                self.release(&mut old);
            }
        }
    }

    /// Puts `libraries` in place of the current ones.
    pub(crate) fn replace_libraries(&mut self, libraries: Libraries) {
        let mut old = std::mem::replace(&mut self.scripting.functions.current, libraries);
        self.release_all(&mut old);
    }

    /// The flags of the function `argv[1]` names, for FCALL's command flags.
    pub(crate) fn function_flags(&self, argv: &[Vec<u8>]) -> Option<u32> {
        let name = argv.get(1)?;
        self.scripting
            .functions
            .current
            .function(name)
            .map(|f| f.flags)
    }

    /// Sets up a call of `callback` with KEYS and ARGV as its arguments, under the error
    /// handler, in the functions' state.
    pub(crate) fn function_execution(
        &mut self,
        callback: Value,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
    ) -> keyspace_lua::Result<Execution> {
        let state = self.function_lua();
        let (runner, handler) = (&state.runner, &state.handler);
        let Some(lua) = state.lua.as_mut() else {
            return Err(keyspace_lua::Error::Memory);
        };
        let (runner, handler) = (lua.pinned(runner), lua.pinned(handler));
        let keys = super::run::array(lua, keys)?;
        let args = super::run::array(lua, args)?;
        lua.call(runner, &[callback, handler, keys, args])
    }

    /// `used_memory_functions` (Redis's `functionsMemoryOverhead`).
    pub(crate) fn functions_memory(&self) -> usize {
        FUNCTIONS_MEMORY_EMPTY + self.scripting.functions.current.memory_overhead()
    }

    /// `used_memory_vm_functions`: the functions' Lua heap (a fresh state's figure in Redis
    /// until ours exists).
    pub(crate) fn functions_vm_memory(&self) -> usize {
        self.scripting
            .functions
            .lua
            .as_ref()
            .and_then(|s| s.lua.as_ref())
            .map_or(FRESH_FUNCTIONS_VM, Lua::used_memory)
    }
}

/// `used_memory_vm_functions` of a redis-server 7.0 that never loaded a library.
const FRESH_FUNCTIONS_VM: usize = 33_792;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_read_as_redis_reads_it() {
        let read = |code: &[u8]| metadata(code).map(|m| (m.engine, m.name, m.body));
        assert_eq!(
            read(b"#!lua name=lib\nreturn"),
            Ok((b"lua".to_vec(), b"lib".to_vec(), 14))
        );
        assert_eq!(
            read(b"#!LUA NAME=\"a b\"\n"),
            Ok((b"LUA".to_vec(), b"a b".to_vec(), 16))
        );
        assert_eq!(
            read(b"lua name=x\n").err(),
            Some(Error::LibraryMetadataMissing)
        );
        assert_eq!(
            read(b"#!lua name=x").err(),
            Some(Error::LibraryMetadataInvalid)
        );
        assert_eq!(
            read(b"#!lua \0name=x\n").err(),
            Some(Error::LibraryMetadataInvalid)
        );
        assert_eq!(
            read(b"#!lua name=\"x\n").err(),
            Some(Error::LibraryMetadataInvalid)
        );
        assert_eq!(read(b"#!lua\n").err(), Some(Error::LibraryNameMissing));
        assert_eq!(
            read(b"#!lua name=a name=b\n").err(),
            Some(Error::LibraryNameTwice)
        );
        assert_eq!(
            read(b"#!lua name=a x=y\n").err(),
            Some(Error::LibraryMetadataValue("x=y".into()))
        );
    }

    #[test]
    fn names_are_letters_digits_and_underscores() {
        assert!(valid_name(b"lib_1"));
        assert!(!valid_name(b""));
        assert!(!valid_name(b"a-b"));
        assert!(!valid_name(b"a\0b"));
    }
}
