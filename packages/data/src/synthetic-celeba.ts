import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Rng, Seed } from "@celeba/augment";
import { createRng, deriveSeed } from "@celeba/augment/random";
import { assertOneOf } from "@celeba/internal";
import { writeFileAtomic, writeZip } from "@celeba/internal/node";
import sharp from "sharp";
import { CELEBA_ATTRIBUTE_NAMES, CELEBA_ATTRIBUTE_STATS } from "./celeba-attributes";
import { InvalidOptionError } from "./errors";

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
  assertOneOf(InvalidOptionError, "format", format, ["folder", "zip"]);
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

/**
 * Formats an attribute table exactly like CelebA's `list_attr_celeba.txt`: the image count, the names
 * separated by single spaces with a trailing space, then each id followed by its values right-aligned
 * in 2-wide fields separated by a space (`000001.jpg -1  1  1 -1`).
 *
 * @param names - Attribute names (header order).
 * @param ids - Image ids, one per row.
 * @param labels - ids.length x names.length values, row-major, 1 or -1.
 * @returns The file's text, ending with a newline.
 * @example
 * formatAttributeFile(["A", "B"], ["000001.jpg"], Int8Array.of(-1, 1));
 * // "1\nA B \n000001.jpg -1  1\n"
 * writeFileSync("list_attr_celeba.txt", formatAttributeFile(names, ids, labels));
 */
export function formatAttributeFile(
  names: readonly string[],
  ids: readonly string[],
  labels: Int8Array,
): string {
  const m = names.length;
  const parts: string[] = [`${ids.length}\n${names.join(" ")} \n`];
  for (let i = 0; i < ids.length; i++) {
    let line = ids[i] as string;
    for (let j = 0; j < m; j++) line += labels[i * m + j] === 1 ? "  1" : " -1";
    parts.push(`${line}\n`);
  }
  return parts.join("");
}

function sampleLabels(names: readonly string[], rng: Rng, out: Int8Array): void {
  const pMale = CELEBA_ATTRIBUTE_STATS.Male?.rate ?? 0.4168;
  const male = rng.next() < pMale;
  const conditional = (name: string): number => {
    const stats = CELEBA_ATTRIBUTE_STATS[name];
    if (name === "Male") return male ? 1 : 0;
    if (stats === undefined) return 0.3;
    return male
      ? (stats.rate * stats.maleShare) / pMale
      : (stats.rate * (1 - stats.maleShare)) / (1 - pMale);
  };
  const at = (name: string): number => names.indexOf(name);
  const beard = ["Goatee", "Mustache"].filter((name) => at(name) >= 0);
  names.forEach((name, j) => {
    if (name === "No_Beard") return;
    out[j] = rng.next() < Math.min(1, conditional(name)) ? 1 : -1;
  });
  const noBeard = at("No_Beard");
  if (noBeard >= 0) {
    // A goatee or moustache is a beard (No_Beard = -1); the others get a higher rate so the overall
    // No_Beard rate stays CelebA's.
    const pBeardless = beard.reduce((q, name) => q * (1 - Math.min(1, conditional(name))), 1);
    const hasBeard = beard.some((name) => out[at(name)] === 1);
    const p = Math.min(1, conditional("No_Beard") / Math.max(pBeardless, 1e-9));
    out[noBeard] = !hasBeard && rng.next() < p ? 1 : -1;
  }
  // Hair colours are (almost) exclusive in CelebA; keep one at random.
  const hair = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair"]
    .map(at)
    .filter((j) => j >= 0 && out[j] === 1);
  if (hair.length > 1) {
    const keep = hair[rng.nextInt(hair.length)];
    for (const j of hair) if (j !== keep) out[j] = -1;
  }
  const bald = at("Bald");
  if (bald >= 0 && out[bald] === 1)
    for (const name of ["Bangs", "Wavy_Hair", "Straight_Hair"])
      if (at(name) >= 0) out[at(name)] = -1;
}

