import { defineConfig } from "tsup";
import { libraryWithBrowserBuild } from "../../scripts/browser-build.mjs";

// The building blocks (`@celeba/train/optimizers`, `/losses`, `/run-directory`) are entry points
// of their own, so that the main entry stays small.
export default defineConfig(
  libraryWithBrowserBuild({
    index: "src/index.ts",
    optimizers: "src/optimizers.ts",
    losses: "src/losses.ts",
    "run-directory": "src/run-directory.ts",
  }),
);
