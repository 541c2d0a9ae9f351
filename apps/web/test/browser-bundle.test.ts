import { builtinModules } from "node:module";
import { join } from "node:path";
import { build, type Message } from "esbuild";
import { describe, expect, it } from "vitest";

// Each library bundled as a browser app would bundle it: esbuild, platform "browser", the
// packages resolved through their exports maps (so the "browser" condition applies). Any Node
// built-in on the way fails the build or shows up among the bundle's imports.
const app = join(__dirname, "..");
const PACKAGES = [
  "@celeba/resnext",
  "@celeba/resnext/weights",
  "@celeba/resnext/kernels",
  "@celeba/resnext/onnx",
  "@celeba/augment",
  "@celeba/augment/random",
  "@celeba/metrics",
  "@celeba/train",
  "@celeba/train/optimizers",
  "@celeba/train/losses",
  "@celeba/train/run-directory",
  // The page parses CelebA's annotation files with @celeba/data's own parsers.
  "@celeba/data/annotations",
];
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function bundleForBrowser(source: string): Promise<{ errors: Message[]; imports: string[] }> {
  try {
    const result = await build({
      stdin: { contents: source, resolveDir: app, loader: "ts" },
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      logLevel: "silent",
      metafile: true,
      // tfjs is a peer dependency: the app brings it (and its browser build).
      external: ["@tensorflow/*"],
      // Resolve as an app's bundler does, not through the monorepo's tsconfig paths to src/.
      tsconfigRaw: {},
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path),
    );
    return { errors: result.errors, imports };
  } catch (error) {
    return { errors: (error as { errors?: Message[] }).errors ?? [], imports: [] };
  }
}

describe("browser bundles of the libraries", () => {
  it.each(PACKAGES)("%s bundles for the browser without a Node built-in", async (name) => {
    const { errors, imports } = await bundleForBrowser(`export * from "${name}";`);
    expect(errors.map((e) => e.text)).toEqual([]);
    expect(imports.filter((path) => BUILTINS.has(path))).toEqual([]);
  });

  it("@celeba/data/annotations brings neither sharp nor the Node CSV parser", async () => {
    const { errors, imports } = await bundleForBrowser(`export * from "@celeba/data/annotations";`);
    expect(errors.map((e) => e.text)).toEqual([]);
    expect(imports.filter((path) => /sharp|fast-csv/.test(path))).toEqual([]);
    // The whole of @celeba/data is Node-only, which is why the page uses the subpath.
    const whole = await bundleForBrowser(`export * from "@celeba/data";`);
    expect(
      whole.errors.length + whole.imports.filter((p) => BUILTINS.has(p)).length,
    ).toBeGreaterThan(0);
  });

  it("fails on a Node built-in: the Node build of @celeba/resnext is refused", async () => {
    const nodeBuild = join(app, "..", "..", "packages", "resnext", "dist", "index.js");
    const { errors } = await bundleForBrowser(`export * from ${JSON.stringify(nodeBuild)};`);
    expect(errors.map((e) => e.text).join("\n")).toMatch(
      /Could not resolve "(node:)?fs\/promises"/,
    );
  });
});
