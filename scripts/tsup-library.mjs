// The tsup config of a published package's Node build, shared by every package so that each
// builds the same way: ESM + CJS + `.d.ts` per entry point, with the private @celeba/internal
// compiled in (code and types), never installed.
import { fileURLToPath } from "node:url";

// tsconfig.base.json's `paths` are relative to the repository root; tsup's `.d.ts` build would
// read them from the package folder, miss @celeba/internal's sources and leave an import of it.
const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * @param {Record<string, string> | string[]} [entry] the entry points (`src/index.ts` by default).
 * @returns {import("tsup").Options}
 */
export function nodeLibrary(entry = ["src/index.ts"]) {
  return {
    entry,
    format: ["esm", "cjs"],
    // Inlining @celeba/internal's types too keeps the published `.d.ts` free of imports of a
    // package that consumers never install (the error classes extend its CelebaError).
    dts: { compilerOptions: { baseUrl: root } },
    sourcemap: true,
    clean: true,
    target: "node20",
    noExternal: ["@celeba/internal"],
  };
}
