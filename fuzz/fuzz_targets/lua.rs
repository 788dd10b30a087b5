//! Arbitrary source to the Lua compiler, and whatever compiles run under a budget of
//! instructions and a memory limit, in Redis's environment: a syntax error, a Lua error,
//! a pause are all fine; a panic, an abort or a hang are not. A paused script is killed
//! and the state must then run another.
#![no_main]

use keyspace_lua::{Lua, Step};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &[u8]| {
    let mut lua = Lua::new();
    if lua.open_redis().is_err() {
        return;
    }
    lua.set_memory_limit(Some(16 << 20));
    let Ok(f) = lua.load(src, "@user_script") else { return };
    let Ok(mut exec) = lua.call(f, &[]) else { return };
    let mut finished = false;
    for _ in 0..20 {
        match lua.resume(&mut exec, &mut (), 50_000) {
            Step::Paused => {}
            Step::Done(_) | Step::Error(_) => {
                finished = true;
                break;
            }
        }
    }
    if !finished {
        lua.kill(exec);
    }
    lua.collect();
    let after = lua.load(b"return 1 + 1", "=after").expect("compiles");
    assert!(lua.call_sync(after, &[], &mut ()).is_ok(), "the state is usable after any script");
});
