import { readsBackCheaply, registeredVariables } from "@celeba/resnext/kernels";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Reads every variable tfjs holds (weights, BatchNorm statistics, optimizer slots) back to the
 * host asynchronously, on backends where a synchronous read would stall the GPU (webgl) or is
 * impossible (webgpu in Node). The backend keeps each value it read, so the synchronous
 * `stateDict()` and `getState()` that follow find them there. A no-op on cpu, wasm and
 * tfjs-node, whose reads are plain copies.
 */
export async function readVariablesBack(): Promise<void> {
  if (readsBackCheaply(tf.getBackend())) return;
  await Promise.all(registeredVariables().map((v) => v.data()));
}
