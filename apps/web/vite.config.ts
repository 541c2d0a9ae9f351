import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

/** Copies tfjs's wasm binaries next to index.html, where `setWasmPaths("./")` finds them from any static server. */
function tfjsWasmBinaries(): Plugin {
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  return {
    name: "tfjs-wasm-binaries",
    apply: "build",
    generateBundle() {
      for (const file of readdirSync(join(dist, "dist")).filter((f) => f.endsWith(".wasm"))) {
        this.emitFile({
          type: "asset",
          fileName: file,
          source: readFileSync(join(dist, "dist", file)),
        });
      }
    },
  };
}

export default defineConfig({
  // Relative asset paths, so dist works from any folder of any static file server.
  base: "./",
  build: { target: "es2022", chunkSizeWarningLimit: 4096 },
  plugins: [tfjsWasmBinaries()],
});
