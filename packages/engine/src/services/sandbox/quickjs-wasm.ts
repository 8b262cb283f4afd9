/**
 * The QuickJS WebAssembly binary, when it is built into the compiled worker: `scripts/build-sandbox-worker.ts`
 * replaces this module with the bytes, so the compiled worker needs no file beside it. Run from source it is
 * undefined and quickjs-emscripten reads its own `.wasm` file.
 */
export const embeddedQuickJsWasm: Uint8Array | undefined = undefined;
