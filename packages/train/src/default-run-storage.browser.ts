import { InvalidOptionError } from "./errors";
import type { RunStorage } from "./run-storage";

/** In a browser there is no file system to default to. */
export function defaultRunStorage(): RunStorage {
  throw new InvalidOptionError({
    option: "storage",
    hint: "Browsers have no file system: pass storage: memoryRunStorage() (or your own RunStorage) to train() and resume().",
  });
}
