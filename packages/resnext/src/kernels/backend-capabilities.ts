// What a tfjs backend can do well, for the places that pick a formulation per backend (as
// fastestGroupedConvImpl does), by the name `tf.getBackend()` gives.

/**
 * Backends whose tensors live in host memory, so that reading one back with `dataSync()` is a
 * copy and not a GPU round trip. On webgpu and webgl a read stalls the queue (and webgpu in
 * Node cannot read synchronously at all).
 *
 * @param backend - A tfjs backend name.
 * @returns true for cpu, wasm and tensorflow (tfjs-node).
 * @example
 * import * as tf from "@tensorflow/tfjs-core";
 * if (!readsBackCheaply(tf.getBackend())) await Promise.all(tensors.map((t) => t.data()));
 */
export function readsBackCheaply(backend: string): boolean {
  return backend === "cpu" || backend === "wasm" || backend === "tensorflow";
}

/**
 * The highest rank the backend's `pad` kernel handles. tfjs-backend-webgpu 4.22 builds its pad
 * shader from a coordinate type it cannot index past rank 4 ("cannot index type 'vec6'"): the
 * shader fails to compile and the op silently yields nothing.
 *
 * @param backend - A tfjs backend name.
 * @returns 4 on webgpu, 6 elsewhere. Not part of the API.
 */
export function maxPadRank(backend: string): number {
  return backend === "webgpu" ? 4 : 6;
}
