import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ATOMIC_TEMP_SUFFIX } from "@celeba/internal/node";

/**
 * The temporary name every atomic write of ours (`writeFileAtomic`) uses beside its target:
 * `.<target>.<pid>.<hex>.tmp`.
 */
const TEMP_FILE = new RegExp(`^\\..+\\.\\d+\\.[0-9a-f]+${ATOMIC_TEMP_SUFFIX.replace(".", "\\.")}$`);

/**
 * Removes the temporary files a killed write left in a run folder and its `checkpoints/`.
 * Only call it while holding the folder's lock: then no write of ours is in flight.
 *
 * @returns The paths removed.
 */
export function removeStrayTempFiles(runDir: string): string[] {
  const removed: string[] = [];
  for (const dir of [runDir, join(runDir, "checkpoints")]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!TEMP_FILE.test(name)) continue;
      const path = join(dir, name);
      rmSync(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
