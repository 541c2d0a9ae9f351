import "@tensorflow/tfjs-core/dist/register_all_gradients";
import {
  celebaTrainTransform,
  createRng,
  deriveSeed,
  type RawImage,
  resize,
  shuffleInPlace,
  toFloat32,
} from "@celeba/augment";
import { createModel, type ResNetModel } from "@celeba/resnext";
import {
  type Batch,
  type EpochRecord,
  memoryRunStorage,
  type Normalization,
  runPath,
  type StepEndEvent,
  type TrainResult,
  train,
} from "@celeba/train";
import { backendConvGradient } from "./backend-conv-gradient";
import type { PickedCelebA } from "./celeba-files";
import { decodeImage } from "./decode-image";

/** What {@link fineTune} needs. */
export interface FineTuneOptions {
  /** The model to fine-tune in place, or undefined for a new `resnext_tiny`. */
  model?: ResNetModel;
  /** The model's output names, which must match the data's. */
  modelNames?: string[];
  normalization?: Normalization | null;
  data: PickedCelebA;
  /** The crop size; the resize before it scales as the paper's 220x270 does to 178x218. */
  imageSize: { width: number; height: number };
  epochs: number;
  batchSize: number;
  lr: number;
  /** Top-level children to freeze (the paper's 6). */
  freeze: number;
  seed: number;
  onStep?(event: StepEndEvent): void;
  onEpoch?(record: EpochRecord): void;
  signal?: AbortSignal;
}

/** The trained model, the run's result, and the chosen checkpoint's bytes for download. */
export interface FineTuneResult {
  model: ResNetModel;
  result: TrainResult;
  checkpoint: Uint8Array;
}

type Item = { id: string; labels: Int8Array };

/**
 * The write-up's procedure in the tab: `@celeba/train`'s `train()` with Adamax, MSE on ±1
 * labels, the first `freeze` children frozen, flip + resize + random crop, validation every
 * epoch and the best epoch tested, with the run folder in memory.
 */
export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const { data, imageSize, batchSize, seed } = options;
  if (options.modelNames && options.modelNames.join() !== data.attributeNames.join()) {
    throw new Error(
      `the loaded model predicts ${options.modelNames.length} attributes that differ from list_attr_celeba.txt's ${data.attributeNames.length}; load a matching checkpoint or none`,
    );
  }
  const split = splitItems(data, seed);
  for (const [name, items] of Object.entries(split)) {
    if (items.length === 0) throw new Error(`the ${name} split is empty: pick more images`);
  }
  const model =
    options.model ??
    createModel({
      arch: "resnext_tiny",
      numClasses: data.attributeNames.length,
      seed,
      convGradient: backendConvGradient(),
    });
  model.freeze(options.freeze);
  const norm = options.normalization ?? {};
  const pipeline = celebaTrainTransform({
    resize: {
      width: Math.round((imageSize.width * 220) / 178),
      height: Math.round((imageSize.height * 270) / 218),
    },
    crop: imageSize,
    ...norm,
  });
  const read = (id: string) => decodeImage(data.images.get(id)!);
  const k = data.attributeNames.length;
  const pixels = imageSize.width * imageSize.height * 3;

  async function batchOf(
    items: Item[],
    write: (img: RawImage, i: number, out: Float32Array) => void,
  ): Promise<Batch> {
    const images = new Float32Array(items.length * pixels);
    const labels = new Float32Array(items.length * k);
    const decoded = await Promise.all(items.map((it) => read(it.id)));
    decoded.forEach((img, i) => {
      write(img, i, images);
      labels.set(items[i]!.labels, i * k);
    });
    return {
      images,
      labels,
      shape: [items.length, imageSize.height, imageSize.width, 3],
      ids: items.map((it) => it.id),
    };
  }

  const trainData = (epoch: number, startBatch: number) =>
    (async function* () {
      const order = shuffleInPlace([...split.train], createRng(deriveSeed(seed, "order", epoch)));
      for (let b = startBatch; b * batchSize < order.length; b++) {
        const items = order.slice(b * batchSize, (b + 1) * batchSize);
        yield await batchOf(items, (img, i, out) => {
          pipeline.apply(img, createRng(deriveSeed(seed, epoch, b, i)), out, i * pixels);
        });
      }
    })();
  const evalData = (items: Item[]) => () =>
    (async function* () {
      for (let b = 0; b * batchSize < items.length; b++) {
        yield await batchOf(items.slice(b * batchSize, (b + 1) * batchSize), (img, i, out) => {
          const sized =
            img.width === imageSize.width && img.height === imageSize.height
              ? img
              : resize(img, imageSize);
          toFloat32(sized, { normalize: norm, out, offset: i * pixels });
        });
      }
    })();

  const storage = memoryRunStorage();
  const result = await train({
    model,
    trainData,
    valData: evalData(split.val),
    testData: evalData(split.test),
    runDir: "run",
    storage,
    epochs: options.epochs,
    optimizer: { name: "adamax", lr: options.lr },
    attributeNames: data.attributeNames,
    ...(options.normalization ? { normalization: options.normalization } : {}),
    seed,
    progress: false,
    stepsPerEpoch: Math.ceil(split.train.length / batchSize),
    ...(options.signal ? { signal: options.signal } : {}),
    hooks: {
      onStepEnd: (e) => options.onStep?.(e),
      onEpochEnd: (r) => options.onEpoch?.(r),
    },
  });
  const summary = JSON.parse((await storage.readText("run/result.json")) ?? "{}") as {
    bestCheckpoint?: string | null;
  };
  const best = summary.bestCheckpoint
    ? storage.files.get(runPath("run", summary.bestCheckpoint))
    : undefined;
  if (!best) throw new Error("training finished without a checkpoint to download");
  return { model, result, checkpoint: best };
}

/** The official split when list_eval_partition.txt was picked, else the write-up's seeded 80/10/10. */
function splitItems(data: PickedCelebA, seed: number): Record<"train" | "val" | "test", Item[]> {
  if (data.partition) {
    const part = data.partition;
    return {
      train: data.rows.filter((r) => part.get(r.id) === 0),
      val: data.rows.filter((r) => part.get(r.id) === 1),
      test: data.rows.filter((r) => part.get(r.id) === 2),
    };
  }
  const rows = shuffleInPlace([...data.rows], createRng(deriveSeed(seed, "split")));
  const nTrain = Math.round(rows.length * 0.8);
  const nVal = Math.round(rows.length * 0.1);
  return {
    train: rows.slice(0, nTrain),
    val: rows.slice(nTrain, nTrain + nVal),
    test: rows.slice(nTrain + nVal),
  };
}
