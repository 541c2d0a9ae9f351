#!/usr/bin/env node
// Packs workspace packages as they would be published, installs each tarball with npm
// into an empty project, and imports it from ESM and from CommonJS. This catches broken
// exports maps, missing dist files and dependencies that only resolve inside the workspace.
//
// Usage: node scripts/check-packed.mjs @celeba/metrics [@celeba/other ...]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const names = process.argv.slice(2);
if (names.length === 0) {
  console.error("usage: node scripts/check-packed.mjs <package name> [...], e.g. @celeba/metrics");
  process.exit(2);
}

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();
const pnpm = (args, cwd) => run("npx", ["-y", "pnpm@12.4.2", ...args], cwd);

let failures = 0;
for (const name of names) {
  const dir = join(root, "packages", name.replace(/^@celeba\//, ""));
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (pkg.name !== name) {
    console.error(`check-packed: ${dir}/package.json is named "${pkg.name}", not "${name}".`);
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), "celeba-packed-"));
  try {
    pnpm(["--filter", name, "run", "build"], root);
    pnpm(["pack", "--pack-destination", work], dir);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`pnpm pack left no .tgz in ${work}`);
    const app = join(work, "app");
    run("mkdir", ["-p", app], work);
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "packed-check", private: true }),
    );
    run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=error", join(work, tarball)],
      app,
    );

    const exportsOf = (kind) => {
      const code =
        kind === "esm"
          ? `import(${JSON.stringify(name)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
          : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`;
      return JSON.parse(run("node", ["-e", code], app));
    };
    const esm = exportsOf("esm").filter((k) => k !== "default" && k !== "module.exports");
    const cjs = exportsOf("cjs");
    const missing = esm.filter((k) => !cjs.includes(k));
    if (esm.length === 0 || missing.length > 0) {
      failures++;
      console.error(
        `✗ ${name}: ESM exports ${esm.length}, missing from CJS: ${missing.join(", ") || "none"}`,
      );
    } else {
      console.log(`✓ ${name} (${tarball}): ${esm.length} exports from ESM and CJS`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
process.exit(failures === 0 ? 0 : 1);
