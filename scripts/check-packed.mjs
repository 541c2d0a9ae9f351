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
  for (const { pkg } of targets) {
    const name = pkg.name;
    const keysOf = (kind) => {
      const code =
        kind === "esm"
          ? `import(${JSON.stringify(name)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
          : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`;
      return JSON.parse(run("node", ["-e", code], app));
    };
    const esm = keysOf("esm").filter((k) => k !== "default" && k !== "module.exports");
    const cjs = keysOf("cjs");
    const missing = esm.filter((k) => !cjs.includes(k));
    if (esm.length === 0 || missing.length > 0) {
      fail(`${name}: ESM exports ${esm.length}, missing from CJS: ${missing.join(", ") || "none"}`);
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
      `✓ ${name}: ${esm.length} exports from ESM and CJS; types resolve for node10, node16 (CJS and ESM) and bundlers`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
