import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { probeWebGpu, SWIFTSHADER_ICD } from "../src/webgpu-adapter";
import {
  CLI,
  describeWithTorch,
  PYTHON,
  RESNEXT_PACKAGE,
  runCli,
  scratchDir,
  tinyTrainArgs,
} from "./cli-harness";
import { IN_CI, useSwiftShaderUnlessSet } from "./webgpu-setup";

// The done-when items, through the built CLI: predict on webgpu against torchvision,
// one epoch of train on webgpu against cpu, and doctor with and without SwiftShader.
useSwiftShaderUnlessSet();
const probe = await probeWebGpu();
const work = scratchDir("webgpu-cli");
const SLOW = 900_000;
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  runCli(args, { env, timeoutMs: SLOW });

/** Our own report of GPU errors (invalid WGSL, validation), which tfjs never throws. */
function expectNoGpuErrors(stderr: string): void {
  expect(stderr).not.toMatch(/^webgpu: /m);
  expect(stderr).not.toMatch(/Error while parsing WGSL|is invalid due to a previous error/);
}

describe("reference doctor", () => {
  it("with chromium's SwiftShader: webgpu by name only, on the adapter it names", () => {
    if (!existsSync(SWIFTSHADER_ICD) && !IN_CI) return;
    const r = run(["doctor"], { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^webgpu: available by name only: google swiftshader \(SwiftShader driver [\d.]+\), a software adapter/m,
    );
    expect(r.stdout).toMatch(/^wasm: available: CPU: /m);
    expect(r.stdout).toMatch(/^cpu: available: CPU: /m);
    expect(r.stdout).toMatch(/^tensorflow-gpu: (available|not available: .{20,})/m);
    expect(r.stdout).toMatch(new RegExp(`^VK_ICD_FILENAMES=${SWIFTSHADER_ICD}$`, "m"));
    // A software adapter is slower than wasm: auto never picks it.
    expect(r.stdout).toMatch(/^auto: (tensorflow-gpu|tensorflow|wasm)$/m);
  });

  it("without a Vulkan driver (as without chromium): webgpu not available, and why", () => {
    const missing = join(work, "no-such-icd.json");
    const r = run(["doctor"], { ...process.env, VK_ICD_FILENAMES: missing });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^webgpu: not available: Dawn found no GPU adapter .*VK_ICD_FILENAMES=.*no-such-icd\.json gave none/m,
    );
    expect(r.stdout).toContain(`VK_ICD_FILENAMES=${missing} (the file does not exist)`);
    expect(r.stdout).toMatch(/^auto: (tensorflow-gpu|tensorflow|wasm)$/m);
  });
});

describe.skipIf(!probe.ok && !IN_CI)(
  "reference on --backend webgpu (SwiftShader in CI; fails in CI without an adapter)",
  () => {
    beforeAll(() => {
      if (!probe.ok) throw new Error(`no WebGPU adapter: ${probe.reason}`);
      expect(existsSync(CLI), `${CLI} is missing: run "pnpm build" first`).toBe(true);
    });

    it(
      "a one-epoch resnext_tiny train has cpu's train loss within 1e-3 relative",
      () => {
        const data = join(work, "data");
        const synth = run(["synth", "--out", data, "--count", "200", "--seed", "3"]);
        expect(synth.code, synth.stderr).toBe(0);
        const history = (backend: string) => {
          const out = join(work, `run-${backend}`);
          const r = run(tinyTrainArgs(data, out, { "batch-size": "32", backend }));
          expect(r.code, r.stderr).toBe(0);
          if (backend === "webgpu") {
            expect(r.stdout).toMatch(/^backend: webgpu on \S+ \S+/m);
            expectNoGpuErrors(r.stderr);
          }
          const [header, row] = readFileSync(join(out, "history.csv"), "utf8").trim().split("\n");
          const cols = header!.split(",");
          const values = row!.split(",").map(Number);
          return (name: string) => values[cols.indexOf(name)]!;
        };
        const cpu = history("cpu");
        const gpu = history("webgpu");
        console.info(`train loss: cpu ${cpu("train_loss")}, webgpu ${gpu("train_loss")}`);
        expect(cpu("train_loss")).toBeGreaterThan(0.1);
        expect(Math.abs(gpu("train_loss") - cpu("train_loss"))).toBeLessThanOrEqual(
          1e-3 * cpu("train_loss"),
        );
        expect(Math.abs(gpu("val_loss") - cpu("val_loss"))).toBeLessThanOrEqual(
          1e-3 * cpu("val_loss"),
        );
      },
      SLOW,
    );

    // torchvision's resnext50_32x4d (seeded, BN calibrated) in .pth and .safetensors, and its
    // outputs on PNG images, from packages/resnext's fixture script and scripts/torchvision-predict.py.
    // Skipped only outside CI: CI installs the reference stack (.ci/run), and without it fails here.
    describeWithTorch(
      "predict --raw on resnext50_32x4d vs torchvision, within 2e-3 (needs /usr/bin/python3 with torch)",
      () => {
        const dir = join(work, "resnext50");
        let golden: Record<string, number[]>;
        beforeAll(() => {
          execFileSync(
            "nice",
            [
              PYTHON,
              join(RESNEXT_PACKAGE, "scripts", "make-model-fixtures.py"),
              "--resnext50",
              dir,
            ],
            {
              stdio: "inherit",
            },
          );
          const script = join(import.meta.dirname, "..", "scripts", "torchvision-predict.py");
          execFileSync("nice", [PYTHON, script, join(dir, "resnext50_32x4d.pth"), dir, "2"], {
            stdio: "inherit",
          });
          golden = JSON.parse(readFileSync(join(dir, "predictions.json"), "utf8")).outputs;
        }, SLOW);

        it.each(["resnext50_32x4d.pth", "resnext50_32x4d.safetensors"])(
          "weights from %s",
          (file) => {
            const out = join(dir, `${file}.csv`);
            const r = run([
              "predict",
              ...["--backend", "webgpu", "--weights", join(dir, file)],
              ...["--images", join(dir, "images"), "--out", out, "--raw"],
            ]);
            expect(r.code, r.stderr).toBe(0);
            expect(r.stdout).toMatch(/^backend: webgpu on /m);
            expectNoGpuErrors(r.stderr);
            const rows = readFileSync(out, "utf8").trim().split("\n").slice(1);
            expect(rows).toHaveLength(Object.keys(golden).length);
            let worst = 0;
            for (const row of rows) {
              const [id, ...values] = row.split(",");
              const ref = golden[id!] ?? golden[`${id}.png`];
              expect(ref, id).toBeDefined();
              expect(values).toHaveLength(1000);
              // Calibrated BN: outputs far from constant, so a half-right model cannot pass.
              expect(Math.max(...ref!.map(Math.abs))).toBeGreaterThan(0.1);
              for (let i = 0; i < ref!.length; i++) {
                worst = Math.max(worst, Math.abs(Number(values[i]) - ref![i]!));
              }
            }
            console.info(
              `predict ${file} on webgpu: max |ours - torchvision| = ${worst.toExponential(2)}`,
            );
            expect(worst).toBeLessThanOrEqual(2e-3);
          },
          SLOW,
        );
      },
    );
  },
);
