import * as tf from "@tensorflow/tfjs-core";
import { checkNumber, type ParamState, TorchOptimizer } from "./torch-optimizer";

/** Options of {@link Adam}; names follow `torch.optim.Adam`. */
export interface AdamConfig {
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Coefficients of the running averages. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the bias-corrected sqrt of the second moment (outside the sqrt). Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (not decoupled; that is AdamW). Default 0. */
  weightDecay?: number;
  /** Use the AMSGrad variant (max of second moments). Default false. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing. Default false. */
  maximize?: boolean;
}

/**
 * `torch.optim.Adam` with PyTorch's exact update (torch 1.13):
 * `p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)`, optional AMSGrad.
 * A `tf.Optimizer`, so `minimize`/`applyGradients` work; state via `getState`/`setState`.
 *
 * @example
 * ```ts
 * const opt = new Adam({ lr: 1e-3, amsgrad: true });
 * opt.minimize(() => mseLoss(model.apply(x, { training: true }), y));
 * ```
 */
export class Adam extends TorchOptimizer {
  /** Class name used by `tf.serialization`. */
  static get className(): string {
    return "TorchAdam";
  }
  /** Learning rate; may be changed between steps. */
  lr: number;
  /** Running-average coefficients. */
  readonly betas: [number, number];
  /** Epsilon. */
  readonly eps: number;
  /** L2 penalty. */
  readonly weightDecay: number;
  /** AMSGrad variant. */
  readonly amsgrad: boolean;
  /** Whether the objective is maximized. */
  readonly maximize: boolean;

  /**
   * @param config - Hyper-parameters; defaults as in torch.
   * @throws {InvalidOptionError} On a negative/non-finite value or a beta outside [0, 1).
   */
  constructor(config: AdamConfig = {}) {
    super();
    this.lr = config.lr ?? 0.001;
    this.betas = config.betas ?? [0.9, 0.999];
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    this.amsgrad = config.amsgrad ?? false;
    this.maximize = config.maximize ?? false;
    checkNumber("adam.lr", this.lr, 0);
    checkNumber("adam.betas[0]", this.betas[0], 0, 1);
    checkNumber("adam.betas[1]", this.betas[1], 0, 1);
    checkNumber("adam.eps", this.eps, 0);
    checkNumber("adam.weightDecay", this.weightDecay, 0);
  }

  protected updateParam(param: tf.Variable, grad: tf.Tensor, state: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.torchGradient(param, grad, this.weightDecay, this.maximize);
    const expAvg = this.slot(state, "exp_avg", param);
    const expAvgSq = this.slot(state, "exp_avg_sq", param);
    const m = tf.add(tf.mul(expAvg, b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(expAvgSq, b2), tf.mul(tf.mul(g, g), 1 - b2));
    this.assignInPlace(expAvg, m);
    this.assignInPlace(expAvgSq, v);
    const stepSize = this.lr / (1 - b1 ** state.step);
    const bc2Sqrt = Math.sqrt(1 - b2 ** state.step);
    let second: tf.Tensor = v;
    if (this.amsgrad) {
      const maxSq = this.slot(state, "max_exp_avg_sq", param);
      second = tf.maximum(maxSq, v);
      this.assignInPlace(maxSq, second);
    }
    const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), this.eps);
    this.assignInPlace(param, tf.add(param, tf.mul(tf.div(m, denom), -stepSize)));
  }

  protected override slotNames(): string[] {
    return this.amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];
  }

  /** Serializable config (for `tf.serialization`). */
  getConfig(): tf.serialization.ConfigDict {
    return {
      lr: this.lr,
      betas: this.betas,
      eps: this.eps,
      weightDecay: this.weightDecay,
      amsgrad: this.amsgrad,
      maximize: this.maximize,
    };
  }
}
tf.serialization.registerClass(Adam);
