import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { writeFileAtomic } from "@celeba/internal/node";
import { exportOnnx, ONNX_NORMALIZATIONS } from "@celeba/resnext/onnx";
import { selectBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { oneOf, parseSize } from "../flag-values";
import { loadWeightsModel } from "../weights-model";

/**
 * `reference export --weights FILE [--arch A] --out model.onnx [--image-size WxH]
 * [--normalization outside|baked]`: any weights we read (our checkpoints, torchvision's .pth,
 * .safetensors) as an ONNX model for ONNX Runtime, written atomically.
 */
export async function exportCommand(ctx: CommandContext): Promise<void> {
  const weights = resolve(
    ctx.requireString("weights", "a checkpoint of ours or torchvision weights"),
  );
  const out = resolve(ctx.requireString("out", "the .onnx file to write"));
  if (!existsSync(weights)) throw new CliError(`--weights ${weights} does not exist.`);
  const size = ctx.string("image-size");
  const normalization = oneOf(
    "normalization",
    ctx.string("normalization") ?? "outside",
    ONNX_NORMALIZATIONS,
  );
  // tfjs only folds each BatchNorm into its convolution and lays the filters out for ONNX
  // here; wasm does that natively, several times faster than the cpu backend.
  await selectBackend("auto", { forTraining: false });
  const { model, description } = await loadWeightsModel(weights, ctx.string("arch"));
  try {
    const inputSize = size ? parseSize("image-size", size) : description.inputSize;
    const bytes = await exportOnnx(model, {
      inputSize,
      normalization,
      // The checkpoint's own normalisation (ImageNet's when it names none).
      ...(description.normalization ? { normalize: description.normalization } : {}),
      attributeNames: description.attributeNames,
    });
    await writeFileAtomic(out, bytes);
    const sizeText = inputSize ? `${inputSize.width}x${inputSize.height}` : "any size";
    ctx.log(
      `export: wrote ${out} (${description.arch}, ${description.attributeNames.length} outputs, input ${sizeText}, ` +
        `normalisation ${normalization}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB)`,
    );
  } finally {
    model.dispose();
  }
}
