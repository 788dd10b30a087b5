//! The engine's Web Worker entry point: see `keyspace_playground::worker`.

fn main() {
    console_error_panic_hook::set_once();
    keyspace_playground::worker::run();
}
