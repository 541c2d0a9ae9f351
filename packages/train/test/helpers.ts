/**
 * Test helpers: a tiny TrainableModel (frozen projection + trainable head over
 * pooled pixels, with a BN-like running-mean buffer) and a deterministic
 * synthetic multi-label dataset whose order depends only on (seed, epoch).
 */
import type { StateDict } from "@celeba/resnext/weights";
import * as tf from "@tensorflow/tfjs-core";
import type { Batch, DataSource } from "../src/batch";
import type { TrainableModel } from "../src/trainable-model";

/** Deterministic uniform [0, 1) stream (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyModel extends TrainableModel {
  dispose(): void;
  vars: Map<string, tf.Variable>;
}

export function tinyModel(options: {
  numClasses: number;
  hidden?: number;
  seed?: number;
  freezeProj?: boolean;
}): TinyModel {
  const { numClasses, hidden = 8, seed = 1, freezeProj = true } = options;
  const r = rng(seed);
  const u = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const vars = new Map<string, tf.Variable>([
    ["proj.weight", tf.variable(tf.tensor2d(u(hidden * 3, 2), [hidden, 3]), !freezeProj)],
    ["proj.bias", tf.variable(tf.tensor1d(u(hidden, 0.5)), !freezeProj)],
    ["fc.weight", tf.variable(tf.tensor2d(u(numClasses * hidden, 0.3), [numClasses, hidden]))],
    ["fc.bias", tf.variable(tf.tensor1d(u(numClasses, 0.1)))],
  ]);
  const runningMean = tf.variable(tf.zeros([hidden]), false);
  const get = (k: string) => vars.get(k) as tf.Variable;
  return {
    vars,
    apply(x, { training }) {
      return tf.tidy(() => {
        const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
        const h = tf.tanh(
          tf.add(tf.matMul(pooled, get("proj.weight"), false, true), get("proj.bias")),
        );
        let center: tf.Tensor;
        if (training) {
          center = tf.mean(h, 0);
          runningMean.assign(tf.add(tf.mul(runningMean, 0.9), tf.mul(center, 0.1)));
        } else center = runningMean;
        return tf.add(
          tf.matMul(tf.sub(h, center), get("fc.weight"), false, true),
          get("fc.bias"),
        ) as tf.Tensor2D;
      });
    },
    trainableVariables() {
      return new Map([...vars].filter(([, v]) => v.trainable));
    },
    stateDict(): StateDict {
      const sd: StateDict = new Map();
      for (const [k, v] of [...vars, ["stats.running_mean", runningMean] as const]) {
        sd.set(k, { dtype: "float32", shape: [...v.shape], data: Float32Array.from(v.dataSync()) });
      }
      return sd;
    },
    loadStateDict(sd) {
      tf.tidy(() => {
        for (const [k, v] of [...vars, ["stats.running_mean", runningMean] as const]) {
          const t = sd.get(k);
          if (!t) throw new Error(`missing ${k}`);
          v.assign(tf.tensor(t.data as Float32Array, t.shape));
        }
      });
    },
    dispose() {
      tf.dispose([...vars.values(), runningMean]);
    },
  };
}

export interface SyntheticData {
  images: Float32Array;
  labels: Float32Array;
  n: number;
  size: number;
  numClasses: number;
}

/** n images (size x size x 3) whose attributes are signs of linear functions of the image's mean colour. */
export function syntheticData(
  n: number,
  numClasses: number,
  seed: number,
  size = 6,
): SyntheticData {
  const r = rng(seed);
  const ar = rng(12345); // the same labelling rule for every split
  const a = Float32Array.from({ length: numClasses * 3 }, () => ar() * 2 - 1);
  const b = Float32Array.from({ length: numClasses }, () => (ar() * 2 - 1) * 0.4);
  const images = new Float32Array(n * size * size * 3);
  const labels = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const c = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
    for (let p = 0; p < size * size; p++) {
      for (let ch = 0; ch < 3; ch++)
        images[(i * size * size + p) * 3 + ch] = (c[ch] as number) + (r() - 0.5) * 0.6;
    }
    for (let k = 0; k < numClasses; k++) {
      const s =
        (a[k * 3] as number) * c[0]! +
        (a[k * 3 + 1] as number) * c[1]! +
        (a[k * 3 + 2] as number) * c[2]!;
      labels[i * numClasses + k] = s + (b[k] as number) >= 0 ? 1 : -1;
    }
  }
  return { images, labels, n, size, numClasses };
}

/** Batches in a (seed, epoch)-shuffled order, starting at `startBatch` without touching skipped ones. */
export function dataSource(
  d: SyntheticData,
  batchSize: number,
  seed: number,
  shuffle = true,
): DataSource {
  return async function* (epoch, startBatch) {
    const order = Array.from({ length: d.n }, (_, i) => i);
    if (shuffle) {
      const r = rng(seed * 1000 + epoch);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    const px = d.size * d.size * 3;
    for (let start = startBatch * batchSize; start < d.n; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const images = new Float32Array(idx.length * px);
      const labels = new Float32Array(idx.length * d.numClasses);
      idx.forEach((s, j) => {
        images.set(d.images.subarray(s * px, (s + 1) * px), j * px);
        labels.set(d.labels.subarray(s * d.numClasses, (s + 1) * d.numClasses), j * d.numClasses);
      });
      const batch: Batch = {
        images,
        labels,
        shape: [idx.length, d.size, d.size, 3],
        ids: idx.map((s) => `img${s}`),
      };
      yield batch;
    }
  };
}
