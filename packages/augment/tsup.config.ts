import { defineConfig } from "tsup";
import { nodeLibrary } from "../../scripts/tsup-library.mjs";

// `@celeba/augment/random` (the seeded generator) is an entry point of its own.
export default defineConfig(nodeLibrary({ index: "src/index.ts", random: "src/rng.ts" }));
