import { open, readFile } from "node:fs/promises";
import { writeFileAtomic } from "@celeba/internal/node";

// The file-path half of the weights I/O. The browser build (`dist/index.browser.js`) swaps this
// module for `node-files.browser.ts`, so a browser bundle never meets a `node:` import.

/** Reads a whole file. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads at most `length` bytes from the start of a file, and the file's size. */
export async function readFileHead(
  path: string,
  length: (size: number, first8: Uint8Array) => number,
): Promise<{ size: number; first8: Uint8Array; head: Uint8Array }> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const first8 = new Uint8Array(Math.min(8, size));
    await fh.read(first8, 0, first8.length, 0);
    const head = new Uint8Array(length(size, first8));
    await fh.read(head, 0, head.length, 0);
    return { size, first8, head };
  } finally {
    await fh.close();
  }
}

/** Writes a file atomically and durably: temporary file, fsync, rename, fsync of the folder. */
export async function writeFileReplacing(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}
