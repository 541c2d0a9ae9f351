#!/usr/bin/env node
// Packs workspace packages as they would be published, installs the tarballs together with npm
// into an empty project, imports each from ESM and from CommonJS, and checks its published
// types with @arethetypeswrong/cli. This catches broken exports maps, missing dist files,
// types that resolve for one module system only, and dependencies that only resolve inside
// the workspace (such as a private package that was not bundled).
//
// Usage: node scripts/check-packed.mjs [@celeba/name ...]   (default: every published package)
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const published = readdirSync(join(root, "packages"))
  .map((dir) => join(root, "packages", dir))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => pkg.private !== true);
const names = process.argv.length > 2 ? process.argv.slice(2) : published.map((p) => p.pkg.name);
const targets = names.map((name) => {
  const found = published.find((p) => p.pkg.name === name);
  if (!found) {
    console.error(`check-packed: no published package named "${name}" under packages/.`);
    process.exit(2);
  }
  return found;
});

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();
const pnpm = (args, cwd) => run("npx", ["-y", "pnpm@12.4.2", ...args], cwd);

let failures = 0;
const fail = (message) => {
  failures++;
  console.error(`✗ ${message}`);
};
const work = mkdtempSync(join(tmpdir(), "celeba-packed-"));
try {
  // Siblings a target depends on are packed too, so that npm never looks for them online.
  const packs = new Set(targets.map((t) => t.pkg.name));
  for (const t of targets) {
    for (const dep of Object.keys(t.pkg.dependencies ?? {})) {
      if (published.some((p) => p.pkg.name === dep)) packs.add(dep);
    }
  }
  pnpm(["--filter", "./packages/*", "run", "build"], root);
  const tarballs = new Map();
  for (const name of packs) {
    const { dir } = published.find((p) => p.pkg.name === name);
    const dest = join(work, name.replace(/\W/g, "_"));
    mkdirSync(dest);
    pnpm(["pack", "--pack-destination", dest], dir);
    const tgz = readdirSync(dest).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`pnpm pack left no .tgz in ${dest}`);
    tarballs.set(name, join(dest, tgz));
    // A workspace-only dependency in the published manifest cannot install anywhere else.
    const manifest = JSON.parse(
      run("tar", ["-xOzf", join(dest, tgz), "package/package.json"], dest),
    );
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (String(range).startsWith("workspace:") || dep === "@celeba/internal") {
        fail(`${name}: its published dependencies name ${dep}@${range}`);
      }
    }
  }

  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "packed-check", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.values()], app);

  const attw = join(root, "node_modules", ".bin", "attw");
  const keysOf = (specifier, kind) => {
    const code =
      kind === "esm"
        ? `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
        : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`;
    return JSON.parse(run("node", ["-e", code], app));
  };
  for (const { pkg } of targets) {
    const name = pkg.name;
    // Every entry point of the exports map (`.` and subpaths such as `./optimizers`) must load
    // from ESM and CJS with the same exports.
    const entries = Object.keys(pkg.exports ?? { ".": null }).filter((k) => k !== "./package.json");
    const counts = [];
    let broken = false;
    for (const entry of entries) {
      const specifier = entry === "." ? name : `${name}/${entry.slice(2)}`;
      const esm = keysOf(specifier, "esm").filter((k) => k !== "default" && k !== "module.exports");
      const cjs = keysOf(specifier, "cjs");
      const missing = esm.filter((k) => !cjs.includes(k));
      if (esm.length === 0 || missing.length > 0) {
        fail(
          `${specifier}: ESM exports ${esm.length}, missing from CJS: ${missing.join(", ") || "none"}`,
        );
        broken = true;
        continue;
      }
      // Each error class, thrown from the CJS copy, must be recognised by the ESM copy's isInstance
      // (and by its bases'), while instanceof fails across the copies.
      const crossCopy = JSON.parse(
        run("node", ["--input-type=module", "-e", crossCopyCheck(specifier)], app),
      );
      if ((entry === "." && crossCopy.classes === 0) || crossCopy.problems.length > 0) {
        fail(
          `${specifier}: errors across the CJS and ESM copies: ${crossCopy.classes} classes; ${crossCopy.problems.join("; ") || "none"}`,
        );
        broken = true;
        continue;
      }
      counts.push(
        `${entry === "." ? name : entry}: ${esm.length} exports, ${crossCopy.classes} error classes`,
      );
    }
    if (broken) continue;
    // The private @celeba/internal is compiled in; a published type that imports it would
    // resolve to `any` for every consumer (the error classes extend its CelebaError).
    const leaks = typeFilesNaming(tarballs.get(name), "@celeba/internal");
    if (leaks.length > 0) {
      fail(`${name}: published types import @celeba/internal: ${leaks.join(", ")}`);
      continue;
    }
    try {
      execFileSync(attw, [tarballs.get(name), "--format", "ascii"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      fail(`${name}: @arethetypeswrong/cli found problems:\n${error.stdout}${error.stderr}`);
      continue;
    }
    console.log(
      `✓ ${counts.join("; ")} (from ESM and CJS, each error class thrown from CJS recognised by ESM isInstance); no type imports @celeba/internal; types resolve for node10, node16 (CJS and ESM) and bundlers`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);

/** The `.d.ts` / `.d.cts` files of tarball `tgz` whose text names `text`. */
function typeFilesNaming(tgz, text) {
  const files = execFileSync("tar", ["-tzf", tgz])
    .toString()
    .split("\n")
    .filter((f) => /\.d\.c?ts$/.test(f));
  return files.filter((f) => execFileSync("tar", ["-xOzf", tgz, f]).toString().includes(text));
}

/** A module script that prints `{ classes, problems }` for the error classes of package `name`. */
function crossCopyCheck(name) {
  return `
import { createRequire } from "node:module";
const esm = await import(${JSON.stringify(name)});
const cjs = createRequire(process.cwd() + "/")(${JSON.stringify(name)});
const isError = (v) => typeof v === "function" && typeof v.isInstance === "function" && typeof v.marker === "symbol";
const problems = [];
let classes = 0;
for (const [key, Cjs] of Object.entries(cjs)) {
  if (!isError(Cjs)) continue;
  classes++;
  const Esm = esm[key];
  if (!isError(Esm)) { problems.push(key + " has no isInstance in ESM"); continue; }
  // The root of the chain (the shared template's base) runs the marking, with the CJS class as new.target,
  // so that no subclass needs its constructor's fields made up here.
  let root = Cjs;
  while (Object.getPrototypeOf(root) !== Error) root = Object.getPrototypeOf(root);
  let thrown;
  try { throw Reflect.construct(root, [{ message: "from CJS" }], Cjs); } catch (e) { thrown = e; }
  if (!Esm.isInstance(thrown)) problems.push(key + ": ESM isInstance does not recognise the CJS error");
  if (thrown instanceof Esm) problems.push(key + ": instanceof unexpectedly works across the copies");
  if (thrown.name !== key) problems.push(key + ": name is " + thrown.name);
  for (let base = Object.getPrototypeOf(Esm); isError(base); base = Object.getPrototypeOf(base)) {
    if (!base.isInstance(thrown)) problems.push(key + ": its ESM base " + base.name + " does not recognise it");
  }
  for (const [other, O] of Object.entries(esm)) {
    if (isError(O) && other !== key && O.isInstance(thrown) && !(Esm.prototype instanceof O)) {
      problems.push(key + " is wrongly recognised as " + other);
    }
  }
}
console.log(JSON.stringify({ classes, problems }));
`;
}
