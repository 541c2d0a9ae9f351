import {
  ARCH_NAMES,
  createModel,
  type ResNetModel,
  readStateDict,
  StateDictMismatchError,
} from "@celeba/resnext";
import { describeWeights, type ModelDescription } from "./commands/predict";
import { CliError } from "./errors";

/** A model built from a weights file, with what the file says about it. */
export interface WeightsModel {
  model: ResNetModel;
  description: ModelDescription;
}

/**
 * Builds the model that a weights file holds (any file `readStateDict` reads: our checkpoints,
 * torchvision's `.pth`, `.safetensors`): the architecture from `--arch`, the checkpoint's
 * metadata or resnext50_32x4d, and the class count from `fc.weight`. The caller disposes it.
 */
export async function loadWeightsModel(
  weights: string,
  archFlag: string | undefined,
): Promise<WeightsModel> {
  const sd = await readStateDict(weights);
  const fc = sd.get("fc.weight");
  if (!fc) {
    throw new CliError(
      `${weights} has no "fc.weight": it is not a ResNet/ResNeXt classifier state dict.`,
    );
  }
  const description = await describeWeights(weights, archFlag, fc.shape[0]!);
  const model = createModel({ arch: description.arch, numClasses: fc.shape[0]! });
  try {
    model.loadStateDict(sd, { strict: true, reinitializeHead: false });
  } catch (error) {
    model.dispose();
    if (!StateDictMismatchError.isInstance(error)) throw error;
    throw new CliError(
      `${weights} does not fit ${description.arch}${archFlag ? "" : " (the default for a bare state dict)"}: ` +
        `${error.message} If the weights are another architecture, pass --arch: one of ${ARCH_NAMES.join(", ")}.`,
    );
  }
  return { model, description };
}
