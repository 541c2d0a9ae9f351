/**
 * `@celeba/train/optimizers`: PyTorch-exact optimizers for TensorFlow.js, by name or by class,
 * for loops of your own around `trainStep` (`train` takes an `optimizer` config and builds one).
 */

export { Adam, type AdamConfig } from "./adam";
export { Adamax, type AdamaxConfig } from "./adamax";
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerConfig,
  type OptimizerName,
  type TrainOptimizer,
} from "./create-optimizer";
export { SGD, type SGDConfig } from "./sgd";
export type { ParamState } from "./torch-optimizer";
