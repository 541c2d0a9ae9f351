import { defineConfig } from "tsup";
import { libraryWithBrowserBuild } from "../../scripts/browser-build.mjs";

// The ONNX exporter (`@celeba/resnext/onnx`), the kernels (`@celeba/resnext/kernels`) and the
// state-dict I/O (`@celeba/resnext/weights`) are entry points of their own, so that the core
// stays small.
export default defineConfig(
  libraryWithBrowserBuild({
    index: "src/index.ts",
    "onnx/index": "src/onnx/index.ts",
    "kernels/index": "src/kernels/index.ts",
    "weights/index": "src/weights/index.ts",
  }),
);
