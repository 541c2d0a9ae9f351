import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithTorch, PYTHON } from "../../test/reference-torch";
import { readStateDict } from "./read-state-dict";
import type { StateDict } from "./state-dict";

interface Summary {
  dtype: string;
  shape: number[];
  sum: number;
  first: (number | string)[];
  last: (number | string)[];
}

// A full torchvision resnext50_32x4d state dict (~100 MB per file), generated at run time
// by scripts/make-weight-fixtures.py --big only where Debian's python3 has torch.
describeWithTorch(
  "full resnext50_32x4d from torchvision (needs /usr/bin/python3 + torch; CI installs it)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "resnext-big-weights-"));
    let summary: Record<string, Summary>;
    beforeAll(() => {
      const script = join(__dirname, "..", "..", "scripts", "make-weight-fixtures.py");
      execFileSync("nice", [PYTHON, script, "--big", dir], { stdio: "inherit" });
      summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const check = (sd: StateDict) => {
      expect([...sd.keys()]).toEqual(Object.keys(summary));
      for (const [name, want] of Object.entries(summary)) {
        const t = sd.get(name)!;
        expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({
          name,
          dtype: want.dtype,
          shape: want.shape,
        });
        const d = t.data as ArrayLike<number | bigint>;
        const at = (i: number) => (typeof d[i] === "bigint" ? String(d[i]) : d[i]);
        const k = Math.min(3, d.length);
        const idx = Array.from({ length: k }, (_, i) => i);
        expect(idx.map(at)).toEqual(want.first);
        expect(idx.map((i) => at(d.length - k + i))).toEqual(want.last);
        let sum = 0;
        for (let i = 0; i < d.length; i++) sum += Number(d[i]);
        // float64 sums of identical float32 values; only the summation order differs.
        const tol = 1e-9 * d.length + 1e-9 * Math.abs(want.sum);
        if (Math.abs(sum - want.sum) > tol) expect({ name, sum }).toEqual({ name, sum: want.sum });
      }
    };

    it.each([
      "resnext50_32x4d.zip.pth",
      "resnext50_32x4d.legacy.pth",
      "resnext50_32x4d.safetensors",
    ])(
      "%s: every tensor matches torch (dtype, shape, first/last values, float64 sum)",
      async (file) => {
        const t0 = performance.now();
        const sd = await readStateDict(join(dir, file));
        console.log(
          `readStateDict(${file}): ${(performance.now() - t0).toFixed(0)} ms, ${sd.size} tensors`,
        );
        check(sd);
      },
    );
  },
);
