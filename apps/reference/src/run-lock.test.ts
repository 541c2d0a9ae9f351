import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { acquireRunLock, assertNotLocked, RUN_LOCK_FILE } from "./run-lock";

const root = mkdtempSync(join(tmpdir(), "celeba-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const dir = join(root, `f${n++}`);
  spawnSync("mkdir", [dir]);
  return dir;
};

/** A pid that certainly ran and ended: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

describe("run folder lock", () => {
  it("writes the holder's pid and host, and release removes it", () => {
    const dir = folder();
    const lock = acquireRunLock(dir, "train");
    const holder = JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), "utf8"));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: "train" });
    lock.release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
  });

  it("refuses a second holder at once, naming the first", () => {
    const dir = folder();
    // A live holder that is not this process: our parent.
    writeFileSync(
      join(dir, RUN_LOCK_FILE),
      JSON.stringify({ pid: process.ppid, host: hostname(), command: "train", since: "t0" }),
    );
    for (const attempt of [() => acquireRunLock(dir, "evaluate"), () => assertNotLocked(dir)]) {
      const error = (() => {
        try {
          attempt();
        } catch (e) {
          return e as CliError;
        }
      })();
      expect(error).toBeInstanceOf(CliError);
      expect(error!.message).toContain(`in use by process ${process.ppid} on ${hostname()}`);
      expect(error!.message).toContain('"reference train"');
    }
  });

  it("takes over a lock whose process has ended on this host", () => {
    const dir = folder();
    const pid = deadPid();
    writeFileSync(
      join(dir, RUN_LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), command: "train", since: "t0" }),
    );
    expect(() => assertNotLocked(dir)).not.toThrow();
    const lock = acquireRunLock(dir, "train --resume");
    expect(JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("never takes over a lock from another host, whose process it cannot check", () => {
    const dir = folder();
    writeFileSync(
      join(dir, RUN_LOCK_FILE),
      JSON.stringify({ pid: deadPid(), host: "elsewhere.example", command: "train", since: "t0" }),
    );
    expect(() => acquireRunLock(dir, "train")).toThrow(
      /on elsewhere\.example.*delete .*\.celeba-lock/,
    );
  });
});

describe("a killed holder not yet reaped by its parent", () => {
  it("counts as gone: its lock is taken over", async () => {
    const dir = folder();
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    await new Promise((r) => child.once("spawn", r));
    writeFileSync(
      join(dir, RUN_LOCK_FILE),
      JSON.stringify({ pid: child.pid, host: hostname(), command: "train", since: "t0" }),
    );
    expect(() => assertNotLocked(dir)).toThrow(/in use by process/);
    // Kill it and look before Node reaps it (the exit event comes later): a zombie.
    process.kill(child.pid!, "SIGKILL");
    let zombie = false;
    for (let i = 0; i < 200 && !zombie; i++) {
      try {
        zombie = readFileSync(`/proc/${child.pid}/stat`, "utf8").includes(") Z ");
      } catch {
        break;
      }
      if (!zombie) await new Promise((r) => setTimeout(r, 5));
    }
    expect(() => assertNotLocked(dir)).not.toThrow();
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r),
    );
  });
});
