import { CelebaError, errorClass, errorMarker, invalidOptionErrorClass } from "@celeba/internal";

/**
 * Base class of every error thrown by `@celeba/data`; catch this to handle all of them.
 *
 * @example
 * try { await loadCelebA({ root: "./celeba" }); }
 * catch (e) { if (DataError.isInstance(e)) console.error(e.message); }
 * // prints the file, line or path at fault and how to fix it
 */
export class DataError extends CelebaError {
  static override readonly marker: symbol = errorMarker("data", "DataError");
}

/**
 * A configuration value is invalid; the message lists the valid choices.
 *
 * @example
 * try { createBatches(source, { batchSize: 0 }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option, e.value); }
 * // "batchSize" 0
 */
export class InvalidOptionError extends invalidOptionErrorClass(
  DataError,
  (init, shown) =>
    `Invalid option ${init.option}: got ${shown.value}; expected ${init.hint ?? "another value"}.${shown.choices}`,
) {
  static override readonly marker: symbol = errorMarker("data", "InvalidOptionError");
}

/**
 * A line of an annotation file (attributes or partition, text or CSV) is malformed:
 * wrong number of values, a value other than the allowed ones, or a duplicate image id.
 *
 * @example
 * try { parseAttributes(text, "list_attr_celeba.txt"); }
 * catch (e) { if (AnnotationError.isInstance(e)) console.log(e.file, e.line); }
 * // "list_attr_celeba.txt" 7
 */
export class AnnotationError extends errorClass(
  DataError,
  ["file", "line"],
  (init: {
    /** File name (or path) the text came from. */
    file: string;
    /** 1-based line number of the offending line. */
    line: number;
    /** What is wrong with the line. */
    problem: string;
    /** How to fix it. */
    fix: string;
  }) => `${init.file}:${init.line}: ${init.problem}. ${init.fix}`,
) {
  static override readonly marker: symbol = errorMarker("data", "AnnotationError");
}

/**
 * A file or folder the dataset needs does not exist; the message names the path and the expected layout.
 *
 * @example
 * try { await loadCelebA({ root: "./nowhere" }); }
 * catch (e) { if (MissingPathError.isInstance(e)) console.log(e.path); }
 * // "/abs/nowhere"
 */
export class MissingPathError extends errorClass(
  DataError,
  ["path"],
  (init: {
    /** The path that was looked for. */
    path: string;
    /** What was looked for, e.g. `"CelebA root folder"`. */
    what: string;
    /** The expected layout, in words. */
    layout: string;
  }) => `${init.what} not found: ${init.path}. ${init.layout}`,
) {
  static override readonly marker: symbol = errorMarker("data", "MissingPathError");
}

/**
 * The annotation lists images that are not in the image folder or zip.
 *
 * @example
 * try { await loadCelebA({ root }); }
 * catch (e) { if (MissingImagesError.isInstance(e)) console.log(e.count, e.examples); }
 * // 3 ["000007.jpg", ...]
 */
export class MissingImagesError extends errorClass(
  DataError,
  ["count", "examples"],
  (init: {
    /** How many listed images are missing. */
    count: number;
    /** The first few missing image ids. */
    examples: string[];
    /** The image folder or zip. */
    source: string;
    /** The annotation file that lists them. */
    annotation: string;
  }) =>
    `${init.count} image(s) listed in ${init.annotation} are missing from ${init.source} (first: ${init.examples.join(", ")}). ` +
    `Re-download or re-extract the images, or pass onMissingImage: "skip" to drop them from the dataset.`,
) {
  static override readonly marker: symbol = errorMarker("data", "MissingImagesError");
}

/**
 * An image could not be read or decoded (truncated or corrupt JPEG, bad zip entry).
 *
 * @example
 * try { await dataset.readImage("000001.jpg"); }
 * catch (e) { if (BadImageError.isInstance(e)) console.log(e.id, e.source); }
 * // "000001.jpg" "/data/img_align_celeba/000001.jpg"
 */
export class BadImageError extends errorClass(
  DataError,
  ["id", "source"],
  (init: {
    /** Image id (file name). */
    id: string;
    /** Where it was read from: a file path, or `zip path!entry name`. */
    source: string;
    /** Why it could not be decoded: the decoder's or the zip reader's error. */
    cause: unknown;
  }) =>
    `Cannot decode image ${init.id} (${init.source}): ${init.cause instanceof Error ? init.cause.message : String(init.cause)}. The file is truncated or corrupt: ` +
    `re-download it, or pass onBadImage: "skip" to skip such images with a warning.`,
) {
  static override readonly marker: symbol = errorMarker("data", "BadImageError");
}

/**
 * Images in one batch came out with different sizes, so they cannot be stacked into one NHWC array.
 *
 * @example
 * try { for await (const b of createBatches(src, { batchSize: 8 })) {} }
 * catch (e) { if (ImageSizeError.isInstance(e)) console.log(e.id, e.actual, e.expected); }
 * // "000042.jpg" [200, 200, 3] [218, 178, 3]
 */
export class ImageSizeError extends errorClass(
  DataError,
  ["id", "actual", "expected"],
  (init: {
    /** Id of the first image whose size differs. */
    id: string;
    /** Its [height, width, channels]. */
    actual: [number, number, number];
    /** The batch's [height, width, channels], set by its first image. */
    expected: [number, number, number];
  }) =>
    `Image ${init.id} is ${init.actual.join("x")} (HxWxC) but the batch's first image is ${init.expected.join("x")}. ` +
    `All images in a batch must have one size: add a transform that resizes or crops to a fixed size ` +
    `(e.g. resize + centerCrop from @celeba/augment).`,
) {
  static override readonly marker: symbol = errorMarker("data", "ImageSizeError");
}

/**
 * A zip archive is malformed or uses a feature this reader does not support (encryption, multi-disk, a method other than store/deflate).
 *
 * @example
 * try { await openZip("img_align_celeba.zip"); }
 * catch (e) { if (ZipError.isInstance(e)) console.log(e.path); }
 * // "img_align_celeba.zip"
 */
export class ZipError extends errorClass(
  DataError,
  ["path"],
  (init: {
    /** Path of the zip file. */
    path: string;
    /** What is wrong with it. */
    problem: string;
    /** How to fix it. */
    fix: string;
  }) => `${init.path}: ${init.problem}. ${init.fix}`,
) {
  static override readonly marker: symbol = errorMarker("data", "ZipError");
}
