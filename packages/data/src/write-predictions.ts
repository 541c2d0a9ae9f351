import { writeFileAtomic } from "@celeba/internal/node";
import { format } from "fast-csv";
import { DataError, InvalidOptionError } from "./errors";

/** Options of {@link writePredictions}. */
export interface WritePredictionsOptions {
  /** Write the raw scores instead of ±1. Default `false`. */
  raw?: boolean;
  /** A score >= threshold is written as 1, below as -1 (the paper's rule with 0 for MSE on ±1 labels). Default 0. */
  threshold?: number;
}

/**
 * Writes predictions as CSV with fast-csv, in the Kaggle `list_attr_celeba.csv` layout: a header
 * `image_id,<names>`, then one row per image of ±1 (score >= threshold => 1, else -1) or raw scores.
 * The write is atomic: a temporary file in the same folder is fsynced and renamed over `path`.
 *
 * @param path - Output file.
 * @param ids - Image ids, one per row.
 * @param names - Attribute names, one per column.
 * @param values - Scores: a row-major Float32Array of ids.length x names.length, or one array per row.
 * @param options - See {@link WritePredictionsOptions}.
 * @returns Resolves once the file is in place.
 * @throws {InvalidOptionError} If the shapes disagree, or a score is NaN when thresholding.
 * @example
 * await writePredictions("predictions.csv", ["000001.jpg"], ["Smiling", "Male"], new Float32Array([0.7, -0.2]));
 * // image_id,Smiling,Male
 * // 000001.jpg,1,-1
 */
export async function writePredictions(
  path: string,
  ids: readonly string[],
  names: readonly string[],
  values: Float32Array | ReadonlyArray<ArrayLike<number>>,
  options: WritePredictionsOptions = {},
): Promise<void> {
  const raw = options.raw ?? false;
  const threshold = options.threshold ?? 0;
  if (typeof raw !== "boolean")
    throw new InvalidOptionError({ option: "raw", value: raw, hint: "true or false" });
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new InvalidOptionError({
      option: "threshold",
      value: threshold,
      hint: "a number (default 0)",
    });
  }
  const n = ids.length;
  const m = names.length;
  if (m === 0)
    throw new InvalidOptionError({
      option: "names",
      value: names,
      hint: "at least one attribute name",
    });
  const isFlat = values instanceof Float32Array;
  if (isFlat && values.length !== n * m) {
    throw new InvalidOptionError({
      option: "values",
      value: `Float32Array of length ${values.length}`,
      hint: `length ids.length x names.length = ${n} x ${m} = ${n * m}`,
    });
  }
  if (!isFlat && values.length !== n) {
    throw new InvalidOptionError({
      option: "values",
      value: `${values.length} rows`,
      hint: `one row per id (${n})`,
    });
  }
  const value = (i: number, j: number): number =>
    isFlat ? (values[i * m + j] as number) : ((values[i] as ArrayLike<number>)[j] as number);
  // Validate everything before creating the file, so a bad input never leaves a partial output behind.
  for (let i = 0; i < n; i++) {
    if (!isFlat) {
      const row = values[i] as ArrayLike<number>;
      if (row == null || row.length !== m) {
        throw new InvalidOptionError({
          option: `values[${i}]`,
          value: `${row?.length} scores`,
          hint: `${m} scores, one per name`,
        });
      }
    }
    if (raw) continue;
    for (let j = 0; j < m; j++) {
      if (Number.isNaN(value(i, j))) {
        throw new DataError({
          message: `writePredictions: score for ${ids[i]} / ${names[j]} is NaN and cannot be thresholded; check the model output or pass raw: true.`,
        });
      }
    }
  }
  const cell = (i: number, j: number): string => {
    const v = value(i, j);
    if (raw) return isFlat ? float32ToString(v) : String(v);
    return v >= threshold ? "1" : "-1";
  };

  const csv = format({ headers: false, includeEndRowDelimiter: true });
  const write = async (): Promise<void> => {
    csv.write(["image_id", ...names]);
    for (let i = 0; i < n; i++) {
      const row = new Array<string>(m + 1);
      row[0] = ids[i] as string;
      for (let j = 0; j < m; j++) row[j + 1] = cell(i, j);
      // Respect backpressure so huge prediction files do not buffer in memory.
      if (!csv.write(row)) {
        await new Promise((r) => {
          csv.once("drain", r);
          csv.once("close", r);
        });
      }
      if (csv.destroyed) return;
    }
    csv.end();
  };
  write().catch((error: unknown) => csv.destroy(error as Error));
  try {
    await writeFileAtomic(path, csv);
  } catch (error) {
    csv.destroy();
    throw error;
  }
}

/** Shortest decimal that parses back to the same float32 ("0.1", not "0.10000000149011612"). */
function float32ToString(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}
