/**
 * The chunks one after another in one new typed array, of `length` elements (their total).
 *
 * @param Type - The array type to make, e.g. `Uint8Array`.
 * @param chunks - The pieces, in order.
 * @param length - Their total length.
 * @example
 * concatChunks(Float32Array, [new Float32Array([1]), new Float32Array([2, 3])], 3); // [1, 2, 3]
 */
export function concatChunks<T extends Uint8Array | Float32Array>(
  Type: new (length: number) => T,
  chunks: readonly T[],
  length: number,
): T {
  const out = new Type(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
