import { stat } from "node:fs/promises";

/**
 * Whether something (file, folder, or what a link points to) exists at `path`. Node only.
 *
 * @param path - The path to look at.
 * @returns False for a missing path or a broken link; never throws.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
