import {
  ARCH_NAMES,
  type ArchName,
  createModel,
  type ResNetModel,
  readStateDict,
} from "@celeba/resnext";
import { readSafetensorsMetadata } from "@celeba/resnext/weights";
import { type CheckpointMetadata, decodeCheckpointMetadata } from "@celeba/train";
import { backendConvGradient } from "./backend-conv-gradient";

/** A model built from a checkpoint file, and what the file says about it. */
export interface LoadedCheckpoint {
  model: ResNetModel;
  meta: CheckpointMetadata;
  /** Output names: the file's, or `output_<i>`. */
  names: string[];
  /** The file name. */
  name: string;
}

/**
 * Builds the model a `.safetensors` checkpoint describes: architecture, outputs and names
 * from its metadata, read by the same `decodeCheckpointMetadata` as `reference predict`.
 *
 * @param bytes - The file's bytes.
 * @param name - The file name, for messages.
 */
export async function loadCheckpoint(bytes: Uint8Array, name: string): Promise<LoadedCheckpoint> {
  const meta = decodeCheckpointMetadata(await readSafetensorsMetadata(bytes), name);
  const arch = meta.architecture === "unknown" ? "resnext50_32x4d" : meta.architecture;
  if (!(ARCH_NAMES as readonly string[]).includes(arch)) {
    throw new Error(`${name}: architecture "${arch}" is not one of ${ARCH_NAMES.join(", ")}`);
  }
  const sd = await readStateDict(bytes);
  const fc = sd.get("fc.weight");
  if (!fc) throw new Error(`${name} has no "fc.weight": it is not a ResNet/ResNeXt classifier`);
  const numClasses = fc.shape[0]!;
  const names = meta.attributeNames ?? Array.from({ length: numClasses }, (_, i) => `output_${i}`);
  if (names.length !== numClasses) {
    throw new Error(`${name}: ${names.length} attribute names for ${numClasses} outputs`);
  }
  const model = createModel({
    arch: arch as ArchName,
    numClasses,
    convGradient: backendConvGradient(),
  });
  try {
    model.loadStateDict(sd, { strict: true, reinitializeHead: false });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, meta, names, name };
}
