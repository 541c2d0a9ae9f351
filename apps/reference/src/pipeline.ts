import {
  CELEBA_ATTRIBUTE_NAMES,
  type CelebADataset,
  type CelebAItem,
  createBatches,
  type DatasetSplit,
  loadCelebA,
  officialSplit,
  paperSplit,
  type TransformStep,
} from "@celeba/data";
import {
  createModel,
  type ResNetModel,
  readStateDict,
  StateDictMismatchError,
} from "@celeba/resnext";
import type { Batch, DataSource } from "@celeba/train";
import { cliMessage } from "./cli-messages";
import { CliError } from "./errors";
import type { RunConfig } from "./run-config";

/** A loaded dataset and the run's split of it. */
export interface RunData {
  dataset: CelebADataset;
  split: DatasetSplit<CelebAItem>;
}

/** The number of images in the real CelebA (img_align_celeba). */
const CELEBA_IMAGE_COUNT = 202_599;

/**
 * Whether a dataset is the real CelebA, so reports compare against the paper's published
 * figures: all 202,599 images and CelebA's 40 attribute names in order. A synthetic set has
 * the names but not the count.
 */
export function isRealCelebA(dataset: Pick<CelebADataset, "size" | "attributeNames">): boolean {
  return (
    dataset.size === CELEBA_IMAGE_COUNT &&
    dataset.attributeNames.length === CELEBA_ATTRIBUTE_NAMES.length &&
    dataset.attributeNames.every((name, i) => name === CELEBA_ATTRIBUTE_NAMES[i])
  );
}

/** Loads CelebA from the config's root and splits it as the config says (random = the paper's 80/10/10). */
export async function loadRunData(config: RunConfig): Promise<RunData> {
  const dataset = await loadCelebA({
    root: config.data,
    // The random split never reads the official partition, so it need not exist.
    ...(config.split === "random" ? { partition: null } : {}),
    onMissingImage: config.skipBadImages ? "skip" : "error",
    onWarning: warnCli,
  });
  const full =
    config.split === "official" ? officialSplit(dataset) : paperSplit(dataset.items, config.seed);
  const cap = <T>(items: T[]) => (config.limit > 0 ? items.slice(0, config.limit) : items);
  const split = { train: cap(full.train), val: cap(full.val), test: cap(full.test) };
  for (const [name, items] of Object.entries(split)) {
    if (items.length === 0) {
      throw new CliError(
        `the ${name} split of ${config.data} is empty (${dataset.size} images, --split ${config.split}). ` +
          "Use more images or --split random.",
      );
    }
  }
  return { dataset, split };
}

/**
 * The evaluation transform: no augmentation, as the paper evaluates. Images whose size differs
 * from `size` (e.g. at another `--image-size`) are resized straight to it; `null` keeps every
 * image as it is. Then normalised (ImageNet's mean/std unless the batches' `normalize` says otherwise).
 */
export function evalTransform(size: { width: number; height: number } | null): TransformStep[] {
  return size === null ? [] : [{ op: "resize", width: size.width, height: size.height }];
}

function warnCli(message: string): void {
  console.warn(cliMessage(message));
}

/** How the run's batches treat an unreadable image: stop, or skip it with a warning. */
function badImagePolicy(config: RunConfig) {
  return { onBadImage: config.skipBadImages ? "skip" : "error", onWarning: warnCli } as const;
}

/** The paper's training data: flip, resize to 220x270, random crop to 178x218 (scaled with `--image-size`). */
export function trainSource(config: RunConfig, data: RunData): DataSource {
  const transform = {
    preset: "celebaTrain",
    resize: config.resize,
    crop: config.imageSize,
  } as const;
  const source = { items: data.split.train, readImage: (id: string) => data.dataset.readImage(id) };
  return (epoch, startBatch) =>
    createBatches(source, {
      batchSize: config.batchSize,
      shuffle: true,
      seed: config.seed,
      epoch,
      startBatch,
      transform,
      ...badImagePolicy(config),
    });
}

/** Evaluation batches of one split, in a fixed order and without augmentation. */
export function evalSource(
  config: RunConfig,
  data: RunData,
  which: "val" | "test",
): () => AsyncIterable<Batch> {
  const source = {
    items: data.split[which],
    readImage: (id: string) => data.dataset.readImage(id),
  };
  return () =>
    createBatches(source, {
      batchSize: config.batchSize,
      shuffle: false,
      transform: evalTransform(config.imageSize),
      ...badImagePolicy(config),
    });
}

/** Builds the run's model: the architecture, 40 (or the dataset's) outputs, ImageNet weights if given, frozen children. */
export async function buildModel(
  config: RunConfig,
  numClasses: number,
  log: (line: string) => void,
): Promise<ResNetModel> {
  const model = createModel({ arch: config.arch, numClasses, seed: config.seed });
  try {
    if (config.weights) {
      const sd = await readStateDict(config.weights);
      let result: ReturnType<ResNetModel["loadStateDict"]>;
      try {
        result = model.loadStateDict(sd, { strict: true, reinitializeHead: true });
      } catch (error) {
        if (!StateDictMismatchError.isInstance(error)) throw error;
        throw new CliError(
          `--weights ${config.weights} does not fit --arch ${config.arch}: ${cliMessage(error.message)}`,
          { cause: error },
        );
      }
      for (const w of result.warnings) log(`weights: ${w}`);
      log(`weights: loaded ${sd.size} tensors from ${config.weights}`);
    }
    const frozen = model.freeze(config.freeze);
    log(
      `frozen: the first ${config.freeze} children (${frozen.length} parameters); training ${model.trainableVariables().size}`,
    );
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
