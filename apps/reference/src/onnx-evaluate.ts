import { availableParallelism } from "node:os";
import type { ResNetModel } from "@celeba/resnext";
import { exportOnnx } from "@celeba/resnext/onnx";
import {
  type Batch,
  type EvaluateOptions,
  type EvaluationResult,
  evaluate,
  type TrainableModel,
} from "@celeba/train";
import * as tf from "@tensorflow/tfjs-core";
import { OnnxScorer } from "./onnx-engine";

/** `evaluate` with a model's scores computed by some engine. */
export type Evaluator = (
  model: ResNetModel,
  data: AsyncIterable<Batch>,
  options: EvaluateOptions,
) => Promise<EvaluationResult>;

/**
 * An evaluator that exports each model it is given to ONNX in memory and scores it on ONNX
 * Runtime, then measures loss and accuracy with `@celeba/train`'s own `evaluate`: every batch
 * is scored before `evaluate` sees it, and the model `evaluate` runs hands those scores back.
 */
export function onnxRuntimeEvaluator(options: {
  threads?: number;
  inputSize: { width: number; height: number } | null;
}): Evaluator {
  const threads = options.threads ?? availableParallelism();
  return async (model, data, evaluateOptions) => {
    const bytes = await exportOnnx(model, { inputSize: options.inputSize });
    const scorer = await OnnxScorer.create(bytes, {
      threads,
      source: `${model.arch} (exported in memory)`,
    });
    const pending: Float32Array[] = [];
    async function* scored(): AsyncIterable<Batch> {
      for await (const batch of data) {
        pending.push(await scorer.run(batch.images, batch.shape));
        yield batch;
      }
    }
    const replay: TrainableModel = {
      apply: (x) => {
        const scores = pending.shift()!;
        return tf.tensor2d(scores, [x.shape[0], scores.length / x.shape[0]]);
      },
      trainableVariables: () => new Map(),
      stateDict: () => model.stateDict(),
      loadStateDict: () => {},
    };
    try {
      return await evaluate(replay, scored(), evaluateOptions);
    } finally {
      await scorer.release();
    }
  };
}
