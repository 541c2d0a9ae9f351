// `@celeba/augment/random` is this module: the seeded generator behind every random transform.

import { InvalidOptionError } from "./errors";

/** The serialisable state of an {@link Rng}: JSON-safe, so it can go into a checkpoint. */
export interface RngState {
  /** Always `"xoshiro128**"`; lets future versions reject states from another generator. */
  algorithm: "xoshiro128**";
  /** The four 32-bit state words as unsigned integers; never all zero. */
  state: [number, number, number, number];
}

/** A seeded, replayable pseudo-random generator (xoshiro128**). */
export interface Rng {
  /** A uniform float in [0, 1) with 53 random bits (consumes two 32-bit draws). */
  next(): number;
  /** A uniform integer in [0, n), unbiased (rejection sampling); `n` is a positive safe integer. */
  nextInt(n: number): number;
  /** A uniform unsigned 32-bit integer (one draw). */
  nextUint32(): number;
  /** A copy of the current state; `setState` on it replays the same sequence. */
  getState(): RngState;
  /** Restores a state from `getState()`; throws {@link InvalidOptionError} if it is malformed. */
  setState(state: RngState): void;
}

/** A seed: a safe integer (negative allowed) or any string. `5` and `"5"` are different seeds. */
export type Seed = number | string;

/**
 * Creates a seeded xoshiro128** generator. The seed is hashed (murmur3-style, two lanes) into the
 * 128-bit state, so nearby seeds (0, 1, 2, ...) give unrelated streams.
 *
 * @param seed - A safe integer or a string.
 * @returns A new {@link Rng}; the same seed always yields the same sequence on every platform.
 * @throws {InvalidOptionError} when `seed` is not a safe integer or a string.
 * @example
 * const rng = createRng(42);
 * const coin = rng.next() < 0.5; // deterministic for seed 42
 * const i = rng.nextInt(43); // 0..42 inclusive
 */
export function createRng(seed: Seed): Rng {
  const [a, b] = hashWords(seedWords([], seed, "seed"));
  // fmix32 is a bijection, so distinct (a, b) pairs give distinct (s0, s1) and thus distinct states.
  const s0 = fmix32(a);
  const s1 = fmix32(b);
  const s2 = fmix32((a ^ rotl(b, 16) ^ 0x3c6ef372) >>> 0);
  const s3 = fmix32((b ^ rotl(a, 11) ^ 0xa54ff53a) >>> 0);
  const rng = new Xoshiro128(s0, s1, s2, s3);
  // A few warm-up draws so the first outputs do not echo the seeding arithmetic.
  for (let i = 0; i < 4; i++) rng.nextUint32();
  return rng;
}

/**
 * Derives a sub-seed from a seed and a path of keys, e.g. `(seed, epoch, sampleIndex)`, so a
 * sample's augmentation depends only on those values and not on how many draws came before.
 *
 * @param seed - The root seed (safe integer or string).
 * @param keys - Any number of safe integers or strings; order matters and `1` differs from `"1"`.
 * @returns A non-negative safe integer (53 bits), usable as a seed for {@link createRng}.
 * @throws {InvalidOptionError} when the seed or a key is not a safe integer or a string.
 * @example
 * const rng = createRng(deriveSeed(1234, epoch, sampleIndex));
 * const flip = rng.next() < 0.5;
 * // replaying (1234, epoch, sampleIndex) gives the same flip
 */
export function deriveSeed(seed: Seed, ...keys: Seed[]): number {
  const words: number[] = [];
  seedWords(words, seed, "seed");
  for (let i = 0; i < keys.length; i++) seedWords(words, keys[i] as Seed, `keys[${i}]`);
  words.push(0xdeadbeef, keys.length);
  const [a, b] = hashWords(words);
  return (a >>> 11) * 4294967296 + b;
}

/**
 * Shuffles an array in place with Fisher-Yates driven by `rng` (same as the classic
 * `for i from n-1 down to 1: swap(i, randint(0, i))`).
 *
 * @param array - The array to shuffle; modified in place.
 * @param rng - The generator to draw from.
 * @returns The same array, for chaining.
 * @example
 * const order = shuffleInPlace([0, 1, 2, 3, 4], createRng(deriveSeed(7, epoch)));
 * console.log(order); // same permutation for the same (7, epoch)
 * // e.g. [3, 0, 4, 1, 2]
 */
export function shuffleInPlace<T>(array: T[], rng: Rng): T[] {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = array[i] as T;
    array[i] = array[j] as T;
    array[j] = tmp;
  }
  return array;
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    // The all-zero state is a fixed point of xoshiro; the hash makes it astronomically unlikely, but guard anyway.
    if ((s0 | s1 | s2 | s3) === 0) s0 = 0x9e3779b9;
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new InvalidOptionError({
        option: "n",
        value: n,
        hint: "a positive safe integer (nextInt(n) returns 0..n-1)",
      });
    }
    if (n <= 4294967296) {
      // Reject the top partial bucket so every residue is equally likely.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    const limit = 9007199254740992 - (9007199254740992 % n);
    for (;;) {
      const x = (this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6);
      if (x < limit) return x % n;
    }
  }

  getState(): RngState {
    return {
      algorithm: "xoshiro128**",
      state: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
    };
  }

  setState(state: RngState): void {
    const words = state?.state;
    if (
      state?.algorithm !== "xoshiro128**" ||
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      words.every((w) => w === 0)
    ) {
      throw new InvalidOptionError({
        option: "state",
        value: state,
        hint: '{ algorithm: "xoshiro128**", state: [four unsigned 32-bit integers, not all zero] } as returned by getState()',
      });
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** Appends a prefix-free encoding of one seed/key: a type tag, then its words (strings also carry their length). */
function seedWords(out: number[], value: Seed, name: string): number[] {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new InvalidOptionError({
        option: name,
        value,
        hint: "a safe integer (|x| <= 2^53 - 1) or a string; round or stringify fractional values first",
      });
    }
    const lo = value % 4294967296;
    const hi = Math.floor(value / 4294967296);
    out.push(0x6e756d31, lo >>> 0, hi >>> 0);
    return out;
  }
  if (typeof value === "string") {
    const bytes = encoder.encode(value);
    out.push(0x73747231, bytes.length);
    for (let i = 0; i < bytes.length; i += 4) {
      out.push(
        ((bytes[i] ?? 0) |
          ((bytes[i + 1] ?? 0) << 8) |
          ((bytes[i + 2] ?? 0) << 16) |
          ((bytes[i + 3] ?? 0) << 24)) >>>
          0,
      );
    }
    return out;
  }
  throw new InvalidOptionError({ option: name, value, hint: "a safe integer or a string" });
}

/** Two murmur3_32 lanes with different seeds and input whitening, giving 64 hash bits. */
function hashWords(words: number[]): [number, number] {
  let h1 = 0x243f6a88;
  let h2 = 0x85a308d3;
  for (const w of words) {
    let k1 = Math.imul(w, 0xcc9e2d51);
    k1 = Math.imul(rotl(k1, 15), 0x1b873593);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 13), 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w ^ 0x5bd1e995, 0x2545f491);
    k2 = Math.imul(rotl(k2, 17), 0x9e3779b1);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 11), 9) + 0x7f4a7c15) | 0;
    // Cross-feed the lanes so their outputs are not independent functions of the same inputs.
    h2 ^= h1 >>> 7;
  }
  h1 ^= words.length;
  h2 ^= words.length;
  const a = fmix32(h1 >>> 0);
  const b = fmix32((h2 ^ rotl(a, 5)) >>> 0);
  return [a, b];
}