interface Marker {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  shape: 0 | 1 | 2;
  color: [number, number, number];
}

/**
 * One marker per attribute on a grid inside the region every 178x218 random crop of the 220x270 resize
 * keeps (x in [34, 144], y in [42, 176] at 178x218), so augmentation never removes a cue. Colours are
 * saturated and distinct (from the {0, 85, 170, 255} cube with a channel spread of at least 170).
 */
function markerLayout(m: number, width: number, height: number): Marker[] {
  const colors: [number, number, number][] = [];
  const levels = [0, 85, 170, 255];
  for (const r of levels)
    for (const g of levels)
      for (const b of levels) {
        if (Math.max(r, g, b) - Math.min(r, g, b) >= 170) colors.push([r, g, b]);
      }
  // Interleave hues so neighbouring attributes get dissimilar colours.
  colors.sort((a, b) => hue(a) - hue(b));
  const palette = colors.map(
    (_, k) => colors[(k * 17) % colors.length] as [number, number, number],
  );
  const sx = width / 178;
  const sy = height / 218;
  const cols = 5;
  const rows = Math.max(1, Math.ceil(m / cols));
  const cellW = (110 * sx) / cols;
  const cellH = (134 * sy) / rows;
  // Markers fill their cell (less a 1 px outline and a 1 px gap): area is what makes a cue easy to learn.
  const rx = Math.max(1, cellW / 2 - 2);
  const ry = Math.max(1, cellH / 2 - 2);
  return Array.from({ length: m }, (_, k) => ({
    cx: 34 * sx + ((k % cols) + 0.5) * cellW,
    cy: 42 * sy + (Math.floor(k / cols) + 0.5) * cellH,
    rx,
    ry,
    shape: (k % 3) as 0 | 1 | 2,
    color: palette[k % palette.length] as [number, number, number],
  }));
}

function hue([r, g, b]: [number, number, number]): number {
  return Math.atan2(Math.sqrt(3) * (g - b), 2 * r - g - b);
}

const SKIN: [number, number, number][] = [
  [224, 184, 150],
  [198, 152, 118],
  [160, 114, 84],
  [236, 200, 170],
  [120, 84, 60],
];

function renderFace(
  width: number,
  height: number,
  names: readonly string[],
  labels: Int8Array,
  markers: Marker[],
  rng: Rng,
): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const sx = width / 178;
  const sy = height / 218;
  // Background: a muted colour with a little per-pixel texture.
  const grey = 70 + rng.nextInt(120);
  const tint = [rng.nextInt(41) - 20, rng.nextInt(41) - 20, rng.nextInt(41) - 20];
  let state = rng.nextUint32() | 1;
  for (let i = 0; i < width * height; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const noise = ((state >>> 0) % 21) - 10;
    px[i * 3] = clamp(grey + (tint[0] as number) + noise);
    px[i * 3 + 1] = clamp(grey + (tint[1] as number) + noise);
    px[i * 3 + 2] = clamp(grey + (tint[2] as number) + noise);
  }
  const cx = 89 * sx + (rng.next() - 0.5) * 6 * sx;
  const cy = 112 * sy + (rng.next() - 0.5) * 6 * sy;
  const hairShade = 30 + rng.nextInt(90);
  ellipse(px, width, height, cx, cy - 14 * sy, 60 * sx, 70 * sy, [
    hairShade,
    hairShade * 0.8,
    hairShade * 0.6,
  ]);
  const pale = names.indexOf("Pale_Skin");
  const skin =
    pale >= 0 && labels[pale] === 1
      ? ([246, 236, 230] as [number, number, number])
      : (SKIN[rng.nextInt(SKIN.length)] as [number, number, number]);
  ellipse(px, width, height, cx, cy, 50 * sx, 64 * sy, skin);
  const eye: [number, number, number] = [40, 30, 30];
  ellipse(px, width, height, cx - 18 * sx, cy - 12 * sy, 6 * sx, 3 * sy, eye);
  ellipse(px, width, height, cx + 18 * sx, cy - 12 * sy, 6 * sx, 3 * sy, eye);
  ellipse(px, width, height, cx, cy + 30 * sy, 14 * sx, 3 * sy, [150, 60, 60]);

  markers.forEach((marker, k) => {
    if (labels[k] !== 1) return;
    drawMarker(px, width, height, marker);
  });
  const blurry = names.indexOf("Blurry");
  if (blurry >= 0 && labels[blurry] === 1)
    boxBlur(px, width, height, Math.max(1, Math.round(2 * sx)));
  return px;
}

