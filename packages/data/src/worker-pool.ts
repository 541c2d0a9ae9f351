import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { errorMarker } from "@celeba/internal";
import type { PreparedSample } from "./batch-engine";
import { BadImageError, DataError } from "./errors";
import type { ResolvedTransform } from "./sample-transform";
import type { ResolvedSteps } from "./transform-spec";

/** What every worker builds its pipeline from: a resolved spec (plain data, since functions cannot cross threads). */
export interface WorkerSetup {
  steps: ResolvedSteps;
}

export interface WorkerJob {
  id: number;
  bytes: ArrayBuffer;
  rngSeed: number;
}

export type WorkerReply =
  | { id: number; ok: true; data: Float32Array; height: number; width: number; channels: number }
  | { id: number; ok: false; stage: "decode" | "transform"; message: string };

export interface WorkerResult {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * A fixed pool of augmentation workers; jobs go to the worker with the fewest pending. A worker
 * that crashes or exits fails its pending jobs with a {@link DataError} saying so and is replaced;
 * {@link WorkerPool.close} settles every job still pending. Nothing can wait forever.
 */
export interface WorkerPool {
  run(bytes: Uint8Array, rngSeed: number): Promise<WorkerResult>;
  /** Rejects pending jobs, stops every worker, and resolves once all have exited. Idempotent. */
  close(): Promise<void>;
  /** The live worker threads, in slot order. For tests that stop one mid-epoch. */
  readonly workers: readonly Worker[];
}

/** Thrown (as a DataError, so `onBadImage: "skip"` can skip it) when a worker cannot decode an image. */
export class WorkerDecodeError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "WorkerDecodeError");
}

// Workers that die this many times in a row without finishing a job (a missing module, a
// failing import) stop being replaced: the pool fails instead of restarting them forever.
const MAX_FAILED_STARTS = 3;

/**
 * The worker script, `dist/augment-worker.js`. It is found from the package root, which is the
 * parent of both `dist/` (the built package) and `src/` (this package's own tests, whose vitest
 * setup builds the script first), so there is one way to start a worker.
 */
export function augmentWorkerPath(): string {
  const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
  return join(dirname(dirname(here)), "dist", "augment-worker.js");
}

interface Slot {
  worker: Worker;
  jobs: Set<number>;
  /** Set once the worker has exited (or is being replaced): its events no longer count. */
  gone: boolean;
}

interface Pending {
  resolve: (r: WorkerResult) => void;
  reject: (e: Error) => void;
}

/**
 * Starts `size` augmentation workers.
 *
 * @param size - Number of worker threads (>= 1).
 * @param setup - The pipeline every worker builds.
 * @param script - The worker script. Default {@link augmentWorkerPath}.
 * @returns The pool; call `close()` when done.
 * @throws {DataError} When the worker script is missing.
 */
