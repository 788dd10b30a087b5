// Starts the engine's Web Worker: wasm-bindgen's no-modules glue (engine-worker.js, built by
// trunk from crates/worker's engine-worker binary) and its wasm, both beside this file.
importScripts("./engine-worker.js");
wasm_bindgen({ module_or_path: "./engine-worker_bg.wasm" });
