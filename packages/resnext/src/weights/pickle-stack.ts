import type { CorruptWeightsError } from "../weights-errors";

/**
 * The pickle VM's stack, its stack of MARKed stacks, and its memo. Its methods are arrow
 * functions, so the VM can take them apart. Underflows and unknown memo keys fail with the
 * VM's `corrupt` error. Internal.
 */
export class PickleStack {
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(private readonly corrupt: (detail: string) => CorruptWeightsError) {}

  readonly push = (x: unknown): void => {
    this.stack.push(x);
  };

  readonly pop = (): unknown => {
    if (this.stack.length === 0) throw this.corrupt("stack underflow");
    return this.stack.pop();
  };

  readonly top = (): unknown => {
    if (this.stack.length === 0) throw this.corrupt("stack underflow");
    return this.stack[this.stack.length - 1];
  };

  /** MARK: starts a new stack, kept until the matching {@link popMark}. */
  readonly mark = (): void => {
    this.metastack.push(this.stack);
    this.stack = [];
  };

  /** The items pushed since the last MARK; the stack before it is current again. */
  readonly popMark = (): unknown[] => {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (prev === undefined) throw this.corrupt("MARK expected but not found");
    this.stack = prev;
    return items;
  };

  /** POP: drops the top item, or a whole MARKed stack that is empty. */
  readonly popTopOrMark = (): void => {
    if (this.stack.length === 0) this.popMark();
    else this.stack.pop();
  };

  readonly memoGet = (i: number): unknown => {
    if (!this.memo.has(i)) throw this.corrupt(`memo key ${i} is not defined`);
    return this.memo.get(i);
  };

  readonly memoPut = (i: number): void => {
    this.memo.set(i, this.top());
  };

  readonly memoSize = (): number => this.memo.size;
}
