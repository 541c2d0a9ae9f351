import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { SeedTrainTransformOptions } from "@celeba/augment";
import { DataError } from "./errors";

/** Which ready pipeline the workers build (functions cannot cross threads, so it is named, not passed). */
export interface WorkerTransform {
  /** `"seedTrainTransform"` or `"seedEvalTransform"` from @celeba/augment. */
  factory: "seedTrainTransform" | "seedEvalTransform";
  /** Options passed to the factory. Default `{}` (the seed's values). */
  options?: SeedTrainTransformOptions;
}

export type WorkerSetup = WorkerTransform;

export interface WorkerJob {
  id: number;
  bytes: ArrayBuffer;
  rngSeed: number;
}

export type WorkerReply =
  | { id: number; ok: true; data: Float32Array; height: number; width: number; channels: number }
  | { id: number; ok: false; message: string };

export interface WorkerResult {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** A fixed pool of augmentation workers; jobs go to the worker with the fewest pending. */
export interface WorkerPool {
  run(bytes: Uint8Array, rngSeed: number): Promise<WorkerResult>;
  close(): Promise<void>;
}

/** Thrown (as a DataError, so `onBadImage: "skip"` can skip it) when a worker cannot decode an image. */
export class WorkerDecodeError extends DataError {}

/**
 * How to start a worker: the built `augment-worker.js` beside this module, or, when running from the
 * TypeScript sources (this package's own tests), the `.ts` entry loaded through tsx's ESM hooks.
 */
function workerEntry(): { script: string | URL; eval: boolean } {
  const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    const tsxRoot = dirname(createRequire(here).resolve("tsx/package.json"));
    const tsx = pathToFileURL(join(tsxRoot, "dist", "esm", "api", "index.mjs")).href;
    const entry = pathToFileURL(join(dirname(here), "augment-worker.ts")).href;
    return {
      // tsconfig.source.json maps @celeba/augment to its sources, as the vitest config does.
      script: `import(${JSON.stringify(tsx)}).then((m) => { m.register({ tsconfig: ${JSON.stringify(join(dirname(here), "..", "tsconfig.source.json"))} }); return import(${JSON.stringify(entry)}); });`,
      eval: true,
    };
  }
  const js = join(dirname(here), "augment-worker.js");
  if (!existsSync(js)) {
    throw new DataError(
      `@celeba/data: worker entry ${js} is missing; reinstall the package or use workers: 0.`,
    );
  }
  return { script: pathToFileURL(js), eval: false };
}

export function createWorkerPool(size: number, setup: WorkerSetup): WorkerPool {
  const entry = workerEntry();
  const pending = new Map<
    number,
    { resolve: (r: WorkerResult) => void; reject: (e: Error) => void; worker: number }
  >();
  const load = new Array<number>(size).fill(0);
  let nextId = 0;
  let failed: Error | undefined;
  const workers = Array.from({ length: size }, (_, w) => {
    const worker = new Worker(entry.script, { workerData: setup, eval: entry.eval });
    worker.on("message", (reply: WorkerReply) => {
      const job = pending.get(reply.id);
      if (!job) return;
      pending.delete(reply.id);
      load[w] = (load[w] as number) - 1;
      if (reply.ok) job.resolve(reply);
      else job.reject(new WorkerDecodeError(reply.message));
    });
    worker.on("error", (error) => {
      failed = new DataError(`@celeba/data: augmentation worker ${w} crashed: ${error.message}`, {
        cause: error,
      });
      for (const [id, job] of pending) {
        if (job.worker === w) {
          pending.delete(id);
          job.reject(failed);
        }
      }
    });
    return worker;
  });
  return {
    run(bytes, rngSeed) {
      if (failed) return Promise.reject(failed);
      let w = 0;
      for (let k = 1; k < size; k++) if ((load[k] as number) < (load[w] as number)) w = k;
      load[w] = (load[w] as number) + 1;
      const id = nextId++;
      // Copy into a fresh buffer we can transfer: the caller's bytes may be a view into a pooled Buffer.
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Promise<WorkerResult>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: w });
        const job: WorkerJob = { id, bytes: copy.buffer, rngSeed };
        (workers[w] as Worker).postMessage(job, [copy.buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
