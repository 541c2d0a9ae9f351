import { registeredVariable } from "@celeba/resnext/kernels";
import type { StateDict, StateTensor } from "@celeba/resnext/weights";
import * as tf from "@tensorflow/tfjs-core";
import { CheckpointError, InvalidOptionError } from "./errors";

/** A named tensor, as in tfjs' optimizer weights (`tf.NamedTensor` is not exported by tfjs-core). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Per-parameter optimizer state, as in `torch.optim.Optimizer.state[param]`. */
export interface ParamState {
  /** Number of updates applied to this parameter (torch's `state["step"]`). */
  step: number;
  /** Named buffers, e.g. `exp_avg`, created lazily by the optimizer. */
  slots: Map<string, tf.Variable>;
}

/**
 * Shared machinery of the PyTorch-exact optimizers: per-parameter step counts
 * and slots keyed by tfjs variable name, `applyGradients`, state export/import.
 * Subclasses implement the update rule of one parameter.
 */
export abstract class TorchOptimizer extends tf.Optimizer {
  protected readonly paramState = new Map<string, ParamState>();

  /**
   * Updates one parameter in place. Runs inside a `tf.tidy`, after `state.step`
   * has been incremented.
   */
  protected abstract updateParam(param: tf.Variable, grad: tf.Tensor, state: ParamState): void;

  /**
   * Applies one optimizer step to every variable that has a gradient (a
   * missing/null gradient skips the parameter, like torch's `grad is None`).
   *
   * @param variableGradients - Gradients keyed by tfjs variable name (what `tf.variableGrads` returns).
   * @throws {InvalidOptionError} When a name is not a registered tfjs variable.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((item) => [item.name, item.tensor])
      : Object.entries(variableGradients);
    for (const [name, grad] of entries) {
      if (grad == null) continue;
      const param = registeredVariable(name);
      if (param === undefined) {
        throw new InvalidOptionError({
          option: "gradient name",
          value: name,
          hint: "applyGradients() expects gradients keyed by tfjs variable name, as returned by tf.variableGrads().",
        });
      }
      const state = this.stateOf(name);
      state.step += 1;
      // One tidy per parameter: its temporaries are freed before the next one's are made.
      tf.tidy(() => this.updateParam(param, grad, state));
    }
    this.incrementIterations();
  }

  /**
   * Creates the optimizer state (the zero-filled slots, e.g. Adamax's `exp_avg` and
   * `exp_inf`) of every variable that has none yet, now instead of at its first update. Called
   * before the first forward pass, it puts these long-lived buffers next to the model's
   * weights instead of between a training step's activations, where they would split the free
   * memory that later steps need (see {@link assignInPlace}). It changes no result: the state
   * of a parameter without an update is not exported by {@link getState} or `getWeights`.
   *
   * @param variables - The variables that will be trained.
   */
  prepareState(variables: Iterable<tf.Variable>): void {
    for (const v of variables) {
      const names = this.slotNames();
      if (names.length === 0 || this.paramState.get(v.name)?.slots.size) continue;
      const state = this.stateOf(v.name);
      tf.tidy(() => {
        for (const slotName of names) this.slot(state, slotName, v);
      });
    }
  }

  /**
   * Frees what {@link prepareState} made for parameters that have not been updated since, e.g.
   * after a step that failed before its update, so that the optimizer holds exactly what it
   * held before.
   */
  discardPreparedState(): void {
    for (const [name, state] of this.paramState) {
      if (state.step !== 0) continue;
      for (const v of state.slots.values()) v.dispose();
      this.paramState.delete(name);
    }
  }

  /**
   * The slots {@link prepareState} creates (zero-filled, shaped like the parameter). Default
   * none; optimizers whose slots start as zeros list them.
   */
  protected slotNames(): string[] {
    return [];
  }

  /** The state of a parameter, created (step 0, no slots) on first use. */
  private stateOf(name: string): ParamState {
    let state = this.paramState.get(name);
    if (state === undefined) {
      state = { step: 0, slots: new Map() };
      this.paramState.set(name, state);
    }
    return state;
  }

  /**
   * `variable.assign(value)`, keeping the variable's data where it was in memory: once the
   * previous data is released, `value` is copied into a fresh allocation of the same size,
   * which the wasm backend's allocator (best fit) serves from the block just released. An
   * optimizer replaces every parameter and slot at every step; without this, each new value
   * lands in whatever gap the step's activations left, and these long-lived buffers end up
   * scattered over the whole heap, splitting the free memory into pieces too small for the
   * next step's activations, so the heap (which never shrinks) keeps growing. The copy costs
   * one pass over the parameter (on the cpu backend `tf.clone` copies nothing).
   */
  protected assignInPlace(variable: tf.Variable, value: tf.Tensor): void {
    variable.assign(value);
    variable.assign(tf.clone(value));
  }

  /**
   * The gradient torch's update starts from: negated when maximizing, then plus
   * `weightDecay * param` (L2 added to the gradient, not decoupled as in AdamW).
   */
  protected torchGradient(
    param: tf.Variable,
    grad: tf.Tensor,
    weightDecay: number,
    maximize: boolean,
  ): tf.Tensor {
    const g = maximize ? tf.neg(grad) : grad;
    return weightDecay === 0 ? g : tf.add(g, tf.mul(param, weightDecay));
  }

  /** Returns the slot `name` of a parameter, creating it as zeros on first use. */
  protected slot(state: ParamState, name: string, like: tf.Tensor): tf.Variable {
    let v = state.slots.get(name);
    if (v === undefined) {
      v = tf.zerosLike(like).variable(false);
      state.slots.set(name, v);
    }
    return v;
  }

