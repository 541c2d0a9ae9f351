import { defineConfig } from "tsup";
import { browserSwap } from "../../scripts/browser-swap.mjs";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
  },
  {
    // The "browser" export condition: Node-only modules swapped for their *.browser.ts stand-ins.
    entry: { "index.browser": "src/index.ts" },
    format: ["esm"],
    platform: "browser",
    sourcemap: true,
    target: "es2022",
    esbuildPlugins: [browserSwap()],
  },
]);
