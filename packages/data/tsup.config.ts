import { defineConfig } from "tsup";

export default defineConfig({
  // The worker entry is loaded by path from dist/ when `workers` > 0.
  entry: ["src/index.ts", "src/augment-worker.ts"],
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  // The private @celeba/internal is compiled into this package's own files, never installed.
  noExternal: ["@celeba/internal"],
  // index.cjs locates the worker through import.meta.url when __filename is absent; shim it for CJS.
  shims: true,
});
