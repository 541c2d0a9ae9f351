import * as tf from "@tensorflow/tfjs-core";
import { checkNumber, type ParamState, TorchOptimizer } from "./torch-optimizer";

/** Options of {@link Adamax}; names follow `torch.optim.Adamax`. */
export interface AdamaxConfig {
  /** Learning rate. Default 0.002. */
  lr?: number;
  /** Coefficients of the running averages. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to |grad| inside the max, as torch does. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (`grad + weightDecay * param`). Default 0. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing. Default false. */
  maximize?: boolean;
}

/**
 * `torch.optim.Adamax` with PyTorch's exact update (torch 1.13):
 * `m = b1*m + (1-b1)*g`, `u = max(b2*u, |g| + eps)`, `p -= lr / (1 - b1^t) * m / u`.
 * A `tf.Optimizer`, so `minimize`/`applyGradients` work; state via `getState`/`setState`.
 *
 * @example
 * ```ts
 * const opt = new Adamax({ lr: 0.002 });
 * opt.applyGradients(tf.variableGrads(() => loss(), [...model.trainableVariables().values()]).grads);
 * ```
 */
export class Adamax extends TorchOptimizer {
  /** Class name used by `tf.serialization`. */
  static get className(): string {
    return "TorchAdamax";
  }
  /** Learning rate; may be changed between steps (e.g. by a scheduler). */
  lr: number;
  /** Running-average coefficients. */
  readonly betas: [number, number];
  /** Epsilon. */
  readonly eps: number;
  /** L2 penalty. */
  readonly weightDecay: number;
  /** Whether the objective is maximized. */
  readonly maximize: boolean;

  /**
   * @param config - Hyper-parameters; defaults as in torch.
   * @throws {InvalidOptionError} On a negative/non-finite value or a beta outside [0, 1).
   */
  constructor(config: AdamaxConfig = {}) {
    super();
    this.lr = config.lr ?? 0.002;
    this.betas = config.betas ?? [0.9, 0.999];
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    this.maximize = config.maximize ?? false;
    checkNumber("adamax.lr", this.lr, 0);
    checkNumber("adamax.betas[0]", this.betas[0], 0, 1);
    checkNumber("adamax.betas[1]", this.betas[1], 0, 1);
    checkNumber("adamax.eps", this.eps, 0);
    checkNumber("adamax.weightDecay", this.weightDecay, 0);
  }

  protected updateParam(param: tf.Variable, grad: tf.Tensor, state: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.torchGradient(param, grad, this.weightDecay, this.maximize);
    const expAvg = this.slot(state, "exp_avg", param);
    const expInf = this.slot(state, "exp_inf", param);
    const m = tf.add(tf.mul(expAvg, b1), tf.mul(g, 1 - b1));
    // torch takes the max over a stacked [b2*u, |g|+eps], so eps sits inside the max.
    const u = tf.maximum(tf.mul(expInf, b2), tf.add(tf.abs(g), this.eps));
    this.assignInPlace(expAvg, m);
    this.assignInPlace(expInf, u);
    const clr = this.lr / (1 - b1 ** state.step);
    this.assignInPlace(param, tf.add(param, tf.mul(tf.div(m, u), -clr)));
  }

  protected override slotNames(): string[] {
    return ["exp_avg", "exp_inf"];
  }

  /** Serializable config (for `tf.serialization`). */
  getConfig(): tf.serialization.ConfigDict {
    return {
      lr: this.lr,
      betas: this.betas,
      eps: this.eps,
      weightDecay: this.weightDecay,
      maximize: this.maximize,
    };
  }
}
tf.serialization.registerClass(Adamax);
