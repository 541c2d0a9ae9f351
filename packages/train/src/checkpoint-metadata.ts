import { errorClass, errorMarker } from "@celeba/internal";
import { TrainError } from "./errors";

/** The largest accepted input side, in pixels: beyond it a checkpoint is treated as corrupt, not as a request to allocate. */
export const MAX_INPUT_SIDE = 4096;

/** Per-channel normalisation applied to `x / 255` before the model: `(x - mean) / std`. */
export interface Normalization {
  /** One mean per channel. */
  mean: number[];
  /** One positive standard deviation per channel. */
  std: number[];
}

/**
 * What a weights checkpoint says about itself, so that a reader (`reference predict`, the web
 * page) can rebuild the model and its input pipeline from the file alone. Stored as strings in
 * the safetensors `__metadata__` map by {@link encodeCheckpointMetadata}.
 */
export interface CheckpointMetadata {
  /** The architecture name, e.g. `"resnext50_32x4d"`; `"unknown"` when the model did not say. */
  architecture: string;
  /** The input size the model was trained at; `null` when unknown (any size works for a ResNet). */
  inputSize: { width: number; height: number } | null;
  /** Output names, in output order; `null` when unknown. */
  attributeNames: string[] | null;
  /** Input normalisation; `null` means ImageNet's mean and std, which every pipeline of ours defaults to. */
  normalization: Normalization | null;
  /** 1-based epoch of the weights (0 for the initial weights); `null` when unknown. */
  epoch: number | null;
  /** Steps done in that epoch; `null` when unknown. */
  step: number | null;
  /** Metrics at that point, e.g. `{ val_accuracy: 0.9 }`; `{}` when none. */
  metrics: Record<string, number>;
  /** The run's configuration (loss, optimizer, seed, ...); `{}` when unknown. */
  config: Record<string, unknown>;
}

/**
 * A checkpoint's metadata is present but not valid: names the file, the key and what is
 * expected, so the user knows which file to re-save.
 *
 * @example
 * ```ts
 * try { decodeCheckpointMetadata(meta, "epoch-03.safetensors"); }
 * catch (e) { if (CheckpointMetadataError.isInstance(e)) console.log(e.source, e.key); }
 * ```
 */
export class CheckpointMetadataError extends errorClass(
  TrainError,
  ["source", "key"],
  (init: {
    /** The file (or `"<bytes>"`) the metadata came from. */
    source: string;
    /** The offending `__metadata__` key, e.g. `"input_size"`. */
    key: string;
    /** What is wrong with its value. */
    detail: string;
  }) =>
    `${init.source}: checkpoint metadata "${init.key}" ${init.detail}. ` +
    "Re-save the checkpoint with @celeba/train, or remove the key.",
) {
  static override readonly marker: symbol = errorMarker("train", "CheckpointMetadataError");
}

/**
 * Encodes metadata as the string-to-string map that safetensors stores in `__metadata__`
 * (`format: "pt"` included, as `safetensors.torch` expects). JSON values are compact JSON.
 *
 * @param meta - The metadata.
 * @returns The `__metadata__` map.
 * @example
 * ```ts
 * const map = encodeCheckpointMetadata({ ...meta, epoch: 3 });
 * writeSafetensors("epoch-03.safetensors", model.stateDict(), map);
 * ```
 */
export function encodeCheckpointMetadata(meta: CheckpointMetadata): Record<string, string> {
  const out: Record<string, string> = { format: "pt", architecture: meta.architecture };
  if (meta.inputSize)
    out.input_size = JSON.stringify({ width: meta.inputSize.width, height: meta.inputSize.height });
  if (meta.attributeNames) out.attribute_names = JSON.stringify(meta.attributeNames);
  if (meta.normalization) out.normalization = JSON.stringify(meta.normalization);
  if (meta.epoch !== null) out.epoch = String(meta.epoch);
  if (meta.step !== null) out.step = String(meta.step);
  out.metrics = JSON.stringify(meta.metrics);
  out.config = JSON.stringify(meta.config);
  return out;
}

