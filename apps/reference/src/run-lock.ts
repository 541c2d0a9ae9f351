import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { CliError } from "./errors";

/** The lock file inside a run folder; its presence means one process is writing the folder. */
export const RUN_LOCK_FILE = ".celeba-lock";

/** Who holds a run folder's lock, as written in the lock file. */
export interface RunLockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A held lock; `release()` removes the lock file (once). */
export interface RunLock {
  readonly path: string;
  release(): void;
}

function readHolder(path: string): RunLockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<RunLockHolder>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      command: String(parsed.command ?? "?"),
      since: String(parsed.since ?? "?"),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder is certainly gone: only a process on this host can be checked, and only a
 * dead pid (ESRCH) counts; a live pid we may not signal (EPERM) still holds the lock.
 */
export function isStale(holder: RunLockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  return isZombie(holder.pid);
}

/**
 * A killed process stays in the table until its parent reaps it, and signal 0 still reaches it;
 * on Linux its state in /proc says it is a zombie, which holds nothing any more.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

function isThisProcess(holder: RunLockHolder): boolean {
  return holder.pid === process.pid && holder.host === hostname();
}

function describeHolder(holder: RunLockHolder | undefined): string {
  return holder
    ? `process ${holder.pid} on ${holder.host} ("reference ${holder.command}", since ${holder.since})`
    : "another process (its lock file is unreadable or half-written)";
}

/**
 * Takes the exclusive lock of a run folder: the lock file is created with `O_EXCL`, so of two
 * processes exactly one succeeds. A lock left by a process that no longer runs on this host is
 * taken over; any other lock makes this call refuse at once, naming the holder.
 *
 * @throws {CliError} When another live process (or one on another host) holds the lock.
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  const path = join(dir, RUN_LOCK_FILE);
  const me: RunLockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(path);
      if (holder === undefined || !isStale(holder)) {
        throw inUse(dir, path, holder);
      }
      takeOverStaleLock(path, holder);
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      release() {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      },
    };
  }
  throw new CliError(`${dir}: could not take its lock ${path}; another process keeps taking it.`);
}

/**
 * Refuses at once, without writing, when a live process holds the folder's lock, so a second
 * writer learns it before any work rather than after loading its data.
 */
export function assertNotLocked(dir: string): void {
  const path = join(dir, RUN_LOCK_FILE);
  if (!existsSync(path)) return;
  const holder = readHolder(path);
  if (holder !== undefined && (isStale(holder) || isThisProcess(holder))) return;
  throw inUse(dir, path, holder);
}

function inUse(dir: string, path: string, holder: RunLockHolder | undefined): CliError {
  return new CliError(
    `${dir} is in use by ${describeHolder(holder)}: wait for it to finish. ` +
      `If that process is gone (for example on another machine), delete ${path}.`,
  );
}

/**
 * Moves a dead holder's lock aside by rename, which only one contender can do to one file. If a
 * contender had already replaced it with a live lock, that lock is put back.
 */
function takeOverStaleLock(path: string, stale: RunLockHolder): void {
  const aside = `${path}.${randomBytes(4).toString("hex")}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.host !== stale.host)) {
    try {
      // link, unlike rename, fails rather than replace a lock taken in the meantime.
      linkSync(aside, path);
    } catch {
      // Someone else holds it now; the next attempt reports that holder.
    }
    rmSync(aside, { force: true });
    return;
  }
  rmSync(aside, { force: true });
}
