import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import {
  CELEBA_ATTRIBUTE_NAMES,
  createImageBatches,
  listImages,
  writePredictions,
} from "@celeba/data";
import { exportOnnx, readOnnxMetadata } from "@celeba/resnext/onnx";
import { selectBackend } from "./backend";
import { cliMessage } from "./cli-messages";
import type { CommandContext } from "./command-context";
import { CliError } from "./errors";
import { OnnxScorer } from "./onnx-engine";
import { evalTransform } from "./pipeline";
import { loadWeightsModel } from "./weights-model";

/** An ONNX model to run, with what its metadata (or its weights file) says about it. */
export interface OnnxModelSource {
  bytes: Uint8Array;
  /** The architecture, or the producer of a foreign ONNX file. */
  label: string;
  attributeNames: string[] | null;
  inputSize: { width: number; height: number } | null;
  normalization: string;
}

/**
 * The ONNX model of `--weights`: an `.onnx` file as it is, or any weights file we read
 * exported in memory (tfjs only folds the BatchNorms into the convolutions, on its fastest backend).
 */
export async function onnxModelFromWeights(
  weights: string,
  archFlag: string | undefined,
): Promise<OnnxModelSource> {
  if (/\.onnx$/i.test(weights)) {
    const bytes = new Uint8Array(await readFile(weights));
    const { metadata, producerName } = readOnnxMetadata(bytes, weights);
    const json = <T>(key: string): T | null => {
      if (metadata[key] === undefined) return null;
      try {
        return JSON.parse(metadata[key]!) as T;
      } catch {
        throw new CliError(
          `${weights}: metadata "${key}" is not valid JSON (${metadata[key]}). Export the model again.`,
        );
      }
    };
    return {
      bytes,
      label: metadata.architecture ?? (producerName || "ONNX model"),
      attributeNames: json<string[]>("attribute_names"),
      inputSize: json<{ width: number; height: number }>("input_size"),
      normalization: metadata.normalization ?? "outside",
    };
  }
  await selectBackend("auto", { forTraining: false });
  const { model, description } = await loadWeightsModel(weights, archFlag);
  try {
    const bytes = await exportOnnx(model, {
      inputSize: description.inputSize,
      attributeNames: description.attributeNames,
    });
    return {
      bytes,
      label: description.arch,
      attributeNames: description.attributeNames,
      inputSize: description.inputSize,
      normalization: "outside",
    };
  } finally {
    model.dispose();
  }
}

/** `reference predict --engine onnxruntime`: the same CSV as the tfjs path, scored by ONNX Runtime. */
export async function predictOnOnnxRuntime(
  ctx: CommandContext,
  { weights, imagesDir, out }: { weights: string; imagesDir: string; out: string },
): Promise<void> {
  const threads = ctx.int("threads", availableParallelism());
  const source = await onnxModelFromWeights(weights, ctx.string("arch"));
  const scorer = await OnnxScorer.create(source.bytes, {
    threads,
    normalization: source.normalization,
    source: weights,
  });
  ctx.log(`engine: onnxruntime (${threads} thread${threads === 1 ? "" : "s"})`);
  try {
    const paths = await listImages(imagesDir);
    if (paths.length === 0) throw new CliError(`${imagesDir} holds no images (.jpg, .jpeg, .png).`);
    const ids: string[] = [];
    const rows: Float32Array[] = [];
    let outputs = 0;
    for await (const batch of createImageBatches(paths, {
      batchSize: ctx.int("batch-size", 16),
      transform: evalTransform(source.inputSize),
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