  /**
   * Exports the optimizer state as a flat state dict: `<param>.step` (float32
   * scalar, as torch 1.13 stores it) and `<param>.<slot>` (e.g. `exp_avg`).
   * Values are copies; nothing needs disposing.
   *
   * @param paramNames - Optional map from tfjs variable name to a stable name
   *   (e.g. the state_dict key), so the state can be restored into new variables.
   * @returns The state, in parameter insertion order.
   * @example
   * ```ts
   * const sd = optimizer.getState(new Map([[w.name, "fc.weight"]]));
   * sd.get("fc.weight.exp_avg");
   * ```
   */
  getState(paramNames?: ReadonlyMap<string, string>): StateDict {
    const out: StateDict = new Map();
    for (const [name, state] of this.paramState) {
      // Prepared (prepareState) but never updated: torch has no state for it yet.
      if (state.step === 0) continue;
      const key = paramNames?.get(name) ?? name;
      out.set(`${key}.step`, { dtype: "float32", shape: [], data: new Float32Array([state.step]) });
      for (const [slotName, v] of state.slots) {
        out.set(`${key}.${slotName}`, {
          dtype: "float32",
          shape: [...v.shape],
          data: Float32Array.from(v.dataSync()),
        });
      }
    }
    return out;
  }

  /**
   * Replaces the optimizer state with one from {@link getState}.
   *
   * @param sd - The state dict.
   * @param paramNames - The same map from tfjs variable name to stable name that was given to `getState`.
   * @throws {CheckpointError} When a key names an unknown parameter or a shape does not match.
   * @example
   * ```ts
   * optimizer.setState(sd, new Map([[w.name, "fc.weight"]]));
   * optimizer.applyGradients(grads);
   * ```
   */
  setState(sd: StateDict, paramNames?: ReadonlyMap<string, string>): void {
    const varNameOf = new Map<string, string>();
    if (paramNames) for (const [varName, key] of paramNames) varNameOf.set(key, varName);
    const next = new Map<string, ParamState>();
    try {
      for (const [fullKey, t] of sd) {
        const dot = fullKey.lastIndexOf(".");
        if (dot <= 0)
          throw new CheckpointError({
            path: "optimizer state",
            message: `key "${fullKey}" is not "<param>.<slot>".`,
          });
        const key = fullKey.slice(0, dot);
        const slotName = fullKey.slice(dot + 1);
        const varName = paramNames ? varNameOf.get(key) : key;
        const param = varName === undefined ? undefined : registeredVariable(varName);
        if (varName === undefined || param === undefined) {
          throw new CheckpointError({
            path: "optimizer state",
            message:
              `key "${fullKey}" names parameter "${key}", which is not being trained. ` +
              "Freeze the same layers as in the saved run, or start a fresh optimizer.",
          });
        }
        let state = next.get(varName);
        if (state === undefined) {
          state = { step: 0, slots: new Map() };
          next.set(varName, state);
        }
        if (slotName === "step") {
          state.step = Number(t.data[0]);
          continue;
        }
        if (!sameShape(t.shape, param.shape)) {
          throw new CheckpointError({
            path: "optimizer state",
            message:
              `"${fullKey}" has shape [${t.shape}] but parameter "${key}" has shape [${param.shape}]. ` +
              "The checkpoint was written for a different model.",
          });
        }
        state.slots.set(
          slotName,
          tf.tidy(() => tf.tensor(toFloat32(t), t.shape, "float32").variable(false)),
        );
      }
    } catch (e) {
      for (const s of next.values()) for (const v of s.slots.values()) v.dispose();
      throw e;
    }
    this.disposeState();
    for (const [k, v] of next) this.paramState.set(k, v);
    // tfjs' own counter is not used by the update rules, but keep `iterations` meaningful.
    this.iterations_ = Math.max(0, ...[...next.values()].map((s) => s.step));
  }

  /**
   * Returns the weights in tfjs' optimizer format: the iteration count, then
   * `<variable>/step` and `<variable>/<slot>` tensors (caller disposes).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const [name, state] of this.paramState) {
      if (state.step === 0) continue;
      out.push({ name: `${name}/step`, tensor: tf.scalar(state.step) });
      for (const [slotName, v] of state.slots)
        out.push({ name: `${name}/${slotName}`, tensor: v.clone() });
    }
    return out;
  }

  /** Restores weights produced by {@link getWeights}. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const sd: StateDict = new Map();
    for (const { name, tensor } of rest) {
      const slash = name.lastIndexOf("/");
      sd.set(`${name.slice(0, slash)}.${name.slice(slash + 1)}`, {
        dtype: "float32",
        shape: [...tensor.shape],
        data: Float32Array.from(await tensor.data()),
      });
    }
    this.setState(sd);
  }

  /** Disposes the optimizer's slot variables. */
  override dispose(): void {
    super.dispose();
    this.disposeState();
  }

  private disposeState(): void {
    for (const s of this.paramState.values()) for (const v of s.slots.values()) v.dispose();
    this.paramState.clear();
  }
}

/** Checks that a hyper-parameter is a finite number `>= min` (and `< max` if given). */
export function checkNumber(field: string, value: number, min: number, max?: number): void {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= min &&
    (max === undefined || value < max);
  if (!ok) {
    throw new InvalidOptionError({
      option: field,
      value,
      hint: `Expected a finite number >= ${min}${max === undefined ? "" : ` and < ${max}`} (same check as torch.optim).`,
    });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function toFloat32(t: StateTensor): Float32Array {
  return t.data instanceof Float32Array
    ? t.data
    : Float32Array.from(t.data as ArrayLike<number>, Number);
}
