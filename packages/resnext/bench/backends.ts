import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** Switches tfjs to `name` ("cpu" or "wasm"); returns false when the backend cannot start. */
export async function useBackend(name: string): Promise<boolean> {
  if (name === "wasm") {
    // In Node the wasm binaries are read from the package's dist folder.
    const require = createRequire(import.meta.url);
    const main = require.resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${dirname(main)}/`);
  }
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Median seconds of `fn` over `runs` runs after `warmup` unmeasured ones. */
export function medianSeconds(fn: () => void, runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Fastest of `runs` runs in seconds: the least disturbed by other processes on a busy machine. */
export function minSeconds(fn: () => void, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/**
 * One benchmark figure, the convention every package's `bench/results.json` follows (an array
 * of these), which the root `bench/collect.mjs` gathers into one table.
 */
export interface BenchResult {
  /** What was measured, unique within the package, e.g. "resnext_tiny train step, cpu, b16". */
  name: string;
  /** The unit of `ours` and `reference`, e.g. "images/s" or "ms". */
  metric: string;
  ours: number;
  /** PyTorch's figure in the same run, or null when the reference was skipped. */
  reference: number | null;
  /** ours / reference oriented so that > 1 means we are faster (null without a reference). */
  ratio: number | null;
  unit: string;
  notes: string;
}

/**
 * Merges `rows` into `bench/results.json` (rows with the same name are replaced), written to a
 * temporary file and renamed so a crash never leaves half a file.
 */
export function writeResults(rows: BenchResult[]): void {
  const file = join(import.meta.dirname, "results.json");
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
