/**
 * The benchmark row format every package's `bench/results.json` holds (an array of these),
 * which `bench/collect.mjs` gathers into one table, and the writer the benchmarks share.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One benchmark figure. */
export interface BenchResult {
  /** What was measured, unique within the package, e.g. "resnext_tiny train step, cpu, b16". */
  name: string;
  /** What kind of figure it is, e.g. "step time" or "peak RSS". */
  metric: string;
  ours: number;
  /** PyTorch's figure in the same run, or null when the reference was skipped. */
  reference: number | null;
  /** Oriented so that > 1 means we are better (faster or smaller); null without a reference. */
  ratio: number | null;
  unit: string;
  notes: string;
}

/**
 * Merges `rows` into `<dir>/results.json` (rows with the same name are replaced), written to a
 * temporary file and renamed so a crash never leaves half a file.
 *
 * @param dir - the package's bench folder, usually `import.meta.dirname`.
 */
export function writeResults(dir: string, rows: BenchResult[]): void {
  const file = join(dir, "results.json");
  let old: BenchResult[] = [];
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      if (Array.isArray(parsed)) old = parsed;
    } catch {
      // An unreadable file is replaced.
    }
  }
  const names = new Set(rows.map((r) => r.name));
  const merged = [...old.filter((r) => !names.has(r.name)), ...rows];
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(tmp, file);
}
