// vitest global setup: builds dist/augment-worker.js from the sources with the package's own
// tsup config when it is missing or older than them, so worker tests run the script the
// package ships, through its only code path. Under turbo the package is built first, and
// this does nothing (so it never rewrites the file while other packages' tests use it).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "tsup";
import { augmentWorkerBuild } from "../tsup.config";

const packageRoot = join(__dirname, "..");

function newestSource(): number {
  let newest = 0;
  for (const pkg of ["data", "augment", "internal"]) {
    const dir = join(packageRoot, "..", pkg, "src");
    for (const file of readdirSync(dir, { recursive: true }) as string[]) {
      if (file.endsWith(".ts")) newest = Math.max(newest, statSync(join(dir, file)).mtimeMs);
    }
  }
  return newest;
}

export default async function setup(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(packageRoot, "dist", "augment-worker.js")).mtimeMs;
  } catch {}
  if (built > newestSource()) return;
  await build({ ...augmentWorkerBuild, config: false, silent: true });
}
