import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
  // Optional dependencies with native addons: loaded from node_modules when installed.
  external: ["onnxruntime-node", "webgpu"],
});
