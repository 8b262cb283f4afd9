/**
 * Compiles the Code sandbox's worker entry into one self-contained file, dist/sandbox-worker.mjs: the worker, its
 * modules, quickjs-emscripten and the QuickJS WebAssembly binary (embedded, so nothing is read beside the file). The
 * Next app's build copies it into its assets (start-worker.ts); tests and tsx run the TypeScript source instead.
 */
import type { Plugin } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);
const quickjs = require.resolve("quickjs-emscripten");
const wasmFile = createRequire(quickjs).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");

/** `quickjs-wasm.ts` becomes the binary's bytes. */
const embedWasm: Plugin = {
  name: "embed-quickjs-wasm",
  setup(builder) {
    builder.onResolve({ filter: /\/quickjs-wasm$/ }, () => ({
      path: "quickjs-wasm",
      namespace: "embedded",
    }));
    builder.onLoad({ filter: /.*/, namespace: "embedded" }, () => ({
      contents: `export const embeddedQuickJsWasm = new Uint8Array(Buffer.from(${JSON.stringify(
        readFileSync(wasmFile).toString("base64"),
      )}, "base64"));`,
      loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: [here("../src/services/sandbox/sandbox-worker.ts")],
  outfile: here("../dist/sandbox-worker.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  // CommonJS dependencies bundled into an ES module still call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
  },
  plugins: [embedWasm],
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`dist/sandbox-worker.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
