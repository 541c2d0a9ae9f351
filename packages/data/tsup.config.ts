import { defineConfig, type Options } from "tsup";
import { browserSwap } from "../../scripts/browser-build.mjs";
import { nodeLibrary } from "../../scripts/tsup-library.mjs";

/**
 * The worker script, `dist/augment-worker.js`: ESM only, with @celeba/augment compiled in, so
 * that it needs nothing but sharp at run time. This package's vitest setup builds it with this
 * same config before the worker tests run.
 */
export const augmentWorkerBuild: Options = {
  entry: { "augment-worker": "src/augment-worker.ts" },
  format: ["esm"],
  sourcemap: true,
  clean: false,
  target: "node20",
  noExternal: ["@celeba/internal", "@celeba/augment"],
};

export default defineConfig([
  {
    ...nodeLibrary({ index: "src/index.ts", annotations: "src/annotations.ts" }),
    // The two builds run side by side: cleaning here would race the worker build.
    clean: false,
    // index.cjs locates the worker script through import.meta.url when __filename is absent; shim it for CJS.
    shims: true,
  },
  augmentWorkerBuild,
  // `@celeba/data/annotations` for the exports map's `browser` condition: no Node module, no sharp.
  {
    entry: { "annotations.browser": "src/annotations.ts" },
    format: ["esm"],
    platform: "browser",
    sourcemap: true,
    clean: false,
    target: "es2022",
    noExternal: ["@celeba/internal"],
    esbuildPlugins: [browserSwap()],
  },
]);
