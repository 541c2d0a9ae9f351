import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  CELEBA_ATTRIBUTE_NAMES,
  createImageBatches,
  listImages,
  writePredictions,
} from "@celeba/data";
import {
  ARCH_NAMES,
  type ArchName,
  createModel,
  readStateDict,
  StateDictMismatchError,
} from "@celeba/resnext";
import { readSafetensorsMetadata } from "@celeba/resnext/weights";
import {
  type CheckpointMetadata,
  CheckpointMetadataError,
  decodeCheckpointMetadata,
  type Normalization,
} from "@celeba/train";
import * as tf from "@tensorflow/tfjs-core";
import { BACKEND_CHOICES, type BackendChoice, backendLines, selectBackend } from "../backend";
import { cliMessage } from "../cli-messages";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { oneOf } from "../flag-values";
import { chooseEngine } from "../onnx-engine";
import { predictOnOnnxRuntime } from "../onnx-predict";
import { checkOutputFilePath, containsOrEquals, describeFsError } from "../output-path";
import { evalTransform } from "../pipeline";

const IMAGE_FILE = /\.(jpe?g|png)$/i;

/** What a weights file says about itself: our checkpoints carry all of it, torchvision's none. */
export interface ModelDescription {
  arch: ArchName;
  attributeNames: string[];
  inputSize: { width: number; height: number } | null;
  normalization: Normalization | null;
}

export async function describeWeights(
  path: string,
  archFlag: string | undefined,
  numClasses: number,
): Promise<ModelDescription> {
  let raw: Record<string, string> = {};
  try {
    raw = (await readSafetensorsMetadata(path)) ?? {};
  } catch {
    // Not a safetensors file (a torchvision .pth): no metadata.
  }
  let meta: CheckpointMetadata;
  try {
    meta = decodeCheckpointMetadata(raw, path);
  } catch (error) {
    if (CheckpointMetadataError.isInstance(error)) throw new CliError(error.message);
    throw error;
  }
  const fromFile = meta.architecture !== "unknown" ? meta.architecture : undefined;
  if (
    archFlag === undefined &&
    fromFile !== undefined &&
    !(ARCH_NAMES as readonly string[]).includes(fromFile)
  ) {
    throw new CliError(
      `${path}: metadata "architecture" is ${JSON.stringify(fromFile)}, not one of ${ARCH_NAMES.join(", ")}. ` +
        "Pass --arch to say which architecture the weights are.",
    );
  }
  const arch = oneOf("arch", archFlag ?? fromFile ?? "resnext50_32x4d", ARCH_NAMES);
  const attributeNames =
    meta.attributeNames ??
    (numClasses === CELEBA_ATTRIBUTE_NAMES.length
      ? [...CELEBA_ATTRIBUTE_NAMES]
      : Array.from({ length: numClasses }, (_, i) => `output_${i}`));
  if (attributeNames.length !== numClasses) {
    throw new CliError(
      `${path}: metadata "attribute_names" lists ${attributeNames.length} names but the model has ${numClasses} outputs. Re-save the checkpoint.`,
    );
  }
  return { arch, attributeNames, inputSize: meta.inputSize, normalization: meta.normalization };
}

/**
 * `reference predict --weights FILE --images DIR --out CSV [--raw] [--arch A]`: one row per
 * image, `image_id` then one column per attribute, ±1 by the paper's threshold (score >= 0)
 * or the raw outputs with `--raw`.
 */
export async function predictCommand(ctx: CommandContext): Promise<void> {
  const weights = resolve(
    ctx.requireString("weights", "a checkpoint of ours or torchvision weights"),
  );
  const imagesDir = resolve(ctx.requireString("images", "a folder of images to predict"));
  const out = resolve(ctx.requireString("out", "the CSV file to write"));
  if (!existsSync(weights)) throw new CliError(`--weights ${weights} does not exist.`);
  if (!existsSync(imagesDir))
    throw new CliError(`--images ${imagesDir} does not exist: give a folder of .jpg/.png images.`);
  // All of --out's problems surface now, not after the inference.
  checkOutputFilePath(out, "--out", ctx.bool("force"));
  if (
    containsOrEquals(out, weights) ||
    (containsOrEquals(imagesDir, out) && IMAGE_FILE.test(out))
  ) {
    throw new CliError(
      `--out ${out} would overwrite an input (--weights or an image): pick another --out.`,
    );
  }
  const batchSize = ctx.int("batch-size", 16);
  const skipBadImages = ctx.bool("skip-bad-images");
  if (chooseEngine(ctx.string("engine"), weights) === "onnxruntime") {
    return predictOnOnnxRuntime(ctx, { weights, imagesDir, out });
  }
  const arch = ctx.string("arch");
  await predictFolder(
    {
      weights,
      imagesDir,
      out,
      ...(arch !== undefined ? { arch } : {}),
      batchSize,
      backend: oneOf("backend", ctx.string("backend") ?? "auto", BACKEND_CHOICES),
      raw: ctx.bool("raw"),
      skipBadImages,
    },
    { log: ctx.log },
  );
}

