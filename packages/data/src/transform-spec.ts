import {
  AugmentError,
  InvalidOptionError as AugmentInvalidOptionError,
  type CelebaTrainTransformOptions,
  celebaEvalTransform,
  type NormalizeOptions,
  type ResizeFilter,
} from "@celeba/augment";
import { InvalidOptionError } from "./errors";

/** Mirrors every image left-right (@celeba/augment's `hflip`); draws nothing from the rng. */
export interface HflipStep {
  op: "hflip";
}

/** Mirrors with probability `p` (default 0.5), drawing `rng.next()` once (@celeba/augment's `randomHorizontalFlip`). */
export interface RandomHorizontalFlipStep {
  op: "randomHorizontalFlip";
  /** Flip probability in [0, 1]. Default 0.5. */
  p?: number;
}

/** Resizes exactly like Pillow's `Image.resize` (@celeba/augment's `resize`); an image already that size is kept. */
export interface ResizeStep {
  op: "resize";
  /** Target width in pixels. */
  width: number;
  /** Target height in pixels. */
  height: number;
  /** Resampling filter. Default `"bicubic"`. */
  filter?: ResizeFilter;
}

/** Crops a window of the given size: `"centerCrop"` its centre, `"randomCrop"` a random one (two rng draws). */
export interface CropStep {
  op: "centerCrop" | "randomCrop";
  /** Window width in pixels. */
  width: number;
  /** Window height in pixels. */
  height: number;
}

/** Scales bytes to [0, 1] and normalises per channel; only as the last step. Defaults ImageNet's mean and std. */
export interface NormalizeStep extends NormalizeOptions {
  op: "normalize";
}

/** One step of a {@link TransformSpec} list, named after the @celeba/augment function it runs. */
export type TransformStep =
  | HflipStep
  | RandomHorizontalFlipStep
  | ResizeStep
  | CropStep
  | NormalizeStep;

/**
 * A ready pipeline by name: `"celebaTrain"` is @celeba/augment's `celebaTrainTransform` (the paper's
 * flip, resize to 220x270, random crop to 178x218, normalise), `"celebaEval"` its `celebaEvalTransform`
 * (normalise only). The other fields are that function's options.
 */
export type TransformPreset =
  | ({ preset: "celebaTrain" } & CelebaTrainTransformOptions)
  | ({ preset: "celebaEval" } & NormalizeOptions);

/**
 * A per-image pipeline as plain data, so it runs the same on the main thread and in worker threads
 * (functions cannot cross threads): a {@link TransformPreset}, or a list of {@link TransformStep}s
 * applied in order, all drawing from the sample's rng.
 *
 * @example
 * const paper: TransformSpec = { preset: "celebaTrain" };
 * const same: TransformSpec = [
 *   { op: "randomHorizontalFlip", p: 0.5 },
 *   { op: "resize", width: 220, height: 270 },
 *   { op: "randomCrop", width: 178, height: 218 },
 *   { op: "normalize" },
 * ];
 */
export type TransformSpec = TransformPreset | readonly TransformStep[];

/** A validated spec: its steps with every default filled in, always ending with one normalize step. */
export type ResolvedSteps = readonly TransformStep[];

const STEP_KEYS: Record<TransformStep["op"], readonly string[]> = {
  hflip: ["op"],
  randomHorizontalFlip: ["op", "p"],
  resize: ["op", "width", "height", "filter"],
  centerCrop: ["op", "width", "height"],
  randomCrop: ["op", "width", "height"],
  normalize: ["op", "mean", "std"],
};
const OPS = Object.keys(STEP_KEYS);

const PRESET_KEYS = {
  celebaTrain: ["preset", "flipProbability", "resize", "crop", "cropMode", "filter", "mean", "std"],
  celebaEval: ["preset", "mean", "std"],
} as const;
const PRESETS = Object.keys(PRESET_KEYS);

// Keyed by ResizeFilter so that the compiler flags a filter added to @celeba/augment but missing here.
const FILTERS = Object.keys({
  nearest: 0,
  box: 0,
  bilinear: 0,
  hamming: 0,
  bicubic: 0,
  lanczos: 0,
} satisfies Record<ResizeFilter, 0>);

/** Whether a `transform` option is a {@link TransformSpec} (rather than a function or pipeline object). */
export function isTransformSpec(value: unknown): value is TransformSpec {
  return Array.isArray(value) || (isRecord(value) && "preset" in value);
}

/**
 * Checks a spec before any work and returns its steps with defaults filled in. Errors name the
 * step index (or preset field) and key, and list the valid choices.
 *
 * @param spec - The `transform` option.
 * @param normalize - The batch `normalize` option, used when the spec does not normalise itself.
 * @throws {InvalidOptionError} For anything the pipeline would reject later, and for `normalize` given twice.
 */
export function resolveTransformSpec(
  spec: TransformSpec,
  normalize: NormalizeOptions | undefined,
): ResolvedSteps {
  const steps = Array.isArray(spec)
    ? resolveSteps(spec as readonly unknown[])
    : presetSteps(spec as unknown as Record<string, unknown>);
  const last = steps[steps.length - 1];
  if (last?.op === "normalize") {
    if (normalize !== undefined) {
      throw new InvalidOptionError({
        option: "normalize",
        value: normalize,
        hint: "no normalize option when the transform sets its own mean/std (give them in one place)",
      });
    }
    return steps;
  }
  const norm = checkNormalize("normalize", { ...normalize });
  return [...steps, { op: "normalize", ...norm }];
}

