import { ChannelMismatchError, InvalidOptionError } from "./errors";
import { assertRawImage, type RawImage } from "./raw-image";

/** ImageNet channel means (RGB) that torchvision's pretrained weights expect. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB) that torchvision's pretrained weights expect. */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Per-channel normalisation `(x - mean[c]) / std[c]`, applied after scaling bytes to [0, 1]. */
export interface NormalizeOptions {
  /** One mean per channel. Default {@link IMAGENET_MEAN}. */
  mean?: readonly number[];
  /** One non-zero standard deviation per channel. Default {@link IMAGENET_STD}. */
  std?: readonly number[];
}

/** Options of {@link toFloat32}. */
export interface ToFloat32Options {
  /**
   * Also apply torchvision's `Normalize`: `{}` for ImageNet's mean and std, or your own. Default:
   * none (plain `ToTensor`, values in [0, 1]).
   */
  normalize?: NormalizeOptions;
  /** Destination, e.g. an NHWC batch buffer; a new array is allocated when omitted. */
  out?: Float32Array;
  /** Element index in `out` to start writing at. Default 0. */
  offset?: number;
}

/**
 * The one way to get floats from an image: torchvision's `ToTensor` (`x / 255`), optionally fused
 * with `Normalize`, keeping channels last (HWC, as tfjs wants). Bit-exact with
 * `Normalize(mean, std)(ToTensor()(img))` (ToTensor alone without `normalize`), via a 256-entry
 * float32 lookup table per channel.
 *
 * @param img - Source image.
 * @param options - `normalize` (`{}` for ImageNet's), and `out` / `offset` to write into a batch.
 * @returns `out` (or a new array), holding `width * height * channels` values from `offset`.
 * @throws {ChannelMismatchError} when mean/std length differs from the image's channels.
 * @throws {InvalidOptionError} when `out` is too small or a std is 0.
 * @example
 * const unit = toFloat32(img); // in [0, 1]
 * const imagenet = toFloat32(img, { normalize: {} }); // what torchvision's pretrained weights expect
 * const batch = new Float32Array(32 * 218 * 178 * 3);
 * toFloat32(img, { normalize: {}, out: batch, offset: 5 * 218 * 178 * 3 }); // fill slot 5
 */
export function toFloat32(img: RawImage, options: ToFloat32Options = {}): Float32Array {
  assertRawImage(img);
  const normalize = options.normalize ?? {
    mean: new Array<number>(img.channels).fill(0),
    std: new Array<number>(img.channels).fill(1),
  };
  return toNormalizedFloat32(img, normalize, options.out, options.offset ?? 0);
}

/**
 * Normalises HWC float data per channel like torchvision's `Normalize` (float32 `(x - mean) / std`).
 *
 * @param data - HWC float values (e.g. from {@link toFloat32}); not modified.
 * @param channels - Number of interleaved channels in `data`.
 * @param options - Mean and std per channel; default ImageNet's.
 * @returns A new Float32Array of the same length.
 * @throws {ChannelMismatchError} when mean/std length differs from `channels`.
 * @throws {InvalidOptionError} when `data.length` is not a multiple of `channels` or a std is 0.
 * @example
 * const x = normalize(toFloat32(img), 3);
 * // same values as torchvision Normalize(IMAGENET_MEAN, IMAGENET_STD)(ToTensor()(pil))
 * console.log(x.length);
 */
export function normalize(
  data: Float32Array,
  channels: number,
  options: NormalizeOptions = {},
): Float32Array {
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new InvalidOptionError({
      option: "channels",
      value: channels,
      hint: "a positive integer (3 for RGB)",
    });
  }
  if (data.length % channels !== 0) {
    throw new InvalidOptionError({
      option: "data.length",
      value: data.length,
      hint: `a multiple of channels (${channels})`,
    });
  }
  const { mean, std } = resolveMeanStd(options, channels);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      out[i + c] = ((data[i + c] as number) - (mean[c] as number)) / (std[c] as number);
    }
  }
  return out;
}

