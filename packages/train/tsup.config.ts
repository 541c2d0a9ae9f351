import { defineConfig } from "tsup";
import { libraryWithBrowserBuild } from "../../scripts/browser-build.mjs";

export default defineConfig(libraryWithBrowserBuild());
