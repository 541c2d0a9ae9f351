import { DataError, ImageSizeError } from "./errors";

/** How one decoded sample is written into its batch: its output shape and a writer into the NHWC buffer. */
export interface PreparedSample {
  height: number;
  width: number;
  channels: number;
  write(out: Float32Array, offset: number): void;
}

/** Internal engine options shared by createBatches and createImageBatches. */
export interface EngineOptions {
  /** Sample indices of the epoch, in order. */
  order: readonly number[];
  batchSize: number;
  startBatch: number;
  dropLast: boolean;
  concurrency: number;
  prefetch: number;
  onBadImage: "error" | "skip";
  warn: (message: string) => void;
  /** Reads, decodes and (at least) sizes sample `index`; `write` finishes it into the batch, in batch order. */
  produce(index: number): Promise<PreparedSample>;
  /** Name of sample `index` for messages (its id). */
  name(index: number): string;
}

/** A batch as assembled by the engine, before labels or ids are attached. */
export interface EngineBatch {
  images: Float32Array;
  shape: [number, number, number, number];
  /** Sample indices actually in the batch (bad images skipped). */
  indices: number[];
}

/** Number of batches an epoch of `n` samples yields. */
export function batchCount(n: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Runs the epoch: reads + decodes up to `concurrency` samples at once (reads on libuv's pool, JPEGs
 * decoded on the calling thread, other formats by sharp on libuv's pool; or worker threads decode and
 * augment), keeps at most `prefetch` batches beyond the one being consumed in
 * flight, and writes each sample in batch order straight into the batch's buffer. Memory is bounded by
 * (prefetch + 1) batches of decoded images plus their float buffers, whatever the epoch length.
 */
export async function* runBatches(options: EngineOptions): AsyncGenerator<EngineBatch> {
  const { order, batchSize, dropLast, prefetch } = options;
  const total = batchCount(order.length, batchSize, dropLast);
  const limiter = createLimiter(options.concurrency);
  let cancelled = false;
  let skipped = 0;
  const pending = new Map<number, Promise<EngineBatch>>();

  const loadSample = (index: number): Promise<PreparedSample | undefined> =>
    limiter(async () => {
      if (cancelled) return undefined;
      try {
        return await options.produce(index);
      } catch (error) {
        if (options.onBadImage === "skip" && DataError.isInstance(error)) {
          skipped++;
          options.warn(
            `@celeba/data: skipping image ${options.name(index)}: ${(error as Error).message}`,
          );
          return undefined;
        }
        throw error;
      }
    });

  const buildBatch = async (b: number): Promise<EngineBatch> => {
    const indices = order.slice(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    // Start every read now; they run concurrently, bounded by the limiter.
    const decoded = indices.map(loadSample);
    // Keep sibling rejections from surfacing as unhandled while we await in order.
    for (const p of decoded) p.catch(() => {});
    let images: Float32Array | undefined;
    let shape: [number, number, number] | undefined;
    let per = 0;
    const kept: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      const sample = await (decoded[i] as Promise<PreparedSample | undefined>);
      if (sample === undefined) continue;
      const index = indices[i] as number;
      const sampleShape: [number, number, number] = [sample.height, sample.width, sample.channels];
      if (shape === undefined) {
        shape = sampleShape;
        per = sample.height * sample.width * sample.channels;
        images = new Float32Array(indices.length * per);
      } else if (
        shape[0] !== sampleShape[0] ||
        shape[1] !== sampleShape[1] ||
        shape[2] !== sampleShape[2]
      ) {
        throw new ImageSizeError({ id: options.name(index), actual: sampleShape, expected: shape });
      }
      sample.write(images as Float32Array, kept.length * per);
      kept.push(index);
    }
    if (images === undefined || shape === undefined) {
      return { images: new Float32Array(0), shape: [0, 0, 0, 0], indices: [] };
    }
    if (kept.length < indices.length) images = images.slice(0, kept.length * per);
    return { images, shape: [kept.length, shape[0], shape[1], shape[2]], indices: kept };
  };

  const ensure = (b: number): void => {
    if (b >= total || pending.has(b)) return;
    const p = buildBatch(b);
    p.catch(() => {});
    pending.set(b, p);
  };

  try {
    for (let b = options.startBatch; b < total; b++) {
      for (let k = b; k <= b + prefetch; k++) ensure(k);
      const batch = await (pending.get(b) as Promise<EngineBatch>);
      pending.delete(b);
      // A batch whose images were all skipped carries nothing to train on.
      if (batch.indices.length > 0) yield batch;
    }
    if (skipped > 0)
      options.warn(`@celeba/data: skipped ${skipped} unreadable image(s) in this epoch.`);
  } finally {
    cancelled = true;
  }
}

/** A FIFO concurrency limiter: at most `limit` tasks run at once, started in call order. */
function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    active--;
    const next = queue.shift();
    if (next) next();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = (): void => {
        active++;
        task().then(resolve, reject).finally(release);
      };
      if (active < limit) run();
      else queue.push(run);
    });
}