/** What {@link predictFolder} predicts, checked by the caller. */
export interface PredictFolderRequest {
  /** Our checkpoint or torchvision weights (absolute). */
  weights: string;
  /** A folder of images (absolute). */
  imagesDir: string;
  /** The CSV to write (absolute), atomically. */
  out: string;
  /** The architecture of bare weights. Default: from the checkpoint, else resnext50_32x4d. */
  arch?: string;
  batchSize: number;
  backend: BackendChoice;
  /** Raw scores instead of ±1. */
  raw: boolean;
  skipBadImages: boolean;
}

/**
 * Predicts every image of a folder on tfjs and writes one CSV row per image: `image_id`, then
 * ±1 per attribute by the paper's threshold (score >= 0), or the raw scores.
 *
 * @throws {CliError} When the weights do not fit, or no image could be read.
 */
export async function predictFolder(
  request: PredictFolderRequest,
  io: { log: (line: string) => void },
): Promise<void> {
  const { weights, imagesDir, out, batchSize, skipBadImages } = request;
  const backend = await selectBackend(request.backend, { forTraining: false });
  for (const line of backendLines(backend)) io.log(line);

  const sd = await readStateDict(weights);
  const fc = sd.get("fc.weight");
  if (!fc)
    throw new CliError(
      `${weights} has no "fc.weight": it is not a ResNet/ResNeXt classifier state dict.`,
    );
  const desc = await describeWeights(weights, request.arch, fc.shape[0]!);
  const model = createModel({ arch: desc.arch, numClasses: fc.shape[0]! });
  try {
    try {
      model.loadStateDict(sd, { strict: true, reinitializeHead: false });
    } catch (error) {
      if (!StateDictMismatchError.isInstance(error)) throw error;
      throw new CliError(
        `${weights} does not fit ${desc.arch}${request.arch ? "" : " (the default for a bare state dict)"}: ` +
          `${error.message} If the weights are another architecture, pass --arch: one of ${ARCH_NAMES.join(", ")}.`,
      );
    }
    const paths = await listImages(imagesDir);
    if (paths.length === 0) throw new CliError(`${imagesDir} holds no images (.jpg, .jpeg, .png).`);
    const transform = evalTransform(desc.inputSize);
    const ids: string[] = [];
    const rows: Float32Array[] = [];
    let skipped = 0;
    for await (const batch of createImageBatches(paths, {
      batchSize,
      transform,
      ...(desc.normalization ? { normalize: desc.normalization } : {}),
      onBadImage: skipBadImages ? "skip" : "error",
      onWarning: (message) => {
        if (message.includes("skipping image")) skipped++;
        console.warn(cliMessage(message));
      },
    })) {
      const scores = tf.tidy(() =>
        model.apply(tf.tensor4d(batch.images, batch.shape), { training: false }),
      );
      const values = (await scores.data()) as Float32Array;
      scores.dispose();
      const n = batch.shape[0];
      for (let i = 0; i < n; i++) rows.push(values.slice(i * fc.shape[0]!, (i + 1) * fc.shape[0]!));
      ids.push(...batch.ids);
    }
    if (ids.length === 0)
      throw new CliError(`no image in ${imagesDir} could be decoded, so nothing was written.`);
    try {
      await writePredictions(out, ids, desc.attributeNames, rows, { raw: request.raw });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code) throw describeFsError(error, "--out", out);
      throw error;
    }
    io.log(
      `predict: wrote ${ids.length} rows (${desc.arch}, ${desc.attributeNames.length} attributes) to ${out}` +
        (skipped > 0 ? `; skipped ${skipped} unreadable image(s)` : ""),
    );
  } finally {
    model.dispose();
  }
}
