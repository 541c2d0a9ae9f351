import * as tf from "@tensorflow/tfjs-core";
import { type ShapeMismatch, StateDictMismatchError } from "../model-errors";
import type { StateDict } from "../weights/state-dict";
import { linearInit } from "./init";
import { InitRandom } from "./init-random";
import { type Entry, fromStateTensor } from "./torch-layout";

/** Options of `ResNetModel.loadStateDict`. */
export interface LoadStateDictOptions {
  /**
   * Missing and unexpected keys are errors, as PyTorch's `strict=True`. Default `true`.
   * Shape mismatches are always errors; missing `num_batches_tracked` keys (old files) never are.
   */
  strict?: boolean;
  /**
   * When the state dict's `fc` has another class count than the model (e.g. ImageNet's 1000
   * vs 40), re-initialise `fc` with PyTorch's `nn.Linear` init instead of failing. Default `true`.
   */
  reinitializeHead?: boolean;
}

/** What `ResNetModel.loadStateDict` did. */
export interface LoadStateDictResult {
  /** Model keys the state dict lacked (only with `strict: false`; they kept their values). */
  missing: string[];
  /** State-dict keys the model does not have (ignored; only with `strict: false`). */
  unexpected: string[];
  /** Keys that were re-initialised instead of loaded, e.g. `["fc.weight", "fc.bias"]`. */
  reinitialized: string[];
  /** Human-readable notes on everything that was not a plain load. */
  warnings: string[];
}

/** The model a state dict is loaded into. Internal. */
export interface LoadTarget {
  arch: string;
  seed: number | string;
  entries: ReadonlyMap<string, Entry>;
  numFeatures: number;
  /** `null` without the `fc` head. */
  numClasses: number | null;
  /** Called once everything is validated, before the first variable changes. */
  beforeWrite(): void;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Loads torchvision-layout weights into `model`; validates everything before changing anything.
 * Internal; see `ResNetModel.loadStateDict`.
 */
export function loadStateDictInto(
  model: LoadTarget,
  sd: StateDict,
  options: LoadStateDictOptions,
): LoadStateDictResult {
  const { strict = true, reinitializeHead = true } = options;
  const { entries, numFeatures, numClasses } = model;
  const missing: string[] = [];
  const unexpected: string[] = [];
  const mismatches: ShapeMismatch[] = [];
  const warnings: string[] = [];
  const reinitialized: string[] = [];

  const sdFc = sd.get("fc.weight");
  const headReinit =
    numClasses !== null &&
    reinitializeHead &&
    sdFc !== undefined &&
    sdFc.shape.length === 2 &&
    sdFc.shape[1] === numFeatures &&
    sdFc.shape[0] !== numClasses;

  for (const e of entries.values()) {
    const t = sd.get(e.key);
    if (headReinit && e.key.startsWith("fc.")) continue;
    if (t === undefined) {
      // PyTorch fills num_batches_tracked for files saved before the buffer existed.
      if (e.kind !== "count") missing.push(e.key);
      continue;
    }
    if (!sameShape(e.torchShape, t.shape)) {
      mismatches.push({ key: e.key, expected: [...e.torchShape], actual: [...t.shape] });
    }
  }
  const ignoredHead: string[] = [];
  for (const key of sd.keys()) {
    if (entries.has(key)) continue;
    if (numClasses === null && key.startsWith("fc.")) ignoredHead.push(key);
    else unexpected.push(key);
  }
  if (mismatches.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
    throw new StateDictMismatchError({
      arch: model.arch,
      missing,
      unexpected,
      shapeMismatches: mismatches,
    });
  }

  model.beforeWrite();
  tf.tidy(() => {
    for (const e of entries.values()) {
      if (headReinit && e.key.startsWith("fc.")) continue;
      const t = sd.get(e.key);
      if (t !== undefined) e.variable.assign(fromStateTensor(e, t));
    }
  });
  if (headReinit) {
    const rng = new InitRandom(`${String(model.seed)}/fc-reinit`);
    const [w, b] = linearInit(rng, numFeatures, numClasses);
    tf.tidy(() => {
      entries.get("fc.weight")!.variable.assign(tf.tensor2d(w, [numFeatures, numClasses]));
      entries.get("fc.bias")!.variable.assign(tf.tensor1d(b));
    });
    reinitialized.push("fc.weight", "fc.bias");
    warnings.push(
      `fc.weight is [${sdFc!.shape.join(", ")}] in the state dict but the model has ` +
        `numClasses=${numClasses}: re-initialised fc.weight and fc.bias with PyTorch's ` +
        `nn.Linear init (as \`model.fc = nn.Linear(${numFeatures}, ${numClasses})\`).`,
    );
  }
  if (ignoredHead.length > 0) {
    warnings.push(`ignored ${ignoredHead.join(", ")}: the model was built with includeTop: false.`);
  }
  if (missing.length > 0) {
    warnings.push(`missing keys kept their current values: ${missing.join(", ")}`);
  }
  if (unexpected.length > 0) warnings.push(`unexpected keys ignored: ${unexpected.join(", ")}`);
  return { missing, unexpected, reinitialized, warnings };
}
