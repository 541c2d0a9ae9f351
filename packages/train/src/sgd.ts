import * as tf from "@tensorflow/tfjs-core";
import { InvalidOptionError } from "./errors";
import { checkNumber, type ParamState, TorchOptimizer } from "./torch-optimizer";

/** Options of {@link SGD}; names follow `torch.optim.SGD`. */
export interface SGDConfig {
  /** Learning rate. Default 0.001 (torch >= 2 default; torch 1.13 required it). */
  lr?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Dampening of the momentum. Default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing. Default false. */
  maximize?: boolean;
}

/**
 * `torch.optim.SGD` with PyTorch's exact update: the momentum buffer starts as
 * the first gradient (`buf = g`), then `buf = momentum*buf + (1-dampening)*g`;
 * nesterov uses `g + momentum*buf`.
 *
 * @example
 * ```ts
 * const opt = new SGD({ lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.applyGradients(grads);
 * ```
 */
export class SGD extends TorchOptimizer {
  /** Class name used by `tf.serialization`. */
  static get className(): string {
    return "TorchSGD";
  }
  /** Learning rate; may be changed between steps. */
  lr: number;
  /** Momentum factor. */
  readonly momentum: number;
  /** Dampening. */
  readonly dampening: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** L2 penalty. */
  readonly weightDecay: number;
  /** Whether the objective is maximized. */
  readonly maximize: boolean;

  /**
   * @param config - Hyper-parameters; defaults as in torch.
   * @throws {InvalidOptionError} On a negative/non-finite value, or nesterov without momentum / with dampening.
   */
  constructor(config: SGDConfig = {}) {
    super();
    this.lr = config.lr ?? 0.001;
    this.momentum = config.momentum ?? 0;
    this.dampening = config.dampening ?? 0;
    this.nesterov = config.nesterov ?? false;
    this.weightDecay = config.weightDecay ?? 0;
    this.maximize = config.maximize ?? false;
    checkNumber("sgd.lr", this.lr, 0);
    checkNumber("sgd.momentum", this.momentum, 0);
    checkNumber("sgd.dampening", this.dampening, 0);
    checkNumber("sgd.weightDecay", this.weightDecay, 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new InvalidOptionError({
        option: "sgd.nesterov",
        value: true,
        hint: `Nesterov momentum requires momentum > 0 and dampening = 0 (got momentum ${this.momentum}, dampening ${this.dampening}).`,
      });
    }
  }

  protected updateParam(param: tf.Variable, grad: tf.Tensor, state: ParamState): void {
    let d = this.torchGradient(param, grad, this.weightDecay, this.maximize);
    if (this.momentum !== 0) {
      let buf = state.slots.get("momentum_buffer");
      if (buf === undefined) {
        buf = tf.clone(d).variable(false);
        state.slots.set("momentum_buffer", buf);
      } else {
        this.assignInPlace(buf, tf.add(tf.mul(buf, this.momentum), tf.mul(d, 1 - this.dampening)));
      }
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    this.assignInPlace(param, tf.add(param, tf.mul(d, -this.lr)));
  }

  /** Serializable config (for `tf.serialization`). */
  getConfig(): tf.serialization.ConfigDict {
    return {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
      maximize: this.maximize,
    };
  }
}
tf.serialization.registerClass(SGD);
