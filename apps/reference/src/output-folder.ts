import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors";
import { checkOutputFolderPath, containsOrEquals, describeFsError } from "./output-path";
import { acquireRunLock, assertNotLocked, RUN_LOCK_FILE, type RunLock } from "./run-lock";
import { describeFolderKind, type FolderKind, readRunMarker } from "./run-marker";
import { removeStrayTempFiles } from "./stray-temp-files";

/** What a command wants to write into `--out`, and what must survive whatever the flags say. */
export interface OutputFolderRequest {
  /** Absolute path given as `--out`. */
  dir: string;
  /** The command, recorded in the lock for the message a second process gets. */
  command: string;
  /** What the folder will hold; `--force` replaces only a folder marked with this kind. */
  kind: FolderKind;
  force: boolean;
  /** Inputs `--out` may never contain or equal (a replaced or rolled-back folder would lose them). */
  protect: ReadonlyArray<{ flag: string; path: string }>;
  /** Advice for an existing folder of this kind, before "pass --force to replace it". */
  continueHint?: string;
}

/** An output folder locked for one writer. */
export interface OutputFolder {
  readonly dir: string;
  readonly lock: RunLock;
  /** Removes everything written since it was opened (the folder too, if it was created) and unlocks. */
  rollback(): void;
  /** Unlocks, keeping what was written. */
  release(): void;
}

/** Entries that belong to the folder's content, leaving out our lock and stale locks moved aside. */
function contentEntries(dir: string): string[] {
  return readdirSync(dir).filter(
    (name) => name !== RUN_LOCK_FILE && !name.startsWith(`${RUN_LOCK_FILE}.`),
  );
}

/**
 * Refuses, without writing anything, an `--out` that a run may not be written into: one that
 * contains or equals an input, a file or unwritable path, a non-empty folder not made by us (never
 * replaced, whatever the flags), a folder of ours of another kind, or one of this kind without
 * `--force`. Messages offer `--force` only where it would help.
 */
export function checkOutputFolder(request: OutputFolderRequest): void {
  const { dir, kind } = request;
  for (const { flag, path } of request.protect) {
    if (containsOrEquals(dir, path)) {
      throw new CliError(
        `--out ${dir} ${dir === path ? "is" : "contains"} ${flag} ${path}: a run there could overwrite or delete it. ` +
          "Pick an --out outside it.",
      );
    }
  }
  checkOutputFolderPath(dir, "--out");
  if (!existsSync(dir)) return;
  assertNotLocked(dir);
  if (contentEntries(dir).length === 0) return;
  const marker = readRunMarker(dir);
  if (marker === undefined) {
    throw new CliError(
      `--out ${dir} is not empty and was not made by "reference ${request.command}", so it is never replaced. ` +
        "Pick a new or empty --out.",
    );
  }
  if (marker !== kind) {
    throw new CliError(
      `--out ${dir} holds ${describeFolderKind(marker)}, not ${describeFolderKind(kind)}: pick another --out.`,
    );
  }
  if (!request.force) {
    throw new CliError(
      `--out ${dir} already holds ${describeFolderKind(kind)}. ${request.continueHint ?? ""}` +
        "Pass --force to replace it, or pick another --out.",
    );
  }
}

/**
 * Checks `--out` ({@link checkOutputFolder}), creates it if needed and takes its lock; with
 * `--force` the previous content of our own kind is then deleted. The checks run again under the
 * lock, so a concurrent writer cannot slip in between check and write.
 */
export function openOutputFolder(request: OutputFolderRequest): OutputFolder {
  checkOutputFolder(request);
  const { dir } = request;
  const created = !existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw describeFsError(error, "--out", dir);
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(dir, request.command);
  } catch (error) {
    if (created) rmdirIfEmpty(dir);
    throw error instanceof CliError ? error : describeFsError(error, "--out", dir);
  }
  const rollback = () => {
    for (const name of contentEntries(dir))
      rmSync(join(dir, name), { recursive: true, force: true });
    lock.release();
    if (created) rmdirIfEmpty(dir);
  };
  try {
    checkOutputFolder(request);
    for (const name of contentEntries(dir))
      rmSync(join(dir, name), { recursive: true, force: true });
  } catch (error) {
    lock.release();
    if (created) rmdirIfEmpty(dir);
    throw error;
  }
  return { dir, lock, rollback, release: () => lock.release() };
}

/**
 * Locks an existing run folder for `--resume` or `evaluate` and removes the temporary files a
 * killed write left behind.
 */
export function openExistingRunFolder(dir: string, command: string): RunLock {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CliError(`${dir} is not a folder: give a run folder made by "reference train".`);
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(dir, command);
  } catch (error) {
    throw error instanceof CliError ? error : describeFsError(error, "run folder", dir);
  }
  removeStrayTempFiles(dir);
  return lock;
}

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty after all (or gone): leave it.
  }
}
