import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { celebaTrainTransform, createRng } from "@celeba/augment";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "./decode-image";
import { DataError } from "./errors";
import { makeSyntheticCelebA } from "./synthetic-celeba";
import { resolveTransformSpec } from "./transform-spec";
import { createWorkerPool, type WorkerResult } from "./worker-pool";

const tmp = mkdtempSync(join(tmpdir(), "celeba-pool-"));
let images: Uint8Array[] = [];
beforeAll(async () => {
  const synth = await makeSyntheticCelebA(join(tmp, "ds"), { count: 24, seed: 3 });
  images = synth.ids.map((id) => readFileSync(join(synth.root, "img_align_celeba", id)));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sameBytes = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

/** The paper's pipeline, as the workers receive it. */
const TRAIN = { steps: resolveTransformSpec({ preset: "celebaTrain" }, undefined) };

/** The main thread's result for one job: the reference every worker result must equal. */
async function onMainThread(bytes: Uint8Array, rngSeed: number): Promise<Float32Array> {
  return celebaTrainTransform().apply(await decodeImage(bytes), createRng(rngSeed));
}

describe("createWorkerPool", () => {
  it("a worker killed mid-epoch fails its own images with a clear error, is replaced, and nothing hangs", async () => {
    const pool = createWorkerPool(2, TRAIN);
    try {
      // Epoch 1: every image goes in; once a few are done, worker 0 is stopped from outside.
      const killed = pool.workers[0]!;
      let done = 0;
      const jobs = images.map((bytes, i) =>
        pool.run(bytes, i).then((r) => {
          done++;
          if (done === 3) void killed.terminate();
          return r;
        }),
      );
      const settled = await Promise.allSettled(jobs);
      const failed = settled.filter((s) => s.status === "rejected");
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.length).toBeLessThan(images.length);
      for (const f of failed) {
        expect(f.reason).toBeInstanceOf(DataError);
        expect((f.reason as Error).message).toMatch(
          /augmentation worker 0 exited unexpectedly \(exit code 1\) with \d+ image\(s\) in progress; those images failed, and the worker was replaced/,
        );
      }
      for (const [i, s] of settled.entries()) {
        if (s.status === "fulfilled") {
          expect(sameBytes(s.value.data, await onMainThread(images[i]!, i))).toBe(true);
        }
      }
      // Epoch 2: a fresh worker stands in slot 0, and every image succeeds, bit-identical.
      expect(pool.workers[0]).not.toBe(killed);
      const again = await Promise.all(images.map((bytes, i) => pool.run(bytes, 100 + i)));
      for (const [i, r] of again.entries()) {
        expect(sameBytes(r.data, await onMainThread(images[i]!, 100 + i))).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it("close() settles every pending job, and later runs are refused", async () => {
    const pool = createWorkerPool(2, TRAIN);
    const settling = Promise.allSettled<WorkerResult>(images.map((bytes, i) => pool.run(bytes, i)));
    await pool.close();
    const settled = await settling;
    expect(settled.every((s) => s.status === "rejected")).toBe(true);
    expect((settled[0] as PromiseRejectedResult).reason.message).toMatch(
      /the worker pool was closed before this image was done/,
    );
    await expect(pool.run(images[0]!, 0)).rejects.toThrow(/the worker pool is closed/);
    await pool.close();
  });

  it("workers that die at start are restarted a few times, then the pool fails instead of hanging", async () => {
    const script = join(__dirname, "..", "test", "fixtures", "dying-worker.mjs");
    const pool = createWorkerPool(2, TRAIN, script);
    try {
      const first = await pool.run(images[0]!, 0).catch((e: Error) => e);
      expect(first).toBeInstanceOf(DataError);
      // However the deaths interleave with the runs, the pool ends up refusing with "giving up".
      await expect
        .poll(
          async () =>
            await pool.run(images[0]!, 0).then(
              () => "ran",
              (e: Error) => e.message,
            ),
        )
        .toMatch(
          /augmentation workers died 3 times in a row without finishing an image .*giving up/,
        );
    } finally {
      await pool.close();
    }
  });

  it("names the missing worker script and the way out", () => {
    expect(() => createWorkerPool(1, TRAIN, "/nowhere/w.js")).toThrow(
      /the worker script \/nowhere\/w\.js is missing; .* or use workers: 0/,
    );
  });
});
