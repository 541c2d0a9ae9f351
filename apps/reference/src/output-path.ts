import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { systemErrorReason } from "./cli-messages";
import { CliError } from "./errors";

/**
 * Turns a file-system error on a path the user gave into one sentence naming the flag, the path
 * and the reason, so the CLI never shows a bare `EACCES: permission denied, open ...`.
 */
export function describeFsError(error: unknown, flag: string, path: string): CliError {
  const reason =
    systemErrorReason((error as NodeJS.ErrnoException)?.code) ??
    (error instanceof Error ? error.message : String(error));
  return new CliError(`${flag} ${path}: cannot write there (${reason}). Pick another ${flag}.`, {
    cause: error,
  });
}

/** The deepest existing folder on the way to `path` (the path itself when it exists). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return p;
}

function assertWritableFolder(folder: string, flag: string, path: string): void {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw describeFsError(error, flag, path);
  }
}

/**
 * Checks, before any work, that `path` can be (or already is) a folder we can write into: not a
 * file, not under a file, and writable.
 */
export function checkOutputFolderPath(path: string, flag: string): void {
  const existing = nearestExisting(path);
  if (!statSync(existing).isDirectory()) {
    throw new CliError(
      existing === resolve(path)
        ? `${flag} ${path} is a file, not a folder: pick a folder path.`
        : `${flag} ${path} cannot be created: ${existing} is a file, not a folder.`,
    );
  }
  assertWritableFolder(existing, flag, path);
}

/**
 * Checks, before any work, that `path` can be written as a file: its folder exists and is
 * writable, it is not a folder, and it exists only if `force` allows replacing it.
 */
export function checkOutputFilePath(path: string, flag: string, force: boolean): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) {
    throw new CliError(
      `${flag} ${path}: the folder ${folder} does not exist. Create it first or pick another ${flag}.`,
    );
  }
  if (!statSync(folder).isDirectory()) {
    throw new CliError(`${flag} ${path}: ${folder} is a file, not a folder.`);
  }
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) {
      throw new CliError(
        `${flag} ${path} is a folder: give a file path, e.g. ${resolve(path, "predictions.csv")}.`,
      );
    }
    if (!force) {
      throw new CliError(
        `${flag} ${path} already exists: pass --force to replace it, or pick another ${flag}.`,
      );
    }
  }
  assertWritableFolder(folder, flag, path);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Whether `outer` is `inner` or one of its ancestors, following symbolic links. */
export function containsOrEquals(outer: string, inner: string): boolean {
  const rel = relative(real(outer), real(inner));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