/**
 * Decodes and validates a safetensors `__metadata__` map written by
 * {@link encodeCheckpointMetadata}, or by earlier versions of `@celeba/train` (`input_size`
 * as `[height, width, channels]`) and of `reference train` (`input_size` as
 * `{ width, height }`). Missing keys decode to their "unknown" value; present but invalid
 * keys throw. Input sides are bounded to 1..{@link MAX_INPUT_SIDE}.
 *
 * @param raw - The `__metadata__` map (`{}` for a file without one).
 * @param source - The file name, for error messages.
 * @returns The typed metadata.
 * @throws {CheckpointMetadataError} For a key whose value is malformed or out of bounds.
 * @example
 * ```ts
 * const meta = decodeCheckpointMetadata(await readSafetensorsMetadata(path), path);
 * console.log(meta.architecture, meta.inputSize); // "resnext_tiny" { width: 178, height: 218 }
 * ```
 */
export function decodeCheckpointMetadata(
  raw: Readonly<Record<string, string>>,
  source: string,
): CheckpointMetadata {
  const fail = (key: string, detail: string): never => {
    throw new CheckpointMetadataError({ source, key, detail });
  };
  const json = (key: string): unknown => {
    const text = raw[key];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return fail(key, `is not valid JSON (${clip(text)})`);
    }
  };
  const architecture = raw.architecture ?? "unknown";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(architecture))
    fail("architecture", `is ${clip(JSON.stringify(architecture))}, not an architecture name`);
  return {
    architecture,
    inputSize: decodeInputSize(json("input_size"), fail),
    attributeNames: decodeNames(json("attribute_names"), fail),
    normalization: decodeNormalization(json("normalization"), fail),
    epoch: decodeCount("epoch", raw.epoch, fail),
    step: decodeCount("step", raw.step, fail),
    metrics: decodeMetrics(json("metrics"), fail),
    config: decodeConfig(json("config"), fail),
  };
}

type Fail = (key: string, detail: string) => never;

function decodeInputSize(value: unknown, fail: Fail): CheckpointMetadata["inputSize"] {
  if (value === undefined || value === null) return null;
  let width: unknown;
  let height: unknown;
  if (Array.isArray(value)) {
    // Older @celeba/train checkpoints: the batch shape without N, [height, width, channels].
    if (value.length !== 3) fail("input_size", "must be [height, width, channels]");
    [height, width] = value;
  } else if (typeof value === "object") {
    ({ width, height } = value as { width?: unknown; height?: unknown });
  } else {
    fail("input_size", "must be { width, height }");
  }
  for (const [name, side] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(side) || (side as number) < 1 || (side as number) > MAX_INPUT_SIDE) {
      fail(
        "input_size",
        `has ${name} ${clip(JSON.stringify(side))}; expected an integer 1..${MAX_INPUT_SIDE}`,
      );
    }
  }
  return { width: width as number, height: height as number };
}

function decodeNames(value: unknown, fail: Fail): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > 100_000)
    fail("attribute_names", "must be a non-empty JSON array of names");
  const names = value as unknown[];
  names.forEach((name, i) => {
    if (typeof name !== "string" || name.length === 0 || name.length > 256)
      fail("attribute_names", `has entry ${i} ${clip(JSON.stringify(name))}; expected a name`);
  });
  return names as string[];
}

function decodeNormalization(value: unknown, fail: Fail): Normalization | null {
  if (value === undefined || value === null) return null;
  const { mean, std } = (typeof value === "object" ? value : {}) as {
    mean?: unknown;
    std?: unknown;
  };
  const channels = (v: unknown, positive: boolean) =>
    Array.isArray(v) &&
    v.length >= 1 &&
    v.length <= 4 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
  if (
    !channels(mean, false) ||
    !channels(std, true) ||
    (mean as number[]).length !== (std as number[]).length
  )
    fail(
      "normalization",
      "must be { mean: number[], std: number[] } with 1..4 channels and std > 0",
    );
  return { mean: mean as number[], std: std as number[] };
}

function decodeCount(key: string, text: string | undefined, fail: Fail): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || !Number.isSafeInteger(n))
    fail(key, `is ${clip(JSON.stringify(text))}; expected a non-negative integer`);
  return n;
}

function decodeMetrics(value: unknown, fail: Fail): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) fail("metrics", "must be a JSON object");
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value as object)) {
    // JSON has no NaN: a metric that was NaN (no validation data) is written as null.
    if (v !== null && typeof v !== "number")
      fail("metrics", `has "${clip(k)}" that is not a number`);
    out[k] = v === null ? Number.NaN : v;
  }
  return out;
}

function decodeConfig(value: unknown, fail: Fail): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) fail("config", "must be a JSON object");
  return value as Record<string, unknown>;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
