import { readFileBytes } from "./node-files";

/** Bytes plus a name for error messages: the path, or `"<bytes>"` for in-memory input. */
export interface WeightsSource {
  bytes: Uint8Array;
  source: string;
}

/**
 * Read a file into memory, or pass bytes through. Paths need Node; the browser build reads
 * bytes only.
 *
 * @param pathOrBytes - A filesystem path or the file's bytes.
 * @returns The bytes and a name for errors.
 */
export async function loadWeightsSource(pathOrBytes: string | Uint8Array): Promise<WeightsSource> {
  if (typeof pathOrBytes !== "string") return { bytes: pathOrBytes, source: "<bytes>" };
  return { bytes: await readFileBytes(pathOrBytes), source: pathOrBytes };
}
