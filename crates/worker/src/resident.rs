//! The worker's resident memory for INFO's `used_memory_rss`: the size of the WebAssembly
//! memory the engine runs in. It only grows (WebAssembly has no way to give pages back), so it
//! is the high-water mark of everything the worker ever held at once, the keyspace and what
//! was built beside it (snapshots, replies), which is what the tab costs the browser.

use keyspace::ResidentMemory;

/// Bytes in one WebAssembly page.
#[cfg(target_arch = "wasm32")]
const WASM_PAGE: u64 = 65_536;

/// Measures memory 0, the one Rust's allocator grows.
pub struct WasmMemory;

impl ResidentMemory for WasmMemory {
    fn resident_bytes(&self) -> Option<u64> {
        // Built natively (the worker's native tests) there is no WebAssembly memory: the
        // engine then reports its model.
        #[cfg(target_arch = "wasm32")]
        return Some(core::arch::wasm32::memory_size(0) as u64 * WASM_PAGE);
        #[cfg(not(target_arch = "wasm32"))]
        None
    }
}
