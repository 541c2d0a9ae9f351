import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toFloat32 } from "@celeba/augment";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "./decode-image";
import { MissingPathError } from "./errors";
import { createImageBatches, type ImageBatch, listImages } from "./image-batches";
import { makeSyntheticCelebA } from "./synthetic-celeba";

const tmp = mkdtempSync(join(tmpdir(), "celeba-infer-"));
let dir: string;
beforeAll(async () => {
  const synth = await makeSyntheticCelebA(join(tmp, "ds"), { count: 7, seed: 2 });
  dir = join(synth.root, "img_align_celeba");
  writeFileSync(join(dir, "notes.txt"), "not an image");
  writeFileSync(join(dir, ".hidden.jpg"), "x");
  mkdirSync(join(dir, "sub.jpg"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("listImages + createImageBatches (inference on a bare folder)", () => {
  it("lists image files sorted, ignoring other and hidden files", async () => {
    const paths = await listImages(dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => `00000${i}.jpg`),
    );
  });

  it("batches in order with eval normalisation (ImageNet), ids = file names", async () => {
    const paths = await listImages(dir);
    const batches: ImageBatch[] = [];
    for await (const b of createImageBatches(paths, { batchSize: 3 })) batches.push(b);
    expect(batches.map((b) => b.ids)).toEqual([
      ["000001.jpg", "000002.jpg", "000003.jpg"],
      ["000004.jpg", "000005.jpg", "000006.jpg"],
      ["000007.jpg"],
    ]);
    expect(batches[2]!.shape).toEqual([1, 218, 178, 3]);
    const expected = toFloat32(await decodeImage(readFileSync(paths[6]!)), { normalize: {} });
    expect(Buffer.from(batches[2]!.images.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it("worker threads give the same batches", async () => {
    const paths = await listImages(dir);
    const main: ImageBatch[] = [];
    for await (const b of createImageBatches(paths, { batchSize: 4 })) main.push(b);
    const threaded: ImageBatch[] = [];
    for await (const b of createImageBatches(paths, { batchSize: 4, workers: 1 })) threaded.push(b);
    expect(threaded.map((b) => b.ids)).toEqual(main.map((b) => b.ids));
    threaded.forEach((b, k) => {
      expect(Buffer.from(b.images.buffer).equals(Buffer.from(main[k]!.images.buffer))).toBe(true);
    });
  });

  it("a missing folder names the path", async () => {
    await expect(listImages(join(tmp, "private_test"))).rejects.toThrow(MissingPathError);
    await expect(listImages(join(tmp, "private_test"))).rejects.toThrow(
      /Image folder not found: .*private_test/,
    );
  });
});
