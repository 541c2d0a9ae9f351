import * as tf from "@tensorflow/tfjs-core";
import type { InitRandom } from "./init-random";
import type { PlannedEntry } from "./layout";
import type { Entry } from "./torch-layout";

/** The shape tfjs keeps an entry in: HWIO convolutions, `[in, out]` fc weight. */
function tfjsShape(e: PlannedEntry): number[] {
  if (e.kind === "conv") {
    const [o, i, kh, kw] = e.torchShape as [number, number, number, number];
    return [kh, kw, i, o];
  }
  if (e.kind === "fcWeight") return [e.torchShape[1]!, e.torchShape[0]!];
  return e.torchShape;
}

/**
 * A variable holding `e`'s torchvision initial value, drawn from `rng` (in tfjs' layout, as
 * torchvision-compatible distributions are layout-free). Buffers are not trainable. Internal.
 */
export function initialVariable(e: PlannedEntry, rng: InitRandom): Entry {
  const shape = tfjsShape(e);
  const size = shape.reduce((a, b) => a * b, 1);
  const { init } = e;
  const variable = tf.tidy(() => {
    let value: tf.Tensor;
    if ("normal" in init) value = tf.tensor(rng.normalArray(size, init.normal), shape);
    else if ("uniform" in init) value = tf.tensor(rng.uniformArray(size, init.uniform), shape);
    else value = tf.fill(shape, init.fill, e.kind === "count" ? "int32" : "float32");
    return tf.variable(value, !e.isBuffer);
  });
  return { ...e, variable };
}

/** nn.Linear's init: kaiming_uniform_(a=√5) for the weight, U(±1/√fan_in) for the bias. */
export function linearInit(
  rng: InitRandom,
  fanIn: number,
  fanOut: number,
): [Float32Array, Float32Array] {
  const bound = 1 / Math.sqrt(fanIn);
  return [rng.uniformArray(fanIn * fanOut, bound), rng.uniformArray(fanOut, bound)];
}
