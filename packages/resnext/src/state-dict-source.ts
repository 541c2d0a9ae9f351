/** Bytes plus a name for error messages: the path, or `"<bytes>"` for in-memory input. */
export interface WeightsSource {
  bytes: Uint8Array;
  source: string;
}

/**
 * Read a file into memory, or pass bytes through. Node's `fs` is imported lazily so that
 * byte-only use works in browsers.
 *
 * @param pathOrBytes - A filesystem path or the file's bytes.
 * @returns The bytes and a name for errors.
 */
export async function loadWeightsSource(pathOrBytes: string | Uint8Array): Promise<WeightsSource> {
  if (typeof pathOrBytes !== "string") return { bytes: pathOrBytes, source: "<bytes>" };
  const { readFile } = await import("node:fs/promises");
  const buf = await readFile(pathOrBytes);
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), source: pathOrBytes };
}
