import { defineConfig } from "tsup";
import { nodeLibrary } from "../../scripts/tsup-library.mjs";

export default defineConfig(nodeLibrary());