export function createWorkerPool(
  size: number,
  setup: WorkerSetup,
  script: string = augmentWorkerPath(),
): WorkerPool {
  if (!existsSync(script)) {
    throw new DataError({
      message: `@celeba/data: the worker script ${script} is missing; reinstall the package (or, in this repository, build it with "pnpm build"), or use workers: 0.`,
    });
  }
  const pending = new Map<number, Pending>();
  const slots: Slot[] = [];
  let nextId = 0;
  let failedStarts = 0;
  let broken: Error | undefined;
  let closing: Promise<void> | undefined;

  const failJobs = (slot: Slot, error: Error) => {
    for (const id of slot.jobs) {
      const job = pending.get(id);
      pending.delete(id);
      job?.reject(error);
    }
    slot.jobs.clear();
  };

  const retire = (index: number, slot: Slot, why: string, cause?: Error) => {
    if (slot.gone) return;
    slot.gone = true;
    const error = new DataError({
      message:
        `@celeba/data: augmentation worker ${index} ${why} with ${slot.jobs.size} image(s) in progress; ` +
        "those images failed, and the worker was replaced. Run with workers: 0 to see the error on the main thread.",
      ...(cause === undefined ? undefined : { cause }),
    });
    failJobs(slot, error);
    if (closing !== undefined || broken !== undefined) return;
    failedStarts++;
    if (failedStarts >= MAX_FAILED_STARTS) {
      broken = new DataError({
        message: `@celeba/data: augmentation workers died ${failedStarts} times in a row without finishing an image (last: worker ${index} ${why}); giving up. Run with workers: 0 to see the error on the main thread.`,
        ...(cause === undefined ? undefined : { cause }),
      });
      for (const other of slots) failJobs(other, broken);
      void Promise.all(slots.map((s) => s.worker.terminate()));
      return;
    }
    slots[index] = start(index);
  };

  const start = (index: number): Slot => {
    const worker = new Worker(script, { workerData: setup });
    const slot: Slot = { worker, jobs: new Set(), gone: false };
    worker.on("message", (reply: WorkerReply) => {
      const job = pending.get(reply.id);
      if (job === undefined) return;
      pending.delete(reply.id);
      slot.jobs.delete(reply.id);
      failedStarts = 0;
      if (reply.ok) job.resolve(reply);
      else if (reply.stage === "decode")
        job.reject(new WorkerDecodeError({ message: reply.message }));
      // As on the main thread, a failing transform is not a bad image: it stops the epoch.
      else job.reject(new Error(`${reply.message} (in an augmentation worker)`));
    });
    worker.on("error", (error) => retire(index, slot, `crashed (${error.message})`, error));
    worker.on("exit", (code) => retire(index, slot, `exited unexpectedly (exit code ${code})`));
    return slot;
  };

  for (let i = 0; i < size; i++) slots.push(start(i));

  return {
    get workers() {
      return slots.map((s) => s.worker);
    },
    run(bytes, rngSeed) {
      if (broken) return Promise.reject(broken);
      if (closing)
        return Promise.reject(
          new DataError({ message: "@celeba/data: the worker pool is closed." }),
        );
      let slot = slots[0] as Slot;
      for (const s of slots) if (s.jobs.size < slot.jobs.size) slot = s;
      const id = nextId++;
      // Copy into a fresh buffer we can transfer: the caller's bytes may be a view into a pooled Buffer.
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Promise<WorkerResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        slot.jobs.add(id);
        const job: WorkerJob = { id, bytes: copy.buffer, rngSeed };
        slot.worker.postMessage(job, [copy.buffer]);
      });
    },
    close() {
      closing ??= (async () => {
        const closed = new DataError({
          message: "@celeba/data: the worker pool was closed before this image was done.",
        });
        for (const slot of slots) failJobs(slot, closed);
        await Promise.all(slots.map((s) => s.worker.terminate()));
      })();
      return closing;
    },
  };
}

/** Starts the pool a batch iterator needs: none with `workers: 0`, else one building the transform's spec. */
export function startPool(common: {
  workers: number;
  transform: ResolvedTransform;
}): WorkerPool | undefined {
  const { workers, transform } = common;
  if (workers === 0) return undefined;
  // resolveTransform rejects code transforms with workers, so there are steps here.
  return createWorkerPool(workers, { steps: transform.steps as ResolvedSteps });
}

/**
 * Decodes and transforms one image in the pool, as a sample for the batch; a worker's decode failure
 * becomes a {@link BadImageError} naming the image, as on the main thread.
 */
export async function poolSample(
  pool: WorkerPool,
  bytes: Uint8Array,
  rngSeed: number,
  image: { id: string; source: string },
): Promise<PreparedSample> {
  try {
    const r = await pool.run(bytes, rngSeed);
    return { ...r, write: (out, offset) => out.set(r.data, offset) };
  } catch (error) {
    throw WorkerDecodeError.isInstance(error)
      ? new BadImageError({ ...image, cause: error.message })
      : error;
  }
}
