import {
  assignInvalidOption,
  CelebaError,
  errorMarker,
  formatValue,
  type InvalidOptionInit,
} from "@celeba/internal";
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
export class InvalidOptionError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "InvalidOptionError");
  /** Name of the offending option, e.g. `"batchSize"`. */
  declare readonly option: string;
  /** The offending value as given. */
  readonly value: unknown;
  /** The accepted values, when there is a finite list of them. */
  readonly validChoices: readonly string[] | undefined;
  /** What would be accepted. */
  readonly hint: string | undefined;
  constructor(init: InvalidOptionInit) {
    const choices = init.validChoices ? ` Valid choices: ${init.validChoices.join(", ")}.` : "";
    super({
      message: `Invalid option ${init.option}: got ${formatValue(init.value)}; expected ${init.hint ?? "another value"}.${choices}`,
    });
    assignInvalidOption(this, init);
  }
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
export class AnnotationError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "AnnotationError");
  /** File name (or path) the text came from. */
  readonly file: string;
  /** 1-based line number of the offending line. */
  readonly line: number;
  constructor({
    file,
    line,
    problem,
    fix,
  }: {
    file: string;
    line: number;
    problem: string;
    fix: string;
  }) {
    super({ message: `${file}:${line}: ${problem}. ${fix}` });
    this.file = file;
    this.line = line;
  }
}

/**
 * A file or folder the dataset needs does not exist; the message names the path and the expected layout.
 *
 * @example
 * try { await loadCelebA({ root: "./nowhere" }); }
 * catch (e) { if (MissingPathError.isInstance(e)) console.log(e.path); }
 * // "/abs/nowhere"
 */
export class MissingPathError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "MissingPathError");
  /** The path that was looked for. */
  readonly path: string;
  constructor({ path, what, layout }: { path: string; what: string; layout: string }) {
    super({ message: `${what} not found: ${path}. ${layout}` });
    this.path = path;
  }
}

/**
 * The annotation lists images that are not in the image folder or zip.
 *
 * @example
 * try { await loadCelebA({ root }); }
 * catch (e) { if (MissingImagesError.isInstance(e)) console.log(e.count, e.examples); }
 * // 3 ["000007.jpg", ...]
 */
export class MissingImagesError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "MissingImagesError");
  /** How many listed images are missing. */
  readonly count: number;
  /** The first few missing image ids. */
  readonly examples: string[];
  constructor({
    count,
    examples,
    source,
    annotation,
  }: {
    count: number;
    examples: string[];
    source: string;
    annotation: string;
  }) {
    super({
      message:
        `${count} image(s) listed in ${annotation} are missing from ${source} (first: ${examples.join(", ")}). ` +
        `Re-download or re-extract the images, or pass onMissingImage: "skip" to drop them from the dataset.`,
    });
    this.count = count;
    this.examples = examples;
  }
}

/**
 * An image could not be read or decoded (truncated or corrupt JPEG, bad zip entry).
 *
 * @example
 * try { await dataset.readImage("000001.jpg"); }
 * catch (e) { if (BadImageError.isInstance(e)) console.log(e.id, e.source); }
 * // "000001.jpg" "/data/img_align_celeba/000001.jpg"
 */
export class BadImageError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "BadImageError");
  /** Image id (file name). */
  readonly id: string;
  /** Where it was read from: a file path, or `zip path!entry name`. */
  readonly source: string;
  constructor({ id, source, cause }: { id: string; source: string; cause: unknown }) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({
      message:
        `Cannot decode image ${id} (${source}): ${reason}. The file is truncated or corrupt: ` +
        `re-download it, or pass onBadImage: "skip" to skip such images with a warning.`,
      cause,
    });
    this.id = id;
    this.source = source;
  }
}

/**
 * Images in one batch came out with different sizes, so they cannot be stacked into one NHWC array.
 *
 * @example
 * try { for await (const b of createBatches(src, { batchSize: 8 })) {} }
 * catch (e) { if (ImageSizeError.isInstance(e)) console.log(e.id, e.actual, e.expected); }
 * // "000042.jpg" [200, 200, 3] [218, 178, 3]
 */
export class ImageSizeError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "ImageSizeError");
  /** Id of the first image whose size differs. */
  readonly id: string;
  /** Its [height, width, channels]. */
  readonly actual: [number, number, number];
  /** The batch's [height, width, channels], set by its first image. */
  readonly expected: [number, number, number];
  constructor({
    id,
    actual,
    expected,
  }: {
    id: string;
    actual: [number, number, number];
    expected: [number, number, number];
  }) {
    super({
      message:
        `Image ${id} is ${actual.join("x")} (HxWxC) but the batch's first image is ${expected.join("x")}. ` +
        `All images in a batch must have one size: add a transform that resizes or crops to a fixed size ` +
        `(e.g. resize + centerCrop from @celeba/augment).`,
    });
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
 * catch (e) { if (ZipError.isInstance(e)) console.log(e.path); }
 * // "img_align_celeba.zip"
 */
export class ZipError extends DataError {
  static override readonly marker: symbol = errorMarker("data", "ZipError");
  /** Path of the zip file. */
  readonly path: string;
  constructor({ path, problem, fix }: { path: string; problem: string; fix: string }) {
    super({ message: `${path}: ${problem}. ${fix}` });
    this.path = path;
  }
}
