import { concatChunks } from "./concat-chunks";
/** Why {@link inflateRawBounded} gave up. */
export class InflateError extends Error {
  /** `"over-limit"`: more output than allowed; `"corrupt"`: not a valid deflate stream. */
  readonly kind: "over-limit" | "corrupt";
  constructor(kind: "over-limit" | "corrupt", message: string) {
    super(message);
    this.name = "InflateError";
    this.kind = kind;
  }
}

// Input goes in slices so that one write cannot expand past a few MB (deflate's ratio is at
// most about 1032:1) before the output side can stop it.
const INPUT_SLICE = 16 * 1024;

/**
 * Inflates a raw deflate stream (zip method 8) with the platform's
 * `DecompressionStream` (browsers and Node alike), stopping at the first output chunk past `limit`: a zip bomb costs at
 * most one chunk beyond the limit, never its full expansion.
 *
 * @param raw - The compressed bytes.
 * @param limit - The most output bytes accepted.
 * @returns The inflated bytes (at most `limit`).
 * @throws {InflateError} `"over-limit"` past `limit`, `"corrupt"` for an invalid stream.
 */
export async function inflateRawBounded(raw: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // The feeding side fails too when the stream errors or is cancelled; the reading side reports.
  const feeding = (async () => {
    for (let o = 0; o < raw.length; o += INPUT_SLICE) {
      // DOM's lib types take only ArrayBuffer-backed views; zip bytes never live in shared memory.
      const slice = raw.subarray(o, Math.min(raw.length, o + INPUT_SLICE));
      await writer.write(slice as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })().catch(() => {});
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        throw new InflateError("over-limit", `inflates past ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    await writer.abort().catch(() => {});
    if (error instanceof InflateError) throw error;
    throw new InflateError(
      "corrupt",
      `the deflate stream is corrupt (${(error as Error).message})`,
    );
  }
  await feeding;
  if (chunks.length === 1) return chunks[0]!;
  return concatChunks(Uint8Array, chunks, total);
}
