import type { Options } from "tsup";

/** esbuild plugin: a relative import of `./x` resolves to `./x.browser.ts` when that file exists. */
export declare function browserSwap(): {
  name: string;
  setup(build: unknown): void;
};

/**
 * tsup configs: the Node build (ESM + CJS + .d.ts) of each entry point (`index` by default),
 * and its browser build, `dist/<name>.browser.js`.
 */
export declare function libraryWithBrowserBuild(entry?: Record<string, string>): Options[];
