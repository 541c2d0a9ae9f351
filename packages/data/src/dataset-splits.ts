import type { Seed } from "@celeba/augment";
import { deriveSeed } from "@celeba/augment/random";
import { DataError, InvalidOptionError } from "./errors";
import type { CelebAItem } from "./load-celeba";
import { trainTestSplit } from "./train-test-split";

/** A train / validation / test split. */
export interface DatasetSplit<T> {
  train: T[];
  val: T[];
  test: T[];
}

/**
 * The seed project's 80/10/10 split: `train_test_split(items, test_size=0.2)`, then the held-out 20% split
 * in half with `train_test_split(rest, test_size=0.5)` (its train part is validation, its test part is
 * test). Reproducible from `seed`; indices differ from sklearn's (see {@link trainTestSplit}).
 *
 * @param items - Items to split, e.g. `dataset.items`.
 * @param seed - Seed of both permutations.
 * @returns `{ train, val, test }` with sizes n - ceil(0.2n), then the rest halved (test gets the odd one).
 * @throws {InvalidOptionError} If there are fewer than 3 items.
 * @example
 * const { train, val, test } = paperSplit(dataset.items, 0);
 * train.length; // 0.8 * n (rounded down)
 * val.length + test.length; // ceil(0.2 * n)
 */
export function paperSplit<T>(items: readonly T[], seed: Seed): DatasetSplit<T> {
  if (items.length < 3) {
    throw new InvalidOptionError({
      option: "items",
      value: `${items.length} item(s)`,
      hint: "at least 3 items for an 80/10/10 split",
    });
  }
  const first = trainTestSplit(items, { testSize: 0.2, seed: deriveSeed(seed, "paperSplit", 1) });
  if (first.test.length < 2) {
    return { train: first.train, val: [], test: first.test };
  }
  const second = trainTestSplit(first.test, {
    testSize: 0.5,
    seed: deriveSeed(seed, "paperSplit", 2),
  });
  return { train: first.train, val: second.train, test: second.test };
}

/**
 * CelebA's official partition from `list_eval_partition`: 0 = train, 1 = validation, 2 = test
 * (162,770 / 19,867 / 19,962 images in the full set).
 *
 * @param dataset - A loaded dataset (or anything with `items` carrying `partition`).
 * @returns `{ train, val, test }` in annotation order.
 * @throws {DataError} When the items carry no partition (loaded with `partition: null`).
 * @example
 * const { train, val, test } = officialSplit(dataset);
 * train.length; // 162770 on the full CelebA
 * test[0].partition; // 2
 */
export function officialSplit<T extends Pick<CelebAItem, "partition">>(dataset: {
  items: readonly T[];
}): DatasetSplit<T> {
  const split: DatasetSplit<T> = { train: [], val: [], test: [] };
  for (const item of dataset.items) {
    if (item.partition === null) {
      throw new DataError({
        message:
          "officialSplit needs each image's official partition, but the dataset was loaded without a " +
          "partition file (partition: null). Load it with list_eval_partition.txt, or use paperSplit.",
      });
    }
    if (item.partition === 0) split.train.push(item);
    else if (item.partition === 1) split.val.push(item);
    else split.test.push(item);
  }
  return split;
}

/**
 * A split from explicit id lists (e.g. a saved split file). Parts keep the order of the lists; ids may be
 * left out of every list, but none may appear twice.
 *
 * @param dataset - A loaded dataset (or anything with `items` carrying `id`).
 * @param lists - Image ids of each part; a missing part is empty.
 * @returns `{ train, val, test }` of items.
 * @throws {DataError} If an id is unknown or listed in two parts (the message names it and the parts).
 * @example
 * const split = explicitSplit(dataset, { train: ["000001.jpg"], val: ["000002.jpg"], test: ["000003.jpg"] });
 * split.train[0].id; // "000001.jpg"
 * split.test.length; // 1
 */
export function explicitSplit<T extends Pick<CelebAItem, "id">>(
  dataset: { items: readonly T[] },
  lists: { train?: readonly string[]; val?: readonly string[]; test?: readonly string[] },
): DatasetSplit<T> {
  const byId = new Map(dataset.items.map((item) => [item.id, item]));
  const placed = new Map<string, string>();
  const pick = (part: "train" | "val" | "test"): T[] =>
    (lists[part] ?? []).map((id) => {
      const item = byId.get(id);
      if (item === undefined) {
        throw new DataError({
          message:
            `explicitSplit: id ${JSON.stringify(id)} in the ${part} list is not in the dataset (${byId.size} items). ` +
            "Check the list matches this dataset's annotation file.",
        });
      }
      const other = placed.get(id);
      if (other !== undefined) {
        throw new DataError({
          message: `explicitSplit: id ${JSON.stringify(id)} is listed in both ${other} and ${part}. Each id may be in one part only.`,
        });
      }
      placed.set(id, part);
      return item;
    });
  return { train: pick("train"), val: pick("val"), test: pick("test") };
}
