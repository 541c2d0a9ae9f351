import type { Options } from "tsup";

/**
 * The tsup config of a package's Node build: ESM + CJS + `.d.ts` of each entry point
 * (`src/index.ts` by default), with @celeba/internal's code and types compiled in.
 */
export declare function nodeLibrary(entry?: Record<string, string> | string[]): Options;
