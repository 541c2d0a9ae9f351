/**
 * One mini-batch, structurally identical to `@celeba/data`'s `Batch` (train
 * declares its own copy so it does not depend on the data package).
 *
 * @example
 * ```ts
 * const batch: Batch = { images: new Float32Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3],
 *   labels: new Float32Array([1, -1, -1, 1]), ids: ["a.jpg", "b.jpg"] };
 * ```
 */
export interface Batch {
  /** Images, NHWC, float32. */
  images: Float32Array;
  /** `[n, height, width, channels]`. */
  shape: [number, number, number, number];
  /** `n x numAttributes` labels in {-1, +1}, row-major. */
  labels: Float32Array;
  /** One id per image (e.g. the file name). */
  ids: string[];
}

/**
 * A re-playable data source: the batches of `epoch` (1-based), starting at
 * batch `startBatch` (0-based). For an exact resume, the order and any
 * augmentation draws must depend only on (seed, epoch, sample index), and
 * starting at `startBatch` must yield the same batches as skipping them.
 *
 * @example
 * ```ts
 * const trainData: DataSource = (epoch, startBatch) => loader.epoch(epoch, { startBatch });
 * for await (const batch of trainData(1, 0)) console.log(batch.ids.length);
 * ```
 */
export type DataSource = (
  epoch: number,
  startBatch: number,
) => AsyncIterable<Batch> | Iterable<Batch>;

/**
 * Data accepted for evaluation: a {@link DataSource} (called with `(epoch, 0)`,
 * epoch 0 outside training) or any (async) iterable of batches. An iterable
 * is consumed once per evaluation, so pass a source when evaluating repeatedly.
 *
 * @example
 * ```ts
 * const result = await evaluate(model, [batchA, batchB]);
 * const again = await evaluate(model, () => loader.eval());
 * ```
 */
export type EvalData = DataSource | AsyncIterable<Batch> | Iterable<Batch>;
