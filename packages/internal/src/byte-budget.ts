/**
 * A first-come, first-served semaphore counted in bytes: it bounds the memory that concurrent
 * reads hold at once. A request above the whole budget waits until nothing else is held, then
 * runs alone.
 */
export class ByteBudget {
  private held = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  /** @param limit - The most bytes held at once (positive). */
  constructor(readonly limit: number) {
    if (!(limit > 0)) throw new RangeError(`ByteBudget limit must be positive, got ${limit}`);
  }

  /**
   * Waits until `bytes` fit under the limit, then holds them.
   *
   * @param bytes - How much the caller is about to allocate.
   * @returns A function that gives the bytes back; call it exactly once.
   */
  async acquire(bytes: number): Promise<() => void> {
    const amount = Math.min(Math.max(0, bytes), this.limit);
    if (this.waiting.length === 0 && this.held + amount <= this.limit) this.held += amount;
    else await new Promise<void>((grant) => this.waiting.push({ bytes: amount, grant }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= amount;
      this.grantWaiting();
    };
  }

  /** Bytes held right now. */
  get inUse(): number {
    return this.held;
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.held + this.waiting[0]!.bytes <= this.limit) {
      const next = this.waiting.shift()!;
      this.held += next.bytes;
      next.grant();
    }
  }
}
