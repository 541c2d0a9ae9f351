import { bytesSource, type ZipProblem, ZipReader } from "@celeba/internal";
import { CorruptWeightsError, UnsupportedFormatError } from "../weights-errors";

/** The shared zip reader's problems as this package's weights errors. */
function weightsZipError(problem: ZipProblem, source: string): Error {
  const entry = problem.entry;
  if (problem.kind === "unsupported") {
    return new UnsupportedFormatError({
      source,
      firstBytes: "",
      detail:
        entry === undefined ? `zip: ${problem.detail}` : `zip entry "${entry}": ${problem.detail}`,
    });
  }
  const detail =
    entry === undefined
      ? problem.detail
      : problem.kind === "missing"
        ? `entry "${entry}" is missing`
        : `${problem.detail} in entry "${entry}"`;
  return new CorruptWeightsError({ source, detail: `zip: ${detail}` });
}

/**
 * Opens a `torch.save` zip held in memory; stored entries are read as views of `bytes`.
 *
 * @param bytes - The whole archive.
 * @param source - Names the file in errors.
 * @returns The shared zip reader, throwing {@link CorruptWeightsError} or {@link UnsupportedFormatError}.
 */
export function openWeightsZip(bytes: Uint8Array, source: string): Promise<ZipReader> {
  return ZipReader.open(bytesSource(bytes), { name: source, toError: weightsZipError });
}
