/**
 * Benchmark: peak RSS of a training epoch (issue 7 item 5). Each configuration trains in a fresh
 * child process (bench/peak-rss-child.ts, `process.resourceUsage().maxRSS`) and, when Debian's
 * /usr/bin/python3 has torch, in a PyTorch child (bench/peak-rss-torch.py, `ru_maxrss`) on the
 * same batch size and image size, so both figures are whole-process peaks measured the same way.
 * Env: RSS_RUNS ("resnext_tiny:20,resnext50_32x4d:2", arch:steps[:batch] entries), RSS_BACKEND ("wasm"),
 * RSS_BATCH (16), RSS_H (218), RSS_W (178), RSS_TIMEOUT_S (600 per child), RSS_CHECKPOINT_BLOCKS
 * ("1": the tfjs child trains with resnext's `checkpointBlocks`).
 * Run: pnpm bench (in packages/train). Rows go to bench/results.json (shared format).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type BenchResult, writeResults } from "../../../bench/results.ts";

const RUNS = (process.env.RSS_RUNS ?? "resnext_tiny:20,resnext50_32x4d:2").split(",");
const BACKEND = process.env.RSS_BACKEND ?? "wasm";
const BATCH = Number(process.env.RSS_BATCH ?? 16);
const H = Number(process.env.RSS_H ?? 218);
const W = Number(process.env.RSS_W ?? 178);
const TIMEOUT_MS = Number(process.env.RSS_TIMEOUT_S ?? 600) * 1000;
const PYTHON = "/usr/bin/python3";
const here = import.meta.dirname;
const pkg = join(here, "..");

interface Peak {
  maxRSSKiB: number;
  baselineKiB: number;
  msPerStep: number;
  /** Set by the tfjs child when a step failed (its peak RSS up to then is still reported). */
  error?: string;
}

/** Runs one child and parses its last stdout line, or returns why it produced nothing. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Peak | string {
  const r = spawnSync(command, args, { cwd: pkg, env, encoding: "utf8", timeout: TIMEOUT_MS });
  if (r.error) return r.error.message;
  if (r.status !== 0) {
    const why = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    const lines = r.stderr.trim().split("\n");
    return `${why}: ${[...lines].reverse().find((l) => /Error/.test(l)) ?? lines.at(-1) ?? ""}`;
  }
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as Peak;
}

const hasTorch =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" }).status === 0;
const mib = (kib: number) => kib / 1024;
const rows: BenchResult[] = [];
for (const run of RUNS) {
  const [arch = "resnext_tiny", stepsText = "20", batchText = String(BATCH)] = run.split(":");
  const sizes = [batchText, String(H), String(W), stepsText];
  const checkpointed = process.env.RSS_CHECKPOINT_BLOCKS === "1" ? ", checkpointBlocks" : "";
  const label = `${arch}, ${BACKEND}${checkpointed}, ${stepsText} steps of batch ${batchText} at ${H}x${W}`;
  const ours = runChild(
    process.execPath,
    ["--import", "tsx", join(here, "peak-rss-child.ts"), arch, BACKEND, ...sizes],
    { ...process.env, TSX_TSCONFIG_PATH: join(pkg, "test", "tsconfig.child.json") },
  );
  if (typeof ours === "string") {
    console.log(`${label}: tfjs child failed (${ours}), skipped`);
    continue;
  }
  const ref = hasTorch
    ? runChild(PYTHON, [join(here, "peak-rss-torch.py"), arch, ...sizes], process.env)
    : `${PYTHON} with torch + torchvision not found`;
  const torch = typeof ref === "string" ? null : ref;
  if (ours.error !== undefined) {
    // PyTorch still runs, to show what the same epoch needs there; no ratio against a failed run.
    console.log(
      `${label}: tfjs did not finish (${ours.error}); peak RSS until then ${mib(ours.maxRSSKiB).toFixed(0)} MiB; ` +
        (torch
          ? `PyTorch ${mib(torch.maxRSSKiB).toFixed(0)} MiB`
          : `PyTorch reference skipped (${ref})`),
    );
    rows.push({
      name: `peak RSS of a training epoch (freeze 6, MSE, Adamax): ${label}`,
      metric: "peak RSS",
      ours: mib(ours.maxRSSKiB),
      reference: torch ? mib(torch.maxRSSKiB) : null,
      ratio: null,
      unit: "MiB",
      notes: `DID NOT FINISH: ${ours.error}; ours = peak RSS until the failure; lower is better`,
    });
    continue;
  }
  console.log(
    `${label}: tfjs peak RSS ${mib(ours.maxRSSKiB).toFixed(0)} MiB (runtime alone ${mib(ours.baselineKiB).toFixed(0)} MiB, ` +
      `${ours.msPerStep.toFixed(0)} ms/step); ` +
      (torch
        ? `PyTorch ${mib(torch.maxRSSKiB).toFixed(0)} MiB (runtime alone ${mib(torch.baselineKiB).toFixed(0)} MiB, ` +
          `${torch.msPerStep.toFixed(0)} ms/step); PyTorch / ours ${(torch.maxRSSKiB / ours.maxRSSKiB).toFixed(2)}`
        : `PyTorch reference skipped (${ref})`),
  );
  rows.push({
    name: `peak RSS of a training epoch (freeze 6, MSE, Adamax): ${label}`,
    metric: "peak RSS",
    ours: mib(ours.maxRSSKiB),
    reference: torch ? mib(torch.maxRSSKiB) : null,
    ratio: torch ? torch.maxRSSKiB / ours.maxRSSKiB : null,
    unit: "MiB",
    notes:
      "whole child process maxRSS; lower is better, ratio = PyTorch / ours (>= 1: no more than PyTorch); " +
      `runtime alone: ours ${mib(ours.baselineKiB).toFixed(0)} MiB` +
      (torch
        ? `, PyTorch ${mib(torch.baselineKiB).toFixed(0)} MiB; step ${ours.msPerStep.toFixed(0)} vs ${torch.msPerStep.toFixed(0)} ms (torch 1 thread)`
        : `; PyTorch skipped: ${ref}`),
  });
}
writeResults(import.meta.dirname, rows);
