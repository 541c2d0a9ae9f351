import { Adam, type AdamConfig } from "./adam";
import { Adamax, type AdamaxConfig } from "./adamax";
import { InvalidOptionError } from "./errors";
import { SGD, type SGDConfig } from "./sgd";
import type { TorchOptimizer } from "./torch-optimizer";

/** Names accepted by {@link createOptimizer}. */
export type OptimizerName = "adamax" | "adam" | "sgd";

/** Every valid {@link OptimizerName}. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["adamax", "adam", "sgd"];

const KNOWN_KEYS: Record<OptimizerName, readonly string[]> = {
  adamax: ["lr", "betas", "eps", "weightDecay", "maximize"],
  adam: ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"],
  sgd: ["lr", "momentum", "dampening", "nesterov", "weightDecay", "maximize"],
};

/** An optimizer choice plus its hyper-parameters (plain JSON, stored in `run.json`). */
export type OptimizerConfig =
  | ({ name: "adamax" } & AdamaxConfig)
  | ({ name: "adam" } & AdamConfig)
  | ({ name: "sgd" } & SGDConfig);

/** What {@link createOptimizer} returns: a `tf.Optimizer` with `getState`/`setState`. */
export type TrainOptimizer = TorchOptimizer;

/**
 * Creates a PyTorch-exact optimizer from a JSON config.
 *
 * @param config - `{ name, ...hyperParameters }`; unspecified hyper-parameters take torch's defaults.
 * @returns A new optimizer (call `dispose()` when done).
 * @throws {InvalidOptionError} On an unknown name (lists the valid ones) or an invalid hyper-parameter.
 * @example
 * ```ts
 * const opt = createOptimizer({ name: "adamax" }); // lr 0.002, betas [0.9, 0.999], eps 1e-8
 * opt.applyGradients(grads);
 * ```
 */
export function createOptimizer(config: OptimizerConfig): TrainOptimizer {
  const { name, ...rest } = config ?? ({} as OptimizerConfig);
  const allowed = KNOWN_KEYS[name as OptimizerName];
  if (allowed) {
    for (const key of Object.keys(rest)) {
      // Undefined values are treated as "use the default" so configs can be spread freely.
      if (!allowed.includes(key) && (rest as Record<string, unknown>)[key] !== undefined) {
        throw new InvalidOptionError({
          option: `optimizer.${key}`,
          value: (rest as Record<string, unknown>)[key],
          hint: `"${name}" has no such option.`,
          validChoices: allowed,
        });
      }
    }
  }
  for (const [key, value] of Object.entries(rest))
    if (value === undefined) delete (rest as Record<string, unknown>)[key];
  switch (name) {
    case "adamax":
      return new Adamax(rest as AdamaxConfig);
    case "adam":
      return new Adam(rest as AdamConfig);
    case "sgd":
      return new SGD(rest as SGDConfig);
    default:
      throw new InvalidOptionError({
        option: "optimizer.name",
        value: name,
        hint: "Pick one of the built-in optimizers.",
        validChoices: OPTIMIZER_NAMES,
      });
  }
}
