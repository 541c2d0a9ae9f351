import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveShared, shareData } from "./share-saved-tensors";

/** `sum(x² · w)` as a custom op that keeps x (and w) for its backward pass through `keep`. */
function squareOp(keep: (save: tf.GradSaveFunc, tensors: tf.Tensor[]) => void) {
  return tf.customGrad((x, w, save) => {
    keep(save as tf.GradSaveFunc, [x as tf.Tensor, w as tf.Tensor]);
    return {
      value: tf.sum(tf.mul(tf.square(x as tf.Tensor), w as tf.Tensor)),
      gradFunc: (dy, [xs, ws]) => [
        tf.mul(dy, tf.mul(tf.mul(xs!, ws!), 2)),
        tf.mul(dy, tf.square(xs!)),
      ],
    };
  });
}
const plain = squareOp((save, tensors) => save(tensors));
const shared = squareOp(saveShared);

function checks(backend: string) {
  it(`${backend}: shareData gives a second handle on the same values, freed with the last`, () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const buffers = () => (tf.memory() as { numDataBuffers: number }).numDataBuffers;
    const before = buffers();
    const y = shareData(x);
    expect(y.id).not.toBe(x.id);
    expect(y.shape).toEqual(x.shape);
    expect(buffers()).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(buffers()).toBe(before - 1);
  });

  it(`${backend}: saveShared gives the same gradients as save and leaks nothing`, () => {
    const x = tf.tensor1d([0.5, -1.5, 2, 3.25]);
    const w = tf.tensor1d([2, 0.25, -1, 4]);
    const want = tf.grads((a: tf.Tensor, b: tf.Tensor) => plain(a, b))([x, w]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const got = tf.grads((a: tf.Tensor, b: tf.Tensor) => shared(a, b))([x, w]);
      for (let k = 0; k < 2; k++) {
        expect(Array.from(got[k]!.dataSync())).toEqual(Array.from(want[k]!.dataSync()));
      }
      tf.dispose(got);
    }
    expect(tf.memory().numTensors).toBe(before);
    // Without a tape nothing is kept, and the engine's own clone is back in place.
    const value = shared(x, w);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Object.hasOwn(tf.engine(), "clone")).toBe(false);
    tf.dispose([x, w, value, ...want]);
  });

  it(`${backend}: saveShared keeps no copy of what it saves`, () => {
    const x = tf.ones([256]);
    const w = tf.ones([256]);
    // Data buffers alive when the loss is made: the loss itself, plus any copies saved.
    const held = (op: typeof plain) => {
      let buffers = 0;
      const before = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = op(a, b);
        buffers = (tf.memory() as { numDataBuffers: number }).numDataBuffers - before;
        return y;
      })([x, w]);
      tf.dispose(g);
      return buffers;
    };
    // save's clones copy on wasm (its Identity kernel) and share on cpu; saveShared never copies.
    expect(held(shared)).toBe(1);
    expect(held(plain)).toBe(backend === "wasm" ? 3 : 1);
    tf.dispose([x, w]);
  });
}

describe("shared saved tensors on cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  checks("cpu");
});

describe("shared saved tensors on wasm", () => {
  beforeAll(async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
    expect(await tf.setBackend("wasm")).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend("cpu");
  });
  checks("wasm");
});
