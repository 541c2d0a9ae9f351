/**
 * A run killed with SIGKILL at random moments and resumed each time ends with the same
 * weights as an uninterrupted run (cpu backend). Each run is a child process (tsx).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors } from "@celeba/resnext/weights";
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
  /** Resolves once the child has finished `n` steps (or has exited). */
  afterSteps: (n: number) => Promise<void>;
  steps: () => number;
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
  let steps = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  child.stdout?.on("data", (d: Buffer) => {
    const text = d.toString();
    out += text;
    if (out.includes("ready\n")) resolveReady();
    steps += text.split("step\n").length - 1;
    for (const w of waiting.filter((w) => steps >= w.n)) w.resolve();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  void exit.then(() => {
    resolveReady();
    for (const w of waiting) w.resolve();
  });
  const afterSteps = (n: number) =>
    new Promise<void>((resolve) => {
      if (steps >= n || child.exitCode !== null) resolve();
      else waiting.push({ n, resolve });
    });
  return { child, ready, exit, output: () => out, afterSteps, steps: () => steps };
}

// Deterministic "random" numbers in [0, max), so a failure can be reproduced.
function killPoints(seed: number, count: number, max: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: count }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return Math.floor((a / 2 ** 32) * max);
  });
}

describe("SIGKILL at random moments, then resume", () => {
  it("ends with the uninterrupted run's weights (within 1e-5) and history", async () => {
    const stepDelay = 10;
    const refDir = join(root, "ref");
    const ref = startChild(refDir, stepDelay);
    expect(await ref.exit, ref.output()).toBe(0);
    const runSteps = ref.steps();

    // Kills land after a random step of each child (counted from its own start, within the
    // first 80% of a whole run's steps), then a random part of a step later: in a step, in its
    // delay, or while a checkpoint is written. Counting steps, not milliseconds, keeps the kills
    // mid-run however loaded the machine is.
    const seed = Number(process.env.SIGKILL_SEED ?? 20261130);
    const steps = killPoints(seed, 5, Math.floor(runSteps * 0.8)).map((s) => s + 1);
    const extraMs = killPoints(seed + 1, 5, stepDelay * 3);
    const runDir = join(root, "killed");
    let killed = 0;
    for (const [i, n] of steps.entries()) {
      const c = startChild(runDir, stepDelay);
      await c.afterSteps(n);
      await new Promise((r) => setTimeout(r, extraMs[i]));
      if (c.child.exitCode === null && c.child.kill("SIGKILL")) killed++;
      const code = await c.exit;
      expect(code === null || code === 0, c.output()).toBe(true);
      if (code === 0) break;
    }
    const last = startChild(runDir, 0);
    expect(await last.exit, last.output()).toBe(0);
    console.info(
      `uninterrupted run ${runSteps} steps; kills after steps ${steps.join(", ")} (+${extraMs.join(", ")} ms); ${killed} landed`,
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
