/**
 * A run killed with SIGKILL at random moments and resumed each time ends with the same
 * weights as an uninterrupted run (cpu backend). Each run is a child process (tsx).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors } from "@celeba/resnext";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "celeba-sigkill-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function startChild(
  runDir: string,
  delayMs: number,
): {
  child: ChildProcess;
  ready: Promise<void>;
  exit: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/child-train.ts", runDir, String(delayMs)],
    {
      cwd: pkgDir,
      env: { ...process.env, TSX_TSCONFIG_PATH: "test/tsconfig.child.json" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("ready\n")) resolveReady();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  void exit.then(() => resolveReady());
  return { child, ready, exit, output: () => out };
}

// Deterministic "random" kill delays, so a failure can be reproduced.
function killDelays(seed: number, count: number, maxMs: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: count }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return Math.floor((a / 2 ** 32) * maxMs);
  });
}

describe("SIGKILL at random moments, then resume", () => {
  it("ends with the uninterrupted run's weights (within 1e-5) and history", async () => {
    const stepDelay = 10;
    const refDir = join(root, "ref");
    const ref = startChild(refDir, stepDelay);
    await ref.ready;
    const t0 = performance.now();
    expect(await ref.exit, ref.output()).toBe(0);
    // Kill moments are spread over the first 80% of an uninterrupted run's duration.
    const runMs = performance.now() - t0;

    const runDir = join(root, "killed");
    const delays = killDelays(Number(process.env.SIGKILL_SEED ?? 20261130), 5, runMs * 0.8);
    let killed = 0;
    for (const ms of delays) {
      const c = startChild(runDir, stepDelay);
      await c.ready;
      await new Promise((r) => setTimeout(r, ms));
      if (c.child.exitCode === null && c.child.kill("SIGKILL")) killed++;
      const code = await c.exit;
      expect(code === null || code === 0, c.output()).toBe(true);
      if (code === 0) break;
    }
    const last = startChild(runDir, 0);
    expect(await last.exit, last.output()).toBe(0);
    console.info(
      `uninterrupted run ${runMs.toFixed(0)} ms; kills after ${delays.join(", ")} ms; ${killed} landed`,
    );
    expect(killed, "at least one child was killed mid-run").toBeGreaterThan(0);

    const a = await readSafetensors(join(refDir, "checkpoints/epoch-03.safetensors"));
    const b = await readSafetensors(join(runDir, "checkpoints/epoch-03.safetensors"));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) {
      const w = b.get(k)!;
      let m = 0;
      for (let i = 0; i < v.data.length; i++)
        m = Math.max(m, Math.abs(Number(v.data[i]) - Number(w.data[i])));
      expect(m, k).toBeLessThanOrEqual(1e-5);
    }
    const strip = (h: { seconds: number }[]) => h.map(({ seconds: _, ...r }) => r);
    const ha = JSON.parse(await readFile(join(refDir, "history.json"), "utf8"));
    const hb = JSON.parse(await readFile(join(runDir, "history.json"), "utf8"));
    expect(strip(hb)).toEqual(strip(ha));
    // Generous: it runs a dozen child trainings, and CI runs every package's tests at once on 2 cores.
  }, 900_000);
});
