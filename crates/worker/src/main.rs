//! The engine's Web Worker: trunk builds this binary with `data-type="worker"` (index.html),
//! and `engine-worker-loader.js` starts it. Everything it does is in the library: [`run`].
//!
//! [`run`]: keyspace_worker::run

fn main() {
    console_error_panic_hook::set_once();
    keyspace_worker::run();
}
