import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { createRng, deriveSeed, type Seed } from "@celeba/augment";
import { writeFileAtomic, writeZip } from "@celeba/internal/node";
import sharp from "sharp";
import { CELEBA_ATTRIBUTE_NAMES } from "./celeba-attributes";
import { InvalidOptionError } from "./errors";
import { formatAttributeFile } from "./format-attribute-file";
import { markerLayout, renderFace } from "./synthetic-face";
import { sampleLabels } from "./synthetic-labels";

/** Options of {@link makeSyntheticCelebA}. */
export interface SyntheticCelebAOptions {
  /** Number of images (required, >= 1). */
  count: number;
  /** Seed; the same seed and options give byte-identical files. Default 0. */
  seed?: Seed;
  /** `"folder"` writes `img_align_celeba/`, `"zip"` writes `img_align_celeba.zip` (deflated, like the real one). Default `"folder"`. */
  format?: "folder" | "zip";
  /** Image width. Default 178 (CelebA's aligned crops). */
  width?: number;
  /** Image height. Default 218. */
  height?: number;
  /** Attribute names (header order). Default {@link CELEBA_ATTRIBUTE_NAMES}; unknown names get a 30% rate. */
  attributeNames?: readonly string[];
  /** JPEG quality. Default 90. */
  quality?: number;
}

/** What {@link makeSyntheticCelebA} wrote. */
export interface SyntheticCelebA {
  /** The dataset root (pass it to loadCelebA). */
  root: string;
  attributeNames: string[];
  /** Image ids, `000001.jpg`... */
  ids: string[];
  /** Labels, count x attributes, row-major, ±1. */
  labels: Int8Array;
  /** Official partition per image (0 train, 1 val, 2 test), contiguous like CelebA's. */
  partition: Uint8Array;
}

// CelebA's official partition sizes, used to split synthetic sets in the same proportions.
const CELEBA_TRAIN = 162770;
const CELEBA_VAL = 19867;
const CELEBA_TOTAL = 202599;

/**
 * Writes a synthetic CelebA in the real layout: 178x218 JPEGs (`img_align_celeba/` or
 * `img_align_celeba.zip`), `list_attr_celeba.txt` (count line, header with CelebA's trailing space,
 * rows `000001.jpg -1  1 ...` with each value right-aligned in a 2-wide field) and `list_eval_partition.txt`.
 * Labels follow CelebA's positive rates and their correlation with `Male` (e.g. beards, make-up).
 * Every attribute is drawn as a learnable cue: a marker of its own colour and shape at its own place on
 * the face (kept clear of the paper's random-crop margin), plus global cues for `Pale_Skin` (face tone)
 * and `Blurry` (a blur). A small CNN learns them in a few epochs. Deterministic given the seed.
 *
 * @param dir - Folder to write into (created if needed).
 * @param options - See {@link SyntheticCelebAOptions}; only `count` is required.
 * @returns Root, names, ids, labels and partition of what was written.
 * @throws {InvalidOptionError} For an invalid option.
 * @example
 * const synth = await makeSyntheticCelebA("/tmp/celeba", { count: 2000, seed: 1 });
 * const ds = await loadCelebA({ root: synth.root });
 * ds.size; // 2000
 */
export async function makeSyntheticCelebA(
  dir: string,
  options: SyntheticCelebAOptions,
): Promise<SyntheticCelebA> {
  const { count } = options ?? ({} as SyntheticCelebAOptions);
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidOptionError({ option: "count", value: count, hint: "an integer >= 1" });
  const seed = options.seed ?? 0;
  const format = options.format ?? "folder";
  if (format !== "folder" && format !== "zip")
    throw new InvalidOptionError({ option: "format", value: format, hint: '"folder" or "zip"' });
  const width = options.width ?? 178;
  const height = options.height ?? 218;
  if (!Number.isInteger(width) || width < 16)
    throw new InvalidOptionError({
      option: "width",
      value: width,
      hint: "an integer >= 16 (default 178)",
    });
  if (!Number.isInteger(height) || height < 16)
    throw new InvalidOptionError({
      option: "height",
      value: height,
      hint: "an integer >= 16 (default 218)",
    });
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new InvalidOptionError({
      option: "quality",
      value: quality,
      hint: "an integer in [1, 100] (default 90)",
    });
  }
  const attributeNames = [...(options.attributeNames ?? CELEBA_ATTRIBUTE_NAMES)];
  if (
    attributeNames.length === 0 ||
    attributeNames.some((n) => !/^\S+$/.test(n)) ||
    new Set(attributeNames).size !== attributeNames.length
  ) {
    throw new InvalidOptionError({
      option: "attributeNames",
      value: attributeNames,
      hint: "a non-empty list of unique names without spaces",
    });
  }
  const m = attributeNames.length;
  const root = resolve(dir);
  await mkdir(root, { recursive: true });

  const digits = Math.max(6, String(count).length);
  const ids = Array.from({ length: count }, (_, i) => `${String(i + 1).padStart(digits, "0")}.jpg`);
  const labels = new Int8Array(count * m);
  for (let i = 0; i < count; i++) {
    sampleLabels(
      attributeNames,
      createRng(deriveSeed(seed, "synthetic-labels", i)),
      labels.subarray(i * m, (i + 1) * m),
    );
  }
  const nTrain = Math.round((count * CELEBA_TRAIN) / CELEBA_TOTAL);
  const nVal = Math.round((count * CELEBA_VAL) / CELEBA_TOTAL);
  const partition = new Uint8Array(count);
  for (let i = 0; i < count; i++) partition[i] = i < nTrain ? 0 : i < nTrain + nVal ? 1 : 2;

  const layout = markerLayout(m, width, height);
  const render = (i: number): Promise<Buffer> => {
    const pixels = renderFace(
      width,
      height,
      attributeNames,
      labels.subarray(i * m, (i + 1) * m),
      layout,
      createRng(deriveSeed(seed, "synthetic-image", i)),
    );
    return sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality, chromaSubsampling: "4:2:0" })
      .toBuffer();
  };

  const workers = Math.max(2, availableParallelism() * 2);
  if (format === "folder") {
    const imageDir = join(root, "img_align_celeba");
    await mkdir(imageDir, { recursive: true });
    await pool(count, workers, async (i) => {
      const jpeg = await render(i);
      await writeFile(join(imageDir, ids[i] as string), jpeg);
    });
  } else {
    const jpegs = new Array<Buffer>(count);
    await pool(count, workers, async (i) => {
      jpegs[i] = await render(i);
    });
    await writeZip(join(root, "img_align_celeba.zip"), [
      { name: "img_align_celeba/", data: new Uint8Array(0) },
      ...ids.map((id, i) => ({ name: `img_align_celeba/${id}`, data: jpegs[i] as Buffer })),
    ]);
  }

  // Annotations last, each atomically, so an interrupted run never leaves labels without images.
  await writeFileAtomic(
    join(root, "list_attr_celeba.txt"),
    formatAttributeFile(attributeNames, ids, labels),
  );
  await writeFileAtomic(
    join(root, "list_eval_partition.txt"),
    ids.map((id, i) => `${id} ${partition[i]}\n`).join(""),
  );
  return { root, attributeNames, ids, labels, partition };
}

async function pool(
  count: number,
  workers: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, count) }, run));
}
