#!/usr/bin/env node
// Times `reference demo` end to end (synthetic data, training, evaluation, prediction, report)
// against its budget of 5 minutes on 2 CPU cores, and reports how far above the majority
// baseline the demo's test accuracy landed. Writes bench/results.json beside this file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "dist", "cli.js");
const out = mkdtempSync(join(tmpdir(), "celeba-demo-bench-"));
const budgetSeconds = 300;
try {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, "demo", "--out", out, "--quiet"], {
    stdio: "inherit",
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`reference demo exited with ${r.status}`);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  const margin = (summary.testAccuracy - summary.majorityBaselineAccuracy) * 100;
  const results = [
    {
      name: "demo end to end",
      metric: "wall time",
      ours: seconds,
      reference: budgetSeconds,
      ratio: seconds / budgetSeconds,
      unit: "s",
      notes: `budget 5 min; ${availableParallelism()} cores; test ${(summary.testAccuracy * 100).toFixed(2)}% vs baseline ${(summary.majorityBaselineAccuracy * 100).toFixed(2)}% (${margin.toFixed(2)} points)`,
    },
  ];
  writeFileSync(join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `demo: ${seconds.toFixed(1)} s of a ${budgetSeconds} s budget (${(seconds / budgetSeconds).toFixed(2)}x);`,
  );
  console.log(
    `      test accuracy ${margin.toFixed(2)} points over the majority baseline (goal: at least 5)`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
