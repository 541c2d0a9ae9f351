// The one place in the repository that reaches into tfjs-core's engine: its gradient-tape state,
// its `clone`, its registry of variables. None of these is public API, so each is read or
// changed here only, behind a function, and the version they were written against is checked
// when this module is loaded. Everything else (the model, the kernels, @celeba/train, the apps)
// calls the functions below.
import * as tf from "@tensorflow/tfjs-core";
import { ResnextError } from "./errors";

/**
 * The `@tensorflow/tfjs-core` versions whose engine internals this file was written against:
 * the peer range in `package.json`.
 */
export const SUPPORTED_TFJS_CORE = "~4.22.0";

/**
 * Throws unless `version` is in {@link SUPPORTED_TFJS_CORE} (4.22.x). Called with
 * `tf.version_core` when this module is loaded.
 *
 * @param version - A tfjs-core version, e.g. `"4.22.0"`.
 * @throws {ResnextError} naming the loaded version and the supported range.
 */
export function assertSupportedTfjsCore(version: string): void {
  if (/^4\.22\.\d+(?:[-+].*)?$/.test(version)) return;
  throw new ResnextError({
    message:
      `@celeba/resnext supports @tensorflow/tfjs-core ${SUPPORTED_TFJS_CORE} (4.22.x) only, ` +
      `but version ${version} is loaded: it relies on engine internals that other versions ` +
      `may change. Install @tensorflow/tfjs-core@${SUPPORTED_TFJS_CORE} with backends of the ` +
      "same version.",
  });
}

assertSupportedTfjsCore(tf.version_core);

/** The parts of tfjs 4.22's `Engine` used below, none of them public. */
interface EngineInternals {
  state: { gradientDepth: number; kernelDepth: number; activeTape: unknown };
  registeredVariables: Record<string, tf.Variable>;
  clone(x: tf.Tensor): tf.Tensor;
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/**
 * Whether a gradient function (`tf.grad`, `tf.variableGrads`, an optimizer's `minimize`) is
 * running, so that ops are being recorded for a backward pass.
 *
 * @returns true inside a gradient function, including inside the kernels it runs.
 */
export function isComputingGradients(): boolean {
  return engine().state.gradientDepth > 0;
}

/**
 * Whether the ops run now are recorded on the gradient tape one by one: a gradient function is
 * running and the caller is not inside a kernel (a custom op's forward function runs as a kernel,
 * with the tape off).
 *
 * @returns true when tfjs itself will differentiate the ops run now.
 */
export function isTapeRecording(): boolean {
  const { state } = engine();
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/**
 * Runs `f`, then puts back the gradient tape that was active before it. A gradient computed
 * inside a backward pass replaces the engine's tape and, when it ends, drops it (tfjs 4.22
 * `startTape`/`gradients`); the outer pass still needs it to free its saved tensors.
 *
 * @param f - Computes a gradient inside a custom op's backward pass.
 * @returns What `f` returns.
 */
export function keepingOuterTape<T>(f: () => T): T {
  const state = engine().state;
  const outerTape = state.activeTape;
  try {
    return f();
  } finally {
    state.activeTape = outerTape;
  }
}

/**
 * Calls `save(tensors)` with the engine's `clone` replaced by `clone`: tfjs keeps
 * `engine.clone(t)` of each tensor a custom op saves for its backward pass, and on wasm that
 * clone is a copy. The engine is restored before this returns, also when `save` throws.
 *
 * @param save - The `save` function tfjs passes to a `tf.customGrad` forward function.
 * @param tensors - The tensors to keep for the backward pass.
 * @param clone - What the engine should keep instead of a copy of each.
 */
export function saveWithClone(
  save: tf.GradSaveFunc,
  tensors: tf.Tensor[],
  clone: (x: tf.Tensor) => tf.Tensor,
): void {
  const e = engine();
  const own = Object.hasOwn(e, "clone");
  const previous = e.clone;
  e.clone = clone;
  try {
    save(tensors);
  } finally {
    if (own) e.clone = previous;
    else delete (e as Partial<EngineInternals>).clone;
  }
}

/**
 * The live tfjs variable of that name (what `tf.variableGrads` keys its gradients by).
 *
 * @param name - A tfjs variable name.
 * @returns The variable, or `undefined` when none is registered under `name`.
 */
export function registeredVariable(name: string): tf.Variable | undefined {
  return engine().registeredVariables[name];
}

/**
 * Every live tfjs variable (model weights, BatchNorm statistics, optimizer slots).
 *
 * @returns The variables, in registration order.
 */
export function registeredVariables(): tf.Variable[] {
  return Object.values(engine().registeredVariables);
}
