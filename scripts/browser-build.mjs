// esbuild plugin for the packages' browser builds: a relative import of `./x` resolves to
// `./x.browser.ts` when that file sits beside `./x.ts`. Node-only modules (file paths, fs)
// keep their API and get a browser stand-in that explains what to pass instead.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { nodeLibrary } from "./tsup-library.mjs";

/** @returns {import("esbuild").Plugin} */
export function browserSwap() {
  return {
    name: "browser-swap",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const candidate = resolve(dirname(args.importer), `${args.path}.browser.ts`);
        return existsSync(candidate) ? { path: candidate } : undefined;
      });
    },
  };
}

/**
 * tsup configs for a library with a browser build: the usual ESM + CJS + `.d.ts` for Node, and
 * `dist/index.browser.js` (ESM, platform browser, Node-only modules swapped) for the exports
 * map's `browser` condition.
 *
 * @param {Record<string, string>} [entry] the entry points, by output name (`index` by default);
 *   each also gets a browser build, `<name>.browser.js`.
 * @returns {import("tsup").Options[]}
 */
export function libraryWithBrowserBuild(entry = { index: "src/index.ts" }) {
  const browserEntry = Object.fromEntries(
    Object.entries(entry).map(([name, source]) => [`${name}.browser`, source]),
  );
  return [
    nodeLibrary(entry),
    {
      entry: browserEntry,
      format: ["esm"],
      platform: "browser",
      sourcemap: true,
      target: "es2022",
      noExternal: ["@celeba/internal"],
      esbuildPlugins: [browserSwap()],
    },
  ];
}
