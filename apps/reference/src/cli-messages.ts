import { CliError } from "./errors";

/**
 * The libraries' messages name their own options (`onBadImage: "skip"`, `{ strict: false }`),
 * which a CLI user cannot pass. Each rule rewrites one such phrase into what the CLI offers
 * instead, so library callers and CLI users each read advice they can follow.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /pass onMissingImage: "skip" to drop them from the dataset/g,
    "pass --skip-bad-images to leave them out",
  ],
  [
    /pass onBadImage: "skip" to skip such images with a warning/g,
    "pass --skip-bad-images to skip such images with a warning",
  ],
  [/onBadImage: "skip"/g, "--skip-bad-images"],
  [
    /; pass \{ strict: false \} to ignore missing and unexpected keys \(shape mismatches are always errors\)/g,
    " (pick it with --arch)",
  ],
  [/ or pass raw: true\./g, " or pass --raw."],
  [/extract it and point `images` at the folder/g, "extract it to img_align_celeba/ under --data"],
  [
    /Pass `attributes`, `partition` or `images` to point at files elsewhere\./g,
    "Arrange them so under --data.",
  ],
  [/, then resume\(\)\./g, ", then start again with --force."],
  [
    /Call resume\(runDir, \.\.\.\) to continue it, or pick an empty runDir\./g,
    'Continue it with "reference train --resume", or pick another --out.',
  ],
];

/** Rewrites a library error message for a CLI user (see {@link RULES}). */
export function cliMessage(message: string): string {
  // One line on the terminal, even when a message quotes a multi-line one (sharp's, say).
  let out = message.replace(/\s*\n\s*/g, " ");
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Whether an error's message already says what to do, so the CLI prints it without the
 * "--verbose" hint: ours, and the libraries' named errors. Plain, type and range errors, and a
 * wasm trap (`RuntimeError`: "memory access out of bounds"), are bugs or resource failures whose
 * stack is worth asking for.
 */
export function isExplainedError(error: unknown): boolean {
  return (
    error instanceof CliError ||
    (error instanceof Error &&
      /Error$/.test(error.name) &&
      !["Error", "TypeError", "RangeError", "RuntimeError"].includes(error.name))
  );
}

const SYSTEM_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  ENOENT: "it does not exist",
  EEXIST: "it already exists",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "too many files are open",
};

/** A system error code (`EACCES`, …) in words, or undefined for codes without a plain reading. */
export function systemErrorReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : SYSTEM_REASONS[code];
}

/**
 * A system error on a path (`EACCES: permission denied, open '…'`) as a sentence naming the path
 * and the reason, or undefined for any other error.
 */
export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof e.path !== "string") return undefined;
  const reason = systemErrorReason(e.code);
  if (reason === undefined) return undefined;
  return `${e.path}: ${reason} (${e.syscall ?? "a file operation"} failed with ${e.code}). Fix that, or pick another path.`;
}
