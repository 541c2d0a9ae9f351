import { defineConfig } from "tsup";
import { libraryWithBrowserBuild } from "../../scripts/browser-build.mjs";

// The ONNX exporter (`@celeba/resnext/onnx`) and the kernels (`@celeba/resnext/kernels`) are entry
// points of their own, so that the core stays small.
export default defineConfig(
  libraryWithBrowserBuild({
    index: "src/index.ts",
    "onnx/index": "src/onnx/index.ts",
    "kernels/index": "src/kernels/index.ts",
  }),
);
