import type { Rng, RngState } from "../src/rng";

/** An Rng that replays scripted draws, to drive random transforms to known decisions. */
export function scriptedRng(floats: number[], ints: number[]): Rng & { intCalls: number[] } {
  const intCalls: number[] = [];
  return {
    intCalls,
    next: () => {
      const v = floats.shift();
      if (v === undefined) throw new Error("scripted rng: no float left");
      return v;
    },
    nextInt: (n: number) => {
      intCalls.push(n);
      const v = ints.shift();
      if (v === undefined) throw new Error("scripted rng: no int left");
      if (v >= n) throw new Error(`scripted int ${v} >= n=${n}`);
      return v;
    },
    nextUint32: () => 0,
    getState: (): RngState => ({ algorithm: "xoshiro128**", state: [1, 0, 0, 0] }),
    setState: () => {},
  };
}
