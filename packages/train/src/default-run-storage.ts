import { nodeRunStorage } from "./node-run-storage";
import type { RunStorage } from "./run-storage";

/** The storage used when none is passed: the file system. The browser build swaps this file for `default-run-storage.browser.ts`. */
export function defaultRunStorage(): RunStorage {
  return nodeRunStorage();
}
