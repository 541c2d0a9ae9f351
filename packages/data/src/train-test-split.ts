import type { Seed } from "@celeba/augment";
import { createRng, shuffleInPlace } from "@celeba/augment/random";
import { InvalidOptionError } from "./errors";

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions<T> {
  /**
   * Test share: a float in (0, 1) (n_test = ceil(testSize * n), as sklearn) or an integer count.
   */
  testSize: number;
  /** Seed of the permutation (number or string). Required when `shuffle` is true. */
  seed?: Seed;
  /** Shuffle before splitting. Default `true`; when false the test set is the last n_test items. */
  shuffle?: boolean;
  /**
   * Class of each item (an array aligned with `items`, or a function), to keep class proportions in both
   * parts like sklearn's `stratify`. Default: none. Requires `shuffle`.
   */
  stratify?: ReadonlyArray<string | number> | ((item: T, index: number) => string | number);
}

/** The two parts of {@link trainTestSplit}. */
export interface TrainTestSplit<T> {
  train: T[];
  test: T[];
}

/**
 * Splits items into train and test parts like sklearn's `train_test_split`: n_test = ceil(testSize * n),
 * n_train = n - n_test; with `shuffle`, one seeded permutation is drawn, its first n_test indices are the
 * test part and the rest the train part (both in permutation order). The permutation comes from
 * `@celeba/augment`'s xoshiro128** RNG, not numpy's Mersenne Twister, so the chosen indices differ from
 * sklearn's for the same integer seed; sizes and the procedure are the same.
 *
 * @param items - Items to split (not modified).
 * @param options - See {@link TrainTestSplitOptions}.
 * @returns `{ train, test }`.
 * @throws {InvalidOptionError} If `testSize` leaves an empty part, `seed` is missing while shuffling, or
 * `stratify` has the wrong length, has a class with fewer than 2 members, or is used without shuffling.
 * @example
 * const { train, test } = trainTestSplit(dataset.items, { testSize: 0.2, seed: 42 });
 * test.length === Math.ceil(0.2 * dataset.items.length); // true
 * train.length + test.length === dataset.items.length; // true
 */
export function trainTestSplit<T>(
  items: readonly T[],
  options: TrainTestSplitOptions<T>,
): TrainTestSplit<T> {
  const n = items.length;
  const { testSize } = options ?? ({} as TrainTestSplitOptions<T>);
  const shuffle = options?.shuffle ?? true;
  let nTest: number;
  if (typeof testSize === "number" && testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else {
    throw new InvalidOptionError({
      option: "testSize",
      value: testSize,
      hint: "a float in (0, 1) or an integer count >= 1",
    });
  }
  const nTrain = n - nTest;
  if (nTest > n || nTrain < 1) {
    throw new InvalidOptionError({
      option: "testSize",
      value: testSize,
      hint: `a size leaving both parts non-empty: with ${n} items it gives n_test = ${nTest}, n_train = ${nTrain}`,
    });
  }
  if (!shuffle) {
    if (options.stratify !== undefined) {
      throw new InvalidOptionError({
        option: "stratify",
        value: "(given)",
        hint: "no stratify when shuffle is false (sklearn rejects it too)",
      });
    }
    return { train: items.slice(0, nTrain), test: items.slice(nTrain) };
  }
  if (options.seed === undefined) {
    throw new InvalidOptionError({
      option: "seed",
      hint: "a number or string seed so the split is reproducible",
    });
  }
  const rng = createRng(options.seed);
  if (options.stratify === undefined) {
    const permutation = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      rng,
    );
    return {
      test: permutation.slice(0, nTest).map((i) => items[i] as T),
      train: permutation.slice(nTest).map((i) => items[i] as T),
    };
  }
  return stratifiedSplit(items, options.stratify, nTest, rng);
}

function stratifiedSplit<T>(
  items: readonly T[],
  stratify: NonNullable<TrainTestSplitOptions<T>["stratify"]>,
  nTest: number,
  rng: ReturnType<typeof createRng>,
): TrainTestSplit<T> {
  const n = items.length;
  let keys: (string | number)[];
  if (typeof stratify === "function") keys = items.map((item, i) => stratify(item, i));
  else {
    if (stratify.length !== n) {
      throw new InvalidOptionError({
        option: "stratify",
        value: `array of length ${stratify.length}`,
        hint: `an array of ${n} class labels, one per item`,
      });
    }
    keys = [...stratify];
  }
  const classes = new Map<string | number, number[]>();
  keys.forEach((key, i) => {
    const members = classes.get(key);
    if (members) members.push(i);
    else classes.set(key, [i]);
  });
  for (const [key, members] of classes) {
    if (members.length < 2) {
      throw new InvalidOptionError({
        option: "stratify",
        value: key,
        hint: "classes with at least 2 members each (sklearn's rule); merge rare classes or drop stratify",
      });
    }
  }
  // Largest-remainder allocation of n_test over classes, in the spirit of sklearn's _approximate_mode.
  const entries = [...classes.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const exact = entries.map(([, m]) => (m.length * nTest) / n);
  const counts = exact.map(Math.floor);
  let left = nTest - counts.reduce((s, c) => s + c, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    counts[i] = (counts[i] as number) + 1;
    left--;
  }
  const test: number[] = [];
  const train: number[] = [];
  entries.forEach(([, members], c) => {
    const shuffled = shuffleInPlace([...members], rng);
    const k = counts[c] as number;
    test.push(...shuffled.slice(0, k));
    train.push(...shuffled.slice(k));
  });
  shuffleInPlace(test, rng);
  shuffleInPlace(train, rng);
  return { train: train.map((i) => items[i] as T), test: test.map((i) => items[i] as T) };
}
