/**
 * Bytes that can be read at any offset: an archive in memory, or (from `@celeba/internal/node`)
 * a file read through its handle, so a 1.4 GB zip is never loaded whole.
 */
export interface RandomAccessSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `position`; fewer only where the source ends. The result may be
   * a view of the source's own memory: callers must not write to it.
   */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Releases what the source holds (a file handle); absent when there is nothing to release. */
  close?(): Promise<void>;
}

/**
 * A source over bytes already in memory. Reads are views, not copies.
 *
 * @param bytes - The whole archive.
 * @returns A source whose reads are subarrays of `bytes`.
 * @example
 * const zip = await ZipReader.open(bytesSource(new Uint8Array(await file.arrayBuffer())), { name: file.name });
 */
export function bytesSource(bytes: Uint8Array): RandomAccessSource {
  return {
    size: bytes.length,
    read: (position, length) =>
      Promise.resolve(bytes.subarray(position, Math.min(bytes.length, position + length))),
  };
}