function drawMarker(px: Buffer, width: number, height: number, marker: Marker): void {
  const { cx, cy, rx, ry, shape, color } = marker;
  const x0 = Math.max(0, Math.floor(cx - rx - 1));
  const x1 = Math.min(width - 1, Math.ceil(cx + rx + 1));
  const y0 = Math.max(0, Math.floor(cy - ry - 1));
  const y1 = Math.min(height - 1, Math.ceil(cy + ry + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = Math.abs(x + 0.5 - cx) / (rx + 1);
      const dy = Math.abs(y + 0.5 - cy) / (ry + 1);
      // Shape in its own norm: rectangle (max), ellipse (euclidean), rounded rectangle (4-norm).
      const d =
        shape === 0
          ? Math.max(dx, dy)
          : shape === 1
            ? Math.hypot(dx, dy)
            : Math.sqrt(Math.sqrt(dx ** 4 + dy ** 4));
      if (d > 1) continue;
      // A 1 px dark rim separates the cue from whatever it is drawn on.
      const rim =
        Math.abs(x + 0.5 - cx) > rx ||
        Math.abs(y + 0.5 - cy) > ry ||
        (shape !== 0 && d > 1 - 1 / Math.max(rx, ry));
      const c = rim ? ([0, 0, 0] as const) : color;
      const o = (y * width + x) * 3;
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
    }
  }
}

function ellipse(
  px: Buffer,
  width: number,
  height: number,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  color: readonly number[],
): void {
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(height - 1, Math.ceil(cy + ry));
  for (let y = y0; y <= y1; y++) {
    const t = (y + 0.5 - cy) / ry;
    if (t * t > 1) continue;
    const half = rx * Math.sqrt(1 - t * t);
    const x0 = Math.max(0, Math.ceil(cx - half - 0.5));
    const x1 = Math.min(width - 1, Math.floor(cx + half - 0.5));
    for (let x = x0; x <= x1; x++) {
      const o = (y * width + x) * 3;
      px[o] = clamp(color[0] as number);
      px[o + 1] = clamp(color[1] as number);
      px[o + 2] = clamp(color[2] as number);
    }
  }
}

function boxBlur(px: Buffer, width: number, height: number, radius: number): void {
  const tmp = new Float32Array(px.length);
  const pass = (
    src: ArrayLike<number>,
    dst: { [i: number]: number },
    horizontal: boolean,
  ): void => {
    const outer = horizontal ? height : width;
    const inner = horizontal ? width : height;
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          let n = 0;
          for (let k = -radius; k <= radius; k++) {
            const bb = b + k;
            if (bb < 0 || bb >= inner) continue;
            const idx = horizontal ? (a * width + bb) * 3 + c : (bb * width + a) * 3 + c;
            sum += src[idx] as number;
            n++;
          }
          const o = horizontal ? (a * width + b) * 3 + c : (b * width + a) * 3 + c;
          dst[o] = sum / n;
        }
      }
    }
  };
  pass(px, tmp, true);
  const out = new Float32Array(px.length);
  pass(tmp, out, false);
  for (let i = 0; i < px.length; i++) px[i] = clamp(out[i] as number);
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
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
