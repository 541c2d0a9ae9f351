import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "vitest";

/** Debian's Python, whose python3-torch and python3-torchvision make the big golden files. */
export const PYTHON = "/usr/bin/python3";

/** Whether {@link PYTHON} imports torch and torchvision. */
export const hasTorch = (() => {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * A describe block whose files torch makes at run time. Without torch it is skipped on a
 * developer's machine, but fails in CI (`CI` set), which installs the reference stack in
 * `.ci/run`: a parity check must never be skipped silently where it matters.
 */
export function describeWithTorch(title: string, body: () => void): void {
  if (hasTorch) {
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => {
      it("needs /usr/bin/python3 with torch and torchvision", () => {
        throw new Error(
          "CI must run this parity test, but /usr/bin/python3 cannot import torch and torchvision: " +
            "install them with `apt-get install -y python3-torch python3-torchvision` (.ci/run does).",
        );
      });
    });
  } else {
    describe.skip(`${title} (skipped: /usr/bin/python3 has no torch and torchvision)`, body);
  }
}
