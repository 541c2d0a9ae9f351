import { defineConfig } from "tsup";
import { libraryWithBrowserBuild } from "../../scripts/browser-build.mjs";

// The ONNX exporter is its own entry point (`@celeba/resnext/onnx`), so that the core stays small.
export default defineConfig(
  libraryWithBrowserBuild({ index: "src/index.ts", "onnx/index": "src/onnx/index.ts" }),
);
