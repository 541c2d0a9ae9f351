#!/usr/bin/env node
/**
 * Gathers every package's benchmark figures into one bench/results.json and bench/results.md.
 * Run by `pnpm bench` after `turbo run bench`. Convention: a package's bench script writes
 * `<package>/bench/results.json`, an array of
 *   { name, metric, ours, reference, ratio, unit, notes }
 * (reference/ratio null when the PyTorch reference was skipped). Files in another shape are
 * listed as "not in the shared format" instead of failing the run.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rows = [];
const notes = [];
for (const group of ["packages", "apps"]) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base).sort()) {
    const file = join(base, dir, "bench", "results.json");
    if (!existsSync(file)) continue;
    let data;
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      notes.push(`${group}/${dir}: bench/results.json is not valid JSON (${e.message})`);
      continue;
    }
    const ok =
      Array.isArray(data) &&
      data.every((r) => typeof r?.name === "string" && typeof r?.ours === "number");
    if (!ok) {
      notes.push(`${group}/${dir}: bench/results.json is not in the shared format, skipped`);
      continue;
    }
    for (const r of data) rows.push({ package: `${group}/${dir}`, ...r });
  }
}

const cpu = cpus();
const machine = {
  cores: cpu.length,
  cpu: cpu[0]?.model ?? "unknown",
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  date: new Date().toISOString(),
};

const fmt = (v) =>
  v === null || v === undefined ? "—" : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
const md = [
  "# Benchmarks",
  "",
  `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}.`,
  "The backend of each figure is in its name. Reference = PyTorch CPU in the same run (— = skipped).",
  "",
  "| package | benchmark | ours | PyTorch | unit | ratio | notes |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.package} | ${r.name} | ${fmt(r.ours)} | ${fmt(r.reference)} | ${r.unit ?? ""} | ${fmt(r.ratio)} | ${r.notes ?? ""} |`,
  ),
  ...(notes.length > 0 ? ["", ...notes.map((n) => `- ${n}`)] : []),
  "",
];

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
writeAtomic(
  join(root, "bench", "results.json"),
  `${JSON.stringify({ machine, results: rows, notes }, null, 2)}\n`,
);
writeAtomic(join(root, "bench", "results.md"), md.join("\n"));
console.log(md.join("\n"));