/**
 * The body of {@link toFloat32} (inside the package: the pipelines write straight into batches).
 * Converts an image to normalised float32 HWC in one pass, writing into a caller-provided buffer
 * (e.g. one slot of an NHWC batch). Values are bit-exact with torchvision's
 * `Normalize(mean, std)(ToTensor()(img))`, via a 256-entry lookup table per channel.
 *
 * @param img - Source image.
 * @param options - Mean and std per channel; default ImageNet's.
 * @param out - Optional destination; a new array is allocated when omitted.
 * @param offset - Element index in `out` to start writing at. Default 0.
 * @returns `out` (or the new array).
 * @throws {ChannelMismatchError} when mean/std length differs from the image's channels.
 * @throws {InvalidOptionError} when `out` is too small or a std is 0.
 * @example
 * const batch = new Float32Array(32 * 218 * 178 * 3);
 * toNormalizedFloat32(img, {}, batch, 5 * 218 * 178 * 3); // fill slot 5
 * console.log(batch[5 * 218 * 178 * 3]);
 */
export function toNormalizedFloat32(
  img: RawImage,
  options: NormalizeOptions = {},
  out?: Float32Array,
  offset = 0,
): Float32Array {
  assertRawImage(img);
  const c = img.channels;
  const lut = normalizationTable(options, c);
  const n = img.data.length;
  const dest = out ?? new Float32Array(n);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > dest.length) {
    throw new InvalidOptionError({
      option: "offset",
      value: offset,
      hint:
        `an integer with 0 <= offset and offset + ${n} (the image's value count) <= out.length (${dest.length}); ` +
        "allocate the batch as n * height * width * channels",
    });
  }
  const src = img.data;
  if (c === 3) {
    for (let i = 0; i < n; i += 3) {
      dest[offset + i] = lut[src[i] as number] as number;
      dest[offset + i + 1] = lut[256 + (src[i + 1] as number)] as number;
      dest[offset + i + 2] = lut[512 + (src[i + 2] as number)] as number;
    }
  } else {
    for (let i = 0; i < n; i += c) {
      for (let ch = 0; ch < c; ch++)
        dest[offset + i + ch] = lut[ch * 256 + (src[i + ch] as number)] as number;
    }
  }
  return dest;
}

const tables = new Map<string, Float32Array>();

/** Builds (and memoises) `lut[c * 256 + v] = fround((fround(v / 255) - mean[c]) / std[c])` in float32 like torch. */
export function normalizationTable(options: NormalizeOptions, channels: number): Float32Array {
  const { mean, std } = resolveMeanStd(options, channels);
  const key = `${mean.join(",")}|${std.join(",")}`;
  const hit = tables.get(key);
  if (hit) return hit;
  const lut = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const m = Math.fround(mean[c] as number);
    const s = Math.fround(std[c] as number);
    for (let v = 0; v < 256; v++) {
      // Each float32 op rounded separately: exactly torch's ToTensor `.div(255)` then `sub_(mean).div_(std)`.
      lut[c * 256 + v] = Math.fround(Math.fround(Math.fround(v / 255) - m) / s);
    }
  }
  if (tables.size > 32) tables.clear();
  tables.set(key, lut);
  return lut;
}

function resolveMeanStd(
  options: NormalizeOptions,
  channels: number,
): { mean: readonly number[]; std: readonly number[] } {
  const mean = options.mean ?? IMAGENET_MEAN;
  const std = options.std ?? IMAGENET_STD;
  for (const [name, values] of [
    ["mean", mean],
    ["std", std],
  ] as const) {
    if (
      !Array.isArray(values) ||
      values.some((v) => typeof v !== "number" || !Number.isFinite(v))
    ) {
      throw new InvalidOptionError({
        option: name,
        value: values,
        hint: `an array of ${channels} finite numbers, one per channel`,
      });
    }
    if (values.length !== channels) {
      throw new ChannelMismatchError({
        what: `normalize ${name} [${values.join(", ")}]`,
        expected: channels,
        actual: values.length,
        fix:
          `Give one ${name} value per image channel (the image has ${channels}); ` +
          (channels === 3
            ? "ImageNet's defaults fit RGB."
            : "convert the image to RGB or pass matching mean/std."),
      });
    }
  }
  if (std.some((s) => s === 0)) {
    throw new InvalidOptionError({
      option: "std",
      value: std,
      hint: "non-zero standard deviations (division by std)",
    });
  }
  return { mean, std };
}