function resolveSteps(list: readonly unknown[]): TransformStep[] {
  const out: TransformStep[] = [];
  // The size after the latest resize, so a crop that cannot fit fails now rather than per image.
  let known: { width: number; height: number } | undefined;
  list.forEach((raw, i) => {
    const at = `transform[${i}]`;
    if (!isRecord(raw)) {
      throw new InvalidOptionError({
        option: at,
        value: raw,
        hint: 'a step object such as { op: "resize", width: 220, height: 270 }',
      });
    }
    const op = raw.op as TransformStep["op"];
    if (!OPS.includes(op)) {
      throw new InvalidOptionError({ option: `${at}.op`, value: raw.op, validChoices: OPS });
    }
    checkKeys(raw, STEP_KEYS[op], at, op === "hflip" ? hflipHint : undefined);
    if (op === "normalize" && i !== list.length - 1) {
      throw new InvalidOptionError({
        option: `${at}.op`,
        value: op,
        hint: `normalize only as the last step (it turns bytes into floats); this list has ${list.length} steps`,
      });
    }
    switch (op) {
      case "hflip":
        out.push({ op });
        return;
      case "randomHorizontalFlip":
        out.push({ op, p: checkProbability(`${at}.p`, raw.p ?? 0.5) });
        return;
      case "resize":
        known = checkSize(at, raw);
        out.push({ op, ...known, filter: checkFilter(`${at}.filter`, raw.filter) });
        return;
      case "centerCrop":
      case "randomCrop": {
        const size = checkSize(at, raw);
        if (known !== undefined && (size.width > known.width || size.height > known.height)) {
          throw new InvalidOptionError({
            option: at,
            value: raw,
            hint: `a window that fits the ${known.width}x${known.height} resize before it`,
          });
        }
        known = size;
        out.push({ op, ...size });
        return;
      }
      case "normalize":
        out.push({ op, ...checkNormalize(at, raw) });
    }
  });
  return out;
}

function hflipHint(key: string): string | undefined {
  return key === "p" ? 'for a random flip use { op: "randomHorizontalFlip", p }' : undefined;
}

/** A preset as the step list it is equivalent to (the same rng draws, the same output). */
function presetSteps(raw: Record<string, unknown>): TransformStep[] {
  const preset = raw.preset as keyof typeof PRESET_KEYS;
  if (!PRESETS.includes(preset)) {
    throw new InvalidOptionError({
      option: "transform.preset",
      value: raw.preset,
      validChoices: PRESETS,
    });
  }
  checkKeys(raw, PRESET_KEYS[preset], "transform");
  const norm: NormalizeStep = { op: "normalize", ...checkNormalize("transform", raw) };
  if (preset === "celebaEval") return [norm];
  const cropMode = raw.cropMode ?? "random";
  if (cropMode !== "random" && cropMode !== "center") {
    throw new InvalidOptionError({
      option: "transform.cropMode",
      value: cropMode,
      validChoices: ["random", "center"],
    });
  }
  const resize = checkSize("transform.resize", raw.resize ?? { width: 220, height: 270 });
  const crop = checkSize("transform.crop", raw.crop ?? { width: 178, height: 218 });
  if (crop.width > resize.width || crop.height > resize.height) {
    throw new InvalidOptionError({
      option: "transform.crop",
      value: raw.crop,
      hint: `a size that fits in transform.resize (${resize.width}x${resize.height})`,
    });
  }
  return [
    {
      op: "randomHorizontalFlip",
      p: checkProbability("transform.flipProbability", raw.flipProbability ?? 0.5),
    },
    { op: "resize", ...resize, filter: checkFilter("transform.filter", raw.filter) },
    { op: cropMode === "random" ? "randomCrop" : "centerCrop", ...crop },
    norm,
  ];
}

function checkKeys(
  raw: Record<string, unknown>,
  valid: readonly string[],
  at: string,
  hint?: (key: string) => string | undefined,
): void {
  for (const key of Object.keys(raw)) {
    if (!valid.includes(key)) {
      throw new InvalidOptionError({
        option: `${at}.${key}`,
        value: raw[key],
        hint: hint?.(key) ?? `no key "${key}" here`,
        validChoices: valid,
      });
    }
  }
}

function checkSize(at: string, raw: unknown): { width: number; height: number } {
  if (!isRecord(raw)) {
    throw new InvalidOptionError({ option: at, value: raw, hint: "{ width, height } in pixels" });
  }
  for (const key of ["width", "height"] as const) {
    const v = raw[key];
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw new InvalidOptionError({
        option: `${at}.${key}`,
        value: v,
        hint: "a positive integer number of pixels",
      });
    }
  }
  return { width: raw.width as number, height: raw.height as number };
}

function checkProbability(at: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new InvalidOptionError({ option: at, value: p, hint: "a probability in [0, 1]" });
  }
  return p;
}

function checkFilter(at: string, filter: unknown): ResizeFilter {
  const f = filter ?? "bicubic";
  if (!FILTERS.includes(f as string)) {
    throw new InvalidOptionError({ option: at, value: filter, validChoices: FILTERS });
  }
  return f as ResizeFilter;
}

/** Mean/std as @celeba/augment checks them (same lengths, non-zero std), reported under `at`. */
function checkNormalize(at: string, raw: Record<string, unknown>): NormalizeOptions {
  const norm: NormalizeOptions = {};
  for (const key of ["mean", "std"] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
      throw new InvalidOptionError({
        option: `${at}.${key}`,
        value: v,
        hint: "an array of finite numbers, one per channel (e.g. [0.485, 0.456, 0.406])",
      });
    }
    norm[key] = [...v];
  }
  try {
    celebaEvalTransform(norm);
  } catch (error) {
    if (!AugmentError.isInstance(error)) throw error;
    const key = AugmentInvalidOptionError.isInstance(error) ? `.${error.option}` : "";
    throw new InvalidOptionError({
      option: `${at}${key}`,
      value: norm,
      hint: (error as Error).message,
    });
  }
  return norm;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
