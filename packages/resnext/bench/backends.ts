import { createRequire } from "node:module";
import { dirname } from "node:path";
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
