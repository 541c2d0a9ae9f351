import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { NormalizeOptions } from "@celeba/augment";
import {
  CELEBA_ATTRIBUTE_NAMES,
  createImageBatches,
  listImages,
  writePredictions,
} from "@celeba/data";
import { IMAGENET_MEAN, IMAGENET_STD, readOnnxMetadataFrom } from "@celeba/resnext/onnx";
import { cliMessage } from "./cli-messages";
import type { CommandContext } from "./command-context";
import { CliError } from "./errors";
import { OnnxScorer } from "./onnx-engine";
import { evalTransform } from "./pipeline";

/** An ONNX model to run, with what its metadata (or its weights file) says about it. */
export interface OnnxModelSource {
  /** The `.onnx` file, or the bytes of a model exported in memory. */
  model: string | Uint8Array;
  /** The architecture, or the producer of a foreign ONNX file. */
  label: string;
  attributeNames: string[] | null;
  inputSize: { width: number; height: number } | null;
  /** What the input pipeline applies to `x / 255`: the model's normalisation, or none for a graph that has it baked in. */
  normalize: { mean: number[]; std: number[] };
}

/** The identity on `x / 255`: the input of a graph with its normalisation baked in. */
const NO_NORMALIZATION = { mean: [0, 0, 0], std: [1, 1, 1] };

/**
 * The ONNX model of `--weights`: an `.onnx` file as it is (only its metadata read here, ONNX
 * Runtime reads the rest), or any weights file we read, exported in memory with the
 * checkpoint's normalisation (tfjs only folds the BatchNorms into the convolutions, on its
 * fastest backend).
 */
export async function onnxModelFromWeights(
  weights: string,
  archFlag: string | undefined,
): Promise<OnnxModelSource> {
  if (/\.onnx$/i.test(weights)) return onnxFileSource(weights);
  // Only this route needs tfjs: loaded here, so that an .onnx file starts without it.
  const [{ selectBackend }, { loadWeightsModel }, { exportOnnx }] = await Promise.all([
    import("./backend"),
    import("./weights-model"),
    import("@celeba/resnext/onnx"),
  ]);
  await selectBackend("auto", { forTraining: false });
  const { model, description } = await loadWeightsModel(weights, archFlag);
  const normalize = description.normalization ?? {
    mean: [...IMAGENET_MEAN],
    std: [...IMAGENET_STD],
  };
  try {
    const bytes = await exportOnnx(model, {
      inputSize: description.inputSize,
      attributeNames: description.attributeNames,
      normalize,
    });
    return {
      model: bytes,
      label: description.arch,
      attributeNames: description.attributeNames,
      inputSize: description.inputSize,
      normalize,
    };
  } finally {
    model.dispose();
  }
}

/** An `.onnx` file's source, from its metadata; a foreign file (no metadata) gets ImageNet's normalisation. */
async function onnxFileSource(path: string): Promise<OnnxModelSource> {
  const file = await open(path);
  let metadata: Record<string, string>;
  let producerName: string;
  try {
    ({ metadata, producerName } = await readOnnxMetadataFrom(
      async (position, length) => {
        const { buffer, bytesRead } = await file.read(new Uint8Array(length), 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      (await file.stat()).size,
      path,
    ));
  } finally {
    await file.close();
  }
  const json = <T>(key: string, valid: (v: unknown) => boolean, expected: string): T | null => {
    if (metadata[key] === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(metadata[key]!);
    } catch {
      value = undefined;
    }
    if (!valid(value)) {
      throw new CliError(
        `${path}: metadata "${key}" is ${metadata[key]}, not ${expected}. Export the model again with "reference export".`,
      );
    }
    return value as T;
  };
  const rgb = (positive: boolean) => (v: unknown) =>
    Array.isArray(v) &&
    v.length === 3 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
  const where = metadata.normalization ?? "outside";
  if (where !== "outside" && where !== "baked") {
    throw new CliError(
      `${path}: metadata "normalization" is ${JSON.stringify(where)}, not "outside" or "baked". Export the model again with "reference export".`,
    );
  }
  const mean = json<number[]>("normalization_mean", rgb(false), "three numbers");
  const std = json<number[]>("normalization_std", rgb(true), "three positive numbers");
  return {
    model: path,
    label: metadata.architecture ?? (producerName || "ONNX model"),
    attributeNames: json<string[]>(
      "attribute_names",
      (v) => Array.isArray(v) && v.every((n) => typeof n === "string"),
      "a JSON array of names",
    ),
    inputSize: json<{ width: number; height: number }>(
      "input_size",
      (v) =>
        typeof v === "object" &&
        v !== null &&
        [(v as { width?: unknown }).width, (v as { height?: unknown }).height].every(
          (n) => Number.isInteger(n) && (n as number) > 0,
        ),
      "{ width, height } in whole pixels",
    ),
    normalize:
      where === "baked"
        ? NO_NORMALIZATION
        : { mean: mean ?? [...IMAGENET_MEAN], std: std ?? [...IMAGENET_STD] },
  };
}

/** `reference predict --engine onnxruntime`: the same CSV as the tfjs path, scored by ONNX Runtime. */
export async function predictOnOnnxRuntime(
  ctx: CommandContext,
  { weights, imagesDir, out }: { weights: string; imagesDir: string; out: string },
): Promise<void> {
  const threads = ctx.int("threads", availableParallelism());
  const source = await onnxModelFromWeights(weights, ctx.string("arch"));
  const scorer = await OnnxScorer.create(source.model, { threads, source: weights });
  ctx.log(`engine: onnxruntime (${threads} thread${threads === 1 ? "" : "s"})`);
  try {
    const paths = await listImages(imagesDir);
    if (paths.length === 0) throw new CliError(`${imagesDir} holds no images (.jpg, .jpeg, .png).`);
    const ids: string[] = [];
    const rows: Float32Array[] = [];
    let outputs = 0;
    const normalize: NormalizeOptions = source.normalize;
    for await (const batch of createImageBatches(paths, {
      batchSize: ctx.int("batch-size", 16),
      transform: evalTransform(source.inputSize),
      normalize,
      onBadImage: ctx.bool("skip-bad-images") ? "skip" : "error",
      onWarning: (message) => console.warn(cliMessage(message)),
    })) {
      const scores = await scorer.run(batch.images, batch.shape);
      const n = batch.shape[0];
      outputs = scores.length / n;
      for (let i = 0; i < n; i++) rows.push(scores.slice(i * outputs, (i + 1) * outputs));
      ids.push(...batch.ids);
    }
    const names =
      source.attributeNames ??
      (outputs === CELEBA_ATTRIBUTE_NAMES.length
        ? [...CELEBA_ATTRIBUTE_NAMES]
        : Array.from({ length: outputs }, (_, i) => `output_${i}`));
    await writePredictions(out, ids, names, rows, { raw: ctx.bool("raw") });
    ctx.log(
      `predict: wrote ${ids.length} rows (${source.label}, ${names.length} attributes) to ${out}`,
    );
  } finally {
    await scorer.release();
  }
}
