import type { ConvGradient } from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";

/**
 * How the page's models differentiate convolutions on the current backend. WebGPU (and cpu,
 * wasm) train with @celeba/resnext's im2col conv gradient, as the CLI does. On WebGL one of its
 * shaders fails to compile ("Failed to compile fragment shader" in headless Chromium); tfjs's
 * own conv gradients give the same result there. A model's `convGradient` is fixed when it is
 * created, so every `createModel` of the page passes this.
 *
 * @returns `"native"` on webgl, `"im2col"` elsewhere.
 */
export function backendConvGradient(): ConvGradient {
  return tf.getBackend() === "webgl" ? "native" : "im2col";
}
