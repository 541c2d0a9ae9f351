// esbuild plugin for the packages' browser builds: a relative import of `./x` resolves to
// `./x.browser.ts` when that file sits beside `./x.ts`. Node-only modules (file paths, fs)
// keep their API and get a browser stand-in that explains what to pass instead.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

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
