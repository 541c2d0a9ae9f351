import * as tf from "@tensorflow/tfjs-core";
import { goldenInputNHWC, goldenTarget } from "./golden-input";

/** What a golden comparison needs of a model: a forward pass and its parameters by state-dict key. */
export interface GoldenModel {
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor;
  namedParameters(): Map<string, tf.Variable>;
}

/** The fixture script's train-mode pass: its outputs, its MSE loss and each parameter's gradient. */
export interface GoldenTrainStep {
  loss: number;
  output: Float32Array;
  /** Each parameter's gradient by state-dict key, in tfjs' layout (HWIO convolutions, [in, out] linear). */
  grads: Map<string, Float32Array>;
}

/**
 * One train-mode forward of `model` on the fixture script's closed-form input
 * (`[n, 3, h, w]` as torch gives it), MSE against its ±1 target, and the gradient of every
 * parameter: what `scripts/make-model-fixtures.py` records from torchvision. Reads every tensor
 * back asynchronously, so it runs on GPU backends too, and leaves no tensor behind.
 */
export async function goldenTrainStep(
  model: GoldenModel,
  [n, , h, w]: [number, number, number, number],
  numClasses: number,
): Promise<GoldenTrainStep> {
  const x = tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
  const target = tf.tensor2d(goldenTarget(n, numClasses), [n, numClasses]);
  const params = model.namedParameters();
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  let scores: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const y = model.apply(x, { training: true });
    scores = tf.keep(y);
    return tf.losses.meanSquaredError(target, y) as tf.Scalar;
  }, [...params.values()]);
  try {
    const byKey = new Map<string, Float32Array>();
    for (const [name, g] of Object.entries(grads)) {
      byKey.set(keyOf.get(name)!, (await g.data()) as Float32Array);
    }
    return {
      loss: (await value.data())[0]!,
      output: (await scores!.data()) as Float32Array,
      grads: byKey,
    };
  } finally {
    tf.dispose([x, target, value, ...(scores ? [scores] : []), ...Object.values(grads)]);
  }
}
