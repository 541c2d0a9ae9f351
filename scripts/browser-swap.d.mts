/** esbuild plugin: a relative import of `./x` resolves to `./x.browser.ts` when that file exists. */
export declare function browserSwap(): {
  name: string;
  setup(build: unknown): void;
};
