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
  readSafetensorsMetadata,
  readStateDict,
  StateDictMismatchError,
} from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";
import { BACKEND_CHOICES, backendLines, selectBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { evalTransform } from "../pipeline";
import { oneOf } from "../run-config";

/** What a weights file says about itself: our checkpoints carry all of it, torchvision's none. */
interface ModelDescription {
  arch: ArchName;
  attributeNames: string[];
  inputSize: { width: number; height: number } | null;
}

async function describeWeights(
  path: string,
  archFlag: string | undefined,
  numClasses: number,
): Promise<ModelDescription> {
  let meta: Record<string, string> = {};
  try {
    meta = (await readSafetensorsMetadata(path)) ?? {};
  } catch {
    // Not a safetensors file (a torchvision .pth): no metadata.
  }
  const parse = <T>(key: string): T | undefined => {
    if (meta[key] === undefined) return undefined;
    try {
      return JSON.parse(meta[key]!) as T;
    } catch {
      throw new CliError(
        `${path}: metadata "${key}" is not valid JSON (${meta[key]}). Re-save the checkpoint.`,
      );
    }
  };
  const archRaw =
    archFlag ??
    (meta.architecture && meta.architecture !== "unknown" ? meta.architecture : "resnext50_32x4d");
  const arch = oneOf("arch", archRaw, ARCH_NAMES);
  const attributeNames =
    parse<string[]>("attribute_names") ??
    (numClasses === CELEBA_ATTRIBUTE_NAMES.length
      ? [...CELEBA_ATTRIBUTE_NAMES]
      : Array.from({ length: numClasses }, (_, i) => `output_${i}`));
  return {
    arch,
    attributeNames,
    inputSize: parse<{ width: number; height: number }>("input_size") ?? null,
  };
}

/**
 * `reference predict --weights FILE --images DIR --out CSV [--raw] [--arch A]`: one row per
 * image, `image_id` then one column per attribute, ±1 by the seed's threshold (score >= 0)
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
  const backend = await selectBackend(
    oneOf("backend", ctx.string("backend") ?? "auto", BACKEND_CHOICES),
    {
      forTraining: false,
    },
  );
  for (const line of backendLines(backend)) ctx.log(line);

  const sd = await readStateDict(weights);
  const fc = sd.get("fc.weight");
  if (!fc)
    throw new CliError(
      `${weights} has no "fc.weight": it is not a ResNet/ResNeXt classifier state dict.`,
    );
  const desc = await describeWeights(weights, ctx.string("arch"), fc.shape[0]!);
  const model = createModel({ arch: desc.arch, numClasses: fc.shape[0]! });
  try {
    try {
      model.loadStateDict(sd, { strict: true, reinitializeHead: false });
    } catch (error) {
      if (!(error instanceof StateDictMismatchError)) throw error;
      throw new CliError(
        `${weights} does not fit ${desc.arch}${ctx.string("arch") ? "" : " (the default for a bare state dict)"}: ` +
          `${error.message} If the weights are another architecture, pass --arch: one of ${ARCH_NAMES.join(", ")}.`,
      );
    }
    const paths = await listImages(imagesDir);
    if (paths.length === 0) throw new CliError(`${imagesDir} holds no images (.jpg, .jpeg, .png).`);
    const transform = evalTransform(desc.inputSize);
    const ids: string[] = [];
    const rows: Float32Array[] = [];
    for await (const batch of createImageBatches(paths, {
      batchSize: ctx.int("batch-size", 16),
      transform,
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
    await writePredictions(out, ids, desc.attributeNames, rows, { raw: ctx.bool("raw") });
    ctx.log(
      `predict: wrote ${ids.length} rows (${desc.arch}, ${desc.attributeNames.length} attributes) to ${out}`,
    );
  } finally {
    model.dispose();
  }
}
