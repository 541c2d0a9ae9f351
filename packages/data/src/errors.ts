import { formatValue } from "@celeba/internal";
/**
 * Base class of every error thrown by `@celeba/data`; catch this to handle all of them.
 *
 * @example
 * try { await loadCelebA({ root: "./celeba" }); }
 * catch (e) { if (e instanceof DataError) console.error(e.message); }
 * // prints the file, line or path at fault and how to fix it
 */
export class DataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DataError";
  }
}

/**
 * A configuration value is invalid; the message lists the valid choices.
 *
 * @example
 * try { createBatches(source, { batchSize: 0 }); }
 * catch (e) { if (e instanceof ConfigError) console.log(e.option, e.value); }
 * // "batchSize" 0
 */
export class ConfigError extends DataError {
  /** Name of the offending option, e.g. `"batchSize"`. */
  readonly option: string;
  /** The offending value as given. */
  readonly value: unknown;
  constructor(option: string, value: unknown, expected: string) {
    super(`Invalid option ${option}: got ${formatValue(value)}; expected ${expected}.`);
    this.name = "ConfigError";
    this.option = option;
    this.value = value;
  }
}

/**
 * A line of an annotation file (attributes or partition, text or CSV) is malformed:
 * wrong number of values, a value other than the allowed ones, or a duplicate image id.
 *
 * @example
 * try { parseAttributes(text, "list_attr_celeba.txt"); }
 * catch (e) { if (e instanceof AnnotationError) console.log(e.file, e.line); }
 * // "list_attr_celeba.txt" 7
 */
export class AnnotationError extends DataError {
  /** File name (or path) the text came from. */
  readonly file: string;
  /** 1-based line number of the offending line. */
  readonly line: number;
  constructor(file: string, line: number, problem: string, fix: string) {
    super(`${file}:${line}: ${problem}. ${fix}`);
    this.name = "AnnotationError";
    this.file = file;
    this.line = line;
  }
}

/**
 * A file or folder the dataset needs does not exist; the message names the path and the expected layout.
 *
 * @example
 * try { await loadCelebA({ root: "./nowhere" }); }
 * catch (e) { if (e instanceof MissingPathError) console.log(e.path); }
 * // "/abs/nowhere"
 */
export class MissingPathError extends DataError {
  /** The path that was looked for. */
  readonly path: string;
  constructor(path: string, what: string, layout: string) {
    super(`${what} not found: ${path}. ${layout}`);
    this.name = "MissingPathError";
    this.path = path;
  }
}

/**
 * The annotation lists images that are not in the image folder or zip.
 *
 * @example
 * try { await loadCelebA({ root }); }
 * catch (e) { if (e instanceof MissingImagesError) console.log(e.count, e.examples); }
 * // 3 ["000007.jpg", ...]
 */
export class MissingImagesError extends DataError {
  /** How many listed images are missing. */
  readonly count: number;
  /** The first few missing image ids. */
  readonly examples: string[];
  constructor(count: number, examples: string[], source: string, annotation: string) {
    super(
      `${count} image(s) listed in ${annotation} are missing from ${source} (first: ${examples.join(", ")}). ` +
        `Re-download or re-extract the images, or pass onMissingImage: "skip" to drop them from the dataset.`,
    );
    this.name = "MissingImagesError";
    this.count = count;
    this.examples = examples;
  }
}

/**
 * An image could not be read or decoded (truncated or corrupt JPEG, bad zip entry).
 *
 * @example
 * try { await dataset.readImage("000001.jpg"); }
 * catch (e) { if (e instanceof BadImageError) console.log(e.id, e.source); }
 * // "000001.jpg" "/data/img_align_celeba/000001.jpg"
 */
export class BadImageError extends DataError {
  /** Image id (file name). */
  readonly id: string;
  /** Where it was read from: a file path, or `zip path!entry name`. */
  readonly source: string;
  constructor(id: string, source: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot decode image ${id} (${source}): ${reason}. The file is truncated or corrupt: ` +
        `re-download it, or pass onBadImage: "skip" to skip such images with a warning.`,
      { cause },
    );
    this.name = "BadImageError";
    this.id = id;
    this.source = source;
  }
}

/**
 * Images in one batch came out with different sizes, so they cannot be stacked into one NHWC array.
 *
 * @example
 * try { for await (const b of createBatches(src, { batchSize: 8 })) {} }
 * catch (e) { if (e instanceof ImageSizeError) console.log(e.id, e.actual, e.expected); }
 * // "000042.jpg" [200, 200, 3] [218, 178, 3]
 */
export class ImageSizeError extends DataError {
  /** Id of the first image whose size differs. */
  readonly id: string;
  /** Its [height, width, channels]. */
  readonly actual: [number, number, number];
  /** The batch's [height, width, channels], set by its first image. */
  readonly expected: [number, number, number];
  constructor(id: string, actual: [number, number, number], expected: [number, number, number]) {
    super(
      `Image ${id} is ${actual.join("x")} (HxWxC) but the batch's first image is ${expected.join("x")}. ` +
        `All images in a batch must have one size: add a transform that resizes or crops to a fixed size ` +
        `(e.g. resize + centerCrop from @celeba/augment).`,
    );
    this.name = "ImageSizeError";
    this.id = id;
    this.actual = actual;
    this.expected = expected;
  }
}

/**
 * A zip archive is malformed or uses a feature this reader does not support (encryption, multi-disk, a method other than store/deflate).
 *
 * @example
 * try { await openZip("img_align_celeba.zip"); }
 * catch (e) { if (e instanceof ZipError) console.log(e.path); }
 * // "img_align_celeba.zip"
 */
export class ZipError extends DataError {
  /** Path of the zip file. */
  readonly path: string;
  constructor(path: string, problem: string, fix: string) {
    super(`${path}: ${problem}. ${fix}`);
    this.name = "ZipError";
    this.path = path;
  }
}
