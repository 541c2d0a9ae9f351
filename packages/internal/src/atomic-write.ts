import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What {@link writeFileAtomic} writes: bytes, text, or chunks streamed in order. */
export type AtomicWriteData =
  | string
  | Uint8Array
  | Iterable<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>;

/** The suffix of every temporary file {@link writeFileAtomic} makes, so leftovers can be found. */
export const ATOMIC_TEMP_SUFFIX = ".tmp";

/**
 * Writes a file so that readers, and the file system after a power cut, see either the old
 * content or the complete new one: the bytes go to a temporary file in the same folder
 * (`.<name>.<pid>.<random>.tmp`), which is fsynced, renamed over `path`, and then the folder
 * is fsynced so the rename itself is durable. On failure the temporary file is removed.
 * Node only.
 *
 * @param path - The destination; its folder must exist.
 * @param data - The content; an (async) iterable is written chunk by chunk, so large files
 *   need not be held in memory.
 * @returns Resolves once the file is in place and durable.
 * @example
 * await writeFileAtomic("runs/a/latest.json", JSON.stringify(state));
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const dir = dirname(path);
  const tmp = join(
    dir,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}${ATOMIC_TEMP_SUFFIX}`,
  );
  const handle = await open(tmp, "w");
  try {
    if (typeof data === "string" || data instanceof Uint8Array) await handle.writeFile(data);
    // writeFile continues from the current position and loops over short writes.
    else for await (const chunk of data) await handle.writeFile(chunk);
    // Without the fsync a power cut could leave a renamed but empty or partial file.
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await syncFolder(dir);
}

/**
 * {@link writeFileAtomic} for pretty-printed JSON with a trailing newline.
 *
 * @param path - The destination.
 * @param value - Anything `JSON.stringify` takes.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

async function syncFolder(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a folder; there the rename is as durable as it gets.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EACCES") {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}
